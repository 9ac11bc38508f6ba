"""Risk stratification and case management of high-risk patients.

Each month, high-risk patients (frail, or multimorbid and aged 65+) of integrated practices are
offered case management up to the caseload of the pool serving their neighbourhood (its team's own
at full scale, :mod:`simulation.services`). A patient's propensity is a fixed
keyed uniform, so as coverage ramps up the same patients stay enrolled and more join; only
candidates are hashed, not everyone. Enrolment is lasting. A newly enrolled patient's acute hazard
first rises (case finding uncovers unmet need), then falls a little ([roland-2012],
[stokes-2015], [poupard-2020]).

Example:
    >>> CaseManagementLever.name, [m.name for m in CaseManagementLever.metrics]
    ('case_management', ['case_managed'])
"""

from __future__ import annotations

import numpy as np

from simulation.levers.base import Lever, LeverParams, ramp
from simulation.metrics import Metric
from simulation.parameters import param
from simulation.parts import CostItem
from simulation.random_streams import Process


class CaseManagement(LeverParams):
    """Risk stratification and case management of high-risk patients."""

    coverage: float = param(
        0.5, "share of high-risk patients", "ASSUMPTION (capacity-limited by the caseload)",
        "Share of high-risk patients of integrated practices offered case management.",
        ge=0.0, le=1.0)
    hazard_rr: float = param(
        0.95, "hazard ratio", "Meta-analyses null [stokes-2015]; SMD -0.09 (-0.27 to 0.10) "
        "[poupard-2020]. ASSUMPTION: a small sustained benefit within that interval",
        "Acute hazard ratio for a case-managed patient after the case-finding period.",
        gt=0.0, le=3.0)
    case_finding_rr: float = param(
        1.09, "hazard ratio", "Six ICP case-management sites: emergency admissions +9% at "
        "6 months [roland-2012]: new capacity finds unmet need", "Acute hazard ratio in the "
        "first months after enrolment.", gt=0.0, le=3.0)
    case_finding_months: int = param(
        6, "months", "Effect measured at 6 months [roland-2012]",
        "Length of the case-finding period.", ge=0, le=60)


def high_risk(tier: np.ndarray, age: np.ndarray) -> np.ndarray:
    """Frail (tier 3), or multimorbid (tier 2) and aged 65 or over."""
    return (tier == 3) | ((tier == 2) & (age >= 65))


class CaseManagementLever(Lever):
    """Case management of high-risk patients within each team's caseload."""

    name = "case_management"
    Params = CaseManagement
    stream = Process.CASE_FINDING
    metrics = (Metric("case_managed", "stock", "patients",
                      "Patients enrolled in case management (a stock; its yearly sum is "
                      "patient-days).", label="Patients case-managed"),)
    cost_items = (
        CostItem("case_management_contact", "community", "case-management contacts",
                 "case_managed (patient-days) x contacts per week / 7",
                 lambda m, s: float(m["case_managed"])
                 * s.community.case_management_contacts_per_week / 7.0),)

    def setup(self, model) -> None:
        """Give every patient an enrolment day (-1: not enrolled)."""
        super().setup(model)
        model.population.add_state("case_managed_since", np.int32, -1)
        self.enrolled_now = 0

    def monthly(self, day: int) -> None:
        """Enrol candidates up to each team's caseload; set enrolled patients' acute ratio."""
        cm, model = self.params, self.model
        pop = model.population
        level = self.strongest(day)
        if level == 0 and not self.enrolled_now:
            return
        n = pop.n
        alive = pop.alive[:n]
        since = pop.case_managed_since
        if level > 0:
            ids = np.flatnonzero(alive & (since[:n] < 0) & (pop.tier[:n] >= 2))
            ids = ids[high_risk(pop.tier[ids], pop.ages(day, ids))]
            strength = ramp(cm, day) * model.practice_intensity[pop.practice[ids]]
            propensity = self.draw(0, ids)
            want = propensity < cm.coverage * strength
            cand = ids[want][np.argsort(propensity[want], kind="stable")]
            enrolled = np.flatnonzero(alive & (since[:n] >= 0))
            current = np.bincount(pop.neighbourhood[enrolled], minlength=model.n_neighbourhoods)
            since[cand[model.services.serve("case_management", pop.neighbourhood[cand],
                                            in_use=current)]] = day
        enrolled = np.flatnonzero(alive & (since[:n] >= 0))
        finding = day - since[enrolled] < cm.case_finding_months * 30.44
        pop.modifiers.set("acute", self.name, enrolled,
                          np.where(finding, cm.case_finding_rr, cm.hazard_rr).astype(np.float32))
        self.enrolled_now = len(enrolled)

    def record(self, day: int, today: dict[str, float]) -> None:
        """Patients enrolled now."""
        today["case_managed"] = self.enrolled_now
