"""Analysis of experiment results.

Intervals and paired differences against direct computation, replications needed, sensitivity
indices against known functions, and the ``analyse`` command end to end.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulation.cli import main
from simulation.experiments import Experiment, build_plan
from simulation.experiments.analysis import (
    arm_means,
    load_results,
    paired_differences,
    replications_for,
    replications_needed,
    t_half_width,
    write_analysis,
)
from simulation.experiments.outputs import write_outputs
from simulation.experiments.runner import SweepReport
from simulation.experiments.store import RunStore

LEVER_RANGES = {"integration.case_management.hazard_rr": (0.8, 1.0),
                "integration.crisis_response.referral_share": (0.1, 0.5),
                "integration.crisis_response.avoidance_probability": (0.3, 0.7)}


def _synthetic_sweep(tmp_path, design: dict, response, replications: int = 1):
    """A sampled experiment whose 'runs' are a known function of the factors (no model runs)."""
    exp = Experiment.parse_dict({
        "name": "synthetic", "years": 2, "scale": 0.01, "replications": replications,
        "metrics": ["emergency_admissions"],
        "design": {**design, "factors": {k: {"low": lo, "high": hi}
                                         for k, (lo, hi) in LEVER_RANGES.items()}}})
    plan = build_plan(exp)
    store = RunStore(tmp_path)
    names = list(LEVER_RANGES)
    for task in plan.runs:
        x = [plan.arms[task.arm].factors[n] for n in names]
        yearly = response(*x) / 2
        table = pd.DataFrame({"dimension": "all", "group": "all", "time": np.int32([1, 2]),
                              "metric": "emergency_admissions", "value": [yearly, yearly]})
        store.save(task.key, table, {"seconds": 0.0})
    write_outputs(plan, store, SweepReport(tmp_path, len(plan.runs), len(plan.runs),
                                           finished=len(plan.runs)), "synthetic")
    return plan


def test_morris_recovers_the_effects_of_a_linear_response(tmp_path):
    plan = _synthetic_sweep(tmp_path, {"kind": "morris", "trajectories": 10},
                            lambda a, b, c: 100 * a - 10 * b + 0 * c)
    assert len(plan.arms) == 10 * (3 + 1)
    tables = write_analysis(tmp_path)
    idx = tables["morris_indices"].set_index("factor")
    # a linear function's elementary effects are its coefficients times the factor's range (SALib
    # measures steps on the unit hypercube), the same in every trajectory
    assert idx.loc["integration.case_management.hazard_rr", "mu_star"] == pytest.approx(100 * 0.2)
    assert idx.loc["integration.crisis_response.referral_share", "mu"] == pytest.approx(-10 * 0.4)
    assert idx.loc["integration.crisis_response.avoidance_probability", "mu_star"] == \
        pytest.approx(0, abs=1e-9)
    assert idx["sigma"].max() == pytest.approx(0, abs=1e-6)
    assert (tmp_path / "analysis" / "morris_emergency_admissions.png").stat().st_size > 10_000


def test_sobol_recovers_variance_shares_of_a_linear_response(tmp_path):
    # Y = 4 a + b: Var share of a = 16 * 0.2^2 / (16 * 0.2^2 + 0.4^2) = 0.8, of b 0.2, of c 0
    _synthetic_sweep(tmp_path, {"kind": "sobol", "samples": 128}, lambda a, b, c: 4 * a + b)
    idx = write_analysis(tmp_path)["sobol_indices"].set_index("factor")
    expected = {"integration.case_management.hazard_rr": 0.8,
                "integration.crisis_response.referral_share": 0.2,
                "integration.crisis_response.avoidance_probability": 0.0}
    for name, share in expected.items():
        assert idx.loc[name, "S1"] == pytest.approx(share, abs=0.1)
        assert idx.loc[name, "ST"] == pytest.approx(share, abs=0.1)
    assert (tmp_path / "analysis" / "sobol_emergency_admissions.png").exists()


def test_replications_needed_is_the_smallest_sufficient_number():
    rng = np.random.default_rng(3)
    sd = rng.uniform(1, 50, 30)
    target = rng.uniform(0.5, 20, 30)
    n = replications_for(sd, target)
    assert (t_half_width(sd, n) <= target + 1e-12).all()
    below = np.maximum(n - 1, 1)
    assert ((n == 2) | (t_half_width(sd, below) > target)).all()


def test_intervals_and_paired_differences_match_direct_computation():
    rng = np.random.default_rng(1)
    common = rng.normal(100, 10, 6)  # shared "luck" per replication, as under CRN
    rows = []
    for arm, shift in (("base", 0.0), ("policy", -5.0)):
        for r, luck in enumerate(common):
            for year in (1, 2):
                rows.append({"arm": arm, "replication": r, "dimension": "all", "group": "all",
                             "time": year, "metric": "admissions",
                             "value": luck + shift + rng.normal(0, 1)})
    t = pd.DataFrame(rows)
    per_run = t.groupby(["arm", "replication"])["value"].sum()
    means = arm_means(t, statistics={"admissions": "sum"}).set_index("arm")
    for arm in ("base", "policy"):
        lo, hi = stats.t.interval(0.95, 5, loc=per_run[arm].mean(), scale=stats.sem(per_run[arm]))
        assert means.loc[arm, "ci_low"] == pytest.approx(lo)
        assert means.loc[arm, "ci_high"] == pytest.approx(hi)
    d = paired_differences(t, "base", statistics={"admissions": "sum"}).iloc[0]
    diff = per_run["policy"].to_numpy() - per_run["base"].to_numpy()
    lo, hi = stats.t.interval(0.95, 5, loc=diff.mean(), scale=stats.sem(diff))
    assert (d["ci_low"], d["ci_high"]) == (pytest.approx(lo), pytest.approx(hi))
    assert d["p_value"] == pytest.approx(stats.ttest_rel(per_run["policy"], per_run["base"]).pvalue)
    welch = paired_differences(t, "base", statistics={"admissions": "sum"}, paired=False).iloc[0]
    w = stats.ttest_ind(per_run["policy"], per_run["base"], equal_var=False)
    assert welch["p_value"] == pytest.approx(w.pvalue)
    assert welch["half_width"] > 3 * d["half_width"]  # the shared luck cancels only when paired
    by_time = paired_differences(t, "base", by="time")
    assert sorted(by_time["time"]) == [1, 2]
    need = replications_needed(t, baseline="base", statistics={"admissions": "sum"},
                               target_relative=0.01)
    assert set(need["quantity"]) == {"mean", "difference"}


TWO_FACTOR = """
name = "two-factor"
years = 1
scale = 0.01
replications = 2
period = "month"
metrics = ["emergency_admissions", "delayed_discharge_bed_days"]
baseline = { "integration.level" = "none", "capacity" = 1.0 }

[design.factors]
"integration.level" = ["none", "full"]
"capacity" = { scale = ["community.home_support_places_per_100k"], values = [1.0, 2.0] }
"""


def test_sweep_and_analyse_a_two_factor_grid_end_to_end(tmp_path, capsys):
    f = tmp_path / "two-factor.toml"
    f.write_text(TWO_FACTOR)
    out = tmp_path / "results"
    assert main(["sweep", str(f), "--workers", "1", "--out", str(out), "--quiet"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] and manifest["runs_finished"] == 8
    assert manifest["git_commit"] and manifest["packages"]["dask"]
    assert (out / "experiment.toml").read_text() == TWO_FACTOR
    assert len(manifest["runs"]) == 8 and all(r["seconds"] > 0 for r in manifest["runs"])
    assert main(["analyse", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Difference from the baseline" in printed and "level=full, capacity=2.0" in printed
    analysis = out / "analysis"
    for name in ("fan_emergency_admissions.png", "difference_emergency_admissions.png",
                 "heatmap_delayed_discharge_bed_days.png", "arm_means_horizon.csv",
                 "differences_by_time.csv", "replications_needed.csv"):
        assert (analysis / name).exists(), name
    # the summary written by the sweep agrees with the table it summarises
    res = load_results(out)
    summary = pd.read_csv(out / "summary.csv")
    row = summary[(summary["arm"] == "level=full, capacity=2.0")
                  & (summary["metric"] == "emergency_admissions")].iloc[0]
    totals = res.table[(res.table["arm"] == "level=full, capacity=2.0")
                       & (res.table["metric"] == "emergency_admissions")].groupby(
        "replication")["value"].sum()
    assert row["mean"] == pytest.approx(totals.mean(), rel=1e-5)
    # analyse rejects a folder that is not a sweep's output, in one line
    assert main(["analyse", str(tmp_path)]) == 2
    assert "not an experiment results folder" in capsys.readouterr().err



def test_figures_speak_plain_english_with_units_and_intervals_on_breakdowns(tmp_path,
                                                                            monkeypatch):
    """Axes in words with units; deprivation breakdowns with 95% intervals and named quintiles.

    No axis or title shows a raw metric name or the word "group".
    """
    from simulation.experiments import figures

    exp = Experiment.parse_dict({
        "name": "plain", "years": 2, "scale": 0.01, "replications": 3,
        "dimensions": ["all", "deprivation_quintile"],
        "metrics": ["emergency_admissions", "occupied_beds:sum"],
        "metric_dimensions": {"occupied_beds:sum": ["all"]},
        "design": {"factors": {"integration.level": ["none", "full"]}}})
    plan = build_plan(exp)
    store = RunStore(tmp_path)
    rng = np.random.default_rng(3)
    for task in plan.runs:
        rows = [("all", "all", "emergency_admissions"), ("all", "all", "occupied_beds:sum")]
        rows += [("deprivation_quintile", q, "emergency_admissions")
                 for q in ("Q1", "Q2", "Q3", "Q4", "Q5")]
        table = pd.DataFrame([{"dimension": d, "group": g, "time": np.int32(t), "metric": m,
                               "value": 100.0 + 5 * task.arm + rng.normal(0, 2)}
                              for d, g, m in rows for t in (1, 2)])
        store.save(task.key, table, {"seconds": 0.0})
    write_outputs(plan, store, SweepReport(tmp_path, len(plan.runs), len(plan.runs),
                                           finished=len(plan.runs)), "synthetic")
    drawn: dict[str, list] = {}
    save = figures._save

    def keep_axes(fig, path):
        drawn[path.name] = [(ax.get_xlabel(), ax.get_ylabel(), ax.get_title(),
                             [t.get_text() for t in ax.get_yticklabels()],
                             sum(getattr(c, "has_xerr", False) for c in ax.containers))
                            for ax in fig.axes]
        return save(fig, path)

    monkeypatch.setattr(figures, "_save", keep_axes)
    write_analysis(tmp_path)
    assert {"fan_emergency_admissions.png", "difference_occupied_beds_sum.png",
            "breakdown_emergency_admissions_deprivation_quintile.png"} <= set(drawn)
    for name, axes in drawn.items():
        for xlabel, ylabel, title, _, _ in axes:
            for text in (xlabel, ylabel, title):
                assert "emergency_admissions" not in text and "occupied_beds" not in text, name
                assert text != "group"
    fan = drawn["fan_emergency_admissions.png"][0]
    assert fan[:2] == ("Year of the run", "Emergency admissions per year")
    beds = drawn["difference_occupied_beds_sum.png"][0]
    assert beds[1] == "Difference: Acute beds occupied (bed-days per year)"
    xlabel, ylabel, _, ticks, bars = drawn[
        "breakdown_emergency_admissions_deprivation_quintile.png"][0]
    assert ylabel == "Deprivation quintile (IMD)"
    assert ticks[0] == "Q1 (most deprived)" and ticks[-1] == "Q5 (least deprived)"
    assert xlabel == "Difference from level=none: Emergency admissions over the whole run"
    assert bars == 1  # the full arm's 95% intervals (the baseline is the zero line)
