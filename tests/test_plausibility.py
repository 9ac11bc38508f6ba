"""Plausibility guards: a run with far too few beds says so, and --strict turns it into exit 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd

from simulation.plausibility import plausibility_warnings
from simulation.runner import run_scenario
from simulation.scenario import Scenario

FEW_BEDS = """
[[hospitals.sites]]
name = "Far Too Small"
locality = "Central"
beds = 100
escalation_beds = 0
"""


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "simulation.cli", *args], capture_output=True,
                          text=True, cwd=cwd)


def test_far_too_few_beds_warns_and_strict_exits_2(tmp_path):
    (tmp_path / "few.toml").write_text(FEW_BEDS)
    base = ["run", "--scenario", "few.toml", "--scale", "0.02", "--years", "1", "--quiet"]
    lenient = _cli(*base, "--out", "lenient", cwd=tmp_path)
    assert lenient.returncode == 0, lenient.stderr
    assert "WARNING: out of area" in lenient.stderr and "Traceback" not in lenient.stderr
    manifest = json.loads((tmp_path / "lenient" / "manifest.json").read_text())
    assert any(w.startswith("out of area") for w in manifest["warnings"])
    strict = _cli(*base, "--out", "strict", "--strict", cwd=tmp_path)
    assert strict.returncode == 2
    assert "--strict" in strict.stderr and "Traceback" not in strict.stderr
    assert (tmp_path / "strict" / "results.parquet").is_file()  # the results are kept


def test_a_plausible_run_has_no_warnings():
    out = run_scenario(Scenario.preset("none", scale=0.05, years=1), 2, record_episodes=False)
    assert out.manifest["warnings"] == []


def test_over_capacity_and_far_from_calibration_are_named():
    days = 365
    rows = []
    for d in range(days):
        rows += [(d, "all", "all", "population", 1000.0),
                 (d, "all", "all", "emergency_admissions", 1.0),  # 365 per 1,000: far too many
                 (d, "all", "all", "out_of_area_admissions", 0.0),
                 (d, "hospital", "Site A", "occupancy", 1.08)]
    table = pd.DataFrame(rows, columns=["day", "dimension", "group", "metric", "value"])
    found = plausibility_warnings(table)
    assert any(w.startswith("over capacity: Site A ran at 108%") for w in found)
    assert any(w.startswith("far from the calibration: 365") for w in found)
    assert not any(w.startswith("out of area") for w in found)


def test_the_evidence_pack_puts_run_warnings_first(tmp_path):
    from simulation.cli import main
    from simulation.report.data import CAPACITY, REQUIRED

    # The evidence pack's own list of the metrics it needs, so this test follows it.
    metrics = json.dumps([*REQUIRED, *CAPACITY.values()])
    (tmp_path / "few.toml").write_text(f"""
name = "few-beds"
years = 1
scale = 0.02
replications = 1
metrics = {metrics}
baseline = "level=none"

[base.overrides]
"hospitals.sites" = [
    {{ name = "Far Too Small", locality = "Central", beds = 100, escalation_beds = 0 }},
]

[design.factors]
"integration.level" = ["none", "full"]
""")
    out = tmp_path / "few-beds"
    assert main(["sweep", str(tmp_path / "few.toml"), "--out", str(out), "--workers", "1",
                 "--quiet"]) == 0
    runs = pd.read_csv(out / "runs.csv")
    assert runs["warnings"].str.contains("out of area").all()
    assert main(["report", str(out), "--out", str(tmp_path / "pack")]) == 0
    page = (tmp_path / "pack" / "report.html").read_text(encoding="utf-8")
    warning = page.index("Warning: some runs are not plausible")
    assert warning < page.index("Key findings")
    assert "out of area" in page[warning: warning + 2000] and "(2 of 2 runs)" in page
