"""Geriatricians and paediatricians working in the community: fewer admissions of the multimorbid.

Example:
    >>> SpecialistCommunityLever.name, SpecialistCommunityLever.Params().conversion_rr
    ('specialist_community', 0.92)
"""

from __future__ import annotations

import numpy as np

from simulation.levers.base import AcuteEpisodes, Lever, LeverParams, ramp, scaled_ratio
from simulation.parameters import param


class SpecialistCommunity(LeverParams):
    """Geriatricians and paediatricians working in the community."""

    conversion_rr: float = param(
        0.92, "ratio", "ASSUMPTION within [damery-2016] (MDTs with condition-specific expertise "
        "most effective)", "Ratio on A&E conversion of tier-2+ patients at full strength.",
        gt=0.0, le=2.0)


class SpecialistCommunityLever(Lever):
    """Lower A&E conversion of multimorbid (tier 2+) patients."""

    name = "specialist_community"
    Params = SpecialistCommunity

    def conversion_ratio(self, day: int, episodes: AcuteEpisodes) -> np.ndarray:
        """The conversion ratio for tier-2+ patients at their strength (1 for the others)."""
        sc = self.params
        return np.where(episodes.tier >= 2,
                        scaled_ratio(sc.conversion_rr, ramp(sc, day) * episodes.intensity), 1.0)
