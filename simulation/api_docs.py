"""The API reference: HTML pages generated from the package's docstrings with pdoc.

``make docs`` (or ``python -m simulation.api_docs``) writes ``docs/api/index.html`` and one page per
module under ``docs/api/simulation/``. Docstrings are read as Google style, the convention of the
whole package; their examples are the same ones ``make test`` runs as doctests.

A module that cannot be imported is reported and left out, rather than stopping the whole reference
(``--strict`` makes that an error instead).

Example:
    >>> names = documented_modules()
    >>> "simulation.scenario" in names and "simulation.api_docs" in names
    True
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

import simulation

API_DIR = Path(__file__).resolve().parent.parent / "docs" / "api"
"""Where ``make docs`` writes the reference."""


def documented_modules(package: str = "simulation") -> list[str]:
    """Every module of the package, by dotted name, in sorted order."""
    root = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        names.append(info.name)
    return sorted(names)


def importable(names: list[str]) -> tuple[list[str], dict[str, str]]:
    """Split module names into those that import and those that fail (with the error)."""
    ok, failed = [], {}
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 (any import failure is reported, not raised)
            failed[name] = f"{type(exc).__name__}: {exc}"
        else:
            ok.append(name)
    return ok, failed


def build(out: Path = API_DIR, modules: list[str] | None = None,
          strict: bool = False) -> list[Path]:
    """Write the HTML reference for ``modules`` (default: the whole package) to ``out``.

    Returns:
        The HTML files written.

    Raises:
        RuntimeError: with ``strict``, if any module fails to import.
    """
    import pdoc
    import pdoc.render

    names = modules or documented_modules()
    ok, failed = importable(names)
    # pdoc walks a package's submodules itself; "!name" leaves a module out
    specs = ok if modules else ["simulation", *(f"!{name}" for name in failed)]
    for name, error in failed.items():
        print(f"api_docs: left out {name} ({error})", file=sys.stderr)
    if failed and strict:
        raise RuntimeError(f"modules failed to import: {sorted(failed)}")
    pdoc.render.configure(docformat="google", footer_text=f"lco-sim {simulation.__version__}",
                          search=True, show_source=True)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    pdoc.pdoc(*specs, output_directory=out)
    return sorted(out.rglob("*.html"))


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m simulation.api_docs [--out DIR] [--strict] [MODULE ...]``."""
    parser = argparse.ArgumentParser(prog="python -m simulation.api_docs",
                                     description="Generate the HTML API reference with pdoc.")
    parser.add_argument("modules", nargs="*", help="modules to document (default: all)")
    parser.add_argument("--out", type=Path, default=API_DIR, help="output folder (docs/api)")
    parser.add_argument("--strict", action="store_true",
                        help="fail if a module cannot be imported")
    args = parser.parse_args(argv)
    try:
        files = build(args.out, args.modules or None, args.strict)
    except RuntimeError as exc:
        print(f"api_docs: error: {exc}", file=sys.stderr)
        return 1
    print(f"api_docs: wrote {len(files)} pages to {args.out}/ (open index.html)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
