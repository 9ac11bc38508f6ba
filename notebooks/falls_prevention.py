"""A researcher's own lever, outside the package: falls prevention for frail people aged 75+.

Integrated practices refer their patients aged 75 and over with moderate or severe frailty
(condition tier 2 or 3) to strength-and-balance classes, which lower their risk of an acute
deterioration. The lever uses only lco-sim's public interfaces (:class:`simulation.levers.Lever`,
``population.modifiers``), so it can be passed to ``LCOModel(levers=[...])`` or named in an
experiment file (``levers = ["falls_prevention.py:FallsPrevention"]``) and swept on any number of
Dask workers with common random numbers.

The effect is an ASSUMPTION for illustration, exposed as a parameter: a hazard ratio of 0.85 for
referred patients. Exercise programmes reduce the rate of falls by about a quarter in
community-dwelling older people [sherrington-2019];
only some deteriorations are falls.

Example:
    >>> from simulation.model import LCOModel
    >>> from simulation.scenario import Scenario
    >>> model = LCOModel(Scenario.preset("full", scale=0.005, years=2), seed=1,
    ...                  levers=[FallsPrevention()]).run(days=400)
    >>> model.part("falls_prevention").referred_now > 0
    True
"""

from __future__ import annotations

import numpy as np

from simulation.levers import Lever, LeverParams, scaled_ratio
from simulation.metrics import Metric
from simulation.parameters import param


class FallsPreventionParams(LeverParams):
    """Strength-and-balance classes for frail older people."""

    hazard_ratio: float = param(
        0.85, "hazard ratio", "ASSUMPTION: falls -25% with exercise [sherrington-2019]; "
        "only some deteriorations are falls", "Acute hazard ratio of a referred patient at full "
        "strength.", gt=0.0, le=2.0)
    min_age: int = param(75, "years", "ASSUMPTION: the usual age of falls services",
                         "Youngest eligible age.", ge=0, le=110)
    min_tier: int = param(2, "tier", "ASSUMPTION: moderate or severe frailty",
                          "Lowest eligible condition tier.", ge=0, le=3)


class FallsPrevention(Lever):
    """Refers frail older patients of integrated practices; lowers their acute hazard."""

    name = "falls_prevention"
    Params = FallsPreventionParams
    metrics = (Metric("falls_prevention_referred", "stock", "patients",
                      "Patients eligible for falls prevention at an integrated practice."),)

    def setup(self, model) -> None:
        """Nobody is referred before the first monthly review."""
        super().setup(model)
        self.referred_now = 0

    def monthly(self, day: int) -> None:
        """Set the acute-hazard modifier of eligible patients, by their practice's intensity."""
        model, p = self.model, self.params
        pop = model.population
        ids = np.flatnonzero(pop.alive[: pop.n])
        eligible = (pop.ages(day, ids) >= p.min_age) & (pop.tier[ids] >= p.min_tier)
        ids = ids[eligible]
        strength = self.ramp(day) * model.practice_intensity[pop.practice[ids]]
        referred = strength > 0
        ratio = scaled_ratio(p.hazard_ratio, strength[referred]).astype(np.float32)
        pop.modifiers.set("acute", self.name, ids[referred], ratio)
        self.referred_now = int(referred.sum())

    def record(self, day: int, today: dict[str, float]) -> None:
        """How many patients the service holds today."""
        today["falls_prevention_referred"] = self.referred_now
