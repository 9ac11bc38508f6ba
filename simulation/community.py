"""Neighbourhood community teams: the organisations that hold the community services' capacity.

One integrated team per neighbourhood (12 integrated neighbourhood teams in Manchester,
[mlco-neighbourhood-teams-nd]). A team is a Mesa agent that offers every declared service
(:mod:`simulation.services`): concurrent places for home support (reablement) and community
(intermediate care) beds, 2-hour crisis responses, and a case-management caseload. ``pools`` maps
each service to the pool that serves the team: its own at full scale; at reduced scale a pool
shared with the teams next to it, so that each pool is about the size of one real team
(:func:`simulation.services.pool_layout`). When a place is not free the person waits (a
hospital patient stays in bed: a delayed discharge) or is turned away (a crisis response becomes
an A&E attendance).

The LCO's community investment raises the team's share of every pool by its ``uplift``, set each
morning by :meth:`simulation.services.ServiceDirectory.start_day`.

Example:
    >>> import mesa
    >>> from simulation.services import new_pool
    >>> team = CommunityTeam(mesa.Model(), neighbourhood=0,
    ...                      pools={"crisis": new_pool("daily", 2.0),
    ...                             "home_support": new_pool("places", 1.0)})
    >>> team.pools["crisis"].start_day(uplift=0.0)
    >>> team.pools["crisis"].take(3), team.pools["home_support"].free()
    (2, 1)
"""

from __future__ import annotations

import mesa


class CommunityTeam(mesa.Agent):
    """A neighbourhood's integrated community team.

    Args:
        model: the Mesa model.
        neighbourhood: the neighbourhood index it serves.
        pools: the pool serving it for each service name (the model's
            :class:`~simulation.services.ServiceDirectory` fills this in).
    """

    def __init__(self, model: mesa.Model, neighbourhood: int, pools: dict | None = None):
        super().__init__(model)
        self.neighbourhood = neighbourhood
        self.pools = dict(pools or {})
        self.uplift = 0.0
