"""Every notebook in ``notebooks/`` runs from top to bottom without an error.

Each notebook is executed in a fresh kernel from the ``notebooks/`` folder, as a researcher would
open it, at the small size its parameter cell reads from the environment (``LCO_NOTEBOOK_*``).
Outputs go to the test's temporary folder (``LCO_NOTEBOOK_OUT``); nothing is written into the
repository. An error in any cell fails the test with the cell's traceback.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_five_notebooks_without_outputs():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05"]
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        stored = [c for c in nb.cells if c.cell_type == "code" and (c.outputs or c.execution_count)]
        assert not stored, f"{path.name}: outputs are committed; clear them before committing"
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1 and "LCO_NOTEBOOK_" in tagged[0].source, \
            f"{path.name}: needs one parameter cell reading LCO_NOTEBOOK_* settings"


@pytest.mark.notebooks
@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, monkeypatch):
    monkeypatch.setenv("LCO_NOTEBOOK_OUT", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    figures = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
                  for o in c.outputs)
    assert figures >= 1, f"{path.name} drew no figure"
