"""Discharge to assess and trusted assessors: a shorter wait for assessment before discharge.

Example:
    >>> DischargeToAssessLever.name, DischargeToAssessLever.Params().assessment_reduction
    ('discharge_to_assess', 0.5)
"""

from __future__ import annotations

import numpy as np

from simulation.levers.base import Admissions, Lever, LeverParams, ramp
from simulation.parameters import param


class DischargeToAssess(LeverParams):
    """Discharge to assess and trusted assessors."""

    assessment_reduction: float = param(
        0.5, "share of assessment delay removed", "ASSUMPTION; early supported discharge "
        "LOS -6 days [williams-2022] is an upper bound", "Reduction of the assessment delay "
        "at full strength.", ge=0.0, le=1.0)


class DischargeToAssessLever(Lever):
    """Shortens the assessment delay of patients who need support after discharge."""

    name = "discharge_to_assess"
    Params = DischargeToAssess

    def assessment_ratio(self, day: int, admissions: Admissions) -> np.ndarray:
        """``1 - reduction x strength``, by the neighbourhood's integration intensity."""
        d2a = self.params
        strength = ramp(d2a, day) * self.model.neighbourhood_intensity[admissions.neighbourhood]
        return 1 - d2a.assessment_reduction * strength
