"""The Local Care Organisation: holds the integration policy and the community investment.

Each month the LCO lets practices below the scenario's level consider stepping up (see
:class:`simulation.practice.GPPractice`), then works out how strongly integration acts in each
practice and neighbourhood, and how much extra community capacity it is paying for. The budget,
spend and reinvestment of savings belong to the finance ledger, an observer of the model
(:class:`simulation.finance.ledger.Ledger`).

Example:
    >>> from simulation.scenario import Scenario
    >>> from simulation.model import LCOModel
    >>> m = LCOModel(Scenario.preset("full", scale=0.005, years=1), seed=1)
    >>> m.lco.target_status
    3
"""

from __future__ import annotations

import mesa
import numpy as np

from simulation.levers import ramp
from simulation.random_streams import Process
from simulation.scenario import PRACTICE_STATUS, IntegrationParams


class LocalCareOrganisation(mesa.Agent):
    """The LCO: integration policy, adoption incentive, and community investment."""

    def __init__(self, model: mesa.Model, policy: IntegrationParams):
        super().__init__(model)
        self.policy = policy
        self.target_status = PRACTICE_STATUS[policy.level]
        self.intensity_by_status = np.asarray(policy.status_intensity, float)

    def review_adoption(self, day: int, practices: list, neighbourhoods: int) -> int:
        """Let each willing practice below the target consider stepping up; returns how many did."""
        if self.target_status == 0 or day < 0:  # nobody adopts during the warm-up
            return 0
        u = self.model.streams.keyed(Process.ADOPTION, day, np.arange(len(practices)))
        status = np.array([p.status for p in practices])
        hood = np.array([p.neighbourhood for p in practices])
        moved = 0
        for p in practices:
            peers = (hood == p.neighbourhood) & (np.arange(len(practices)) != p.index)
            peer_share = float((status[peers] > p.status).mean()) if peers.any() else 0.0
            moved += p.consider_adoption(day, self.target_status, self.policy.adoption,
                                         peer_share, float(u[p.index]))
        return moved

    def practice_intensity(self, practices: list) -> np.ndarray:
        """Lever intensity of each practice from its status (0 if not integrated)."""
        return self.intensity_by_status[[p.status for p in practices]]

    def community_uplift(self, day: int, neighbourhood_intensity: np.ndarray) -> np.ndarray:
        """Extra community capacity bought in each neighbourhood, as a share of the base."""
        return (self.policy.community_uplift * ramp(self.policy.crisis_response, day)
                * neighbourhood_intensity)
