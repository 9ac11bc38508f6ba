"""``lco-sim validate``: write the validation report from a fresh run.

Runs replications of the area's ``none`` baseline and a paired ``full`` integration arm, measures
every published target with its source (the area's own figures where its area file has them,
England's rates otherwise, each row saying which), runs the verification checks, and writes
``report.md``, ``targets.csv``, ``figures_not_found.csv``, ``verification.csv``, figures and
``manifest.json`` to ``--out`` (see :mod:`simulation.validation_report`).

The exit status is 0 once the report is written, whatever its verdicts (they are in the report
and its summary line); 2 for bad input, with one line and nothing written.

Example:
    >>> import argparse
    >>> sub = argparse.ArgumentParser().add_subparsers()
    >>> register(sub)
    >>> args = sub.choices["validate"].parse_args(["--scale", "0.02", "--replications", "2"])
    >>> args.scale, args.years, args.replications, str(args.out)
    (0.02, 10, 2, 'results/validation')
"""

from __future__ import annotations

import argparse
from pathlib import Path

from simulation.commands.arguments import add_force, positive_float
from simulation.scenario import ScenarioError

DEFAULT_SCALE = 0.05
"""30,000 patients: the whole report (2 arms x 2 replications x 10 years) takes 1-2 minutes."""
DEFAULT_YEARS = 10
"""The 10-year contract: growth rates are fitted over ten points, and the integration effect's
time profile (reductions after 4.5-6 years, [health-foundation-iau-2021]) can show."""
DEFAULT_REPLICATIONS = 2


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``validate`` subcommand."""
    p = sub.add_parser(
        "validate", help="run the model and write the validation report",
        description="Run the baseline and a paired full-integration arm, compare every published "
        "target (with its source) and run the verification checks; write report.md, targets.csv, "
        "verification.csv, figures and manifest.json to --out.")
    p.add_argument("--area", help="area to validate (lco-sim areas lists them; default: the "
                   "default area): its baseline is checked against its own published figures, "
                   "and England's rates where it has none")
    p.add_argument("--scale", type=positive_float, default=DEFAULT_SCALE,
                   help=f"population and capacity scale (default {DEFAULT_SCALE})")
    p.add_argument("--years", type=int, default=DEFAULT_YEARS,
                   help=f"recorded years per run (default {DEFAULT_YEARS}; 3+ for growth targets)")
    p.add_argument("--replications", type=int, default=DEFAULT_REPLICATIONS,
                   help=f"replications per arm (default {DEFAULT_REPLICATIONS})")
    p.add_argument("--seed", type=int, default=1, help="first seed (default 1)")
    p.add_argument("--out", type=Path, default=Path("results/validation"),
                   help="output folder (default results/validation); replaced only if it is empty "
                   "or holds an earlier validation report, unless --force")
    add_force(p)
    p.add_argument("--skip-verification", action="store_true",
                   help="leave out the verification checks (quicker)")
    p.add_argument("--quiet", action="store_true", help="no progress bars or summary")
    p.set_defaults(func=execute)


def execute(args: argparse.Namespace) -> int:
    """Check the arguments, then run and write the report; bad input writes nothing."""
    if not 1 <= args.years <= 30:
        raise ScenarioError(f"--years: {args.years} is out of range; allowed 1..30")
    if not 1 <= args.replications <= 1000:
        raise ScenarioError(f"--replications: {args.replications} is out of range; allowed 1..1000")
    if args.seed < 0:
        raise ScenarioError(f"--seed: {args.seed} is out of range; allowed >= 0")
    if args.scale > 2.0:
        raise ScenarioError(f"--scale: {args.scale} is out of range; allowed > 0 and <= 2")
    from simulation.calibration import targets_for_area
    from simulation.provenance import check_output_folder
    from simulation.scenario import Scenario
    from simulation.validation_report import write_report

    # an unknown area, a bad area target or a bad scale for this area: one line, nothing written
    targets_for_area(args.area)
    Scenario.preset("none", area=args.area, scale=args.scale, years=args.years)
    check_output_folder(args.out, "validation", force=args.force)

    path = write_report(args.out, scale=args.scale, years=args.years,
                        replications=args.replications, seed=args.seed,
                        progress=not args.quiet,
                        include_verification=not args.skip_verification, area=args.area)
    if not args.quiet:
        import pandas as pd

        table = pd.read_csv(path.parent / "targets.csv")
        counts = table["verdict"].value_counts()
        own = table[(table["arm"] == "none") & (table["basis"] != "England")]
        print(f"{counts.get('met', 0)} met, {counts.get('not met', 0)} not met, "
              f"{counts.get('not evaluated', 0)} not evaluated ({len(own)} baseline targets "
              f"checked against the area's own figures); report: {path}")
    return 0
