"""Unit costs: which model activity each cost applies to, and uprating to one price year.

:data:`COST_ITEMS` is the one table that maps model activity to money. Each item names its sector
(hospital, community, primary, social care), the quantity it counts and the daily model metrics
the quantity is built from. Costs are activity x unit cost, except for block-funded capacity
(home-support places and community beds), which is paid per funded place-day whether occupied or
not. Activities the model does not represent (practice nurse appointments, long-term home care,
care-home weeks) are listed in :data:`NOT_MODELLED` and carry no cost.

Example:
    >>> from simulation.finance.params import FinanceParams
    >>> round(uprate(313.0, "2016/17", "2023/24", 0.03), 2)
    384.95
    >>> table = unit_cost_table(FinanceParams())
    >>> float(table.set_index("item").loc["ae_attendance", "unit_cost"])
    273.0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from simulation.finance.params import FinanceParams, financial_year_start

SECTORS = ("hospital", "community", "primary", "social care")
"""Spending sectors of the capitated budget."""

FLOW_METRICS = ("gp_appointments_met", "ae_attendances", "emergency_admissions",
                "short_stay_admissions", "delayed_discharge_bed_days", "crisis_responses",
                "case_managed", "social_prescribed", "home_support_capacity",
                "community_bed_capacity", "occupied_beds")
"""Daily model metrics the costing reads; each is summed over the days of a year."""


@dataclass(frozen=True)
class CostItem:
    """A costed activity: its sector, what is counted, and how to count it from yearly sums."""

    name: str
    sector: str
    quantity: str
    metrics: str
    count: Callable[[Mapping[str, float], float], float]


def _get(m: Mapping[str, float], k: str) -> float:
    return float(m[k])


COST_ITEMS: tuple[CostItem, ...] = (
    CostItem("gp_appointment", "primary", "GP appointments met", "gp_appointments_met",
             lambda m, c: _get(m, "gp_appointments_met")),
    CostItem("ae_attendance", "hospital", "A&E attendances", "ae_attendances",
             lambda m, c: _get(m, "ae_attendances")),
    # NCC short-stay HRGs cover stays of 0-1 days, long-stay HRGs the rest
    CostItem("nel_short_stay", "hospital", "emergency admissions of 0-1 days",
             "short_stay_admissions", lambda m, c: _get(m, "short_stay_admissions")),
    CostItem("nel_long_stay", "hospital", "emergency admissions of 2 days or more",
             "emergency_admissions - short_stay_admissions",
             lambda m, c: _get(m, "emergency_admissions") - _get(m, "short_stay_admissions")),
    CostItem("excess_bed_day", "hospital", "delayed-discharge bed days",
             "delayed_discharge_bed_days", lambda m, c: _get(m, "delayed_discharge_bed_days")),
    CostItem("crisis_response", "community", "2-hour crisis responses", "crisis_responses",
             lambda m, c: _get(m, "crisis_responses")),
    CostItem("case_management_contact", "community", "case-management contacts",
             "case_managed (patient-days) x contacts per week / 7",
             lambda m, c: _get(m, "case_managed") * c / 7.0),
    CostItem("community_bed_day", "community", "funded community bed-days",
             "community_bed_capacity", lambda m, c: _get(m, "community_bed_capacity")),
    CostItem("social_prescribing_person_year", "community", "person-years referred to social "
             "prescribing", "social_prescribed (person-days) / 365",
             lambda m, c: _get(m, "social_prescribed") / 365.0),
    CostItem("home_support_place_day", "social care", "funded home-support place-days",
             "home_support_capacity", lambda m, c: _get(m, "home_support_capacity")),
)
"""Every costed activity, in report order."""

NOT_MODELLED = {
    "practice nurse appointment": "the model has no practice-nurse activity (CF §4 gives £47 per "
                                  "working hour, PSSRU 2023 Table 9.3.1)",
    "long-term home care hour": "the model has post-discharge reablement only, no long-term home "
                                "care (CF §4 homecare £28.53 per hour, 2024/25)",
    "care home week": "the model has no care-home residents (CF §4 residential £983, nursing "
                      "£1,329 per week, 2022/23)",
}
"""Activities with a published unit cost that the model does not represent, and why no cost."""


def uprate(value: float, cost_year: str, price_year: str, inflation_per_year: float) -> float:
    """A cost in ``cost_year`` prices expressed in ``price_year`` prices at a flat inflation rate."""
    years = financial_year_start(price_year) - financial_year_start(cost_year)
    return value * (1.0 + inflation_per_year) ** years


def unit_costs(finance: FinanceParams) -> dict[str, float]:
    """Every item's unit cost in the price year (plus ``ward_bed_day``)."""
    out = {}
    for name in type(finance.unit_costs).model_fields:
        c = getattr(finance.unit_costs, name)
        out[name] = uprate(c.value, c.cost_year, finance.price_year, finance.inflation_per_year)
    return out


def unit_cost_table(finance: FinanceParams) -> pd.DataFrame:
    """The mapping table: item, sector, quantity, model metric, cost, cost year, price-year cost, source."""
    fields = type(finance.unit_costs).model_fields
    prices = unit_costs(finance)
    rows = []
    for item in COST_ITEMS:
        c = getattr(finance.unit_costs, item.name)
        extra = fields[item.name].json_schema_extra or {}
        rows.append({"item": item.name, "sector": item.sector, "quantity": item.quantity,
                     "model metric": item.metrics, "unit": extra.get("unit", ""),
                     "unit_cost": c.value, "cost_year": c.cost_year,
                     f"unit_cost_{finance.price_year}": round(prices[item.name], 2),
                     "source": extra.get("source", "")})
    c, extra = finance.unit_costs.ward_bed_day, fields["ward_bed_day"].json_schema_extra or {}
    rows.append({"item": "ward_bed_day", "sector": "hospital",
                 "quantity": "bed days of whole wards that could close (cash-releasing savings)",
                 "model metric": "occupied_beds (mean) below the counterfactual, in whole wards",
                 "unit": extra.get("unit", ""), "unit_cost": c.value, "cost_year": c.cost_year,
                 f"unit_cost_{finance.price_year}": round(prices["ward_bed_day"], 2),
                 "source": extra.get("source", "")})
    return pd.DataFrame(rows)


def quantities(yearly_sums: Mapping[str, float], contacts_per_week: float) -> dict[str, float]:
    """Quantity of each costed item from a year's summed daily metrics.

    Args:
        yearly_sums: metric name -> sum of its daily values over the year.
        contacts_per_week: the scenario's ``community.case_management_contacts_per_week``.
    """
    missing = [m for m in FLOW_METRICS if m not in yearly_sums]
    if missing:
        raise KeyError(f"metrics needed for costing are missing: {missing}")
    return {item.name: item.count(yearly_sums, contacts_per_week) for item in COST_ITEMS}


def cost_lines(qty: Mapping[str, float], finance: FinanceParams) -> pd.DataFrame:
    """One row per item: sector, quantity, unit cost (price year) and cost = quantity x unit cost."""
    prices = unit_costs(finance)
    return pd.DataFrame([{"item": i.name, "sector": i.sector, "quantity": qty[i.name],
                          "unit_cost": prices[i.name], "cost": qty[i.name] * prices[i.name]}
                         for i in COST_ITEMS])


def yearly_sums(daily: pd.DataFrame) -> pd.DataFrame:
    """Sum daily model metrics by model year (year 0 is days 0-364).

    Args:
        daily: a frame indexed by day with one column per metric.
    """
    year = daily.index.to_numpy() // 365
    return daily.groupby(year).sum()


def admission_value(fp, short_share: float) -> float:
    """Average cost of an emergency admission at the price year, given the share of 0-1 day stays.

    This is what an avoided admission is worth in the appraisal; calibration-facts §8 item 10
    puts it at about £1,600-£2,900 (2016/17 prices) depending on the costing basis.

    Example:
        >>> from simulation.finance.params import FinanceParams
        >>> round(admission_value(FinanceParams(), short_share=1.0))
        792
    """
    p = unit_costs(fp)
    return short_share * p["nel_short_stay"] + (1 - short_share) * p["nel_long_stay"]
