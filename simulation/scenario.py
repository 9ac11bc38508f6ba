"""The scenario: every model parameter, declared once with its unit, default and source.

A :class:`Scenario` is a frozen, validated pydantic object. Unknown keys, wrong types and values
out of range are refused with :class:`ScenarioError`, whose message names the field, the value given
and what is allowed, on one line.

Sources are cited by key, e.g. ``[pereira-gray-2017]``, next to the figure taken from them; the
full citations are in ``simulation/data/references.toml`` (:mod:`simulation.references`). Values
with no published source say ``ASSUMPTION`` and are exposed here so that users can vary them;
values tuned so that the baseline reproduces a validation target say
``CALIBRATED`` and name the target.

Place-specific values (population, localities, neighbourhoods, practices, hospital sites, contract
length and start, budget per head) come from the scenario's *area*, a data file with a source for
every value (:mod:`simulation.areas`); a scenario is area + policy + run settings, and any value it
sets itself overrides the area's.

Example:
    >>> s = Scenario.preset("partial", scale=0.01, years=2)
    >>> s.area, s.integration.level, s.run.years, s.population.registered_patients
    ('manchester', 'partial', 2, 600000)
    >>> d = Scenario.preset("none", area="dudley")
    >>> d.name, d.run.years, d.population.localities[0]
    ('dudley-none', 15, 'Dudley and Netherton')
    >>> faster = s.with_overrides({"community.crisis_response_per_100k_day": 5.0})
    >>> faster.community.crisis_response_per_100k_day
    5.0
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError, field_validator, model_validator

from simulation.care_homes import CareHomeParams
from simulation.end_of_life import EndOfLifeParams
from simulation.finance_parameters import FinanceParams
from simulation.hospice import HospiceParams
from simulation.levers.base import LeverParams
from simulation.levers.case_management import CaseManagement
from simulation.levers.crisis_response import CrisisResponse
from simulation.levers.discharge_to_assess import DischargeToAssess
from simulation.levers.end_of_life_care import EndOfLifeCare
from simulation.levers.enhanced_care_homes import EnhancedCareHomes
from simulation.levers.gp_direct_access import GPDirectAccess
from simulation.levers.shared_record import SharedRecord
from simulation.levers.social_prescribing import SocialPrescribing
from simulation.levers.specialist_community import SpecialistCommunity
from simulation.parameters import Section, param
from simulation.social_care import SocialCareParams
from simulation.workforce import WorkforceParams

__all__ = ["CaseManagement", "CrisisResponse", "DischargeToAssess", "EndOfLifeCare",
           "EnhancedCareHomes", "GPDirectAccess", "LeverParams", "SharedRecord",
           "SocialPrescribing", "SpecialistCommunity"]

INTEGRATION_LEVELS = ("none", "virtual", "partial", "full")
"""The MCP framework's contract options, none to full [nhs-england-mcp-framework-2016]."""

PRACTICE_STATUS = {"none": 0, "virtual": 1, "partial": 2, "full": 3}
"""A practice's integration status as an integer.

The integration level names the highest status practices may adopt.
"""

FROM_AREA = "AREA: from the scenario's area file (simulation/areas/), which cites each value"
"""The source of a parameter whose value a scenario takes from its area."""

STRUCTURES = ("scaled", "kept")
"""How ``run.scale`` treats an area's structure; see :class:`RunParams` and docs/model.md."""


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

    years: int = param(10, "years", FROM_AREA + " (the contract length)",
                       "Horizon in years; the model steps one day at a time.", ge=1, le=30)
    scale: float = param(1.0, "fraction", "ASSUMPTION (run-time convenience)",
                         "Shrinks the population and every capacity together for quick runs; "
                         "above 1 it grows them (memory is about 60 bytes a patient).",
                         gt=0.0, le=10.0)
    structure: Literal["scaled", "kept"] = param(
        "scaled", "-", "ASSUMPTION (run-time convenience); see docs/model.md 'Scale and structure'",
        "What scale does to the area's structure: 'scaled' shrinks the number of GP practices with "
        "the population (at least one per neighbourhood; lists keep their size) and the beds of "
        "every site; 'kept' keeps every practice (lists shrink), neighbourhood and site, and "
        "shrinks beds only down to run.min_site_beds.")
    min_site_beds: int = param(
        10, "beds", "ASSUMPTION: below about ten beds a site's occupancy swings by 10 points with "
        "each patient, so it no longer queues like a hospital",
        "Smallest bed base a site keeps under structure = 'kept' (sites raised to it are "
        "reported); under 'scaled' sites smaller than this are reported but not changed.",
        ge=1, le=1000)
    min_pool_share: float = param(
        0.5, "share of one real team", "ASSUMPTION (range 0.3-0.9): in a queue check of this "
        "model's home-support load (offered load 71% of a team's 14 places, 28-day longest wait; "
        "benchmarks/bench_scale.py) places used per head are within 2% of a real team's in pools "
        "of half a team or more, 11% short at 0.24 (docs/model.md 7.9a)",
        "A places or caseload service whose smallest capacity pool at run scale holds less than "
        "this share of one real (full-scale) team's capacity is reported: the places it gives "
        "per head are not the area's.", ge=0.1, le=1.0)
    pool_size_tolerance: float = param(
        1.05, "factor", "ASSUMPTION (range 1.0-1.5): in the same queue check waits per head move "
        "by about 30% with each place of difference from a real team's 14 (+33% in pools of 0.95 "
        "teams, -27% at 1.05, +73% at 0.72, -46% at 1.2); within 5% a pool has the team's places",
        "A places service whose capacity pools at run scale are further than this factor from "
        "one real team (smaller or larger) is reported: waiting for it (delayed-discharge bed "
        "days, interim packages) is not the area's, because waits depend on the size of the pool "
        "that holds the places.", ge=1.0, le=10.0)
    max_pool_period_days: float = param(
        7.0, "days", "ASSUMPTION (range 1-30): within a week the timing of crisis responses "
        "matches weekly and monthly series; totals are right at any period",
        "A daily service (crisis response) whose pools give their capacity over periods longer "
        "than this (at small scale, simulation.services) is reported: its totals are right, its "
        "daily and weekly series are not.", ge=1.0, le=365.0)
    warmup_days: int = param(
        120, "days", "ASSUMPTION: about 3.5x the longest mean service time (home support, 34.5 "
        "days) so beds and community places are filled when recording starts (STRESS 4.1)",
        "Days simulated before day 0 and left out of the results; levers stay off.", ge=0, le=3650)
    start_date: str = param("2018-04-01", "ISO date", FROM_AREA + " (the contract's start)",
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


class NeighbourhoodSpec(Section):
    """One neighbourhood: a community team's patch within a locality."""

    name: str = param(..., "-", FROM_AREA, "Name of the neighbourhood (used in results).",
                      min_length=1)
    locality: str = param(..., "-", FROM_AREA, "Locality it belongs to.", min_length=1)
    weight: float = param(..., "relative size", FROM_AREA,
                          "Relative registered population of the neighbourhood.", gt=0.0)
    home_site: str = param("", "-", FROM_AREA, "Site its patients use first, when not its "
                           "locality's ('' = the locality's home site).")


class PopulationParams(Section):
    """The registered population, its places and its demography."""

    registered_patients: int = param(
        ..., "patients", FROM_AREA, "GP-registered population at day 0 (before scale).",
        gt=0, le=50_000_000)
    localities: list[str] = param(..., "-", FROM_AREA, "Names of the area's localities, in order.",
                                  min_length=1)
    neighbourhoods: list[NeighbourhoodSpec] = param(
        ..., "-", FROM_AREA, "The neighbourhoods, each in a named locality.", min_length=1)
    practices: int = param(..., "practices", FROM_AREA, "Number of GP practices.", ge=1, le=20_000)
    practice_list_sigma: float = param(
        0.35, "log-sd",
        "ASSUMPTION: spread of list sizes around the mean (England mean 8,727 "
        "[gponline-practices-2019])",
        "Log-normal spread of practice list sizes.", ge=0.0, le=2.0)
    age_shares: AgeTable = param(
        ..., "share of population", FROM_AREA,
        "Initial age distribution; ages are spread uniformly within each band (upper band to 100).")
    female_share: float = param(..., "share", FROM_AREA, "Share of patients who are female.",
                                ge=0.0, le=1.0)
    deprivation_by_locality: dict[str, list[float]] = param(
        ..., "share in IMD quintile 1 (most deprived) .. 5", FROM_AREA,
        "Deprivation mix of each locality, by locality name.")
    births_per_1000: float = param(
        ..., "births per 1,000 per year", FROM_AREA,
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
        ..., "ratio", FROM_AREA, "Multiplier on national mortality for this population.",
        ge=0.5, le=3.0)
    mortality_rr_by_tier: list[float] = param(
        [1.0, 1.3, 1.92, 3.8], "hazard ratio vs tier 0",
        "eFI hazard ratios [clegg-2016]: mortality 1.92 / 3.10 / 4.52 (mild / moderate / severe). "
        "Tier 2 uses the mild HR, tier 3 the mean of moderate and severe; tier 1 ASSUMPTION",
        "Mortality hazard ratio by condition tier (renormalised within each age).",
        min_length=4, max_length=4,
        each_gt=0.0, each_le=100.0)
    tier_prevalence: dict[str, AgeTable] = param(
        {"any_ltc": {0: 0.06, 20: 0.14, 40: 0.30, 60: 0.58, 80: 0.80},
         "multimorbid": {0: 0.009, 20: 0.04, 40: 0.12, 50: 0.22, 60: 0.38, 70: 0.55, 80: 0.682},
         "frail": {0: 0.0, 50: 0.02, 65: 0.04, 70: 0.07, 75: 0.09, 80: 0.157, 85: 0.261}},
        "share of each age with at least that tier",
        "LTC 14% under 40 and 58% aged 60+ [kings-fund-long-term-conditions-2012] "
        "[dh-long-term-conditions-2010]; multimorbidity 0.9% at 0-19 and 68.2% at 80+ "
        "[valabhji-2023]; frailty 4.0/7.0/9.0/15.7/26.1% at 65-69 .. 85+ [collard-2012] via "
        "[devon-jsna-frailty-2016]. Intermediate ages ASSUMPTION (interpolated)",
        "Cross-sectional prevalence of tier >= 1 (any LTC), >= 2 (multimorbid) and 3 (frail).")
    deprivation_tier_odds_ratio: float = param(
        2.26, "odds ratio, quintile 1 vs 5",
        "Multiple long-term conditions: odds 2.26x in the most vs least deprived decile "
        "[valabhji-2023]",
        "Odds of being in a higher tier, most vs least deprived quintile (log-linear between).",
        ge=1.0, le=10.0)
    multimorbidity_trend_per_year: float = param(
        0.02, "relative growth per year",
        "People with >=3 serious chronic conditions rose 9.7% to 16.1% 2005-2019 (~3.7%/yr) "
        "[de-dumast-2024]; "
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

    @field_validator("deprivation_by_locality")
    @classmethod
    def _deprivation(cls, v: dict[str, list[float]]) -> dict[str, list[float]]:
        for name, shares in v.items():
            if len(shares) != 5 or any(s < 0 for s in shares) or abs(sum(shares) - 1) > 1e-6:
                raise ValueError(f"deprivation_by_locality[{name}] must be 5 shares >= 0 "
                                 "summing to 1, "
                                 f"got {shares}")
        return v

    @model_validator(mode="after")
    def _places(self) -> PopulationParams:
        names = self.localities
        if len(set(names)) != len(names):
            raise ValueError(f"localities must be unique, got {names}")
        if set(self.deprivation_by_locality) != set(names):
            raise ValueError(f"deprivation_by_locality needs exactly the localities {names}, got "
                             f"{list(self.deprivation_by_locality)}")
        hoods = [h.name for h in self.neighbourhoods]
        if len(set(hoods)) != len(hoods):
            raise ValueError(f"neighbourhood names must be unique, got {hoods}")
        for i, h in enumerate(self.neighbourhoods):
            if h.locality not in names:
                raise ValueError(f"neighbourhoods[{i}].locality: {h.locality!r} is not one of the "
                                 f"localities {names}")
        return self

    @field_validator("tier_prevalence")
    @classmethod
    def _tiers(cls, v: dict[str, dict[int, float]]) -> dict[str, dict[int, float]]:
        if set(v) != {"any_ltc", "multimorbid", "frail"}:
            raise ValueError("tier_prevalence needs keys any_ltc, multimorbid, frail; "
                             f"got {sorted(v)}")
        for name, table in v.items():
            _check_age_table(table, f"tier_prevalence.{name}", upper=1.0)
        return v


class DemandParams(Section):
    """Daily hazards of routine GP need and acute deterioration."""

    gp_need_by_age: AgeTable = param(
        {0: 6.9, 1: 2.47, 5: 1.236, 10: 1.133, 15: 3.605, 25: 4.944, 45: 6.18, 65: 7.21,
         75: 9.785, 85: 13.905, 90: 12.875},
        "consultations needed per person per year",
        "Infants 6.72, 1-4 2.37, 5-9 1.22, 10-14 1.07 (CPRD 2017) [ruzangi-2020]; ages 85-89 13.8 "
        "and 13.3 (QResearch 2008) [hippisley-cox-2009]; adult bands are unverified placeholders "
        "recalled from the age profile of [hobbs-2016], "
        "CALIBRATED so the crude rate is ~5.2 appointments per person (GPAD 2019) "
        "[nhs-digital-gpad-2020], then x1.03 (issue 14) so the appointments met reach the "
        "narrowed band 4.7-5.5 (4.65-4.67 before, seeds 3-7)",
        "Routine GP need by age for a tier-0, middle-deprivation patient (renormalised by "
        "tier mix).",
        calibrate={"targets": ["gp_per_person", "gp_85_89", "gp_5_14", "gp_infants"],
                   "how": "scale", "low": 0.8, "high": 1.25})
    gp_need_rr_by_tier: list[float] = param(
        [1.0, 1.6, 2.5, 3.0], "rate ratio vs tier 0",
        "People with 4+ conditions have almost 3x the appointments of people with 1 condition "
        "[health-foundation-multimorbidity-2018]. ASSUMPTION: intermediate tiers",
        "Relative GP need by tier (renormalised within each age so the age profile holds).",
        min_length=4, max_length=4,
        each_gt=0.0, each_le=100.0)
    gp_need_male_rr_16_60: float = param(
        0.68, "rate ratio", "Crude consultation rate 32% lower in men; the gap is largest at 16-60 "
        "and absent in early and late life [wang-2013]",
        "Male/female ratio at ages 16-60.",
        gt=0.0, le=2.0)
    gp_need_deprivation_step: float = param(
        0.02, "relative change per quintile more deprived",
        "Consultation rate higher in more deprived areas by 0.18-0.36 consultations (age-sex "
        "adjusted), i.e. a few per cent [vestesson-2023]", "Deprivation gradient of GP need.",
        ge=-0.5, le=0.5)
    admissions_by_age_least_deprived: AgeTable = param(
        {0: 410.0, 1: 123.0, 5: 39.0, 10: 34.0, 15: 40.0, 20: 34.0, 38: 40.0, 53: 56.0, 67: 140.0,
         75: 240.0, 85: 420.0},
        "emergency admissions per 1,000 per year",
        "Children <1/1-4/5-9/10-14 410/123/39/34 (CPRD 2017) [ruzangi-2020]; 15-19 ASSUMPTION; "
        "adults: least-deprived rates 34 (20-37), 40 (38-52), 56 (53-66), 199 (67-110) "
        "[pereira-gray-2017], the 67+ band split by age with ~10x for age 80 vs 20s-40s "
        "[blunt-2010]. CALIBRATED jointly with the most-deprived table to the crude rate (≈108 "
        "per 1,000 in 2017/18: 6.02m admissions [steventon-2018] / 55.6m people "
        "[ons-england-population-2024]) and to unverified placeholders for 85+ (about 500-600 per "
        "1,000; no published table by age was found)",
        "Emergency admission rate by age in IMD quintile 5 (tier mix of that age).",
        calibrate={"targets": ["admissions_per_1000"], "how": "scale", "low": 0.8, "high": 1.25,
                   "with": ["demand.admissions_by_age_most_deprived"]})
    admissions_by_age_most_deprived: AgeTable = param(
        {0: 450.0, 1: 150.0, 5: 50.0, 10: 44.0, 15: 60.0, 20: 68.0, 38: 85.0, 53: 108.0, 67: 195.0,
         75: 340.0, 85: 560.0},
        "emergency admissions per 1,000 per year",
        "Most-deprived rates 68 (20-37), 85 (38-52), 108 (53-66), 282 (67-110) "
        "[pereira-gray-2017]; children scaled by the 0-19 gradient 40 -> 66 (partly, ASSUMPTION); "
        "67+ split as in the least-deprived table",
        "Emergency admission rate by age in IMD quintile 1; quintiles between interpolate "
        "linearly.")
    admission_rr_by_tier: list[float] = param(
        [1.0, 1.5, 1.93, 3.8], "hazard ratio vs tier 0",
        "eFI hazard ratios [clegg-2016]: hospitalisation 1.93 / 3.04 / 4.73 (mild / moderate / "
        "severe); "
        "tier 2 uses mild, tier 3 the mean of moderate and severe; tier 1 ASSUMPTION",
        "Relative acute hazard by tier (renormalised within each age so the age table holds).",
        min_length=4, max_length=4,
        each_gt=0.0, each_le=100.0)
    ae_conversion_by_age: AgeTable = param(
        {0: 0.20, 65: 0.42, 75: 0.50},
        "share of A&E attendances admitted",
        "A&E conversion by age: about 1 in 5 overall and almost 1 in 2 over 64 "
        "[hscic-focus-ae-2013]; 47% of attendances aged 65+ admitted [gilbert-2017]; under-65 "
        "value CALIBRATED to the overall 23% (all A&E) [hscic-ae-journey-2014] to 29% (major "
        "A&E) [steventon-2018] for attendances at admitting (type 1) departments",
        "Probability that an acute attendance at A&E ends in admission, by age.", each_le=1.0,
        calibrate={"targets": ["ae_conversion"], "how": "entry", "entry": 0, "low": 0.1,
                   "high": 0.35})
    admissions_via_ae_share: float = param(
        0.72, "share", "ASSUMPTION: about 70% of emergency admissions come through A&E, the rest "
        "by GP referral or direct to assessment units (NHS England monthly A&E statistics, from "
        "memory)", "Share of emergency admissions that come through A&E.", ge=0.0, le=1.0)
    secular_trend_per_year: float = param(
        0.016, "relative growth per year",
        "Demography explains only about half of the growth of admissions [nao-2018], and at "
        "most 4.7 of 11.8 points [blunt-2010]; CALIBRATED with ageing and multimorbidity to "
        "3-3.5%/yr total growth (3.2%/yr 2006/07-2017/18 [steventon-2018])",
        "Non-demographic growth of the acute hazard at a given age, tier and deprivation.",
        ge=-0.1, le=0.1,
        calibrate={"targets": ["admissions_growth"], "low": 0.0, "high": 0.03})
    winter_amplitude: float = param(
        0.10, "relative", "ASSUMPTION: CALIBRATED to winter G&A occupancy of 91-96% "
        "[hsj-winter-beds-2017] [nationalworld-bed-occupancy-2023] with an annual mean near 90% "
        "[hsj-bed-occupancy-2018]",
        "Amplitude of the seasonal cosine on the acute hazard (peak in mid-January).",
        ge=0.0, le=0.5, calibrate={"targets": ["winter_occupancy"], "low": 0.0, "high": 0.25})
    winter_peak_day_of_year: int = param(15, "day of year", "ASSUMPTION: mid-January peak (winter "
                                         "occupancy peaks in January "
                                         "[nationalworld-bed-occupancy-2023])",
                                         "Day of the year when acute demand peaks.", ge=1, le=366)
    readmission_rr_30d: float = param(
        3.9, "hazard ratio", "CALIBRATED to 30-day readmissions of 6.6-7% [friebel-2018]",
        "Multiplier on the acute hazard in the 30 days after discharge.", ge=1.0, le=50.0,
        calibrate={"targets": ["readmission_30d"], "low": 1.5, "high": 8.0})


class PrimaryCareParams(Section):
    """GP practice capacity and what happens to unmet need."""

    appointments_per_patient_year: float = param(
        5.2, "appointments per registered patient per year",
        "312m appointments in 2019 [nhs-digital-gpad-2020] / 60.0m patients "
        "[gponline-practices-2019]",
        "Practice appointment capacity per registered patient (spread evenly over the days).",
        gt=0.0, le=30.0)
    unmet_to_ae_probability: float = param(
        0.04, "probability",
        "ASSUMPTION (range 0-0.1): share of turned-away GP need that goes to A&E the same day; "
        "0.05 until the GP need was raised 3% (issue 14), then 0.04 to keep A&E attendances "
        "inside 276-307 per 1,000",
        "Unmet GP need that spills to A&E (not admitted).", ge=0.0, le=1.0)
    unmet_retry_probability: float = param(
        0.5, "probability", "ASSUMPTION: share of turned-away need that asks again the next day",
        "Unmet GP need that returns the next day.", ge=0.0, le=1.0)
    frequent_attender_threshold: int = param(
        12, "GP appointments in the previous year",
        "ASSUMPTION: City & Hackney referrals averaged 10 consultations a year "
        "[sapc-city-hackney-2016]",
        "Appointments in the previous calendar year that make a patient a frequent attender.",
        ge=1, le=100)


class CommunityParams(Section):
    """Capacity of the neighbourhood community teams (per 100,000 registered, before scale)."""

    crisis_response_per_100k_day: float = param(
        2.6, "responses per 100,000 per day",
        "45,000 a month referred to urgent community response in England (2023) "
        "[health-foundation-intermediate-care-2024] = 9.6 per 1,000 per year",
        "2-hour crisis response capacity.",
        ge=0.0, le=100.0)
    home_support_places_per_100k: float = param(
        28.0, "concurrent places per 100,000",
        "Reablement for 1,641 people a year in Manchester [manchester-cc-budget-2022] x 34.5 days "
        "mean duration [jones-2024] = ~155 places for ~560,000 people; CALIBRATED within that to "
        "the delayed-discharge share (above 5% of bed days in 2017 [kings-fund-dtoc-2018])",
        "Reablement and home-support places after discharge.", ge=0.0, le=1000.0,
        calibrate={"targets": ["dtoc_share"], "low": 10.0, "high": 60.0})
    home_support_days: float = param(
        34.5, "days", "Reablement: mean duration 34.5 days (section 10.7) [jones-2024]",
        "Mean length of a reablement / home-support episode.", gt=0.0, le=365.0)
    community_beds_per_100k: float = param(
        14.0, "beds per 100,000",
        "ASSUMPTION: bed-based intermediate care; NAIC found capacity less than half of demand "
        "[gm-journal-naic-2015]", "Community (intermediate care) beds.",
        ge=0.0, le=1000.0)
    community_bed_days: float = param(
        21.0, "days",
        "ASSUMPTION: typical bed-based intermediate care stay of three weeks",
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
        1.5, "visits per place per day",
        "Reablement: one or two home visits a day [jones-2024]",
        "Community contacts per occupied home-support place.", ge=0.0, le=10.0)


class HospitalSpec(Section):
    """One acute trust site serving the population."""

    name: str = param("Hospital", "-", FROM_AREA, "Name of the site.", min_length=1)
    locality: str = param("", "-", FROM_AREA, "Locality whose patients it serves first (one of "
                          "population.localities).")
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
        ..., "beds", FROM_AREA + " (the share of each site's beds this population's emergency "
        "patients use)", "Acute sites; each neighbourhood uses the site of its locality first.",
        min_length=1)
    home_site_of_locality: dict[str, str] = param(
        {}, "-", FROM_AREA, "Site used first by a locality with no site of its own, by locality "
        "name (a locality with neither uses the first site).")
    escalation_threshold: float = param(
        0.95, "occupancy", "ASSUMPTION: trusts open escalation beds in the mid-90s (winter "
        "occupancy 92.6% [hsj-bed-occupancy-2018] to 95.7% [nationalworld-bed-occupancy-2023])",
        "Occupancy of base beds above which escalation beds open.",
        ge=0.5, le=1.0)
    zero_day_share_by_age: AgeTable = param(
        {0: 0.42, 18: 0.34, 65: 0.27, 85: 0.20}, "share of admissions",
        "Zero-day (no overnight) stays ~1/3 of emergency admissions [steventon-2018]; "
        "ASSUMPTION: the age gradient",
        "Probability that an emergency admission is discharged the same day.",
        each_le=1.0)
    clinical_los_by_age: AgeTable = param(
        {0: 4.0, 18: 11.5, 65: 12.4, 75: 11.2, 85: 9.8}, "days (overnight stays)",
        "Mean LOS of emergency admissions 7.9 days (2019) and 10.8 at 85+ "
        "[health-foundation-los-2023], standardised here to England's 42% of admissions aged 65+ "
        "(derived from [wolters-2019] and [nao-2018]); CALIBRATED with the zero-day "
        "share and delays to those means", "Mean clinical LOS of overnight stays by age.",
        each_gt=0.0, each_le=365.0,
        calibrate={"targets": ["mean_los", "los_85_plus"], "how": "scale", "low": 0.8,
                   "high": 1.25})
    clinical_los_rr_by_tier: list[float] = param(
        [0.8, 1.0, 1.15, 1.35], "ratio", "Overnight emergency patients with 5+ "
        "conditions stay 10.8 nights [steventon-2018] vs 7.9 overall "
        "[health-foundation-los-2023]; ASSUMPTION: the tier gradient",
        "Relative clinical LOS by tier.", min_length=4, max_length=4,
        each_gt=0.0, each_le=100.0)
    los_shape: float = param(
        1.1, "gamma shape", "ASSUMPTION: right-skewed stays; 'super-stranded' "
        "patients (21+ day stays) hold ~17-19% of beds [hsj-performance-watch-2018] "
        "[hsj-long-stay-2018]", "Gamma shape of overnight clinical LOS.",
        gt=0.1, le=20.0)
    los_trend_per_year: float = param(
        -0.035, "relative change per year",
        "Admissions +3.2%/yr but bed days +0.3%/yr (2006/07-2017/18) [steventon-2018], so LOS fell "
        "~2.8%/yr; CALIBRATED with ageing and case mix to +0.3%/yr bed days",
        "Trend in clinical LOS.",
        ge=-0.2, le=0.2, calibrate={"targets": ["bed_days_growth"], "low": -0.06, "high": -0.01})
    home_support_need_by_age: AgeTable = param(
        {0: 0.00773, 50: 0.02318, 65: 0.0927, 75: 0.1854, 85: 0.2781},
        "share of overnight discharges",
        "Delayed patients: 83% aged 65+, 39% aged 85+ [health-foundation-delayed-patients-2018]; "
        "ASSUMPTION: the shares, CALIBRATED (home-support places fixed at their source) to the "
        "delayed-discharge share 5-7% of bed days [kings-fund-dtoc-2018] and with it the length "
        "of stay at 85+ [health-foundation-los-2023], in pools of one real team (docs/model.md "
        "7.9a): 1.545 x the shares calibrated before (0.06/0.12/0.18 at 65/75/85), which were "
        "CALIBRATED where per-neighbourhood pools of 1.4 places at scale 0.1 made waits too long "
        "(steep near the places' capacity: at scale 0.1, seeds 3-7, 4.0-6.3% at x1.545 and "
        "3.9-5.3% at x1.5 in a trial with end-of-life care-home and hospice referral shares "
        "0.11 and 0.08)",
        "Probability that an overnight stay ends needing home support (reablement).", each_le=1.0)
    community_bed_need_by_age: AgeTable = param(
        {0: 0.0, 50: 0.003, 65: 0.01, 75: 0.02, 85: 0.04}, "share of overnight discharges",
        "ASSUMPTION: bed-based intermediate care (39,000 a month receive IC after acute "
        "discharge [health-foundation-intermediate-care-2024])",
        "Probability that an overnight stay ends needing a community bed.", each_le=1.0)
    assessment_days_mean: float = param(
        2.1, "days",
        "Medically fit patients not discharged: mean wait 1.3 days nationally, 2.1 in the "
        "North West [health-foundation-delayed-discharges-2023]",
        "Mean assessment delay before a supported discharge can start.",
        ge=0.0, le=60.0)
    max_wait_days: float = param(
        28.0, "days", "ASSUMPTION: after four weeks a waiting patient leaves on an interim package",
        "Longest delay before a waiting patient is discharged without the service.",
        gt=0.0, le=365.0)


GP_CORE_SCOPES = {
    "outside": "GP core services (GMS/PMS) sit outside the LCO's budget: every practice keeps its "
               "national contract, and the LCO neither receives nor pays for it",
    "fully_integrated": "GP core services of fully integrated practices sit inside the LCO's "
                        "budget (they give up their GMS/PMS contracts and the LCO pays for their "
                        "core services); other practices keep their national contracts outside it",
}
"""The contract scopes ``integration.contracts.gp_core_scope`` allows, each in words (the report
and workbook use these words, with the area's own note on its contract)."""


class ContractParams(Section):
    """Which practices take which contract: by voluntary adoption, or as contracted.

    Under ``assignment = "adoption"`` (the default) practices choose to integrate over time, one
    status step at a time, up to the scenario's ``level`` (see :class:`AdoptionParams`). Under
    ``"contracted"`` the LCO starts with its contracts signed: on day 0 the practices named in
    ``practices``, else a ``share`` of practices (or ``shares`` by contract), take their contract's
    status and keep it; there is no further adoption. Practices are chosen by a fixed random
    order, the same in every arm and seed-independent of the policy.
    """

    assignment: Literal["adoption", "contracted"] = param(
        "adoption", "-", "The seeds describe both: Manchester's practices joining over time "
        "[healthcare-leader-lco-tender-2017], Dudley's 38 of 45 practices contracted at once "
        "[gponline-dudley-2017]",
        "How practices come to integrate.")
    share: float = param(
        1.0, "share of practices", "Dudley MCP: 38 of 45 practices joined (0.84) "
        "[gponline-dudley-2017]; "
        "ASSUMPTION for other areas", "Under 'contracted': the share of practices on the LCO "
        "contract at the scenario's level (when ``shares`` and ``practices`` are empty).",
        ge=0.0, le=1.0)
    shares: dict[Literal["virtual", "partial", "full"], float] = param(
        {}, "share of practices by contract", "a planner's choice: 'some fully and some "
        "partially integrated' [hsj-dudley-tender-2017]",
        "Under 'contracted': the share of practices "
        "on each contract (sum at most 1); overrides ``share`` and ``level``.")
    practices: dict[Literal["virtual", "partial", "full"], list[int]] = param(
        {}, "practice numbers (1-based) by contract", "a planner's choice: the practices that "
        "signed", "Under 'contracted': exactly which practices hold each contract (numbers in "
        "the area's order at the run's structure); overrides ``shares``.")
    gp_core_scope: Literal["outside", "fully_integrated"] = param(
        "outside", "-", FROM_AREA + " ([healthcare-leader-lco-tender-2017]: Manchester's GPs keep "
        "their GMS and PMS contracts; [hsj-dudley-tender-2017]: Dudley's fully integrated "
        "practices move off their core GP contract, the others' core services are contracted "
        "separately)",
        "Whose GP core services (GMS/PMS) sit inside the LCO's budget: 'outside' = no practice's; "
        "'fully_integrated' = those of practices holding the fully integrated contract (their "
        "core cost, finance.gp_core_per_head x their list, joins both the budget and the spend). "
        "Accounting only: activity does not change.")

    def core_in_budget(self, status: int) -> bool:
        """Whether the GP core services of a practice at ``status`` (0..3) sit inside the budget.

        Example:
            >>> c = ContractParams(gp_core_scope="fully_integrated")
            >>> c.core_in_budget(3), c.core_in_budget(2), ContractParams().core_in_budget(3)
            (True, False, False)
        """
        return self.gp_core_scope == "fully_integrated" and status == PRACTICE_STATUS["full"]

    @field_validator("shares")
    @classmethod
    def _shares(cls, v: dict[str, float]) -> dict[str, float]:
        for level, share in v.items():
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"shares.{level} = {share} is outside 0..1")
        if sum(v.values()) > 1.0 + 1e-9:
            raise ValueError(f"shares must sum to at most 1, got {sum(v.values()):g}")
        return v

    @field_validator("practices")
    @classmethod
    def _practices(cls, v: dict[str, list[int]]) -> dict[str, list[int]]:
        seen: set[int] = set()
        for level, numbers in v.items():
            bad = [n for n in numbers if n < 1]
            if bad:
                raise ValueError(f"practices.{level}: practice numbers start at 1, got {bad}")
            twice = seen & set(numbers)
            if twice or len(set(numbers)) != len(numbers):
                raise ValueError(f"practices.{level}: practices {sorted(twice) or numbers} hold "
                                 "more than one contract")
            seen |= set(numbers)
        return v


class AdoptionParams(Section):
    """How GP practices choose to integrate, one status step at a time."""

    base_per_year: float = param(0.15, "per year", "ASSUMPTION", "Base hazard of stepping up.",
                                 ge=0.0, le=10.0)
    incentive_per_year: float = param(0.20, "per year", "ASSUMPTION: contract incentive",
                                      "Extra hazard from the LCO's incentive.", ge=0.0, le=10.0)
    peer_per_year: float = param(0.80, "per year at 100% of neighbours joined", "ASSUMPTION",
                                 "Extra hazard in proportion to the share of the neighbourhood's "
                                 "practices already at or above the next status.", ge=0.0, le=10.0)
    pressure_per_year: float = param(
        2.0, "per year at 100% unmet need", "ASSUMPTION",
        "Extra hazard in proportion to the practice's unmet-need share.", ge=0.0, le=100.0)
    max_share: float = param(0.84, "share of practices", "Dudley MCP: 38 of 45 practices "
                             "joined the preferred bidder [gponline-dudley-2017]",
                             "Share of practices willing to join "
                             "at all.", ge=0.0, le=1.0)


class IntegrationParams(Section):
    """The integration level (a preset) and the levers it acts through."""

    level: Literal["none", "virtual", "partial", "full"] = param(
        "none", "-", "MCP framework contract options [nhs-england-mcp-framework-2016]",
        "Highest status practices may adopt; 'none' is do nothing.")
    status_intensity: list[float] = param(
        [0.0, 0.3, 0.7, 1.0], "share of full lever strength",
        "ASSUMPTION: a virtual alliance shares goals only; a partially integrated practice has an "
        "extra contract; a fully integrated one joins the LCO [nhs-england-mcp-framework-2016]",
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
    enhanced_care_homes: EnhancedCareHomes = EnhancedCareHomes()
    end_of_life_care: EndOfLifeCare = EndOfLifeCare()
    adoption: AdoptionParams = AdoptionParams()
    contracts: ContractParams = ContractParams()
    levers: list[str] = param(
        [], "import paths", "a user's choice: none by default",
        "Extra levers beyond the built-in ones, as 'module:Class' or "
        "'file.py:Class' (see docs/extending.md); they run after the built-in levers, in this "
        "order.")
    lever_params: dict[str, dict[str, Any]] = param(
        {}, "-", "each extra lever's own Params (their sources are the lever author's)",
        "Parameters of the extra levers, by lever name (each lever validates its "
        "own; missing values take the lever's defaults).")

    @model_validator(mode="after")
    def _extra_levers(self) -> IntegrationParams:
        from simulation.levers import BUILT_IN, lever_class

        names = {cls.name for cls in BUILT_IN}
        for spec in self.levers:
            try:
                cls = lever_class(spec)
            except ValueError as exc:
                raise ValueError(f"levers: {exc}") from None
            if cls.name in names:
                raise ValueError(f"levers: two levers are named {cls.name!r}")
            names.add(cls.name)
            try:
                cls.Params.model_validate(self.lever_params.get(cls.name, {}))
            except ValidationError as exc:
                raise ValueError(f"lever_params.{cls.name}: "
                                 f"{describe_validation_error(exc)}") from None
        unknown = set(self.lever_params) - names
        if unknown:
            raise ValueError(f"lever_params: no lever named {sorted(unknown)}; name the lever's "
                             "class in integration.levers")
        return self

    @field_validator("status_intensity")
    @classmethod
    def _intensity(cls, v: list[float]) -> list[float]:
        if v[0] != 0.0 or any(x < 0 or x > 1 for x in v) or v != sorted(v):
            raise ValueError(f"status_intensity must start at 0, rise, and stay in 0..1; got {v}")
        return v


class Scenario(Section):
    """A complete, validated scenario: run settings and every model parameter."""

    area: str = param(..., "-", "simulation/areas/ (lco-sim areas lists them)",
                      "The area described: a shipped area's name or the path of an area file; "
                      "its values are the defaults of the place-specific parameters.", min_length=1)
    name: str = param(..., "-", "-", "A short name for the scenario (default: '<area>-baseline').",
                      min_length=1)
    run: RunParams = RunParams()
    population: PopulationParams
    demand: DemandParams = DemandParams()
    primary_care: PrimaryCareParams = PrimaryCareParams()
    community: CommunityParams = CommunityParams()
    hospitals: HospitalParams
    care_homes: CareHomeParams = CareHomeParams()
    social_care: SocialCareParams = SocialCareParams()
    end_of_life: EndOfLifeParams = EndOfLifeParams()
    hospice: HospiceParams = HospiceParams()
    integration: IntegrationParams = IntegrationParams()
    workforce: WorkforceParams = WorkforceParams()
    finance: FinanceParams = FinanceParams()

    @model_validator(mode="before")
    @classmethod
    def _area_defaults(cls, data: Any) -> Any:
        """Fill every place-specific value the scenario does not set from its area."""
        if not isinstance(data, dict):
            return data
        from simulation.areas import DEFAULT_AREA, area_scenario_data, load_area

        data = dict(data)
        data["area"] = data.get("area") or DEFAULT_AREA
        if not isinstance(data["area"], str):
            return data  # pydantic reports the wrong type
        return _merged(_only_listed_localities(area_scenario_data(load_area(data["area"])), data),
                       data)

    @model_validator(mode="after")
    def _sites_in_localities(self) -> Scenario:
        names = self.population.localities
        sites = [h.name for h in self.hospitals.sites]
        for i, site in enumerate(self.hospitals.sites):
            if site.locality not in names:
                raise ValueError(f"hospitals.sites[{i}].locality: {site.locality!r} is not one of "
                                 f"the localities {names}")
        for i, hood in enumerate(self.population.neighbourhoods):
            if hood.home_site and hood.home_site not in sites:
                raise ValueError(f"population.neighbourhoods[{i}].home_site: {hood.home_site!r} "
                                 f"is not one of the sites {sites}")
        for loc, site in self.hospitals.home_site_of_locality.items():
            if loc not in names or site not in sites:
                raise ValueError(f"hospitals.home_site_of_locality: {loc!r} -> {site!r} needs a "
                                 f"locality of {names} and a site of {sites}")
        return self

    def lever_params(self, name: str, params_class: type[LeverParams]) -> LeverParams:
        """The parameters of lever ``name``: a built-in section, or an extra lever's own."""
        section = getattr(self.integration, name, None)
        if isinstance(section, LeverParams):
            return section
        return params_class.model_validate(self.integration.lever_params.get(name, {}))

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
        weights = [h.weight for h in pop.neighbourhoods]
        smallest_share = min(weights) / sum(weights)
        needs = [MIN_PATIENTS_PER_NEIGHBOURHOOD / (pop.registered_patients * smallest_share)]
        needs += [1.0 / site.beds for site in self.hospitals.sites if site.beds > 0]
        value = max(needs)
        digits = 1 - int(math.floor(math.log10(value)))
        return math.ceil(value * 10**digits) / 10**digits

    # ----- construction helpers -------------------------------------------------------------
    @classmethod
    def preset(cls, level: str = "none", area: str | None = None, **run: Any) -> Scenario:
        """An area's scenario at an integration level, with optional run settings.

        Args:
            level: one of ``none``, ``virtual``, ``partial``, ``full``.
            area: an area name (``lco-sim areas``) or area file; the default area if ``None``.
            **run: fields of :class:`RunParams` (``years``, ``scale``, ``start_date`` ...).
        """
        from simulation.areas import DEFAULT_AREA, load_area

        area = area or DEFAULT_AREA
        return cls.from_dict({"area": area, "name": f"{load_area(area).name}-{level}",
                              "integration": {"level": level}, "run": run})

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, origin: str = "scenario") -> Scenario:
        """Validate a nested dict, raising :class:`ScenarioError` with a one-line message."""
        if isinstance(data.get("area"), str):
            from simulation.areas import load_area

            load_area(data["area"])  # an unknown or invalid area: its own one-line message
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ScenarioError(f"{origin}: {describe_validation_error(exc)}") from None

    def with_overrides(self, overrides: dict[str, Any]) -> Scenario:
        """A copy with dotted-path overrides applied, e.g. ``{"run.years": 3}``; validated.

        Overriding ``area`` resets every place-specific value to the new area's (the other
        overrides then apply on top).
        """
        data = self.model_dump()
        if "area" in overrides:
            from simulation.areas import AREA_PATHS

            for path in AREA_PATHS:
                *parents, leaf = path.split(".")
                node = get_dotted(data, ".".join(parents)) if parents else data
                node.pop(leaf)
            data["area"] = overrides["area"]
            data = Scenario.from_dict(data, origin="area").model_dump()
            overrides = {k: v for k, v in overrides.items() if k != "area"}
        for path, value in overrides.items():
            set_dotted(data, path, value)
        return Scenario.from_dict(data, origin="override")

    def to_toml(self) -> str:
        """The scenario as TOML text that :func:`load_scenario` reads back unchanged."""
        return dump_toml(self)


def _merged(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``top``'s values laid over it, table by table (``top`` wins)."""
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key not in _WHOLE:
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


def _only_listed_localities(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """The area's values without those of localities the scenario's own list leaves out.

    A scenario that lists only some of its area's localities (one locality of a partitioned area,
    :mod:`simulation.areas.partition`) keeps the area's values for those localities only; the
    tables keyed by locality would otherwise bring the others back when merged.
    """
    listed = (top.get("population") or {}).get("localities") if isinstance(
        top.get("population"), dict) else None
    if not isinstance(listed, list):
        return base
    keep = set(listed)
    base = {**base, "population": dict(base["population"]), "hospitals": dict(base["hospitals"])}
    for section, key in (("population", "deprivation_by_locality"),
                         ("hospitals", "home_site_of_locality")):
        base[section][key] = {k: v for k, v in base[section][key].items() if k in keep}
    return base


_WHOLE = {"age_shares"}
"""Tables an override replaces whole rather than key by key (an age table is one value)."""


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
        return (f"{loc}: unknown parameter (given {given!r}); check the spelling against "
                "docs/model.md")
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
            if v is None:  # TOML has no null: an unset optional parameter is left out
                continue
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
