"""The lint gate: ruff, with the project's own configuration (pyproject.toml), finds nothing.

ruff is in the ``test`` extra, so ``make test`` installs it; if it is missing the test fails
rather than skips, because a skipped gate is no gate.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _ruff() -> list[str]:
    beside_python = Path(sys.executable).with_name("ruff")
    if beside_python.exists():
        return [str(beside_python)]
    on_path = shutil.which("ruff")
    assert on_path, "ruff is not installed: install the test extra (pip install -e '.[test]')"
    return [on_path]


def test_ruff_finds_nothing():
    done = subprocess.run([*_ruff(), "check", "--no-cache", "."], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, f"ruff findings:\n{done.stdout}{done.stderr}"


def test_the_gate_can_fail(tmp_path):
    # The same configuration must flag a plain finding, or the gate above proves nothing.
    bad = tmp_path / "bad.py"
    bad.write_text('"""A module."""\n\nimport os\n')
    done = subprocess.run([*_ruff(), "check", "--no-cache", "--config",
                           str(ROOT / "pyproject.toml"), str(bad)],
                          capture_output=True, text=True)
    assert done.returncode == 1 and "F401" in done.stdout
