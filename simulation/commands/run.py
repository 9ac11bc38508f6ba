"""``lco-sim run``: run one scenario and write its results."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from simulation.areas import load_area
from simulation.commands.arguments import add_force, positive_float
from simulation.scenario import INTEGRATION_LEVELS, Scenario, ScenarioError, load_scenario


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``run`` subcommand."""
    p = sub.add_parser("run", help="run one scenario and write its results",
                       description="Run one scenario; write results.parquet, episodes.parquet, "
                       "summary.csv, overview.png, scenario.toml and manifest.json to --out.")
    p.add_argument("--scenario", type=Path, help="scenario TOML file (default: the default "
                   "area's baseline)")
    p.add_argument("--area", help="area to run (lco-sim areas lists them; overrides the "
                   "scenario's area and resets its place-specific values)")
    p.add_argument("--integration", choices=INTEGRATION_LEVELS,
                   help="integration level (overrides the scenario's)")
    p.add_argument("--years", type=int, help="horizon in years (overrides the scenario's)")
    p.add_argument("--scale", type=positive_float, help="population and capacity scale, e.g. 0.1")
    p.add_argument("--seed", type=int, default=1, help="root random seed (default 1)")
    p.add_argument("--out", type=Path, default=Path("results/run"),
                   help="output folder (default results/run); replaced only if it is empty or "
                   "holds an earlier run, unless --force")
    add_force(p)
    p.add_argument("--no-episodes", action="store_true", help="do not keep the episode log")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    p.add_argument("--strict", action="store_true",
                   help="exit with status 2 if the run fails a plausibility check (too many "
                   "admissions out of area, sites over capacity, rates far from the calibration); "
                   "the results are still written")
    p.set_defaults(func=execute)


def scenario_from_args(args: argparse.Namespace) -> Scenario:
    """The scenario file (or default) with the command line's overrides applied and validated."""
    scenario = load_scenario(args.scenario) if args.scenario else Scenario()
    overrides = {}
    if getattr(args, "area", None):
        overrides["area"] = args.area
    if args.integration:
        overrides["integration.level"] = args.integration
        if not args.scenario:
            overrides["name"] = f"{load_area(args.area or scenario.area).name}-{args.integration}"
    if args.years is not None:
        overrides["run.years"] = args.years
    if args.scale is not None:
        overrides["run.scale"] = args.scale
    return scenario.with_overrides(overrides) if overrides else scenario


def _overview_figure(out, folder: Path) -> None:
    from simulation.plots import plot_run

    plot_run(out.results, folder / "overview.png", title=out.manifest["scenario_name"])


def execute(args: argparse.Namespace) -> int:
    """Run and write; input errors raise ScenarioError before anything is written."""
    from simulation.provenance import check_output_folder
    from simulation.runner import run_scenario, summary_table, write_run

    scenario = scenario_from_args(args)
    if args.seed < 0:
        raise ScenarioError(f"--seed: {args.seed} is out of range; allowed >= 0")
    check_output_folder(args.out, "run", force=args.force,
                        inputs=(args.scenario,) if args.scenario else ())
    out = run_scenario(scenario, args.seed, record_episodes=not args.no_episodes,
                       progress=not args.quiet)
    files = write_run(out, args.out, scenario, extras=_overview_figure)
    if not args.quiet:
        import pandas as pd

        with pd.option_context("display.width", 160, "display.max_columns", 12):
            print(summary_table(out.results).round(1).to_string())
        print(f"\n{out.manifest['days_simulated']} days, {out.manifest['patients_initial']:,} "
              f"patients, {out.manifest['run_seconds']:.1f} s "
              f"({out.manifest['patient_days_per_second']:,.0f} patient-days/s)")
        print(f"wrote {len(files)} files to {args.out}/")
    for warning in out.manifest["warnings"]:  # loud, even with --quiet
        print(f"lco-sim: WARNING: {warning}", file=sys.stderr)
    if out.manifest["warnings"] and args.strict:
        print(f"lco-sim: error: --strict: {len(out.manifest['warnings'])} plausibility "
              f"warning(s); results kept in {args.out}/", file=sys.stderr)
        return 2
    return 0
