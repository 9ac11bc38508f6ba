"""The API reference in docs/api/ is the code's: current, complete, and buildable as HTML.

The Markdown pages are kept in git so that every release carries its reference; like the
parameter tables of docs/model.md they are generated, and this test fails when the code's
docstrings or signatures change without ``make docs``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import simulation
from simulation.api_docs import (
    API_DIR,
    INDEX,
    build,
    documented_modules,
    importable,
    markdown_reference,
    stale_pages,
)


def test_the_markdown_reference_in_docs_api_matches_the_code():
    stale = stale_pages(API_DIR)
    assert not stale, (f"docs/api/ is out of date for {len(stale)} pages ({stale[:5]}): run "
                       "`make docs` (python -m simulation.api_docs) and commit docs/api/")


def test_no_page_carries_the_building_checkouts_path():
    """A default resolved at import time (a file path) would make the pages differ per clone."""
    root = str(Path(simulation.__file__).resolve().parent.parent)
    modules, _ = importable(documented_modules())
    leaked = [name for name, text in markdown_reference(modules).items() if root in text]
    assert not leaked, f"pages showing this checkout's path {root}: {leaked}"


def test_the_reference_has_a_page_for_every_module_linked_from_the_index():
    modules, failed = importable(documented_modules())
    assert not failed
    pages = markdown_reference(modules)
    assert set(pages) == {INDEX, *(f"{m}.md" for m in modules)}
    for m in modules:
        assert f"[`{m}`]({m}.md)" in pages[INDEX], m
    spec = pages["simulation.experiments.spec.md"]
    assert "## `load_experiment`" in spec
    assert "def load_experiment(path: str | pathlib.Path)" in spec
    assert "```pycon\n>>> exp = Experiment.model_validate(" in spec  # examples stay code


@pytest.mark.slow
def test_the_html_reference_builds_a_page_for_every_module(tmp_path):
    files = build(tmp_path)
    built = {str(f.relative_to(tmp_path).with_suffix("")).replace("/", ".") for f in files}
    assert set(importable(documented_modules())[0]) <= built
