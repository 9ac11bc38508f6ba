"""Two-hour urgent community response (hospital at home) for eligible deteriorations.

A deterioration of an eligible patient (65+ or multimorbid) of an integrated practice is referred
to the neighbourhood's crisis response with a probability that scales with the lever's strength; if
a response is free in the current period of the pool serving the neighbourhood (one day at full
scale, :mod:`simulation.services`) it comes, and with ``avoidance_probability`` the person is cared
for at home instead of going to A&E or being admitted ([shepperd-2016]).

Example:
    >>> CrisisResponseLever.name, CrisisResponseLever.Params().avoidance_probability
    ('crisis_response', 0.55)
"""

from __future__ import annotations

import numpy as np

from simulation.levers.base import AcuteEpisodes, Lever, LeverParams, ramp
from simulation.metrics import BREAKDOWN_DIMENSIONS, Metric
from simulation.parameters import param
from simulation.parts import CostItem
from simulation.random_streams import Process


class CrisisResponse(LeverParams):
    """Two-hour urgent community response / hospital at home."""

    referral_share: float = param(
        0.30, "share of eligible deteriorations", "ASSUMPTION",
        "Share of deteriorations of eligible patients (65+ or tier 2+) referred at full strength.",
        ge=0.0, le=1.0)
    avoidance_probability: float = param(
        0.55, "probability",
        "ASSUMPTION: admission-avoidance hospital at home is an alternative to "
        "admission for selected patients [shepperd-2016]", "Probability that a response "
        "keeps the person at home.", ge=0.0, le=1.0)


class CrisisResponseLever(Lever):
    """Crisis response keeps some deteriorating patients at home."""

    name = "crisis_response"
    Params = CrisisResponse
    stream = Process.ROUTING  # draws 0 and 1 of the routing stream, as in lco-sim 0.1
    service = "crisis_response"
    metrics = (
        Metric("crisis_responses", "flow", "responses", "2-hour crisis responses given today.",
               breakdowns=BREAKDOWN_DIMENSIONS, label="2-hour crisis responses"),
        Metric("crisis_avoided_admissions", "flow", "episodes",
               "Acute episodes cared for at home after a crisis response.",
               label="Admissions avoided by crisis response"))
    cost_items = (CostItem("crisis_response", "community", "2-hour crisis responses",
                           "crisis_responses", lambda m, s: float(m["crisis_responses"])),)

    def divert_acute(self, day: int, episodes: AcuteEpisodes) -> None:
        """Refer eligible episodes, within each team's responses today; some stay at home."""
        cr, model, ep = self.params, self.model, episodes
        referred = ep.eligible & (self.draw(day, ep.ids, 0)
                                  < cr.referral_share * ramp(cr, day) * ep.intensity)
        responded = np.zeros(len(ep.ids), bool)
        asked = np.flatnonzero(referred)
        responded[asked] = model.services.serve(self.service, ep.neighbourhood[asked])
        avoided = responded & (self.draw(day, ep.ids, 1) < cr.avoidance_probability)
        ep.avoided |= avoided
        model.today["crisis_responses"] = int(responded.sum())
        model.today["crisis_avoided_admissions"] = int(avoided.sum())
        model.count_events("crisis_responses", day, ep.ids[responded])
