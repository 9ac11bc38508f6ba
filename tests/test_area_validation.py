"""Each area's baseline against its own published figures, England's rates where it has none.

Dudley's own figures come from its area file and are evaluated with Dudley named as their basis;
an area without a figure of its own falls back to England's and says so; ``--area`` works for
``validate``, ``dashboard`` and ``python -m simulation.calibration``, and an unknown area gives one
line and a non-zero exit; a partitioned sweep counts its runs in a planner's words.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from simulation import calibration
from simulation.areas import AreaError, load_area
from simulation.cli import main

ROOT = Path(__file__).resolve().parent.parent
DUDLEY_OWN = {"dudley_admission_rate_growth", "dudley_bed_day_rate_growth",
              "dudley_registered_population"}
SMALLEST = 0.0034
"""Dudley's smallest scale that keeps its structure (Scenario.smallest_scale(): 1,020 patients)."""


def test_dudley_targets_come_from_its_area_file_with_their_source():
    area = load_area("dudley")
    targets = {t.key: t for t in calibration.targets_for_area("dudley")}
    assert DUDLEY_OWN <= set(targets)
    for own in area.targets:  # the band is the file's, never changed in code
        t = targets[own.key]
        assert (t.low, t.high, t.source, t.basis) == (own.low, own.high, own.source, "Dudley")
        assert "7021762" in t.source  # the HSJ article [hsj-vanguards-2018]
    # each own figure stands in for the England target of the same concept, which is gone
    assert not {"admissions_growth", "bed_days_growth"} & set(targets)
    keys = [t.key for t in calibration.targets_for_area("dudley")]
    assert keys.index("dudley_admission_rate_growth") == \
        [t.key for t in calibration.TARGETS].index("admissions_growth")
    assert targets["zero_day_share"].basis == "England"


def test_published_dudley_figures_and_their_derived_bands():
    """The figures as the reference states them, and bands that contain the derived rate."""
    own = {t.key: t for t in load_area("dudley").targets}
    admissions = own["dudley_admission_rate_growth"]
    beds = own["dudley_bed_day_rate_growth"]
    assert "+10.8%" in admissions.published and "-2.7%" in beds.published
    assert own["dudley_registered_population"].low == own["dudley_registered_population"].high \
        == 318_492
    yearly = (1.108 ** (1 / 2.5) - 1) * 100, (0.973 ** (1 / 2.5) - 1) * 100
    assert admissions.low < yearly[0] < admissions.high
    assert beds.low < yearly[1] < beds.high


@pytest.mark.parametrize("name", ["manchester", "greater-manchester"])
def test_area_without_own_figures_falls_back_to_england_and_says_so(name):
    targets = calibration.targets_for_area(name)
    assert [t.key for t in targets] == [t.key for t in calibration.TARGETS]
    assert {t.basis for t in targets} == {"England"}
    missing = calibration.figures_not_found(name)
    assert list(missing["key"]) == [t.key for t in calibration.TARGETS]
    assert missing["note"].str.len().gt(20).all()
    # a figure found but unusable is named, not hidden
    assert "307" in missing.set_index("key").loc["ae_per_1000", "note"]


def test_dudley_lists_the_figures_it_does_not_have():
    missing = calibration.figures_not_found("dudley").set_index("key")
    assert "admissions_growth" not in missing.index  # Dudley has its own
    assert "docslib.org/doc/7647324" in missing.loc["admissions_per_1000", "note"]
    assert "CALIBRATED" in missing.loc["winter_occupancy", "note"]
    assert missing.loc["gp_per_person", "note"] == "no Dudley figure in the reference or the seeds"


def test_an_area_target_with_an_unknown_measure_is_refused(tmp_path):
    text = (ROOT / "simulation" / "areas" / "dudley.toml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('measure = "registered_population"', 'measure = "happiness"'),
                   encoding="utf-8")
    with pytest.raises(AreaError, match="targets\\[2\\].measure: 'happiness' is not a measure"):
        calibration.targets_for_area(str(bad))
    upside_down = tmp_path / "upside_down.toml"
    upside_down.write_text(text.replace("low = 3.5\nhigh = 4.8", "low = 4.8\nhigh = 3.5"),
                           encoding="utf-8")
    with pytest.raises(AreaError, match="low 4.8 is above high 3.5"):
        load_area(str(upside_down))


@pytest.fixture(scope="module")
def dudley_report(tmp_path_factory):
    """``lco-sim validate --area dudley`` at Dudley's smallest scale: 3 years, 1 seed."""
    out = tmp_path_factory.mktemp("validate_dudley") / "validation"
    code = main(["validate", "--area", "dudley", "--scale", str(SMALLEST), "--years", "3",
                 "--replications", "1", "--skip-verification", "--out", str(out), "--quiet"])
    return code, out


@pytest.mark.slow
def test_validate_dudley_runs_end_to_end_and_names_each_basis(dudley_report):
    code, out = dudley_report
    assert code == 0  # the report was written; verdicts are in it, whatever they are
    table = pd.read_csv(out / "targets.csv")
    base = table[table["arm"] == "none"].set_index("key")
    assert set(base.index[base["basis"] == "Dudley"]) == DUDLEY_OWN
    assert (base.drop(index=list(DUDLEY_OWN))["basis"] == "England").all()
    assert set(base["verdict"]) <= {"met", "not met"}
    # the population the area file gives (300,000) is not the published 318,492: reported
    pop = base.loc["dudley_registered_population"]
    assert pop["value"] == pytest.approx(300_000, rel=0.002) and pop["verdict"] == "not met"
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "Area: **Dudley** (`dudley`)" in report
    assert "| Dudley's own figure |" in report and "| England's published rates |" in report
    assert "## 2 Dudley figures not found" in report
    missing = pd.read_csv(out / "figures_not_found.csv")
    assert "admissions_per_1000" in set(missing["key"])
    assert "admissions_growth" not in set(missing["key"])
    assert all(f"| {name} |" in report for name in missing["target"])


def test_calibration_script_takes_an_area(capsys):
    code = calibration.main(["--area", "dudley", "--scale", str(SMALLEST), "--years", "1",
                             "--replications", "1", "--per-seed"])
    out = capsys.readouterr().out
    assert code in (0, 1)  # 1: some target not met, the documented exit
    assert "Dudley's own figure" in out and "England's rate" in out
    assert "No Dudley figure of its own, so checked against England's rate:" in out
    assert "Runs in the band, of 1 (seeds 1-1):" in out


@pytest.mark.parametrize("command", [
    ["validate", "--area", "nosuch", "--quiet"],
    ["dashboard", "--area", "nosuch"],
    ["run", "--area", "nosuch", "--quiet"],
])
def test_unknown_area_one_line_non_zero(command, capsys, tmp_path):
    assert main([*command, "--out", str(tmp_path / "o")] if command[0] != "dashboard"
                else command) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "'nosuch' is not a known area" in err
    assert "dudley, greater-manchester, manchester" in err
    assert not (tmp_path / "o").exists()


def test_unknown_area_in_a_real_process_has_no_traceback():
    p = subprocess.run([sys.executable, "-m", "simulation.cli", "validate", "--area", "nosuch"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 2, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr
    assert "known areas: dudley, greater-manchester, manchester" in p.stderr


def test_calibration_script_refuses_an_unknown_area(capsys):
    assert calibration.main(["--area", "nosuch"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("calibration: error: area: 'nosuch' is not a known area")
    assert "\n" not in err


def test_dashboard_command_passes_the_area_to_the_page(monkeypatch, capsys):
    from simulation.commands import dashboard

    started = {}

    class FakeServer:
        def __init__(self, command, env):
            started.update(command=command, env=env)

        def wait(self):
            return 0

    monkeypatch.setattr(dashboard.subprocess, "Popen", FakeServer)
    monkeypatch.setattr(dashboard, "check_port_free", lambda host, port: None)
    assert main(["dashboard", "--area", "dudley", "--port", "0"]) == 0
    assert started["env"][dashboard.AREA_ENV] == "dudley"
    assert "serving Dudley on" in capsys.readouterr().out
    monkeypatch.setenv(dashboard.AREA_ENV, "dudley")  # no --area: the default, whatever is set
    assert main(["dashboard", "--port", "0"]) == 0
    assert dashboard.AREA_ENV not in started["env"]


def test_dashboard_model_runs_both_arms_on_the_area():
    """Both arms on Dudley (the opening scale per area: simulation.dashboard.app's doctest)."""
    from simulation.dashboard.charts import headline_markdown
    from simulation.dashboard.model import DashboardModel

    m = DashboardModel(area="dudley", level="full", scale=SMALLEST, years=1, seed=3)
    m.step()
    assert m.policy.scenario.area == m.baseline.scenario.area == "dudley"
    assert [h.name for h in m.policy.hospitals] == ["Russells Hall Hospital"]
    assert headline_markdown(m).startswith("### Dudley · Day 7 of 365")


def test_partitioned_sweep_dry_run_counts_runs_in_words(capsys, tmp_path):
    code = main(["sweep", str(ROOT / "experiments" / "greater_manchester.toml"), "--dry-run",
                 "--out", str(tmp_path / "gm")])
    assert code == 0
    out = capsys.readouterr().out
    assert ("3 options (arms) x 10 localities x 5 replications = 150 runs, each a locality's own "
            "model (10 years at scale 0.1)") in out
    assert not (tmp_path / "gm").exists()


def test_pass_counts_are_per_run_and_computed_from_the_band():
    runs = calibration.run_baseline(SMALLEST, 1, 2, seed=4, area="dudley")
    targets = [t for t in calibration.targets_for_area("dudley")
               if t.key in ("dudley_registered_population", "zero_day_share",
                            "dudley_admission_rate_growth")]
    counts = calibration.pass_counts(runs, targets).set_index("key")
    assert counts.loc["dudley_registered_population", "passed"] == 0
    assert counts.loc["dudley_registered_population", "evaluated"] == 2
    assert counts.loc["dudley_admission_rate_growth", "evaluated"] == 0  # needs 3 years
    zero = counts.loc["zero_day_share"]
    values = [calibration.evaluate([r], [targets[1]]).loc[0, "value"] for r in runs]
    assert zero["passed"] == sum(zero["low"] <= v <= zero["high"] for v in values)
