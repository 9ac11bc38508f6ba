"""Argument types shared by the subcommands: each refuses bad values with a one-line message.

Example:
    >>> positive_float("0.5"), positive_int("2"), share("1")
    (0.5, 2, 1.0)
"""

from __future__ import annotations

import argparse

FORCE_HELP = ("replace OUT even if lco-sim did not write it (never the current folder, a folder "
              "holding it, the home folder or this command's input)")
"""Help of ``--force``, the same for every command that writes a folder."""


def add_force(parser: argparse.ArgumentParser) -> None:
    """Add ``--force``: replace an existing output folder that is not lco-sim's own."""
    parser.add_argument("--force", action="store_true", help=FORCE_HELP)


def _number(text: str, kind: type, what: str):
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None


def positive_float(text: str) -> float:
    """A number > 0."""
    value = _number(text, float, "a number")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def positive_int(text: str) -> int:
    """An integer >= 1."""
    value = _number(text, int, "a whole number")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def share(text: str) -> float:
    """A number in (0, 1]."""
    value = _number(text, float, "a number")
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {value}")
    return value
