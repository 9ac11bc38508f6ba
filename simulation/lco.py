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
        self.contracts_signed = False

    def contract_statuses(self, n_practices: int) -> np.ndarray:
        """Each practice's contracted status (``contracts.assignment = "contracted"``).

        Named practices take their contract; otherwise practices are taken in a fixed random
        order (keyed by practice number, not by the policy, so every arm picks the same practices
        first) and the first ``share x n`` get each contract in turn, fullest contract first.

        Raises:
            ValueError: a named practice number beyond the run's practices.
        """
        c = self.policy.contracts
        status = np.zeros(n_practices, np.int64)
        if c.practices:
            for level, numbers in c.practices.items():
                beyond = [k for k in numbers if k > n_practices]
                if beyond:
                    raise ValueError(f"integration.contracts.practices.{level}: practices "
                                     f"{beyond} do not exist; the run has {n_practices}")
                status[np.asarray(numbers, np.int64) - 1] = PRACTICE_STATUS[level]
            return status
        shares = dict(c.shares) or {self.policy.level: c.share}
        order = np.argsort(self.model.streams.keyed(Process.ADOPTION, -1, np.arange(n_practices)),
                           kind="stable")
        start = 0
        for level in ("full", "partial", "virtual"):
            k = int(round(shares.get(level, 0.0) * n_practices))
            status[order[start:start + k]] = PRACTICE_STATUS[level]
            start += k
        return status

    def review_adoption(self, day: int, practices: list, neighbourhoods: int) -> int:
        """Let each willing practice below the target consider stepping up; returns how many did.

        Under contracted assignment the contracts take effect on day 0 and nothing moves after.
        """
        if day < 0:  # nobody adopts during the warm-up
            return 0
        if self.policy.contracts.assignment == "contracted":
            if self.contracts_signed:
                return 0
            self.contracts_signed = True
            status = self.contract_statuses(len(practices))
            for p in practices:
                p.status = int(status[p.index])
                p.status_since_day = day
            return int((status > 0).sum())
        if self.target_status == 0:
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
