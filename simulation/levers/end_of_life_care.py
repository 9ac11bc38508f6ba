"""End-of-life care: advance care plans and community palliative support in the last months.

Each month, people in the final phase of life (:mod:`simulation.end_of_life`) registered with an
integrated practice are identified (a palliative care register) with probability
``identification_share x strength``, and given an advance care plan and community specialist
palliative support for the rest of their life. For them:

* the chance that the final deterioration becomes an acute episode is multiplied by
  ``final_episode_rr`` (the plan says where they want to be cared for, and a team is there to do
  it), so more die at home or in their care home;
* their acute hazard in the final phase is multiplied by ``acute_rr``.

Published effects (for the people supported, not the whole population):

* Cochrane review of home-based end-of-life care [shepperd-2021]: more
  likely to die at home, RR 1.31 (1.12 to 1.52; high-certainty evidence); admissions to hospital
  varied among trials (RR 0.62 to 2.61);
* people receiving specialist palliative care in the community: 23.9% died in hospital and 49.8%
  at home, against 51.5% and 21.8% of all deaths (PHE/NCPC minimum data set, an observational
  comparison that overstates the effect).

``final_episode_rr`` is set so that the supported cohort's home deaths rise by a ratio within the
Cochrane interval (``tests/test_end_of_life.py`` checks it against the same people without the
lever, with common random numbers).

Example:
    >>> EndOfLifeCareLever.name, EndOfLifeCareLever.Params().final_episode_rr
    ('end_of_life_care', 0.7)
"""

from __future__ import annotations

import numpy as np

from simulation.levers.base import Lever, LeverParams
from simulation.metrics import Metric
from simulation.parameters import param
from simulation.parts import CostItem


class EndOfLifeCare(LeverParams):
    """Advance care planning and community palliative support."""

    identification_share: float = param(
        0.5, "share of people in their final phase",
        "ASSUMPTION: about half of the people in their last months are recognised and put on a "
        "practice's palliative care register at full strength (sudden deaths never are)",
        "Chance a month that a person in their final phase is identified and supported, at full "
        "strength.", ge=0.0, le=1.0)
    final_episode_rr: float = param(
        0.70, "ratio", "CALIBRATED so that supported people's home deaths rise by a ratio within "
        "the Cochrane interval RR 1.31 (1.12-1.52) for dying at home [shepperd-2021] ("
        "CD009231.pub3)", "Ratio on a supported person's chance that the final deterioration "
        "becomes an acute episode.", ge=0.0, le=1.0)
    acute_rr: float = param(
        0.9, "hazard ratio", "ASSUMPTION: [shepperd-2021]: admissions to hospital varied "
        "among trials (RR 0.62 to 2.61); a small fall", "Ratio on a supported person's acute "
        "hazard in the final phase.", gt=0.0, le=3.0)


class EndOfLifeCareLever(Lever):
    """Identifies people in their last months and supports them to die where they choose."""

    name = "end_of_life_care"
    Params = EndOfLifeCare
    metrics = (
        Metric("end_of_life_plans", "flow", "people",
               "People given an advance care plan and palliative support today."),
        Metric("end_of_life_supported", "stock", "people",
               "People in their final phase with an advance care plan and palliative support."),
    )
    cost_items = (CostItem("end_of_life_support_person", "community",
                           "people given an advance care plan and community palliative support",
                           "end_of_life_plans", lambda m, s: float(m["end_of_life_plans"])),)

    def setup(self, model) -> None:
        """Declare who has a plan."""
        super().setup(model)
        model.population.add_state("end_of_life_plan", bool, False)
        self.started = 0
        self.supported = np.empty(0, np.int64)

    def monthly(self, day: int) -> None:
        """Identify people in their final phase; supported people get the plan's ratios."""
        p, pop = self.params, self.model.population
        self.supported = self.supported[pop.alive[self.supported]]
        if self.strongest(day) > 0:
            n = pop.n
            ids = np.flatnonzero(pop.alive[:n] & pop.dying[:n] & ~pop.end_of_life_plan[:n]
                                 & (pop.dies_on[:n] > day + 1))
            strength = self.ramp(day) * self.model.practice_intensity[pop.practice[ids]]
            new = ids[self.draw(day, ids) < p.identification_share * strength]
            pop.end_of_life_plan[new] = True
            pop.eol_final_rr[new] = p.final_episode_rr
            self.supported = np.concatenate([self.supported, new])
            self.started += len(new)
        if len(self.supported):
            pop.modifiers.set("acute", self.name, self.supported, np.float32(p.acute_rr))

    def record(self, day: int, today: dict[str, float]) -> None:
        """Plans started today (on the monthly review) and people supported."""
        pop = self.model.population
        today["end_of_life_plans"] = self.started
        today["end_of_life_supported"] = int(pop.alive[self.supported].sum())
        self.started = 0
