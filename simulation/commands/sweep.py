"""``lco-sim sweep``: run a policy experiment (an experiment TOML file) on Dask."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from simulation.commands.arguments import add_force, positive_int
from simulation.scenario import ScenarioError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``sweep`` subcommand."""
    p = sub.add_parser(
        "sweep", help="run a policy experiment (arms x replications) on Dask",
        description="Run every arm and replication of an experiment file. Each finished run is "
        "written at once to OUT/runs/; a rerun (or --resume) skips finished runs. The combined "
        "table, summaries and manifest go to OUT (default results/<experiment name>).")
    p.add_argument("experiment", type=Path, metavar="FILE", help="experiment TOML file")
    p.add_argument("--dry-run", action="store_true",
                   help="print the design and the number of runs; run nothing")
    p.add_argument("--workers", type=positive_int,
                   help="worker processes of the local cluster (default: one per core; 1 runs "
                   "in process)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="address of an existing Dask scheduler (default: $DASK_SCHEDULER_ADDRESS, "
                   "else a local cluster)")
    again = p.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true",
                       help="skip runs already finished in OUT (also what a plain rerun does)")
    again.add_argument("--rerun", action="store_true",
                       help="delete OUT's earlier run files and run everything again")
    p.add_argument("--out", type=Path, help="results folder (default results/<experiment name>); "
                   "must be new, empty or an earlier sweep's folder, unless --force")
    add_force(p)
    p.add_argument("--yes", action="store_true",
                   help="build a design of more than 10,000 runs (refused without it)")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    p.set_defaults(func=execute)


def execute(args: argparse.Namespace) -> int:
    """Validate everything, then run (or with --dry-run, describe) the sweep."""
    from simulation.experiments.design import MAX_RUNS, build_plan
    from simulation.experiments.runner import SCHEDULER_ENV, sweep
    from simulation.experiments.spec import load_experiment
    from simulation.experiments.store import RunStore
    from simulation.provenance import check_output_folder

    plan = build_plan(load_experiment(args.experiment), max_runs=None if args.yes else MAX_RUNS)
    exp = plan.experiment
    out = args.out or Path("results") / exp.name
    if out.exists() and not out.is_dir():
        raise ScenarioError(f"--out: {out} exists and is a file, not a folder")
    workers = args.workers
    cores = os.cpu_count() or 1
    if workers is not None and workers > cores and not (args.scheduler
                                                        or os.environ.get(SCHEDULER_ENV)):
        # more single-threaded workers than cores only adds memory and switching, never speed
        print(f"note: --workers {workers} is more than the {cores} cores here; using {cores}",
              file=sys.stderr)
        workers = cores
    if args.dry_run:
        done = RunStore(out).finished_keys() & {t.key for t in plan.runs}
        _print_design(plan)
        where = args.scheduler or os.environ.get(SCHEDULER_ENV)
        print(f"\n{run_count_words(plan)}; {len(done)} already finished in {out}/")
        print(f"baseline arm: {plan.baseline.label if plan.baseline else '(none)'}; "
              f"would run on {('scheduler ' + where) if where else 'a local cluster'}")
        return 0
    check_output_folder(out, "sweep", force=args.force, inputs=(args.experiment,))
    if args.resume and not RunStore(out).finished_keys() and not args.quiet:
        print(f"nothing to resume in {out}/; starting afresh")
    report = sweep(plan, out, workers=workers, scheduler=args.scheduler, rerun=args.rerun,
                   progress=not args.quiet)
    for path in report.set_aside:
        print(f"note: {path.name} could not be read (truncated or damaged); moved to "
              f"{path.parent}/ and its run was run again", file=sys.stderr)
    if not args.quiet:
        print(f"{exp.name}: {report.finished} of {report.planned} runs finished "
              f"({report.executed} run now, {report.skipped} kept from before), "
              f"{len(report.failed)} failed; {report.wall_seconds:.1f} s on "
              f"{report.cluster or '-'}")
        if report.stale_files:
            print(f"note: {report.stale_files} run files in {out}/runs/ belong to an earlier "
                  "version of the experiment and were left out")
        print(f"results in {out}/ (results.parquet, summary.csv, manifest.json); analyse with "
              f"`lco-sim analyse {out}`")
    for key, error in list(report.failed.items())[:10]:
        print(f"failed: {key}: {error}")
    if len(report.failed) > 10:
        print(f"... and {len(report.failed) - 10} more (see {out}/runs.csv)")
    return 1 if report.failed else 0


def run_count_words(plan) -> str:
    """How many runs a plan makes and why, in a planner's words.

    Options (arms) x replications, and for an experiment partitioned by locality the localities
    too, each run then a locality's own model: e.g. "3 options (arms) x 10 localities x 5
    replications = 150 runs, each a locality's own model (10 years at scale 0.1)".
    """
    exp = plan.experiment
    localities = sorted({t.locality for t in plan.runs if t.locality})
    arms = f"{len(plan.arms)} option{'s' if len(plan.arms) != 1 else ''} (arms)"
    reps = f"{exp.replications} replication{'s' if exp.replications != 1 else ''}"
    settings = f"{plan.base.run.years} years at scale {plan.base.run.scale:g}"
    if localities:
        return (f"{arms} x {len(localities)} localities x {reps} = {len(plan.runs)} runs, each a "
                f"locality's own model ({settings})")
    return f"{arms} x {reps} = {len(plan.runs)} runs ({settings})"


def _print_design(plan) -> None:
    import pandas as pd

    table = plan.design_table().drop(columns=["overrides"]).set_index("arm_index")
    exp = plan.experiment
    print(f"experiment {exp.name}: {exp.design.kind} design over "
          f"{', '.join(f.name for f in plan.factors)}")
    if exp.description:
        print(exp.description.strip())
    with pd.option_context("display.width", 160, "display.max_columns", 20,
                           "display.max_rows", 40, "display.float_format", "{:.4g}".format):
        print(table.to_string() if len(table) <= 40 else table)
