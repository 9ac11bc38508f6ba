"""Benchmark: the full Manchester default (600,000 patients) for 10 years on one core.

``--area greater-manchester`` runs another area as one model (benchmarks/bench_gm.py uses it).

Reports wall time, patient-days per second and peak memory (resident set size). Not a test: the
target for the core model is under 60 s and under 2 GB on one core of a 2-core CI machine.

    python benchmarks/bench_model.py [--area NAME] [--scale 1.0] [--years 10] [--seed 1]
        [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core: no threaded BLAS behind numpy
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from simulation.model import LCOModel  # noqa: E402
from simulation.provenance import environment  # noqa: E402
from simulation.scenario import Scenario  # noqa: E402


def main() -> int:
    """Run the benchmark and print (and optionally save) its figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--years", type=int, default=10)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--level", default="none")
    p.add_argument("--area", default=None, help="area name or file (default: the default area)")
    p.add_argument("--json", help="also write the figures to this JSON file")
    a = p.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    scenario = Scenario.preset(a.level, area=a.area, scale=a.scale, years=a.years)
    t0 = time.perf_counter()
    model = LCOModel(scenario, seed=a.seed, record_episodes=True)
    t_build = time.perf_counter() - t0
    t1 = time.perf_counter()
    model.run()
    t_run = time.perf_counter() - t1
    t2 = time.perf_counter()
    results = model.results()
    episodes = model.episode_log()
    t_results = time.perf_counter() - t2
    total = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    patient_days = model.initial_size * (model.horizon_days + model.warmup_days)
    figures = {
        "area": scenario.area, "scale": a.scale, "years": a.years, "level": a.level,
        "patients": model.initial_size,
        "days_including_warmup": model.horizon_days + model.warmup_days,
        "build_and_warmup_s": round(t_build, 2), "run_s": round(t_run, 2),
        "results_s": round(t_results, 2), "wall_s": round(total, 2),
        "patient_days_per_s": round(patient_days / (t_build + t_run)),
        "ms_per_simulated_day": round((t_build + t_run) / (model.horizon_days
                                                          + model.warmup_days) * 1000, 2),
        "peak_rss_mb": round(peak_mb), "result_rows": len(results), "episodes": len(episodes),
        "cpu_count": os.cpu_count(), "load_average_1min": round(os.getloadavg()[0], 2),
        **{k: v for k, v in environment().items() if k in ("lco_sim_version", "git_commit")},
    }
    for k, v in figures.items():
        print(f"{k:>24}: {v:,}" if isinstance(v, (int, float)) else f"{k:>24}: {v}")
    target = "met" if total < 60 and peak_mb < 2048 else "NOT met"
    print(f"target (< 60 s and < 2 GB): {target}")
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(figures, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
