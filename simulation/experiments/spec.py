"""The experiment file: a validated description of a sweep (what varies, how often, what to keep).

An experiment is read from TOML and validated with pydantic; every mistake is reported as an
:class:`ExperimentError` (a :class:`~simulation.scenario.ScenarioError`) with a one-line message
naming the field, the value given and what is allowed. Checks that need the scenario itself (does
a dotted path exist, is every arm's scenario valid) happen in
:func:`simulation.experiments.design.build_plan`, still before anything runs. The fields are
documented in ``docs/experiments.md``.

Example:
    >>> exp = Experiment.model_validate({
    ...     "name": "demo", "years": 1, "scale": 0.01, "replications": 3,
    ...     "metrics": ["emergency_admissions", "occupied_beds:sum"],
    ...     "design": {"factors": {"integration.level": ["none", "full"]}}})
    >>> exp.design.factors[0].values, [m.statistic for m in exp.metric_specs]
    (('none', 'full'), ['sum', 'sum'])
    >>> try:
    ...     Experiment.parse_dict({"name": "bad", "replications": 0, "metrics": ["deaths"],
    ...                            "design": {"factors": {"integration.level": ["full"]}}})
    ... except ExperimentError as exc:
    ...     print(exc)
    experiment: replications: 0 is out of range; allowed >= 1
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from simulation.finance.ledger import Ledger
from simulation.levers import BUILT_IN, lever_class
from simulation.metrics import MetricRegistry
from simulation.model import metric_registry
from simulation.parameters import Section
from simulation.parts import resolve_part_path
from simulation.scenario import (
    INTEGRATION_LEVELS,
    ScenarioError,
    describe_validation_error,
    read_toml,
)


class ExperimentError(ScenarioError):
    """An experiment file that cannot be run; the message is one plain line."""


DESIGN_KINDS = ("grid", "lhs", "morris", "sobol")
"""Grid of listed values; Latin hypercube (scipy.stats.qmc); SALib's Morris and Sobol designs."""

PERIODS = ("day", "month", "year")
"""How a run's daily series are aggregated before they are kept."""

DIMENSIONS = ("all", "hospital", "neighbourhood", "age_band", "deprivation_quintile", "place",
              "role", "finance")
"""Breakdowns a run records (see :meth:`simulation.model.LCOModel.results`); ``finance`` is the
LCO ledger's yearly account (:meth:`simulation.finance.ledger.Ledger.yearly`), kept with
``period = "year"`` only."""

Dimension = Literal["all", "hospital", "neighbourhood", "age_band", "deprivation_quintile", "place",
                    "role", "finance"]
"""One of :data:`DIMENSIONS`, as a type."""

FINANCE_METRICS = Ledger.finance_columns()
"""Columns of the ledger's yearly account kept with the ``finance`` dimension (money in cost-year
pounds; see the finance module). Its population, occupied beds and reinvested places are left out:
the daily series of dimension ``all`` have them."""

STATISTICS = ("sum", "mean", "min", "max", "last")
"""How the days of one period are combined into one value."""



def registry(levers: tuple[str, ...] = ()) -> MetricRegistry:
    """Every metric a run records: the model's, its extra levers' and the finance ledger's."""
    extra = tuple(lever_class(spec) for spec in levers)
    return metric_registry((*BUILT_IN, *extra), (Ledger,))


STOCK_METRICS = frozenset(m.name for m in registry() if m.kind == "stock")
"""Metrics that count what exists on a day (averaged by default); all others are daily events
(summed by default). ``delayed_discharge_bed_days`` is a daily count of delayed beds, so its sum is
bed days. Ask for ``occupied_beds:sum`` to get bed days."""

RESERVED_COLUMNS = frozenset({"arm", "arm_index", "replication", "seed", "dimension", "group",
                              "time", "metric", "value", "label", "overrides"})
"""Column names of the results and design tables, which factors may not take."""

ALL_METRICS = registry().names("all")
"""Metrics recorded at dimension ``all`` by the default model (the model's and the ledger's)."""

KNOWN_METRICS = registry().names()
"""Every metric the default model records at some dimension."""


def recorded_dimensions(metric: str, levers: tuple[str, ...] = ()) -> set[str]:
    """The dimensions at which a run (with these extra levers) records ``metric``."""
    return registry(levers).recorded_dimensions(metric)


@dataclass(frozen=True)
class MetricSpec:
    """One kept metric: the model's series and how a period's days are combined.

    ``label`` is the text in the experiment file (``"occupied_beds:sum"``) and the ``metric``
    column of the results table; ``dimensions`` are those it is kept at.
    """

    label: str
    name: str
    statistic: str
    dimensions: tuple[str, ...] = ("all",)


@dataclass(frozen=True)
class Factor:
    """One factor of a design.

    Args:
        name: the column name in the results (a dotted path, or a free name for ``scale`` factors).
        paths: the scenario parameters it sets.
        scale: values multiply the base scenario's value of every path (else they replace it).
        values: grid levels (empty for sampled designs).
        low: lower end of a sampled range.
        high: upper end of a sampled range.
    """

    name: str
    paths: tuple[str, ...]
    scale: bool = False
    values: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _parse_paths(name: str, raw: Any) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = [raw]
    if (not isinstance(raw, list) or not raw
            or not all(isinstance(p, str) and p.strip() for p in raw)):
        raise ValueError(f"{name!r}: 'scale' must list one or more dotted scenario paths, "
                         f"got {raw!r}")
    if len(set(raw)) != len(raw):
        raise ValueError(f"{name!r}: 'scale' lists a path twice ({raw!r})")
    return tuple(raw)


def parse_factor(name: str, raw: Any, sampled: bool) -> Factor:
    """Turn one ``[design.factors]`` entry into a :class:`Factor`, or raise ``ValueError``.

    Grid entries are ``"dotted.path" = [values]`` or ``name = {scale = [paths], values = [...]}``;
    sampled entries are ``"dotted.path" = {low = a, high = b}`` or
    ``name = {scale = [paths], low = a, high = b}``.
    """
    if not name.strip():
        raise ValueError("a factor needs a name (a dotted scenario path)")
    if name in RESERVED_COLUMNS:
        raise ValueError(f"{name!r}: this name is a column of the results table; choose another")
    if isinstance(raw, dict):
        keys = set(raw)
        allowed = {"scale", "low", "high"} if sampled else {"scale", "values"}
        if unknown := sorted(keys - allowed):
            hint = ("sampled designs (lhs, morris, sobol) take ranges {low, high}" if sampled
                    else "grid factors take a list of values (ranges {low, high} are for "
                    "lhs, morris and sobol designs)")
            raise ValueError(f"{name!r}: unknown key {unknown[0]!r}; {hint}")
        paths = _parse_paths(name, raw["scale"]) if "scale" in raw else (name,)
        if sampled:
            return _range_factor(name, paths, "scale" in raw, raw)
        if "scale" not in raw:
            raise ValueError(f"{name!r}: a table needs 'scale' (paths to multiply) and 'values'")
        values = raw.get("values")
        factor = _grid_factor(name, paths, True, values)
        if not all(_is_number(v) for v in factor.values):
            raise ValueError(f"{name!r}: scale values must be numbers, got {values!r}")
        return factor
    if sampled:
        raise ValueError(f"{name!r}: sampled designs (lhs, morris, sobol) need a range "
                         f"{{low = ..., high = ...}}, got {raw!r}")
    return _grid_factor(name, (name,), False, raw)


def _grid_factor(name: str, paths: tuple[str, ...], scale: bool, values: Any) -> Factor:
    if not isinstance(values, list):
        raise ValueError(f"{name!r}: expected a list of values, got {values!r}")
    if not values:
        raise ValueError(f"{name!r}: empty list of values; a grid factor needs at least one")
    if not all(isinstance(v, (str, bool)) or _is_number(v) for v in values):
        raise ValueError(f"{name!r}: values must be numbers, strings or booleans, got {values!r}")
    seen: dict[Any, Any] = {}
    for v in values:
        # 1 and 1.0 are the same value for a parameter: two such arms would be identical runs
        same = (type(v), v) if isinstance(v, (str, bool)) else (float, float(v))
        if same in seen:
            raise ValueError(f"{name!r}: the value {v!r} is listed twice (as {seen[same]!r} too) "
                             f"in {values!r}; each arm needs a different value")
        seen[same] = v
    return Factor(name, paths, scale, values=tuple(values))


def _range_factor(name: str, paths: tuple[str, ...], scale: bool, raw: dict) -> Factor:
    for end in ("low", "high"):
        if end not in raw:
            raise ValueError(f"{name!r}: range needs both low and high, missing {end!r}")
        if not _is_number(raw[end]):
            raise ValueError(f"{name!r}: {end} must be a number, got {raw[end]!r}")
    low, high = float(raw["low"]), float(raw["high"])
    if low > high:
        raise ValueError(f"{name!r}: low {low:g} is above high {high:g}")
    if low == high:
        raise ValueError(f"{name!r}: low equals high ({low:g}); a range needs width (use a grid "
                         "or base.overrides to fix a value)")
    return Factor(name, paths, scale, low=low, high=high)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    # the scenario's rule, shared: ``replications = true`` or ``"3"`` is not a number
    _numbers_are_numbers = field_validator("*", mode="before")(
        Section._numbers_are_numbers.__func__)


class BaseSpec(_Strict):
    """The scenario every arm starts from: a scenario file or a preset level, plus overrides."""

    scenario: str | None = Field(None, description="Scenario TOML path, relative to the "
                                 "experiment file (default: the default area's preset; set "
                                 "'area' in overrides for another area).")
    level: Literal["none", "virtual", "partial", "full"] | None = Field(
        None, description="Integration level preset (cannot be combined with 'scenario').")
    overrides: dict[str, Any] = Field(default_factory=dict, description="Dotted scenario paths "
                                      "and the values every arm uses.")

    @field_validator("level")
    @classmethod
    def _level(cls, v: str | None, info) -> str | None:
        if v is not None and info.data.get("scenario"):
            raise ValueError("give either 'scenario' or 'level', not both (set integration.level "
                             "in overrides instead)")
        return v


class DesignSpec(_Strict):
    """Which arms to run: a grid of listed values, or points sampled over ranges."""

    kind: Literal["grid", "lhs", "morris", "sobol"] = "grid"
    factors: tuple[Factor, ...] = Field(description="Factor name -> values (grid) or range.")
    samples: int | None = Field(None, ge=1, le=100_000, description="lhs: number of points; "
                                "sobol: base sample size N (a power of 2).")
    trajectories: int | None = Field(None, ge=2, le=10_000, description="morris: trajectories r.")
    levels: int = Field(4, ge=2, le=100, description="morris: grid levels p (even).")
    second_order: bool = Field(False, description="sobol: also estimate second-order indices.")
    seed: int | None = Field(None, ge=0, lt=2**63, description="Seed of the sampler (default: "
                             "derived from root_seed).")

    @field_validator("factors", mode="before")
    @classmethod
    def _factors(cls, raw: Any, info) -> tuple[Factor, ...]:
        if isinstance(raw, (tuple, list)) and all(isinstance(f, Factor) for f in raw):
            return tuple(raw)
        if not isinstance(raw, dict):
            raise ValueError(f"expected a table of factors, got {raw!r}")
        if not raw:
            raise ValueError("no factors; name at least one scenario parameter to vary")
        sampled = info.data.get("kind", "grid") != "grid"
        return tuple(parse_factor(str(name), value, sampled) for name, value in raw.items())

    def check_kind(self) -> None:
        """Kind-specific requirements (sample sizes), raised as ``ValueError``."""
        if self.kind == "lhs" and self.samples is None:
            raise ValueError("design.samples: an lhs design needs 'samples' (number of points)")
        if self.kind == "sobol":
            if self.samples is None:
                raise ValueError("design.samples: a sobol design needs 'samples' (N, a power of 2)")
            if self.samples & (self.samples - 1):
                raise ValueError(f"design.samples: {self.samples} is not a power of 2 "
                                 "(Sobol' sequences need N = 2^k)")
        if self.kind == "morris":
            if self.trajectories is None:
                raise ValueError("design.trajectories: a morris design needs 'trajectories'")
            if self.levels % 2:
                raise ValueError(f"design.levels: {self.levels} is odd; Morris needs an even "
                                 "number of levels")
        if self.kind != "grid" and len(self.factors) < 2 and self.kind in ("morris", "sobol"):
            raise ValueError(f"design.factors: a {self.kind} design needs at least 2 factors")
        if self.kind == "grid":
            for field in ("samples", "trajectories"):
                if getattr(self, field) is not None:
                    raise ValueError(f"design.{field}: only used by sampled designs, not grids")


class Experiment(_Strict):
    """A whole experiment file. See ``docs/experiments.md`` for every field."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80,
                      description="Short name; also the results folder name.")
    description: str = ""
    base: BaseSpec = BaseSpec()
    years: int | None = Field(None, ge=1, le=30, description="Horizon (default: the base's).")
    scale: float | None = Field(None, gt=0.0, le=2.0, description="Population and capacity "
                                "scale (default: the base's).")
    replications: int = Field(ge=1, le=10_000)
    levers: tuple[str, ...] = Field((), description="Extra levers every arm runs, as "
                                    "'module:Class' or 'file.py:Class' (a file path relative to "
                                    "the experiment file); see docs/extending.md.")
    root_seed: int = Field(20180401, ge=0, lt=2**63)
    common_random_numbers: bool = Field(True, description="Replication r uses the same seed in "
                                        "every arm; false gives every run its own seed.")
    metrics: tuple[str, ...] = Field(min_length=1)
    period: Literal["day", "month", "year"] = "year"
    dimensions: tuple[Dimension, ...] = Field(
        ("all",), min_length=1, description="Dimensions every metric is kept at, unless "
        "metric_dimensions names its own; each must be one the metric is recorded at.")
    baseline: str | dict[str, Any] | None = Field(None, description="Arm label, or factor values "
                                                  "naming one arm; default: the first grid arm.")
    partition: Literal["none", "locality"] = Field(
        "none", description="'locality' runs each arm x replication as one model per locality of "
        "the area, in parallel, and combines them (simulation.experiments.partition).")
    design: DesignSpec
    metric_dimensions: dict[str, tuple[Dimension, ...]] = Field(
        default_factory=dict, description="Metric label -> the dimensions it is kept at, in "
        "place of 'dimensions' (for a metric not recorded at all of them).")

    _source: Path | None = PrivateAttr(None)
    _text: str | None = PrivateAttr(None)

    @field_validator("levers")
    @classmethod
    def _levers(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for spec in v:
            lever_class(spec)  # a ValueError names the spec and the problem
        return v

    @field_validator("metrics")
    @classmethod
    def _metrics(cls, v: tuple[str, ...], info) -> tuple[str, ...]:
        known = registry(info.data.get("levers", ())).names()
        for label in v:
            name, _, stat = label.partition(":")
            if name not in known:
                raise ValueError(f"{name!r} is not a model metric; allowed: " + ", ".join(known))
            if stat and stat not in STATISTICS:
                raise ValueError(f"{label!r}: statistic {stat!r} is not one of "
                                 + ", ".join(STATISTICS))
        if len(set(v)) != len(v):
            raise ValueError(f"a metric is listed twice in {list(v)}")
        return v

    @field_validator("dimensions")
    @classmethod
    def _dimensions(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(v)) != len(v):
            raise ValueError(f"a dimension is listed twice in {list(v)}")
        return v

    @field_validator("metric_dimensions")
    @classmethod
    def _metric_dimensions(cls, v: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for label, dims in v.items():
            if not dims:
                raise ValueError(f"{label!r}: no dimensions; list at least one of "
                                 + ", ".join(DIMENSIONS))
            if len(set(dims)) != len(dims):
                raise ValueError(f"{label!r}: a dimension is listed twice in {list(dims)}")
        return v

    @model_validator(mode="after")
    def _recorded_where_asked(self) -> Experiment:
        """Every metric is recorded at every dimension it is asked for (never silently less)."""
        for label in self.metric_dimensions:
            if label not in self.metrics:
                raise ValueError(f"metric_dimensions: {label!r} is not one of the metrics "
                                 f"{list(self.metrics)}")
        for label in self.metrics:
            where = recorded_dimensions(label.partition(":")[0], self.levers)
            for dim in self.dimensions_of(label):
                if dim not in where:
                    allowed = ", ".join(d for d in DIMENSIONS if d in where)
                    raise ValueError(
                        f"metrics: {label!r} is not recorded by {dim}; it is recorded at: "
                        f"{allowed} (give it its own under [metric_dimensions])")
        if "finance" in self.all_dimensions and self.period != "year":
            raise ValueError("dimensions: 'finance' is a yearly account; it needs "
                             "period = \"year\"")
        return self

    # ----- derived ------------------------------------------------------------------------
    def dimensions_of(self, label: str) -> tuple[str, ...]:
        """The dimensions the metric ``label`` is kept at (its own, else ``dimensions``)."""
        return tuple(self.metric_dimensions.get(label, self.dimensions))

    @property
    def all_dimensions(self) -> tuple[str, ...]:
        """Every dimension some metric is kept at, in the order of :data:`DIMENSIONS`."""
        used = set(self.dimensions).union(*self.metric_dimensions.values())
        return tuple(d for d in DIMENSIONS if d in used)

    @property
    def metric_specs(self) -> tuple[MetricSpec, ...]:
        """Each kept metric with its statistic (``sum`` for events, ``mean`` for stocks)."""
        out = []
        for label in self.metrics:
            name, _, stat = label.partition(":")
            default = "mean" if registry(self.levers).is_stock(name) else "sum"
            out.append(MetricSpec(label, name, stat or default, self.dimensions_of(label)))
        return tuple(out)

    @property
    def source(self) -> Path | None:
        """The file this experiment was read from (None if built in code)."""
        return self._source

    @property
    def text(self) -> str:
        """The experiment's TOML text as read (or a canonical JSON dump if built in code)."""
        return self._text if self._text is not None else self.model_dump_json(indent=2)

    # ----- construction -------------------------------------------------------------------
    @classmethod
    def parse_dict(cls, data: dict[str, Any], *, origin: str = "experiment") -> Experiment:
        """Validate a dict; any problem raises :class:`ExperimentError` with a one-line message."""
        try:
            exp = cls.model_validate(data)
            exp.design.check_kind()
        except ValidationError as exc:
            raise ExperimentError(f"{origin}: {_describe(exc)}") from None
        except ValueError as exc:
            raise ExperimentError(f"{origin}: {exc}") from None
        if exp.design.kind != "grid" and isinstance(exp.baseline, dict):
            raise ExperimentError(f"{origin}: baseline: sampled designs name a baseline arm by "
                                  "its label, not by factor values")
        return exp


def _describe(exc: ValidationError) -> str:
    """One line for a pydantic error; dotted factor names are quoted so the location reads."""
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    err = errors[0]  # a misspelt field explains a missing one, so it goes first
    loc_parts = [str(p) for p in err["loc"]]
    where = ".".join(loc_parts) or "(top level)"
    if err["type"] == "extra_forbidden" and len(loc_parts) <= 2:
        return (f"{where}: unknown field of the experiment file (given {err.get('input')!r}); "
                "see docs/experiments.md")
    if err["type"] == "missing":
        return f"{where}: missing; this field is required (see docs/experiments.md)"
    if err["type"] == "value_error":  # our own checks already name the value
        msg = err["msg"].removeprefix("Value error, ")
        return f"{where}: {msg}" if loc_parts else msg  # whole-file checks name their field
    line = describe_validation_error(exc)
    if any("." in p for p in loc_parts):
        shown = ".".join(f"'{p}'" if "." in p else p for p in loc_parts)
        line = line.replace(".".join(loc_parts), shown, 1)
    return line


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment TOML file.

    Raises:
        ExperimentError: the file cannot be read, is not TOML, or does not validate.
    """
    path = Path(path)
    text, data = read_toml(path, "experiment", ExperimentError)
    if isinstance(data.get("levers"), list):  # a lever file is named relative to the experiment
        data["levers"] = [resolve_part_path(spec, path.parent) if isinstance(spec, str) else spec
                          for spec in data["levers"]]
    exp = Experiment.parse_dict(data, origin=str(path))
    exp._source = path
    exp._text = text
    return exp


__all__ = ["DESIGN_KINDS", "DIMENSIONS", "Experiment", "ExperimentError", "Factor",
           "INTEGRATION_LEVELS", "KNOWN_METRICS", "MetricSpec", "PERIODS", "STATISTICS",
           "load_experiment", "parse_factor"]
