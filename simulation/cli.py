"""The ``lco-sim`` command line.

Each subcommand lives in its own module under :mod:`simulation.commands` and registers itself
with :func:`register` hooks listed in :data:`COMMANDS`. Bad input (a
:class:`~simulation.scenario.ScenarioError`), an output folder that may not be written (a
:class:`~simulation.provenance.OutputFolderError`) and a file system that refuses a write (full,
read-only) print one line and exit with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from simulation import __version__
from simulation.provenance import OutputFolderError
from simulation.scenario import ScenarioError

COMMANDS = (
    "simulation.commands.run",
    "simulation.commands.areas",
    "simulation.commands.dashboard",
    "simulation.commands.validate",
    "simulation.commands.calibrate",
    "simulation.commands.sweep",
    "simulation.commands.analyse",
    "simulation.commands.report",
)
"""Modules that each define ``register(subparsers)``; add a line here for a new subcommand."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="lco-sim", description="Agent-based simulation of care flows under a Local Care "
        "Organisation.")
    parser.add_argument("--version", action="version", version=f"lco-sim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse, dispatch, and turn input errors into one-line messages (exit 2)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ScenarioError, OutputFolderError) as exc:
        print(f"lco-sim: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full or read-only disk, a folder removed under us
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"lco-sim: error: {where}{exc.strerror or exc}; nothing was replaced",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lco-sim: interrupted; finished work was kept", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
