"""Patients: the registered population as a struct of numpy arrays with stable ids.

Why arrays and not Mesa agents: at 600,000 patients and 3,650 days a run is 2.2 billion
patient-days. Plain Mesa manages about 1-2 million agent-steps a second on this machine, so one
object per patient would take about 20-40 minutes a run; numpy handles the same population in
about 3-4 ms a day (one uniform draw and one comparison per patient; see ``benchmarks/``).

A patient's id is its slot in the arrays. Slots are never reused: deaths clear ``alive``, births
append. Together with state-independent births this keeps ids aligned across policy arms, which
common random numbers rely on (see :mod:`simulation.random_streams`).

Each day every living patient draws one uniform ``u``, compared against stacked segments of their
daily event probabilities::

    [0, p_death) -> death | [p_death, p_death + p_acute_max) -> acute episode | next p_gp -> GP need

so at most one of the three events happens to a patient on a day (an approximation whose error is
of the order of the product of two daily probabilities, below 1e-3). The acute segment is sized for
the winter peak and thinned to the day's seasonal factor; death comes first because no lever changes
it, so policy never shifts a patient's death draws.

Example:
    >>> from simulation.scenario import Scenario
    >>> from simulation.random_streams import RandomStreams
    >>> pop = Population.initial(Scenario.preset(scale=0.01), RandomStreams(1),
    ...                          practice_of_neighbourhood=[[0], [1], [2]] * 4,
    ...                          practice_weights=np.ones(12))
    >>> pop.n_alive
    6000
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from simulation.random_streams import Process, RandomStreams
from simulation.scenario import Scenario

MAX_AGE = 110
AGE_BANDS = ((0, 17), (18, 64), (65, 74), (75, 84), (85, MAX_AGE))
"""Age bands used for breakdowns of the outputs (inclusive bounds)."""
AGE_BAND_LABELS = tuple(f"{lo}-{hi}" if hi < MAX_AGE else f"{lo}+" for lo, hi in AGE_BANDS)
N_TIERS = 4
N_QUINTILES = 5
QUINTILE_LABELS = tuple(f"Q{q + 1}" for q in range(N_QUINTILES))
"""Deprivation quintiles as every output writes them: ``Q1`` is the most deprived fifth of
England's small areas (IMD), ``Q5`` the least. Patients hold the code 0-4 (0 = ``Q1``); results
(``group``) and the episode log (``quintile``) both show these labels."""
QUINTILE_NAMES = ("Q1 (most deprived)", "Q2", "Q3", "Q4", "Q5 (least deprived)")
"""The same quintiles in plain English, for figure axes and legends."""
HAZARD_FACTORS = ("acute", "death")
"""Hazards a part may scale patient by patient at once (:meth:`Population.add_hazard_factor`)."""
DAYS_PER_YEAR = 365.25


def step_table(table: dict[int, float]) -> np.ndarray:
    """A value for each single year of age 0..110 from a table keyed by band lower bounds.

    >>> step_table({0: 1.0, 2: 5.0})[:4].tolist()
    [1.0, 1.0, 5.0, 5.0]
    """
    out = np.empty(MAX_AGE + 1)
    keys = sorted(table)
    for i, lo in enumerate(keys):
        hi = keys[i + 1] if i + 1 < len(keys) else MAX_AGE + 1
        out[lo:hi] = table[lo]
    return out


def interpolated_table(table: dict[int, float]) -> np.ndarray:
    """Linear interpolation between the given ages, constant beyond the last.

    >>> interpolated_table({0: 0.0, 10: 1.0})[[0, 5, 20]].tolist()
    [0.0, 0.5, 1.0]
    """
    keys = sorted(table)
    return np.interp(np.arange(MAX_AGE + 1), keys, [table[k] for k in keys])


def age_band_of(age: np.ndarray) -> np.ndarray:
    """Index into :data:`AGE_BANDS` for each age."""
    edges = np.array([lo for lo, _ in AGE_BANDS[1:]])
    return np.searchsorted(edges, age, side="right").astype(np.int8)


def annual_to_daily(rate: np.ndarray) -> np.ndarray:
    """Probability of at least one event in a day from an annual hazard rate."""
    return -np.expm1(-np.asarray(rate) / DAYS_PER_YEAR)


@dataclass(frozen=True)
class HazardTables:
    """Annual hazards by single year of age, deprivation quintile (0 = most deprived) and tier.

    Tier effects are renormalised within each age and quintile against the *published*
    prevalence, so the population averages reproduce the published age profiles at day 0, and a
    sicker population later has proportionally higher demand.
    """

    tier_cum: np.ndarray  # [age, quintile, 3]: P(tier >= 1), P(tier >= 2), P(tier == 3)
    death: np.ndarray  # [age, quintile, tier]
    acute: np.ndarray  # [age, quintile, tier], acute episodes (A&E attendance or direct admission)
    gp: np.ndarray  # [age, sex, quintile, tier]
    conversion: np.ndarray  # [age]: P(admitted | A&E attendance)
    direct_share: np.ndarray  # [age]: P(direct admission | acute episode)

    # Flat float32 copies for the monthly refresh's single fancy index (cached on first use).
    @cached_property
    def death_flat(self) -> np.ndarray:
        """Daily death probability by flat [age, quintile, tier] cell (float32)."""
        return annual_to_daily(self.death).ravel().astype(np.float32)

    @cached_property
    def acute_flat(self) -> np.ndarray:
        """Annual acute hazard by flat [age, quintile, tier] cell (float32)."""
        return self.acute.ravel().astype(np.float32)

    @cached_property
    def gp_flat(self) -> np.ndarray:
        """Annual GP need by flat [age, sex, quintile, tier] cell (float32)."""
        return self.gp.ravel().astype(np.float32)

    @classmethod
    def from_scenario(cls, s: Scenario) -> HazardTables:
        """Build every table from the scenario's parameters."""
        pop, dem = s.population, s.demand
        # Tier prevalence with a log-odds shift by deprivation, centred on quintile 3 (England).
        shift = np.log(pop.deprivation_tier_odds_ratio) * (2 - np.arange(N_QUINTILES)) / 4
        prev = np.stack([interpolated_table(pop.tier_prevalence[k])
                         for k in ("any_ltc", "multimorbid", "frail")], axis=-1)  # [age, 3]
        tier_cum = np.empty((MAX_AGE + 1, N_QUINTILES, 3))
        for q in range(N_QUINTILES):
            p = np.clip(prev, 1e-9, 1 - 1e-9)
            tier_cum[:, q, :] = 1 / (1 + np.exp(-(np.log(p / (1 - p)) + shift[q])))
        tier_cum = np.where((prev <= 0)[:, None, :], 0.0, tier_cum)  # structural zeros stay zero
        tier_cum[..., 1] = np.minimum(tier_cum[..., 1], tier_cum[..., 0])
        tier_cum[..., 2] = np.minimum(tier_cum[..., 2], tier_cum[..., 1])
        tier_pmf = tier_pmf_from_cumulative(tier_cum)  # [age, q, 4]

        def normalised(rr: list[float]) -> np.ndarray:
            rr = np.asarray(rr, dtype=float)
            return rr / (tier_pmf * rr).sum(axis=-1, keepdims=True)  # [age, q, 4]

        ages = np.arange(MAX_AGE + 1)
        gompertz = pop.mortality_gompertz_a * np.exp(pop.mortality_gompertz_b * ages)
        gompertz[0] = pop.infant_mortality
        death = (pop.mortality_local_excess * np.minimum(gompertz, 5.0))[:, None, None] * \
            normalised(pop.mortality_rr_by_tier)

        least = step_table(dem.admissions_by_age_least_deprived) / 1000
        most = step_table(dem.admissions_by_age_most_deprived) / 1000
        frac = np.arange(N_QUINTILES) / (N_QUINTILES - 1)  # 0 = most deprived
        admissions = most[:, None] + (least - most)[:, None] * frac[None, :]  # [age, q]
        conversion = step_table(dem.ae_conversion_by_age)
        via_ae = dem.admissions_via_ae_share
        # Acute episodes per admission: A&E attendances (via_ae / conversion) plus direct
        # admissions.
        episodes_per_admission = via_ae / conversion + (1 - via_ae)
        acute = (admissions * episodes_per_admission[:, None])[..., None] * \
            normalised(dem.admission_rr_by_tier)
        direct_share = (1 - via_ae) / episodes_per_admission

        gp_age = step_table(dem.gp_need_by_age)
        male = np.ones(MAX_AGE + 1)
        male[16:61] = dem.gp_need_male_rr_16_60
        fs = pop.female_share
        female = 1 / (fs + (1 - fs) * male)
        sex = np.stack([female, male * female], axis=1)  # [age, sex]; 0 = female
        dep = 1 + dem.gp_need_deprivation_step * (2 - np.arange(N_QUINTILES))
        gp = gp_age[:, None, None, None] * sex[:, :, None, None] * dep[None, None, :, None] * \
            normalised(dem.gp_need_rr_by_tier)[:, None, :, :]
        return cls(tier_cum=tier_cum, death=death, acute=acute, gp=gp, conversion=conversion,
                   direct_share=direct_share)


def tier_pmf_from_cumulative(cum: np.ndarray) -> np.ndarray:
    """P(tier = 0..3) from P(tier >= 1), P(tier >= 2), P(tier = 3) on the last axis."""
    return np.stack([1 - cum[..., 0], cum[..., 0] - cum[..., 1], cum[..., 1] - cum[..., 2],
                     cum[..., 2]], axis=-1)


class RiskModifiers:
    """Multiplicative modifiers that parts set on patients' hazards, combined in a declared order.

    A lever calls :meth:`set` each month with the patients it affects and their ratio; it replaces
    that lever's earlier modifiers for that hazard. :meth:`combine` multiplies every source's
    ratios into one array, sources in the order given by :attr:`order` (the model sets it to the
    order of its parts) and then any others in the order they first set a modifier.

    Example:
        >>> mods = RiskModifiers(order=["a", "b"])
        >>> mods.set("acute", "b", np.array([1, 2]), np.float32(0.5))
        >>> mods.set("acute", "a", np.array([2]), np.float32(0.8))
        >>> out = np.ones(4, np.float32)
        >>> mods.combine("acute", out, 4)
        >>> out.tolist()
        [1.0, 0.5, 0.4000000059604645, 1.0]
    """

    HAZARDS = ("acute", "gp")

    def __init__(self, order: list[str] | None = None):
        self.order = list(order or [])
        self._set: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {
            h: {} for h in self.HAZARDS}

    def set(self, hazard: str, source: str, ids: np.ndarray, ratio) -> None:
        """Source ``source`` multiplies the ``hazard`` of patients ``ids`` by ``ratio``."""
        if hazard not in self._set:
            raise ValueError(f"unknown hazard {hazard!r}; expected one of {self.HAZARDS}")
        self._set[hazard][source] = (np.asarray(ids), ratio)

    def clear(self, source: str) -> None:
        """Remove every modifier of ``source``."""
        for by_source in self._set.values():
            by_source.pop(source, None)

    def combine(self, hazard: str, out: np.ndarray, n: int) -> None:
        """Write the product of all sources' ratios for ``hazard`` into ``out[:n]``."""
        out[:n] = 1.0
        by_source = self._set[hazard]
        ranked = [s for s in self.order if s in by_source]
        ranked += [s for s in by_source if s not in ranked]
        for source in ranked:
            ids, ratio = by_source[source]
            out[ids] *= ratio


class Population:
    """The registered patients: demographic state, risk state, and daily event draws."""

    def __init__(self, capacity: int, tables: HazardTables, scenario: Scenario,
                 streams: RandomStreams):
        self.tables = tables
        self.scenario = scenario
        self.streams = streams
        self.n = 0  # slots in use (alive or dead)
        self.n_alive = 0
        self.capacity = capacity
        self._fill: dict[str, object] = {}  # every per-patient array and its empty-slot value
        self.add_state("alive", bool, False)
        self.add_state("birth_day", np.int32, 0)
        self.add_state("female", bool, False)
        self.add_state("neighbourhood", np.int16, 0)
        self.add_state("practice", np.int16, 0)
        self.add_state("quintile", np.int8, 0)  # 0 = IMD quintile 1 (most deprived)
        self.add_state("tier", np.int8, 0)
        self.add_state("age_band", np.int8, 0)  # refreshed monthly, for breakdowns
        self.add_state("in_hospital", bool, False)
        self.add_state("readmit_until", np.int32, -1)
        self.add_state("gp_count_this_year", np.int16, 0)
        self.add_state("gp_count_last_year", np.int16, 0)
        # products of the levers' risk modifiers, combined by apply_modifiers()
        self.add_state("acute_lever_rr", np.float32, 1)
        self.add_state("gp_lever_rr", np.float32, 1)
        self.add_state("readmit_rr", np.float32, 1)  # excess acute hazard after discharge
        self.add_state("episode", np.int64, -1)  # open admission, if any
        # daily event probabilities (0 for the dead)
        self.add_state("p_death", np.float32, 0)
        self.add_state("p_acute_max", np.float32, 0)
        self.add_state("p_gp", np.float32, 0)
        self.add_state("cut_total", np.float32, 0)
        self.modifiers = RiskModifiers()
        self._factors: dict[str, list[str]] = {h: [] for h in HAZARD_FACTORS}
        self._readmission_expiry: dict[int, list[np.ndarray]] = defaultdict(list)
        self._stale: list[np.ndarray] = []  # patients whose risk changed since the last refresh
        amp = scenario.demand.winter_amplitude
        self.season_max = 1 + amp

    # ----- construction ---------------------------------------------------------------------
    @classmethod
    def initial(cls, scenario: Scenario, streams: RandomStreams,
                practice_of_neighbourhood: list[list[int]],
                practice_weights: np.ndarray, day: int = 0) -> Population:
        """Draw the starting population on ``day``: ages, sex, places, deprivation and tiers.

        Args:
            scenario: the scenario (population size is ``registered_patients * scale``).
            streams: the run's random streams (uses ``Process.STRUCTURE``).
            practice_of_neighbourhood: practice indices in each neighbourhood.
            practice_weights: relative list size of every practice.
            day: the model day the population is drawn on (ages are as of this day).
        """
        pop_p, run = scenario.population, scenario.run
        n0 = max(1, round(pop_p.registered_patients * run.scale))
        growth = (pop_p.births_per_1000 + pop_p.net_migration_per_1000) / 1000
        capacity = int(n0 * (1 + 1.3 * growth * run.years)) + 1000
        tables = HazardTables.from_scenario(scenario)
        self = cls(capacity, tables, scenario, streams)
        self.set_practices(practice_of_neighbourhood, practice_weights)
        rng = streams.generator(Process.STRUCTURE)

        weights = np.asarray([h.weight for h in pop_p.neighbourhoods], float)
        hood = rng.choice(len(weights), size=n0, p=weights / weights.sum())
        keys = sorted(pop_p.age_shares)
        shares = np.array([pop_p.age_shares[k] for k in keys])
        band = rng.choice(len(keys), size=n0, p=shares / shares.sum())
        lo = np.array(keys)[band]
        hi = np.append(np.array(keys[1:]), 101)[band]
        age_years = lo + rng.random(n0) * (hi - lo)
        self._append(day=day,
                     birth_day=day - np.floor(age_years * DAYS_PER_YEAR).astype(np.int32),
                     neighbourhood=hood, rng=rng,
                     practice_of_neighbourhood=practice_of_neighbourhood,
                     practice_weights=practice_weights)
        return self

    def _append(self, day: int, birth_day: np.ndarray, neighbourhood: np.ndarray,
                rng: np.random.Generator, practice_of_neighbourhood: list[list[int]],
                practice_weights: np.ndarray) -> np.ndarray:
        """Add patients in new slots; returns their ids. Tiers are drawn from the prevalence."""
        k = len(birth_day)
        if self.n + k > len(self.alive):
            self._grow(self.n + k)
        ids = np.arange(self.n, self.n + k)
        self.n += k
        self.n_alive += k
        self.alive[ids] = True
        self.birth_day[ids] = birth_day
        self.female[ids] = rng.random(k) < self.scenario.population.female_share
        self.neighbourhood[ids] = neighbourhood
        # Practice within the neighbourhood by list weight, deprivation by the locality's mix:
        # cumulative tables offset by the group index let one searchsorted serve every group.
        u = rng.random((2, k))
        practice = self._practice_cdf.searchsorted(neighbourhood + u[0], side="right")
        practice = self._practice_order[np.minimum(practice, len(self._practice_order) - 1)]
        locality = self._locality_of_hood[neighbourhood]
        quintile = (u[1][:, None] >= self._quintile_cdf[locality]).sum(axis=1).astype(np.int8)
        self.practice[ids] = practice
        self.quintile[ids] = quintile
        age = self.ages(day, ids)
        cum = self.tables.tier_cum[age, quintile]  # [k, 3]
        self.tier[ids] = (rng.random(k)[:, None] < cum).sum(axis=1)
        self.refresh(day, ids)  # at once: new patients draw events today
        return ids

    def set_practices(self, practice_of_neighbourhood: list[list[int]],
                      practice_weights: np.ndarray) -> None:
        """Tables for drawing a new patient's practice (by list weight) and deprivation."""
        order, cdf = [], []
        for h, options in enumerate(practice_of_neighbourhood):
            w = np.asarray(practice_weights)[options]
            order.extend(options)
            cdf.extend(h + np.cumsum(w) / w.sum())
        cdf[-1] = np.inf
        self._practice_order = np.asarray(order, np.int16)
        self._practice_cdf = np.asarray(cdf)
        pop_p = self.scenario.population
        mix = pop_p.deprivation_by_locality
        self._quintile_cdf = np.array([np.cumsum(mix[loc])[:-1] / sum(mix[loc])
                                       for loc in pop_p.localities])
        self._locality_of_hood = np.array([pop_p.localities.index(h.locality)
                                           for h in pop_p.neighbourhoods], np.int64)

    def add_state(self, name: str, dtype, fill) -> np.ndarray:
        """Declare a per-patient array (a lever's or service's state); returns it.

        The array is an attribute of the population (``population.<name>``), holds ``fill`` for
        every slot not yet set, and grows with the population. Parts read it through the attribute
        each time rather than keeping a reference, because growing replaces the array.

        Example:
            >>> pop = Population(10, tables=None, scenario=Scenario(), streams=RandomStreams(1))
            >>> pop.add_state("visited", bool, False)[:3].tolist()
            [False, False, False]
        """
        if name in self._fill:
            raise ValueError(f"patient state {name!r} is declared twice")
        self._fill[name] = fill
        setattr(self, name, np.full(self.capacity, fill, dtype))
        return getattr(self, name)

    def add_hazard_factor(self, hazard: str, name: str) -> np.ndarray:
        """Declare a per-patient ratio on the ``acute`` or ``death`` hazard (a state); returns it.

        Unlike the levers' monthly :class:`RiskModifiers`, a factor takes effect as soon as the
        part that owns it changes a patient's value and marks the patient stale
        (:meth:`mark_stale`): care-home residence and the last months of life change a person's
        risk on the day they begin. Factors start at 1 (no effect).

        Example:
            >>> pop = Population(4, tables=None, scenario=Scenario(), streams=RandomStreams(1))
            >>> pop.add_hazard_factor("death", "frailty_rr")[:2].tolist()
            [1.0, 1.0]
        """
        if hazard not in self._factors:
            raise ValueError(f"unknown hazard {hazard!r}; expected one of {HAZARD_FACTORS}")
        array = self.add_state(name, np.float32, 1)
        self._factors[hazard].append(name)
        return array

    def _factor(self, hazard: str, sel) -> np.ndarray | np.float32:
        """The product of every declared factor on ``hazard`` for the patients ``sel``."""
        out = np.float32(1)
        for name in self._factors[hazard]:
            out = out * getattr(self, name)[sel]
        return out

    def state_names(self) -> tuple[str, ...]:
        """Every declared per-patient array."""
        return tuple(self._fill)

    def _grow(self, needed: int) -> None:
        """Enlarge every per-patient array together (new slots take their declared fill)."""
        new = max(needed, int(self.capacity * 1.5))
        for name, fill in self._fill.items():
            old = getattr(self, name)
            grown = np.full(new, fill, old.dtype)
            grown[: len(old)] = old
            setattr(self, name, grown)
        self.capacity = new

    def apply_modifiers(self) -> None:
        """Set the acute and GP ratio of every patient to the product of the levers' modifiers."""
        self.modifiers.combine("acute", self.acute_lever_rr, self.n)
        self.modifiers.combine("gp", self.gp_lever_rr, self.n)

    # ----- state queries --------------------------------------------------------------------
    def ages(self, day: int, ids: np.ndarray | slice | None = None) -> np.ndarray:
        """Age in whole years on ``day`` (capped at 110)."""
        bd = self.birth_day[: self.n] if ids is None else self.birth_day[ids]
        return np.minimum((day - bd) // 365, MAX_AGE).astype(np.int16)

    # ----- hazards --------------------------------------------------------------------------
    def refresh(self, day: int, ids: np.ndarray | None = None) -> None:
        """Recompute daily event probabilities from age, tier, deprivation and levers.

        Called monthly for everyone, and for single patients whose risk changed (admission,
        discharge, case management, tier change).
        """
        if ids is None:
            self._stale.clear()  # everyone is refreshed now
        sel = slice(0, self.n) if ids is None else ids
        age = self.ages(day, sel)
        self.age_band[sel] = age_band_of(age)
        # one flat index into [age, quintile, tier] tables (and [age, sex, quintile, tier] for GP)
        cell = (age.astype(np.int32) * N_QUINTILES + self.quintile[sel]) * N_TIERS + self.tier[sel]
        male = (~self.female[sel]).astype(np.int32)
        gp_cell = cell + (age.astype(np.int32) + male) * (N_QUINTILES * N_TIERS)
        t = self.tables
        alive = self.alive[sel]
        out = (alive & ~self.in_hospital[sel]).astype(np.float32)
        trend = (1 + self.scenario.demand.secular_trend_per_year) ** (day / DAYS_PER_YEAR)
        readmit = np.where(self.readmit_until[sel] > day, self.readmit_rr[sel], np.float32(1))
        # a daily probability of 1e-3 or less: a ratio on it is a ratio on the hazard
        death = np.minimum(t.death_flat[cell] * self._factor("death", sel), 1) * alive
        acute = t.acute_flat[cell] * np.float32(trend * self.season_max / DAYS_PER_YEAR)
        acute *= readmit * self.acute_lever_rr[sel] * self._factor("acute", sel)
        acute = -np.expm1(-acute) * out
        gp = -np.expm1(-t.gp_flat[gp_cell] * self.gp_lever_rr[sel]
                       / np.float32(DAYS_PER_YEAR)) * out
        self.p_death[sel] = death
        self.p_acute_max[sel] = acute
        self.p_gp[sel] = gp
        self.cut_total[sel] = death + acute + gp

    def mark_stale(self, ids: np.ndarray) -> None:
        """Note patients whose risk changed; :meth:`draw_events` refreshes them all at once."""
        if len(ids):
            self._stale.append(np.asarray(ids))

    def refresh_stale(self, day: int) -> None:
        """Refresh every patient marked stale since the last call (one vectorised pass)."""
        if self._stale:
            ids = np.unique(np.concatenate(self._stale))
            self._stale.clear()
            self.refresh(day, ids)

    def start_readmission_window(self, day: int, ids: np.ndarray, rr: np.ndarray | float,
                                 days: int = 30) -> None:
        """Raise the acute hazard of just-discharged patients by ``rr`` for ``days`` days."""
        if len(ids) == 0:
            return
        self.readmit_until[ids] = day + days
        self.readmit_rr[ids] = rr
        self._readmission_expiry[day + days].append(ids)
        self.mark_stale(ids)

    def expire_readmission_windows(self, day: int) -> None:
        """Return patients whose 30-day window ends today to their ordinary hazard."""
        for ids in self._readmission_expiry.pop(day, []):
            self.mark_stale(ids[self.alive[ids]])

    # ----- daily events ---------------------------------------------------------------------
    def draw_events(self, day: int, season: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Today's deaths, acute episodes and GP needs (patient ids), one uniform per patient.

        Args:
            day: the day index (keys the stream, so every arm draws the same numbers).
            season: today's seasonal factor on the acute hazard (at most ``season_max``).
        """
        self.refresh_stale(day)
        u = self.streams.daily(Process.PATIENT_EVENTS, day, self.n)
        cand = np.flatnonzero(u < self.cut_total[: self.n])
        uc = u[cand]
        pd = self.p_death[cand]
        pa = self.p_acute_max[cand]
        dies = uc < pd
        in_acute = ~dies & (uc < pd + pa)
        # thinning: the acute segment is sized for the winter peak
        accept = (uc - pd) < pa * (season / self.season_max)
        acute = cand[in_acute & accept]
        gp = cand[~dies & ~in_acute]
        return cand[dies], acute, gp

    def kill(self, day: int, ids: np.ndarray) -> None:
        """Mark patients dead; they keep their slots so ids never move."""
        self.n_alive -= int(self.alive[ids].sum())
        self.alive[ids] = False
        self.in_hospital[ids] = False
        self.p_death[ids] = self.p_acute_max[ids] = self.p_gp[ids] = self.cut_total[ids] = 0

    def add_births(self, day: int, practice_of_neighbourhood: list[list[int]],
                   practice_weights: np.ndarray, initial_size: int) -> np.ndarray:
        """Births and arrivals for the day; their number does not depend on the model's state."""
        p = self.scenario.population
        rng = self.streams.generator(Process.BIRTHS, day)
        per_day = initial_size / 1000 / DAYS_PER_YEAR
        n_births = rng.poisson(p.births_per_1000 * per_day)
        n_arrivals = rng.poisson(p.net_migration_per_1000 * per_day)
        k = n_births + n_arrivals
        if k == 0:
            return np.empty(0, np.int64)
        w = np.asarray([h.weight for h in p.neighbourhoods], float)
        hood = rng.choice(len(w), size=k, p=w / w.sum())
        age_days = np.concatenate([np.zeros(n_births), rng.uniform(18, 35, n_arrivals) * 365])
        ids_born = self._append(day, (day - age_days).astype(np.int32), hood, rng,
                                practice_of_neighbourhood, practice_weights)
        return ids_born

    # ----- tiers ----------------------------------------------------------------------------
    def progress_tiers(self, day: int) -> int:
        """Yearly: move patients up a tier so each age keeps the published prevalence (+ trend).

        Transition probabilities are derived from the gap between the target prevalence at the
        patients' new age and the prevalence they have now, so ageing, the secular trend and the
        higher mortality of the sick are all accounted for. Returns the number who moved.
        """
        ids = np.flatnonzero(self.alive[: self.n])
        age = self.ages(day, ids)
        q = self.quintile[ids]
        cell = age.astype(np.int64) * N_QUINTILES + q
        n_cells = (MAX_AGE + 1) * N_QUINTILES
        size = np.bincount(cell, minlength=n_cells).astype(float)
        years = day / DAYS_PER_YEAR
        trend = (1 + self.scenario.population.multimorbidity_trend_per_year) ** years
        target = self.tables.tier_cum.reshape(n_cells, 3).copy()
        target[:, 1:] = np.minimum(target[:, 1:] * trend, target[:, [0]])
        rng = self.streams.generator(Process.TIER_PROGRESSION, day)
        u = rng.random(len(ids))
        moved = np.zeros(len(ids), bool)
        for k in (3, 2, 1):  # fill the highest tier first from the tier below it
            tier = self.tier[ids]
            at_least = np.bincount(cell, weights=tier >= k, minlength=n_cells)
            below = np.bincount(cell, weights=tier == k - 1, minlength=n_cells)
            need = np.clip(target[:, k - 1] * size - at_least, 0, None)
            prob = np.divide(need, below, out=np.zeros(n_cells), where=below > 0)
            up = (tier == k - 1) & ~moved & (u < np.minimum(prob, 1.0)[cell])
            self.tier[ids[up]] = k
            moved |= up
        changed = ids[moved]
        self.mark_stale(changed)
        return len(changed)

    def roll_gp_counts(self) -> None:
        """Start a new year of GP-appointment counting (for frequent-attender status)."""
        self.gp_count_last_year[: self.n] = self.gp_count_this_year[: self.n]
        self.gp_count_this_year[: self.n] = 0
