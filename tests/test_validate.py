"""``lco-sim validate`` at a tiny scale: every target gets numbers and a computed verdict."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from simulation import calibration, verification
from simulation.cli import main
from simulation.validation_report import POLICY_TARGETS, fmt, render_markdown, verdicts


def quick_verification(seed: int = 1) -> list:
    """Real checks of the verification module on a tiny model (the full set runs in its own tests).

    ``verification.run_all`` takes about 20 s of queueing simulations; the report only needs to
    show whatever checks it is given, so the report test uses a cheap subset.
    """
    from simulation.model import LCOModel
    from simulation.scenario import Scenario

    model = LCOModel(Scenario.preset("none", scale=0.005, years=1), seed=seed)
    return verification.check_invariants(model, days=30)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("validate") / "validation"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(verification, "run_all", quick_verification)
        code = main(["validate", "--scale", "0.01", "--years", "3", "--replications", "2",
                     "--seed", "5", "--out", str(out), "--quiet"])
    assert code == 0
    return out


def test_report_files_written(report):
    for name in ("report.md", "targets.csv", "targets.png", "trajectories.png", "manifest.json"):
        assert (report / name).stat().st_size > 0, name


def test_every_target_has_numbers_and_a_verdict(report):
    table = pd.read_csv(report / "targets.csv")
    effects = {t.key for t in calibration.EFFECT_TARGETS if "full" in t.levels}
    expected = {t.key for t in calibration.TARGETS} | {t.key for t in POLICY_TARGETS} | effects
    assert set(table["key"]) == expected
    # effect patterns that need a longer horizon than this run are reported, not evaluated
    short = {t.key for t in calibration.EFFECT_TARGETS if t.min_years > 3}  # the run has 3
    evaluated = table[~table["key"].isin(short)]
    assert set(evaluated["verdict"]) <= {"met", "not met"}, evaluated[["key", "verdict"]]
    assert set(table.loc[table["key"].isin(short), "verdict"]) == {"not evaluated"}
    assert np.isfinite(evaluated["value"]).all()
    assert (evaluated["n_runs"] == 2).all()
    assert (evaluated["ci_low"] <= evaluated["value"]).all()
    assert (evaluated["value"] <= evaluated["ci_high"]).all()


def test_verdicts_are_computed_not_hand_marked(report):
    table = pd.read_csv(report / "targets.csv")
    table = table[table["value"].notna()]
    recomputed = (table["low"] <= table["value"]) & (table["value"] <= table["high"])
    assert (table["met"].astype(bool) == recomputed).all()
    assert (table["verdict"] == np.where(recomputed, "met", "not met")).all()


def test_markdown_states_each_target_with_its_numbers(report):
    text = (report / "report.md").read_text(encoding="utf-8")
    table = pd.read_csv(report / "targets.csv")
    for _, row in table.iterrows():
        line = next((ln for ln in text.splitlines()
                     if ln.startswith(f"| {row['target']} |")), None)
        assert line is not None, f"no row for {row['key']}"
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        assert cells[3] == fmt(row["value"])
        shown = row["verdict"] if row["verdict"] == "not evaluated" else f"**{row['verdict']}**"
        assert cells[5] == shown
        assert cells[6] == row["interval"]
        assert row["source"].split()[0] in cells[7]
    n_met = int((table["verdict"] == "met").sum())
    n_evaluated = int((table["verdict"] != "not evaluated").sum())
    assert f"**Summary: {n_met} of {n_evaluated} evaluated targets met" in text
    assert "## 5 Verification" in text and "## 6 What the model does not capture" in text
    assert re.search(r"^\| 5 \| Enhanced support in care homes \| \[lloyd-2017\] \[wolters-2019\] "
                     r"\| care_home_admission_rate \((met|not met)\)", text, re.M)
    assert "\n## References\n" in text and "- **[lloyd-2017]** Lloyd T" in text


def test_verification_results_reported(report):
    text = (report / "report.md").read_text(encoding="utf-8")
    checks = pd.read_csv(report / "verification.csv")
    assert len(checks) > 0
    recomputed = (checks["observed"] - checks["expected"]).abs() <= checks["tolerance"]
    assert f"{int(recomputed.sum())} of {len(checks)} passed" in text
    for name in checks["name"]:
        assert f"| {name} |" in text


def test_a_hand_marked_verdict_is_refused():
    table = pd.DataFrame({"target": ["x"], "low": [1.0], "high": [2.0], "value": [3.0],
                          "met": [True]})
    with pytest.raises(ValueError, match="disagrees"):
        verdicts(table)
    with pytest.raises(ValueError, match="disagrees"):
        render_markdown(table.assign(arm="none", ci_low=2.5, ci_high=3.5, unit="", published="",
                                     source="", key="x"), None,
                        {"environment": {}})


@pytest.mark.parametrize("flag, value", [("--years", "0"), ("--replications", "0"),
                                         ("--scale", "5")])
def test_bad_input_one_line_exit_2_nothing_written(tmp_path, capsys, flag, value):
    out = tmp_path / "v"
    assert main(["validate", flag, value, "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("lco-sim: error:") and flag in err and "\n" not in err
    assert not out.exists()
