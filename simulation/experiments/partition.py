"""Partitioned sweeps: every arm x replication run as one model per locality, then combined.

With ``partition = "locality"`` in an experiment file, :func:`partition_runs` replaces each run
of the plan by one run per locality of the area, each with its locality's own scenario
(:func:`simulation.areas.partition.partition_by_locality`). The runs are ordinary runs for the
runner and the store: they go to the Dask workers in parallel and are saved one file each.

Seeds. Locality ``k`` of a run with seed ``SeedSequence(root, spawn_key=key)`` gets
``SeedSequence(root, spawn_key=(*key, k))`` (:func:`locality_seed`). It depends only on the
root seed, the replication (and the arm, without common random numbers) and the locality's
position in the area, never on the worker, so the results do not depend on the number of
workers; and every arm's locality ``k`` of replication ``r`` shares its random numbers (common
random numbers within a locality).

Combining (:func:`combine_localities`). The experiment's combined table keeps its usual columns,
so ``lco-sim analyse`` and ``lco-sim report`` read it unchanged:

* every series of the area (dimension ``all``, ``hospital``, ``neighbourhood``, ``age_band``,
  ``deprivation_quintile``, ``finance``) is the **sum over localities** of the localities' values;
  a metric whose unit is a share (``occupancy``, ``integration_strength``) is instead the mean
  weighted by the localities' population shares. With ``min`` or ``max`` statistics the sum is of
  the localities' extremes (an upper bound of the area's minimum, a lower bound of its maximum is
  not implied), so keep sums, means and last values for partitioned sweeps;
* each locality's own dimension-``all`` series is kept as dimension ``locality`` with ``group`` =
  the locality's name (from the area file).

An arm x replication is combined only when every one of its localities has finished, so a partly
finished sweep never shows partial area totals.

Example:
    >>> from simulation.experiments.design import build_plan
    >>> from simulation.experiments.spec import Experiment
    >>> plan = build_plan(Experiment.model_validate({
    ...     "name": "gm", "years": 1, "scale": 0.005, "replications": 2,
    ...     "partition": "locality", "metrics": ["emergency_admissions"],
    ...     "base": {"overrides": {"area": "greater-manchester"}},
    ...     "design": {"factors": {"integration.level": ["none", "full"]}}}))
    >>> len(plan.runs), plan.runs[12].locality, plan.runs[12].seed_text
    (40, 'Manchester', 'SeedSequence(20180401, spawn_key=(1, 2))')
    >>> plan.runs[12].key[:14]
    'a0000-r001-l02'
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from simulation.areas.partition import partition_by_locality
from simulation.experiments.design import Arm, ExperimentPlan, RunTask, run_key
from simulation.experiments.seeds import describe_seed, run_seed
from simulation.experiments.spec import Experiment, registry
from simulation.experiments.store import RunStore

LOCALITY_DIMENSION = "locality"
"""The dimension of each locality's own totals in a partitioned sweep's combined table."""

SERIES = ["dimension", "group", "time", "metric"]


def locality_seed(seed: np.random.SeedSequence, index: int) -> np.random.SeedSequence:
    """The seed of locality ``index`` of a run whose (whole-area) seed is ``seed``.

    Example:
        >>> locality_seed(np.random.SeedSequence(7, spawn_key=(3,)), 4).spawn_key
        (3, 4)
    """
    return np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, int(index)))


def partition_runs(exp: Experiment, arms: list[Arm], runs: list[RunTask]) -> list[RunTask]:
    """Each run replaced by one run per locality of its arm's area (in the area's order)."""
    parts = {arm.index: partition_by_locality(arm.scenario) for arm in arms}
    out = []
    for task in runs:
        for part in parts[task.arm]:
            seed = locality_seed(task.seed, part.index)
            key = run_key(task.arm, task.replication, part.scenario, seed, exp)
            head = f"a{task.arm:04d}-r{task.replication:03d}-"
            key = f"{head}l{part.index:02d}-{key[len(head):]}"
            out.append(dataclasses.replace(task, key=key, seed=seed, scenario=part.scenario,
                                           locality=part.locality))
    return out


def share_metrics(exp: Experiment) -> set[str]:
    """Labels of the kept metrics whose unit is a share (combined as weighted means)."""
    reg = registry(exp.levers)
    return {m.label for m in exp.metric_specs if m.name in reg and reg[m.name].unit == "share"}


def combine_localities(tables: dict[str, pd.DataFrame], weights: dict[str, float],
                       shares: set[str] = frozenset()) -> pd.DataFrame:
    """One run's locality tables as the area's table plus a ``locality`` dimension.

    Args:
        tables: each locality's aggregated run table (``dimension, group, time, metric,
            value``), by locality name.
        weights: each locality's population share (for metrics that are shares).
        shares: metric labels combined as weighted means instead of sums.

    Example:
        >>> t = lambda v: pd.DataFrame({"dimension": ["all"], "group": ["all"], "time": [1],
        ...                             "metric": ["deaths"], "value": [v]})
        >>> combine_localities({"A": t(2.0), "B": t(3.0)}, {"A": 0.4, "B": 0.6})[
        ...     ["dimension", "group", "value"]].values.tolist()
        [['all', 'all', 5.0], ['locality', 'A', 2.0], ['locality', 'B', 3.0]]
    """
    t = pd.concat([tab.assign(locality=loc) for loc, tab in tables.items()], ignore_index=True)
    for col in ("dimension", "group", "metric"):
        t[col] = t[col].astype(str)
    share = t["metric"].isin(shares).to_numpy()
    w = t["locality"].map(weights).to_numpy(float)
    t["weighted"] = np.where(share, t["value"] * w, t["value"])
    t["weight"] = np.where(share, w, 0.0)
    area = t.groupby(SERIES, sort=True)[["weighted", "weight"]].sum().reset_index()
    area["value"] = np.where(area["weight"] > 0, area["weighted"] / area["weight"].where(
        area["weight"] > 0, 1.0), area["weighted"])
    own = t[t["dimension"] == "all"].assign(dimension=LOCALITY_DIMENSION)
    own["group"] = own["locality"]
    out = pd.concat([area[[*SERIES, "value"]], own[[*SERIES, "value"]]], ignore_index=True)
    out["time"] = out["time"].astype("int32")
    out["value"] = out["value"].astype("float64")
    return out[["dimension", "group", "time", "metric", "value"]]


def combined_frames(plan: ExperimentPlan, store: RunStore) -> list[pd.DataFrame]:
    """The combined table of every arm x replication whose localities have all finished.

    Each starts with the ``arm_index``, ``replication`` and ``seed`` (the whole-area seed)
    columns, as :func:`simulation.experiments.outputs.combine_runs` expects.
    """
    exp = plan.experiment
    done = store.finished_keys()
    groups: dict[tuple[int, int], list[RunTask]] = {}
    for task in plan.runs:
        groups.setdefault((task.arm, task.replication), []).append(task)
    weights = {arm.index: {p.locality: p.population_share
                           for p in partition_by_locality(arm.scenario)} for arm in plan.arms}
    shares = share_metrics(exp)
    frames = []
    for (arm, rep), tasks in groups.items():
        if any(task.key not in done for task in tasks):
            continue
        tables = {task.locality: store.load(task.key)[0] for task in tasks}
        t = combine_localities(tables, weights[arm], shares)
        seed = run_seed(exp.root_seed, arm, rep, common=exp.common_random_numbers)
        t.insert(0, "arm_index", arm)
        t.insert(1, "replication", rep)
        t.insert(2, "seed", describe_seed(seed))
        frames.append(t)
    return frames
