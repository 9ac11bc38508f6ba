"""Daily counts: model-level metrics and breakdowns by neighbourhood, age band and deprivation.

Model-level series also go through Mesa's DataCollector (see :mod:`simulation.model`); this
recorder keeps the grouped counts, which the DataCollector is not built for, as dense arrays.

Example:
    >>> rec = BreakdownRecorder(days=2, groups={"neighbourhood": 3}, metrics=("deaths",))
    >>> rec.add("deaths", day=1, codes={"neighbourhood": np.array([0, 2, 2])})
    >>> rec.counts["deaths"]["neighbourhood"][1].tolist()
    [1, 0, 2]
"""

from __future__ import annotations

import numpy as np


class BreakdownRecorder:
    """Counts of events per day and group, for each grouping dimension."""

    def __init__(self, days: int, groups: dict[str, int], metrics: tuple[str, ...]):
        self.groups = groups
        self.counts = {m: {g: np.zeros((days, n), np.int32) for g, n in groups.items()}
                       for m in metrics}

    def add(self, metric: str, day: int, codes: dict[str, np.ndarray]) -> None:
        """Count events of ``metric`` on ``day``; ``codes``: each event's group by dimension."""
        for g, n in self.groups.items():
            self.counts[metric][g][day] += np.bincount(codes[g], minlength=n)[:n].astype(np.int32)
