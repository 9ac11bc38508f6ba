"""Finance parameters: unit costs with their cost years, budget, investment, savings and appraisal.

Fields are declared with :func:`simulation.parameters.param`, like the scenario's, so the
documentation and the report's assumptions table read both alike; this module does not import
:mod:`simulation.scenario`, which includes :class:`FinanceParams`.

Sources are cited by key, e.g. ``[jones-2025]``; full citations in :mod:`simulation.references`.

Example:
    >>> fp = FinanceParams()
    >>> fp.unit_costs.ae_attendance.value, fp.unit_costs.ae_attendance.cost_year
    (273.0, '2023/24')
    >>> fp.price_year, fp.discount_rate
    ('2023/24', 0.035)
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import field_validator, model_validator

from simulation.parameters import Section, param

_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def financial_year_start(text: str) -> int:
    """The calendar year a financial year such as ``'2023/24'`` starts in.

    Example:
        >>> financial_year_start("2016/17")
        2016
    """
    m = _YEAR.match(text)
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise ValueError(f"a financial year must look like 2023/24, got {text!r}")
    return int(m.group(1))


class UnitCost(Section):
    """One unit cost and the financial year its prices refer to."""

    value: float = param(0.0, "£", "-", "Cost per unit of activity, in cost-year prices.",
                         ge=0.0, le=1e6)
    cost_year: str = param("2023/24", "financial year", "-", "Price year of ``value``.")

    @field_validator("cost_year")
    @classmethod
    def _year(cls, v: str) -> str:
        financial_year_start(v)
        return v


def _cost(value: float, year: str) -> UnitCost:
    return UnitCost(value=value, cost_year=year)


class ProgrammeCost(UnitCost):
    """A programme cost estimate (not simulated activity): a central value, a range and a category.

    The range and ``distribution`` are what a probabilistic sensitivity analysis samples
    (:func:`simulation.finance.programme.sample`); the ``category`` names the optimism-bias
    category of the risk register (:mod:`simulation.finance.optimism`) whose upper bound and
    mitigation apply to it.
    """

    low: float = param(0.0, "£", "-", "Low end of the range, cost-year prices.", ge=0.0, le=1e6)
    high: float = param(0.0, "£", "-", "High end of the range, cost-year prices.", ge=0.0,
                        le=1e6)
    distribution: Literal["triangular", "uniform"] = param(
        "triangular", "-", "-", "Distribution over [low, high] (triangular: mode at the central "
        "value).")
    category: str = param("operating_expenditure", "-", "-", "Optimism-bias category of the risk "
                          "register that applies to this cost.")
    source: str = param("", "-", "-", "Where the central value and the range come from.")

    @model_validator(mode="after")
    def _range(self) -> ProgrammeCost:
        if not self.low <= self.value <= self.high:
            raise ValueError(f"a programme cost needs low <= value <= high, got low {self.low}, "
                             f"value {self.value}, high {self.high}")
        return self


PROGRAMME_SOURCES = {
    "transformation": (
        "New-care-model vanguards' national transformation funding per resident, for the three "
        "years it was paid (2015/16 to 2017/18 [hsj-vanguard-funding-end-2016]): central "
        "Northumberland PACS, £8.6m in 2015/16 [hsj-transformation-fund-2016] for >320,000 "
        "residents [health-foundation-iau-northumberland-nd] = £26.9 a year, x3 = £80.6; low "
        "Dudley MCP, £4.4m approved for 2016/17 [hsj-vanguard-shortfall-2016] for 318,492 "
        "people [hsj-vanguards-2018] = £13.8 a year, x3 = £41.4; high Northumberland with the "
        "local resources it matched (£10.9m) [hsj-transformation-fund-2016] = £60.9 a year, x3 "
        "= £182.8 (above Greater Manchester's £450m fund for 2.8m people, £161, which paid for "
        "all its programmes [gmhsc-devolution-nd])"),
    "double_running": (
        "Vanguards' own resources matched to their transformation funding, which paid for new "
        "services run alongside the old: Northumberland PACS £10.9m in 2015/16 "
        "[hsj-transformation-fund-2016] for >320,000 residents "
        "[health-foundation-iau-northumberland-nd] = £34.1 a year (high); Isle of Wight PACS "
        "£0.01m (low, ≈£0) [hsj-transformation-fund-2016]; ASSUMPTION: the central value is the "
        "midpoint, £17 a year"),
}
"""Sources of the default programme costs (an area file may state its own)."""


class UnitCosts(Section):
    """Unit cost of each modelled activity (see :data:`simulation.finance.costs.COST_ITEMS`)."""

    gp_appointment: UnitCost = param(
        _cost(45.0, "2023/24"), "£ per consultation",
        "GP surgery consultation lasting 10 min: £45 with qualification costs, including "
        "direct care staff (PSSRU/CHE 2024 manual, Table 9.4.2) [jones-2025]",
        "A GP appointment that was met.")
    ae_attendance: UnitCost = param(
        _cost(273.0, "2023/24"), "£ per attendance",
        "Emergency care (A&E) attendance £273 in 2023/24 (PSSRU/CHE 2024 manual, Table 6.1.1, "
        "from the National Cost Collection 2023/24) [jones-2025]", "An A&E attendance.")
    nel_short_stay: UnitCost = param(
        _cost(792.0, "2023/24"), "£ per episode",
        "Non-elective inpatient short stay £792 in 2023/24 (NCC 2023/24, Table 6.1.1) "
        "[jones-2025], whose short-stay HRGs cover stays of 0-1 days",
        "An emergency admission with a clinical stay of 0 or 1 day.")
    nel_long_stay: UnitCost = param(
        _cost(5134.0, "2023/24"), "£ per episode",
        "Non-elective inpatient long stay £5,134 in 2023/24 (NCC 2023/24, Table 6.1.1) "
        "[jones-2025]; covers the clinical stay", "An emergency admission of 2 days or more.")
    excess_bed_day: UnitCost = param(
        _cost(313.0, "2016/17"), "£ per bed day",
        "Excess bed day: £313 (reference costs 2016/17) [hfma-2017]",
        "A delayed-discharge bed day (a night spent medically fit, waiting for a place).")
    crisis_response: UnitCost = param(
        _cost(156.0, "2022/23"), "£ per response",
        "ASSUMPTION: 1.5 hours of a band 6 community nurse at ≈£104 per hour of direct care plus "
        "planning (derived: £57 per working hour / 0.55, the share spent on direct care and "
        "planning; PSSRU/CHE 2023 manual, Table 9.2.1 and section 9.1) [jones-2024]",
        "A 2-hour urgent community (crisis) response.")
    case_management_contact: UnitCost = param(
        _cost(104.0, "2022/23"), "£ per contact",
        "ASSUMPTION: 45 minutes of a band 7 nurse (community matron grade) at ≈£139 per hour of "
        "direct care plus planning (derived: £68 per working hour / 0.49; PSSRU/CHE 2023 manual, "
        "Table 9.2.1 and section 9.1) [jones-2024]", "A case-management contact.")
    home_support_place_day: UnitCost = param(
        _cost(50.5, "2022/23"), "£ per funded place per day",
        "Reablement cost per case £1,743 (comprehensive services, PSSRU/CHE 2023 manual "
        "Table 10.7.1) / 34.5 days mean duration (section 10.7) [jones-2024]",
        "A funded reablement / home-support place for one day (paid whether occupied or not).")
    community_bed_day: UnitCost = param(
        _cost(175.0, "2017/18"), "£ per funded bed per day",
        "Bed-based intermediate care ≈£150-£200 per bed day (c.2017): an unverified placeholder "
        "recalled from NAIC benchmarking, no source found; midpoint; ASSUMPTION until verified",
        "A funded community (intermediate care) bed for one "
        "day (paid whether occupied or not).")
    social_prescribing_person_year: UnitCost = param(
        _cost(234.0, "2015/16"), "£ per referred person per year",
        "Social prescribing, Gloucestershire: £480k a year for 2,047 referrals (≈£234) "
        "[kimberlee-2016]; "
        "ASSUMPTION: one referral costs one person-year of link-worker support",
        "Link-worker support for a person referred to social prescribing, per year.")
    care_home_week_council: UnitCost = param(
        _cost(954.0, "2023/24"), "£ per resident week",
        "Councils' gross weekly cost for clients aged 65+, residential £916 and nursing £1,026 "
        "(2023-24, Table 52) [nhs-digital-ascfr-2024]; weighted 978:521 by Manchester's "
        "council-funded residential and nursing placements [manchester-cc-budget-2022]",
        "A week in a care home paid by the council.")
    care_home_week_self_funded: UnitCost = param(
        _cost(1345.0, "2023/24"), "£ per resident week",
        "The council fee (above) plus 41%: self-funders pay on average about 41% more than "
        "councils for the same care in the same home [cma-care-homes-2017]",
        "A week in a care home paid by the resident (not public spend).")
    care_home_week_nhs_chc: UnitCost = param(
        _cost(1329.0, "2022/23"), "£ per resident week",
        "Private nursing home £1,329 per week, 2022/23 (Table 1.1.1) [jones-2024]; "
        " ASSUMPTION: NHS continuing healthcare pays the private nursing fee",
        "A week in a care home paid by the NHS (continuing healthcare, end-of-life placements).")
    home_care_hour: UnitCost = param(
        _cost(28.53, "2024/25"), "£ per hour",
        "Minimum Price for Homecare in England £28.53 per hour from April 2024 "
        "[homecare-association-2023]; "
        "ASSUMPTION: councils pay this price",
        "An hour of long-term home care paid by the council.")
    hospice_bed_day: UnitCost = param(
        _cost(450.0, "2023/24"), "£ per occupied bed day",
        "ASSUMPTION: specialist palliative inpatient care costs about 2.5 times a bed-based "
        "intermediate-care day (≈£150-£200, itself an unverified placeholder); no "
        "published hospice bed-day cost was found", "A day in a hospice bed (the NHS pays "
        "hospice.nhs_cost_share of it).")
    enhanced_care_home_resident_year: UnitCost = param(
        _cost(400.0, "2023/24"), "£ per covered resident per year",
        "ASSUMPTION: a weekly GP home round and MDT review plus a share of a care-home support "
        "team; no published unit cost was found", "A year of enhanced health in care homes for "
        "one resident.")
    end_of_life_support_person: UnitCost = param(
        _cost(1340.0, "2022/23"), "£ per person supported",
        "ASSUMPTION: an advance care plan (two GP consultations, 2 x £45 [jones-2025]) and about "
        "12 community palliative contacts over the last months (12 x "
        "£104, the band 7 contact of case_management_contact)",
        "Advance care planning and community palliative support for one person in their last "
        "months.")
    ward_bed_day: UnitCost = param(
        _cost(313.0, "2016/17"), "£ per bed day",
        "ASSUMPTION: the cost released per bed day of a closed ward equals the excess bed day "
        "reference cost (£313, 2016/17 [hfma-2017])",
        "Cash released for each bed day of a ward that closes.")


class FinanceParams(Section):
    """Budget, unit costs, investment, savings, reinvestment and appraisal conventions."""

    price_year: str = param("2023/24", "financial year", "ASSUMPTION: the price year of the "
                            "latest PSSRU manual cited [jones-2025]",
                            "Price base year: every cost is uprated to its prices (real terms).")
    present_value_year: str = param(
        "", "financial year", "Green Book: state the price base and the present-value "
        "year; here they are one year [hm-treasury-green-book-2022]",
        "Year the appraisal discounts to: its year 0 ('' = ``price_year``, which it must "
        "equal: the appraisal is of the options as if they started in the price base year; "
        "the run's "
        "calendar, run.start_date, sets only demography and the contract).")
    price_index: Literal["nhscii_pay_and_prices", "flat"] = param(
        "nhscii_pay_and_prices", "-", "NHS Cost Inflation Index, pay and prices, from the PSSRU/"
        "CHE 2025 manual [jones-2026] (simulation/data/finance/price_index.toml)",
        "Index used to uprate costs from their cost year to the price year ('flat' = "
        "``inflation_per_year`` throughout).")
    inflation_per_year: float = param(
        0.03, "relative per year", "ASSUMPTION: used only outside the years the price index "
        "covers (2014/15-2024/25), or when price_index = 'flat'",
        "Flat cost inflation extending the price index beyond its years.",
        ge=-0.1, le=0.3)
    unit_costs: UnitCosts = UnitCosts()
    budget_per_head: UnitCost = param(
        _cost(1000.0, "2018/19"), "£ per resident per year",
        "AREA: from the scenario's area file (simulation/areas/), which cites each value; this "
        "default (≈£1,000, 2018/19 prices) applies only when no area is involved",
        "The LCO's capitated budget per registered person.")
    gp_core_per_head: UnitCost = param(
        _cost(155.46, "2019/20"), "£ per registered patient per year",
        "NHS Payments to General Practice, England 2019/20: £155.46 per registered patient "
        "(GMS £155.17, PMS £154.63; £154.81 in 2018/19) [nhs-digital-payments-gp-2020]. It "
        "includes QOF, enhanced services, premises and dispensing fees; range ≈£112 (global sum, "
        "PMS balance, QOF and premises only: £6.85bn over ≈61m patients, same report, derived) "
        "to £163.65 (2021/22) [mip-payments-gp-2022]",
        "What a practice's GP core services (its GMS/PMS contract) cost per registered patient: "
        "for practices whose core sits inside the LCO's budget (integration.contracts."
        "gp_core_scope) it is added to the budget and to primary-care spend alike.")
    savings_share_lco: float = param(
        0.5, "share of cash-releasing savings",
        "AREA: from the scenario's area file (simulation/areas/), which cites it; this default "
        "applies only when no area sets it. ASSUMPTION (range 0.25-0.75): "
        "[pulse-manchester-gp-contract-2015] says savings made in primary and secondary care "
        "are to be shared, with no split published",
        "Share of the savings from reduced hospital activity (cash-releasing savings) that comes "
        "to the LCO (its community services and the primary care inside its budget); the acute "
        "sector keeps the rest.", ge=0.0, le=1.0)
    budget_real_growth_per_year: float = param(
        0.01, "relative per year", "ASSUMPTION: modest real growth of the allocation",
        "Real growth of the capitated budget per head.", ge=-0.1, le=0.2)
    transformation_cost_per_head: ProgrammeCost = param(
        ProgrammeCost(value=80.6, cost_year="2015/16", low=41.4, high=182.8,
                      source=PROGRAMME_SOURCES["transformation"]),
        "£ per resident (one-off, full integration)", PROGRAMME_SOURCES["transformation"],
        "One-off cost of transformation at full integration, spread over ``transformation_years``"
        " (an area file may state its own: ``[programme_costs]``).")
    transformation_years: int = param(
        3, "years", "Vanguards were funded for three years, 2015/16 to 2017/18 "
        "[hsj-vanguard-funding-end-2016]", "Years over which the one-off transformation cost is "
        "spent, from year 1.", ge=1, le=10)
    double_running_per_head_year: ProgrammeCost = param(
        ProgrammeCost(value=17.0, cost_year="2015/16", low=0.0, high=34.1,
                      source=PROGRAMME_SOURCES["double_running"]),
        "£ per resident per year (full integration)", PROGRAMME_SOURCES["double_running"],
        "Double-running cost per head per year at full integration (an area file may state its "
        "own).")
    double_running_years: int = param(2, "years", "ASSUMPTION (range 1-3)", "Years of double "
                                      "running, from year 1.", ge=0, le=10)
    ward_size: int = param(28, "beds", "ASSUMPTION: a typical general and acute ward",
                           "Beds in a ward; savings are cash-releasing only in whole wards "
                           "(scaled by run.scale).", ge=1, le=200)
    reference_growth_per_year: float = param(
        0.003, "relative per year", "Emergency bed days grow about 0.3% a year without "
        "integration [steventon-2018]",
        "The contract's reference: occupied beds of year 1 grown at this "
        "rate; in-run savings are measured against it.", ge=-0.1, le=0.2)
    reinvestment_share: float = param(
        0.5, "share", "ASSUMPTION: shared savings split evenly between the acute trust and the LCO "
        "('what we save ... comes in to the same organisation' "
        "[pulse-manchester-gp-contract-2015])",
        "Share of cash-releasing savings reinvested in community home-support capacity (out of "
        "the LCO's share, savings_share_lco; a larger share is topped up from its budget).",
        ge=0.0, le=1.0)
    reinvestment_lag_years: int = param(1, "years", "ASSUMPTION: a year's savings are known and "
                                        "reallocated at the year end", "Years between a saving "
                                        "and the capacity it buys.", ge=1, le=10)
    discount_rate: float = param(
        0.035, "per year", "Green Book discount rate: 3.5% real for years 0-30 "
        "[hm-treasury-discounting-2025]",
        "Discount rate for costs and benefits.", ge=0.0, le=0.2)
    health_discount_rate: float = param(
        0.015, "per year", "Discount rate for health and life values: 1.5% "
        "[hm-treasury-green-book-2022]",
        "Discount rate for health effects valued in QALYs (the model values none at present).",
        ge=0.0, le=0.2)
    optimism_bias: float | None = param(
        None, "relative uplift on programme costs", "None: each programme cost's category in the "
        "risk register sets it, from the category's upper bound less mitigation "
        "[hm-treasury-optimism-bias-2003]",
        "One optimism-bias rate for every programme cost, overriding the risk register (for "
        "sensitivity analysis); never applied to simulated activity.", ge=0.0, le=2.0)
    risk_register: str = param(
        "", "path", "'' = the register shipped with lco-sim "
        "(simulation/data/finance/risk_register.toml)",
        "A TOML risk register (optimism-bias categories, their upper and lower bounds, and the "
        "risks whose mitigation reduces them); a planner edits a copy and names it here.")
    hospital_marginal_share: float = param(
        0.3, "share of average unit cost", "The marginal rate emergency tariff paid providers "
        "30% of tariff for emergency activity above the 2008/09 baseline [hfma-mret-2013]; "
        "ASSUMPTION that it approximates the short-run cost avoided when activity falls while "
        "wards stay open (range 0.3-1.0; 1.0 = average cost, the sensitivity)",
        "Share of the average (reference) cost of hospital activity that avoiding it releases "
        "as economic value (freed capacity).", ge=0.0, le=1.0)
    ward_min_years: int = param(
        2, "years", "ASSUMPTION (range 1-3): a trust closes a ward only after the freed beds "
        "have persisted; a closed ward releases about £220 a bed day [edge-health-beds-2017]",
        "Consecutive years the freed beds must persist before a ward closes.", ge=1, le=10)
    ward_closure_lag_years: int = param(
        1, "years", "ASSUMPTION (range 0-2): consultation, staff redeployment and the decision "
        "take time", "Years from the evidence of persistent freed beds to the ward's closure "
        "(cash is released only from then, and only while the beds stay freed).", ge=0, le=10)

    @field_validator("price_year", "present_value_year")
    @classmethod
    def _price_year(cls, v: str) -> str:
        if v:
            financial_year_start(v)
        return v

    @property
    def pv_year(self) -> str:
        """The present-value year (the price base year unless stated)."""
        return self.present_value_year or self.price_year

    @model_validator(mode="after")
    def _aligned(self) -> FinanceParams:
        if self.present_value_year and self.present_value_year != self.price_year:
            raise ValueError(f"present_value_year {self.present_value_year!r} must equal "
                             f"price_year {self.price_year!r}: the appraisal discounts to its "
                             "price base year")
        return self
