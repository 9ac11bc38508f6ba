"""Benchmark: Greater Manchester as one model, and partitioned by locality on Dask workers.

Not a test: run it on an otherwise idle machine.

    python benchmarks/bench_gm.py [--scale 1.0] [--years 10] [--workers 2] [--json out.json]

1. **One model**: ``benchmarks/bench_model.py --area greater-manchester`` in its own process
   (pinned to one core), so its peak resident memory is that run's alone; reports wall time and
   peak memory.
2. **Partitioned**: the same scenario (do nothing, one replication) as a partitioned sweep
   (``partition = "locality"``, ten locality runs) on a local Dask cluster of ``--workers``
   processes; reports the sweep's wall time (cluster start included, as a user sees it) and the
   sum of the ten runs' own times.

Both also print emergency admissions, bed days and out-of-area admissions over the horizon, so the
partition's simplification (shared sites' beds split, no overflow between localities) can be seen
in the totals. Run time grows about in proportion to patients x days, so a run at ``--scale 0.1``
gives the full-scale time by multiplying by 10 (an extrapolation; memory grows the same way,
about 60 bytes a patient plus a fixed part).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
METRICS = ["emergency_admissions", "occupied_beds:sum", "out_of_area_admissions"]


def one_model(scale: float, years: int, seed: int) -> dict:
    """Run bench_model.py for Greater Manchester in a fresh process; its JSON figures."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "one.json"
        subprocess.run([sys.executable, str(HERE / "bench_model.py"), "--area",
                        "greater-manchester", "--scale", str(scale), "--years", str(years),
                        "--seed", str(seed), "--json", str(out)], check=True,
                       capture_output=True, text=True)
        return json.loads(out.read_text())


def single_totals(scale: float, years: int, seed: int) -> dict:
    """Horizon totals of the single model (a second run, for the comparison of totals)."""
    from simulation.model import LCOModel
    from simulation.scenario import Scenario

    s = Scenario.preset("none", area="greater-manchester", scale=scale, years=years)
    df = LCOModel(s, seed=seed, record_episodes=False).run().results()
    df = df[df["dimension"] == "all"]
    return {m: float(df.loc[df["metric"] == m.partition(":")[0], "value"].sum()) for m in METRICS}


def partitioned(scale: float, years: int, workers: int, seed: int) -> dict:
    """The partitioned sweep's wall time, run times and horizon totals."""
    import pandas as pd

    from simulation.experiments import Experiment, build_plan
    from simulation.experiments.runner import sweep

    plan = build_plan(Experiment.parse_dict({
        "name": "bench-gm", "years": years, "scale": scale, "replications": 1,
        "root_seed": seed, "partition": "locality", "metrics": METRICS,
        "base": {"overrides": {"area": "greater-manchester"}},
        "design": {"factors": {"integration.level": ["none"]}}}))
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        report = sweep(plan, tmp, workers=workers, progress=False)
        wall = time.perf_counter() - started
        assert report.complete, report.failed
        runs = pd.read_csv(Path(tmp) / "runs.csv")
        table = pd.read_parquet(Path(tmp) / "results.parquet")
    table = table[table["dimension"] == "all"]
    totals = {m: float(table.loc[table["metric"] == m, "value"].sum()) for m in METRICS}
    return {"workers": workers, "runs": len(runs), "wall_s": round(wall, 1),
            "sum_of_run_s": round(float(runs["seconds"].sum()), 1),
            "longest_run_s": round(float(runs["seconds"].max()), 1),
            "longest_run_locality": str(runs.loc[runs["seconds"].idxmax(), "locality"]),
            "totals": totals}


def main() -> int:
    """Run both and print the figures with the conditions."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--years", type=int, default=10)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", help="also write the figures to this JSON file")
    a = p.parse_args()
    conditions = {"scale": a.scale, "years": a.years, "cpu_count": os.cpu_count(),
                  "load_average_1min_at_start": round(os.getloadavg()[0], 2)}
    one = one_model(a.scale, a.years, a.seed)
    one["totals"] = single_totals(a.scale, a.years, a.seed)
    part = partitioned(a.scale, a.years, a.workers, a.seed)
    figures = {"conditions": conditions, "one_model": one, "partitioned": part}
    print(f"Greater Manchester, do nothing, scale {a.scale:g}, {a.years} years; "
          f"{os.cpu_count()} cores, load average {conditions['load_average_1min_at_start']}")
    print(f"one model (1 process, 1 core): {one['wall_s']:.1f} s wall, peak memory "
          f"{one['peak_rss_mb']:,} MB, {one['patients']:,} patients")
    print(f"partitioned ({part['runs']} locality runs on {a.workers} workers): "
          f"{part['wall_s']:.1f} s wall, {part['sum_of_run_s']:.1f} s of runs (longest "
          f"{part['longest_run_s']:.1f} s, {part['longest_run_locality']})")
    for m in METRICS:
        x, y = one["totals"][m], part["totals"][m]
        rel = f"{100 * (y - x) / x:+.2f}%" if x else "n/a"
        print(f"  {m:>24}: one model {x:,.0f}, partitioned {y:,.0f} ({rel})")
    if a.scale < 1:
        k = 1 / a.scale
        print(f"extrapolated to scale 1 (x{k:g}, not measured): one model about "
              f"{one['wall_s'] * k / 60:.0f} min and {one['peak_rss_mb'] * k / 1024:.1f} GB at "
              f"most; partitioned about {part['wall_s'] * k / 60:.0f} min on {a.workers} workers")
    if a.json:
        Path(a.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
