"""A shared electronic record across practices, community and hospital.

Clinicians who can see the history admit slightly fewer A&E attenders and discharged patients
are readmitted less often.

Example:
    >>> SharedRecordLever.name, SharedRecordLever.Params().readmission_rr
    ('shared_record', 0.93)
"""

from __future__ import annotations

import numpy as np

from simulation.levers.base import AcuteEpisodes, Lever, LeverParams, ramp, scaled_ratio
from simulation.parameters import param


class SharedRecord(LeverParams):
    """A shared electronic record across practices, community and hospital."""

    conversion_rr: float = param(
        0.97, "ratio", "ASSUMPTION: clinicians with the history admit slightly less",
        "Ratio on A&E conversion at full strength.", gt=0.0, le=2.0)
    readmission_rr: float = param(
        0.93, "ratio",
        "ASSUMPTION within the published range: readmissions -10% to -30% where "
        "interventions work [damery-2016]",
        "Ratio on the post-discharge excess hazard at full strength.", gt=0.0, le=2.0)


class SharedRecordLever(Lever):
    """Lower A&E conversion and lower excess readmission risk."""

    name = "shared_record"
    Params = SharedRecord

    def conversion_ratio(self, day: int, episodes: AcuteEpisodes) -> np.ndarray:
        """The conversion ratio at each patient's strength."""
        return scaled_ratio(self.params.conversion_rr, ramp(self.params, day) * episodes.intensity)

    def readmission_ratio(self, day: int, patients: np.ndarray) -> np.ndarray:
        """The ratio on the post-discharge excess hazard at each patient's strength."""
        pop = self.model.population
        strength = ramp(self.params, day) * self.model.practice_intensity[pop.practice[patients]]
        return scaled_ratio(self.params.readmission_rr, strength)
