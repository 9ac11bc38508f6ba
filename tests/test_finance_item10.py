"""Savings are valued consistently with the published cost of an emergency admission.

An avoided emergency admission is worth about £1,600-£2,900 in 2016/17 prices depending on the
costing basis ([hfma-2017]; [steventon-2018] / [nao-2018]); the model's value comes from its own
mix of 0-1 day stays (NCC short-stay HRGs) and longer stays, so this checks the model's case mix
and the costing together.
"""

from __future__ import annotations

from simulation.finance.costs import admission_value, uprate
from simulation.finance.params import FinanceParams


def test_avoided_admission_value_lies_in_the_published_range(small_baseline_run):
    r = small_baseline_run.results
    daily = r[r["dimension"] == "all"].pivot_table(index="day", columns="metric", values="value",
                                                   observed=True)
    short_share = daily["short_stay_admissions"].sum() / daily["emergency_admissions"].sum()
    fp = FinanceParams()
    low = uprate(1600, "2016/17", fp.price_year, fp.inflation_per_year)
    high = uprate(2900, "2016/17", fp.price_year, fp.inflation_per_year)
    value = admission_value(fp, short_share)
    assert low <= value <= high, f"£{value:,.0f} per admission outside £{low:,.0f}-£{high:,.0f}"


def test_short_stays_include_every_zero_day_stay(small_baseline_run):
    r = small_baseline_run.results
    d = r[r["dimension"] == "all"].pivot_table(index="day", columns="metric", values="value",
                                               observed=True)
    assert (d["short_stay_admissions"] >= d["zero_day_admissions"]).all()
    assert d["short_stay_admissions"].sum() > d["zero_day_admissions"].sum()
