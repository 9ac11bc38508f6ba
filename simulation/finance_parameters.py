"""Finance parameters: unit costs with their cost years, budget, investment, savings and appraisal.

Fields are declared with :func:`simulation.parameters.param`, like the scenario's, so the
documentation and the report's assumptions table read both alike; this module does not import
:mod:`simulation.scenario`, which includes :class:`FinanceParams`.

Sources are cited as "CF §n 'row item'" for a row of ``shared/reference/calibration-facts.md``.

Example:
    >>> fp = FinanceParams()
    >>> fp.unit_costs.ae_attendance.value, fp.unit_costs.ae_attendance.cost_year
    (273.0, '2023/24')
    >>> fp.price_year, fp.discount_rate
    ('2023/24', 0.035)
"""

from __future__ import annotations

import re

from pydantic import field_validator

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


class UnitCosts(Section):
    """Unit cost of each modelled activity (see :data:`simulation.finance.costs.COST_ITEMS`)."""

    gp_appointment: UnitCost = param(
        _cost(45.0, "2023/24"), "£ per consultation",
        "CF §4 'GP surgery consultation lasting 10 min': £45 with qualification costs, including "
        "direct care staff (PSSRU/CHE 2024 manual, Table 9.4.2)", "A GP appointment that was met.")
    ae_attendance: UnitCost = param(
        _cost(273.0, "2023/24"), "£ per attendance",
        "CF §4 'Non-elective inpatient stay, long stay / short stay' (2023/24): emergency care "
        "attendance £273 (PSSRU/CHE 2024 manual, Table 6.1.1; NCC 2023/24)", "An A&E attendance.")
    nel_short_stay: UnitCost = param(
        _cost(792.0, "2023/24"), "£ per episode",
        "CF §4 'Non-elective inpatient stay, long stay / short stay' (2023/24): short stay £792 "
        "(NCC 2023/24), whose short-stay HRGs cover stays of 0-1 days",
        "An emergency admission with a clinical stay of 0 or 1 day.")
    nel_long_stay: UnitCost = param(
        _cost(5134.0, "2023/24"), "£ per episode",
        "CF §4 'Non-elective inpatient stay, long stay / short stay' (2023/24): long stay £5,134 "
        "(NCC 2023/24); covers the clinical stay", "An emergency admission of 2 days or more.")
    excess_bed_day: UnitCost = param(
        _cost(313.0, "2016/17"), "£ per bed day",
        "CF §4 'Excess bed day': £313 (HFMA, reference costs 2016/17)",
        "A delayed-discharge bed day (a night spent medically fit, waiting for a place).")
    crisis_response: UnitCost = param(
        _cost(156.0, "2022/23"), "£ per response",
        "ASSUMPTION: 1.5 hours of a band 6 community nurse at ≈£104 per hour of direct care plus "
        "planning (CF §4 'Band 6 community nurse, per hour of patient contact (derived)')",
        "A 2-hour urgent community (crisis) response.")
    case_management_contact: UnitCost = param(
        _cost(104.0, "2022/23"), "£ per contact",
        "ASSUMPTION: 45 minutes of a band 7 nurse (community matron grade) at ≈£139 per hour of "
        "direct care plus planning (CF §4 'Band 7 / 8a nurse, per hour of patient contact "
        "(derived)')", "A case-management contact.")
    home_support_place_day: UnitCost = param(
        _cost(50.5, "2022/23"), "£ per funded place per day",
        "CF §4 'Reablement, cost per case' £1,743 (comprehensive services, PSSRU/CHE 2023 manual "
        "Table 10.7.1) / 34.5 days mean duration (CF §3 'Reablement duration')",
        "A funded reablement / home-support place for one day (paid whether occupied or not).")
    community_bed_day: UnitCost = param(
        _cost(175.0, "2017/18"), "£ per funded bed per day",
        "CF §4 'Intermediate care, bed-based' ≈£150-£200 per bed day (U placeholder, c.2017): "
        "midpoint; ASSUMPTION until verified", "A funded community (intermediate care) bed for one "
        "day (paid whether occupied or not).")
    social_prescribing_person_year: UnitCost = param(
        _cost(234.0, "2015/16"), "£ per referred person per year",
        "CF §3 'Social prescribing, Gloucestershire': £480k a year for 2,047 referrals (≈£234); "
        "ASSUMPTION: one referral costs one person-year of link-worker support",
        "Link-worker support for a person referred to social prescribing, per year.")
    care_home_week_council: UnitCost = param(
        _cost(954.0, "2023/24"), "£ per resident week",
        "NHS England Digital, Adult Social Care Activity and Finance Report, England 2023-24, "
        "Table 52: councils' gross weekly cost for clients aged 65+, residential £916 and nursing "
        "£1,026 (as quoted by nursinghomefees.co.uk/methodology); weighted 978:521 by "
        "Manchester's council-funded residential and nursing placements (CF §3)",
        "A week in a care home paid by the council.")
    care_home_week_self_funded: UnitCost = param(
        _cost(1345.0, "2023/24"), "£ per resident week",
        "The council fee (above) plus 41%: self-funders pay on average about 41% more than "
        "councils for the same care in the same home (CMA, Care homes market study, final report "
        "2017)",
        "A week in a care home paid by the resident (not public spend).")
    care_home_week_nhs_chc: UnitCost = param(
        _cost(1329.0, "2022/23"), "£ per resident week",
        "CF §4 'Private sector care homes, age 65+': nursing home £1,329 per week (PSSRU/CHE 2023 "
        "manual, Table 1.1.1); ASSUMPTION: NHS continuing healthcare pays the private nursing fee",
        "A week in a care home paid by the NHS (continuing healthcare, end-of-life placements).")
    home_care_hour: UnitCost = param(
        _cost(28.53, "2024/25"), "£ per hour",
        "CF §4 'Homecare, minimum sustainable price': £28.53 per hour (UKHCA, 2024/25); "
        "ASSUMPTION: councils pay this price",
        "An hour of long-term home care paid by the council.")
    hospice_bed_day: UnitCost = param(
        _cost(450.0, "2023/24"), "£ per occupied bed day",
        "ASSUMPTION: specialist palliative inpatient care costs about 2.5 times a bed-based "
        "intermediate-care day (CF §4 ≈£150-£200, a U placeholder); no published hospice bed-day "
        "cost was found", "A day in a hospice bed (the NHS pays hospice.nhs_cost_share of it).")
    enhanced_care_home_resident_year: UnitCost = param(
        _cost(400.0, "2023/24"), "£ per covered resident per year",
        "ASSUMPTION: a weekly GP home round and MDT review plus a share of a care-home support "
        "team; no published unit cost was found", "A year of enhanced health in care homes for "
        "one resident.")
    end_of_life_support_person: UnitCost = param(
        _cost(1340.0, "2022/23"), "£ per person supported",
        "ASSUMPTION: an advance care plan (two GP consultations, 2 x £45, CF §4 'GP surgery "
        "consultation') and about 12 community palliative contacts over the last months (12 x "
        "£104, the band 7 contact of case_management_contact)",
        "Advance care planning and community palliative support for one person in their last "
        "months.")
    ward_bed_day: UnitCost = param(
        _cost(313.0, "2016/17"), "£ per bed day",
        "ASSUMPTION: the cost released per bed day of a closed ward equals the excess bed day "
        "reference cost (CF §4 'Excess bed day' £313, 2016/17)",
        "Cash released for each bed day of a ward that closes.")


class FinanceParams(Section):
    """Budget, unit costs, investment, savings, reinvestment and appraisal conventions."""

    price_year: str = param("2023/24", "financial year", "ASSUMPTION: the latest PSSRU manual "
                            "year in CF §4", "Price year every cost is uprated to.")
    inflation_per_year: float = param(
        0.03, "relative per year", "ASSUMPTION: CF §4 asks for the PSSRU inflation indices, which "
        "are not in calibration-facts.md; a flat rate stands in (check against the PSSRU pay and "
        "prices index)", "Cost inflation used to uprate unit costs from their cost year.",
        ge=-0.1, le=0.3)
    unit_costs: UnitCosts = UnitCosts()
    budget_per_head: UnitCost = param(
        _cost(1000.0, "2018/19"), "£ per resident per year",
        "AREA: from the scenario's area file (simulation/areas/), which cites each value; this "
        "default (≈£1,000, 2018/19 prices) applies only when no area is involved",
        "The LCO's capitated budget per registered person.")
    budget_real_growth_per_year: float = param(
        0.01, "relative per year", "ASSUMPTION: modest real growth of the allocation",
        "Real growth of the capitated budget per head.", ge=-0.1, le=0.2)
    transformation_cost_per_head: UnitCost = param(
        _cost(161.0, "2016/17"), "£ per resident (one-off, full integration)",
        "CF §6 'Greater Manchester': £450m transformation fund for 2.8m people (≈£161 per head)",
        "One-off cost of transformation at full integration, spread over ``transformation_years``.")
    transformation_years: int = param(3, "years", "ASSUMPTION", "Years over which the one-off "
                                      "transformation cost is spent, from year 1.", ge=1, le=10)
    double_running_per_head_year: UnitCost = param(
        _cost(20.0, "2023/24"), "£ per resident per year (full integration)",
        "ASSUMPTION: running new community services alongside unchanged hospital capacity before "
        "any ward closes", "Double-running cost per head per year at full integration.")
    double_running_years: int = param(2, "years", "ASSUMPTION", "Years of double running, from "
                                      "year 1.", ge=0, le=10)
    ward_size: int = param(28, "beds", "ASSUMPTION: a typical general and acute ward",
                           "Beds in a ward; savings are cash-releasing only in whole wards "
                           "(scaled by run.scale).", ge=1, le=200)
    reference_growth_per_year: float = param(
        0.003, "relative per year", "CF §8 item 1: emergency bed days grow about 0.3% a year "
        "without integration", "The contract's reference: occupied beds of year 1 grown at this "
        "rate; in-run savings are measured against it.", ge=-0.1, le=0.2)
    reinvestment_share: float = param(
        0.5, "share", "ASSUMPTION: shared savings split evenly between the acute trust and the LCO "
        "(DOMAIN.md: 'what we save ... comes in to the same organisation')",
        "Share of cash-releasing savings reinvested in community home-support capacity.",
        ge=0.0, le=1.0)
    reinvestment_lag_years: int = param(1, "years", "ASSUMPTION: a year's savings are known and "
                                        "reallocated at the year end", "Years between a saving "
                                        "and the capacity it buys.", ge=1, le=10)
    discount_rate: float = param(
        0.035, "per year", "CF §7 'Green Book discount rate': 3.5% real for years 0-30",
        "Discount rate for costs and benefits.", ge=0.0, le=0.2)
    health_discount_rate: float = param(
        0.015, "per year", "CF §7 'Discount rate for health and life values': 1.5%",
        "Discount rate for health effects valued in QALYs (the model values none at present).",
        ge=0.0, le=0.2)
    optimism_bias: float = param(
        0.41, "relative uplift on costs", "CF §7 'Optimism bias': opex uplift 41% (HMT/Mott "
        "MacDonald, standard projects)", "Uplift applied to incremental costs in the appraisal.",
        ge=0.0, le=2.0)

    @field_validator("price_year")
    @classmethod
    def _price_year(cls, v: str) -> str:
        financial_year_start(v)
        return v
