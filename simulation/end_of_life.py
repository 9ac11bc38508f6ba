"""The end of life: a final phase before death, and a place of death that follows from the pathway.

In lco-sim 0.1 a death was drawn each day independently of everything else, so only the few
people who happened to be in a bed that day died in hospital (0.8% of deaths, against about 45% in
England).
Here the daily death draw (:meth:`simulation.population.Population.draw_events`) marks the **start
of dying**, not the death:

* a share ``sudden_share`` of deaths are sudden (no final phase): the person dies the next day;
* the others enter a **final phase** of ``terminal_days`` days; their acute hazard is multiplied by
  ``terminal_acute_rr`` (people in their last months have more emergency admissions), and they
  cannot start dying twice. The published admission rates by age already include the admissions
  of people in their last months, so everyone else's acute hazard is scaled down by the expected
  excess of their age, deprivation and tier (:func:`renormalisation`): the rates by age still
  hold;
* in the final days (``final_stay_mean_days`` before death, drawn) comes the **final
  deterioration**. A person at home may first be referred to a hospice bed
  (:mod:`simulation.hospice`) or, if aged 65+, move into a care home for their last days
  (:meth:`simulation.care_homes.CareHomes.place_for_last_days`); otherwise, with probability
  ``final_episode_at_home`` (or ``final_episode_in_care_home`` for a care-home resident), the
  deterioration becomes an acute
  episode that goes through the ordinary pathway: levers may care for it at home (a 2-hour
  response), and if it reaches A&E or a GP's referral the person is admitted and stays until they
  die (:meth:`EndOfLife.length_of_stay`);
* on the day of death the **place of death** is where the person is: in hospital (any admission,
  final or not, and any delayed discharge), in a hospice, in a care home, or at home.

Levers never touch the death draws. Only care-home residence, which policy can change (a discharge
to a care home), changes a death hazard (residents die faster), so two arms with the same seed have
almost all the same people dying on the same days (19,573 and 19,578 deaths in the two fully
integrated arms of ``experiments/end_of_life_care.toml``); what policy changes is where they die and
how often they were admitted first. A lever can lower a dying patient's chance of a final episode by
setting the per-patient ratio ``eol_final_rr`` (see :mod:`simulation.levers.end_of_life_care`).

Example:
    >>> EndOfLife.name, [m.name for m in EndOfLife.metrics][:2]
    ('end_of_life', ['deaths_by_place', 'deaths_at_home'])
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from simulation.metrics import BREAKDOWN_DIMENSIONS, Metric
from simulation.parameters import Section, param
from simulation.parts import Part

PLACES = ("hospital", "home", "care_home", "hospice")
"""Places of death (the ``place`` dimension of ``deaths_by_place``)."""
HOSPITAL, HOME, CARE_HOME, HOSPICE = range(4)
NEVER = -(2**30)
"""Sentinel day of an admission that never happened."""


class EndOfLifeParams(Section):
    """The final phase of life and the final deterioration."""

    sudden_share: float = param(
        0.25, "share of deaths",
        "NICE CMG42 'Guide for commissioners on end of life care for adults' §3.1.1, citing the "
        "National End of Life Care Intelligence Network: at least 25% of deaths in England are "
        "unexpected, from sudden causes", "Share of deaths with no final phase.", ge=0.0, le=1.0)
    terminal_days: int = param(
        90, "days", "ASSUMPTION: the window of the end-of-life profiles' admissions indicator "
        "('last 90 days of life') [ohid-end-of-life-profile-2023]", "Length of the final phase "
        "before an expected death.",
        ge=2, le=365)
    terminal_acute_rr: float = param(
        4.7, "hazard ratio",
        "CALIBRATED to 5.6-7.5% of people who died having 3 or more emergency admissions in their "
        "last 90 days (5.6% 2009 to 7.5% 2018 [nuffield-trust-end-of-life-2021]; "
        "6.2% 2022 [ohid-end-of-life-profile-2023])",
        "Acute hazard in the final phase relative to the same person before it.",
        gt=0.0, le=50.0)
    final_stay_mean_days: float = param(
        11.0, "days",
        "PHE, 'Older people who died in hospital: England 2017' (2019): 51.5% of people aged 75+ "
        "who died in hospital died during an admission of 8 days or longer, i.e. a median of about "
        "8 days (mean of a geometric distribution with that median: about 11.5)",
        "Mean days between the final deterioration and death.", gt=1.0, le=90.0)
    final_episode_at_home: dict[int, float] = param(
        {0: 0.49, 65: 0.51, 75: 0.66, 85: 0.61}, "probability by age",
        "CALIBRATED to deaths in hospital of 43.4-46.9% (46.9% in 2016 "
        "[phe-end-of-life-profiles-2018], 43.4% in 2022 "
        "[ohid-end-of-life-profile-2023]), "
        "of 43.9-50.3% at ages 75+ ([phe-older-people-died-hospital-2019]: 45.6%, "
        "about the all-age share) and to a share that falls with age among people aged 75+ (the "
        "same source): 85+ below 75-84 on seeds 3-7 at scale 0.1 over 10 years, where 0.61 at 75 "
        "and 0.65 at 85 met it on 2 of 5",
        "Probability that the final deterioration of a person living at home becomes "
        "an acute episode.", each_le=1.0)
    final_episode_in_care_home: float = param(
        0.16, "probability",
        "Farndale & Barclay, BMJ Support Palliat Care 2018;8:A43 (HES-ONS 2006-2015): 16.1% of "
        "care-home residents in their last week of life had an emergency admission, 91.3% of them "
        "died in hospital", "Probability that a resident's final deterioration becomes an acute "
        "episode.", ge=0.0, le=1.0)


_B = BREAKDOWN_DIMENSIONS


def renormalisation(tables, params: EndOfLifeParams) -> np.ndarray:
    """Ratio on the acute hazard of people not dying, by [age, quintile, tier].

    A person in cell (a, q, t) starts dying within a year with probability ``d`` (the death
    table); if so they spend ``terminal_days`` at ``terminal_acute_rr`` times their hazard
    (unless sudden) and may have a final episode. Scaling everyone else's hazard by
    ``1 / (1 + excess / hazard)`` keeps the expected episodes per person-year of each cell equal to
    the published rate the tables hold.

    Example:
        >>> from types import SimpleNamespace
        >>> t = SimpleNamespace(death=np.array([[[0.1]]]), acute=np.array([[[1.0]]]))
        >>> p = EndOfLifeParams(sudden_share=0.0, terminal_days=73, terminal_acute_rr=2.0,
        ...                     final_episode_at_home={0: 0.0})
        >>> renormalisation(t, p).round(3).tolist()  # 1 / (1 + (1 - e**-0.1) x 73 / 365.25)
        [[[0.981]]]
    """
    from simulation.population import step_table

    d = -np.expm1(-np.asarray(tables.death, float))  # chance of starting to die within a year
    acute = np.asarray(tables.acute, float)
    phase = (1 - params.sudden_share) * (params.terminal_acute_rr - 1) * acute \
        * params.terminal_days / 365.25
    final = step_table(params.final_episode_at_home)[: acute.shape[0], None, None]
    excess = d * (phase + final)
    return np.divide(acute, acute + excess, out=np.ones_like(acute), where=acute > 0)


class EndOfLife(Part):
    """Schedules deaths after a final phase, routes the final deterioration, records the place."""

    name = "end_of_life"
    metrics = (
        Metric("deaths_by_place", "flow", "people", "Deaths today by place of death.",
               level="category", dimension="place", categories=PLACES),
        Metric("deaths_at_home", "flow", "people", "Deaths at home today.", breakdowns=_B),
        Metric("deaths_in_care_home", "flow", "people", "Deaths in a care home today.",
               breakdowns=_B),
        Metric("deaths_in_hospice", "flow", "people", "Deaths in a hospice today.",
               breakdowns=_B),
        Metric("deaths_care_home_temporary", "flow", "people",
               "Care-home deaths of residents who moved in during their last months."),
        Metric("deaths_3plus_admissions_90d", "flow", "people",
               "Deaths today of people with 3 or more emergency admissions in their last 90 days.",
               breakdowns=_B),
        Metric("end_of_life_patients", "stock", "people",
               "People in the final phase of life (expected to die within the phase)."),
        Metric("final_episodes", "flow", "episodes",
               "Final deteriorations that became acute episodes today."),
    )

    def setup(self, model) -> None:
        """Declare the dying patients' state and their hazard factors."""
        super().setup(model)
        self.params: EndOfLifeParams = model.scenario.end_of_life
        pop = model.population
        pop.add_state("dying", bool, False)
        pop.add_state("dies_on", np.int32, 0)
        pop.add_state("final_day", np.int32, 0)
        pop.add_state("eol_final_rr", np.float32, 1)  # a lever's ratio on the final episode
        pop.add_state("death_place", np.int8, -1)  # code in PLACES, once dead
        for k in (1, 2, 3):
            pop.add_state(f"admitted_{k}", np.int32, NEVER)  # last three admission days
        pop.add_hazard_factor("acute", "end_of_life_acute_rr")
        pop.add_hazard_factor("death", "end_of_life_death_rr")
        self.deaths_due: dict[int, list[np.ndarray]] = defaultdict(list)
        self.finals_due: dict[int, list[np.ndarray]] = defaultdict(list)
        self.counts = dict.fromkeys(("final_episodes", "deaths_care_home_temporary",
                                     "deaths_3plus_admissions_90d"), 0)
        self.by_place = np.zeros(len(PLACES), np.int64)
        self.renormalise = renormalisation(pop.tables, self.params).astype(np.float32).ravel()
        from simulation.population import step_table

        self.final_at_home = step_table(self.params.final_episode_at_home)
        self.monthly(model.day)

    def _draw(self, day: int, ids: np.ndarray, draw: int) -> np.ndarray:
        return self.model.streams.keyed(self.stream_key(), day, ids, draw)

    # ----- the daily step (called by the model between the draw and the deaths) ---------------
    def daily(self, day: int, onsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Start today's dying, then return (who dies today, who has a final episode today)."""
        self._begin(day, onsets)
        dying_today = self._due(self.deaths_due, day)
        self._place_deaths(day, dying_today)
        return dying_today, self._final(day)

    @staticmethod
    def _due(schedule: dict[int, list[np.ndarray]], day: int) -> np.ndarray:
        due = schedule.pop(day, [])
        return np.unique(np.concatenate(due)) if due else np.empty(0, np.int64)

    def _begin(self, day: int, onsets: np.ndarray) -> None:
        p, pop = self.params, self.model.population
        ids = onsets[~pop.dying[onsets]]
        if len(ids) == 0:
            return
        sudden = self._draw(day, ids, 0) < p.sudden_share
        length = np.where(sudden, 1, p.terminal_days)
        dies_on = day + length
        u = self._draw(day, ids, 1)
        stay = 1 + np.floor(-np.log1p(-u) * (p.final_stay_mean_days - 1)).astype(np.int64)
        final_day = np.maximum(dies_on - stay, day)
        pop.dying[ids] = True
        pop.dies_on[ids] = dies_on
        pop.final_day[ids] = final_day
        pop.end_of_life_death_rr[ids] = 0.0  # nobody starts dying twice
        pop.end_of_life_acute_rr[ids] = np.where(sudden, 1.0, p.terminal_acute_rr)
        pop.mark_stale(ids)
        for d in np.unique(dies_on):
            self.deaths_due[int(d)].append(ids[dies_on == d])
        for d in np.unique(final_day):
            self.finals_due[int(d)].append(ids[final_day == d])

    def _final(self, day: int) -> np.ndarray:
        """Today's final deteriorations: a hospice bed, an acute episode, or neither."""
        p, pop, m = self.params, self.model.population, self.model
        ids = self._due(self.finals_due, day)
        ids = ids[pop.alive[ids] & ~pop.in_hospital[ids] & ~pop.in_hospice[ids]]
        if len(ids) == 0:
            return ids
        resident = pop.care_home[ids]
        hospice = m.part("hospice")
        referred = ~resident & (self._draw(day, ids, 2)
                                < hospice.params.referral_share)
        admitted = hospice.admit(day, ids[referred])
        left = ids[~np.isin(ids, admitted)]
        moved = m.part("care_homes").place_for_last_days(day, left[~pop.care_home[left]])
        left = left[~np.isin(left, moved)]
        chance = np.where(pop.care_home[left], p.final_episode_in_care_home,
                          self.final_at_home[pop.ages(day, left)]) * pop.eol_final_rr[left]
        final = left[self._draw(day, left, 3) < chance]
        self.counts["final_episodes"] += len(final)
        return final

    def _place_deaths(self, day: int, ids: np.ndarray) -> None:
        m, pop = self.model, self.model.population
        place = np.full(len(ids), HOME)
        place[pop.care_home[ids]] = CARE_HOME
        place[pop.in_hospice[ids]] = HOSPICE
        place[pop.in_hospital[ids]] = HOSPITAL
        self.by_place += np.bincount(place, minlength=len(PLACES))
        pop.death_place[ids] = place
        for code, metric in ((HOME, "deaths_at_home"), (CARE_HOME, "deaths_in_care_home"),
                             (HOSPICE, "deaths_in_hospice")):
            m.count_events(metric, day, ids[place == code])
        self.counts["deaths_care_home_temporary"] += int(
            ((place == CARE_HOME) & pop.care_home_temporary[ids]).sum())
        # admitted_3 is the earliest of the last three: all three fall in the last 90 days
        many = ids[pop.admitted_3[ids] >= day - 90]
        self.counts["deaths_3plus_admissions_90d"] += len(many)
        m.count_events("deaths_3plus_admissions_90d", day, many)
        if len(ids) and day >= 0:
            m.count_category("deaths_by_place", day, place)

    # ----- hooks ------------------------------------------------------------------------------
    def monthly(self, day: int) -> None:
        """Scale the acute hazard of everyone not dying by their cell's renormalisation."""
        from simulation.population import N_QUINTILES, N_TIERS

        pop = self.model.population
        ids = np.flatnonzero(pop.alive[: pop.n] & ~pop.dying[: pop.n])
        cell = (pop.ages(day, ids).astype(np.int64) * N_QUINTILES + pop.quintile[ids]) \
            * N_TIERS + pop.tier[ids]
        pop.end_of_life_acute_rr[ids] = self.renormalise[cell]

    def length_of_stay(self, day: int, admissions, los: np.ndarray) -> np.ndarray:
        """A patient admitted on their final day stays until they die."""
        pop = self.model.population
        ids = admissions.ids
        final = pop.dying[ids] & (pop.final_day[ids] == day)
        return np.where(final, np.maximum(pop.dies_on[ids] - day + 1, los), los)

    def admitted(self, day: int, admissions) -> None:
        """Remember each patient's last three emergency admissions (for the 90-day count)."""
        pop, ids = self.model.population, admissions.ids
        pop.admitted_3[ids] = pop.admitted_2[ids]
        pop.admitted_2[ids] = pop.admitted_1[ids]
        pop.admitted_1[ids] = day

    def record(self, day: int, today: dict[str, float]) -> None:
        """Deaths by place today and the people in their final phase."""
        pop = self.model.population
        today["deaths_at_home"] = int(self.by_place[HOME])
        today["deaths_in_care_home"] = int(self.by_place[CARE_HOME])
        today["deaths_in_hospice"] = int(self.by_place[HOSPICE])
        for key, value in self.counts.items():
            today[key] = value
            self.counts[key] = 0
        self.by_place[:] = 0
        n = pop.n
        today["end_of_life_patients"] = int((pop.dying[:n] & pop.alive[:n]).sum())
