"""``lco-sim analyse``: confidence intervals, paired differences and figures of a finished sweep."""

from __future__ import annotations

import argparse
from pathlib import Path

from simulation.commands.arguments import share
from simulation.scenario import ScenarioError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``analyse`` subcommand."""
    p = sub.add_parser(
        "analyse", help="analyse a sweep: CIs, paired differences, replications needed, figures",
        description="Read DIR (a sweep's results folder) and write tables (CSV) and figures (PNG) "
        "to DIR/analysis/: per-arm means with 95%% t-intervals, paired differences from the "
        "baseline arm, replications needed for a target interval, fan charts, difference charts, "
        "two-factor heatmaps, and Morris / Sobol indices for sensitivity designs.")
    p.add_argument("directory", type=Path, metavar="DIR", help="results/<experiment>/ folder")
    p.add_argument("--baseline", help="arm label to compare against (default: the experiment's)")
    p.add_argument("--target-relative", type=share, default=0.02, metavar="SHARE",
                   help="target 95%% CI half-width as a share of the mean, for the replications "
                   "needed (default 0.02)")
    p.add_argument("--no-figures", action="store_true", help="tables only")
    p.add_argument("--quiet", action="store_true", help="print nothing")
    p.set_defaults(func=execute)


def execute(args: argparse.Namespace) -> int:
    """Write the analysis and print the headline table."""
    import pandas as pd

    from simulation.experiments.analysis import write_analysis

    if not args.directory.is_dir():
        raise ScenarioError(f"{args.directory}: no such results folder; run `lco-sim sweep` first")
    tables = write_analysis(args.directory, target_relative=args.target_relative,
                            baseline=args.baseline, figures=not args.no_figures)
    if args.quiet:
        return 0
    with pd.option_context("display.width", 170, "display.max_columns", 12, "display.max_rows", 60,
                           "display.float_format", "{:,.4g}".format):
        if "differences_horizon" in tables:
            d = tables["differences_horizon"]
            d = d[d["dimension"].astype(str) == "all"]
            cols = ["arm", "metric", "n", "baseline_mean", "mean_difference", "ci_low", "ci_high",
                    "relative_difference"]
            print("Difference from the baseline over the whole horizon (95% CI, paired by "
                  "replication):")
            print(d[cols].to_string(index=False))
        for kind in ("morris", "sobol"):
            if f"{kind}_indices" in tables:
                print(f"{kind.capitalize()} indices:")
                print(tables[f"{kind}_indices"].to_string(index=False))
        if not {"differences_horizon", "morris_indices", "sobol_indices"} & set(tables):
            m = tables["arm_means_horizon"]
            print(m[m["dimension"].astype(str) == "all"].head(40).to_string(index=False))
    print(f"\nwrote {len(list((args.directory / 'analysis').iterdir()))} files to "
          f"{args.directory / 'analysis'}/")
    return 0
