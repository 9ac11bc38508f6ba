"""Summaries over replications: the mean and its Student-t confidence interval.

Example:
    >>> [round(x, 3) for x in mean_ci([1.0, 2.0, 3.0])]
    [2.0, -0.484, 4.484]
    >>> [round(x, 3) for x in mean_ci([1.0, 2.0, 3.0], level=0.99)]
    [2.0, -3.73, 7.73]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats


def mean_ci(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean and t-based confidence interval of the finite values; NaN interval below 2 values."""
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], float)
    if len(v) == 0:
        return (np.nan, np.nan, np.nan)
    m = float(v.mean())
    if len(v) < 2:
        return (m, np.nan, np.nan)
    half = float(stats.t.ppf(0.5 + level / 2, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v)))
    return (m, m - half, m + half)
