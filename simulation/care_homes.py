"""Care homes: residents as a patient state, finite places per neighbourhood, entries and fees.

A care-home **resident** holds one of their neighbourhood's care-home places (a ``caseload``
service, :data:`PLACES`, sized per 1,000 people aged 65+ from the area's data) from the day they
move in until they die. Places are counted by the pool that serves the neighbourhood: its own at
full scale, shared with the neighbourhoods next to it at reduced scale (:mod:`simulation.services`).
People move in two ways:

* **from hospital**: at admission some patients aged 65+ are given the discharge need
  ``care_home`` (:data:`simulation.hospital.NEED_CARE_HOME`); when they are fit they wait in their
  bed (a delayed discharge) until a place is free. The hospital discharges them through the
  ``care_home`` service (:data:`PLACEMENT`), whose places each morning are the pool's free
  care-home places, so the hospital's ordinary discharge step does the matching;
* **from the community**: people aged 65+ at home ask for a place at a monthly rate by age; they
  wait at home (``social_care_waiting``) until a place is free. Hospital patients waiting for a
  place come first.

Patients in their last months of life (:mod:`simulation.end_of_life`) may be discharged to a care
home to die there: the *temporary* residents who make up about 41% of care-home deaths.

A resident's acute hazard and death hazard are multiplied by ``acute_rr`` and ``mortality_rr``
(patient-level hazard factors, :meth:`simulation.population.Population.add_hazard_factor`), so
residents have the admission rates of care-home residents and die at their rate. Each resident has
a payer, drawn on moving in: self-funded, the council, or the NHS (continuing healthcare, and every
end-of-life placement); fees per week by payer are costed by the finance ledger.

Example:
    >>> CareHomes.name, [s.name for s in CareHomes.services]
    ('care_homes', ['care_home_places', 'care_home'])
    >>> round(share_65_plus({0: 0.8, 65: 0.15, 85: 0.05}), 2)
    0.2
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from simulation.metrics import BREAKDOWN_DIMENSIONS, Metric
from simulation.parameters import Section, param
from simulation.parts import Part
from simulation.random_streams import Process
from simulation.services import BASE_DESTINATIONS, NEED_NONE, Service

NEED_CARE_HOME = DEST_CARE_HOME = BASE_DESTINATIONS.index("care_home")
"""Discharge need (and destination) of a patient who moves into a care home from hospital."""
DAYS_PER_YEAR = 365.25

PAYERS = ("self_funded", "council", "nhs_chc")
"""Who pays a resident's fees (codes 0, 1, 2)."""
SELF_FUNDED, COUNCIL, NHS_CHC = 0, 1, 2


def share_65_plus(age_shares: dict[int, float]) -> float:
    """Share of the population aged 65 or over from an area's age table (bands start at 65)."""
    return float(sum(v for k, v in age_shares.items() if k >= 65))


class CareHomeParams(Section):
    """Care homes for older people: places, who moves in, their risks and who pays."""

    places_per_1000_65plus: float = param(
        33.0, "places per 1,000 people aged 65+",
        "AREA when the area gives it; this default: England, derived: 2.8% of people aged 65+ "
        "are permanent care-home residents [wolters-2019] at 84.7% occupancy of care-home beds "
        "[ons-care-homes-self-funding-2021]",
        "Care-home places (residential and nursing) in each neighbourhood per 1,000 people aged "
        "65+ on day 0.", ge=0.0, le=200.0)
    places_follow_65plus: bool = param(
        True, "-", "ASSUMPTION: without a policy change the care-home market keeps its places per "
        "person aged 65+ (ONS: 84.7% of beds occupied, 2019-20, i.e. supply met demand)",
        "Whether each neighbourhood's places grow with the area's population aged 65+ (else they "
        "stay at day 0's number).")
    self_funded_share: float = param(
        0.367, "share of residents",
        "AREA when the area gives it; this default: England 36.7% self-funded, 2019-20 (ONS, Care "
        "homes and estimating the self-funding population, England 2019 to 2020; 37.0% in "
        "2022-23)", "Share of new residents who pay their own fees.", ge=0.0, le=1.0)
    nhs_chc_share: float = param(
        0.08, "share of residents",
        "ASSUMPTION: 54,411 people eligible for NHS continuing healthcare in April 2018 (NHS "
        "England CHC statistics Q4 2017-18, as reported by L. Clements), about 60% of them in care "
        "homes (ASSUMPTION), over 391,927 residents (ONS 2019-20)",
        "Share of new permanent residents funded by NHS continuing healthcare.",
        ge=0.0, le=1.0)
    initial_share_by_age: dict[int, float] = param(
        {0: 0.0, 65: 0.004, 75: 0.02, 85: 0.143}, "share of each age living in a care home",
        "2.8% of people aged 65+ live in care homes [wolters-2019]; ASSUMPTION: one in seven at "
        "85+ (as the press reported that briefing; not found in it) and the split of the "
        "remainder between 65-74 and 75-84",
        "Residents on day 0 of the warm-up, by age (frailer people first).", each_le=1.0)
    tier_weights: list[float] = param(
        [0.1, 0.3, 1.0, 4.0], "relative chance by tier",
        "ASSUMPTION: care-home residents are mostly frail or multimorbid ([wolters-2019]: "
        "residents are "
        "admitted for conditions of frailty; 41% of admissions potentially manageable)",
        "Relative chance of moving into a care home by condition tier (0 none .. 3 frail), "
        "renormalised within each age.", min_length=4, max_length=4, each_ge=0.0)
    hospital_need_by_age: dict[int, float] = param(
        {0: 0.0, 65: 0.018, 75: 0.045, 85: 0.09}, "share of overnight stays",
        "About 9,750 people a month are discharged from "
        "acute hospital to long-term care homes in England (a quarter of 39,000 receiving IC) "
        "[health-foundation-intermediate-care-2024], "
        "about 11 per 1,000 people aged 65+ a year; ASSUMPTION: the age gradient, CALIBRATED with "
        "the community rate to residents of about 2.8% of people aged 65+",
        "Probability that an overnight stay of a non-resident aged 65+ (tier mix of that age) "
        "ends needing a care-home place.", each_le=1.0)
    community_entry_per_1000_by_age: dict[int, float] = param(
        {0: 0.0, 65: 0.25, 75: 1.0, 85: 5.0}, "requests per 1,000 non-residents per year",
        "ASSUMPTION: moves into care homes straight from home, CALIBRATED with the hospital route "
        "to residents of about 2.8% of people aged 65+ [wolters-2019] and with it to care-home "
        "deaths of 20.5-21.8% and their temporary residents' share [ohid-end-of-life-profile-2023] "
        "where each care-home pool is about one real neighbourhood's places (docs/model.md 7.9a): "
        "half the rates calibrated in per-neighbourhood pools at reduced scale (0.5/2/10 at "
        "65/75/85), where a pool of one neighbourhood's places at scale 0.1 (about 19) was often "
        "full; with the old rates one pool of the area's places filled up in some runs",
        "Rate at which people aged 65+ at home ask for a care-home place (tier mix of that age).")
    end_of_life_placement_share: float = param(
        0.22, "share of discharges in the last months of life",
        "CALIBRATED with end_of_life_placement_from_home to the share of care-home deaths who were "
        "temporary residents, 36.6% (2019) to 41.2% (2022) [ohid-end-of-life-profile-2023], in "
        "pooled care-home places (0.25 before pooling, when small pools were more often full)",
        "Probability that a non-resident aged 65+ discharged in the last months of life goes to a "
        "care home to die (an NHS-funded end-of-life placement).", ge=0.0, le=1.0)
    end_of_life_placement_from_home: float = param(
        0.10, "share of final deteriorations at home",
        "CALIBRATED as end_of_life_placement_share, and with it to care-home deaths of "
        "20.5-21.8% [phe-end-of-life-profiles-2018] "
        "[ohid-end-of-life-profile-2023] (0.13 before pooling)",
        "Probability that a person aged 65+ at home moves into a care home for their last days "
        "(if a place is free) when their final deterioration comes.", ge=0.0, le=1.0)
    acute_rr: float = param(
        0.85, "hazard ratio",
        "CALIBRATED to residents' emergency admissions of 0.70-1.04 per resident-year and A&E "
        "visits of 0.98-1.44 [wolters-2019] [lloyd-2019] (Table 5)",
        "Acute hazard of a resident relative to a person of the same age, tier and deprivation "
        "at home.", gt=0.0, le=10.0)
    mortality_rr: float = param(
        3.0, "hazard ratio",
        "CALIBRATED with the entry rates to residents of about 2.8% of people aged 65+ "
        "[wolters-2019] "
        "and care-home deaths of 20.5-21.8% [ohid-end-of-life-profile-2023]; ASSUMPTION: "
        "residents die faster than people "
        "of the same age and tier at home",
        "Death hazard of a resident relative to a person of the same age, tier and deprivation "
        "at home.", gt=0.0, le=10.0)


def waiting_in_hospital(model, need: int, day: int) -> np.ndarray:
    """Inpatients at every site fit and assessed by ``day`` who need ``need``, longest first."""
    found = [site.waiting_for(need, day) for site in model.hospital_list]
    ids = np.concatenate([f[0] for f in found]).astype(np.int64)
    ready = np.concatenate([f[1] for f in found])
    return ids[np.lexsort((ids, ready))]


def _places_per_100k(s) -> float:
    return s.care_homes.places_per_1000_65plus * share_65_plus(s.population.age_shares) * 100


PLACES = Service("care_home_places", "caseload", per_100k=_places_per_100k, uplift=False,
                 label="care-home places (residential and nursing)")
"""Care-home places of each neighbourhood; :class:`CareHomes` keeps the list of residents."""

PLACEMENT = Service("care_home", "places", per_100k=lambda s: 0.0, mean_days=lambda s: 1.0,
                    need=NEED_CARE_HOME, stream=Process.COMMUNITY_SERVICE, draw=NEED_CARE_HOME,
                    uplift=False, label="care-home placement from hospital")
"""How hospitals discharge to a care home: each morning its places are the free care-home places
(set by :class:`CareHomes`), each held for the day of the move."""

_B = BREAKDOWN_DIMENSIONS


class CareHomes(Part):
    """Care-home residents, places, entries from hospital and home, and fees by payer."""

    name = "care_homes"
    services: ClassVar[tuple[Service, ...]] = (PLACES, PLACEMENT)
    metrics = (
        Metric("care_home_residents", "stock", "people",
               "Care-home residents in their care home tonight (not in hospital).", breakdowns=_B),
        Metric("care_home_places", "stock", "places", "Care-home places."),
        Metric("care_home_places_occupied", "stock", "places",
               "Care-home places held by residents (including residents in hospital)."),
        Metric("care_home_admissions", "flow", "admissions",
               "Emergency admissions of care-home residents today.", breakdowns=_B),
        Metric("care_home_ae_attendances", "flow", "attendances",
               "A&E attendances of care-home residents today."),
        Metric("care_home_entries_hospital", "flow", "people",
               "People who moved into a care home from hospital today."),
        Metric("care_home_entries_community", "flow", "people",
               "People who moved into a care home from home today."),
        Metric("care_home_waiting_community", "stock", "people",
               "People at home waiting for a care-home place."),
        Metric("care_home_waiting_hospital", "stock", "patients",
               "Inpatients fit to leave who are waiting for a care-home place."),
        Metric("care_home_residents_self_funded", "stock", "places",
               "Places held by self-funded residents."),
        Metric("care_home_residents_council", "stock", "places",
               "Places held by council-funded residents."),
        Metric("care_home_residents_nhs_chc", "stock", "places",
               "Places held by residents funded by NHS continuing healthcare."),
    )

    def setup(self, model) -> None:
        """Declare the residents' state and hazard factors, and move in day 0's residents."""
        from simulation.population import step_table

        super().setup(model)
        self.params: CareHomeParams = model.scenario.care_homes
        p, pop = self.params, model.population
        pop.add_state("care_home", bool, False)  # holds a care-home place
        pop.add_state("care_home_since", np.int32, 0)
        pop.add_state("care_home_payer", np.int8, -1)
        pop.add_state("care_home_temporary", bool, False)
        pop.add_hazard_factor("acute", "care_home_acute_rr")
        pop.add_hazard_factor("death", "care_home_death_rr")
        self.need_by_age = step_table(p.hospital_need_by_age)
        self.entry_by_age = step_table(p.community_entry_per_1000_by_age) / 1000
        self.tier_weights = np.asarray(p.tier_weights, float)
        self.residents = np.empty(0, np.int64)
        self.waiting = np.empty(0, np.int64)  # at home, first come first served
        self.waiting_in_hospital = np.empty(0, np.int64)
        self.arrived: list[np.ndarray] = []  # today's discharges to a care home
        self.today_counts = dict.fromkeys(("care_home_admissions", "care_home_ae_attendances",
                                           "care_home_entries_hospital",
                                           "care_home_entries_community"), 0)
        self._tier_norm = self._tier_normaliser(model.day)
        self.older_at_start = self._older(model.day)
        self.growth = 1.0
        self._initial_residents(model.day)

    # ----- who -------------------------------------------------------------------------------
    def _tier_normaliser(self, day: int) -> np.ndarray:
        """Mean tier weight at each age, so that the age tables keep their meaning."""
        pop = self.model.population
        ids = np.flatnonzero(pop.alive[: pop.n])
        age = pop.ages(day, ids)
        w = self.tier_weights[pop.tier[ids]]
        total = np.bincount(age, weights=w, minlength=111)
        count = np.bincount(age, minlength=111)
        return np.divide(total, count, out=np.ones(111), where=count > 0)

    def _older(self, day: int) -> int:
        pop = self.model.population
        return int((pop.alive[: pop.n] & (pop.ages(day) >= 65)).sum())

    def places(self) -> np.ndarray:
        """Care-home places of each pool today (one pool per neighbourhood at full scale)."""
        base = np.array([p.capacity() for p in self.model.services.pools(PLACES.name)])
        return np.rint(base * self.growth).astype(np.int64)

    def pool_of(self, ids: np.ndarray) -> np.ndarray:
        """The care-home pool of each patient's neighbourhood (:mod:`simulation.services`)."""
        pop = self.model.population
        return self.model.services.pool_of(PLACES.name)[pop.neighbourhood[ids]]

    def held(self, ids: np.ndarray) -> np.ndarray:
        """How many of ``ids`` are in each pool (e.g. the places residents hold)."""
        return np.bincount(self.pool_of(ids), minlength=len(self.model.services.pools(PLACES.name)))

    def tier_weight(self, day: int, ids: np.ndarray) -> np.ndarray:
        """Relative chance of needing long-term care by tier, 1 on average at each age."""
        return self._weight(day, ids)

    def _weight(self, day: int, ids: np.ndarray) -> np.ndarray:
        pop = self.model.population
        age = pop.ages(day, ids)
        return self.tier_weights[pop.tier[ids]] / self._tier_norm[age]

    def _draw(self, day: int, ids: np.ndarray, draw: int) -> np.ndarray:
        return self.model.streams.keyed(self.stream_key(), day, ids, draw)

    def _initial_residents(self, day: int) -> None:
        pop = self.model.population
        ids = np.flatnonzero(pop.alive[: pop.n])
        age = pop.ages(day, ids)
        from simulation.population import step_table

        share = step_table(self.params.initial_share_by_age)[age] * self._weight(day, ids)
        chosen = ids[self._draw(day, ids, 0) < share]
        # frailest and oldest first where a pool has fewer places than candidates
        order = np.lexsort((-pop.ages(day, chosen), -pop.tier[chosen]))
        chosen = chosen[order]
        pool, places = self.pool_of(chosen), self.places()
        keep = [chosen[pool == p][: places[p]] for p in range(len(places))]
        self._move_in(day, np.sort(np.concatenate(keep)), temporary=False)

    # ----- moving in --------------------------------------------------------------------------
    def _move_in(self, day: int, ids: np.ndarray, temporary: bool | np.ndarray) -> None:
        if len(ids) == 0:
            return
        p, pop = self.params, self.model.population
        u = self._draw(day, ids, 1)
        payer = np.where(u < p.self_funded_share, SELF_FUNDED,
                         np.where(u < p.self_funded_share + p.nhs_chc_share, NHS_CHC, COUNCIL))
        temporary = np.broadcast_to(np.asarray(temporary, bool), ids.shape)
        payer = np.where(temporary, NHS_CHC, payer)  # end-of-life placements: NHS fast track
        pop.care_home[ids] = True
        pop.care_home_since[ids] = day
        pop.care_home_payer[ids] = payer
        pop.care_home_temporary[ids] = temporary
        pop.care_home_acute_rr[ids] = p.acute_rr
        pop.care_home_death_rr[ids] = p.mortality_rr
        pop.mark_stale(ids)
        self.residents = np.union1d(self.residents, ids)
        self.waiting = self.waiting[~np.isin(self.waiting, ids)]

    def place_for_last_days(self, day: int, ids: np.ndarray) -> np.ndarray:
        """Move people aged 65+ in their last days into free places now; returns who moved.

        Called by :mod:`simulation.end_of_life` at a final deterioration at home; these are
        temporary residents, funded by the NHS (fast-track continuing healthcare).
        """
        pop = self.model.population
        ids = ids[(pop.ages(day, ids) >= 65)
                  & (self._draw(day, ids, 4) < self.params.end_of_life_placement_from_home)]
        if len(ids) == 0:
            return ids
        # places held by living residents and by today's arrivals from hospital
        holding = np.concatenate([self.residents[pop.alive[self.residents]], *self.arrived])
        room = self.places() - self.held(holding.astype(np.int64))
        pool = self.pool_of(ids)
        moving = [ids[pool == p][: max(int(room[p]), 0)] for p in np.unique(pool)]
        moving = np.concatenate(moving).astype(np.int64)
        self._move_in(day, moving, temporary=True)
        self.today_counts["care_home_entries_community"] += len(moving)
        return moving

    def is_resident(self, ids: np.ndarray) -> np.ndarray:
        """Whether each patient holds a care-home place."""
        return self.model.population.care_home[ids]

    # ----- hooks ------------------------------------------------------------------------------
    def discharge_needs(self, day: int, admissions, need: np.ndarray) -> np.ndarray:
        """Residents go back to their home; some older patients will need a care-home place."""
        pop = self.model.population
        ids, age = admissions.ids, admissions.age
        resident = self.is_resident(ids)
        dying = pop.dying[ids]
        chance = np.where(dying, self.params.end_of_life_placement_share,
                          self.need_by_age[age] * self._weight(day, ids))
        wants = ~resident & (age >= 65) & (self._draw(day, ids, 2) < chance)
        out = np.where(wants, NEED_CARE_HOME, need)
        return np.where(resident, NEED_NONE, out)

    def discharged(self, day: int, patients: np.ndarray, destinations: np.ndarray) -> None:
        """Note who left hospital for a care home today."""
        moved = patients[destinations == DEST_CARE_HOME]
        if len(moved):
            self.arrived.append(moved)

    def admitted(self, day: int, admissions) -> None:
        """Count residents' emergency admissions."""
        mine = admissions.ids[self.is_resident(admissions.ids)]
        self.today_counts["care_home_admissions"] += len(mine)
        self.model.count_events("care_home_admissions", day, mine)

    def attended(self, day: int, ids: np.ndarray) -> None:
        """Count residents' A&E attendances."""
        self.today_counts["care_home_ae_attendances"] += int(self.is_resident(ids).sum())

    def monthly(self, day: int) -> None:
        """This month's requests for a place from people at home join the waiting list."""
        pop = self.model.population
        self._tier_norm = self._tier_normaliser(day)
        if self.params.places_follow_65plus:
            self.growth = self._older(day) / max(self.older_at_start, 1)
        n = pop.n
        old = np.flatnonzero(pop.alive[:n] & ~pop.care_home[:n]
                             & (pop.ages(day)[:n] >= 65))
        old = old[~np.isin(old, self.waiting)]
        rate = self.entry_by_age[pop.ages(day, old)] * self._weight(day, old)
        chance = -np.expm1(-rate * 30.44 / DAYS_PER_YEAR)
        self.waiting = np.concatenate([self.waiting, old[self._draw(day, old, 3) < chance]])

    # ----- the day's moves ---------------------------------------------------------------------
    def record(self, day: int, today: dict[str, float]) -> None:
        """Move in today's arrivals and waiters, free the places of the dead, report."""
        m, pop = self.model, self.model.population
        arrived = np.concatenate(self.arrived) if self.arrived else np.empty(0, np.int64)
        self.arrived = []
        arrived = arrived[pop.alive[arrived]]
        self._move_in(day, arrived, temporary=pop.dying[arrived])
        self.today_counts["care_home_entries_hospital"] += len(arrived)
        self.residents = self.residents[pop.alive[self.residents]]
        self.waiting = self.waiting[pop.alive[self.waiting]]
        places = self.places()
        in_hospital = waiting_in_hospital(m, NEED_CARE_HOME, day + 1)
        self.waiting_in_hospital = in_hospital
        # places are kept back for the pool's patients waiting in hospital (they come first)
        free = np.maximum(places - self.held(self.residents) - self.held(in_hospital), 0)
        at_home = self.waiting[~pop.in_hospital[self.waiting]]
        pool = self.pool_of(at_home)
        moving = [at_home[pool == p][: free[p]] for p in np.flatnonzero(free)]
        moving = np.concatenate(moving) if moving else np.empty(0, np.int64)
        self._move_in(day, moving, temporary=False)
        self.today_counts["care_home_entries_community"] += len(moving)
        # tomorrow's discharges to a care home: each pool's free places
        m.services.set_pool_extra_places(PLACEMENT.name,
                                         np.maximum(places - self.held(self.residents), 0))

        present = self.residents[~pop.in_hospital[self.residents]]
        payer = np.bincount(pop.care_home_payer[self.residents], minlength=len(PAYERS))
        today["care_home_residents"] = len(present)
        today["care_home_places"] = int(places.sum())
        today["care_home_places_occupied"] = len(self.residents)
        today["care_home_waiting_community"] = len(self.waiting)
        today["care_home_waiting_hospital"] = len(in_hospital)
        for code, name in enumerate(PAYERS):
            today[f"care_home_residents_{name}"] = int(payer[code])
        for key, value in self.today_counts.items():
            today[key] = value
            self.today_counts[key] = 0
        m.count_events("care_home_residents", day, present)
