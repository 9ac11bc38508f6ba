"""Finance ledger: costs reconcile with activity, and reinvestment acts on later flows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.finance.costs import unit_costs
from simulation.finance.ledger import allocate_places
from simulation.finance.prices import to_price_year
from simulation.runner import run_scenario
from simulation.scenario import Scenario


def _daily(out) -> pd.DataFrame:
    d = out.results[out.results["dimension"] == "all"]
    return d.pivot_table(index="day", columns="metric", values="value", observed=True)


@pytest.fixture(scope="module")
def full_run():
    return run_scenario(Scenario.preset("full", scale=0.02, years=2), seed=11,
                        record_episodes=False)


def test_costs_reconcile_with_activity_per_sector_and_year(full_run):
    """Sum of activity x unit cost, computed here by hand from the daily results, equals spend.

    The default area's GP core services sit outside the LCO's budget
    ([healthcare-leader-lco-tender-2017]), so its account has no primary-care spend; the GP
    appointments are still costed, in a line outside the budget.
    """
    s = full_run.model.scenario
    fp = s.finance
    p = {name: to_price_year(c.value, c.cost_year, fp) for name, c in fp.unit_costs}
    daily = _daily(full_run)
    year = daily.index // 365
    y = daily.groupby(year).sum()
    cpw = s.community.case_management_contacts_per_week
    nhs_hospice = s.hospice.nhs_cost_share
    expected = pd.DataFrame({
        "hospital": y["ae_attendances"] * p["ae_attendance"]
        + y["short_stay_admissions"] * p["nel_short_stay"]
        + (y["emergency_admissions"] - y["short_stay_admissions"]) * p["nel_long_stay"]
        + y["delayed_discharge_bed_days"] * p["excess_bed_day"],
        "primary": 0.0 * y["gp_appointments_met"],
        "community": y["crisis_responses"] * p["crisis_response"]
        + y["case_managed"] * cpw / 7 * p["case_management_contact"]
        + y["community_bed_capacity"] * p["community_bed_day"]
        + y["social_prescribed"] / 365 * p["social_prescribing_person_year"]
        + y["care_home_residents_nhs_chc"] / 7 * p["care_home_week_nhs_chc"]
        + y["hospice_beds_occupied"] * nhs_hospice * p["hospice_bed_day"]
        + y["enhanced_care_home_residents"] / 365 * p["enhanced_care_home_resident_year"]
        + y["end_of_life_plans"] * p["end_of_life_support_person"],
        "social care": y["home_support_capacity"] * p["home_support_place_day"]
        + y["care_home_residents_council"] / 7 * p["care_home_week_council"]
        + y["home_care_hours"] * p["home_care_hour"],
        "self-funded": y["care_home_residents_self_funded"] / 7 * p["care_home_week_self_funded"],
        "charitable": y["hospice_beds_occupied"] * (1 - nhs_hospice) * p["hospice_bed_day"],
    })
    ledger = full_run.model.part("finance").yearly().set_index("year")
    assert len(ledger) == 2
    for sector in expected:
        got = ledger[f"spend_{sector.replace(' ', '_').replace('-', '_')}"]
        np.testing.assert_allclose(got.to_numpy(), expected[sector].to_numpy(), rtol=1e-9)
        assert (expected[sector] >= 0).all()
    assert (ledger["spend_hospital"] > 0).all() and (ledger["gp_core"] == 0).all()
    lines = full_run.model.part("finance").cost_lines()
    np.testing.assert_allclose(lines["cost"], lines["quantity"] * lines["unit_cost"])
    gp = lines[lines["item"] == "gp_appointment"].set_index("year")
    np.testing.assert_allclose(gp["cost"], y["gp_appointments_met"] * p["gp_appointment"])
    assert not gp["in_budget"].any() and (gp["cost"] > 0).all()
    in_budget = lines[lines["in_budget"]]
    # Self-funders' fees and hospices' charitable funds are never the LCO's (public) spend.
    assert not in_budget["sector"].isin(["self-funded", "charitable"]).any()
    np.testing.assert_allclose(in_budget.groupby("year")["cost"].sum(), ledger["spend_activity"])
    assert (ledger["spend_total"] - ledger["budget"] == ledger["gap"]).all()


def test_uprating_uses_the_cost_year():
    fp = Scenario().finance
    prices = unit_costs(fp)
    assert prices["ae_attendance"] == 273.0  # already in the price year
    # NHS Cost Inflation Index, pay and prices, % change into 2017/18 .. 2023/24 [jones-2026]
    index = 1.0124 * 1.0160 * 1.0214 * 1.0249 * 1.0258 * 1.0732 * 1.0247
    assert prices["excess_bed_day"] == pytest.approx(313.0 * index)
    later = Scenario().with_overrides({"finance.price_year": "2024/25"}).finance
    assert unit_costs(later)["ae_attendance"] == pytest.approx(273.0 * 1.0402)


def _run(share: float, reference_growth: float):
    s = Scenario.preset("none", scale=0.04, years=3).with_overrides(
        {"finance.reinvestment_share": share,
         "finance.reference_growth_per_year": reference_growth})
    return run_scenario(s, seed=5, record_episodes=False)


@pytest.fixture(scope="module")
def loop_runs():
    # A generous contract reference (beds expected to grow 20% a year) makes the flat actual
    # occupancy look like savings, so whole wards "close" and cash is released for reinvestment.
    return _run(0.8, 0.2), _run(0.0, 0.2)


def test_reinvestment_changes_capacity_and_flows_in_later_years(loop_runs):
    on, off = loop_runs
    led_on = on.model.part("finance").yearly().set_index("year")
    assert led_on.loc[0, "cash_releasing_savings"] == 0  # year 0 is the reference itself
    assert led_on.loc[1, "cash_releasing_savings"] > 0
    d_on, d_off = _daily(on), _daily(off)
    year = d_on.index // 365
    # years 0 and 1 are identical (common random numbers, nothing reinvested yet) ...
    first = year < 2
    pd.testing.assert_frame_equal(d_on[first], d_off[first])
    # ... year 2 has the places bought with year 1's savings, and flows change
    later = year == 2
    assert (d_on.loc[later, "reinvested_places"] > 0).all()
    assert (d_off["reinvested_places"] == 0).all()
    capacity = "home_support_capacity"
    assert d_on.loc[later, capacity].mean() > d_off.loc[later, capacity].mean()
    flows = ["delayed_discharge_bed_days", "occupied_beds", "home_support_occupied"]
    assert not d_on.loc[later, flows].equals(d_off.loc[later, flows])
    assert d_on.loc[later, "delayed_discharge_bed_days"].sum() < \
        d_off.loc[later, "delayed_discharge_bed_days"].sum()
    # the places bought cost what was reinvested (to whole places)
    place_year = unit_costs(on.model.scenario.finance)["home_support_place_day"] * 365
    assert led_on.loc[2, "reinvested_places"] == pytest.approx(
        led_on.loc[1, "reinvestment_pot"] / place_year, abs=0.5)


def test_no_savings_means_nothing_reinvested():
    # a falling reference: occupancy never falls a ward below it, so no cash is released
    run = _run(1.0, -0.1)
    led = run.model.part("finance").yearly()
    assert (led["cash_releasing_savings"] == 0).all()
    assert (led["reinvestment_pot"] == 0).all()
    d = _daily(run)
    assert (d["reinvested_places"] == 0).all()
    assert run.model.services.extra_places("home_support") == 0


def test_allocate_places_keeps_the_total():
    w = np.array([3.0, 1.0, 0.5, 2.5])
    for total in (0, 0.4, 1, 7.6, 13):
        out = allocate_places(total, w)
        assert out.sum() == round(total) and (out >= 0).all()
