"""The scenario: every model parameter, declared once with its unit, default and source.

A :class:`Scenario` is a frozen, validated pydantic object. Unknown keys, wrong types and values
out of range are refused with :class:`ScenarioError`, whose message names the field, the value given
and what is allowed, on one line.

Sources are cited as "CF §n" for a row of ``shared/reference/calibration-facts.md`` (section n),
with the row's item name. Values with no published source say ``ASSUMPTION`` and are exposed here so
that users can vary them; values tuned so that the baseline reproduces a validation target say
``CALIBRATED`` and name the target.

Example:
    >>> s = Scenario.preset("partial", scale=0.01, years=2)
    >>> s.integration.level, s.run.years, s.population.registered_patients
    ('partial', 2, 600000)
    >>> s.with_overrides({"community.crisis_response_per_100k_day": 5.0}).community.crisis_response_per_100k_day
    5.0
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError, field_validator, model_validator

from simulation.finance.params import FinanceParams
from simulation.parameters import Section, param

INTEGRATION_LEVELS = ("none", "virtual", "partial", "full")
"""The MCP framework's contract options, from not integrated to fully integrated (DOMAIN.md)."""

PRACTICE_STATUS = {"none": 0, "virtual": 1, "partial": 2, "full": 3}
"""A practice's integration status as an integer; the level names the highest status practices may adopt."""

LOCALITIES = ("North", "Central", "South")
"""Manchester's three localities, each of four neighbourhoods (CF §6, 'Neighbourhoods')."""


class ScenarioError(ValueError):
    """A scenario or experiment input that cannot be used; the message is one plain line."""


AgeTable = dict[int, float]
"""A piecewise-constant function of age: keys are the lower bound of each band in years, from 0."""


def _check_age_table(table: dict[int, float], name: str, upper: float | None = None) -> dict:
    keys = list(table)
    if not keys or keys[0] != 0 or keys != sorted(keys) or len(set(keys)) != len(keys):
        raise ValueError(f"{name} must have ascending age keys starting at 0, got {keys}")
    if any(k < 0 or k > 110 for k in keys):
        raise ValueError(f"{name} age keys must lie in 0..110, got {keys}")
    for k, v in table.items():
        if v < 0 or (upper is not None and v > upper):
            allowed = f"0..{upper}" if upper is not None else ">= 0"
            raise ValueError(f"{name}[{k}] = {v} is outside {allowed}")
    return table


START_YEARS = (1990, 2100)
"""Allowed years of ``run.start_date``: the demography and costs are of England around 2018, so
a start decades away means nothing, and with the warm-up and up to 30 years the calendar stays
well inside pandas' timestamp range (1677..2262)."""

MIN_PATIENTS_PER_NEIGHBOURHOOD = 100
"""Smallest population per neighbourhood for a meaningful run: below about 100 patients a
neighbourhood's single practice sees only a few requests a day and one patient's admission moves
its rates by whole per cents, so the breakdowns and levers stop meaning anything."""


class RunParams(Section):
    """How long and how large a run is."""

    years: int = param(10, "years", "MLCO contract length, 10 years (CF §6, 'MLCO contract')",
                       "Horizon in years; the model steps one day at a time.", ge=1, le=30)
    scale: float = param(1.0, "fraction", "ASSUMPTION (run-time convenience)",
                         "Shrinks the population and every capacity together for quick runs.",
                         gt=0.0, le=2.0)
    warmup_days: int = param(
        120, "days", "ASSUMPTION: about 3.5x the longest mean service time (home support, 34.5 "
        "days) so beds and community places are filled when recording starts (STRESS 4.1)",
        "Days simulated before day 0 and left out of the results; levers stay off.", ge=0, le=3650)
    start_date: str = param("2018-04-01", "ISO date",
                            "MLCO took over services from April 2018 (CF §6, 'MLCO contract')",
                            "Calendar date of day 0 (after the warm-up); sets the season.")

    @field_validator("start_date")
    @classmethod
    def _iso_date(cls, v: str) -> str:
        import datetime as _dt

        try:
            day0 = _dt.date.fromisoformat(v)
        except ValueError as exc:
            raise ValueError(f"start_date must be an ISO date like 2018-04-01, got {v!r}") from exc
        if not START_YEARS[0] <= day0.year <= START_YEARS[1]:
            raise ValueError(f"start_date {v} is out of range; allowed years "
                             f"{START_YEARS[0]}..{START_YEARS[1]}")
        return v


class PopulationParams(Section):
    """The registered population, its places and its demography."""

    registered_patients: int = param(
        600_000, "patients",
        "CF §6 'Note on the ~600,000 figure' and seed 000: the LCO covers 600,000 registered patients",
        "GP-registered population at day 0 (before scale).", gt=0, le=5_000_000)
    neighbourhood_weights: list[float] = param(
        [0.95, 1.10, 0.90, 1.05, 1.00, 1.15, 0.85, 1.00, 0.90, 1.05, 0.95, 1.10], "relative size",
        "CF §6 'Neighbourhoods': 12 teams of 30,000-50,000. ASSUMPTION: the spread; the mean is "
        "50,000 because the registered list exceeds the resident estimate",
        "Relative population of each neighbourhood; four per locality (North, Central, South).",
        min_length=3, each_gt=0.0)
    practices: int = param(91, "practices", "CF §6 'GP practices in Manchester': 91",
                           "Number of GP practices.", ge=1, le=2000)
    practice_list_sigma: float = param(
        0.35, "log-sd", "ASSUMPTION: spread of list sizes around the mean (England mean 8,727, CF §6)",
        "Log-normal spread of practice list sizes.", ge=0.0, le=2.0)
    age_shares: AgeTable = param(
        {0: 0.013, 1: 0.052, 5: 0.062, 10: 0.058, 15: 0.080, 20: 0.205, 30: 0.172, 40: 0.124,
         50: 0.128, 65: 0.058, 75: 0.034, 85: 0.010, 90: 0.004},
        "share of population",
        "CF §6: Manchester median age 31 (Census 2021), youngest outside London; 50-64 is 12.8% "
        "(2018); GM 65+ projected +44% and 85+ +81% by 2028 (ageing, not shrinking). ASSUMPTION: the "
        "remaining band split (65+ about 10.6%, 85+ 1.4%), chosen to meet those facts",
        "Initial age distribution; ages are spread uniformly within each band (upper band to 100).")
    female_share: float = param(0.5, "share", "ASSUMPTION (ONS sex ratio close to 1)",
                                "Share of patients who are female.", ge=0.0, le=1.0)
    deprivation_by_locality: dict[str, list[float]] = param(
        {"North": [0.70, 0.17, 0.07, 0.04, 0.02], "Central": [0.60, 0.20, 0.10, 0.07, 0.03],
         "South": [0.42, 0.22, 0.16, 0.12, 0.08]},
        "share in IMD quintile 1 (most deprived) .. 5",
        "CF §6 'Deprivation (IMD 2019)': 43% of LSOAs in England's most deprived decile, none in "
        "the least deprived decile; CF §6 CQC review and North Manchester site note (North most "
        "deprived). ASSUMPTION: the exact split",
        "Deprivation mix of each locality.")
    births_per_1000: float = param(
        14.0, "births per 1,000 per year",
        "ASSUMPTION: approximates ONS births for Manchester (not in calibration-facts); with "
        "deaths it reproduces growth of ~0.7%/yr (CF §6, 541,263 in 2016 to 552,858 in 2019)",
        "Crude birth rate; births are registered with a practice of their mother's neighbourhood.",
        ge=0.0, le=60.0)
    net_migration_per_1000: float = param(
        0.0, "arrivals per 1,000 per year",
        "ASSUMPTION: natural growth alone matches the published growth (see births_per_1000)",
        "Net arrivals of adults aged 18-34 (students and young workers) per year.",
        ge=0.0, le=50.0)
    mortality_gompertz_a: float = param(
        2.9e-5, "per year", "ASSUMPTION: Gompertz fit to ONS national life tables 2017-19 "
        "(annual risk ~0.12% at 40 and ~5% at 80), from memory",
        "Gompertz level: annual death hazard at age a is a*exp(b*a) before the local excess.",
        gt=0.0, le=1e-2)
    mortality_gompertz_b: float = param(0.0933, "per year of age", "ASSUMPTION: as above",
                                        "Gompertz slope.", gt=0.0, le=0.2)
    infant_mortality: float = param(0.0045, "per year", "ASSUMPTION: England infant mortality "
                                    "~4 per 1,000 live births, from memory",
                                    "Annual death hazard in the first year of life.",
                                    ge=0.0, le=0.1)
    mortality_local_excess: float = param(
        1.15, "ratio", "CF §6 'Life expectancy': Manchester men die 4 years and women 3 years "
        "earlier than the England average; ASSUMPTION: the ratio that gives that gap",
        "Multiplier on national mortality for this population.", ge=0.5, le=3.0)
    mortality_rr_by_tier: list[float] = param(
        [1.0, 1.3, 1.92, 3.8], "hazard ratio vs tier 0",
        "CF §1f 'eFI hazard ratios': mortality 1.92 / 3.10 / 4.52 (mild / moderate / severe). "
        "Tier 2 uses the mild HR, tier 3 the mean of moderate and severe; tier 1 ASSUMPTION",
        "Mortality hazard ratio by condition tier (renormalised within each age).",
        min_length=4, max_length=4,
        each_gt=0.0, each_le=100.0)
    tier_prevalence: dict[str, AgeTable] = param(
        {"any_ltc": {0: 0.06, 20: 0.14, 40: 0.30, 60: 0.58, 80: 0.80},
         "multimorbid": {0: 0.009, 20: 0.04, 40: 0.12, 50: 0.22, 60: 0.38, 70: 0.55, 80: 0.682},
         "frail": {0: 0.0, 50: 0.02, 65: 0.04, 70: 0.07, 75: 0.09, 80: 0.157, 85: 0.261}},
        "share of each age with at least that tier",
        "CF §1f: LTC 14% under 40 and 58% aged 60+ (DH/King's Fund); multimorbidity 0.9% at 0-19 "
        "and 68.2% at 80+ (Valabhji 2023); frailty 4.0/7.0/9.0/15.7/26.1% at 65-69 .. 85+ "
        "(Collard 2012 via Devon JSNA). Intermediate ages ASSUMPTION (interpolated)",
        "Cross-sectional prevalence of tier >= 1 (any LTC), >= 2 (multimorbid) and 3 (frail).")
    deprivation_tier_odds_ratio: float = param(
        2.26, "odds ratio, quintile 1 vs 5",
        "CF §1f 'Multiple long-term conditions': odds 2.26x in the most vs least deprived decile",
        "Odds of being in a higher tier, most vs least deprived quintile (log-linear between).",
        ge=1.0, le=10.0)
    multimorbidity_trend_per_year: float = param(
        0.02, "relative growth per year",
        "CF §1f '>=3 serious chronic conditions' rose 9.7% to 16.1% 2005-2019 (~3.7%/yr); "
        "ASSUMPTION: about half of that continues",
        "Secular growth in the prevalence of tiers 2 and 3 at a given age.", ge=-0.1, le=0.1)

    @field_validator("age_shares")
    @classmethod
    def _age_shares(cls, v: dict[int, float]) -> dict[int, float]:
        _check_age_table(v, "age_shares", upper=1.0)
        total = sum(v.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"age_shares must sum to 1, got {total:.6f}")
        return v

    @field_validator("neighbourhood_weights")
    @classmethod
    def _weights(cls, v: list[float]) -> list[float]:
        if any(w <= 0 for w in v):
            raise ValueError(f"neighbourhood_weights must all be > 0, got {v}")
        return v

    @field_validator("deprivation_by_locality")
    @classmethod
    def _deprivation(cls, v: dict[str, list[float]]) -> dict[str, list[float]]:
        if set(v) != set(LOCALITIES):
            raise ValueError(f"deprivation_by_locality needs exactly {list(LOCALITIES)}, got {sorted(v)}")
        for name, shares in v.items():
            if len(shares) != 5 or any(s < 0 for s in shares) or abs(sum(shares) - 1) > 1e-6:
                raise ValueError(f"deprivation_by_locality[{name}] must be 5 shares >= 0 summing to 1, "
                                 f"got {shares}")
        return v

    @field_validator("tier_prevalence")
    @classmethod
    def _tiers(cls, v: dict[str, dict[int, float]]) -> dict[str, dict[int, float]]:
        if set(v) != {"any_ltc", "multimorbid", "frail"}:
            raise ValueError(f"tier_prevalence needs keys any_ltc, multimorbid, frail; got {sorted(v)}")
        for name, table in v.items():
            _check_age_table(table, f"tier_prevalence.{name}", upper=1.0)
        return v


class DemandParams(Section):
    """Daily hazards of routine GP need and acute deterioration."""

    gp_need_by_age: AgeTable = param(
        {0: 6.7, 1: 2.4, 5: 1.2, 10: 1.1, 15: 3.5, 25: 4.8, 45: 6.0, 65: 7.0, 75: 9.5, 85: 13.5,
         90: 12.5},
        "consultations needed per person per year",
        "CF §1d: infants 6.72, 1-4 2.37, 5-9 1.22, 10-14 1.07 (CPRD 2017); ages 85-89 13.8 and 13.3 "
        "(QResearch 2008); adult bands follow the U placeholder of the Hobbs 2016 age profile, "
        "CALIBRATED so the crude rate is ~5.2 appointments per person (GPAD 2019)",
        "Routine GP need by age for a tier-0, middle-deprivation patient (renormalised by tier mix).")
    gp_need_rr_by_tier: list[float] = param(
        [1.0, 1.6, 2.5, 3.0], "rate ratio vs tier 0",
        "CF §1d 'Multimorbidity and GP use': 4+ conditions have almost 3x the appointments of 1 "
        "condition. ASSUMPTION: intermediate tiers",
        "Relative GP need by tier (renormalised within each age so the age profile holds).",
        min_length=4, max_length=4,
        each_gt=0.0, each_le=100.0)
    gp_need_male_rr_16_60: float = param(
        0.68, "rate ratio", "CF §1d 'Consultation rate by sex': crude rate 32% lower in men; the "
        "gap is largest at 16-60 and absent in early and late life", "Male/female ratio at ages 16-60.",
        gt=0.0, le=2.0)
    gp_need_deprivation_step: float = param(
        0.02, "relative change per quintile more deprived",
        "CF §1d 'Consultation rate 2018-2022': higher in more deprived areas by 0.18-0.36 "
        "consultations (age-sex adjusted), i.e. a few per cent", "Deprivation gradient of GP need.",
        ge=-0.5, le=0.5)
    admissions_by_age_least_deprived: AgeTable = param(
        {0: 410.0, 1: 123.0, 5: 39.0, 10: 34.0, 15: 40.0, 20: 34.0, 38: 40.0, 53: 56.0, 67: 140.0,
         75: 240.0, 85: 420.0},
        "emergency admissions per 1,000 per year",
        "CF §1b: children <1/1-4/5-9/10-14 410/123/39/34 (CPRD 2017); 15-19 ASSUMPTION; adults "
        "Pereira Gray 2017 least-deprived rates 34 (20-37), 40 (38-52), 56 (53-66), 199 (67-110), "
        "the 67+ band split by age with Nuffield's ~10x for age 80 vs 20s-40s (CF §1a). CALIBRATED "
        "jointly with the most-deprived table to the crude rate and 85+ placeholders (CF §1b)",
        "Emergency admission rate by age in IMD quintile 5 (tier mix of that age).")
    admissions_by_age_most_deprived: AgeTable = param(
        {0: 450.0, 1: 150.0, 5: 50.0, 10: 44.0, 15: 60.0, 20: 68.0, 38: 85.0, 53: 108.0, 67: 195.0,
         75: 340.0, 85: 560.0},
        "emergency admissions per 1,000 per year",
        "CF §1b Pereira Gray 2017 most-deprived rates 68 (20-37), 85 (38-52), 108 (53-66), "
        "282 (67-110); children scaled by the 0-19 gradient 40 -> 66 (partly, ASSUMPTION); 67+ split "
        "as in the least-deprived table",
        "Emergency admission rate by age in IMD quintile 1; quintiles between interpolate linearly.")
    admission_rr_by_tier: list[float] = param(
        [1.0, 1.5, 1.93, 3.8], "hazard ratio vs tier 0",
        "CF §1f 'eFI hazard ratios': hospitalisation 1.93 / 3.04 / 4.73 (mild / moderate / severe); "
        "tier 2 uses mild, tier 3 the mean of moderate and severe; tier 1 ASSUMPTION",
        "Relative acute hazard by tier (renormalised within each age so the age table holds).",
        min_length=4, max_length=4,
        each_gt=0.0, each_le=100.0)
    ae_conversion_by_age: AgeTable = param(
        {0: 0.20, 65: 0.42, 75: 0.50},
        "share of A&E attendances admitted",
        "CF §1c 'A&E conversion by age': about 1 in 5 overall and almost 1 in 2 over 64; 47% of "
        "attendances aged 65+ admitted (Gilbert & Conroy 2017); under-65 value CALIBRATED to the "
        "overall 23-29% (CF §8 item 8) for attendances at admitting (type 1) departments",
        "Probability that an acute attendance at A&E ends in admission, by age.", each_le=1.0)
    admissions_via_ae_share: float = param(
        0.72, "share", "ASSUMPTION: about 70% of emergency admissions come through A&E, the rest "
        "by GP referral or direct to assessment units (NHS England monthly A&E statistics, from "
        "memory)", "Share of emergency admissions that come through A&E.", ge=0.0, le=1.0)
    secular_trend_per_year: float = param(
        0.016, "relative growth per year",
        "CF §8 item 1: demography explains only about half of the growth of admissions (NAO), "
        "and at most 4.7 of 11.8 points (Nuffield); CALIBRATED with ageing and multimorbidity to "
        "3-3.5%/yr total growth",
        "Non-demographic growth of the acute hazard at a given age, tier and deprivation.",
        ge=-0.1, le=0.1)
    winter_amplitude: float = param(
        0.10, "relative", "ASSUMPTION: CALIBRATED to winter G&A occupancy of 91-96% (CF §8 item 8) "
        "with an annual mean near 90% (CF §2 'G&A occupancy')",
        "Amplitude of the seasonal cosine on the acute hazard (peak in mid-January).", ge=0.0, le=0.5)
    winter_peak_day_of_year: int = param(15, "day of year", "ASSUMPTION: mid-January peak (CF §2 "
                                         "winter occupancy peaks in January)",
                                         "Day of the year when acute demand peaks.", ge=1, le=366)
    readmission_rr_30d: float = param(
        3.9, "hazard ratio", "CALIBRATED to 30-day readmissions of 6.6-7% (CF §1g, §8 item 8)",
        "Multiplier on the acute hazard in the 30 days after discharge.", ge=1.0, le=50.0)


class PrimaryCareParams(Section):
    """GP practice capacity and what happens to unmet need."""

    appointments_per_patient_year: float = param(
        5.2, "appointments per registered patient per year",
        "CF §1d 'Appointments (derived)': 312m appointments / 60.0m patients, 2019 (GPAD)",
        "Practice appointment capacity per registered patient (spread evenly over the days).",
        gt=0.0, le=30.0)
    unmet_to_ae_probability: float = param(
        0.05, "probability", "ASSUMPTION: share of turned-away GP need that goes to A&E the same day",
        "Unmet GP need that spills to A&E (not admitted).", ge=0.0, le=1.0)
    unmet_retry_probability: float = param(
        0.5, "probability", "ASSUMPTION: share of turned-away need that asks again the next day",
        "Unmet GP need that returns the next day.", ge=0.0, le=1.0)
    frequent_attender_threshold: int = param(
        12, "GP appointments in the previous year",
        "ASSUMPTION: City & Hackney referrals averaged 10 consultations a year (CF §3)",
        "Appointments in the previous calendar year that make a patient a frequent attender.",
        ge=1, le=100)


class CommunityParams(Section):
    """Capacity of the neighbourhood community teams (per 100,000 registered, before scale)."""

    crisis_response_per_100k_day: float = param(
        2.6, "responses per 100,000 per day",
        "CF §3 'Intermediate care (IC) flows': 45,000 a month referred to urgent community response "
        "in England (2023) = 9.6 per 1,000 per year", "2-hour crisis response capacity.",
        ge=0.0, le=100.0)
    home_support_places_per_100k: float = param(
        28.0, "concurrent places per 100,000",
        "CF §3 'Council adult social care, Manchester': reablement for 1,641 people a year x 34.5 "
        "days mean duration (CF §3 'Reablement duration') = ~155 places for ~560,000 people; "
        "CALIBRATED within that to the delayed-discharge share (CF §8 item 7)",
        "Reablement and home-support places after discharge.", ge=0.0, le=1000.0)
    home_support_days: float = param(
        34.5, "days", "CF §3 'Reablement duration': mean 34.5 days (PSSRU 2023 section 10.7)",
        "Mean length of a reablement / home-support episode.", gt=0.0, le=365.0)
    community_beds_per_100k: float = param(
        14.0, "beds per 100,000",
        "ASSUMPTION: bed-based intermediate care; NAIC found capacity less than half of demand "
        "(CF §3 'Intermediate care (IC) capacity')", "Community (intermediate care) beds.",
        ge=0.0, le=1000.0)
    community_bed_days: float = param(
        21.0, "days", "ASSUMPTION: typical bed-based intermediate care stay (verification.md example)",
        "Mean stay in a community bed.", gt=0.0, le=365.0)
    case_management_places_per_100k: float = param(
        400.0, "concurrent patients per 100,000",
        "ASSUMPTION: about 2,400 case-managed patients in a city of 600,000 (community matron "
        "caseloads)", "Case-management caseload capacity when integration is active.",
        ge=0.0, le=10000.0)
    case_management_contacts_per_week: float = param(
        0.5, "contacts per patient per week", "ASSUMPTION: fortnightly review by the case manager",
        "Community contacts made for each case-managed patient.", ge=0.0, le=14.0)
    home_support_visits_per_day: float = param(
        1.5, "visits per place per day", "CF §3 'Reablement duration': one or two home visits a day",
        "Community contacts per occupied home-support place.", ge=0.0, le=10.0)


class HospitalSpec(Section):
    """One acute trust site serving the population."""

    name: str = param("Hospital", "-", "-", "Name of the site.", min_length=1)
    locality: Literal["North", "Central", "South"] = param("Central", "-", "-",
                                                           "Locality whose patients it serves first.")
    beds: int = param(500, "beds", "-", "General and acute beds available to this population's "
                      "emergency patients.", ge=0, le=20000)
    escalation_beds: int = param(25, "beds", "-", "Extra beds opened when occupancy passes the "
                                 "escalation threshold.", ge=0, le=5000)


class HospitalParams(Section):
    """Acute hospitals, length of stay and discharge."""

    @field_validator("sites")
    @classmethod
    def _distinct_names(cls, v: list[HospitalSpec]) -> list[HospitalSpec]:
        names = [site.name for site in v]
        if dupes := sorted({n for n in names if names.count(n) > 1}):
            raise ValueError(f"site names must differ (results are kept per site); "
                             f"{dupes[0]!r} is used more than once")
        return v

    sites: list[HospitalSpec] = param(
        [HospitalSpec(name="North Manchester General", locality="North", beds=468, escalation_beds=23),
         HospitalSpec(name="Manchester Royal Infirmary", locality="Central", beds=486,
                      escalation_beds=24),
         HospitalSpec(name="Wythenshawe", locality="South", beds=420, escalation_beds=21)],
        "beds",
        "CF §6 'Hospital sites': North Manchester General 800, MRI 750+, Wythenshawe 950 beds in all, "
        "shared with elective work and other areas' patients. ASSUMPTION: the share used by this "
        "population's emergency patients, CALIBRATED to winter occupancy 91-96% (CF §8 item 8)",
        "Acute sites; each neighbourhood uses the site of its locality first.", min_length=1)
    escalation_threshold: float = param(
        0.95, "occupancy", "ASSUMPTION: trusts open escalation beds in the mid-90s (CF §2 winter "
        "occupancy 92.6-95.7%)", "Occupancy of base beds above which escalation beds open.",
        ge=0.5, le=1.0)
    zero_day_share_by_age: AgeTable = param(
        {0: 0.42, 18: 0.34, 65: 0.27, 85: 0.20}, "share of admissions",
        "CF §1a 'Zero-day (no overnight) stays' ~1/3 of emergency admissions; ASSUMPTION: the age "
        "gradient", "Probability that an emergency admission is discharged the same day.",
        each_le=1.0)
    clinical_los_by_age: AgeTable = param(
        {0: 4.0, 18: 11.5, 65: 12.4, 75: 11.2, 85: 9.8}, "days (overnight stays)",
        "CF §2 'Mean LOS, emergency admissions' 7.9 days (2019, standardised here to England's "
        "42% of admissions aged 65+, CF §1b derived) and 10.8 at 85+; CALIBRATED with the zero-day "
        "share and delays to those means", "Mean clinical LOS of overnight stays by age.",
        each_gt=0.0, each_le=365.0)
    clinical_los_rr_by_tier: list[float] = param(
        [0.8, 1.0, 1.15, 1.35], "ratio", "CF §2 'LOS, overnight emergency patients with 5+ "
        "conditions' 10.8 nights vs 7.9 overall; ASSUMPTION: the tier gradient",
        "Relative clinical LOS by tier.", min_length=4, max_length=4,
        each_gt=0.0, each_le=100.0)
    los_shape: float = param(
        1.1, "gamma shape", "ASSUMPTION: right-skewed stays; CF §2 '\"Super-stranded\" patients': "
        "21+ day stays hold ~17-19% of beds", "Gamma shape of overnight clinical LOS.",
        gt=0.1, le=20.0)
    los_trend_per_year: float = param(
        -0.035, "relative change per year",
        "CF §8 item 1: admissions +3.2%/yr but bed days +0.3%/yr (2006/07-2017/18), so LOS fell "
        "~2.8%/yr; CALIBRATED with ageing and case mix to +0.3%/yr bed days",
        "Trend in clinical LOS.",
        ge=-0.2, le=0.2)
    home_support_need_by_age: AgeTable = param(
        {0: 0.005, 50: 0.015, 65: 0.04, 75: 0.08, 85: 0.14}, "share of overnight discharges",
        "CF §2 'Age of delayed patients': 83% aged 65+, 39% aged 85+; ASSUMPTION: the shares",
        "Probability that an overnight stay ends needing home support (reablement).", each_le=1.0)
    community_bed_need_by_age: AgeTable = param(
        {0: 0.0, 50: 0.003, 65: 0.01, 75: 0.02, 85: 0.04}, "share of overnight discharges",
        "ASSUMPTION: bed-based intermediate care (CF §3 'IC flows': 39,000 a month receive IC "
        "after acute discharge)",
        "Probability that an overnight stay ends needing a community bed.", each_le=1.0)
    assessment_days_mean: float = param(
        2.1, "days", "CF §2 'Medically fit patients not discharged': mean wait 1.3 days nationally, "
        "2.1 in the North West", "Mean assessment delay before a supported discharge can start.",
        ge=0.0, le=60.0)
    max_wait_days: float = param(
        28.0, "days", "ASSUMPTION: after four weeks a waiting patient leaves on an interim package",
        "Longest delay before a waiting patient is discharged without the service.", gt=0.0, le=365.0)


class LeverParams(Section):
    """A lever's effect and its ramp-up after the LCO starts."""

    ramp_start_years: float = param(
        1.0, "years", "CF §8 item 3: effects close to zero for about 2 years (IAU 2021)",
        "Years after day 0 before the lever acts at all.", ge=0.0, le=30.0)
    ramp_years: float = param(
        4.0, "years", "CF §8 item 3: reductions emerge only after 4.5-6 years (IAU 2021)",
        "Years from the start of the ramp to the full effect (linear).", ge=0.0, le=30.0)


class CaseManagement(LeverParams):
    """Risk stratification and case management of high-risk patients."""

    coverage: float = param(
        0.5, "share of high-risk patients", "ASSUMPTION (capacity-limited by the caseload)",
        "Share of high-risk patients of integrated practices offered case management.", ge=0.0, le=1.0)
    hazard_rr: float = param(
        0.95, "hazard ratio", "CF §5c: meta-analyses null (Stokes 2015); SMD -0.09 (-0.27 to 0.10) "
        "in Poupard 2020. ASSUMPTION: a small sustained benefit within that interval",
        "Acute hazard ratio for a case-managed patient after the case-finding period.", gt=0.0, le=3.0)
    case_finding_rr: float = param(
        1.09, "hazard ratio", "CF §5c 'Six ICP case-management sites': emergency admissions +9% at "
        "6 months (Roland 2012): new capacity finds unmet need", "Acute hazard ratio in the "
        "first months after enrolment.", gt=0.0, le=3.0)
    case_finding_months: int = param(6, "months", "CF §5c, Roland 2012 (effect measured at 6 months)",
                                     "Length of the case-finding period.", ge=0, le=60)


class CrisisResponse(LeverParams):
    """Two-hour urgent community response / hospital at home."""

    referral_share: float = param(
        0.30, "share of eligible deteriorations", "ASSUMPTION",
        "Share of deteriorations of eligible patients (65+ or tier 2+) referred at full strength.",
        ge=0.0, le=1.0)
    avoidance_probability: float = param(
        0.55, "probability", "ASSUMPTION: admission-avoidance hospital at home is an alternative to "
        "admission for selected patients (CF §3 Cochrane CD007491)", "Probability that a response "
        "keeps the person at home.", ge=0.0, le=1.0)


class GPDirectAccess(LeverParams):
    """GPs admitting directly to community (intermediate care) beds."""

    step_up_share: float = param(
        0.25, "share", "ASSUMPTION", "Share of direct (non-A&E) admissions of eligible patients that "
        "a GP could place in a community bed instead, at full strength.", ge=0.0, le=1.0)


class DischargeToAssess(LeverParams):
    """Discharge to assess and trusted assessors."""

    assessment_reduction: float = param(
        0.5, "share of assessment delay removed", "ASSUMPTION; CF §3 early supported discharge "
        "LOS -6 days (BMC Geriatr 2022) is an upper bound", "Reduction of the assessment delay "
        "at full strength.", ge=0.0, le=1.0)


class SharedRecord(LeverParams):
    """A shared electronic record across practices, community and hospital."""

    conversion_rr: float = param(
        0.97, "ratio", "ASSUMPTION: clinicians with the history admit slightly less",
        "Ratio on A&E conversion at full strength.", gt=0.0, le=2.0)
    readmission_rr: float = param(
        0.93, "ratio", "ASSUMPTION within CF §5d: readmissions -10% to -30% where interventions work",
        "Ratio on the post-discharge excess hazard at full strength.", gt=0.0, le=2.0)


class SpecialistCommunity(LeverParams):
    """Geriatricians and paediatricians working in the community."""

    conversion_rr: float = param(
        0.92, "ratio", "ASSUMPTION within CF §5d (MDTs with condition-specific expertise most "
        "effective)", "Ratio on A&E conversion of tier-2+ patients at full strength.", gt=0.0, le=2.0)


class SocialPrescribing(LeverParams):
    """Social prescribing of frequent attenders through voluntary groups."""

    coverage: float = param(0.3, "share of frequent attenders", "ASSUMPTION",
                            "Share of frequent attenders referred at full strength.", ge=0.0, le=1.0)
    gp_rr: float = param(0.72, "rate ratio", "CF §3 'Social prescribing (review of 14 studies)': "
                         "GP demand -28% (Polley 2017)", "GP need ratio for a referred patient.",
                         gt=0.0, le=2.0)
    acute_rr: float = param(0.76, "rate ratio", "CF §3: A&E -24% (Polley 2017)",
                            "Acute hazard ratio for a referred patient.", gt=0.0, le=2.0)


class AdoptionParams(Section):
    """How GP practices choose to integrate, one status step at a time."""

    base_per_year: float = param(0.15, "per year", "ASSUMPTION", "Base hazard of stepping up.",
                                 ge=0.0, le=10.0)
    incentive_per_year: float = param(0.20, "per year", "ASSUMPTION: contract incentive",
                                      "Extra hazard from the LCO's incentive.", ge=0.0, le=10.0)
    peer_per_year: float = param(0.80, "per year at 100% of neighbours joined", "ASSUMPTION",
                                 "Extra hazard in proportion to the share of the neighbourhood's "
                                 "practices already at or above the next status.", ge=0.0, le=10.0)
    pressure_per_year: float = param(2.0, "per year at 100% unmet need", "ASSUMPTION",
                                     "Extra hazard in proportion to the practice's unmet-need share.",
                                     ge=0.0, le=100.0)
    max_share: float = param(0.84, "share of practices", "CF §6 'Dudley MCP': 38 of 45 practices "
                             "joined the preferred bidder", "Share of practices willing to join "
                             "at all.", ge=0.0, le=1.0)


class IntegrationParams(Section):
    """The integration level (a preset) and the levers it acts through."""

    level: Literal["none", "virtual", "partial", "full"] = param(
        "none", "-", "MCP framework contract options (DOMAIN.md)",
        "Highest status practices may adopt; 'none' is do nothing.")
    status_intensity: list[float] = param(
        [0.0, 0.3, 0.7, 1.0], "share of full lever strength",
        "ASSUMPTION: a virtual alliance shares goals only; a partially integrated practice has an "
        "extra contract; a fully integrated one joins the LCO (DOMAIN.md)",
        "Lever strength of a practice by status none / virtual / partial / full.",
        min_length=4, max_length=4)
    community_uplift: float = param(
        0.25, "relative extra capacity at full strength", "ASSUMPTION: recurrent community "
        "investment by the LCO", "Extra community capacity (crisis, home support, beds) bought as "
        "integration ramps up.", ge=0.0, le=5.0)
    case_management: CaseManagement = CaseManagement()
    crisis_response: CrisisResponse = CrisisResponse()
    gp_direct_access: GPDirectAccess = GPDirectAccess()
    discharge_to_assess: DischargeToAssess = DischargeToAssess()
    shared_record: SharedRecord = SharedRecord()
    specialist_community: SpecialistCommunity = SpecialistCommunity()
    social_prescribing: SocialPrescribing = SocialPrescribing()
    adoption: AdoptionParams = AdoptionParams()

    @field_validator("status_intensity")
    @classmethod
    def _intensity(cls, v: list[float]) -> list[float]:
        if v[0] != 0.0 or any(x < 0 or x > 1 for x in v) or v != sorted(v):
            raise ValueError(f"status_intensity must start at 0, rise, and stay in 0..1; got {v}")
        return v


class Scenario(Section):
    """A complete, validated scenario: run settings and every model parameter."""

    name: str = param("manchester-baseline", "-", "-", "A short name for the scenario.", min_length=1)
    run: RunParams = RunParams()
    population: PopulationParams = PopulationParams()
    demand: DemandParams = DemandParams()
    primary_care: PrimaryCareParams = PrimaryCareParams()
    community: CommunityParams = CommunityParams()
    hospitals: HospitalParams = HospitalParams()
    integration: IntegrationParams = IntegrationParams()
    finance: FinanceParams = FinanceParams()

    @model_validator(mode="after")
    def _neighbourhoods_fit_localities(self) -> Scenario:
        n = len(self.population.neighbourhood_weights)
        if n % len(LOCALITIES):
            raise ValueError(f"population.neighbourhood_weights must have a multiple of 3 entries "
                             f"(one locality per third), got {n}")
        return self

    @model_validator(mode="after")
    def _large_enough(self) -> Scenario:
        if self.run.scale < (smallest := self.smallest_scale()):
            raise ValueError(f"run.scale: {self.run.scale:g} is too small to mean anything; the "
                             f"smallest useful scale of this scenario is {smallest:.2g} (at least "
                             f"{MIN_PATIENTS_PER_NEIGHBOURHOOD} patients per neighbourhood and one "
                             "bed per hospital site)")
        return self

    def smallest_scale(self) -> float:
        """The smallest ``run.scale`` that gives a meaningful run of this scenario.

        Two things must survive the scaling: every neighbourhood needs at least
        :data:`MIN_PATIENTS_PER_NEIGHBOURHOOD` patients (for Manchester's 600,000 in 12
        neighbourhoods, 0.002), and every hospital site with beds must keep at least one bed
        (Manchester's smallest site, 420 beds: 0.0024), else its patients have nowhere to go.
        The result is rounded up to two significant figures.
        """
        pop = self.population
        weights = pop.neighbourhood_weights
        smallest_share = min(weights) / sum(weights)
        needs = [MIN_PATIENTS_PER_NEIGHBOURHOOD / (pop.registered_patients * smallest_share)]
        needs += [1.0 / site.beds for site in self.hospitals.sites if site.beds > 0]
        value = max(needs)
        digits = 1 - int(math.floor(math.log10(value)))
        return math.ceil(value * 10**digits) / 10**digits

    # ----- construction helpers -------------------------------------------------------------
    @classmethod
    def preset(cls, level: str = "none", **run: Any) -> Scenario:
        """The Manchester default at an integration level, with optional run settings.

        Args:
            level: one of ``none``, ``virtual``, ``partial``, ``full``.
            **run: fields of :class:`RunParams` (``years``, ``scale``, ``start_date``).
        """
        return cls.from_dict({"name": f"manchester-{level}", "integration": {"level": level},
                              "run": run})

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, origin: str = "scenario") -> Scenario:
        """Validate a nested dict, raising :class:`ScenarioError` with a one-line message."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ScenarioError(f"{origin}: {describe_validation_error(exc)}") from None

    def with_overrides(self, overrides: dict[str, Any]) -> Scenario:
        """A copy with dotted-path overrides applied, e.g. ``{"run.years": 3}``; validated."""
        data = self.model_dump()
        for path, value in overrides.items():
            set_dotted(data, path, value)
        return Scenario.from_dict(data, origin="override")

    def to_toml(self) -> str:
        """The scenario as TOML text that :func:`load_scenario` reads back unchanged."""
        return dump_toml(self)


def set_dotted(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``data['a']['b'] = value`` for ``path='a.b'``, refusing paths the scenario lacks."""
    keys = path.split(".")
    node: Any = data
    for i, key in enumerate(keys[:-1]):
        if not isinstance(node, dict) or key not in node:
            raise ScenarioError(f"{'.'.join(keys[:i + 1])}: no such parameter (in {path!r})")
        node = node[key]
    if not isinstance(node, dict) or keys[-1] not in node:
        raise ScenarioError(f"{path}: no such parameter")
    node[keys[-1]] = value


def get_dotted(data: dict[str, Any], path: str) -> Any:
    """Read ``data['a']['b']`` for ``path='a.b'``."""
    node: Any = data
    for key in path.split("."):
        node = node[key]
    return node


def describe_validation_error(exc: ValidationError) -> str:
    """Turn pydantic's report into one line: field path, value given, and what is allowed."""
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
    given = err.get("input")
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"{loc}: unknown parameter (given {given!r}); check the spelling against docs/model.md"
    ctx = err.get("ctx") or {}
    if kind == "literal_error":
        return f"{loc}: {given!r} is not allowed; expected {ctx.get('expected')}"
    bounds = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<",
              "less_than_equal": "<="}
    for word, sign in bounds.items():
        if kind == word:
            return f"{loc}: {given!r} is out of range; allowed {sign} {list(ctx.values())[0]}"
    msg = err["msg"].removeprefix("Value error, ")
    if not err["loc"] and kind == "value_error":  # a whole-scenario check names its own fields
        return msg
    if more := len(exc.errors()) - 1:
        msg += f" (and {more} more problem{'s' if more > 1 else ''})"
    shown = repr(given)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return f"{loc}: {msg} (given {shown})"


def read_toml(path: Path, kind: str, error: type[Exception]) -> tuple[str, dict[str, Any]]:
    """The text of the TOML file at ``path`` and its contents as a dict.

    An unreadable or malformed file raises ``error`` with one line naming the file (``kind`` says
    what the file should be, e.g. "scenario").
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{path}: cannot read {kind} file ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise error(f"{path}: {kind} file is not UTF-8 text (byte {exc.object[exc.start]:#04x} "
                    f"at offset {exc.start}); save it as UTF-8") from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML ({exc})") from None


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read a scenario TOML file; missing fields take their defaults.

    Raises:
        ScenarioError: the file cannot be read, is not TOML, or does not validate.
    """
    path = Path(path)
    _, data = read_toml(path, "scenario", ScenarioError)
    scenario = Scenario.from_dict(data, origin=str(path))
    return scenario.with_overrides(overrides) if overrides else scenario


def dump_toml(model: BaseModel) -> str:
    """Write a scenario (or any section) as TOML: sections become tables, sites arrays of tables."""
    lines: list[str] = []

    def scalar(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, list):
            return "[" + ", ".join(scalar(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{ " + ", ".join(f'"{k}" = {scalar(x)}' for k, x in v.items()) + " }"
        raise TypeError(f"cannot write {type(v).__name__} to TOML")

    def emit(section: BaseModel, prefix: str) -> None:
        values = {name: getattr(section, name) for name in type(section).model_fields}
        for k, v in values.items():
            if not isinstance(v, BaseModel) and not (isinstance(v, list) and v
                                                     and isinstance(v[0], BaseModel)):
                lines.append(f"{k} = {scalar(v)}")
        for k, v in values.items():
            if isinstance(v, list) and v and isinstance(v[0], BaseModel):
                for item in v:
                    lines.extend(["", f"[[{prefix}{k}]]"])
                    lines.extend(f"{ik} = {scalar(getattr(item, ik))}"
                                 for ik in type(item).model_fields)
        for k, v in values.items():
            if isinstance(v, BaseModel):
                lines.extend(["", f"[{prefix}{k}]"])
                emit(v, f"{prefix}{k}.")

    emit(model, "")
    return "\n".join(lines) + "\n"
