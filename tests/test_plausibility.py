"""Plausibility guards: a run with far too few beds says so, and --strict turns it into exit 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd

from simulation.plausibility import plausibility_warnings, scale_warnings
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
    # 1/12 of Manchester: each community pool is one real team and every site has 35+ beds
    out = run_scenario(Scenario.preset("none", scale=1 / 12, years=1), 2, record_episodes=False)
    assert out.manifest["warnings"] == []


def test_a_run_too_small_for_its_services_says_which_and_from_what_scale():
    s = Scenario.preset("none", scale=0.02, years=1)
    found = scale_warnings(s)
    assert any(w.startswith("too small: Wythenshawe: only 8 beds") for w in found)
    home = next(w for w in found if "home support" in w)
    assert "0.24 of a real team" in home and "from scale 0.042" in home
    waits = scale_warnings(s.with_overrides({"run.scale": 0.1}))
    assert len(waits) == 2 and waits[0].startswith("pool size: waits for home support")
    assert waits[1].startswith("pool size: waits for community")
    assert scale_warnings(s.with_overrides({"run.scale": 0.25})) == []
    assert scale_warnings(s.with_overrides({"run.scale": 0.25, "run.pool_size_tolerance": 1.0,
                                            "run.min_pool_share": 1.0})) == []  # exactly a team
    # crisis response pools the whole area and gives its capacity per period of 1 / (n x scale)
    # days: 35 days for Manchester's 12 neighbourhoods at 0.0024, 5.6 for Greater Manchester's
    # 59 at 0.003 (within run.max_pool_period_days = 7)
    tiny = scale_warnings(Scenario.preset("none", area="greater_manchester", scale=0.003))
    assert not any("crisis" in w for w in tiny)
    assert any("crisis" in w and "periods of up to 35 days" in w
               for w in scale_warnings(Scenario.preset("none", scale=0.0024)))


def test_the_run_manifest_carries_the_scale_warnings():
    s = Scenario.preset("none", scale=0.02, years=1)
    out = run_scenario(s, 1, days=5, record_episodes=False)
    assert out.manifest["warnings"][: len(scale_warnings(s))] == scale_warnings(s)


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
    assert runs["warnings"].str.contains("too small: home support").all()  # scale, as in a run
    assert main(["report", str(out), "--out", str(tmp_path / "pack")]) == 0
    page = (tmp_path / "pack" / "report.html").read_text(encoding="utf-8")
    warning = page.index("Warning: some runs are not plausible")
    assert warning < page.index("Key findings")
    assert "out of area" in page[warning: warning + 2000] and "(2 of 2 runs)" in page
