"""Patient pathways: births, deaths, primary care, acute routing, admission and discharge.

:class:`Pathways` holds what the patients do each day and what happens to them on the way through
the organisations; :class:`simulation.model.LCOModel` calls its steps in the order of its
``step`` docstring. Levers change the pathways only through the hooks of
:class:`simulation.levers.Lever`, which :class:`Pathways` calls for every lever in the declared
order; services are used only through :class:`simulation.services.ServiceDirectory`.

Every per-event decision uses a keyed uniform
(:meth:`simulation.random_streams.RandomStreams.keyed`), so a patient's length of stay, say,
does not depend on who else was admitted that day, and two policy arms run with the same seed
stay aligned after their event lists diverge.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from scipy.special import gammaincinv

from simulation.episodes import ROUTE_AE, ROUTE_DIRECT
from simulation.hospital import (
    DEST_DIED,
    DEST_HOME,
    NEED_COMMUNITY_BED,
    NEED_HOME_SUPPORT,
    NEED_NONE,
)
from simulation.levers.base import AcuteEpisodes, Admissions, Lever
from simulation.metrics import BREAKDOWN_DIMENSIONS, Metric
from simulation.parts import Part
from simulation.population import DAYS_PER_YEAR, MAX_AGE, step_table
from simulation.practice import book_appointments
from simulation.random_streams import Process

_B = BREAKDOWN_DIMENSIONS

METRICS = (
    Metric("population", "stock", "people", "Registered patients alive (also by group, monthly).",
           breakdowns=_B),
    Metric("births", "flow", "people", "Births and arrivals registered today."),
    Metric("deaths", "flow", "people", "Deaths today.", breakdowns=_B),
    Metric("deaths_in_hospital", "flow", "people", "Deaths of inpatients today.",
           breakdowns=_B),
    Metric("gp_need", "flow", "requests", "New routine GP needs arising today.",
           label="Routine GP needs"),
    Metric("gp_appointments_met", "flow", "appointments", "GP appointments given today.",
           breakdowns=_B),
    Metric("gp_appointments_unmet", "flow", "requests",
           "GP requests (new and retried) without an appointment today.", breakdowns=_B,
           label="GP requests without an appointment"),
    Metric("gp_unmet_to_ae", "flow", "people", "Unmet GP requests that went to A&E today.",
           label="Unmet GP requests going to A&E"),
    Metric("ae_attendances", "flow", "attendances", "A&E attendances today.", breakdowns=_B),
    Metric("ae_admissions", "flow", "admissions", "Emergency admissions from A&E today.",
           label="Emergency admissions from A&E"),
    Metric("direct_admissions", "flow", "admissions", "Direct emergency admissions today.",
           label="Direct emergency admissions"),
    Metric("emergency_admissions", "flow", "admissions", "All emergency admissions today.",
           breakdowns=_B),
    Metric("zero_day_admissions", "flow", "admissions", "Admissions discharged the same day.",
           label="Zero-day admissions"),
    Metric("short_stay_admissions", "flow", "admissions", "Admissions of 0 or 1 day.",
           label="Short-stay admissions (0-1 day)"),
    Metric("readmissions_30d", "flow", "admissions",
           "Admissions within 30 days of a discharge.", label="Readmissions within 30 days"),
    Metric("out_of_area_admissions", "flow", "admissions",
           "Overnight admissions with no modelled bed free (cared for out of area).",
           label="Out-of-area admissions"),
    Metric("discharges", "flow", "patients", "Inpatients discharged alive today.",
           label="Discharges alive"),
)
"""The pathways' own daily series."""


def implements(part, hook: str) -> bool:
    """Whether ``part`` has its own ``hook`` (not the do-nothing one of :class:`Part` or Lever).

    >>> class Quiet(Part):
    ...     name = "quiet"
    >>> implements(Quiet(), "record"), implements(Quiet(), "length_of_stay")
    (False, False)
    """
    impl = getattr(type(part), hook, None)
    if impl is None:
        return False
    return all(impl is not getattr(base, hook, None) for base in (Lever, Part))


class Pathways:
    """What patients do each day, as vectorised steps over today's events.

    Args:
        model: the :class:`~simulation.model.LCOModel` whose population, organisations, services
            and levers the steps use.
    """

    metrics = METRICS

    def __init__(self, model):
        self.model = model
        s = model.scenario
        h = s.hospitals
        # lookup tables for per-event decisions
        self.zero_day = step_table(h.zero_day_share_by_age)
        self.clinical_los = step_table(h.clinical_los_by_age)
        self.los_tier = np.asarray(h.clinical_los_rr_by_tier)
        self.need_home = step_table(h.home_support_need_by_age)
        self.need_bed = step_table(h.community_bed_need_by_age)
        self.retry = np.empty(0, np.int64)  # unmet GP requests that ask again tomorrow
        self.out_of_area_release: dict[int, list[np.ndarray]] = defaultdict(list)
        n_practices = len(model.practice_list)
        self.practice_requests = np.zeros(n_practices, np.int64)  # this month's, for adoption
        self.practice_unmet = np.zeros(n_practices, np.int64)
        self.gp_met_by_age = np.zeros(MAX_AGE + 1)  # for the age-specific GP targets
        self._hook_cache: dict[str, tuple[tuple, list]] = {}

    def _parts_with(self, hook: str) -> list:
        """Parts that implement ``hook``, in the model's part order (core parts, levers, ...).

        Called several times a day: the answer only changes if the part list does.
        """
        parts = tuple(self.model.parts)
        cached = self._hook_cache.get(hook)
        if cached is None or cached[0] != parts:
            cached = (parts, [p for p in parts if implements(p, hook)])
            self._hook_cache[hook] = cached
        return cached[1]

    # ----- demography ---------------------------------------------------------------------------
    def births(self, day: int) -> None:
        """Births and arrivals join practice lists (their number does not depend on the state)."""
        m = self.model
        ids = m.population.add_births(day, m.practices_of_neighbourhood, m.practice_weights,
                                      m.initial_size)
        m.today["births"] = len(ids)

    def deaths(self, day: int, ids: np.ndarray) -> None:
        """Today's deaths; inpatients' episodes close with destination 'died'."""
        m = self.model
        pop = m.population
        inpatients = ids[pop.in_hospital[ids]]
        for h in m.hospital_list:
            episodes = h.remove_patients(inpatients)
            if len(episodes):
                m.episodes.close(episodes, np.full(len(episodes), day),
                                 np.full(len(episodes), DEST_DIED), np.zeros(len(episodes)))
        # out-of-area inpatients: their episodes are still open
        open_eps = pop.episode[inpatients]
        open_eps = open_eps[open_eps >= 0]
        open_eps = open_eps[m.episodes.column("discharge_day")[open_eps] < 0]
        if len(open_eps):
            m.episodes.close(open_eps, np.full(len(open_eps), day),
                             np.full(len(open_eps), DEST_DIED), np.zeros(len(open_eps)))
        pop.episode[ids] = -1
        pop.kill(day, ids)
        m.today["deaths"] = len(ids)
        m.today["deaths_in_hospital"] = len(inpatients)
        m.count_events("deaths", day, ids)
        m.count_events("deaths_in_hospital", day, inpatients)

    # ----- hospitals --------------------------------------------------------------------------
    def discharge(self, day: int) -> None:
        """Each site opens escalation beds if full, then discharges who can go today."""
        m = self.model
        for h in m.hospital_list:
            h.decide_escalation()
            out = h.discharge(day, m.services, m.scenario.hospitals.max_wait_days)
            if len(out.patient) == 0:
                continue
            m.episodes.close(out.episode, np.full(len(out.episode), day), out.destination,
                             out.delayed_days)
            self.leave_hospital(day, out.patient, out.destination)
            m.today["discharges"] += len(out.patient)

    def leave_hospital(self, day: int, patients: np.ndarray,
                       destinations: np.ndarray | None = None) -> None:
        """Patients leave alive: their 30-day readmission risk starts, eased by any lever.

        Parts hear of it (``discharged``) with each patient's destination (home if not given).
        """
        m = self.model
        pop = m.population
        if destinations is None:
            destinations = np.full(len(patients), DEST_HOME)
        for part in self._parts_with("discharged"):
            part.discharged(day, patients, destinations)
        base_rr = m.scenario.demand.readmission_rr_30d
        pop.in_hospital[patients] = False
        pop.episode[patients] = -1
        ratio = None
        for lever in self._parts_with("readmission_ratio"):
            r = lever.readmission_ratio(day, patients)
            ratio = r if ratio is None else ratio * r
        rr = base_rr if ratio is None else 1 + (base_rr - 1) * ratio
        pop.start_readmission_window(day, patients,
                                     np.broadcast_to(rr, len(patients)).astype(np.float32))

    def release_out_of_area(self, day: int) -> None:
        """Patients cared for outside the modelled sites come home on their fit day."""
        m = self.model
        pop = m.population
        for ids in self.out_of_area_release.pop(day, []):
            ids = ids[pop.alive[ids] & pop.in_hospital[ids]]
            if len(ids) == 0:
                continue
            eps = pop.episode[ids]
            m.episodes.close(eps, np.full(len(ids), day), np.full(len(ids), DEST_HOME),
                             np.zeros(len(ids)))
            self.leave_hospital(day, ids)

    # ----- primary care -------------------------------------------------------------------------
    def primary_care(self, day: int, need: np.ndarray) -> np.ndarray:
        """Book GP needs within capacity; returns the unmet patients who go to A&E today."""
        m = self.model
        pop, pc = m.population, m.scenario.primary_care
        retry = self.retry[pop.alive[self.retry] & ~pop.in_hospital[self.retry]]
        requests = np.concatenate([need, retry])
        practice = pop.practice[requests].astype(np.int64)
        capacity = np.array([p.capacity_today() for p in m.practice_list])
        priority = m.streams.keyed(Process.GP_BOOKING, day, requests)
        met, unmet = book_appointments(requests, practice, capacity, priority)
        self.practice_requests += np.bincount(practice, minlength=len(m.practice_list))
        self.practice_unmet += np.bincount(pop.practice[unmet], minlength=len(m.practice_list))
        who, times = np.unique(met, return_counts=True)
        pop.gp_count_this_year[who] += times.astype(np.int16)
        u = m.streams.keyed(Process.GP_BOOKING, day, unmet, draw=1)
        spill = unmet[u < pc.unmet_to_ae_probability]
        self.retry = unmet[(u >= pc.unmet_to_ae_probability)
                           & (u < pc.unmet_to_ae_probability + pc.unmet_retry_probability)]
        m.today["gp_need"] = len(need)
        m.today["gp_appointments_met"] = len(met)
        m.today["gp_appointments_unmet"] = len(unmet)
        m.today["gp_unmet_to_ae"] = len(spill)
        m.count_events("gp_appointments_met", day, met)
        if day >= 0:
            self.gp_met_by_age += np.bincount(pop.ages(day, met), minlength=MAX_AGE + 1)
        m.count_events("gp_appointments_unmet", day, unmet)
        return spill

    def close_practice_month(self) -> None:
        """Hand the month's booking counts to the practices (they drive adoption)."""
        for p in self.model.practice_list:
            p.requests_month = int(self.practice_requests[p.index])
            p.unmet_month = int(self.practice_unmet[p.index])
            p.close_month()
        self.practice_requests[:] = 0
        self.practice_unmet[:] = 0

    # ----- acute care -----------------------------------------------------------------------
    def acute_episodes(self, day: int, ids: np.ndarray, spill: np.ndarray,
                       final: np.ndarray | None = None) -> None:
        """Route today's acute episodes: levers may divert them; A&E or direct admission.

        ``final`` are final deteriorations of dying patients (:mod:`simulation.end_of_life`):
        routed like any episode, so levers may care for them at home, but admitted for certain
        if they reach A&E.
        """
        m = self.model
        pop = m.population
        tables = pop.tables
        if final is not None and len(final):
            ids = np.union1d(ids, final)
        ids = ids[~pop.in_hospital[ids]]
        certain = (np.isin(ids, final, assume_unique=True) if final is not None and len(final)
                   else np.zeros(len(ids), bool))
        age = pop.ages(day, ids)
        tier = pop.tier[ids]
        ep = AcuteEpisodes(day=day, ids=ids, age=age, tier=tier,
                           neighbourhood=pop.neighbourhood[ids],
                           intensity=m.practice_intensity[pop.practice[ids]],
                           eligible=(age >= 65) | (tier >= 2))
        keyed = m.streams.keyed

        # 1. levers that care for the episode outside hospital (crisis response)
        for lever in self._parts_with("divert_acute"):
            lever.divert_acute(day, ep)
        avoided = ep.avoided

        # 2. route: direct admission or A&E; 3. conversion at A&E, eased by levers
        direct = ~avoided & (keyed(Process.ROUTING, day, ids, 2) < tables.direct_share[age])
        ep.direct = direct
        at_ae = ~avoided & ~direct
        conversion = tables.conversion[age]
        for lever in self._parts_with("conversion_ratio"):
            ratio = lever.conversion_ratio(day, ep)
            if ratio is not None:
                conversion = conversion * ratio
        conversion = np.where(certain, 1.0, conversion)
        admitted_ae = at_ae & (keyed(Process.ROUTING, day, ids, 3) < conversion)

        # 4. levers that place direct admissions elsewhere (GP direct access to community beds)
        for lever in self._parts_with("divert_direct"):
            lever.divert_direct(day, ep)
        placed = ep.placed

        attenders = np.concatenate([ids[at_ae], spill[~pop.in_hospital[spill]]])
        m.today["ae_attendances"] = len(attenders)
        m.count_events("ae_attendances", day, attenders)
        for part in self._parts_with("attended"):
            part.attended(day, attenders)
        admit = admitted_ae | (direct & ~placed)
        m.today["ae_admissions"] = int(admitted_ae.sum())
        m.today["direct_admissions"] = int((direct & ~placed).sum())
        route = np.where(direct, ROUTE_DIRECT, ROUTE_AE)[admit]
        self.admit(day, ids[admit], route)

    def admit(self, day: int, ids: np.ndarray, route: np.ndarray) -> None:
        """Admit patients: length of stay, discharge needs, then a bed or out of area."""
        if len(ids) == 0:
            return
        m = self.model
        s, pop = m.scenario, m.population
        keyed = m.streams.keyed
        age = pop.ages(day, ids)
        tier = pop.tier[ids]
        hood = pop.neighbourhood[ids]
        years = day / DAYS_PER_YEAR
        zero = keyed(Process.LENGTH_OF_STAY, day, ids, 0) < self.zero_day[age]
        mean = self.clinical_los[age] * self.los_tier[tier] * \
            (1 + s.hospitals.los_trend_per_year) ** years
        k = s.hospitals.los_shape
        los = np.maximum(1, np.rint(gammaincinv(k, keyed(Process.LENGTH_OF_STAY, day, ids, 1))
                                    * mean / k)).astype(np.int64)
        los[zero] = 0
        admissions = Admissions(day=day, ids=ids, age=age, tier=tier, neighbourhood=hood)
        for part in self._parts_with("length_of_stay"):
            changed = part.length_of_stay(day, admissions, los)
            if changed is not None:
                los = np.asarray(changed, np.int64)
        zero = los == 0
        u = keyed(Process.DISCHARGE_NEEDS, day, ids, 0)
        need = np.where(u < self.need_home[age], NEED_HOME_SUPPORT,
                        np.where(u < self.need_home[age] + self.need_bed[age],
                                 NEED_COMMUNITY_BED, NEED_NONE))
        need[zero] = NEED_NONE
        for lever in self._parts_with("discharge_needs"):
            changed = lever.discharge_needs(day, admissions, need)
            if changed is not None:
                need = np.where(zero, NEED_NONE, changed)
        assess_mean = s.hospitals.assessment_days_mean
        for lever in self._parts_with("assessment_ratio"):
            ratio = lever.assessment_ratio(day, admissions)
            if ratio is not None:
                assess_mean = assess_mean * ratio
        assess = np.floor(-np.log1p(-keyed(Process.DISCHARGE_NEEDS, day, ids, 1)) * assess_mean)
        fit_day = day + los
        ready_day = fit_day + np.where(need != NEED_NONE, assess, 0).astype(np.int64)

        # beds: home site first, then the site with most free beds, else out of area
        site = np.full(len(ids), -1)
        overnight = np.flatnonzero(~zero)
        free = np.array([h.free_beds() for h in m.hospital_list])
        wanted = m.home_site[hood]
        for h in range(len(free)):
            mine = overnight[wanted[overnight] == h][: free[h]]
            site[mine] = h
            free[h] -= len(mine)
        for i in overnight[site[overnight] < 0]:  # overflow: the site with most free beds
            best = int(np.argmax(free))
            if free[best] > 0:
                site[i] = best
                free[best] -= 1
        # a zero-day stay is admitted and discharged at the home site the same day: it needs no
        # bed overnight, but it is that site's admission, not an out-of-area one
        site[zero] = wanted[zero]
        readmission = pop.readmit_until[ids] > day
        episode = m.episodes.open(
            patient=ids, hospital=site, neighbourhood=hood, practice=pop.practice[ids], age=age,
            female=pop.female[ids], quintile=pop.quintile[ids], tier=tier, route=route,
            readmission=readmission, admit_day=np.full(len(ids), day), fit_day=fit_day)
        for h in m.hospital_list:
            mine = site == h.index
            on_ward = mine & ~zero
            if on_ward.any():
                h.admit(episode=episode[on_ward], patient=ids[on_ward], fit_day=fit_day[on_ward],
                        ready_day=ready_day[on_ward], need=need[on_ward],
                        neighbourhood=hood[on_ward])
            h.admissions_today = int(mine.sum())
        away = ~zero & (site < 0)
        if away.any():  # cared for outside the modelled sites; back on their fit day
            for d in np.unique(fit_day[away]):
                self.out_of_area_release[int(d)].append(ids[away & (fit_day == d)])
        pop.in_hospital[ids[~zero]] = True
        pop.episode[ids] = episode
        pop.mark_stale(ids[~zero])
        if zero.any():
            z = ids[zero]
            m.episodes.close(episode[zero], np.full(len(z), day), np.full(len(z), DEST_HOME),
                             np.zeros(len(z)))
            self.leave_hospital(day, z)
        m.today["emergency_admissions"] = len(ids)
        m.today["zero_day_admissions"] = int(zero.sum())
        # the National Cost Collection's short-stay HRGs cover stays of 0 or 1 day
        m.today["short_stay_admissions"] = int((los <= 1).sum())
        m.today["readmissions_30d"] = int(readmission.sum())
        m.today["out_of_area_admissions"] = int(away.sum())
        m.count_events("emergency_admissions", day, ids)
        for part in self._parts_with("admitted"):
            part.admitted(day, admissions)
