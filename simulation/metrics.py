"""Metrics: what every part of the model reports, declared before the data collector is built.

Each part (the patient pathways, a service, a lever, an observer such as the finance ledger)
declares the daily series it produces as :class:`Metric` objects. The model gathers them into one
:class:`MetricRegistry` in the order the parts are listed and builds Mesa's ``DataCollector`` from
it, so a new part adds a metric by declaring it, never by editing a fixed tuple.

A metric is a **flow** (events counted over the day: admissions, deaths; summed over a period) or a
**stock** (what exists on the day: occupied beds, people case-managed; averaged over a period).
``breakdowns`` names the grouping dimensions at which the part also counts it (neighbourhood, age
band, deprivation quintile); ``level`` says whether it is a model-wide series (``all``) or one
series per hospital (``hospital``) or a yearly account (``finance``), or one series per category
of its own dimension (``category``: deaths by ``place``, say, with ``categories`` naming the
groups).

Every metric also has a plain-English ``title`` for figures and tables: its declared ``label``,
or its name in words (``ae_attendances`` reads "A&E attendances").

Example:
    >>> reg = MetricRegistry()
    >>> reg.add(Metric("deaths", "flow", "people", "Deaths today.",
    ...                breakdowns=BREAKDOWN_DIMENSIONS))
    >>> reg.add(Metric("occupied_beds", "stock", "beds", "Beds occupied tonight.",
    ...                label="Acute beds occupied"))
    >>> reg.names(), reg.is_stock("occupied_beds")
    (('deaths', 'occupied_beds'), True)
    >>> sorted(reg.recorded_dimensions("deaths"))
    ['age_band', 'all', 'deprivation_quintile', 'neighbourhood']
    >>> reg["occupied_beds"].title, plain_name("gp_unmet_to_ae")
    ('Acute beds occupied', 'GP unmet to A&E')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

BREAKDOWN_DIMENSIONS = ("neighbourhood", "age_band", "deprivation_quintile")
"""Grouping dimensions of patient events (see :class:`simulation.recorder.BreakdownRecorder`)."""

LEVELS = ("all", "hospital", "finance", "category")
"""Where a metric is recorded: model-wide daily, per hospital daily, the yearly finance account,
or daily per category of the metric's own ``dimension``."""

KINDS = ("stock", "flow")

_WORDS = {"ae": "A&E", "gp": "GP", "30d": "within 30 days"}
"""Abbreviations in metric names and how they read in English."""


def plain_name(name: str) -> str:
    """A metric name in words: underscores become spaces, abbreviations are spelt as read."""
    words = [_WORDS.get(w, w) for w in name.split("_") if w]
    text = " ".join(words) or name
    return text[0].upper() + text[1:]


@dataclass(frozen=True)
class Metric:
    """One reported series.

    Args:
        name: the ``metric`` column of the results table (unique across parts).
        kind: ``stock`` (averaged over a period by default) or ``flow`` (summed).
        unit: what one unit of the value is (people, beds, £, ...).
        description: one plain sentence for the user guide.
        breakdowns: grouping dimensions at which it is also counted.
        level: ``all``, ``hospital``, ``finance`` or ``category``.
        dimension: the results-table dimension of a ``category`` metric (e.g. ``place``).
        categories: the groups of a ``category`` metric, in order (e.g. hospital, home, ...).
        label: a short plain-English name for figure axes and legends (default: the name in
            words, :func:`plain_name`).
    """

    name: str
    kind: str
    unit: str
    description: str
    breakdowns: tuple[str, ...] = ()
    level: str = "all"
    dimension: str = ""
    categories: tuple[str, ...] = ()
    label: str = ""

    @property
    def title(self) -> str:
        """The plain-English name: ``label``, else the name in words."""
        return self.label or plain_name(self.name)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"metric {self.name}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.level not in LEVELS:
            raise ValueError(f"metric {self.name}: level must be one of {LEVELS}, "
                             f"got {self.level!r}")
        unknown = set(self.breakdowns) - set(BREAKDOWN_DIMENSIONS)
        if unknown:
            raise ValueError(f"metric {self.name}: unknown breakdowns {sorted(unknown)}")
        if (self.level == "category") != bool(self.dimension and self.categories):
            raise ValueError(f"metric {self.name}: a 'category' metric, and only one, names its "
                             "dimension and categories")
        reserved = {*BREAKDOWN_DIMENSIONS, *LEVELS}
        if self.level == "category" and self.dimension in reserved:
            raise ValueError(f"metric {self.name}: dimension {self.dimension!r} is taken")


class MetricRegistry:
    """Every metric of one model (or of a set of part classes), in declaration order.

    A name may be declared at more than one level (``occupied_beds`` for the whole area and for
    each hospital), with the same kind.
    """

    def __init__(self, metrics: Iterable[Metric] = ()):
        self._metrics: dict[tuple[str, str], Metric] = {}
        for m in metrics:
            self.add(m)

    def add(self, metric: Metric) -> None:
        """Register ``metric``; a second declaration of a name and level must be the same."""
        key = (metric.name, metric.level)
        old = self._metrics.get(key)
        if old is not None and old != metric:
            raise ValueError(f"metric {metric.name} ({metric.level}) is declared twice, "
                             "differently")
        for (name, _), other in self._metrics.items():
            if name == metric.name and other.kind != metric.kind:
                raise ValueError(f"metric {metric.name} is a {other.kind} and a {metric.kind}")
        self._metrics[key] = metric

    def __contains__(self, name: str) -> bool:
        return any(n == name for n, _ in self._metrics)

    def __getitem__(self, name: str) -> Metric:
        for (n, _), m in self._metrics.items():
            if n == name:
                return m
        raise KeyError(name)

    def __iter__(self):
        return iter(self._metrics.values())

    def names(self, level: str | None = None) -> tuple[str, ...]:
        """Metric names (each once), optionally only those recorded at ``level``."""
        return tuple(dict.fromkeys(m.name for m in self._metrics.values()
                                   if level is None or m.level == level))

    def is_stock(self, name: str) -> bool:
        """Whether ``name`` counts what exists on a day (rather than the day's events)."""
        return self[name].kind == "stock"

    def breakdown_metrics(self) -> tuple[str, ...]:
        """Metrics counted by neighbourhood, age band and deprivation quintile."""
        return tuple(dict.fromkeys(m.name for m in self._metrics.values() if m.breakdowns))

    def recorded_dimensions(self, name: str) -> set[str]:
        """The results-table dimensions at which a run records ``name``."""
        dims: set[str] = set()
        for (n, _), m in self._metrics.items():
            if n == name:
                dims.add(m.dimension if m.level == "category" else m.level)
                dims |= set(m.breakdowns)
        return dims

    def category_metrics(self) -> tuple[Metric, ...]:
        """Metrics recorded per category of their own dimension (``level == 'category'``)."""
        return tuple(m for m in self._metrics.values() if m.level == "category")


def registry_of(parts: Iterable) -> MetricRegistry:
    """The metrics declared by ``parts`` (classes or instances with a ``metrics`` attribute)."""
    reg = MetricRegistry()
    for part in parts:
        for m in getattr(part, "metrics", ()):
            reg.add(m)
    return reg
