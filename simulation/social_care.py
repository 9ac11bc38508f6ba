"""Long-term social care: council-funded home-care packages with finite capacity and waiting lists.

Reablement (short-term home support after discharge) is the built-in ``home_support`` service;
this module adds the **long-term home-care package** that follows for some people: a number of
hours of care a week at home, arranged and paid for by the council, until the person dies, moves
into a care home or no longer needs it. Each neighbourhood has a finite number of packages (a
``caseload`` service, :data:`PACKAGES`), commissioned by the council for the whole area, so
packages are one pool over the neighbourhoods. People wait for one in two places:

* **in hospital**: at admission some patients aged 65+ are given the discharge need
  ``home_care_package`` (:data:`simulation.hospital.NEED_HOME_CARE`); when fit they stay in their
  bed until a package starts (the commonest social-care reason for a delayed discharge: "awaiting
  care package in own home" [kings-fund-dtoc-2018]). Hospitals discharge them through the
  ``home_care_package`` service (:data:`PLACEMENT`), whose places each morning are the packages
  free for them (longest waits first);
* **at home**: people aged 65+ ask for a package at a monthly rate by age and wait, first come
  first served, after the hospital's patients.

``social_care_waiting`` counts everyone waiting for a package or a care-home place, in hospital or
at home. The council's spend is hours delivered x the hourly price (the finance ledger's
``home_care_hour`` item).

Example:
    >>> SocialCare.name, [s.name for s in SocialCare.services]
    ('social_care', ['home_care_packages', 'home_care_package'])
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from simulation.care_homes import DAYS_PER_YEAR, NEED_CARE_HOME, waiting_in_hospital
from simulation.metrics import BREAKDOWN_DIMENSIONS, Metric
from simulation.parameters import Section, param
from simulation.parts import Part
from simulation.random_streams import Process
from simulation.services import BASE_DESTINATIONS, Service

NEED_HOME_CARE = DEST_HOME_CARE = BASE_DESTINATIONS.index("home_care_package")
"""Discharge need (and destination) of a patient who leaves hospital with a home-care package."""


class SocialCareParams(Section):
    """Council-funded long-term home care."""

    home_care_packages_per_100k: float = param(
        90.0, "concurrent packages per 100,000 registered",
        "Manchester: homecare for 1,877 people in the year to Sep 2022 [manchester-cc-budget-2022] "
        " (about 335 per 100,000 people); ASSUMPTION: about half of them hold a package "
        "on a given day", "Long-term home-care packages the council can fund at once on day 0.",
        ge=0.0, le=10_000.0)
    packages_follow_65plus: bool = param(
        True, "-", "ASSUMPTION: without a policy change the council keeps its packages per person "
        "aged 65+", "Whether the packages grow with the area's population aged 65+.")
    package_mean_days: float = param(
        365.0, "days", "ASSUMPTION: a long-term package lasts about a year on average unless the "
        "person dies or moves into a care home first", "Mean length of a package (geometric).",
        gt=0.0, le=3650.0)
    hours_per_week: float = param(
        11.0, "hours per week", "ASSUMPTION: a typical long-term package for an older person "
        "(one or two visits a day)", "Care hours a week in a package.", gt=0.0, le=168.0)
    initial_share_by_age: dict[int, float] = param(
        {0: 0.0, 65: 0.004, 75: 0.012, 85: 0.035}, "share of each age with a package",
        "ASSUMPTION: about nine in ten of the day-0 packages (home_care_packages_per_100k) in "
        "use, more at older ages", "People holding a package on day 0 of the warm-up (frailer "
        "people first).", each_le=1.0)
    hospital_need_by_age: dict[int, float] = param(
        {0: 0.0, 65: 0.02, 75: 0.04, 85: 0.07}, "share of overnight stays",
        "ASSUMPTION: CALIBRATED so that waiting for a package gives about a third of the "
        "social-care delays ('awaiting care package in own home' 34-36% "
        "[kings-fund-dtoc-2018]) within a delayed-discharge share of 3.5-7% of bed days "
        "[kings-fund-dtoc-2018]",
        "Probability that an overnight stay of a patient aged 65+ ends needing a new long-term "
        "home-care package.", each_le=1.0)
    community_request_per_1000_by_age: dict[int, float] = param(
        {0: 0.0, 65: 2.0, 75: 6.0, 85: 15.0}, "requests per 1,000 people per year",
        "ASSUMPTION: requests from people at home, with the hospital route, fill the packages "
        "(Manchester: 1,877 people a year [manchester-cc-budget-2022])",
        "Rate at which people aged 65+ at home without a package ask for one.")


def _packages_per_100k(s) -> float:
    return s.social_care.home_care_packages_per_100k


PACKAGES = Service("home_care_packages", "caseload", per_100k=_packages_per_100k, uplift=False,
                   label="long-term home-care packages", staff=("care_worker",))
"""Home-care packages of each neighbourhood; :class:`SocialCare` keeps who holds one."""

PLACEMENT = Service("home_care_package", "places", per_100k=lambda s: 0.0,
                    mean_days=lambda s: 1.0, need=NEED_HOME_CARE,
                    stream=Process.COMMUNITY_SERVICE, draw=NEED_HOME_CARE, uplift=False,
                    label="home-care package started at discharge")
"""How hospitals discharge with a package: each morning its places are the free packages."""

_B = BREAKDOWN_DIMENSIONS


class SocialCare(Part):
    """Long-term home-care packages, their waiting lists, and everyone waiting for social care."""

    name = "social_care"
    services: ClassVar[tuple[Service, ...]] = (PACKAGES, PLACEMENT)
    metrics = (
        Metric("social_care_packages_active", "stock", "packages",
               "Long-term home-care packages in place today.", breakdowns=_B),
        Metric("social_care_package_capacity", "stock", "packages",
               "Home-care packages the council funds."),
        Metric("social_care_package_starts", "flow", "packages",
               "Home-care packages started today (from hospital or home)."),
        Metric("social_care_waiting", "stock", "people",
               "People waiting for a home-care package or a care-home place, in hospital or at "
               "home.", breakdowns=_B),
        Metric("social_care_waiting_hospital", "stock", "patients",
               "Inpatients fit to leave who wait for a home-care package."),
        Metric("social_care_waiting_days", "flow", "days",
               "Waiting times of the packages started today, summed (divide by starts for the "
               "mean)."),
        Metric("home_care_hours", "flow", "hours", "Home-care hours delivered today."),
    )

    def setup(self, model) -> None:
        """Declare who holds a package and until when."""
        from simulation.population import step_table

        super().setup(model)
        self.params: SocialCareParams = model.scenario.social_care
        pop = model.population
        pop.add_state("home_care", bool, False)
        pop.add_state("home_care_until", np.int32, 0)
        pop.add_state("home_care_asked", np.int32, 0)  # day the person started waiting
        self.need_by_age = step_table(self.params.hospital_need_by_age)
        self.request_by_age = step_table(self.params.community_request_per_1000_by_age) / 1000
        self.holders = np.empty(0, np.int64)
        self.waiting = np.empty(0, np.int64)
        self.arrived: list[np.ndarray] = []
        self.growth = 1.0
        self.starts = 0
        self.waited = 0
        self._initial_holders(model.day, step_table(self.params.initial_share_by_age))

    def _initial_holders(self, day: int, share_by_age) -> None:
        m, pop = self.model, self.model.population
        ids = np.flatnonzero(pop.alive[: pop.n] & ~pop.care_home[: pop.n])
        weight = m.part("care_homes").tier_weight(day, ids)
        chosen = ids[self._draw(day, ids, 3) < share_by_age[pop.ages(day, ids)] * weight]
        capacity = m.services.total_capacity(PACKAGES.name)
        self._start(day, chosen[: capacity])
        self.starts = self.waited = 0

    def _draw(self, day: int, ids: np.ndarray, draw: int) -> np.ndarray:
        return self.model.streams.keyed(self.stream_key(), day, ids, draw)

    # ----- hooks ------------------------------------------------------------------------------
    def discharge_needs(self, day: int, admissions, need: np.ndarray) -> np.ndarray:
        """Some older patients without a package will need one (a care home comes first)."""
        pop = self.model.population
        ids = admissions.ids
        wants = (~pop.home_care[ids] & ~pop.care_home[ids] & (admissions.age >= 65)
                 & (need != NEED_CARE_HOME)
                 & (self._draw(day, ids, 0) < self.need_by_age[admissions.age]))
        pop.home_care_asked[ids[wants]] = day
        return np.where(wants, NEED_HOME_CARE, need)

    def discharged(self, day: int, patients: np.ndarray, destinations: np.ndarray) -> None:
        """Note who left hospital with a package today."""
        started = patients[destinations == DEST_HOME_CARE]
        if len(started):
            self.arrived.append(started)

    def monthly(self, day: int) -> None:
        """This month's requests for a package from people at home join the waiting list."""
        pop = self.model.population
        if self.params.packages_follow_65plus:
            self.growth = self.model.part("care_homes").growth
        n = pop.n
        ids = np.flatnonzero(pop.alive[:n] & ~pop.home_care[:n] & ~pop.care_home[:n]
                             & (pop.ages(day)[:n] >= 65))
        ids = ids[~np.isin(ids, self.waiting)]
        chance = -np.expm1(-self.request_by_age[pop.ages(day, ids)] * 30.44 / DAYS_PER_YEAR)
        asked = ids[self._draw(day, ids, 1) < chance]
        pop.home_care_asked[asked] = day
        self.waiting = np.concatenate([self.waiting, asked])

    # ----- the day -----------------------------------------------------------------------------
    def _start(self, day: int, ids: np.ndarray) -> None:
        if len(ids) == 0:
            return
        pop = self.model.population
        mean = self.params.package_mean_days
        u = self._draw(day, ids, 2)
        pop.home_care[ids] = True
        pop.home_care_until[ids] = day + 1 + np.floor(-np.log1p(-u) * (mean - 0.5)).astype(int)
        self.holders = np.union1d(self.holders, ids)
        self.waiting = self.waiting[~np.isin(self.waiting, ids)]
        self.starts += len(ids)
        self.waited += int(np.maximum(day - pop.home_care_asked[ids], 0).sum())

    def record(self, day: int, today: dict[str, float]) -> None:
        """Start today's packages, end those that ended, offer free packages, report."""
        m, pop = self.model, self.model.population
        arrived = np.concatenate(self.arrived) if self.arrived else np.empty(0, np.int64)
        self.arrived = []
        self._start(day, arrived[pop.alive[arrived]])
        h = self.holders
        ended = ~pop.alive[h] | pop.care_home[h] | (pop.home_care_until[h] <= day)
        pop.home_care[h[ended]] = False
        self.holders = h[~ended]
        self.waiting = self.waiting[pop.alive[self.waiting] & ~pop.care_home[self.waiting]]
        # the council commissions packages for the whole area: one pool, hospital first
        hoods = m.n_neighbourhoods
        capacity = int(round(m.services.total_capacity(PACKAGES.name) * self.growth))
        in_hospital = waiting_in_hospital(m, NEED_HOME_CARE, day + 1)
        free = max(capacity - len(self.holders), 0)
        for_hospital = in_hospital[:free]
        at_home = self.waiting[~pop.in_hospital[self.waiting]]
        self._start(day, at_home[: free - len(for_hospital)])
        m.services.set_extra_places(PLACEMENT.name, np.bincount(
            pop.neighbourhood[for_hospital], minlength=hoods))

        care_homes = m.part("care_homes")
        waiting = np.unique(np.concatenate([self.waiting, in_hospital, care_homes.waiting,
                                            care_homes.waiting_in_hospital]))
        today["social_care_packages_active"] = len(self.holders)
        today["social_care_package_capacity"] = capacity
        today["social_care_package_starts"] = self.starts
        today["social_care_waiting_days"] = self.waited
        today["social_care_waiting_hospital"] = len(in_hospital)
        today["social_care_waiting"] = len(waiting)
        today["home_care_hours"] = len(self.holders) * self.params.hours_per_week / 7
        self.starts = self.waited = 0
        m.count_events("social_care_packages_active", day, self.holders)
        m.count_events("social_care_waiting", day, waiting)
