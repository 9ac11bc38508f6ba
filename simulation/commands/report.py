"""``lco-sim report``: the business-case evidence pack of an experiment folder."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``report`` subcommand."""
    p = sub.add_parser("report", help="write the business-case evidence pack of an experiment",
                       description="Read results/<experiment>/ written by `lco-sim sweep` and "
                       "write report.html (self-contained), CSV tables and business_case.xlsx "
                       "to <experiment>/report/ (or --out).")
    p.add_argument("experiment", type=Path, help="experiment results folder")
    p.add_argument("--out", type=Path, help="output folder (default: <experiment>/report)")
    p.set_defaults(func=execute)


def execute(args: argparse.Namespace) -> int:
    """Build the report; an unusable folder raises ScenarioError (one line, exit 2)."""
    from simulation.report import build_report

    out = build_report(args.experiment, args.out)
    print(f"wrote {out / 'report.html'}, CSV tables and business_case.xlsx to {out}/")
    return 0
