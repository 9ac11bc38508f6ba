"""Integration levers: how strongly each acts on a given day and for a given practice.

A lever's strength for a patient is ``ramp(day) * intensity[status of their practice]``:

* ``ramp`` rises linearly from 0 at ``ramp_start_years`` to 1 at ``ramp_start_years + ramp_years``
  (the published time profile: little effect for about two years, reductions after 4.5-6 years;
  calibration-facts §8 item 3);
* ``intensity`` is 0 for a practice that has not integrated and rises with its status (virtual,
  partial, full), so integration spreads as practices adopt it.

Probabilities scale with strength (a half-strength lever refers half as many patients); a
referred patient gets the lever's full effect. Ratios on rates scale linearly:
``1 + (ratio - 1) * strength``.

Example:
    >>> from simulation.scenario import LeverParams
    >>> lever = LeverParams(ramp_start_years=1, ramp_years=4)
    >>> [round(ramp(lever, day), 2) for day in (0, 365, 3 * 365, 5 * 365, 9 * 365)]
    [0.0, 0.0, 0.5, 1.0, 1.0]
    >>> scaled_ratio(0.8, 0.5)
    0.9
"""

from __future__ import annotations

import numpy as np

from simulation.scenario import LeverParams

DAYS_PER_YEAR = 365.25


def ramp(lever: LeverParams, day: int) -> float:
    """Share of the lever's full effect reached on ``day`` (0 before the ramp starts)."""
    years = day / DAYS_PER_YEAR - lever.ramp_start_years
    if years <= 0:
        return 0.0
    if lever.ramp_years <= 0:
        return 1.0
    return float(min(1.0, years / lever.ramp_years))


def scaled_ratio(ratio: float | np.ndarray, strength: float | np.ndarray) -> float | np.ndarray:
    """A rate ratio applied at partial strength: 1 at strength 0, ``ratio`` at strength 1."""
    return 1 + (ratio - 1) * strength
