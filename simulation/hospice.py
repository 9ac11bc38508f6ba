"""Hospices: inpatient specialist palliative care beds for people in their last days.

The area's hospice beds are one pool (a ``caseload`` service, :data:`BEDS`, summed over the
neighbourhoods: a hospice serves the whole area). People in the last months of life who live at
home (:mod:`simulation.end_of_life`) are referred in their final days with probability
``referral_share``; if a bed is free they are admitted and stay until they die. While in a
hospice the hospice team manages deteriorations, so a patient's acute hazard is zero there.
Hospices are charities: the NHS pays about 30% of their costs (RCP, Hospice/specialist palliative
care inpatient units), which is the part the finance ledger counts as public spend.

Example:
    >>> Hospice.name, Hospice.services[0].kind
    ('hospice', 'caseload')
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from simulation.metrics import Metric
from simulation.parameters import Section, param
from simulation.parts import Part
from simulation.services import Service


class HospiceParams(Section):
    """Hospice inpatient beds and referral to them."""

    beds_per_100k: float = param(
        4.0, "beds per 100,000 registered",
        "ASSUMPTION: CALIBRATED with referral_share to 4.7-5.7% of deaths in hospices (2016 and "
        "2022) "
        "[phe-end-of-life-profiles-2018] [ohid-end-of-life-profile-2023]",
        "Hospice inpatient beds.", ge=0.0, le=1000.0)
    referral_share: float = param(
        0.085, "share of people dying at home",
        "ASSUMPTION: CALIBRATED to 4.7-5.7% of deaths in hospices "
        "[phe-end-of-life-profiles-2018] [ohid-end-of-life-profile-2023] with the beds pooled "
        "(0.072 before, when each neighbourhood's fraction of a bed was rounded on its own)",
        "Probability that a person in their last days at home is referred to a hospice bed.",
        ge=0.0, le=1.0)
    nhs_cost_share: float = param(
        0.30, "share of cost", "RCP Medical Care, 'Hospice/specialist palliative care inpatient "
        "units': hospices depend on charitable funding with NHS contributions usually around 30%",
        "Share of a hospice bed day paid by the NHS (the rest is charitable).", ge=0.0, le=1.0)


BEDS = Service("hospice_beds", "caseload", per_100k=lambda s: s.hospice.beds_per_100k,
               uplift=False, label="hospice inpatient beds")
"""Hospice beds of each neighbourhood; :class:`Hospice` keeps who occupies them."""


class Hospice(Part):
    """Hospice beds: admission in the last days of life, occupancy, and the cost of a bed day."""

    name = "hospice"
    services: ClassVar[tuple[Service, ...]] = (BEDS,)
    metrics = (
        Metric("hospice_admissions", "flow", "people", "Admissions to a hospice bed today."),
        Metric("hospice_beds_occupied", "stock", "beds", "Hospice beds occupied tonight."),
        Metric("hospice_beds", "stock", "beds", "Hospice beds."),
    )

    def setup(self, model) -> None:
        """Declare the hospice state and its hazard factor."""
        super().setup(model)
        self.params: HospiceParams = model.scenario.hospice
        pop = model.population
        pop.add_state("in_hospice", bool, False)
        pop.add_hazard_factor("acute", "hospice_acute_rr")
        self.patients = np.empty(0, np.int64)
        self.admitted_today = 0

    def admit(self, day: int, ids: np.ndarray) -> np.ndarray:
        """Admit referred patients while the area has a bed free; returns who."""
        m, pop = self.model, self.model.population
        self.patients = self.patients[pop.alive[self.patients]]
        room = m.services.total_capacity(BEDS.name) - len(self.patients)
        taken = ids[: max(room, 0)]
        pop.in_hospice[taken] = True
        pop.hospice_acute_rr[taken] = 0.0
        pop.mark_stale(taken)
        self.patients = np.concatenate([self.patients, taken])
        self.admitted_today += len(taken)
        return taken

    def record(self, day: int, today: dict[str, float]) -> None:
        """Beds occupied tonight (the dead have left) and today's admissions."""
        pop = self.model.population
        self.patients = self.patients[pop.alive[self.patients]]
        today["hospice_admissions"] = self.admitted_today
        today["hospice_beds_occupied"] = len(self.patients)
        today["hospice_beds"] = self.model.services.total_capacity(BEDS.name)
        self.admitted_today = 0
