"""The experiment-level outputs of a sweep: the combined table, CSV summaries and the manifest.

:func:`combine_runs` joins the per-run files of the design (in the plan's order, so the table is
the same whoever ran what, and when) with each arm's factor values. :func:`write_outputs` writes
``results.parquet``, ``summary.csv``, ``differences.csv``, ``design.csv``, ``runs.csv``,
``experiment.toml``, ``base_scenario.toml`` and, last, ``manifest.json``; each file is written
atomically.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from simulation.experiments.design import ExperimentPlan
from simulation.experiments.seeds import sampler_seed
from simulation.experiments.store import RunStore, write_csv, write_table
from simulation.provenance import atomic_write_bytes, atomic_write_json, environment, sha256_text

TABLE_COLUMNS = ["arm", "arm_index", "replication", "seed", "dimension", "group", "time",
                 "metric", "value"]
"""Columns of ``results.parquet`` (the factor columns follow ``arm_index``)."""


def combine_runs(plan: ExperimentPlan, store: RunStore) -> pd.DataFrame:
    """The tidy long table of every finished run of ``plan``.

    Columns: ``arm`` (label), ``arm_index``, one column per factor, ``replication``, ``seed``,
    ``dimension``, ``group``, ``time``, ``metric``, ``value``; sorted by arm, replication, series
    and time.
    """
    done = store.finished_keys()
    frames = []
    if plan.experiment.partition != "none":  # localities summed to the area, and each kept
        from simulation.experiments.partition import combined_frames

        frames = combined_frames(plan, store)
    for task in plan.runs if plan.experiment.partition == "none" else ():
        if task.key not in done:
            continue
        t, _ = store.load(task.key)
        t.insert(0, "arm_index", task.arm)
        t.insert(1, "replication", task.replication)
        t.insert(2, "seed", task.seed_text)
        frames.append(t)
    factor_names = [f.name for f in plan.factors]
    if not frames:
        return pd.DataFrame(columns=[*TABLE_COLUMNS[:2], *factor_names, *TABLE_COLUMNS[2:]])
    table = pd.concat(frames, ignore_index=True)
    labels = [a.label for a in plan.arms]
    table["arm"] = pd.Categorical.from_codes(table["arm_index"], categories=labels, ordered=True)
    for name in factor_names:
        values = [a.factors[name] for a in plan.arms]
        table[name] = pd.Series(values, dtype=object if any(isinstance(v, str) for v in values)
                                else None).to_numpy()[table["arm_index"].to_numpy()]
    metric_order = list(plan.experiment.metrics)
    table["metric"] = pd.Categorical(table["metric"], categories=metric_order, ordered=True)
    for col in ("seed", "dimension", "group"):
        table[col] = table[col].astype("category")
    table["arm_index"] = table["arm_index"].astype("int32")
    table["replication"] = table["replication"].astype("int32")
    table = table.sort_values(["arm_index", "replication", "metric", "dimension", "group", "time"],
                              kind="stable", ignore_index=True)
    return table[["arm", "arm_index", *factor_names, *TABLE_COLUMNS[2:]]]


def _design_record(plan: ExperimentPlan) -> dict[str, Any]:
    d = plan.experiment.design
    seed = d.seed if d.seed is not None else sampler_seed(plan.experiment.root_seed)
    return {"kind": d.kind, "factors": [dataclasses.asdict(f) for f in plan.factors],
            "samples": d.samples, "trajectories": d.trajectories, "levels": d.levels,
            "second_order": d.second_order,
            "sampler_seed": seed}


def write_outputs(plan: ExperimentPlan, store: RunStore, report, started_at: str) -> list[Path]:
    """Write the combined table, summaries, copies of the inputs and the manifest."""
    from simulation.experiments.analysis import arm_means, paired_differences

    exp = plan.experiment
    out = store.root
    out.mkdir(parents=True, exist_ok=True)
    table = combine_runs(plan, store)
    statistics = {m.label: m.statistic for m in exp.metric_specs}
    files = [write_table(out / "results.parquet", table)]
    if len(table):
        files.append(write_csv(out / "summary.csv", arm_means(table, statistics=statistics),
                               index=False, float_format="%.6g"))
        if plan.baseline is not None and len(plan.arms) > 1 and \
                (table["arm_index"] == plan.baseline.index).any():
            diffs = paired_differences(table, plan.baseline.label, statistics=statistics,
                                       paired=exp.common_random_numbers)
            files.append(write_csv(out / "differences.csv", diffs, index=False,
                                   float_format="%.6g"))
    files.append(write_csv(out / "design.csv", plan.design_table(), index=False))
    runs = _runs_table(plan, store, report)
    files.append(write_csv(out / "runs.csv", runs, index=False))
    atomic_write_bytes(out / "experiment.toml", exp.text.encode("utf-8"))
    atomic_write_bytes(out / "base_scenario.toml", plan.base.to_toml().encode("utf-8"))
    files += [out / "experiment.toml", out / "base_scenario.toml"]
    ok = runs[runs["status"] == "ok"]
    manifest = {
        "kind": "sweep", "experiment": exp.name, "description": exp.description,
        "experiment_file": str(exp.source) if exp.source else None,
        "experiment_sha256": sha256_text(exp.text),
        "base_scenario_sha256": sha256_text(plan.base.to_toml()),
        "root_seed": exp.root_seed, "common_random_numbers": exp.common_random_numbers,
        "seed_scheme": ("SeedSequence(root_seed, spawn_key=(replication,))"
                        if exp.common_random_numbers
                        else "SeedSequence(root_seed, spawn_key=(arm_index, replication))")
        + (", locality k: spawn_key + (k,)" if exp.partition != "none" else ""),
        "replications": exp.replications, "arms": len(plan.arms),
        "partition": exp.partition,
        "localities": list(dict.fromkeys(t.locality for t in plan.runs if t.locality)),
        "baseline": plan.baseline.label if plan.baseline is not None else None,
        "years": plan.base.run.years, "scale": plan.base.run.scale, "period": exp.period,
        "dimensions": list(exp.dimensions), "metrics": statistics,
        "metric_dimensions": {k: list(v) for k, v in exp.metric_dimensions.items()},
        "design": _design_record(plan),
        "runs_planned": report.planned, "runs_finished": report.finished,
        "runs_failed": len(store.failures()), "complete": report.complete,
        "runs_executed_last_sweep": report.executed, "runs_skipped_last_sweep": report.skipped,
        "stale_run_files": report.stale_files,
        "cluster": report.cluster, "started": started_at,
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "wall_seconds_last_sweep": report.wall_seconds,
        "run_seconds": {"total": round(float(ok["seconds"].sum()), 3),
                        "mean": round(float(ok["seconds"].mean()), 3) if len(ok) else None},
        "runs": runs.to_dict("records"),
        "files": sorted(p.name for p in files) + ["manifest.json"],
        **environment(),
    }
    atomic_write_json(out / "manifest.json", manifest)
    return [*files, out / "manifest.json"]


def _runs_table(plan: ExperimentPlan, store: RunStore, report) -> pd.DataFrame:
    done = store.finished_keys()
    failures = store.failures()
    rows = []
    labels = {a.index: a.label for a in plan.arms}
    for task in plan.runs:
        row = {"key": task.key, "arm": labels[task.arm], "arm_index": task.arm,
               "replication": task.replication, "seed": task.seed_text}
        if task.locality:
            row["locality"] = task.locality
        if task.key in done:
            info = store.info(task.key)
            row.update(status="ok", seconds=info.get("seconds"), worker=info.get("worker"),
                       finished_at=info.get("finished_at"), error=None,
                       warnings=info.get("warnings", ""))
        elif task.key in failures:
            info = failures[task.key]
            row.update(status="failed", seconds=info.get("seconds"), worker=info.get("worker"),
                       finished_at=None, error=info.get("error"))
        else:
            row.update(status="not run", seconds=None, worker=None, finished_at=None, error=None)
        rows.append(row)
    return pd.DataFrame(rows)
