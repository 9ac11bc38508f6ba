"""``lco-sim report``: the business-case evidence pack of an experiment folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from simulation.commands.arguments import add_force


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``report`` subcommand."""
    p = sub.add_parser("report", help="write the business-case evidence pack of an experiment",
                       description="Read results/<experiment>/ written by `lco-sim sweep` and "
                       "write report.html (self-contained), CSV tables and business_case.xlsx "
                       "to <experiment>/report/ (or --out).")
    p.add_argument("experiment", type=Path, help="experiment results folder")
    p.add_argument("--out", type=Path, help="output folder (default: <experiment>/report); "
                   "replaced only if it is empty or holds an earlier report, unless --force")
    add_force(p)
    p.set_defaults(func=execute)


def execute(args: argparse.Namespace) -> int:
    """Build the report; an unusable folder raises ScenarioError (one line, exit 2)."""
    from simulation.provenance import check_output_folder
    from simulation.report import build_report

    target = args.out if args.out is not None else args.experiment / "report"
    check_output_folder(target, "report", force=args.force, inputs=(args.experiment,))
    out = build_report(args.experiment, target)
    print(f"wrote {out / 'report.html'}, CSV tables and business_case.xlsx to {out}/")
    return 0
