"""An appraisal a Treasury reviewer would pass: costs by category, benefits at the value released.

Fast tests on small hand-made yearly flows (no simulation): optimism bias touches programme
costs only, a ward freed for one year releases no cash, switching values give an NPV of zero when
substituted back, the price index, the risk register's errors and an area's own programme costs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.finance.appraisal import COMPONENTS, appraise, decompose, wards_closed
from simulation.finance.optimism import load_register, rates
from simulation.finance.prices import index_factor, to_price_year
from simulation.finance.programme import programme_cost, with_value
from simulation.finance.sensitivity import OUT_OF_HOSPITAL_ITEMS, scale_items
from simulation.finance.switching import switching_values
from simulation.report.data import COSTED_IF_KEPT
from simulation.scenario import Scenario, ScenarioError

S_NONE = Scenario.preset("none", scale=1.0, years=5)
S_FULL = Scenario.preset("full", scale=1.0, years=5)
SCEN = {"none": S_NONE, "full": S_FULL}


def _yearly(arm, rep, admissions, beds, crisis=0.0):
    base = {"gp_appointments_met": 1000.0, "ae_attendances": 300.0, "short_stay_admissions": 0.0,
            "delayed_discharge_bed_days": 0.0, "case_managed": 0.0, "social_prescribed": 0.0,
            "home_support_capacity": 0.0, "community_bed_capacity": 0.0,
            "population": 10000.0 * 365,
            # care homes, home care and hospices: absent from these made-up flows
            **dict.fromkeys(COSTED_IF_KEPT, 0.0)}
    rows = []
    for year, (adm, b) in enumerate(zip(admissions, beds, strict=True)):
        vals = dict(base, emergency_admissions=adm, occupied_beds=b * 365,
                    crisis_responses=crisis)
        rows += [{"arm": arm, "replication": rep, "year": year, "metric": k, "value": v,
                  "days": 365} for k, v in vals.items()]
    return rows


def _data(full_beds, reps=2, crisis=500.0):
    rows = []
    for rep in range(reps):
        n = len(full_beds)
        rows += _yearly("none", rep, [1000] * n, [200] * n)
        rows += _yearly("full", rep, [1000 - 40 * y - 5 * rep for y in range(n)],
                        list(full_beds), crisis=crisis)
    return pd.DataFrame(rows)


def test_optimism_bias_is_never_applied_to_simulated_activity():
    yearly = _data([200, 190, 185, 180, 180])
    fp = S_FULL.finance
    none = appraise(yearly, SCEN, "none", finance=fp.model_copy(update={"optimism_bias": 0.0}))
    high = appraise(yearly, SCEN, "none", finance=fp.model_copy(update={"optimism_bias": 0.66}))
    a, b = none.flows.set_index(["replication", "year"]), high.flows.set_index(["replication",
                                                                                "year"])
    activity = [c for c in COMPONENTS if c.startswith("activity_")]
    assert (a["activity_community"] > 0).all()  # the crisis responses are simulated activity
    pd.testing.assert_frame_equal(a[activity], b[activity])  # untouched by optimism bias
    programme = a["programme_transformation"] + a["programme_double_running"]
    np.testing.assert_allclose(b["costs"] - a["costs"], 0.66 * programme, rtol=1e-12)
    # the default rate comes from the register: the programme costs' category less mitigation
    r = rates(fp)
    reg = load_register()
    cat = reg.categories[programme_cost(fp, "transformation").category]
    assert cat.lower_bound <= r["transformation"] < cat.upper_bound
    base = appraise(yearly, SCEN, "none")
    np.testing.assert_allclose(base.flows["optimism_bias_transformation"],
                               r["transformation"] * base.flows["programme_transformation"])


def test_a_ward_freed_for_one_year_releases_no_cash():
    ward = S_FULL.finance.ward_size  # 28 beds at scale 1
    once = _data([200, 200 - ward - 2, 200, 200, 200])
    result = appraise(once, SCEN, "none")
    f = result.flows
    assert f["wards_closable"].max() == 1  # the beds were freed, for one year
    assert (f["benefits_cash"] == 0).all() and (f["wards_closed"] == 0).all()
    # freed beds that persist close the ward after min years + lag, and cash flows from then on
    kept = appraise(_data([200] + [200 - ward - 2] * 4), SCEN, "none").flows
    fp = S_FULL.finance
    # freed from year 1: evidence in years 1 .. min_years, closed lag years later (year 3)
    first = 1 + fp.ward_min_years + fp.ward_closure_lag_years - 1
    g = kept[kept["replication"] == 0].set_index("year")
    assert (g.loc[: first - 1, "benefits_cash"] == 0).all()
    assert (g.loc[first:, "benefits_cash"] > 0).all()
    assert wards_closed([1, 1, 1, 0, 1, 1, 1], 2, 0) == [0, 1, 1, 0, 0, 1, 1]


def test_the_hospital_cost_sensitivity_moves_the_ward_bed_day_too():
    yearly = _data([200] + [160] * 4)
    fp = S_FULL.finance
    from simulation.finance.sensitivity import HOSPITAL_ITEMS
    base = appraise(yearly, SCEN, "none", finance=fp).runs["pv_benefits_cash"].mean()
    up = appraise(yearly, SCEN, "none",
                  finance=scale_items(fp, HOSPITAL_ITEMS, 1.25)).runs["pv_benefits_cash"].mean()
    assert base > 0 and up == pytest.approx(1.25 * base)


def test_decomposition_adds_up_to_each_npv():
    result = appraise(_data([200] + [160] * 4), SCEN, "none")
    d = decompose(result).set_index("column")
    economic = d[d["in_npv"].isin(["both", "economic"])]["pv"].sum()
    cash = d[d["in_npv"].isin(["both", "cash"])]["pv"].sum()
    assert economic == pytest.approx(d.loc["npv_economic", "pv"])
    assert cash == pytest.approx(d.loc["npv_cash", "pv"])
    # the four named hospital items are the whole hospital sector of the default model
    np.testing.assert_allclose(result.flows["benefit_other_hospital"], 0.0, atol=1e-6)


def _substitute(fp, row):
    p, v = row["parameter"], row["switching_value"]
    if p == "finance.transformation_cost_per_head.value":
        return with_value(fp, "transformation", v)
    if p == "finance.double_running_per_head_year.value":
        return with_value(fp, "double_running", v)
    if p == "finance.optimism_bias":
        return fp.model_copy(update={"optimism_bias": v})
    if p == "finance.hospital_marginal_share":
        return fp.model_copy(update={"hospital_marginal_share": v})
    if p == "finance.discount_rate":
        return fp.model_copy(update={"discount_rate": v})
    if p == "finance.unit_costs.ward_bed_day.value":
        return scale_items(fp, ("ward_bed_day",), v / fp.unit_costs.ward_bed_day.value)
    if p == "scale on their unit costs":
        return scale_items(fp, OUT_OF_HOSPITAL_ITEMS, v)
    raise AssertionError(f"no substitution for {p}")


@pytest.mark.parametrize("measure", ["npv_economic", "npv_cash"])
def test_switching_values_give_npv_zero_when_substituted_back(measure):
    yearly = _data([200, 190] + [150] * 3)
    fp = S_FULL.finance
    result = appraise(yearly, SCEN, "none", finance=fp)
    sv = switching_values(result, {"full": fp}, measure)
    assert len(sv) >= 6
    npv0 = result.runs[measure].mean()
    checked = 0
    for _, row in sv.iterrows():
        if not np.isfinite(row["switching_value"]):
            continue
        again = appraise(yearly, SCEN, "none", finance=_substitute(fp, row))
        assert again.runs[measure].mean() == pytest.approx(0.0, abs=1e-6 * abs(npv0)), row["driver"]
        checked += 1
    assert checked >= 5


def test_costs_are_uprated_with_the_published_index():
    fp = S_FULL.finance
    hand = 1.0209 * 1.0124 * 1.0160 * 1.0214 * 1.0249 * 1.0258 * 1.0732 * 1.0247
    assert index_factor("2015/16", "2023/24") == pytest.approx(hand)
    assert to_price_year(313.0, "2016/17", fp) == pytest.approx(313.0 * hand / 1.0209)
    # beyond the series the flat rate extends it
    assert index_factor("2024/25", "2026/27", flat=0.02) == pytest.approx(1.02 ** 2)
    assert fp.pv_year == fp.price_year
    with pytest.raises(ValueError, match="present_value_year"):
        type(fp)(present_value_year="2018/19")


@pytest.mark.parametrize("text, field", [
    ("[categories.x]\ntitle = 'X'\nupper_bound = 0.2\nlower_bound = 0.4\nsource = 's'\n",
     "categories.x"),
    ("[categories.x]\ntitle = 'X'\nupper_bound = 0.4\nlower_bound = 0.0\nsource = 's'\n"
     "[[risks]]\ncategory = 'y'\nname = 'r'\ncontribution = 0.5\nmitigated = 0.5\n"
     "justification = 'j'\n", "category 'y'"),
    ("[categories.x]\ntitle = 'X'\nupper_bound = 0.4\nlower_bound = 0.0\nsource = 's'\n"
     "[[risks]]\ncategory = 'x'\nname = 'r'\ncontribution = 0.5\nmitigated = 1.5\n"
     "justification = 'j'\n", "risks.0.mitigated"),
    ("not toml [", "not valid TOML"),
])
def test_a_bad_risk_register_gives_a_one_line_error(tmp_path, text, field):
    path = tmp_path / "register.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_register(path)
    msg = str(err.value)
    assert "\n" not in msg and field in msg and "risk_register" in msg
    fp = S_FULL.finance.model_copy(update={"risk_register": str(tmp_path / "absent.toml")})
    with pytest.raises(ScenarioError, match="no file"):
        rates(fp)


def test_an_area_states_its_own_programme_costs():
    dudley = Scenario().with_overrides({"area": "dudley"}).finance.transformation_cost_per_head
    assert dudley.value == 41.4 and "[hsj-vanguard-shortfall-2016]" in dudley.source
    back = Scenario().with_overrides({"area": "dudley"}).with_overrides({"area": "manchester"})
    assert back.finance.transformation_cost_per_head == Scenario().finance \
        .transformation_cost_per_head
