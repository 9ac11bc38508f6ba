"""Experiment files: the shipped ones validate; malformed ones fail before anything runs.

Each malformed file must give exit status 2 and one line on stderr naming the problem, and must
write nothing (no results folder).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from simulation.cli import main
from simulation.experiments import build_plan, load_experiment
from simulation.experiments.spec import ExperimentError

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "experiments").glob("*.toml"))

VALID = """
name = "tiny"
years = 1
scale = 0.01
replications = 2
metrics = ["emergency_admissions", "occupied_beds:sum"]

[base]
level = "none"
[base.overrides]
"community.home_support_days" = 30.0

[design]
kind = "grid"
[design.factors]
"integration.level" = ["none", "full"]
"""

SAMPLED = """
name = "tiny-sampled"
years = 1
scale = 0.01
replications = 1
metrics = ["emergency_admissions"]

[design]
kind = "morris"
trajectories = 2
[design.factors]
"integration.case_management.hazard_rr" = { low = 0.8, high = 1.0 }
"integration.crisis_response.referral_share" = { low = 0.1, high = 0.5 }
"""


def test_shipped_experiments_validate_and_are_named_after_their_files():
    names = {p.stem for p in SHIPPED}
    assert {"integration_levels", "community_capacity", "reinvestment"} <= names
    assert any("morris" in n for n in names) and any("sobol" in n for n in names)
    for path in SHIPPED:
        plan = build_plan(load_experiment(path))
        assert plan.experiment.name == path.stem
        parts = (len(plan.base.population.localities)
                 if plan.experiment.partition == "locality" else 1)  # one run per locality
        assert len(plan.runs) == len(plan.arms) * plan.experiment.replications * parts
        if plan.experiment.design.kind == "grid":
            assert plan.baseline is not None


def test_reinvestment_experiment_varies_the_finance_parameters():
    plan = build_plan(load_experiment(ROOT / "experiments" / "reinvestment.toml"))
    shares = {a.scenario.finance.reinvestment_share for a in plan.arms}
    lags = {a.scenario.finance.reinvestment_lag_years for a in plan.arms}
    assert len(shares) >= 3 and len(lags) >= 2
    assert plan.baseline.scenario.finance.reinvestment_share == 0.0


def test_every_arm_scenario_carries_its_factor_values():
    exp_path = ROOT / "experiments" / "community_capacity.toml"
    plan = build_plan(load_experiment(exp_path))
    base = plan.base.community
    for arm in plan.arms:
        k = arm.factors["community capacity"]
        assert arm.scenario.integration.level == arm.factors["integration.level"]
        assert arm.scenario.community.home_support_places_per_100k == pytest.approx(
            base.home_support_places_per_100k * k)
        assert arm.scenario.community.crisis_response_per_100k_day == pytest.approx(
            base.crisis_response_per_100k_day * k)


def test_common_random_numbers_share_seeds_across_arms(tmp_path):
    f = tmp_path / "e.toml"
    f.write_text(VALID)
    plan = build_plan(load_experiment(f))
    by_rep: dict[int, set[str]] = {}
    for task in plan.runs:
        by_rep.setdefault(task.replication, set()).add(task.seed_text)
    assert all(len(s) == 1 for s in by_rep.values())
    assert len({next(iter(s)) for s in by_rep.values()}) == plan.experiment.replications
    assert len({t.key for t in plan.runs}) == len(plan.runs)


def test_sampled_design_is_reproducible_and_inside_the_ranges(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(SAMPLED)
    a, b = build_plan(load_experiment(f)), build_plan(load_experiment(f))
    assert a.design_table().equals(b.design_table())
    assert len(a.arms) == 2 * (2 + 1)  # Morris: r (k + 1) points
    for arm in a.arms:
        assert 0.8 <= arm.scenario.integration.case_management.hazard_rr <= 1.0
        assert 0.1 <= arm.scenario.integration.crisis_response.referral_share <= 0.5


MALFORMED = {
    "unknown factor": (VALID.replace('"integration.level" = ["none", "full"]',
                                     '"integration.nonsense" = [1, 2]'),
                       "'integration.nonsense' is not a scenario parameter"),
    "empty grid": (VALID.replace('["none", "full"]', "[]"), "empty list of values"),
    "low above high": (SAMPLED.replace("low = 0.8, high = 1.0", "low = 1.2, high = 0.8"),
                       "low 1.2 is above high 0.8"),
    "zero replications": (VALID.replace("replications = 2", "replications = 0"),
                          "replications: 0 is out of range; allowed >= 1"),
    "base override the scenario lacks": (
        VALID.replace('"community.home_support_days"', '"community.no_such_thing"'),
        "community.no_such_thing: no such parameter"),
    "unknown metric": (VALID.replace('"occupied_beds:sum"', '"bed_blockers"'),
                       "'bed_blockers' is not a model metric"),
    "bad statistic": (VALID.replace('"occupied_beds:sum"', '"occupied_beds:median"'),
                      "statistic 'median' is not one of"),
    "value the scenario refuses": (VALID.replace('["none", "full"]', '["none", "partly"]'),
                                   "'partly' is not allowed"),
    "value out of the parameter's range": (
        SAMPLED.replace("low = 0.1, high = 0.5", "low = 0.1, high = 1.5"),
        "integration.crisis_response.referral_share"),
    "misspelt field": (VALID.replace("replications = 2", "replication = 2"),
                       "unknown field of the experiment file"),
    "sobol sample size": (SAMPLED.replace('kind = "morris"', 'kind = "sobol"')
                          .replace("trajectories = 2", "samples = 6"), "not a power of 2"),
    "unknown baseline": (VALID.replace("metrics = [", 'baseline = "level=sometimes"\nmetrics = ['),
                         "no arm is labelled 'level=sometimes'"),
    "not TOML": ("name = ", "not valid TOML"),
    "metric not recorded at a dimension": (
        VALID.replace("metrics = [", 'dimensions = ["all", "deprivation_quintile"]\nmetrics = ['),
        "metrics: 'occupied_beds:sum' is not recorded by deprivation_quintile; it is recorded at: "
        "all, hospital"),
    "own dimensions of a metric not listed": (
        VALID.replace("[base]\n", '[metric_dimensions]\n"deaths" = ["age_band"]\n\n[base]\n'),
        "metric_dimensions: 'deaths' is not one of the metrics"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_experiment_fails_with_one_line_before_any_run(case, tmp_path, capsys):
    text, expected = MALFORMED[case]
    f = tmp_path / "bad.toml"
    f.write_text(text)
    out = tmp_path / "results"
    with pytest.raises(ExperimentError):
        build_plan(load_experiment(f))
    assert main(["sweep", str(f), "--out", str(out), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("lco-sim: error: ")
    assert expected in err, err
    assert str(f) in err
    assert not out.exists()


def test_cli_exit_status_and_dry_run_in_a_real_process(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(MALFORMED["unknown factor"][0])
    out = tmp_path / "out"
    cli = [sys.executable, "-m", "simulation.cli"]
    p = subprocess.run([*cli, "sweep", str(bad), "--out", str(out)], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0 and "Traceback" not in p.stderr
    assert not out.exists()
    good = tmp_path / "good.toml"
    good.write_text(VALID)
    p = subprocess.run([*cli, "sweep", str(good), "--out", str(out), "--dry-run"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "2 options (arms) x 2 replications = 4 runs" in p.stdout
    assert "level=none" in p.stdout and "level=full" in p.stdout
    assert not out.exists()


def test_finance_dimension_keeps_the_ledger_yearly_account():
    """The finance metrics an experiment may ask for are columns of the ledger's account."""
    from simulation.experiments import Experiment
    from simulation.experiments.runner import aggregate_run, simulate
    from simulation.experiments.spec import FINANCE_METRICS

    plan = build_plan(Experiment.parse_dict({
        "name": "fin", "years": 1, "scale": 0.005, "replications": 1,
        "metrics": ["emergency_admissions", "spend_total", "gap"],
        "metric_dimensions": {"spend_total": ["finance"], "gap": ["finance"]},
        "design": {"factors": {"integration.level": ["full"]}}}))
    task = plan.runs[0]
    results, finance = simulate(task)
    assert set(FINANCE_METRICS) <= set(finance.columns)
    table = aggregate_run(results, task, finance)
    fin = table[table["dimension"] == "finance"]
    assert sorted(fin["metric"]) == ["gap", "spend_total"] and set(fin["time"]) == {1}
    assert fin.set_index("metric").loc["spend_total", "value"] == pytest.approx(
        finance["spend_total"].iloc[0])
    with pytest.raises(ExperimentError, match="needs period"):
        Experiment.parse_dict({"name": "fin", "replications": 1, "period": "month",
                               "dimensions": ["finance"], "metrics": ["gap"],
                               "design": {"factors": {"integration.level": ["full"]}}})


def test_a_metric_is_kept_at_exactly_the_dimensions_asked_for():
    """Each metric at every dimension asked (its own, else the experiment's), and nowhere else."""
    from simulation.experiments import Experiment
    from simulation.experiments.runner import aggregate_run, simulate

    exp = Experiment.parse_dict({
        "name": "dims", "years": 1, "scale": 0.003, "replications": 1,
        "dimensions": ["all", "deprivation_quintile"],
        "metrics": ["emergency_admissions", "occupied_beds:sum"],
        "metric_dimensions": {"occupied_beds:sum": ["all", "hospital"]},
        "design": {"factors": {"integration.level": ["none"]}}})
    assert exp.all_dimensions == ("all", "hospital", "deprivation_quintile")
    task = build_plan(exp).runs[0]
    table = aggregate_run(simulate(task, days=30)[0], task)
    kept = table.groupby("metric")["dimension"].unique().map(sorted).to_dict()
    assert kept == {"emergency_admissions": ["all", "deprivation_quintile"],
                    "occupied_beds:sum": ["all", "hospital"]}


def test_a_metric_asked_where_it_is_not_recorded_is_refused_in_a_real_process(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(MALFORMED["metric not recorded at a dimension"][0])
    out = tmp_path / "out"
    p = subprocess.run([sys.executable, "-m", "simulation.cli", "sweep", str(bad), "--out",
                        str(out), "--dry-run"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr.strip().count("\n") == 0
    assert "'occupied_beds:sum' is not recorded by deprivation_quintile" in p.stderr
    assert "recorded at: all, hospital" in p.stderr
    assert not out.exists()
