"""Acute hospitals: finite general and acute beds, escalation, discharge gated by community care.

Each trust site is a Mesa agent holding its inpatients as small arrays. A patient is medically
fit on ``fit_day``. One who needs no support goes home that day. One who needs home support or a
community bed is first assessed (``ready_day``) and then waits for a free place with their
neighbourhood's team; every night spent waiting after ``ready_day`` is a delayed-discharge bed
day (a delayed transfer of care). After ``max_wait_days`` they leave on an interim package.

Bed capacity is ``beds`` plus ``escalation_beds`` once the site opens them: at the start of each
day it opens them if occupancy of the base beds has reached the escalation threshold.

Example:
    >>> import mesa
    >>> from simulation.scenario import HospitalSpec
    >>> h = Hospital(mesa.Model(), index=0, spec=HospitalSpec(beds=2, escalation_beds=1),
    ...              scale=1.0, escalation_threshold=0.95)
    >>> h.admit(episode=np.array([0]), patient=np.array([10]), fit_day=np.array([3]),
    ...         ready_day=np.array([3]), need=np.array([0]), neighbourhood=np.array([0]))
    >>> h.occupied, h.free_beds()
    (1, 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import mesa
import numpy as np

from simulation.metrics import Metric
from simulation.scenario import HospitalSpec
from simulation.services import BASE_DESTINATIONS, NEED_NONE

NEED_HOME_SUPPORT, NEED_COMMUNITY_BED = 1, 2
NEED_CARE_HOME = BASE_DESTINATIONS.index("care_home")
NEED_HOME_CARE = BASE_DESTINATIONS.index("home_care_package")
"""Discharge needs met by the built-in services (:mod:`simulation.services`): reablement, a
community bed, a care-home place (:mod:`simulation.care_homes`) and a long-term home-care package
(:mod:`simulation.social_care`)."""
DEST_HOME, DEST_HOME_SUPPORT, DEST_COMMUNITY_BED, DEST_DIED, DEST_INTERIM = 0, 1, 2, 3, 4
DEST_CARE_HOME, DEST_HOME_CARE = NEED_CARE_HOME, NEED_HOME_CARE
DESTINATIONS = BASE_DESTINATIONS
"""Destination codes; a service that meets need ``k`` discharges to destination ``k``."""

_FIELDS = ("episode", "patient", "fit_day", "ready_day", "need", "neighbourhood")


@dataclass
class Discharges:
    """Patients leaving a hospital today."""

    episode: np.ndarray
    patient: np.ndarray
    destination: np.ndarray
    delayed_days: np.ndarray


class Hospital(mesa.Agent):
    """One acute site and its inpatients."""

    reporters: ClassVar[dict[str, str]] = {
        "occupied_beds": "occupied", "occupancy": "occupancy",
        "delayed_discharge_bed_days": "delayed_tonight", "fit_not_discharged": "fit_tonight",
        "escalation_open": "escalation_open", "admissions": "admissions_today"}
    """Per-site daily series (Mesa DataCollector agent-type reporters): metric -> attribute."""
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("occupied_beds", "stock", "beds", "Beds occupied tonight at the site.",
               level="hospital", label="Acute beds occupied"),
        Metric("occupancy", "stock", "share", "Occupied over base beds (above 1 when escalated).",
               level="hospital", label="Bed occupancy"),
        Metric("delayed_discharge_bed_days", "flow", "bed days",
               "Beds at the site occupied tonight by patients waiting for a place.",
               level="hospital", label="Delayed-discharge bed days"),
        Metric("fit_not_discharged", "stock", "patients",
               "Medically fit patients still at the site.", level="hospital",
               label="Medically fit patients still in hospital"),
        Metric("escalation_open", "stock", "0/1", "Whether escalation beds are open today.",
               level="hospital", label="Escalation beds open"),
        Metric("admissions", "flow", "admissions", "Admissions to the site today.",
               level="hospital", label="Admissions to the site"),
    )

    def __init__(self, model: mesa.Model, index: int, spec: HospitalSpec, scale: float,
                 escalation_threshold: float):
        super().__init__(model)
        self.index = index
        self.name = spec.name
        self.locality = spec.locality
        self.beds = int(round(spec.beds * scale))
        self.escalation_beds = int(round(spec.escalation_beds * scale))
        self.escalation_threshold = escalation_threshold
        self.escalation_open = False
        for f in _FIELDS:
            setattr(self, f, np.empty(0, np.int64))
        self.delayed_tonight = 0
        self.fit_tonight = 0
        self.admissions_today = 0

    @property
    def occupied(self) -> int:
        """Beds occupied now."""
        return len(self.patient)

    @property
    def capacity(self) -> int:
        """Beds available today, with escalation beds if open."""
        return self.beds + (self.escalation_beds if self.escalation_open else 0)

    @property
    def occupancy(self) -> float:
        """Occupied beds over base beds (can exceed 1 while escalation beds are open)."""
        return self.occupied / self.beds if self.beds else 0.0

    def free_beds(self) -> int:
        """Beds free now."""
        return max(0, self.capacity - self.occupied)

    def waiting_for(self, need: int, day: int) -> tuple[np.ndarray, np.ndarray]:
        """Inpatients who need ``need`` and are fit and assessed by ``day``: ids and ready days.

        A service that fills its places once a day (care homes, home-care packages) keeps these
        patients' places back for tomorrow's discharges, longest waits first.
        """
        mine = (self.need == need) & (self.fit_day <= day) & (self.ready_day <= day)
        return self.patient[mine], self.ready_day[mine]

    def decide_escalation(self) -> None:
        """Open escalation beds for today if the base beds are at the threshold."""
        self.escalation_open = self.occupied >= self.escalation_threshold * self.beds

    def admit(self, **columns: np.ndarray) -> None:
        """Add inpatients; callers check :meth:`free_beds` first."""
        for f in _FIELDS:
            setattr(self, f, np.concatenate([getattr(self, f), np.asarray(columns[f], np.int64)]))

    def _keep(self, mask: np.ndarray) -> None:
        for f in _FIELDS:
            setattr(self, f, getattr(self, f)[mask])

    def remove_patients(self, patients: np.ndarray) -> np.ndarray:
        """Take out patients (deaths); returns their episode ids."""
        gone = np.isin(self.patient, patients)
        episodes = self.episode[gone]
        self._keep(~gone)
        return episodes

    def discharge(self, day: int, services, max_wait_days: float) -> Discharges:
        """Discharge everyone who can go today; count who is fit but still here tonight.

        Args:
            day: today.
            services: the model's :class:`~simulation.services.ServiceDirectory`; each service
                that meets a discharge need takes the waiting patients who need it, longest
                waits first, while the places of the pool serving their neighbourhood last.
            max_wait_days: longest wait for a place before an interim package.
        """
        fit = self.fit_day <= day
        go = fit & (self.need == NEED_NONE)
        dest = np.full(len(self.patient), -1, np.int64)
        dest[go] = DEST_HOME
        waiting = np.flatnonzero(fit & (self.need != NEED_NONE) & (self.ready_day <= day))
        # longest waits first, then by episode id so the order is reproducible
        waiting = waiting[np.lexsort((self.episode[waiting], self.ready_day[waiting]))]
        for service in services.discharge_services():
            queue = waiting[self.need[waiting] == service.need]
            placed = queue[services.serve(service.name, self.neighbourhood[queue],
                                          self.patient[queue])]
            dest[placed] = service.need  # a service's destination code is its need code
        overdue = (dest < 0) & fit & (self.need != NEED_NONE) & \
            (day - self.ready_day >= max_wait_days)
        dest[overdue] = DEST_INTERIM
        leaving = dest >= 0
        delayed = np.maximum(0, day - self.ready_day)  # nights spent waiting before today
        out = Discharges(self.episode[leaving], self.patient[leaving], dest[leaving],
                         np.where(self.need[leaving] != NEED_NONE, delayed[leaving], 0))
        self._keep(~leaving)
        still_fit = self.fit_day <= day
        self.fit_tonight = int(still_fit.sum())
        self.delayed_tonight = int((still_fit & (self.need != NEED_NONE)
                                    & (self.ready_day <= day)).sum())
        return out
