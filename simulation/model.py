"""The LCO care-flow model: a Mesa model of a registered population and its organisations.

Patients are vectorised (:mod:`simulation.population`); GP practices, community teams, hospitals
and the LCO are Mesa agents. ``LCOModel.step`` advances one day; its docstring is the one place
the daily order of events is written down.

Example:
    >>> from simulation.scenario import Scenario
    >>> model = LCOModel(Scenario.preset("none", scale=0.005, years=1), seed=3)
    >>> _ = model.run(days=30)
    >>> df = model.results()
    >>> sorted(df.columns.tolist())
    ['date', 'day', 'dimension', 'group', 'metric', 'value']
    >>> int(df.query("metric == 'population' and day == 29")["value"].iloc[0]) > 2900
    True
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import mesa
import numpy as np
import pandas as pd
from scipy.special import gammaincinv

from simulation.community import CommunityTeam
from simulation.episodes import ROUTE_AE, ROUTE_DIRECT, EpisodeLog
from simulation.finance.ledger import Ledger
from simulation.hospital import (DEST_DIED, DEST_HOME, NEED_COMMUNITY_BED, NEED_HOME_SUPPORT,
                                 NEED_NONE, Hospital)
from simulation.lco import LocalCareOrganisation
from simulation.levers import ramp, scaled_ratio
from simulation.population import (AGE_BAND_LABELS, DAYS_PER_YEAR, MAX_AGE, N_QUINTILES,
                                   Population,
                                   step_table)
from simulation.practice import GPPractice, book_appointments
from simulation.random_streams import Process, RandomStreams
from simulation.recorder import BreakdownRecorder
from simulation.areas import layout
from simulation.scenario import Scenario

MODEL_METRICS = (
    "population", "births", "deaths", "deaths_in_hospital",
    "gp_need", "gp_appointments_met", "gp_appointments_unmet", "gp_unmet_to_ae",
    "ae_attendances", "ae_admissions", "direct_admissions", "emergency_admissions",
    "zero_day_admissions", "short_stay_admissions", "readmissions_30d", "out_of_area_admissions",
    "crisis_responses", "crisis_avoided_admissions", "step_up_community_beds",
    "community_contacts", "case_managed", "social_prescribed",
    "home_support_occupied", "community_beds_occupied",
    "occupied_beds", "bed_capacity", "delayed_discharge_bed_days", "fit_not_discharged",
    "discharges", "practices_integrated", "integration_strength",
)
"""Model-level daily series (Mesa DataCollector model reporters)."""

BREAKDOWN_METRICS = ("emergency_admissions", "ae_attendances", "gp_appointments_met",
                     "gp_appointments_unmet", "crisis_responses", "deaths")
"""Events also counted by neighbourhood, age band and deprivation quintile."""

HOSPITAL_METRICS = {"occupied_beds": "occupied", "occupancy": "occupancy",
                    "delayed_discharge_bed_days": "delayed_tonight",
                    "fit_not_discharged": "fit_tonight", "escalation_open": "escalation_open",
                    "admissions": "admissions_today"}
"""Per-hospital daily series (Mesa DataCollector agent-type reporters)."""


class LCOModel(mesa.Model):
    """Care flows of a registered population under a Local Care Organisation.

    Args:
        scenario: the validated scenario; the default area's ``none`` baseline by default.
        seed: root seed (an integer or a SeedSequence); every random number derives from it, see
            :mod:`simulation.random_streams`. The same seed in two arms gives common random numbers.
        record_episodes: keep the patient-level episode log.
    """

    def __init__(self, scenario: Scenario | None = None, *,
                 seed: int | np.random.SeedSequence = 0, record_episodes: bool = True):
        self.streams = RandomStreams(seed)
        # Mesa's own generator is not used by the model's processes; seed it from ours anyway.
        super().__init__(seed=int(self.streams.seed_sequence.generate_state(1)[0]))
        self.scenario = scenario if scenario is not None else Scenario.preset("none")
        s = self.scenario
        self.seed = seed
        self.warmup_days = s.run.warmup_days
        self.day = -self.warmup_days  # the warm-up runs days -warmup..-1; results start at day 0
        self.horizon_days = int(round(s.run.years * 365))
        self.start_date = dt.date.fromisoformat(s.run.start_date)
        self._calendar = pd.date_range(self.start_date - dt.timedelta(days=self.warmup_days),
                                       periods=self.warmup_days + self.horizon_days + 1, freq="D")
        self.dates = self._calendar[self.warmup_days:]
        self._month_start = np.asarray(self._calendar.day == 1)
        self._month_start[0] = True
        self.record_episodes = record_episodes

        # -- organisations and patients ----------------------------------------------------
        # The area's structure at run scale (simulation.areas.layout holds the scale rules).
        self.n_neighbourhoods = len(s.population.neighbourhoods)
        self.neighbourhood_names = [h.name for h in s.population.neighbourhoods]
        self.locality_of_neighbourhood = [h.locality for h in s.population.neighbourhoods]
        self._build_practices(layout.practice_counts(s))
        self.population = Population.initial(s, self.streams, self.practices_of_neighbourhood,
                                             self.practice_weights, day=self.day)
        self.initial_size = self.population.n_alive
        hood_sizes = np.bincount(self.population.neighbourhood[: self.population.n],
                                 minlength=self.n_neighbourhoods)
        c = s.community
        self.teams = [CommunityTeam(self, h, crisis_per_day=c.crisis_response_per_100k_day * n / 1e5,
                                    home_support_places=c.home_support_places_per_100k * n / 1e5,
                                    community_beds=c.community_beds_per_100k * n / 1e5,
                                    case_places=c.case_management_places_per_100k * n / 1e5)
                      for h, n in enumerate(hood_sizes)]
        sites = layout.sites_at_scale(s)
        self.layout_notes = sites.notes  # sites too small to behave like a hospital, if any
        self.hospitals = [Hospital(self, i, spec, 1.0, s.hospitals.escalation_threshold)
                          for i, spec in enumerate(sites.specs)]
        self.home_site = layout.home_sites(s)
        self.lco = LocalCareOrganisation(self, s.integration)
        self.episodes = EpisodeLog()
        self._out_of_area_release: dict[int, list[np.ndarray]] = defaultdict(list)
        self._retry = np.empty(0, np.int64)
        self._practice_requests = np.zeros(len(self.practices), np.int64)
        self._practice_unmet = np.zeros(len(self.practices), np.int64)

        # -- lookup tables for per-event decisions --------------------------------------------
        h = s.hospitals
        self._zero_day = step_table(h.zero_day_share_by_age)
        self._clinical_los = step_table(h.clinical_los_by_age)
        self._los_tier = np.asarray(h.clinical_los_rr_by_tier)
        self._need_home = step_table(h.home_support_need_by_age)
        self._need_bed = step_table(h.community_bed_need_by_age)
        self.practice_intensity = np.zeros(len(self.practices))
        self._case_managed_now = 0
        self._social_prescribed_now = 0
        self.neighbourhood_intensity = np.zeros(self.n_neighbourhoods)

        # -- observation -------------------------------------------------------------------
        self.today: dict[str, float] = dict.fromkeys(MODEL_METRICS, 0)
        self.breakdowns = BreakdownRecorder(
            self.horizon_days, {"neighbourhood": self.n_neighbourhoods,
                                "age_band": len(AGE_BAND_LABELS), "deprivation_quintile": N_QUINTILES},
            BREAKDOWN_METRICS)
        self.population_by_group: list[tuple[int, dict[str, np.ndarray]]] = []
        # by single year of age, for the age-specific GP targets: appointments and person-days
        self.gp_met_by_age = np.zeros(MAX_AGE + 1)
        self.person_days_by_age = np.zeros(MAX_AGE + 1)
        self.datacollector = mesa.DataCollector(
            model_reporters={m: (lambda model, m=m: model.today[m]) for m in MODEL_METRICS},
            agenttype_reporters={Hospital: dict(HOSPITAL_METRICS)})
        self._warm_up()
        self.lco.finance = Ledger(self)  # budget, savings and reinvestment (finance module)

    # ----- set-up ---------------------------------------------------------------------------
    def _build_practices(self, count: np.ndarray) -> None:
        """Create ``count[h]`` practices in each neighbourhood; draw list sizes and willingness."""
        s = self.scenario.population
        rng = self.streams.generator(Process.STRUCTURE, 1)
        self.practice_weights = rng.lognormal(0.0, s.practice_list_sigma, size=count.sum())
        willing = rng.random(count.sum()) < self.scenario.integration.adoption.max_share
        self.practices: list[GPPractice] = []
        self.practices_of_neighbourhood: list[list[int]] = []
        for hood, k in enumerate(count):
            idx = list(range(len(self.practices), len(self.practices) + k))
            self.practices_of_neighbourhood.append(idx)
            for i in idx:
                self.practices.append(GPPractice(self, i, hood, bool(willing[i])))

    # ----- running --------------------------------------------------------------------------
    def _warm_up(self) -> None:
        """Run the warm-up days so beds and community places are occupied at day 0.

        Levers stay off and nothing is recorded; the calendar runs so the season is right.
        """
        while self.day < 0:
            self.step()

    def run(self, days: int | None = None, progress=None) -> LCOModel:
        """Step to the horizon (or for ``days`` days); ``progress`` is an optional tqdm bar."""
        end = self.horizon_days if days is None else min(self.horizon_days, self.day + days)
        while self.day < end:
            self.step()
            if progress is not None:
                progress.update(1)
        return self

    def step(self) -> None:
        """Advance one day. This is the model's whole schedule, in order:

        1. **Monthly review** (first day of each calendar month): practice lists and capacity
           are updated; the LCO lets practices adopt integration; lever strengths, community
           investment, case management and social prescribing are updated; every patient's
           daily event probabilities are recomputed. **Yearly** (each anniversary of day 0):
           patients move up condition tiers and GP-use counts roll over.
        2. **Births and arrivals** join practice lists.
        3. **Community teams** release places whose episodes ended and set today's crisis capacity.
        4. **Hospitals** open escalation beds if full, then **discharge**: medically fit patients
           who need nothing go home; those needing home support or a community bed go when their
           neighbourhood team has a free place, otherwise they wait (a delayed discharge).
        5. **Needs arise**: one uniform per patient decides death, an acute episode or a routine
           GP need.
        6. **Deaths**, including inpatients, whose episodes close.
        7. **Primary care**: today's GP needs and yesterday's retries are booked within each
           practice's capacity; unmet need spills to A&E, retries tomorrow, or is lost.
        8. **Acute episodes**: 2-hour crisis response may keep an eligible patient at home; the
           rest come to A&E (admitted with the conversion probability) or directly for admission;
           a GP with direct access may place a direct admission in a community bed instead;
           admissions take a bed at the home site, else another site, else out of area; zero-day
           stays leave the same day.
        9. **Follow-up**: readmission windows that end today expire; the day is recorded.
        """
        day = self.day
        self._reset_today()
        if self._month_start[day + self.warmup_days]:
            self._monthly_review(day)
        if day > 0 and day % 365 == 0:
            self.population.progress_tiers(day)
            self.population.roll_gp_counts()
        self._births(day)
        for team in self.teams:
            team.start_day(day, float(self._uplift[team.neighbourhood]))
        self._discharge(day)
        deaths, acute, gp = self.population.draw_events(day, self._season(day))
        self._deaths(day, deaths)
        spill = self._primary_care(day, gp)
        self._acute_episodes(day, acute, spill)
        self._release_out_of_area(day)
        self.population.expire_readmission_windows(day)
        self._record(day)
        if day >= 0 and (day + 1) % 365 == 0:
            self.lco.end_of_year(day)
        self.day += 1

    # ----- the steps ------------------------------------------------------------------------
    def _reset_today(self) -> None:
        for k in self.today:
            self.today[k] = 0
        for h in self.hospitals:
            h.admissions_today = 0

    def _season(self, day: int) -> float:
        d = self.scenario.demand
        doy = self._calendar[day + self.warmup_days].dayofyear
        return 1 + d.winter_amplitude * np.cos(2 * np.pi * (doy - d.winter_peak_day_of_year) / 365.25)

    def _monthly_review(self, day: int) -> None:
        s, pop = self.scenario, self.population
        alive = pop.alive[: pop.n]
        lists = np.bincount(pop.practice[: pop.n][alive], minlength=len(self.practices))
        for p in self.practices:
            p.update_list(lists[p.index], s.primary_care.appointments_per_patient_year)
            p.requests_month = int(self._practice_requests[p.index])
            p.unmet_month = int(self._practice_unmet[p.index])
            p.close_month()
        self._practice_requests[:] = 0
        self._practice_unmet[:] = 0
        self.lco.review_adoption(day, self.practices, self.n_neighbourhoods)
        self.practice_intensity = self.lco.practice_intensity(self.practices)
        hood_of_practice = np.array([p.neighbourhood for p in self.practices])
        w = np.maximum(lists, 1)
        self.neighbourhood_intensity = (np.bincount(hood_of_practice, self.practice_intensity * w,
                                                    self.n_neighbourhoods)
                                        / np.bincount(hood_of_practice, w, self.n_neighbourhoods))
        self._uplift = self.lco.community_uplift(day, self.neighbourhood_intensity)
        pop.acute_lever_rr[: pop.n] = 1.0
        self._case_management(day)
        self._social_prescribing(day)
        pop.refresh(day)
        self._record_population_groups(day)

    def _eligible_high_risk(self, ids: np.ndarray, day: int) -> np.ndarray:
        pop = self.population
        tier = pop.tier[ids]
        return (tier == 3) | ((tier == 2) & (pop.ages(day, ids) >= 65))

    def _case_management(self, day: int) -> None:
        """Enrol high-risk patients of integrated practices up to each team's caseload.

        A patient's propensity is a fixed keyed uniform, so as coverage ramps up the same
        patients stay enrolled and more join; only candidates are hashed, not everyone.
        """
        cm = self.scenario.integration.case_management
        pop = self.population
        level = ramp(cm, day) * self.practice_intensity.max(initial=0)
        if level == 0 and not self._case_managed_now:
            return
        n = pop.n
        alive = pop.alive[:n]
        if level > 0:
            ids = np.flatnonzero(alive & (pop.case_managed_since[:n] < 0) & (pop.tier[:n] >= 2))
            ids = ids[self._eligible_high_risk(ids, day)]
            strength = ramp(cm, day) * self.practice_intensity[pop.practice[ids]]
            propensity = self.streams.keyed(Process.CASE_FINDING, 0, ids)
            want = propensity < cm.coverage * strength
            cand = ids[want][np.argsort(propensity[want], kind="stable")]
            enrolled = np.flatnonzero(alive & (pop.case_managed_since[:n] >= 0))
            current = np.bincount(pop.neighbourhood[enrolled], minlength=self.n_neighbourhoods)
            for team in self.teams:
                room = team.case_places - current[team.neighbourhood]
                mine = cand[pop.neighbourhood[cand] == team.neighbourhood][: max(room, 0)]
                pop.case_managed_since[mine] = day
        enrolled = np.flatnonzero(alive & (pop.case_managed_since[:n] >= 0))
        finding = day - pop.case_managed_since[enrolled] < cm.case_finding_months * 30.44
        pop.acute_lever_rr[enrolled] *= np.where(finding, cm.case_finding_rr,
                                                 cm.hazard_rr).astype(np.float32)
        self._case_managed_now = len(enrolled)

    def _social_prescribing(self, day: int) -> None:
        """Refer frequent attenders of integrated practices; referral is lasting."""
        sp = self.scenario.integration.social_prescribing
        pop = self.population
        level = ramp(sp, day) * self.practice_intensity.max(initial=0)
        if level == 0 and not self._social_prescribed_now:
            return
        n = pop.n
        alive = pop.alive[:n]
        if level > 0:
            frequent = pop.gp_count_last_year[:n] >= \
                self.scenario.primary_care.frequent_attender_threshold
            ids = np.flatnonzero(alive & ~pop.social_prescribed[:n] & frequent)
            strength = ramp(sp, day) * self.practice_intensity[pop.practice[ids]]
            propensity = self.streams.keyed(Process.SOCIAL_PRESCRIBING, 0, ids)
            pop.social_prescribed[ids[propensity < sp.coverage * strength]] = True
        referred = np.flatnonzero(alive & pop.social_prescribed[:n])
        pop.gp_lever_rr[:n] = 1.0
        pop.gp_lever_rr[referred] = sp.gp_rr
        pop.acute_lever_rr[referred] *= np.float32(sp.acute_rr)
        self._social_prescribed_now = len(referred)

    def _births(self, day: int) -> None:
        ids = self.population.add_births(day, self.practices_of_neighbourhood,
                                         self.practice_weights, self.initial_size)
        self.today["births"] = len(ids)

    def _service_end(self, patients: np.ndarray, need: int) -> np.ndarray:
        """Day a home-support or community-bed episode ends (geometric around its mean)."""
        c = self.scenario.community
        mean = c.home_support_days if need == NEED_HOME_SUPPORT else c.community_bed_days
        u = self.streams.keyed(Process.COMMUNITY_SERVICE, self.day, patients, draw=need)
        return self.day + 1 + np.floor(-np.log1p(-u) * (mean - 0.5)).astype(np.int64)

    def _discharge(self, day: int) -> None:
        for h in self.hospitals:
            h.decide_escalation()
            out = h.discharge(day, self.teams, self.scenario.hospitals.max_wait_days,
                              self._service_end)
            if len(out.patient) == 0:
                continue
            self.episodes.close(out.episode, np.full(len(out.episode), day), out.destination,
                                out.delayed_days)
            self._leave_hospital(day, out.patient)
            self.today["discharges"] += len(out.patient)

    def _leave_hospital(self, day: int, patients: np.ndarray) -> None:
        """Patients go home: their 30-day readmission risk starts, eased by the shared record."""
        pop = self.population
        sr = self.scenario.integration.shared_record
        base_rr = self.scenario.demand.readmission_rr_30d
        pop.in_hospital[patients] = False
        pop.episode[patients] = -1
        strength = ramp(sr, day) * self.practice_intensity[pop.practice[patients]]
        rr = 1 + (base_rr - 1) * scaled_ratio(sr.readmission_rr, strength)
        pop.start_readmission_window(day, patients, rr.astype(np.float32))

    def _deaths(self, day: int, ids: np.ndarray) -> None:
        pop = self.population
        inpatients = ids[pop.in_hospital[ids]]
        for h in self.hospitals:
            episodes = h.remove_patients(inpatients)
            if len(episodes):
                self.episodes.close(episodes, np.full(len(episodes), day),
                                    np.full(len(episodes), DEST_DIED), np.zeros(len(episodes)))
        # out-of-area inpatients: their episodes are still open
        open_eps = pop.episode[inpatients]
        open_eps = open_eps[open_eps >= 0]
        open_eps = open_eps[self.episodes.column("discharge_day")[open_eps] < 0]
        if len(open_eps):
            self.episodes.close(open_eps, np.full(len(open_eps), day),
                                np.full(len(open_eps), DEST_DIED), np.zeros(len(open_eps)))
        pop.episode[ids] = -1
        pop.kill(day, ids)
        self.today["deaths"] = len(ids)
        self.today["deaths_in_hospital"] = len(inpatients)
        self._breakdown("deaths", day, ids)

    def _primary_care(self, day: int, need: np.ndarray) -> np.ndarray:
        """Book GP needs within capacity; returns the unmet patients who go to A&E today."""
        pop, pc = self.population, self.scenario.primary_care
        retry = self._retry[pop.alive[self._retry] & ~pop.in_hospital[self._retry]]
        requests = np.concatenate([need, retry])
        practice = pop.practice[requests].astype(np.int64)
        capacity = np.array([p.capacity_today() for p in self.practices])
        priority = self.streams.keyed(Process.GP_BOOKING, day, requests)
        met, unmet = book_appointments(requests, practice, capacity, priority)
        self._practice_requests += np.bincount(practice, minlength=len(self.practices))
        self._practice_unmet += np.bincount(pop.practice[unmet], minlength=len(self.practices))
        who, times = np.unique(met, return_counts=True)
        pop.gp_count_this_year[who] += times.astype(np.int16)
        u = self.streams.keyed(Process.GP_BOOKING, day, unmet, draw=1)
        spill = unmet[u < pc.unmet_to_ae_probability]
        self._retry = unmet[(u >= pc.unmet_to_ae_probability)
                            & (u < pc.unmet_to_ae_probability + pc.unmet_retry_probability)]
        self.today["gp_need"] = len(need)
        self.today["gp_appointments_met"] = len(met)
        self.today["gp_appointments_unmet"] = len(unmet)
        self.today["gp_unmet_to_ae"] = len(spill)
        self._breakdown("gp_appointments_met", day, met)
        if day >= 0:
            self.gp_met_by_age += np.bincount(pop.ages(day, met), minlength=MAX_AGE + 1)
        self._breakdown("gp_appointments_unmet", day, unmet)
        return spill

    def _acute_episodes(self, day: int, ids: np.ndarray, spill: np.ndarray) -> None:
        """Route today's acute episodes through crisis response, A&E or direct admission."""
        pop, integ = self.population, self.scenario.integration
        tables = pop.tables
        ids = ids[~pop.in_hospital[ids]]
        age = pop.ages(day, ids)
        tier = pop.tier[ids]
        hood = pop.neighbourhood[ids]
        intensity = self.practice_intensity[pop.practice[ids]]
        eligible = (age >= 65) | (tier >= 2)
        keyed = self.streams.keyed

        # 1. two-hour crisis response
        cr = integ.crisis_response
        referred = eligible & (keyed(Process.ROUTING, day, ids, 0)
                               < cr.referral_share * ramp(cr, day) * intensity)
        responded = np.zeros(len(ids), bool)
        for h in np.unique(hood[referred]):
            mine = np.flatnonzero(referred & (hood == h))
            got = self.teams[h].take_crisis(len(mine))
            responded[mine[:got]] = True
        avoided = responded & (keyed(Process.ROUTING, day, ids, 1) < cr.avoidance_probability)
        self.today["crisis_responses"] = int(responded.sum())
        self.today["crisis_avoided_admissions"] = int(avoided.sum())
        self._breakdown("crisis_responses", day, ids[responded])

        # 2. route: direct admission or A&E; 3. conversion at A&E
        direct = ~avoided & (keyed(Process.ROUTING, day, ids, 2) < tables.direct_share[age])
        at_ae = ~avoided & ~direct
        sr, sc = integ.shared_record, integ.specialist_community
        conversion = tables.conversion[age] * scaled_ratio(sr.conversion_rr, ramp(sr, day) * intensity)
        conversion = conversion * np.where(
            tier >= 2, scaled_ratio(sc.conversion_rr, ramp(sc, day) * intensity), 1.0)
        admitted_ae = at_ae & (keyed(Process.ROUTING, day, ids, 3) < conversion)

        # 4. GP direct access to community beds for eligible direct admissions
        gda = integ.gp_direct_access
        step_up = direct & eligible & (keyed(Process.ROUTING, day, ids, 4)
                                       < gda.step_up_share * ramp(gda, day) * intensity)
        placed = np.zeros(len(ids), bool)
        for h in np.unique(hood[step_up]):
            mine = np.flatnonzero(step_up & (hood == h))[: self.teams[h].free_community_beds()]
            if len(mine):
                self.teams[h].start_community_bed(self._service_end(ids[mine], NEED_COMMUNITY_BED))
                placed[mine] = True
        self.today["step_up_community_beds"] = int(placed.sum())

        attenders = np.concatenate([ids[at_ae], spill[~pop.in_hospital[spill]]])
        self.today["ae_attendances"] = len(attenders)
        self._breakdown("ae_attendances", day, attenders)
        admit = admitted_ae | (direct & ~placed)
        self.today["ae_admissions"] = int(admitted_ae.sum())
        self.today["direct_admissions"] = int((direct & ~placed).sum())
        route = np.where(direct, ROUTE_DIRECT, ROUTE_AE)[admit]
        self._admit(day, ids[admit], route)

    def _admit(self, day: int, ids: np.ndarray, route: np.ndarray) -> None:
        """Admit patients: length of stay, discharge needs, then a bed or out of area."""
        if len(ids) == 0:
            return
        s, pop = self.scenario, self.population
        keyed = self.streams.keyed
        age = pop.ages(day, ids)
        tier = pop.tier[ids]
        hood = pop.neighbourhood[ids]
        years = day / DAYS_PER_YEAR
        zero = keyed(Process.LENGTH_OF_STAY, day, ids, 0) < self._zero_day[age]
        mean = self._clinical_los[age] * self._los_tier[tier] * \
            (1 + s.hospitals.los_trend_per_year) ** years
        k = s.hospitals.los_shape
        los = np.maximum(1, np.rint(gammaincinv(k, keyed(Process.LENGTH_OF_STAY, day, ids, 1))
                                    * mean / k)).astype(np.int64)
        los[zero] = 0
        u = keyed(Process.DISCHARGE_NEEDS, day, ids, 0)
        need = np.where(u < self._need_home[age], NEED_HOME_SUPPORT,
                        np.where(u < self._need_home[age] + self._need_bed[age],
                                 NEED_COMMUNITY_BED, NEED_NONE))
        need[zero] = NEED_NONE
        d2a = s.integration.discharge_to_assess
        strength = ramp(d2a, day) * self.neighbourhood_intensity[hood]
        assess_mean = s.hospitals.assessment_days_mean * (1 - d2a.assessment_reduction * strength)
        assess = np.floor(-np.log1p(-keyed(Process.DISCHARGE_NEEDS, day, ids, 1)) * assess_mean)
        fit_day = day + los
        ready_day = fit_day + np.where(need != NEED_NONE, assess, 0).astype(np.int64)

        # beds: home site first, then the site with most free beds, else out of area
        site = np.full(len(ids), -1)
        overnight = np.flatnonzero(~zero)
        free = np.array([h.free_beds() for h in self.hospitals])
        wanted = self.home_site[hood]
        for h in range(len(free)):
            mine = overnight[wanted[overnight] == h][: free[h]]
            site[mine] = h
            free[h] -= len(mine)
        for i in overnight[site[overnight] < 0]:  # overflow: the site with most free beds
            best = int(np.argmax(free))
            if free[best] > 0:
                site[i] = best
                free[best] -= 1
        readmission = pop.readmit_until[ids] > day
        episode = self.episodes.open(
            patient=ids, hospital=site, neighbourhood=hood, practice=pop.practice[ids], age=age,
            female=pop.female[ids], quintile=pop.quintile[ids], tier=tier, route=route,
            readmission=readmission, admit_day=np.full(len(ids), day), fit_day=fit_day)
        for h in self.hospitals:
            mine = site == h.index
            if mine.any():
                h.admit(episode=episode[mine], patient=ids[mine], fit_day=fit_day[mine],
                        ready_day=ready_day[mine], need=need[mine], neighbourhood=hood[mine])
                h.admissions_today = int(mine.sum())
        away = ~zero & (site < 0)
        if away.any():  # cared for outside the modelled sites; back on their fit day
            for d in np.unique(fit_day[away]):
                self._out_of_area_release[int(d)].append(ids[away & (fit_day == d)])
        pop.in_hospital[ids[~zero]] = True
        pop.episode[ids] = episode
        pop.mark_stale(ids[~zero])
        if zero.any():
            z = ids[zero]
            self.episodes.close(episode[zero], np.full(len(z), day), np.full(len(z), DEST_HOME),
                                np.zeros(len(z)))
            self._leave_hospital(day, z)
        self.today["emergency_admissions"] = len(ids)
        self.today["zero_day_admissions"] = int(zero.sum())
        # the National Cost Collection's short-stay HRGs cover stays of 0 or 1 day
        self.today["short_stay_admissions"] = int((los <= 1).sum())
        self.today["readmissions_30d"] = int(readmission.sum())
        self.today["out_of_area_admissions"] = int(away.sum())
        self._breakdown("emergency_admissions", day, ids)

    def _release_out_of_area(self, day: int) -> None:
        pop = self.population
        for ids in self._out_of_area_release.pop(day, []):
            ids = ids[pop.alive[ids] & pop.in_hospital[ids]]
            if len(ids) == 0:
                continue
            eps = pop.episode[ids]
            self.episodes.close(eps, np.full(len(ids), day), np.full(len(ids), DEST_HOME),
                                np.zeros(len(ids)))
            self._leave_hospital(day, ids)

    # ----- observation ----------------------------------------------------------------------
    def _group_codes(self, day: int, ids: np.ndarray) -> dict[str, np.ndarray]:
        pop = self.population
        return {"neighbourhood": pop.neighbourhood[ids], "age_band": pop.age_band[ids],
                "deprivation_quintile": pop.quintile[ids]}

    def _breakdown(self, metric: str, day: int, ids: np.ndarray) -> None:
        if len(ids) and day >= 0:
            self.breakdowns.add(metric, day, self._group_codes(day, ids))

    def _record_population_groups(self, day: int) -> None:
        if day < 0:
            return
        pop = self.population
        ids = np.flatnonzero(pop.alive[: pop.n])
        codes = self._group_codes(day, ids)
        month_end = self._calendar[day + self.warmup_days] + pd.offsets.MonthBegin(1)
        days_in_month = min((month_end - self._calendar[day + self.warmup_days]).days,
                            self.horizon_days - day)
        self.person_days_by_age += days_in_month * np.bincount(pop.ages(day, ids),
                                                               minlength=MAX_AGE + 1)
        sizes = {g: np.bincount(codes[g], minlength=n)[:n]
                 for g, n in self.breakdowns.groups.items()}
        self.population_by_group.append((day, sizes))

    def _record(self, day: int) -> None:
        pop, t = self.population, self.today
        t["population"] = pop.n_alive
        t["case_managed"] = self._case_managed_now
        t["social_prescribed"] = self._social_prescribed_now
        t["home_support_occupied"] = sum(tm.home_support_occupied for tm in self.teams)
        t["community_beds_occupied"] = sum(tm.community_beds_occupied for tm in self.teams)
        c = self.scenario.community
        t["community_contacts"] = (t["crisis_responses"]
                                   + t["case_managed"] * c.case_management_contacts_per_week / 7
                                   + t["home_support_occupied"] * c.home_support_visits_per_day
                                   + t["step_up_community_beds"])
        t["occupied_beds"] = sum(h.occupied for h in self.hospitals)
        t["bed_capacity"] = sum(h.capacity for h in self.hospitals)
        t["delayed_discharge_bed_days"] = sum(h.delayed_tonight for h in self.hospitals)
        t["fit_not_discharged"] = sum(h.fit_tonight for h in self.hospitals)
        t["practices_integrated"] = sum(p.status > 0 for p in self.practices)
        t["integration_strength"] = float(self.practice_intensity.mean())
        if day >= 0:
            self.datacollector.collect(self)

    # ----- results --------------------------------------------------------------------------
    def results(self) -> pd.DataFrame:
        """All daily outputs as one tidy long table.

        Columns: ``day``, ``date``, ``metric``, ``dimension`` (``all``, ``hospital``,
        ``neighbourhood``, ``age_band``, ``deprivation_quintile``), ``group`` and ``value``.
        Group populations (``metric == 'population'`` in a grouped dimension) are recorded on the
        first day of each month.
        """
        from simulation.results import tidy_results

        return tidy_results(self)

    def episode_log(self) -> pd.DataFrame:
        """The patient-level episode log (one row per emergency admission)."""
        return self.episodes.frame(self.scenario.run.start_date,
                                   [h.name for h in self.hospitals])
