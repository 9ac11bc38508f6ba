"""GPs admitting directly to community (intermediate care) beds instead of the acute hospital.

A direct (non-A&E) admission of an eligible patient of an integrated practice may be "stepped up"
into a community bed of the patient's neighbourhood, with a probability that scales with the
lever's strength, if a bed is free.

Example:
    >>> GPDirectAccessLever.name, GPDirectAccessLever.Params().step_up_share
    ('gp_direct_access', 0.25)
"""

from __future__ import annotations

import numpy as np

from simulation.levers.base import AcuteEpisodes, Lever, LeverParams, ramp
from simulation.metrics import Metric
from simulation.parameters import param
from simulation.random_streams import Process


class GPDirectAccess(LeverParams):
    """GPs admitting directly to community (intermediate care) beds."""

    step_up_share: float = param(
        0.25, "share", "ASSUMPTION",
        "Share of direct (non-A&E) admissions of eligible patients that "
        "a GP could place in a community bed instead, at full strength.", ge=0.0, le=1.0)


class GPDirectAccessLever(Lever):
    """Step-up into community beds for direct admissions."""

    name = "gp_direct_access"
    Params = GPDirectAccess
    stream = Process.ROUTING  # draw 4 of the routing stream, as in lco-sim 0.1
    service = "community_beds"
    metrics = (Metric("step_up_community_beds", "flow", "patients",
                      "Direct admissions placed in a community bed by a GP instead.",
                      label="GP step-ups to a community bed"),)

    def divert_direct(self, day: int, episodes: AcuteEpisodes) -> None:
        """Place eligible direct admissions in free community beds."""
        gda, model, ep = self.params, self.model, episodes
        step_up = ep.direct & ep.eligible & (self.draw(day, ep.ids, 4)
                                             < gda.step_up_share * ramp(gda, day) * ep.intensity)
        placed = np.zeros(len(ep.ids), bool)
        asked = np.flatnonzero(step_up)
        placed[asked] = model.services.serve(self.service, ep.neighbourhood[asked], ep.ids[asked])
        ep.placed |= placed
        model.today["step_up_community_beds"] = int(placed.sum())
