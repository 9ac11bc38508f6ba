"""From an experiment to its arms and runs: the design, validated against the scenario.

:func:`build_plan` resolves the base scenario, generates the design points (a grid of listed
values, a Latin hypercube from :mod:`scipy.stats.qmc`, or SALib's Morris or Sobol' samples),
builds and validates every arm's scenario, and lists every run with its seed and a deterministic
key. Everything that can be wrong with an experiment is found here, before a single run starts.

Example:
    >>> from simulation.experiments.spec import Experiment
    >>> exp = Experiment.model_validate({
    ...     "name": "demo", "years": 1, "scale": 0.005, "replications": 2,
    ...     "metrics": ["emergency_admissions"],
    ...     "design": {"factors": {
    ...         "integration.level": ["none", "full"],
    ...         "capacity": {"scale": ["community.crisis_response_per_100k_day"],
    ...                      "values": [1.0, 2.0]}}}})
    >>> plan = build_plan(exp)
    >>> plan.design_table()["label"].tolist()[1:3]
    ['level=none, capacity=2.0', 'level=full, capacity=1.0']
    >>> plan.arms[1].overrides
    {'integration.level': 'none', 'community.crisis_response_per_100k_day': 5.2}
    >>> plan.runs[0].key[:10], plan.baseline.label
    ('a0000-r000', 'level=none, capacity=1.0')
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.experiments.seeds import describe_seed, run_seed, sampler_seed
from simulation.experiments.spec import Experiment, ExperimentError, Factor, MetricSpec
from simulation.levers import lever_class
from simulation.scenario import Scenario, ScenarioError, get_dotted, load_scenario

RUN_FORMAT = 1
"""Version of the per-run file layout; part of every run key, so a change reruns everything."""

MAX_RUNS = 10_000
"""Largest design (arms x replications) built without ``--yes``. Even the smallest useful runs
take about a second each, so 10,000 runs are hours of a workstation's time; a design beyond that
is far more often a typo (an extra zero in a grid or in ``replications``) than an intent, and
building it alone takes minutes and gigabytes."""


def design_size(exp: Experiment) -> int:
    """The number of arms of the design, counted from the experiment without building them.

    Example:
        >>> exp = Experiment.model_validate({
        ...     "name": "n", "replications": 3, "metrics": ["deaths"],
        ...     "design": {"factors": {"integration.level": ["none", "full"],
        ...                            "run.years": [1, 2, 3]}}})
        >>> design_size(exp)
        6
    """
    d = exp.design
    k = len(d.factors)
    if d.kind == "grid":
        return int(np.prod([len(f.values) for f in d.factors], dtype=object))
    if d.kind == "lhs":
        return int(d.samples)
    if d.kind == "morris":
        return int(d.trajectories) * (k + 1)
    return int(d.samples) * (2 * k + 2 if d.second_order else k + 2)


@dataclass(frozen=True)
class Arm:
    """One policy arm: a point of the design and the scenario it runs."""

    index: int
    label: str
    factors: dict[str, Any]
    overrides: dict[str, Any]
    scenario: Scenario = field(repr=False)


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one run (picklable; no open files or clients)."""

    key: str
    arm: int
    replication: int
    seed: np.random.SeedSequence
    scenario: Scenario = field(repr=False)
    metrics: tuple[MetricSpec, ...] = ()
    period: str = "year"
    dimensions: tuple[str, ...] = ("all",)
    locality: str = ""
    """The locality of a partitioned run ('' when the run is the whole area)."""

    @property
    def seed_text(self) -> str:
        """The seed as reconstructable text."""
        return describe_seed(self.seed)


@dataclass
class ExperimentPlan:
    """The validated experiment: base scenario, arms, runs, baseline and (if sampled) the design."""

    experiment: Experiment
    base: Scenario
    factors: tuple[Factor, ...]
    arms: list[Arm]
    runs: list[RunTask]
    baseline: Arm | None
    samples: np.ndarray | None = None
    problem: dict[str, Any] | None = None

    def design_table(self) -> pd.DataFrame:
        """One row per arm: index, label, factor values and the overrides it applies (JSON)."""
        rows = [{"arm_index": a.index, "label": a.label, **a.factors,
                 "overrides": json.dumps(a.overrides, sort_keys=True)} for a in self.arms]
        return pd.DataFrame(rows)


def base_scenario(exp: Experiment) -> Scenario:
    """The scenario every arm starts from, with base overrides, horizon and scale applied."""
    spec = exp.base
    if spec.scenario:
        path = Path(spec.scenario)
        if not path.is_absolute() and exp.source is not None:
            path = exp.source.parent / path
        scenario = load_scenario(path)
    elif spec.level:
        scenario = Scenario.preset(spec.level)
    else:
        scenario = Scenario()
    overrides = {}
    if exp.levers:
        # extra levers first, with their default parameters, so factors can name those
        overrides["integration.levers"] = [*scenario.integration.levers, *exp.levers]
        params = dict(scenario.integration.lever_params)
        for lever_spec in exp.levers:
            cls = lever_class(lever_spec)
            params[cls.name] = {**cls.Params().model_dump(), **params.get(cls.name, {})}
        overrides["integration.lever_params"] = params
    overrides.update(spec.overrides)
    if exp.years is not None:
        overrides["run.years"] = exp.years
    if exp.scale is not None:
        overrides["run.scale"] = exp.scale
    try:
        return scenario.with_overrides(overrides) if overrides else scenario
    except ScenarioError as exc:
        raise ExperimentError(f"base.overrides: {exc}") from None


def _check_paths(factors: tuple[Factor, ...], base: Scenario) -> dict[str, Any]:
    """Every factor path exists in the scenario and is a single parameter; returns base values."""
    data = base.model_dump()
    values: dict[str, Any] = {}
    seen: dict[str, str] = {}
    for f in factors:
        for path in f.paths:
            try:
                value = get_dotted(data, path)
            except (KeyError, TypeError):
                raise ExperimentError(f"design.factors: {path!r} is not a scenario parameter "
                                      "(see docs/model.md for the dotted names)") from None
            if isinstance(value, dict):
                raise ExperimentError(f"design.factors: {path!r} is a section, not a parameter")
            if path in seen:
                raise ExperimentError(f"design.factors: {path!r} is set by two factors "
                                      f"({seen[path]!r} and {f.name!r})")
            seen[path] = f.name
            if f.scale and not (isinstance(value, (int, float)) and not isinstance(value, bool)):
                raise ExperimentError(f"design.factors: {f.name!r} scales {path!r}, which is not "
                                      f"a number (base value {value!r})")
            if f.low is not None and not f.scale and not (
                    isinstance(value, (int, float)) and not isinstance(value, bool)):
                raise ExperimentError(f"design.factors: {path!r} is not numeric (base value "
                                      f"{value!r}); use a grid for it")
            values[path] = value
    return values


def _short_names(factors: tuple[Factor, ...]) -> dict[str, str]:
    """Label names: the last part of a dotted path unless two factors would share it."""
    last = [f.name.rsplit(".", 1)[-1] for f in factors]
    return {f.name: (s if last.count(s) == 1 else f.name)
            for f, s in zip(factors, last, strict=True)}


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}" if value != int(value) else f"{value:.1f}"
    return str(value)


def _overrides(factors: tuple[Factor, ...], point: dict[str, Any], base_values: dict[str, Any]
               ) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in factors:
        v = point[f.name]
        for path in f.paths:
            new = base_values[path] * v if f.scale else v
            if isinstance(base_values[path], int) and not isinstance(base_values[path], bool) \
                    and isinstance(new, float):
                new = int(round(new))
            out[path] = new
    return out


def design_points(exp: Experiment) -> tuple[list[dict[str, Any]], np.ndarray | None, dict | None]:
    """The design's points as factor-name -> value dicts.

    Returns:
        The points, and for sampled designs the sample matrix and SALib problem (else None).
    """
    d = exp.design
    factors = d.factors
    if d.kind == "grid":
        combos = itertools.product(*(f.values for f in factors))
        return [dict(zip((f.name for f in factors), c, strict=False)) for c in combos], None, None
    problem = {"num_vars": len(factors), "names": [f.name for f in factors],
               "bounds": [[f.low, f.high] for f in factors]}
    seed = d.seed if d.seed is not None else sampler_seed(exp.root_seed)
    if d.kind == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(factors), rng=np.random.default_rng(seed)).random(d.samples)
        x = qmc.scale(unit, [f.low for f in factors], [f.high for f in factors])
    elif d.kind == "morris":
        from SALib.sample import morris

        x = morris.sample(problem, d.trajectories, num_levels=d.levels, seed=seed)
    else:
        import warnings

        from SALib.sample import sobol

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SALib warns about N not being a power of 2 only
            x = sobol.sample(problem, d.samples, calc_second_order=d.second_order, seed=seed)
    points = [{f.name: float(v) for f, v in zip(factors, row, strict=False)} for row in x]
    return points, np.asarray(x, float), problem


def run_key(arm: int, replication: int, scenario: Scenario, seed: np.random.SeedSequence,
            exp: Experiment) -> str:
    """A key that names a run and changes whenever anything that shapes its output changes."""
    fields = {"format": RUN_FORMAT, "scenario": scenario.to_toml(),
              "seed": describe_seed(seed), "metrics": list(exp.metrics),
              "period": exp.period, "dimensions": list(exp.dimensions)}
    if exp.metric_dimensions:  # only when used, so other experiments keep their run keys
        fields["metric_dimensions"] = {k: list(v) for k, v in exp.metric_dimensions.items()}
    payload = json.dumps(fields, sort_keys=True)
    digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]
    return f"a{arm:04d}-r{replication:03d}-{digest}"


def _resolve_baseline(exp: Experiment, arms: list[Arm]) -> Arm | None:
    b = exp.baseline
    if b is None:
        return arms[0] if exp.design.kind == "grid" else None
    if isinstance(b, str):
        for arm in arms:
            if arm.label == b:
                return arm
        shown = ", ".join(a.label for a in arms[:6]) + (", ..." if len(arms) > 6 else "")
        raise ExperimentError(f"baseline: no arm is labelled {b!r}; arms are: {shown}")
    names = {f.name for f in exp.design.factors}
    if unknown := sorted(set(b) - names):
        raise ExperimentError(f"baseline: {unknown[0]!r} is not a factor of the design; factors "
                              f"are {sorted(names)}")
    matches = [a for a in arms if all(a.factors[k] == v for k, v in b.items())]
    if len(matches) != 1:
        raise ExperimentError(f"baseline: {b!r} matches {len(matches)} arms; give values that "
                              "pick exactly one")
    return matches[0]


def build_plan(exp: Experiment, *, max_runs: int | None = MAX_RUNS) -> ExperimentPlan:
    """Validate the experiment against the scenario and list its arms and runs.

    Args:
        exp: the validated experiment file.
        max_runs: refuse a design of more runs than this (counted before anything is built);
            None for no limit (``lco-sim sweep --yes``).

    Raises:
        ExperimentError: any problem, with a one-line message, before anything runs.
    """
    origin = str(exp.source) if exp.source is not None else "experiment"
    arms = design_size(exp)
    if max_runs is not None and arms * exp.replications > max_runs:
        raise ExperimentError(
            f"{origin}: design: {arms:,} arms x {exp.replications:,} replications = "
            f"{arms * exp.replications:,} runs is over the limit of {max_runs:,}; make the design "
            "smaller, or add --yes to build it anyway")
    try:
        return _build(exp)
    except ExperimentError as exc:
        raise ExperimentError(f"{origin}: {exc}") from None
    except ScenarioError as exc:
        raise ExperimentError(f"{origin}: {exc}") from None


def _build(exp: Experiment) -> ExperimentPlan:
    base = base_scenario(exp)
    factors = exp.design.factors
    base_values = _check_paths(factors, base)
    points, samples, problem = design_points(exp)
    short = _short_names(factors)
    width = max(4, len(str(len(points) - 1)))
    arms: list[Arm] = []
    labels: set[str] = set()
    for i, point in enumerate(points):
        overrides = _overrides(factors, point, base_values)
        if exp.design.kind == "grid":
            label = ", ".join(f"{short[f.name]}={_fmt(point[f.name])}" for f in factors)
        else:
            label = f"p{i:0{width}d}"
        if label in labels:
            raise ExperimentError(f"design.factors: two arms share the label {label!r}; make the "
                                  "values distinct")
        labels.add(label)
        try:
            scenario = base.with_overrides(overrides)
        except ScenarioError as exc:
            raise ExperimentError(f"arm {label!r}: {exc}") from None
        arms.append(Arm(i, label, dict(point), overrides, scenario))
    baseline = _resolve_baseline(exp, arms)
    runs = []
    for arm in arms:
        for r in range(exp.replications):
            seed = run_seed(exp.root_seed, arm.index, r, common=exp.common_random_numbers)
            runs.append(RunTask(run_key(arm.index, r, arm.scenario, seed, exp), arm.index, r, seed,
                                arm.scenario, exp.metric_specs, exp.period,
                                exp.all_dimensions))
    if exp.partition != "none":  # one run per locality of every arm x replication
        from simulation.experiments.partition import partition_runs

        runs = partition_runs(exp, arms, runs)
    return ExperimentPlan(exp, base, factors, arms, runs, baseline, samples, problem)
