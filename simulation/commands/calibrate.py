"""``lco-sim calibrate``: fit the CALIBRATED parameters to an area's targets (Optuna, on Dask).

Searches the parameters marked CALIBRATED in the scenario (:mod:`simulation.fitting`) for the
values whose ``none`` baseline lies closest to the area's targets (the bands of
:mod:`simulation.calibration`), and writes ``fitted.csv``, ``fit_report.csv``,
``fit_report.md``, ``trials.csv`` and ``manifest.json`` to ``--out``. The same ``--seed`` gives
the same fit on any number of workers. Exit status 0 once written; 2 for bad input, with one
line and nothing written.

Example:
    >>> import argparse
    >>> sub = argparse.ArgumentParser().add_subparsers()
    >>> register(sub)
    >>> args = sub.choices["calibrate"].parse_args(["--area", "dudley", "--budget", "8"])
    >>> args.area, args.budget, args.seed, args.seeds, args.scale, args.years
    ('dudley', 8, 1, 3, 0.05, 3)
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from simulation.commands.arguments import add_force, positive_float, positive_int
from simulation.scenario import ScenarioError

DEFAULT_BUDGET = 40
"""Trials: about 13 random ones, then TPE's proposals; enough for a few parameters."""
DEFAULT_SEEDS = 3
"""Runs per trial (common random numbers across trials): the noise the plausible range allows."""
DEFAULT_SCALE = 0.05
DEFAULT_YEARS = 3
"""Three recorded years: the fewest the growth targets need."""


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``calibrate`` subcommand."""
    p = sub.add_parser(
        "calibrate", help="fit the CALIBRATED parameters to an area's targets",
        description="Search the parameters marked CALIBRATED for the values whose baseline is "
        "closest to the area's published targets (Optuna, seeded; runs on Dask), and write the "
        "fitted values with their plausible ranges and a fit report to --out. The shipped "
        "defaults are not changed.")
    p.add_argument("--area", help="area to calibrate (lco-sim areas lists them; default: the "
                   "default area)")
    p.add_argument("--budget", type=positive_int, default=DEFAULT_BUDGET,
                   help=f"trials, the shipped defaults first (default {DEFAULT_BUDGET})")
    p.add_argument("--seed", type=int, default=1,
                   help="seed of the sampler and first seed of the runs (default 1)")
    p.add_argument("--seeds", type=positive_int, default=DEFAULT_SEEDS,
                   help=f"runs per trial, seeds SEED.. (default {DEFAULT_SEEDS})")
    p.add_argument("--scale", type=positive_float, default=DEFAULT_SCALE,
                   help=f"population scale of the runs (default {DEFAULT_SCALE})")
    p.add_argument("--years", type=positive_int, default=DEFAULT_YEARS,
                   help=f"recorded years per run (default {DEFAULT_YEARS})")
    p.add_argument("--parameters", metavar="NAMES",
                   help="comma-separated parameters to fit (default: every CALIBRATED one)")
    p.add_argument("--sampler", choices=("tpe", "cmaes"), default="tpe",
                   help="Optuna sampler (default tpe)")
    p.add_argument("--workers", type=positive_int,
                   help="worker processes of the local Dask cluster (default: one per core; 1 "
                   "runs in this process)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="address of an existing Dask scheduler")
    p.add_argument("--out", type=Path, help="output folder (default results/calibration-<area>); "
                   "must be new, empty or an earlier calibration's folder, unless --force")
    add_force(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    p.set_defaults(func=execute)


def execute(args: argparse.Namespace) -> int:
    """Check the arguments, then fit and write; bad input writes nothing."""
    from simulation.areas import DEFAULT_AREA, load_area
    from simulation.fitting import fit, select_parameters, write_fit
    from simulation.provenance import check_output_folder

    if args.seed < 0:
        raise ScenarioError(f"--seed: {args.seed} is out of range; allowed >= 0")
    if args.scale > 2.0:
        raise ScenarioError(f"--scale: {args.scale} is out of range; allowed > 0 and <= 2")
    if args.years > 30:
        raise ScenarioError(f"--years: {args.years} is out of range; allowed 1..30")
    if args.budget > 10_000:
        raise ScenarioError(f"--budget: {args.budget} is out of range; allowed 1..10000")
    area = load_area(args.area or DEFAULT_AREA)
    names = [n.strip() for n in args.parameters.split(",") if n.strip()] if args.parameters \
        else None
    select_parameters(names)  # an unknown name: one line, before anything runs
    out = args.out or Path("results") / f"calibration-{area.name}"
    inputs = (args.area,) if args.area and os.path.sep in args.area else ()
    check_output_folder(out, "calibration", force=args.force, inputs=inputs)
    result = fit(args.area, budget=args.budget, seed=args.seed, seeds=args.seeds,
                 scale=args.scale, years=args.years, parameters=names, sampler=args.sampler,
                 workers=args.workers,
                 scheduler=args.scheduler, progress=not args.quiet)
    write_fit(result, out)
    if not args.quiet:
        report = result.report()
        best = result.trials.set_index("trial").loc[result.best, "objective"]
        print(f"best trial {result.best} of {args.budget}: objective {best:.4g}; "
              f"{int(report['fitted_met'].sum())} of {len(report)} targets in their band at the "
              f"fit; {result.wall_seconds:.0f} s on {result.cluster}; report: "
              f"{out / 'fit_report.md'}")
    return 0
