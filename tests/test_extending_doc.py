"""docs/extending.md runs: every Python block is executed, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "extending.md"


def python_blocks(text: str) -> list[str]:
    """The bodies of the ```python fenced blocks, in order."""
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def runnable_blocks(text: str) -> list[str]:
    """Python blocks, and TOML blocks that are saved as files, in document order."""
    blocks = re.findall(r"^```(python|toml)\n(.*?)^```", text, flags=re.S | re.M)
    return [body for kind, body in blocks if kind == "python" or body.startswith("# file: ")]


def run_doc(doc: Path, folder: Path, namespace: dict) -> dict:
    """Run a page's blocks as its reader would, in ``folder``: files saved, code run in order.

    A block that starts ``# file: NAME`` is saved as ``folder/NAME`` (later blocks import or load
    it); every other block runs in ``namespace``, which is returned. A failing block is named.
    """
    for i, block in enumerate(runnable_blocks(doc.read_text(encoding="utf-8"))):
        saved = re.match(r"# file: (\S+)\n", block)
        if saved:
            (folder / saved[1]).write_text(block, encoding="utf-8")
            continue
        try:
            exec(compile(block, f"docs/{doc.name} block {i + 1}", "exec"), namespace)
        except Exception as exc:  # name the block, keep the traceback
            raise AssertionError(f"docs/{doc.name} block {i + 1} failed: {exc!r}") from exc
    return namespace


def test_the_doc_has_a_section_for_each_kind_of_change():
    text = DOC.read_text(encoding="utf-8")
    for heading in ("## A new lever", "## A new service", "## A new area"):
        assert heading in text
    assert len(python_blocks(text)) >= 4


@pytest.mark.slow
def test_every_python_block_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    run_doc(DOC, tmp_path, {"__name__": "extending_doc"})
