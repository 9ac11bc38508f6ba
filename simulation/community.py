"""Neighbourhood community teams: crisis response, home support, community beds, case management.

One integrated team per neighbourhood (calibration-facts §6: 12 integrated neighbourhood teams).
Each service is a finite capacity: a daily number of 2-hour crisis responses, and concurrent places
for home support (reablement) and community (intermediate care) beds, whose occupants leave when
their episode ends. When a place is not free, the person waits (a hospital patient stays in bed:
a delayed discharge) or is turned away (a crisis response becomes an A&E attendance).

Example:
    >>> import mesa
    >>> team = CommunityTeam(mesa.Model(), neighbourhood=0, crisis_per_day=2.0,
    ...                      home_support_places=1.0, community_beds=0.0, case_places=10.0)
    >>> team.start_day(day=0, uplift=0.0)
    >>> team.take_crisis(3), team.free_home_support()
    (2, 1)
"""

from __future__ import annotations

import math

import mesa
import numpy as np


class CommunityTeam(mesa.Agent):
    """A neighbourhood's integrated community team.

    Capacities are given before the integration uplift; ``start_day`` applies the uplift the LCO
    is paying for and releases places whose episodes ended.

    Capacities are fractional at reduced scale (14 beds per 100,000 is 0.35 beds for 2,500
    people). Each team rounds with its own fixed offset (a golden-ratio sequence over the
    neighbourhood index), so across teams the whole places add up to the citywide total instead
    of every team rounding 0.35 down to nothing.
    """

    def __init__(self, model: mesa.Model, neighbourhood: int, crisis_per_day: float,
                 home_support_places: float, community_beds: float, case_places: float):
        super().__init__(model)
        self.neighbourhood = neighbourhood
        self.base_crisis_per_day = crisis_per_day
        self.base_home_support_places = home_support_places
        self.base_community_beds = community_beds
        self.base_case_places = case_places
        self.extra_home_support_places = 0.0  # bought by reinvestment (finance module)
        self.home_support_end = np.empty(0, np.int32)
        self.community_bed_end = np.empty(0, np.int32)
        self.crisis_capacity_today = 0
        self.crisis_used_today = 0
        self._crisis_carry = 0.0
        self.uplift = 0.0
        self._offset = (neighbourhood * 0.6180339887498949) % 1.0

    # capacities with the LCO's investment -------------------------------------------------
    @property
    def home_support_places(self) -> int:
        """Concurrent home-support places today."""
        return self._whole(self.base_home_support_places * (1 + self.uplift)
                           + self.extra_home_support_places)

    @property
    def community_beds(self) -> int:
        """Community beds today."""
        return self._whole(self.base_community_beds * (1 + self.uplift))

    @property
    def case_places(self) -> int:
        """Case-management caseload capacity."""
        return self._whole(self.base_case_places * (1 + self.uplift))

    def _whole(self, places: float) -> int:
        return int(math.floor(places + self._offset))

    def start_day(self, day: int, uplift: float) -> None:
        """Release places whose episodes end today and set today's crisis capacity."""
        self.uplift = uplift
        self.home_support_end = self.home_support_end[self.home_support_end > day]
        self.community_bed_end = self.community_bed_end[self.community_bed_end > day]
        total = self.base_crisis_per_day * (1 + uplift) + self._crisis_carry
        self.crisis_capacity_today = math.floor(total)
        self._crisis_carry = total - self.crisis_capacity_today
        self.crisis_used_today = 0

    # services ---------------------------------------------------------------------------
    def take_crisis(self, wanted: int) -> int:
        """Use up to ``wanted`` crisis responses today; returns how many were available."""
        got = max(0, min(wanted, self.crisis_capacity_today - self.crisis_used_today))
        self.crisis_used_today += got
        return got

    def free_home_support(self) -> int:
        """Home-support places free now."""
        return max(0, self.home_support_places - len(self.home_support_end))

    def free_community_beds(self) -> int:
        """Community beds free now."""
        return max(0, self.community_beds - len(self.community_bed_end))

    def start_home_support(self, end_days: np.ndarray) -> None:
        """Occupy places until ``end_days`` (callers check :meth:`free_home_support` first)."""
        self.home_support_end = np.concatenate([self.home_support_end, end_days.astype(np.int32)])

    def start_community_bed(self, end_days: np.ndarray) -> None:
        """Occupy community beds until ``end_days``."""
        self.community_bed_end = np.concatenate([self.community_bed_end,
                                                 end_days.astype(np.int32)])

    @property
    def home_support_occupied(self) -> int:
        """Home-support places in use."""
        return len(self.home_support_end)

    @property
    def community_beds_occupied(self) -> int:
        """Community beds in use."""
        return len(self.community_bed_end)
