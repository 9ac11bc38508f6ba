"""Benchmark: sweep throughput (runs per minute) with 1 and 2 workers on a fixed small experiment.

Not a test: run it on an otherwise idle machine.

    .venv/bin/python benchmarks/bench_sweep.py [--replications 6] [--years 2] [--scale 0.02]

The experiment is two arms (no integration, full integration) x N replications. Each sweep starts
from empty run files; the wall time includes starting the Dask cluster, as a user would see it.
With 2 workers on 2 cores the rate should approach twice the 1-worker rate (the runs are
independent and each one is single-threaded); the gap is cluster start-up and the tail where only
one run is left.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from simulation.experiments import Experiment, build_plan
from simulation.experiments.runner import sweep


def experiment(replications: int, years: int, scale: float) -> Experiment:
    """The fixed benchmark experiment."""
    return Experiment.parse_dict({
        "name": "bench-sweep", "years": years, "scale": scale, "replications": replications,
        "root_seed": 1, "metrics": ["emergency_admissions", "occupied_beds:sum"],
        "design": {"factors": {"integration.level": ["none", "full"]}}})


def main() -> None:
    """Run the benchmark and print runs per minute for each worker count."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=6)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    plan = build_plan(experiment(args.replications, args.years, args.scale))
    n = len(plan.runs)
    print(f"{n} runs ({len(plan.arms)} arms x {args.replications} replications), "
          f"{args.years} years at scale {args.scale}; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.2f}")
    rates = {}
    with tempfile.TemporaryDirectory() as tmp:
        for w in args.workers:
            started = time.perf_counter()
            report = sweep(plan, f"{tmp}/w{w}", workers=w, progress=False)
            wall = time.perf_counter() - started
            assert report.complete, report.failed
            rates[w] = n / wall * 60
            print(f"workers={w}: {wall:6.1f} s wall, {rates[w]:6.1f} runs/minute")
    if 1 in rates:
        for w, r in rates.items():
            if w != 1:
                print(f"speed-up with {w} workers: {r / rates[1]:.2f}x")


if __name__ == "__main__":
    main()
