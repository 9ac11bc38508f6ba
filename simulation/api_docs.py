"""The API reference, generated from the package's docstrings with pdoc.

Two forms, both from the same docstrings (Google style, the convention of the whole package; their
examples are the doctests ``make test`` runs):

* **Markdown**, one page per module in ``docs/api/`` plus an index (``docs/api/README.md``). It is
  kept in git, so the reference ships with every release and reads on any Git host; a test checks
  that it matches the code (``tests/test_api_docs.py``), as the parameter tables of
  ``docs/model.md`` are checked.
* **HTML** with search, for browsing, in ``docs/api/html/`` (not kept in git).

``make docs`` (``python -m simulation.api_docs``) writes both; ``--check`` only reports whether the
Markdown is current. A module that cannot be imported is reported and left out, rather than
stopping the whole reference (``--strict`` makes that an error instead).

Example:
    >>> names = documented_modules()
    >>> "simulation.scenario" in names and "simulation.api_docs" in names
    True
    >>> page = markdown_page("simulation.metrics")
    >>> page.splitlines()[0], "## `plain_name`" in page
    ('# `simulation.metrics`', True)
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import sys
import warnings
from pathlib import Path

import simulation

API_DIR = Path(__file__).resolve().parent.parent / "docs" / "api"
"""Where ``make docs`` writes the Markdown reference (and the HTML, under ``html/``)."""

INDEX = "README.md"
"""The Markdown reference's index page."""

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_SIMPLE = (bool, int, float, str, type(None))


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


def build(out: Path | None = None, modules: list[str] | None = None,
          strict: bool = False) -> list[Path]:
    """Write the HTML reference for ``modules`` (default: the whole package) to ``out``.

    ``out`` defaults to ``API_DIR`` (resolved at call time, so the generated reference does not
    carry the path of the checkout that built it).

    Returns:
        The HTML files written.

    Raises:
        RuntimeError: with ``strict``, if any module fails to import.
    """
    import pdoc
    import pdoc.render

    out = API_DIR if out is None else out

    names = modules or documented_modules()
    ok, failed = importable(names)
    # every module by name: pdoc's own walk would hide the submodules a package's __all__ omits
    specs = ok
    for name, error in failed.items():
        print(f"api_docs: left out {name} ({error})", file=sys.stderr)
    if failed and strict:
        raise RuntimeError(f"modules failed to import: {sorted(failed)}")
    pdoc.render.configure(docformat="google", footer_text=f"lco-sim {simulation.__version__}",
                          search=True, show_source=True)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():  # run as ``-m``, this module is __main__ and itself
        warnings.filterwarnings("ignore", message="The module specification")
        pdoc.pdoc(*specs, output_directory=out)
    return sorted(out.rglob("*.html"))


# ----- Markdown ---------------------------------------------------------------------------------
def _text(doc) -> str:
    """A docstring as Markdown (Google sections become lists), or nothing."""
    import pdoc.docstrings

    raw = (doc.docstring or "").strip()
    if not raw:
        return ""
    lines = pdoc.docstrings.convert(raw, "google", None).strip().splitlines()
    # pdoc quotes an example section ("> >>> ..."), which Markdown reads as nested quotes:
    # write each quoted session as a fenced block instead
    out: list[str] = []
    i = 0
    while i < len(lines):
        if lines[i].startswith("> >>>"):
            out.append("```pycon")
            while i < len(lines) and lines[i].startswith(">"):
                out.append(lines[i][2:])
                i += 1
            out.append("```")
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out).strip()


def _value(obj) -> str | None:
    """A variable's value when it is short and the same in every run (no sets or addresses)."""
    def simple(v) -> bool:
        if isinstance(v, (tuple, list)):
            return all(simple(x) for x in v)
        return isinstance(v, _SIMPLE)

    if not simple(obj):
        return None
    text = repr(obj)
    return text if len(text) <= 100 else None


def _signature(fn) -> str:
    method = "." in fn.qualname and not fn.is_staticmethod
    sig = _ADDRESS.sub("", str(fn.signature_without_self if method else fn.signature))
    return f"{fn.funcdef} {fn.name}{sig}".strip()


def _field(doc) -> str:
    annotation = _ADDRESS.sub("", doc.annotation_str)
    value = _value(doc.default_value) if hasattr(doc, "default_value") else None
    return f"{doc.name}{annotation}" + (f" = {value}" if value is not None else "")


def _public(doc) -> bool:
    return not doc.name.startswith("_")


def _member(doc, level: str) -> list[str]:
    import pdoc.doc

    out: list[str] = []
    if isinstance(doc, pdoc.doc.Function):
        out += [f"{level} `{doc.name}`", "", "```python", _signature(doc), "```", ""]
    elif isinstance(doc, pdoc.doc.Class):
        bases = ", ".join(b[2] for b in doc.bases) if doc.bases else ""
        out += [f"{level} `{doc.name}`", "", "```python",
                f"class {doc.name}({bases})" if bases else f"class {doc.name}", "```", ""]
    else:  # a variable, property or field
        out += [f"{level} `{doc.name}`", "", "```python", _field(doc), "```", ""]
    text = _text(doc)
    if text:
        out += [text, ""]
    if isinstance(doc, pdoc.doc.Class):
        members = [m for m in doc.own_members if _public(m)]
        # fields without a docstring of their own: one block, not a heading each
        plain = [m for m in members if isinstance(m, pdoc.doc.Variable) and not m.docstring]
        if plain:
            out += ["Fields:", "", "```python", *(_field(m) for m in plain), "```", ""]
        for member in members:
            if member not in plain:
                out += _member(member, level + "#")
    return out


def markdown_page(name: str) -> str:
    """The Markdown reference page of module ``name``: its docstring and public members."""
    import pdoc.doc

    module = pdoc.doc.Module.from_name(name)
    lines = [f"# `{name}`", ""]
    text = _text(module)
    if text:
        lines += [text, ""]
    subs = [m for m in documented_modules() if m.startswith(f"{name}.")
            and "." not in m.removeprefix(f"{name}.")]
    if subs:
        lines += ["Submodules: " + ", ".join(f"[`{m.rpartition('.')[2]}`]({m}.md)"
                                             for m in subs), ""]
    for member in module.members.values():
        if _public(member) and member.modulename == name or (
                _public(member) and hasattr(module.obj, "__all__")
                and member.name in module.obj.__all__ and member.modulename == name):
            lines += _member(member, "##")
    return "\n".join(lines).rstrip() + "\n"


def _summary(name: str) -> str:
    doc = (importlib.import_module(name).__doc__ or "").strip()
    return doc.splitlines()[0] if doc else ""


def markdown_reference(modules: list[str] | None = None) -> dict[str, str]:
    """Every page of the Markdown reference (index first), by file name."""
    names = modules or importable(documented_modules())[0]
    pages = {f"{name}.md": markdown_page(name) for name in names}
    rows = [f"| [`{name}`]({name}.md) | {_summary(name).replace('|', '/')} |" for name in names]
    index = "\n".join([
        "# API reference", "",
        f"lco-sim {simulation.__version__}: every module of `simulation/`, its public classes, "
        "functions and constants, with their docstrings and examples (the same examples `make "
        "test` runs as doctests). Generated from the code by `make docs` (`python -m "
        "simulation.api_docs`, with [pdoc](https://pdoc.dev/)); `tests/test_api_docs.py` checks "
        "that these pages match the code. `make docs` also writes a browsable HTML version "
        "with search to `docs/api/html/index.html` (not kept in git).", "",
        "Start with [`simulation.scenario`](simulation.scenario.md) (every parameter), "
        "[`simulation.model`](simulation.model.md) (the model and its daily step), "
        "[`simulation.runner`](simulation.runner.md) (running a scenario) and "
        "[`simulation.experiments`](simulation.experiments.md) (sweeps and their analysis).", "",
        "| Module | What it is |", "| --- | --- |", *rows, ""])
    return {INDEX: index, **pages}


def write_markdown(out: Path | None = None) -> list[Path]:
    """Write the Markdown reference to ``out`` and remove pages of modules that no longer exist.

    ``out`` defaults to ``API_DIR``.

    Returns:
        The files written.
    """
    out = Path(API_DIR if out is None else out)
    out.mkdir(parents=True, exist_ok=True)
    pages = markdown_reference()
    for old in out.glob("simulation.*md"):  # our own pages only, never another file
        if old.name not in pages:
            old.unlink()
    written = []
    for name, text in pages.items():
        path = out / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def stale_pages(out: Path | None = None) -> list[str]:
    """Pages of the reference in ``out`` (default ``API_DIR``) that differ from the code."""
    out = Path(API_DIR if out is None else out)
    pages = markdown_reference()
    stale = [name for name, text in pages.items()
             if not (out / name).exists() or (out / name).read_text(encoding="utf-8") != text]
    stale += [p.name for p in out.glob("simulation.*md") if p.name not in pages]
    return sorted(stale)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m simulation.api_docs [--out DIR] [--check] [MODULE ...]``.

    Without modules it writes the whole Markdown reference to ``--out`` and the HTML to
    ``--out/html``; with modules, only their HTML (for a quick look).
    """
    parser = argparse.ArgumentParser(prog="python -m simulation.api_docs",
                                     description="Generate the API reference with pdoc.")
    parser.add_argument("modules", nargs="*", help="modules to document (default: all)")
    parser.add_argument("--out", type=Path, default=API_DIR, help="output folder (docs/api)")
    parser.add_argument("--check", action="store_true",
                        help="only check that the Markdown reference matches the code")
    parser.add_argument("--strict", action="store_true",
                        help="fail if a module cannot be imported")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_pages(args.out)
        if stale:
            print(f"api_docs: error: {len(stale)} pages of {args.out}/ differ from the code "
                  f"({', '.join(stale[:3])}{', ...' if len(stale) > 3 else ''}); run make docs",
                  file=sys.stderr)
            return 1
        print(f"api_docs: {args.out}/ matches the code")
        return 0
    try:
        files = build(args.out / "html", args.modules or None, args.strict)
    except RuntimeError as exc:
        print(f"api_docs: error: {exc}", file=sys.stderr)
        return 1
    print(f"api_docs: wrote {len(files)} HTML pages to {args.out / 'html'}/ (open index.html)")
    if not args.modules:
        pages = write_markdown(args.out)
        print(f"api_docs: wrote {len(pages)} Markdown pages to {args.out}/ (README.md)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
