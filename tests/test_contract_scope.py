"""The contract's scope: whose GP core services sit in the LCO's budget, and who gains the savings.

Manchester's GPs keep their GMS/PMS contracts, so GP core sits outside the LCO's budget
[healthcare-leader-lco-tender-2017]; Dudley's fully integrated practices move their core contract
into the MCP's budget and the others keep theirs outside [hsj-dudley-tender-2017]; savings from
reduced hospital activity are shared between primary and secondary care
[pulse-manchester-gp-contract-2015]. The scope is accounting only: it moves money between
budgets and must not change what happens to patients.
"""

from __future__ import annotations

from html import escape as html_escape

import numpy as np
import pandas as pd
import pytest

from simulation.areas import load_area
from simulation.cli import main
from simulation.finance.appraisal import appraise, run_finance
from simulation.finance.ledger import Ledger
from simulation.model import LCOModel
from simulation.runner import run_scenario
from simulation.scenario import GP_CORE_SCOPES, Scenario, ScenarioError

SCALE = 0.01
GP_CORE_2019_20 = 155.46  # £ per registered patient (NHS Payments to General Practice 2019/20)
NHSCII_2019_20_TO_2023_24 = 1.0249 * 1.0258 * 1.0732 * 1.0247  # pay and prices, % into each year
GP_CORE_NOW = GP_CORE_2019_20 * NHSCII_2019_20_TO_2023_24  # in 2023/24 prices


def _dudley(scope: str, level: str = "full", **overrides) -> Scenario:
    """Dudley's 38 of 45 practices contracted at ``level``, over two years.

    A generous contract reference (beds expected to grow 20% a year) makes whole wards "close",
    so that there is cash to share.
    """
    return Scenario.preset(level, area="dudley", scale=SCALE, years=2).with_overrides({
        "run.structure": "kept", "integration.contracts.assignment": "contracted",
        "integration.contracts.share": 38 / 45, "integration.contracts.gp_core_scope": scope,
        "finance.reference_growth_per_year": 0.2, **overrides})


# ----- area defaults ------------------------------------------------------------------------
MANCHESTER_TENDER = "[healthcare-leader-lco-tender-2017]"


@pytest.mark.parametrize("area, scope, seed", [
    ("manchester", "outside", MANCHESTER_TENDER),
    ("greater-manchester", "outside", MANCHESTER_TENDER),
    ("dudley", "fully_integrated", "[hsj-dudley-tender-2017]")])
def test_each_area_gives_its_scope_and_savings_share_with_sources(area, scope, seed):
    a = load_area(area)
    s = Scenario.preset("none", area=area, scale=0.01)
    assert a.contract.gp_core_scope == s.integration.contracts.gp_core_scope == scope
    assert a.contract.savings_share_lco == s.finance.savings_share_lco == 0.5
    assert seed in a.contract.sources["gp_core_scope"]
    assert "[pulse-manchester-gp-contract-2015]" in a.contract.sources["savings_share_lco"]
    assert "ASSUMPTION" in a.contract.sources["savings_share_lco"]
    assert a.contract.gp_core_note  # the words the report shows


def test_a_scenario_overrides_the_area_and_a_new_area_resets_it():
    d = Scenario.preset("full", area="dudley", scale=0.01)
    out = d.with_overrides({"integration.contracts.gp_core_scope": "outside",
                            "finance.savings_share_lco": 0.3})
    assert out.integration.contracts.gp_core_scope == "outside"
    assert out.finance.savings_share_lco == 0.3
    moved = out.with_overrides({"area": "manchester"})
    assert moved.integration.contracts.gp_core_scope == "outside"
    back = moved.with_overrides({"area": "dudley"})
    assert back.integration.contracts.gp_core_scope == "fully_integrated"
    assert back.finance.savings_share_lco == 0.5


def test_every_scope_has_words_and_the_rule_follows_the_contract():
    c = Scenario.preset("none", area="dudley").integration.contracts
    assert set(GP_CORE_SCOPES) == {"outside", "fully_integrated"}
    assert [c.core_in_budget(s) for s in range(4)] == [False, False, False, True]
    out = c.model_copy(update={"gp_core_scope": "outside"})
    assert not any(out.core_in_budget(s) for s in range(4))


# ----- the ledger ---------------------------------------------------------------------------
def _step(scenario: Scenario, seed: int = 3):
    """Run with the ledger, recording by hand each day the lists of fully integrated practices."""
    model = LCOModel(scenario, seed=seed, observers=[Ledger()], record_episodes=False)
    lists = []
    while model.running:
        model.step()
        if model.steps and len(lists) < model.steps:
            lists.append(sum(p.list_size for p in model.practice_list if p.status == 3))
    return model, np.asarray(lists[:model.horizon_days], float)


@pytest.fixture(scope="module")
def inside_outside():
    inside, lists = _step(_dudley("fully_integrated"))
    outside, _ = _step(_dudley("outside"))
    return inside, outside, lists


def test_scope_changes_budget_and_spend_by_exactly_the_gp_core_of_the_practices_in_it(
        inside_outside):
    inside, outside, lists = inside_outside
    a = inside.part("finance").yearly().set_index("year")
    b = outside.part("finance").yearly().set_index("year")
    # independent computation: £155.46 (2019/20) uprated with the NHS Cost Inflation Index to
    # 2023/24, times the mean
    # registered list of the fully integrated practices, recorded by hand above
    price = GP_CORE_NOW
    expected = np.array([lists[y * 365:(y + 1) * 365].mean() for y in range(2)]) * price
    assert (expected > 0).all()
    np.testing.assert_allclose(a["gp_core"], expected, rtol=1e-12)
    np.testing.assert_allclose(a["budget"] - b["budget"], expected, rtol=1e-9)
    np.testing.assert_allclose(a["spend_total"] - b["spend_total"], expected, rtol=1e-9)
    np.testing.assert_allclose(a["spend_primary"] - b["spend_primary"], expected, rtol=1e-9)
    np.testing.assert_allclose(a["gap"], b["gap"], rtol=1e-9)  # the money comes with the contract
    assert (b["gp_core"] == 0).all() and (b["spend_primary"] == 0).all()
    # 38 of 45 practices hold most, not all, of the registered patients
    share = a["gp_core_patients"] / a["population"]
    assert ((share > 0.6) & (share < 0.97)).all(), share.tolist()


def test_scope_is_accounting_only_activity_is_unchanged(inside_outside):
    inside, outside, _ = inside_outside
    ra, rb = inside.results(), outside.results()
    keep = ~ra["metric"].astype(str).eq("gp_core_patients")
    pd.testing.assert_frame_equal(ra[keep].reset_index(drop=True),
                                  rb[~rb["metric"].astype(str).eq("gp_core_patients")]
                                  .reset_index(drop=True))


def test_the_savings_split_adds_up_to_the_saving_and_follows_the_scope(inside_outside):
    inside, outside, _ = inside_outside
    fp = inside.scenario.finance
    for model in (inside, outside):
        y = model.part("finance").yearly()
        cash = y["cash_releasing_savings"]
        assert cash.iloc[1] > 0  # the generous reference makes whole wards "close" in year 2
        np.testing.assert_allclose(y["savings_acute"] + y["savings_lco"], cash, rtol=1e-12)
        np.testing.assert_allclose(y["savings_lco"], fp.savings_share_lco * cash, rtol=1e-12)
        np.testing.assert_allclose(y["savings_lco_primary_care"],
                                   y["savings_lco"] * y["gp_core"] / y["budget"], rtol=1e-12)
        assert (y["savings_lco_primary_care"] <= y["savings_lco"]).all()
    a, b = inside.part("finance").yearly(), outside.part("finance").yearly()
    assert a["savings_lco_primary_care"].iloc[1] > 0
    assert (b["savings_lco_primary_care"] == 0).all()  # no primary care inside the budget


def test_partially_integrated_practices_keep_their_core_outside():
    out = run_scenario(_dudley("fully_integrated", level="partial").with_overrides(
        {"run.years": 1}), seed=3, record_episodes=False)
    y = out.model.part("finance").yearly()
    assert (y["gp_core"] == 0).all() and (y["gp_core_patients"] == 0).all()
    assert sum(p.status == 2 for p in out.model.practice_list) == 38


# ----- the appraisal's account ---------------------------------------------------------------
def _yearly() -> pd.DataFrame:
    """Yearly sums of two arms, two replications and two years (made-up, full population)."""
    rng = np.random.default_rng(0)
    metrics = {"population": 300_000 * 365, "gp_appointments_met": 1.4e6,
               "ae_attendances": 90_000, "emergency_admissions": 30_000,
               "short_stay_admissions": 10_000, "delayed_discharge_bed_days": 20_000,
               "crisis_responses": 2_000, "case_managed": 300_000, "social_prescribed": 50_000,
               "occupied_beds": 700 * 365, "home_support_capacity": 90 * 365,
               "community_bed_capacity": 40 * 365,
               # care homes, home care and hospices: public and private spend beside the scope
               "care_home_residents_council": 900 * 365, "care_home_residents_nhs_chc": 100 * 365,
               "care_home_residents_self_funded": 300 * 365, "home_care_hours": 400_000,
               "hospice_beds_occupied": 12 * 365, "enhanced_care_home_residents": 0,
               "end_of_life_plans": 0}
    rows = []
    for arm in ("none", "full"):
        for rep in (0, 1):
            for year in (0, 1):
                values = dict(metrics, gp_core_patients=(250_000 * 365 if arm == "full" else 0))
                for m, v in values.items():
                    rows.append({"arm": arm, "replication": rep, "year": year, "metric": m,
                                 "value": v * (1 + 0.05 * rng.standard_normal()) if v else 0.0,
                                 "days": 365})
    return pd.DataFrame(rows)


def test_the_appraisal_account_follows_the_scope_but_the_appraisal_does_not():
    yearly = _yearly()
    base = Scenario.preset("none", area="dudley")
    arms = {scope: {"none": base, "full": Scenario.preset("full", area="dudley").with_overrides(
        {"integration.contracts.gp_core_scope": scope})} for scope in GP_CORE_SCOPES}
    full = yearly[yearly["arm"] == "full"]
    a = run_finance(full[full["replication"] == 0], arms["fully_integrated"]["full"])
    b = run_finance(full[full["replication"] == 0], arms["outside"]["full"])
    sums = full[(full["replication"] == 0) & (full["metric"] == "gp_core_patients")]
    expected = sums.sort_values("year")["value"].to_numpy() / 365 * GP_CORE_NOW
    np.testing.assert_allclose(a["budget"] - b["budget"], expected, rtol=1e-9)
    np.testing.assert_allclose(a["primary"] - b["primary"], expected, rtol=1e-9)
    np.testing.assert_allclose(a["total"] - b["total"], expected, rtol=1e-9)
    np.testing.assert_allclose(b["primary"], 0.0)
    # every practice's GP appointments stay outside the account, valued for the appraisal
    np.testing.assert_allclose(a["gp_appointments"], b["gp_appointments"])
    assert (a["gp_appointments"] > 0).all()
    runs = {scope: appraise(yearly, arms[scope], "none").runs for scope in arms}
    pd.testing.assert_frame_equal(runs["outside"], runs["fully_integrated"])


def test_the_report_shares_each_options_cash_as_the_ledger_does():
    """Made-up flows and accounts: PV of each party's share, computed here by hand."""
    from types import SimpleNamespace

    from simulation.finance.appraisal import Appraisal
    from simulation.report.tables import savings_shares

    arms = {"none": Scenario.preset("none", area="dudley"),
            "b": Scenario.preset("full", area="dudley").with_overrides(
                {"finance.savings_share_lco": 0.3}),
            "a": Scenario.preset("partial", area="dudley")}
    cash = {("a", 0): [0.0, 2e6, 5e6], ("a", 1): [0.0, 1e6, 3e6],
            ("b", 0): [0.0, 4e6, 6e6], ("b", 1): [1e6, 0.0, 8e6]}
    flows = pd.DataFrame([{"arm": arm, "replication": rep, "year": y, "benefits_cash": c}
                          for (arm, rep), cs in cash.items() for y, c in enumerate(cs)])
    runs = pd.DataFrame([{"arm": arm, "replication": rep, "year": y,
                          "gp_core": 40e6 if arm == "b" else 0.0, "budget": 400e6 + 1e6 * y}
                         for (arm, rep) in cash for y in range(3)])
    data = SimpleNamespace(arms=arms)
    table = savings_shares(data, Appraisal(flows, pd.DataFrame(), pd.DataFrame()), runs)
    assert list(table["arm"]) == ["b", "a"]  # the design's order, do nothing left out
    t = table.set_index("arm")
    disc = 1.035 ** -np.arange(3)
    for arm, share in (("a", 0.5), ("b", 0.3)):
        pv = [np.dot(cash[(arm, r)], disc) for r in (0, 1)]
        prim = [sum(share * c * (40e6 if arm == "b" else 0.0) / (400e6 + 1e6 * y) * disc[y]
                    for y, c in enumerate(cash[(arm, r)])) for r in (0, 1)]
        assert t.loc[arm, "pv_cash_released"] == pytest.approx(np.mean(pv))
        assert t.loc[arm, "pv_savings_lco"] == pytest.approx(share * np.mean(pv))
        assert t.loc[arm, "pv_savings_acute"] + t.loc[arm, "pv_savings_lco"] == pytest.approx(
            t.loc[arm, "pv_cash_released"])
        assert t.loc[arm, "pv_savings_lco_primary_care"] == pytest.approx(np.mean(prim))
    assert t.loc["a", "pv_savings_lco_primary_care"] == 0 < t.loc["b",
                                                                  "pv_savings_lco_primary_care"]


# ----- bad input ------------------------------------------------------------------------------
def _refused(capsys, argv: list[str], *names: str) -> None:
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    for name in names:
        assert name in lines[0], f"{name!r} not in {lines[0]!r}"


def test_an_unknown_scope_in_a_scenario_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n[integration.contracts]\ngp_core_scope = "inside"\n')
    _refused(capsys, ["run", "--scenario", bad, "--out", tmp_path / "out", "--scale", "0.005",
                      "--years", "1"], "gp_core_scope", "'inside'", "fully_integrated")
    assert not (tmp_path / "out").exists()


def test_an_unknown_scope_or_share_in_an_experiment_is_one_line(tmp_path, capsys):
    for factor, values, words in (
            ("integration.contracts.gp_core_scope", '["outside", "everything"]',
             ("gp_core_scope", "'everything'")),
            ("finance.savings_share_lco", "[0.5, 1.5]", ("savings_share_lco", "1.5"))):
        exp = tmp_path / "bad.toml"
        exp.write_text(f'name = "bad"\nyears = 1\nscale = 0.005\nreplications = 1\n'
                       'metrics = ["population"]\n'
                       f'[design.factors]\n"{factor}" = {values}\n')
        _refused(capsys, ["sweep", exp, "--dry-run"], *words)


def test_an_area_file_with_an_unknown_scope_is_one_line(tmp_path, capsys):
    from simulation.areas import AREA_DIR

    text = (AREA_DIR / "dudley.toml").read_text(encoding="utf-8")
    bad = tmp_path / "mine.toml"
    bad.write_text(text.replace('gp_core_scope = "fully_integrated"',
                                'gp_core_scope = "partly"', 1), encoding="utf-8")
    _refused(capsys, ["run", "--area", bad, "--out", tmp_path / "out", "--scale", "0.02",
                      "--years", "1"], "gp_core_scope", "partly")
    with pytest.raises(ScenarioError, match="gp_core_scope"):
        Scenario.preset("none", area=str(bad))


# ----- the evidence pack ----------------------------------------------------------------------
EXPERIMENT = """
name = "scope-test"
years = 1
scale = 0.01
replications = 1
period = "year"
baseline = "level=none"
metrics = ["population", "gp_appointments_met", "ae_attendances", "emergency_admissions",
           "short_stay_admissions", "delayed_discharge_bed_days", "crisis_responses",
           "case_managed", "social_prescribed", "occupied_beds", "home_support_occupied",
           "community_beds_occupied", "gp_core_patients"]
[base.overrides]
area = "dudley"
"run.structure" = "kept"
"integration.contracts.assignment" = "contracted"
"integration.contracts.share" = 0.8444444444444444
[design.factors]
"integration.level" = ["none", "partial", "full"]
"""


@pytest.mark.slow
def test_the_report_and_workbook_state_the_scope_in_the_areas_words(tmp_path):
    exp = tmp_path / "scope.toml"
    exp.write_text(EXPERIMENT, encoding="utf-8")
    folder = tmp_path / "scope-test"
    assert main(["sweep", str(exp), "--out", str(folder), "--workers", "1", "--quiet"]) == 0
    assert main(["report", str(folder)]) == 0
    pack = folder / "report"
    scope = pd.read_csv(pack / "contract_scope.csv").set_index("option")
    inside = scope["patients with GP core in the budget (year 1)"]
    assert inside["level=none"] == 0 and inside["level=partial"] == 0
    assert 0.6 * 300_000 < inside["level=full"] < 0.97 * 300_000  # full-population equivalents
    money = scope["GP core in budget and spend, year 1 (£)"]
    # the CSV keeps 6 significant figures
    assert money["level=full"] == pytest.approx(inside["level=full"] * GP_CORE_NOW,
                                                rel=1e-5)
    assert set(scope["gp_core_scope"]) == {"fully_integrated"}
    spend = pd.read_csv(pack / "spend_by_sector.csv").set_index("arm")
    assert spend.loc["level=partial", "gp_core"] == 0 < spend.loc["level=full", "gp_core"]
    assert spend.loc["level=full", "primary"] == pytest.approx(spend.loc["level=full", "gp_core"])
    shares = pd.read_csv(pack / "savings_shares.csv")
    assert list(shares["arm"]) == ["level=partial", "level=full"]  # no cash in year 1: see below
    np.testing.assert_allclose(shares["pv_savings_acute"] + shares["pv_savings_lco"],
                               shares["pv_cash_released"], rtol=1e-5)
    sheets = pd.read_excel(pack / "business_case.xlsx", sheet_name=None)
    assert {"contract_scope", "savings_shares"} <= set(sheets)
    html = (pack / "report.html").read_text(encoding="utf-8")
    area = load_area("dudley")
    for words in (area.contract.gp_core_note, GP_CORE_SCOPES["fully_integrated"],
                  "Contract scope and who gains the savings"):
        assert html_escape(words) in html, words
