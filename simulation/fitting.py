"""Calibration by machine: fit the CALIBRATED parameters to an area's targets with Optuna.

A parameter is CALIBRATED when its declaration carries ``calibrate={...}``
(:func:`simulation.parameters.param`): the target keys it is fitted to, a search range, and how a
single number sets it (the value itself, a factor on an age table, or one entry of a table).
:func:`calibrated_parameters` lists them. :func:`fit` searches those numbers for the area's
targets (:func:`simulation.calibration.targets_for_area`, the one definition of every band):

* the **objective** of a point is the sum over targets of the squared distance of the model's
  mean (over ``seeds`` runs of the ``none`` baseline) from the target's band, in units of the
  band's width; it is zero when every mean lies inside its band (:func:`band_distance`);
* every point is run with the same seeds (common random numbers), so two points differ by their
  parameters, not by chance;
* the search is Optuna's TPE sampler (multivariate, with a constant liar so that a batch is
  spread out; or CMA-ES), seeded with ``seed``; its first trial is the shipped defaults.
  Trials are asked for in batches of fixed size and told in trial order, so the result is the
  same whether the runs go to one process or to a Dask cluster of any size (the cluster the
  experiments use, :func:`simulation.experiments.runner.dask_client`);
* the **plausible range** of each parameter is its range over the trials whose objective is
  within the noise of the best (twice the standard error of the best trial's objective,
  estimated from its per-seed objectives): the values the targets cannot tell apart at this
  budget and scale.

:func:`write_fit` writes ``fitted.csv`` (each parameter: default, fitted value, plausible range,
search range), ``fit_report.csv`` and ``fit_report.md`` (each target: band, source range, model
mean and 95% interval across seeds at the default and at the fit), ``trials.csv`` and
``manifest.json``, replacing the output folder atomically. ``lco-sim calibrate``
(:mod:`simulation.commands.calibrate`) is the command line.

Example:
    >>> names = [p.name for p in calibrated_parameters()]
    >>> "demand.readmission_rr_30d" in names, "demand.ae_conversion_by_age[0]" in names
    (True, True)
    >>> band_distance(0.05, 0.066, 0.070), band_distance(0.068, 0.066, 0.070)
    (16.0, 0.0)
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.calibration import RunMeasures, Target, targets_for_area
from simulation.provenance import atomic_write_json, environment, replaced_directory
from simulation.scenario import Scenario, ScenarioError
from simulation.statistics import mean_ci

HOWS = ("value", "scale", "entry")
"""How one searched number sets a CALIBRATED parameter (see :func:`simulation.parameters.param`)."""

BATCH = 4
"""Trials asked for at a time. Fixed, not the number of workers, so results do not depend on it."""


# ----- the parameters -----------------------------------------------------------------------
@dataclass(frozen=True)
class Calibrated:
    """A CALIBRATED parameter as one searched number."""

    path: str
    """Dotted path in the scenario, e.g. ``demand.readmission_rr_30d``."""
    targets: tuple[str, ...]
    low: float
    high: float
    how: str = "value"
    entry: int | None = None
    also: tuple[str, ...] = ()
    """Further tables scaled by the same factor (``how = "scale"``)."""
    unit: str = ""
    source: str = ""

    @property
    def name(self) -> str:
        """The searched number's name: the path, with ``[entry]`` or ``x`` (a factor)."""
        if self.how == "entry":
            return f"{self.path}[{self.entry}]"
        return f"{self.path} x" if self.how == "scale" else self.path

    @property
    def unit_of_number(self) -> str:
        """Unit of the searched number (a factor has none)."""
        return "factor on the table" if self.how == "scale" else self.unit

    def default(self, scenario: Scenario) -> float:
        """The searched number at the scenario's values (a factor is 1)."""
        if self.how == "scale":
            return 1.0
        value = _get(scenario.model_dump(), self.path)
        return float(value[self.entry] if self.how == "entry" else value)

    def overrides(self, scenario: Scenario, x: float) -> dict[str, Any]:
        """Scenario overrides that set this parameter from the searched number ``x``."""
        data = scenario.model_dump()
        if self.how == "value":
            current = _get(data, self.path)
            return {self.path: int(round(x)) if isinstance(current, int) else float(x)}
        if self.how == "entry":
            table = dict(_get(data, self.path))
            table[self.entry] = float(x)
            return {self.path: table}
        return {p: _scaled(_get(data, p), x) for p in (self.path, *self.also)}


def _get(data: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        data = data[part]
    return data


def _scaled(value: Any, factor: float) -> Any:
    if isinstance(value, dict):
        return {k: float(v) * factor for k, v in value.items()}
    if isinstance(value, list):
        return [float(v) * factor for v in value]
    return float(value) * factor


def calibrated_parameters() -> tuple[Calibrated, ...]:
    """Every parameter of the scenario marked CALIBRATED, in declaration order.

    Raises:
        ValueError: a ``calibrate`` marking that is incomplete (a programming error).
    """
    found = []
    for section, info in Scenario.model_fields.items():
        model = info.annotation
        if not isinstance(model, type) or not hasattr(model, "model_fields"):
            continue
        for name, f in model.model_fields.items():
            extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
            spec = extra.get("calibrate")
            if spec is None:
                continue
            how = spec.get("how", "value")
            if how not in HOWS or not spec.get("targets") or spec["low"] >= spec["high"]:
                raise ValueError(f"{section}.{name}: bad calibrate marking {spec!r}")
            found.append(Calibrated(f"{section}.{name}", tuple(spec["targets"]),
                                    float(spec["low"]), float(spec["high"]), how,
                                    spec.get("entry"), tuple(spec.get("with", ())),
                                    extra.get("unit", ""), extra.get("source", "")))
    return tuple(found)


def select_parameters(names: Sequence[str] | None = None) -> tuple[Calibrated, ...]:
    """The CALIBRATED parameters named (by path or searched-number name); all if ``None``.

    Raises:
        ScenarioError: a name that is not a CALIBRATED parameter (one line).
    """
    every = calibrated_parameters()
    if not names:
        return every
    by_name = {p.name: p for p in every} | {p.path: p for p in every}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise ScenarioError(f"--parameters: {unknown[0]!r} is not a CALIBRATED parameter; "
                            f"expected one of {', '.join(p.path for p in every)}")
    return tuple(dict.fromkeys(by_name[n] for n in names))


def fit_targets(area: str | None, parameters: Sequence[Calibrated],
                years: int) -> tuple[Target, ...]:
    """The area's targets that the parameters are marked for and ``years`` can measure.

    An area's own figure stands for the England target it replaces, so Dudley's growth rates are
    fitted where England's would be.

    >>> growth = select_parameters(["demand.secular_trend_per_year"])
    >>> [t.key for t in fit_targets("dudley", growth, 3)], fit_targets("dudley", growth, 2)
    (['dudley_admission_rate_growth'], ())
    """
    from simulation.areas import DEFAULT_AREA, load_area

    wanted = {k for p in parameters for k in p.targets}
    stands_for = {a.key: a.replaces for a in load_area(area or DEFAULT_AREA).targets}
    return tuple(t for t in targets_for_area(area)
                 if (t.key in wanted or stands_for.get(t.key) in wanted)
                 and t.min_years <= years)


# ----- the objective ------------------------------------------------------------------------
def band_distance(value: float, low: float, high: float) -> float:
    """Squared distance of ``value`` outside ``[low, high]``, in band widths; 0 inside.

    A point band (``low == high``) is measured in units of 1% of the point. A value that could not
    be measured (NaN) is infinitely far.

    >>> band_distance(1.0, 1.0, 2.0), band_distance(3.0, 1.0, 2.0), band_distance(99.0, 100, 100)
    (0.0, 1.0, 1.0)
    """
    if not math.isfinite(value):
        return math.inf
    width = high - low if high > low else max(abs(low), 1e-12) * 0.01
    gap = max(low - value, value - high, 0.0) / width
    return float(round(gap * gap, 12))


def objective(values: dict[str, float], targets: Sequence[Target]) -> float:
    """Sum of :func:`band_distance` over the targets, for model values keyed by target key."""
    return float(sum(band_distance(values[t.key], t.low, t.high) for t in targets))


def measure_point(area: str | None, overrides: dict[str, Any], scale: float, years: int,
                  seed: int, measures: dict[str, Callable[[RunMeasures], float]]
                  ) -> dict[str, float]:
    """Run the area's ``none`` baseline with ``overrides`` and measure each target (on a worker).

    A run the model refuses (a value out of its range) measures NaN for every target.
    """
    from simulation.runner import run_scenario

    try:
        scenario = Scenario.preset("none", area=area, scale=scale, years=years)
        run = run_scenario(scenario.with_overrides(overrides), seed)
    except ScenarioError:
        return {k: math.nan for k in measures}
    m = RunMeasures(run)
    out = {}
    for key, measure in measures.items():
        try:
            out[key] = float(measure(m))
        except (ValueError, ZeroDivisionError, KeyError, IndexError):
            out[key] = math.nan
    return out


# ----- the fit ------------------------------------------------------------------------------
@dataclass
class FitResult:
    """What :func:`fit` found."""

    settings: dict[str, Any]
    parameters: tuple[Calibrated, ...]
    targets: tuple[Target, ...]
    trials: pd.DataFrame
    """One row per trial: ``trial``, each searched number, ``objective``, ``objective_se``,
    ``plausible``, and the mean of each target over seeds."""
    per_seed: dict[int, list[dict[str, float]]] = field(repr=False)
    """Trial number -> the measured targets of each seed."""
    wall_seconds: float = 0.0
    cluster: str = ""

    @property
    def best(self) -> int:
        """Number of the best trial (lowest objective; the earliest of equals)."""
        ok = self.trials[np.isfinite(self.trials["objective"])]
        if ok.empty:
            raise ScenarioError("every trial failed: the model could not measure the targets "
                                "at any point tried; see trials.csv")
        return int(ok.sort_values(["objective", "trial"]).iloc[0]["trial"])

    def fitted(self) -> pd.DataFrame:
        """Each parameter: default, fitted value, plausible range, search range, targets."""
        best = self.trials.set_index("trial").loc[self.best]
        plausible = self.trials[self.trials["plausible"]]
        default = self.trials.set_index("trial").loc[0]
        rows = []
        for p in self.parameters:
            rows.append({"parameter": p.path, "number": p.name, "how": p.how,
                         "unit": p.unit_of_number, "default": default[p.name],
                         "fitted": best[p.name], "plausible_low": plausible[p.name].min(),
                         "plausible_high": plausible[p.name].max(), "search_low": p.low,
                         "search_high": p.high, "targets": " ".join(p.targets)})
        return pd.DataFrame(rows)

    def report(self) -> pd.DataFrame:
        """Each target's band, source range, and model mean with 95% interval across seeds.

        At the defaults (trial 0) and at the fit, with whether the fit's mean is in the band.
        """
        rows = []
        for t in self.targets:
            row = {"key": t.key, "target": t.name, "unit": t.unit, "low": t.low, "high": t.high,
                   "source_low": t.source_range[0] if t.source_range else np.nan,
                   "source_high": t.source_range[1] if t.source_range else np.nan,
                   "band_basis": t.band_basis, "basis": t.basis}
            for label, trial in (("default", 0), ("fitted", self.best)):
                mean, lo, hi = mean_ci([v[t.key] for v in self.per_seed[trial]])
                row |= {f"{label}_mean": mean, f"{label}_ci_low": lo, f"{label}_ci_high": hi}
            row["fitted_met"] = bool(t.low <= row["fitted_mean"] <= t.high)
            row["source"] = t.source
            rows.append(row)
        return pd.DataFrame(rows)


def _sampler(name: str, seed: int, budget: int):
    """The seeded sampler: TPE proposes a batch at once, so ``constant_liar`` spreads it out."""
    import warnings

    import optuna

    if name == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
    with warnings.catch_warnings():  # multivariate and constant_liar are 'experimental'
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=max(4, budget // 4),
                                          multivariate=True, constant_liar=True)


def fit(area: str | None = None, *, budget: int = 40, seed: int = 1, seeds: int = 3,
        scale: float = 0.05, years: int = 3, parameters: Sequence[str] | None = None,
        targets: Sequence[Target] | None = None, sampler: str = "tpe", workers: int | None = 1,
        scheduler: str | None = None, overrides: dict[str, Any] | None = None,
        progress: bool = False) -> FitResult:
    """Fit the CALIBRATED parameters to the area's targets; see the module docstring.

    Args:
        area: area name or file; the default area if ``None``.
        budget: trials (points tried), the shipped defaults first.
        seed: seed of the sampler and first seed of the runs (``seed .. seed + seeds - 1``).
        seeds: runs per trial.
        scale: population scale of the runs.
        years: recorded years per run (targets needing more are left out).
        parameters: names of the parameters to fit (:func:`select_parameters`); all if ``None``.
        targets: the bands to fit to; by default the area's targets that the fitted parameters
            are marked for and that ``years`` can measure.
        sampler: ``"tpe"`` or ``"cmaes"``.
        workers: 1 runs every evaluation in this process; more (or ``None``, one per core)
            use a local Dask cluster.
        scheduler: address of an existing Dask scheduler (overrides ``workers``).
        overrides: settings of the baseline held fixed during the fit (dotted paths, as in
            :meth:`~simulation.scenario.Scenario.with_overrides`).
        progress: show a progress bar.

    Raises:
        ScenarioError: bad settings, an unknown area or parameter, or no target to fit (one
            line).
    """
    import optuna

    if budget < 1 or seeds < 1 or (workers is not None and workers < 1):
        raise ScenarioError("budget, seeds and workers must be >= 1")
    if sampler not in ("tpe", "cmaes"):
        raise ScenarioError(f"--sampler: {sampler!r} is not a sampler; expected tpe or cmaes")
    chosen = select_parameters(parameters)
    fixed = dict(overrides or {})
    base = Scenario.preset("none", area=area, scale=scale, years=years).with_overrides(fixed)
    targets = fit_targets(area, chosen, years) if targets is None else tuple(targets)
    if not targets:
        raise ScenarioError(f"--years: {years} recorded years measure none of the targets of the "
                            "chosen parameters; growth targets need 3")
    measures = {t.key: t.measure for t in targets}
    run_seeds = [seed + i for i in range(seeds)]
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="minimize", sampler=_sampler(sampler, seed, budget))
    space = {p.name: optuna.distributions.FloatDistribution(p.low, p.high) for p in chosen}
    defaults = {p.name: p.default(base) for p in chosen}
    outside = [n for n, v in defaults.items() if not space[n].low <= v <= space[n].high]
    if outside:
        raise ValueError(f"{outside[0]}: the default {defaults[outside[0]]:g} lies outside "
                         "its search range (fix the calibrate marking)")
    study.enqueue_trial(defaults)

    def evaluate(points: list[dict[str, float]], submit) -> list[list[dict[str, float]]]:
        overrides = [fixed | {k: v for p in chosen for k, v in p.overrides(base, x[p.name]).items()}
                     for x in points]
        return submit([(area, o, scale, years, s, measures) for o in overrides
                       for s in run_seeds])

    rows, per_seed = [], {}
    started = time.perf_counter()
    with _Evaluator(workers, scheduler) as (submit, cluster):
        from tqdm.auto import tqdm

        bar = tqdm(total=budget, unit="trial", desc="calibrate", disable=not progress)
        while len(rows) < budget:
            batch = [study.ask(space) for _ in range(min(BATCH, budget - len(rows)))]
            flat = evaluate([t.params for t in batch], submit)
            for i, trial in enumerate(batch):
                values = flat[i * seeds:(i + 1) * seeds]
                means = {k: float(np.mean([v[k] for v in values])) for k in measures}
                score = objective(means, targets)
                singles = [objective(v, targets) for v in values]
                se = (float(np.std(singles, ddof=1) / np.sqrt(seeds))
                      if seeds > 1 and np.all(np.isfinite(singles)) else 0.0)
                if math.isfinite(score):
                    study.tell(trial, score)
                else:
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
                per_seed[trial.number] = values
                rows.append({"trial": trial.number, **trial.params, "objective": score,
                             "objective_se": se, **{f"mean:{k}": v for k, v in means.items()}})
                bar.update(1)
        bar.close()
    table = pd.DataFrame(rows)
    result = FitResult({"area": base.area, "budget": budget, "seed": seed, "seeds": run_seeds,
                        "scale": scale, "years": years, "sampler": sampler,
                        "workers": workers or "one per core", "batch": BATCH,
                        "overrides": fixed}, chosen, targets, table, per_seed,
                       round(time.perf_counter() - started, 3), cluster)
    best = table.set_index("trial").loc[result.best]
    noise = 2 * best["objective_se"]
    table["plausible"] = table["objective"] <= best["objective"] + noise + 1e-12
    result.settings["plausible_threshold"] = float(best["objective"] + noise)
    return result


class _Evaluator:
    """Runs evaluations in order: in this process (one worker) or on a Dask cluster."""

    def __init__(self, workers: int | None, scheduler: str | None):
        self.workers, self.scheduler = workers, scheduler
        self._client = None

    def __enter__(self):
        if self.workers == 1 and not self.scheduler:
            return (lambda jobs: [measure_point(*job) for job in jobs]), "this process"
        from simulation.experiments.runner import dask_client

        self._client = dask_client(self.workers, self.scheduler)
        client, description = self._client.__enter__()
        counter = iter(range(10**9))

        def submit(jobs):
            futures = [client.submit(measure_point, *job, pure=False,
                                     key=f"lco-calibrate-{next(counter)}") for job in jobs]
            return client.gather(futures)  # in submission order, whatever finishes first

        return submit, description

    def __exit__(self, *exc):
        if self._client is not None:
            return self._client.__exit__(*exc)
        return False


# ----- output -------------------------------------------------------------------------------
def _fmt(x: Any) -> str:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return str(x)
    if not math.isfinite(x):
        return "-"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def render_markdown(result: FitResult) -> str:
    """The fit report as Markdown: settings, fitted parameters, and every target."""
    s = result.settings
    fitted, report = result.fitted(), result.report()
    best = result.trials.set_index("trial").loc[result.best]
    lines = [
        "# lco-sim calibration", "",
        f"Area `{s['area']}`; {s['budget']} trials ({s['sampler']} sampler, seed {s['seed']}), "
        f"each run on seeds {s['seeds']} (common random numbers) at scale {s['scale']} for "
        f"{s['years']} recorded years; {result.cluster}; {result.wall_seconds:.0f} s.", "",
        f"Best trial {result.best}: objective {_fmt(best['objective'])} (0 = every target mean "
        f"inside its band; standard error {_fmt(best['objective_se'])}); defaults (trial 0): "
        f"{_fmt(result.trials.set_index('trial').loc[0, 'objective'])}. "
        f"{int(result.trials['plausible'].sum())} trials lie within the noise of the best "
        f"(objective <= {_fmt(s['plausible_threshold'])}): their range is each parameter's "
        "plausible range.", "",
        "## Fitted parameters", "",
        "| Parameter | Searched number | Default | Fitted | Plausible range | Search range |",
        "|---|---|---|---|---|---|"]
    for _, r in fitted.iterrows():
        lines.append(f"| `{r['parameter']}` | {r['unit']} ({r['how']}) | {_fmt(r['default'])} | "
                     f"{_fmt(r['fitted'])} | {_fmt(r['plausible_low'])} to "
                     f"{_fmt(r['plausible_high'])} | {_fmt(r['search_low'])} to "
                     f"{_fmt(r['search_high'])} |")
    lines += ["", "## Targets", "",
              "Band = the range checked (never wider than the source's range); mean and 95% "
              "interval across the seeds.", "",
              "| Target | Band | Source range | Default: mean (95% CI) | Fitted: mean (95% CI) "
              "| In band |", "|---|---|---|---|---|---|"]
    for _, r in report.iterrows():
        src = (f"{_fmt(r['source_low'])} to {_fmt(r['source_high'])}"
               if math.isfinite(r["source_low"]) else "a point: " + r["band_basis"])
        cells = [f"{_fmt(r[f'{k}_mean'])} ({_fmt(r[f'{k}_ci_low'])} to "
                 f"{_fmt(r[f'{k}_ci_high'])})" for k in ("default", "fitted")]
        lines.append(f"| {r['target']} | {_fmt(r['low'])} to {_fmt(r['high'])} {r['unit']} | "
                     f"{src} | {cells[0]} | {cells[1]} | "
                     f"{'yes' if r['fitted_met'] else '**no**'} |")
    lines += ["", "Fitted values are a proposal: the shipped defaults change only when a person "
              "copies them into `simulation/scenario.py` with this report as their source.", ""]
    return "\n".join(lines)


def write_fit(result: FitResult, out: str | Path) -> Path:
    """Write the fit's files to ``out`` (replaced as a whole, atomically); returns ``out``."""
    out = Path(out)
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with replaced_directory(out) as tmp:
        result.fitted().to_csv(tmp / "fitted.csv", index=False)
        result.report().to_csv(tmp / "fit_report.csv", index=False)
        result.trials.to_csv(tmp / "trials.csv", index=False)
        (tmp / "fit_report.md").write_text(render_markdown(result), encoding="utf-8")
        import optuna

        manifest = {"kind": "calibration", "written_at": started_at, **result.settings,
                    "best_trial": result.best, "wall_seconds": result.wall_seconds,
                    "cluster": result.cluster, "optuna_version": optuna.__version__,
                    "parameters": [p.path for p in result.parameters],
                    "targets": {t.key: [t.low, t.high] for t in result.targets},
                    **environment(),
                    "files": ["fit_report.csv", "fit_report.md", "fitted.csv", "manifest.json",
                              "trials.csv"]}
        atomic_write_json(tmp / "manifest.json", manifest)
    return out
