"""Unit costs: which model activity each cost applies to, and uprating to one price year.

:data:`COST_ITEMS` is the one table that maps model activity to money. Each item names its sector
(hospital, community, primary, social care), the quantity it counts and the daily model metrics
the quantity is built from. Costs are activity x unit cost, except for block-funded capacity
(home-support places and community beds), which is paid per funded place-day whether occupied or
not. Activities the model does not represent (practice nurse appointments) are listed in
:data:`NOT_MODELLED` and carry no cost. Money that is not public (self-funders' fees, hospices'
charitable funds) has its own sectors (:data:`PRIVATE_SECTORS`).

Example:
    >>> from simulation.finance.params import FinanceParams
    >>> round(uprate(313.0, "2016/17", "2023/24", 0.03), 2)
    384.95
    >>> table = unit_cost_table(FinanceParams())
    >>> float(table.set_index("item").loc["ae_attendance", "unit_cost"])
    273.0
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from simulation.finance.prices import to_price_year
from simulation.finance_parameters import FinanceParams, financial_year_start
from simulation.levers import BUILT_IN
from simulation.parts import CostItem

__all__ = ["COST_ITEMS", "CORE_COST_ITEMS", "CostItem", "GP_CORE_ITEMS", "PRIVATE_SECTORS",
           "SECTORS", "cost_items", "sector_column",
           "cost_lines", "quantities", "unit_costs", "uprate"]

SECTORS = ("hospital", "community", "primary", "social care")
"""Spending sectors of public money (the capitated budget and the council's social care)."""

PRIVATE_SECTORS = ("self-funded", "charitable")
"""Spending that is not public: residents' own care-home fees and hospices' charitable funds.
The ledger reports them beside the sectors but leaves them out of spend and the appraisal."""

@dataclass(frozen=True)
class _Sum:
    """Counts one summed metric (picklable, unlike a lambda)."""

    metric: str

    def __call__(self, sums: Mapping[str, float], scenario) -> float:
        return float(sums[self.metric])


def _long_stays(sums: Mapping[str, float], scenario) -> float:
    return float(sums["emergency_admissions"]) - float(sums["short_stay_admissions"])


@dataclass(frozen=True)
class _Weeks:
    """Weeks of a stock metric (place-days / 7)."""

    metric: str

    def __call__(self, sums: Mapping[str, float], scenario) -> float:
        return float(sums[self.metric]) / 7.0


@dataclass(frozen=True)
class _HospiceShare:
    """Occupied hospice bed days, the NHS's share or the charitable rest."""

    nhs: bool

    def __call__(self, sums: Mapping[str, float], scenario) -> float:
        share = scenario.hospice.nhs_cost_share
        return float(sums["hospice_beds_occupied"]) * (share if self.nhs else 1 - share)


CORE_COST_ITEMS: tuple[CostItem, ...] = (
    CostItem("gp_appointment", "primary", "GP appointments met", "gp_appointments_met",
             _Sum("gp_appointments_met")),
    CostItem("ae_attendance", "hospital", "A&E attendances", "ae_attendances",
             _Sum("ae_attendances")),
    # NCC short-stay HRGs cover stays of 0-1 days, long-stay HRGs the rest
    CostItem("nel_short_stay", "hospital", "emergency admissions of 0-1 days",
             "short_stay_admissions", _Sum("short_stay_admissions")),
    CostItem("nel_long_stay", "hospital", "emergency admissions of 2 days or more",
             "emergency_admissions - short_stay_admissions", _long_stays),
    CostItem("excess_bed_day", "hospital", "delayed-discharge bed days",
             "delayed_discharge_bed_days", _Sum("delayed_discharge_bed_days")),
    CostItem("community_bed_day", "community", "funded community bed-days",
             "community_bed_capacity", _Sum("community_bed_capacity")),
    CostItem("home_support_place_day", "social care", "funded home-support place-days",
             "home_support_capacity", _Sum("home_support_capacity")),
    CostItem("care_home_week_council", "social care", "care-home weeks paid by the council",
             "care_home_residents_council / 7", _Weeks("care_home_residents_council")),
    CostItem("care_home_week_nhs_chc", "community", "care-home weeks paid by the NHS "
             "(continuing healthcare)", "care_home_residents_nhs_chc / 7",
             _Weeks("care_home_residents_nhs_chc")),
    CostItem("home_care_hour", "social care", "long-term home-care hours", "home_care_hours",
             _Sum("home_care_hours")),
    CostItem("hospice_bed_day", "community", "hospice bed days paid by the NHS",
             "hospice_beds_occupied x hospice.nhs_cost_share", _HospiceShare(True)),
    CostItem("care_home_week_self_funded", "self-funded", "care-home weeks paid by residents",
             "care_home_residents_self_funded / 7", _Weeks("care_home_residents_self_funded")),
    CostItem("hospice_bed_day_charitable", "charitable", "hospice bed days paid by charity",
             "hospice_beds_occupied x (1 - hospice.nhs_cost_share)", _HospiceShare(False),
             unit_cost="hospice_bed_day"),
)
"""Activity of the pathways and services (the community teams', care homes, home care and
hospices); each lever declares its own (``Lever.cost_items``). An item may appear once per sector
(a hospice bed day is part NHS, part charity)."""

GP_CORE_ITEMS = ("gp_appointment",)
"""Activity that GP practices' core contracts (GMS/PMS) pay for, per registered patient and not
per item. The appraisal values it as a resource; the LCO's account leaves it out and counts
instead ``finance.gp_core_per_head`` for the practices whose core sits in its budget
(:func:`simulation.finance.ledger.lco_cost_lines`)."""

ITEM_ORDER = ("gp_appointment", "ae_attendance", "nel_short_stay", "nel_long_stay",
              "excess_bed_day", "crisis_response", "case_management_contact", "community_bed_day",
              "social_prescribing_person_year", "care_home_week_nhs_chc", "hospice_bed_day",
              "home_support_place_day", "care_home_week_council", "home_care_hour",
              "care_home_week_self_funded")
"""The report's order of the built-in items (by sector); other items follow in part order."""


def cost_items(parts: Iterable = BUILT_IN) -> tuple[CostItem, ...]:
    """The core items and every part's own, in report order.

    Example:
        >>> [i.name for i in cost_items()][:3]
        ['gp_appointment', 'ae_attendance', 'nel_short_stay']
        >>> "end_of_life_support_person" in [i.name for i in cost_items()]  # a lever's own item
        True
    """
    items = list(CORE_COST_ITEMS)
    for part in parts:
        items.extend(getattr(part, "cost_items", ()))
    rank = {name: i for i, name in enumerate(ITEM_ORDER)}
    order = sorted(range(len(items)), key=lambda k: (rank.get(items[k].name, len(rank)), k))
    return tuple(items[k] for k in order)


COST_ITEMS = cost_items()
"""Every costed activity of the default model (built-in levers), in report order."""

FLOW_METRICS = ("gp_appointments_met", "ae_attendances", "emergency_admissions",
                "short_stay_admissions", "delayed_discharge_bed_days", "crisis_responses",
                "case_managed", "social_prescribed", "home_support_capacity",
                "community_bed_capacity", "occupied_beds", "care_home_residents_council",
                "care_home_residents_nhs_chc", "care_home_residents_self_funded",
                "home_care_hours", "hospice_beds_occupied")
"""Daily model metrics the default costing reads; each is summed over the days of a year."""


NOT_MODELLED = {
    "practice nurse appointment": "the model has no practice-nurse activity (£47 per working "
                                  "hour, PSSRU 2023 Table 9.3.1 [jones-2024])",
}
"""Activities with a published unit cost that the model does not represent, and why no cost."""


def sector_column(sector: str) -> str:
    """A sector's name as it appears in column names (``spend_<this>``).

    Example:
        >>> sector_column("social care"), sector_column("self-funded")
        ('social_care', 'self_funded')
    """
    return sector.replace(" ", "_").replace("-", "_")


def uprate(value: float, cost_year: str, price_year: str, inflation_per_year: float) -> float:
    """A cost in ``cost_year`` prices expressed in ``price_year`` prices at flat inflation.

    The finance uprates with the published index instead
    (:func:`simulation.finance.prices.to_price_year`); this flat form stays for a quick check.
    """
    years = financial_year_start(price_year) - financial_year_start(cost_year)
    return value * (1.0 + inflation_per_year) ** years


def unit_costs(finance: FinanceParams) -> dict[str, float]:
    """Every item's unit cost in the price year (plus ``ward_bed_day``), uprated by the index."""
    out = {}
    for name in type(finance.unit_costs).model_fields:
        c = getattr(finance.unit_costs, name)
        out[name] = to_price_year(c.value, c.cost_year, finance)
    return out


def unit_cost_table(finance: FinanceParams) -> pd.DataFrame:
    """The mapping table: item, sector, quantity, metric, cost, cost year and price-year cost.

    Each row also gives the source of its unit cost.
    """
    fields = type(finance.unit_costs).model_fields
    prices = unit_costs(finance)
    rows = []
    for item in COST_ITEMS:
        c = getattr(finance.unit_costs, item.price)
        extra = fields[item.price].json_schema_extra or {}
        rows.append({"item": item.name, "sector": item.sector, "quantity": item.quantity,
                     "model metric": item.metrics, "unit": extra.get("unit", ""),
                     "unit_cost": c.value, "cost_year": c.cost_year,
                     f"unit_cost_{finance.price_year}": round(prices[item.price], 2),
                     "source": extra.get("source", "")})
    c, extra = finance.unit_costs.ward_bed_day, fields["ward_bed_day"].json_schema_extra or {}
    rows.append({"item": "ward_bed_day", "sector": "hospital",
                 "quantity": "bed days of whole wards that could close (cash-releasing savings)",
                 "model metric": "occupied_beds (mean) below the counterfactual, in whole wards",
                 "unit": extra.get("unit", ""), "unit_cost": c.value, "cost_year": c.cost_year,
                 f"unit_cost_{finance.price_year}": round(prices["ward_bed_day"], 2),
                 "source": extra.get("source", "")})
    return pd.DataFrame(rows)


def quantities(yearly_sums: Mapping[str, float], scenario,
               items: Iterable[CostItem] = COST_ITEMS) -> dict[str, float]:
    """Quantity of each costed item from a year's summed daily metrics.

    Args:
        yearly_sums: metric name -> sum of its daily values over the year.
        scenario: the run's scenario (some quantities use its parameters).
        items: the costed items (default: the default model's).
    """
    try:
        return {item.name: item.count(yearly_sums, scenario) for item in items}
    except KeyError as exc:
        raise KeyError(f"metric needed for costing is missing: {exc}") from None


def cost_lines(qty: Mapping[str, float], finance: FinanceParams,
               items: Iterable[CostItem] = COST_ITEMS) -> pd.DataFrame:
    """One row per item: sector, quantity, unit cost (price year), cost = quantity x unit cost."""
    prices = unit_costs(finance)
    return pd.DataFrame([{"item": i.name, "sector": i.sector, "quantity": qty[i.name],
                          "unit_cost": prices[i.price], "cost": qty[i.name] * prices[i.price]}
                         for i in items])


def yearly_sums(daily: pd.DataFrame) -> pd.DataFrame:
    """Sum daily model metrics by model year (year 0 is days 0-364).

    Args:
        daily: a frame indexed by day with one column per metric.
    """
    year = daily.index.to_numpy() // 365
    return daily.groupby(year).sum()


def admission_value(fp, short_share: float) -> float:
    """Average cost of an emergency admission at the price year, given the share of 0-1 day stays.

    This is what an avoided admission is worth in the appraisal; published figures put it at about
    £1,600-£2,900 (2016/17 prices) depending on the costing basis ([hfma-2017]: £1,590 per
    non-elective episode; £17.0bn [steventon-2018] / 5.8m admissions [nao-2018] ≈ £2,900).

    Example:
        >>> from simulation.finance.params import FinanceParams
        >>> round(admission_value(FinanceParams(), short_share=1.0))
        792
    """
    p = unit_costs(fp)
    return short_share * p["nel_short_stay"] + (1 - short_share) * p["nel_long_stay"]
