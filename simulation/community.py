"""Neighbourhood community teams: the organisations that hold the community services' capacity.

One integrated team per neighbourhood (12 integrated neighbourhood teams in Manchester,
[mlco-neighbourhood-teams-nd]). A team is a Mesa agent holding one pool of each declared service
(:mod:`simulation.services`): concurrent places for home support (reablement) and community
(intermediate care) beds, a daily number of 2-hour crisis responses, and a case-management caseload.
When a place is not free the person waits (a hospital patient stays in bed: a delayed discharge) or
is turned away (a crisis response becomes an A&E attendance).

The LCO's community investment raises every pool by the team's ``uplift``, set each morning.

Example:
    >>> import mesa
    >>> from simulation.services import new_pool
    >>> team = CommunityTeam(mesa.Model(), neighbourhood=0,
    ...                      pools={"crisis": new_pool("daily", 2.0, 0.0),
    ...                             "home_support": new_pool("places", 1.0, 0.0)})
    >>> team.start_day(day=0, uplift=0.0)
    >>> team.pools["crisis"].take(3), team.pools["home_support"].free(team.uplift)
    (2, 1)
"""

from __future__ import annotations

import mesa

from simulation.services import DailyPool, PlacePool

GOLDEN_FRACTION = 0.6180339887498949
"""Spacing of the teams' rounding offsets (a low-discrepancy sequence over neighbourhoods)."""


def rounding_offset(neighbourhood: int) -> float:
    """The team's fixed offset for rounding fractional capacity to whole places."""
    return (neighbourhood * GOLDEN_FRACTION) % 1.0


class CommunityTeam(mesa.Agent):
    """A neighbourhood's integrated community team.

    Args:
        model: the Mesa model.
        neighbourhood: the neighbourhood index it serves.
        pools: one capacity pool per service name (see :func:`simulation.services.new_pool`).
    """

    def __init__(self, model: mesa.Model, neighbourhood: int, pools: dict):
        super().__init__(model)
        self.neighbourhood = neighbourhood
        self.pools = pools
        self.uplift = 0.0

    def start_day(self, day: int, uplift: float,
                  service_uplift: dict[str, float] | None = None) -> None:
        """Release places whose episodes end today and set today's daily capacity.

        ``service_uplift`` gives a service its own uplift (from its staff in post), else the
        team's ``uplift``.
        """
        self.uplift = uplift
        service_uplift = service_uplift or {}
        for name, pool in self.pools.items():
            if isinstance(pool, PlacePool):
                pool.release(day)
            elif isinstance(pool, DailyPool):
                pool.start_day(service_uplift.get(name, uplift))
