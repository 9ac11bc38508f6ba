"""Calibration targets: published figures the ``none`` baseline must reproduce, and their measures.

Each :class:`Target` names a published figure, cited by key (:mod:`simulation.references`),
the band the model's value must fall in, and a function that measures the value on a finished run.
This module is the one definition of every England band: ``python -m simulation.calibration``,
``lco-sim validate`` (:mod:`simulation.validation_report`), ``lco-sim calibrate``
(:mod:`simulation.fitting`) and the tests all read it. A band is never wider than its source's
range (``source_range``); where a source gives only a point, the band is that point with the
tolerance stated beside it. Bands that had been widened beyond their source were narrowed to it
and keep the earlier band in ``widened_from``, so the change is on record; the model was not
re-tuned when they were, so some of them are not met (``band_basis`` says which rule each band
follows). The care-home and end-of-life targets use their sources' own ranges. Levels are
measured over the first recorded year; growth rates over all recorded years (needs 3 or more);
places of death and care-home rates over all recorded years (deaths are few at reduced scale).

:data:`TARGETS` are England's rates. An area file may carry figures of its own (``[[targets]]``,
see :class:`simulation.areas.AreaTarget`); :func:`targets_for_area` puts each in place of the
England target it ``replaces`` (or adds it), and every row of :func:`evaluate` says in ``basis``
whether it was checked against the area's own figure or England's. :func:`figures_not_found`
lists the England targets the area has no figure of its own for, with the area file's note.

Run as a script, it prints target, source, model value and whether it is met::

    python -m simulation.calibration --area dudley --scale 0.05 --years 3 --replications 2

Example:
    >>> from simulation.scenario import Scenario
    >>> from simulation.runner import run_scenario
    >>> run = run_scenario(Scenario.preset(scale=0.01, years=1), seed=1)
    >>> table = evaluate([run], targets=[t for t in TARGETS if t.key == "zero_day_share"])
    >>> table.loc[0, "target"], bool(0 < table.loc[0, "value"] < 1)
    ('Zero-day stays, share of emergency admissions', True)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulation.statistics import mean_ci

YEAR = 365

ENGLAND_DEATHS_BY_AGE = {"0-64": 0.15, "65-74": 0.18, "75-84": 0.28, "85+": 0.39}
"""Share of England's deaths in each age band, to standardise the model's places of death.

PHE, *Death in people aged 75 years and older in England in 2017* (2019): about half a million
deaths a year, two-thirds of them at ages 75+, a third of those at 90+. ASSUMPTION: the split of
the other third between 0-64 and 65-74, and of the two-thirds between 75-84 and 85+. The model's
population (Manchester's, say) dies younger than England's; the published places of death are
England's, so the model's shares by age band are weighted to England's deaths."""


@dataclass(frozen=True)
class Target:
    """A published figure and the band the model must reproduce."""

    key: str
    name: str
    unit: str
    published: str
    low: float
    high: float
    source: str
    tolerance: str
    measure: Callable[[RunMeasures], float]
    min_years: int = 1
    basis: str = "England"
    """Whose figure the band is: 'England' (national or regional rates) or the area's title."""
    period: str = ""
    """When the published figure was measured ('' = as stated in ``published``)."""
    source_range: tuple[float, float] | None = None
    """The source's own range where it states one (the band is then no wider than it); ``None``
    where the source gives a point, and the band is that point with the stated ``tolerance``."""
    widened_from: tuple[float, float] | None = None
    """The band used before it was narrowed to the source's range (it had been widened beyond the
    source); kept on record, never checked against."""

    @property
    def band_basis(self) -> str:
        """How the band follows from the source, in words (a column of every target table).

        >>> for t in TARGETS:
        ...     if t.key in ("gp_per_person", "mean_los"):
        ...         print(t.band_basis)
        the source's range (narrowed from 4.6-5.6)
        a published point with a stated tolerance
        """
        if self.source_range is None:
            return "a published point with a stated tolerance"
        if self.widened_from is None:
            return "the source's range"
        low, high = self.widened_from
        return f"the source's range (narrowed from {low:g}-{high:g})"


class RunMeasures:
    """Convenient views of one run's outputs for measuring targets."""

    def __init__(self, run):
        self.model = run.model
        res = run.results
        self.daily = res[res["dimension"] == "all"].pivot_table(
            index="day", columns="metric", values="value", observed=True)
        self.hospital = res[res["dimension"] == "hospital"]
        self.results = res
        self.episodes = run.episodes
        self.years = len(self.daily) // YEAR

    def year(self, k: int = 0) -> pd.DataFrame:
        """Daily model-level series for recorded year ``k`` (0-based)."""
        return self.daily.iloc[k * YEAR:(k + 1) * YEAR]

    def yearly_growth(self, metric: str) -> float:
        """Average yearly growth (%) from a log-linear fit to yearly totals."""
        totals = [self.year(k)[metric].sum() for k in range(self.years)]
        slope = np.polyfit(np.arange(self.years), np.log(totals), 1)[0]
        return float(np.expm1(slope) * 100)

    def yearly_rate_growth(self, metric: str) -> float:
        """Average yearly growth (%) of a yearly count per head (log-linear fit over years)."""
        rates = [self.year(k)[metric].sum() / self.year(k)["population"].mean()
                 for k in range(self.years)]
        slope = np.polyfit(np.arange(self.years), np.log(rates), 1)[0]
        return float(np.expm1(slope) * 100)

    def registered_population(self) -> float:
        """The registered population the run starts with, divided by its scale (whole area)."""
        return float(self.model.initial_size / self.model.scenario.run.scale)

    def per_1000(self, metric: str) -> float:
        """Yearly count per 1,000 population in the first recorded year."""
        y = self.year(0)
        return float(y[metric].sum() / y["population"].mean() * 1000)

    def closed_episodes(self, k: int = 0) -> pd.DataFrame:
        """Episodes admitted in year ``k`` that have ended."""
        e = self.episodes
        e = e[(e["admit_day"] >= k * YEAR) & (e["admit_day"] < (k + 1) * YEAR)]
        return e[e["discharge_day"] >= 0]

    def standardised_los(self, share_65_plus: float = 0.42) -> float:
        """Mean LOS of first-year admissions weighted to a given share aged 65+."""
        e = self.closed_episodes(0)
        older = e["age"] >= 65
        return float((1 - share_65_plus) * e.loc[~older, "los"].mean()
                     + share_65_plus * e.loc[older, "los"].mean())

    def gp_rate(self, lo: int, hi: int) -> float:
        """GP appointments per person per year for ages lo..hi (inclusive)."""
        m = self.model
        return float(m.gp_met_by_age[lo:hi + 1].sum() / m.person_days_by_age[lo:hi + 1].sum()
                     * 365.25)

    def total(self, metric: str) -> float:
        """Sum of a model-level metric over all recorded days."""
        return float(self.daily[metric].sum()) if metric in self.daily else float("nan")

    def by_age_band(self, metric: str) -> pd.Series:
        """Sum of a metric over all recorded days by age band (0-17 and 18-64 together)."""
        r = self.results
        x = r[(r["metric"] == metric) & (r["dimension"] == "age_band")]
        x = x.groupby("group", observed=True)["value"].sum()
        young = x.get("0-17", 0.0) + x.get("18-64", 0.0)
        return pd.Series({"0-64": young, **{g: x.get(g, 0.0) for g in ("65-74", "75-84", "85+")}})

    def death_place_share(self, metric: str, weights: dict | None = None) -> float:
        """Share of deaths (%) at a place, weighted by age band to England's deaths.

        Args:
            metric: ``deaths_in_hospital``, ``deaths_at_home``, ``deaths_in_care_home`` or
                ``deaths_in_hospice`` (or any death count with age-band breakdowns).
            weights: age band -> weight (default :data:`ENGLAND_DEATHS_BY_AGE`).
        """
        weights = weights or ENGLAND_DEATHS_BY_AGE
        place, deaths = self.by_age_band(metric), self.by_age_band("deaths")
        total = sum(weights.values())
        return float(sum(w * place[g] / deaths[g] for g, w in weights.items() if deaths[g] > 0)
                     / total * 100)

    def death_place_gradient(self, metric: str, younger: str = "75-84",
                             older: str = "85+") -> float:
        """Change in the share of deaths at a place from one age band to an older one (points).

        Positive when the older band dies there more often: ``deaths_in_care_home`` from 75-84
        to 85+ should be positive, ``deaths_in_hospital`` negative.
        """
        place, deaths = self.by_age_band(metric), self.by_age_band("deaths")
        if deaths[younger] == 0 or deaths[older] == 0:
            return float("nan")
        return float((place[older] / deaths[older] - place[younger] / deaths[younger]) * 100)

    def care_home_rate(self, metric: str) -> float:
        """Events of care-home residents per resident-year (places held by residents)."""
        return self.total(metric) / (self.total("care_home_places_occupied") / 365.25)

    def care_home_share_65(self) -> float:
        """Care-home residents' share (%) of emergency admissions of people aged 65+."""
        older = self.by_age_band("emergency_admissions")[["65-74", "75-84", "85+"]].sum()
        return self.total("care_home_admissions") / older * 100

    def staff_per_100k(self, role: str) -> float:
        """Mean staff in post of ``role`` in the first recorded year per 100,000 registered."""
        r = self.results
        rows = r[(r["metric"] == "staff_in_post") & (r["dimension"] == "role")
                 & (r["group"] == role) & (r["day"] < YEAR)]
        if rows.empty:
            return float("nan")
        return float(rows["value"].mean()) / self.model.initial_size * 1e5

    def winter_occupancy(self) -> float:
        """Mean occupied over base beds in December to February, over every recorded winter.

        The published range covers winters 2016/17 to 2022/23, so all winters count; at reduced
        scale one winter alone varies by several points between seeds.
        """
        d = self.daily
        dates = self.model.dates[: len(d)]
        winter = np.asarray(dates.month.isin([12, 1, 2]))
        base = sum(h.beds for h in self.model.hospitals)
        return float(d["occupied_beds"].to_numpy()[winter].mean() / base)


TARGETS: tuple[Target, ...] = (
    Target("admissions_per_1000", "Emergency admissions per 1,000 per year", "per 1,000/yr",
           "~108 England crude (2017/18); 90-95 CCG average (2013)", 95, 108,
           "Crude rate derived as 6.02m admissions [steventon-2018] / 55.6m people "
           "[ons-england-population-2024]; CCG rate [morciano-2021]; Manchester has 'high numbers "
           "of emergency admissions' [cqc-manchester-2017]",
           "the published figures, 90 (CCG average) to 108 (England crude); the lower bound 95 "
           "kept from the earlier band (never widened)",
           lambda r: r.per_1000("emergency_admissions"), source_range=(90, 108),
           widened_from=(95, 125)),
    Target("admissions_growth", "Growth of emergency admissions, no integration", "%/yr",
           "3-3.5%/yr", 3.0, 3.5,
           "3.2%/yr 2006/07-2017/18 [steventon-2018]; +3.2% rest of England 2016/17 "
           "[nhs-england-next-steps-2017]",
           "the published range as stated",
           lambda r: r.yearly_growth("emergency_admissions"), min_years=3,
           source_range=(3.0, 3.5), widened_from=(2.5, 4.0)),
    Target("bed_days_growth", "Growth of emergency bed days, no integration", "%/yr",
           "~0.3%/yr", -1.0, 1.5, "+0.3%/yr 2006/07-2017/18 [steventon-2018]",
           "+-1.2 points: bed days respond to occupancy limits and delays",
           lambda r: r.yearly_growth("occupied_beds"), min_years=3),
    Target("zero_day_share", "Zero-day stays, share of emergency admissions", "share",
           "~1/3", 0.28, 0.38, "Zero-day (no overnight) stays, 2017/18 [steventon-2018]",
           "+-5 points",
           lambda r: (r.year(0)["zero_day_admissions"].sum()
                      / r.year(0)["emergency_admissions"].sum())),
    Target("ae_per_1000", "A&E attendances per 1,000 per year", "per 1,000/yr",
           "276 England all types (2017/18); 307 North West type 1 (2012/13)", 276, 307,
           "A&E attendance rate [nhs-digital-ae-activity-2018]; type 1 rate by region "
           "[hscic-ae-rates-2014]",
           "the two published figures as the range", lambda r: r.per_1000("ae_attendances"),
           source_range=(276, 307), widened_from=(250, 340)),
    Target("ae_conversion", "A&E attendances admitted", "share", "23% (all) to 29% (major)",
           0.23, 0.29,
           "23% of all attendances [hscic-ae-journey-2014]; 29% of major A&E [steventon-2018]",
           "the published range as stated",
           lambda r: r.year(0)["ae_admissions"].sum() / r.year(0)["ae_attendances"].sum(),
           source_range=(0.23, 0.29), widened_from=(0.22, 0.30)),
    Target("gp_per_person", "GP practice appointments per person per year", "per person/yr",
           "5.2 (GPAD 2019); 4.7-5.5 consultations (2007-14)", 4.7, 5.5,
           "312m appointments [nhs-digital-gpad-2020] / 60.0m patients [gponline-practices-2019]; "
           "crude consultation rate 4.67-5.16 [hobbs-2016]",
           "the published range as stated",
           lambda r: r.per_1000("gp_appointments_met") / 1000, source_range=(4.7, 5.5),
           widened_from=(4.6, 5.6)),
    Target("gp_85_89", "GP appointments at ages 85-89", "per person/yr", "13.3-13.8 (2008)",
           13.3, 13.8, "Ages 85-89, QResearch [hippisley-cox-2009]",
           "the published range as stated (ages 85-89 are few at reduced scale: the interval "
           "across seeds shows the noise)", lambda r: r.gp_rate(85, 89),
           source_range=(13.3, 13.8), widened_from=(12.0, 15.0)),
    Target("gp_5_14", "GP appointments at ages 5-14", "per person/yr", "1.07-1.22 (2017)",
           1.07, 1.22, "Children 5-9 and 10-14, CPRD [ruzangi-2020]",
           "the published range as stated", lambda r: r.gp_rate(5, 14),
           source_range=(1.07, 1.22), widened_from=(0.95, 1.40)),
    Target("gp_infants", "GP appointments in the first year of life", "per person/yr",
           "6.72 (2017)", 5.8, 7.6, "Infants, CPRD [ruzangi-2020]",
           "+-13% (few infants at reduced scale)", lambda r: r.gp_rate(0, 0)),
    Target("mean_los", "Mean length of stay, emergency admissions (England age mix)", "days",
           "7.9 (2019)", 7.2, 8.6,
           "Mean LOS of emergency admissions [health-foundation-los-2023]; standardised to "
           "England's 42% of emergency admissions aged 65+ (derived from [wolters-2019] and "
           "[nao-2018]) because Manchester's admissions are younger",
           "+-9%", lambda r: r.standardised_los()),
    Target("los_85_plus", "Mean length of stay, emergency admissions aged 85+", "days",
           "10.8 (2019)", 9.7, 11.9, "Mean LOS of emergency admissions aged 85+ "
           "[health-foundation-los-2023]", "+-10%",
           lambda r: r.closed_episodes(0).query("age >= 85")["los"].mean()),
    Target("winter_occupancy", "G&A bed occupancy in winter", "share of base beds",
           "91-96% (winters 2016/17-2022/23), mean of all recorded winters", 0.91, 0.96,
           "Winter G&A occupancy [hsj-winter-beds-2017] [hsj-bed-occupancy-2018] "
           "[nationalworld-bed-occupancy-2023]",
           "the published range as stated",
           lambda r: r.winter_occupancy(), source_range=(0.91, 0.96),
           widened_from=(0.90, 0.97)),
    Target("dtoc_share", "Delayed-discharge share of occupied bed days", "share",
           "target <=3.5%; actual >5% (2017)", 0.05, 0.07,
           "Delayed transfers' share of bed days [kings-fund-dtoc-2018]",
           "the published actual, above 5%, to 7% (the upper bound kept from the earlier band; "
           "3.5% is the national target, not what was measured)",
           lambda r: (r.year(0)["delayed_discharge_bed_days"].sum()
                      / r.year(0)["occupied_beds"].sum()),
           source_range=(0.05, 0.07), widened_from=(0.035, 0.07)),
    Target("readmission_30d", "Emergency readmissions within 30 days", "share of admissions",
           "6.6-7%", 0.066, 0.070, "Risk-adjusted 30-day readmission rate [friebel-2018]",
           "the published range as stated",
           lambda r: r.year(0)["readmissions_30d"].sum() / r.year(0)["emergency_admissions"].sum(),
           source_range=(0.066, 0.070), widened_from=(0.060, 0.075)),
    Target("care_home_admission_rate", "Care-home residents' emergency admissions",
           "per resident-year", "0.70 (permanent residents, 2016/17) to 1.04 (new residents)",
           0.70, 1.04, "Permanent residents aged 65+ [wolters-2019]; new residents aged 65+ "
           "[lloyd-2019] (Table 5)",
           "none: the source's own range",
           lambda r: r.care_home_rate("care_home_admissions"),
           source_range=(0.7, 1.04)),
    Target("care_home_ae_rate", "Care-home residents' A&E attendances", "per resident-year",
           "0.98 (permanent residents, 2016/17) to 1.44 (new residents)", 0.98, 1.44,
           "[wolters-2019] [lloyd-2019] (Table 5)", "none: the source's own range",
           lambda r: r.care_home_rate("care_home_ae_attendances"),
           source_range=(0.98, 1.44)),
    Target("care_home_share_65", "Care homes' share of emergency admissions aged 65+", "%",
           "7.9% (192,000) from 2.8% of people aged 65+ at 0.70 admissions a resident-year "
           "(2016/17)", 7.9, 11.7,
           "[wolters-2019] [lloyd-2019]", "derived: the upper end carries the residents' rate "
           "range "
           "(0.70-1.04) to the share, 7.9% x 1.04 / 0.70", lambda r: r.care_home_share_65()),
    Target("deaths_in_hospital", "Deaths in hospital (England's age mix)", "% of deaths",
           "46.9% (2016), 43.4% (2022)", 43.4, 46.9,
           "[phe-end-of-life-profiles-2018] "
           "[ohid-end-of-life-profile-2023]",
           "none: the two published years; shares weighted by age band to England's deaths",
           lambda r: r.death_place_share("deaths_in_hospital"),
           source_range=(43.4, 46.9)),
    Target("deaths_at_home", "Deaths at home (England's age mix)", "% of deaths",
           "23.5% (2016), 24.4% (2019), 28.7% "
           "(2022)", 23.5, 28.7, "[phe-end-of-life-profiles-2018] [ohid-end-of-life-profile-2023]",
           "none: the published years", lambda r: r.death_place_share("deaths_at_home"),
           source_range=(23.5, 28.7)),
    Target("deaths_in_care_home", "Deaths in care homes (England's age mix)", "% of deaths",
           "21.8% (2016), 20.5% (2022)", 20.5, 21.8, "[phe-end-of-life-profiles-2018] "
           "[ohid-end-of-life-profile-2023]",
           "none: the two published years",
           lambda r: r.death_place_share("deaths_in_care_home"),
           source_range=(20.5, 21.8)),
    Target("deaths_in_hospice", "Deaths in hospices (England's age mix)", "% of deaths",
           "5.7% (2016), 4.7% (2022)", 4.7, 5.7, "[phe-end-of-life-profiles-2018] "
           "[ohid-end-of-life-profile-2023]",
           "none: the two published years", lambda r: r.death_place_share("deaths_in_hospice"),
           source_range=(4.7, 5.7)),
    Target("deaths_in_hospital_75plus", "Deaths in hospital at ages 75+", "% of deaths 75+",
           "45.6% (2017); 43.9% in the least and 50.3% in the most deprived areas", 43.9, 50.3,
           "[phe-older-people-died-hospital-2019]",
           "none: the published range over deprivation (75-84 and 85+ weighted to England's "
           "deaths)",
           lambda r: r.death_place_share("deaths_in_hospital",
                                         {"75-84": ENGLAND_DEATHS_BY_AGE["75-84"],
                                          "85+": ENGLAND_DEATHS_BY_AGE["85+"]}),
           source_range=(43.9, 50.3)),
    Target("hospital_deaths_fall_with_age", "Share of deaths in hospital, 85+ minus 75-84",
           "points", "falls with age among people aged 75+ (2017; no shares by band published)",
           -100.0, 0.0, "[phe-older-people-died-hospital-2019]",
           "none: the source states the direction only, so the band is every fall",
           lambda r: r.death_place_gradient("deaths_in_hospital"), source_range=(-100.0, 0.0)),
    Target("care_home_deaths_rise_with_age", "Share of deaths in care homes, 85+ minus 75-84",
           "points", "rises with age: 61% of centenarians die in care homes against 21-22% of "
           "all deaths (2001-10)", 0.0, 100.0, "[evans-2014] [phe-end-of-life-profiles-2018]",
           "none: the sources give the direction only, so the band is every rise",
           lambda r: r.death_place_gradient("deaths_in_care_home"), source_range=(0.0, 100.0)),
    Target("deaths_3plus_admissions_90d", "People who died with 3+ emergency admissions in their "
           "last 90 days", "% of deaths", "5.6% (2009) to 7.5% (2018); 7.1% (2021); 6.2% (2022)",
           5.6, 7.5, "[nuffield-trust-end-of-life-2021] [nuffield-trust-end-of-life-2023] "
           "[ohid-end-of-life-profile-2023]", "none: the published years",
           lambda r: r.total("deaths_3plus_admissions_90d") / r.total("deaths") * 100,
           source_range=(5.6, 7.5)),
    Target("care_home_deaths_temporary", "Care-home deaths of temporary residents",
           "% of care-home deaths", "36.6% (2019), 41.2% (2022)", 36.6, 41.2,
           "[ohid-end-of-life-profile-2023]",
           "none: the two published years",
           lambda r: r.total("deaths_care_home_temporary") / r.total("deaths_in_care_home")
           * 100,
           source_range=(36.6, 41.2)),
    # Staff per 100,000 by role (simulation.workforce): the staff behind the capacities.
    Target("staff_community_nurses", "Community nurses in post per 100,000", "FTE per 100,000",
           "35,432 FTE community health nurses, England, October 2017", 59.0, 63.7,
           "35,432 FTE [parliament-community-nurses-2018] over 60.0m registered patients "
           "[gponline-practices-2019] (59.0) or 55.6m residents [ons-england-population-2024] "
           "(63.7); district nurses, a part of them, fell 43% in ten years to 4,031 "
           "[qni-district-nursing-2019]",
           "the published count over the two published denominators",
           lambda r: r.staff_per_100k("community_nurse"), source_range=(59.0, 63.7)),
    Target("staff_care_workers", "Home-care workers in post per 100,000", "filled posts per "
           "100,000", "about 587,000 domiciliary care filled posts, England, 2023/24",
           978.0, 1056.0,
           "Independent-sector domiciliary care filled posts up 43,000 (7.9%) in 2023/24, so "
           "about 587,000 [hca-skills-for-care-2024], over 60.0m registered "
           "[gponline-practices-2019] (978) or 55.6m residents [ons-england-population-2024] "
           "(1,056)", "the published count over the two published denominators",
           lambda r: r.staff_per_100k("care_worker"), source_range=(978.0, 1056.0)),
    Target("staff_gps", "Fully qualified GPs in post per 100,000", "FTE per 100,000",
           "0.45 FTE per 1,000 patients (September 2022); 27,368 FTE (October 2023)", 44.5, 45.6,
           "0.45 per 1,000 [bmjopen-gp-trends-2024] (44.5-45.5 as rounded); 27,368 FTE "
           "[bma-gp-pressures-2023] over 60.0m registered [gponline-practices-2019] (45.6)",
           "the published figures (the rounding of 0.45, and the count over the patients)",
           lambda r: r.staff_per_100k("gp"), source_range=(44.5, 45.6)),
)
"""The baseline targets (England's rates), each with its source, band and how it is measured."""

MEASURES: dict[str, Callable[[RunMeasures], float]] = {
    **{t.key: t.measure for t in TARGETS},
    "admission_rate_growth": lambda r: r.yearly_rate_growth("emergency_admissions"),
    "bed_day_rate_growth": lambda r: r.yearly_rate_growth("occupied_beds"),
    "registered_population": lambda r: r.registered_population(),
}
"""How an area's own target is measured, by the name its ``measure`` gives: every England
target's measure under its key, and per-head growth rates and the registered population, the
forms in which local figures are published."""


def _area(area: str | None):
    from simulation.areas import DEFAULT_AREA, load_area

    return load_area(area or DEFAULT_AREA)


def targets_for_area(area: str | None = None) -> tuple[Target, ...]:
    """England's targets with the area's own figures in place of those they replace, then added.

    Args:
        area: an area name or file; the default area if ``None``.

    Raises:
        simulation.areas.AreaError: an unknown area, or an area target whose ``measure`` or
            ``replaces`` names nothing known (one line).

    Example:
        >>> [(t.key, t.basis) for t in targets_for_area("dudley") if t.basis != "England"][0]
        ('dudley_admission_rate_growth', 'Dudley')
        >>> {t.basis for t in targets_for_area("manchester")}
        {'England'}
    """
    from simulation.areas import AreaError

    place = _area(area)
    england = {t.key for t in TARGETS}
    own: dict[str, Target] = {}
    added: list[Target] = []
    for i, a in enumerate(place.targets):
        if a.measure not in MEASURES:
            raise AreaError(f"{place.name}: targets[{i}].measure: {a.measure!r} is not a "
                            f"measure; expected one of {', '.join(sorted(MEASURES))}")
        if a.replaces and a.replaces not in england:
            raise AreaError(f"{place.name}: targets[{i}].replaces: {a.replaces!r} is not an "
                            f"England target; expected one of {', '.join(sorted(england))}")
        target = Target(a.key, a.name, a.unit, a.published, a.low, a.high, a.source,
                        a.tolerance, MEASURES[a.measure], a.min_years, basis=place.title,
                        period=a.period, source_range=(a.low, a.high))
        if a.replaces:
            own[a.replaces] = target
        else:
            added.append(target)
    return tuple(own.get(t.key, t) for t in TARGETS) + tuple(added)


def figures_not_found(area: str | None = None) -> pd.DataFrame:
    """The England targets the area has no figure of its own for, with the area file's note.

    Columns: ``key``, ``target`` (its name) and ``note`` (where a figure was looked for, or why
    one found cannot serve; a plain statement when the area file says nothing).

    >>> table = figures_not_found("dudley")
    >>> "admissions_growth" in set(table["key"]), "admissions_per_1000" in set(table["key"])
    (False, True)
    """
    place = _area(area)
    replaced = {t.replaces for t in place.targets if t.replaces}
    rows = [{"key": t.key, "target": t.name,
             "note": place.figures_not_found.get(
                 t.key, f"no {place.title} figure in the reference or the seeds")}
            for t in TARGETS if t.key not in replaced]
    return pd.DataFrame(rows, columns=["key", "target", "note"])


def _mean_interval(values: list[float]) -> tuple[float, float, float]:
    """Mean and 95% t-interval over runs; NaN if any run could not measure the target."""
    if not values or not np.all(np.isfinite(values)):
        return (np.nan, np.nan, np.nan)
    return mean_ci(values)


def evaluate(runs: list, targets: tuple[Target, ...] | list[Target] = TARGETS) -> pd.DataFrame:
    """Measure every target on every run; mean, 95% t-interval over runs, and whether it is met.

    A target is met when the mean over runs lies in ``[low, high]``. Targets that need more
    recorded years than the runs have are reported with ``met`` = NA. ``basis`` says whose
    figure each band is (see :func:`targets_for_area`).
    """
    measures = [RunMeasures(r) for r in runs]
    rows = []
    for t in targets:
        if measures[0].years < t.min_years:
            values = []
        else:
            values = [float(t.measure(m)) for m in measures]
        n = len(values)
        mean, ci_low, ci_high = _mean_interval(values)
        rows.append({"key": t.key, "target": t.name, "unit": t.unit, "published": t.published,
                     "low": t.low, "high": t.high, "value": mean, "ci_low": ci_low,
                     "ci_high": ci_high, "n_runs": n,
                     "met": (t.low <= mean <= t.high) if n else pd.NA,
                     "source": t.source, "tolerance": t.tolerance, "basis": t.basis,
                     "period": t.period, "band_basis": t.band_basis})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class EffectTarget:
    """A published pattern of the effect of integration on emergency admissions vs do nothing."""

    key: str
    name: str
    levels: tuple[str, ...]
    low: float
    high: float
    unit: str
    source: str
    measure: Callable[[pd.Series, pd.Series], float]  # (arm yearly admissions, baseline yearly)
    min_years: int = 3


def _growth(series: pd.Series) -> float:
    slope = np.polyfit(np.arange(len(series)), np.log(series.to_numpy()), 1)[0]
    return float(np.expm1(slope) * 100)


def _relative(arm: pd.Series, base: pd.Series, years: slice) -> float:
    return float(((arm.to_numpy() / base.to_numpy() - 1) * 100)[years].mean())


EFFECT_TARGETS: tuple[EffectTarget, ...] = (
    EffectTarget("growth_slower", "Admissions grow more slowly than do nothing (MCP/PACS style)",
                 ("partial", "full"), 0.5, 3.0, "percentage points per year",
                 "1.1-2.1 points (PACS/MCP 2016/17) [nhs-england-next-steps-2017], "
                 "~1.4 (vanguards 2014/15-2017/18) [nhs-england-long-term-plan-2019], "
                 "0.6-1.1 a year (Pioneer/Vanguard DiD 2013-18) [morciano-2021]; band 0.5-3",
                 lambda arm, base: _growth(base) - _growth(arm)),
    EffectTarget("growth_slower_virtual", "Virtual alliance: growth difference small",
                 ("virtual",), -0.5, 1.5, "percentage points per year",
                 "MCP/PACS programmes slowed growth by 1-2 points [nhs-england-next-steps-2017]; a "
                 "loose alliance is weaker (ASSUMPTION: band)",
                 lambda arm, base: _growth(base) - _growth(arm)),
    EffectTarget("early_effect", "Effect in the first two years close to zero",
                 ("virtual", "partial", "full"), -1.5, 1.5, "% change in admissions",
                 "Effects close to zero for about 2 years [health-foundation-iau-2021]",
                 lambda arm, base: _relative(arm, base, slice(0, 2)), min_years=2),
    EffectTarget("no_early_fall", "No fall of more than 5% within 3 years",
                 ("virtual", "partial", "full"), -5.0, 5.0, "% change in admissions, year 3",
                 "A whole-population fall of more than 5% within 2-3 years is more optimistic than "
                 "any published result [morciano-2021] [nhs-england-long-term-plan-2019] "
                 "[hsj-vanguards-2018]", lambda arm, base: _relative(arm, base,
                                                                                      slice(2, 3))),
    EffectTarget("effect_emerges_late", "Reductions appear later (years 5+) rather than early",
                 ("partial", "full"), 0.5, 100.0, "points: year 1-2 change minus year 5+ change",
                 "Reductions emerge only after 4.5-6 years [health-foundation-iau-2021]",
                 lambda arm, base: _relative(arm, base, slice(0, 2))
                 - _relative(arm, base, slice(4, None)), min_years=6),
)
"""Patterns of the integration effect (target groups 2-3 of the validation report)."""


def yearly_admissions(run) -> pd.Series:
    """Emergency admissions per recorded year of a run."""
    d = run.results
    d = d[(d["dimension"] == "all") & (d["metric"] == "emergency_admissions")]
    return d.groupby(d["day"] // YEAR)["value"].sum()


def evaluate_effects(runs: dict[str, list]) -> pd.DataFrame:
    """Measure the effect targets for each level against ``runs['none']`` paired by position.

    Args:
        runs: level name -> runs; the i-th run of every level must use the same seed (CRN).
    """
    base = [yearly_admissions(r) for r in runs["none"]]
    years = min(len(b) for b in base)
    rows = []
    for t in EFFECT_TARGETS:
        for level in t.levels:
            if level not in runs:
                continue
            values = ([t.measure(yearly_admissions(r), b)
                       for r, b in zip(runs[level], base, strict=True)]
                      if years >= t.min_years else [])
            n = len(values)
            mean, ci_low, ci_high = _mean_interval(values)
            rows.append({"key": t.key, "level": level, "target": t.name, "unit": t.unit,
                         "low": t.low, "high": t.high, "value": mean, "ci_low": ci_low,
                         "ci_high": ci_high, "n_runs": n,
                         "met": (t.low <= mean <= t.high) if n else pd.NA, "source": t.source})
    return pd.DataFrame(rows)


def run_levels(scale: float, years: int, seeds: list[int],
               levels: tuple[str, ...] = ("none", "virtual", "partial", "full")) -> dict:
    """Runs of each integration level with the same seeds (common random numbers)."""
    from simulation.runner import run_scenario
    from simulation.scenario import Scenario

    return {lv: [run_scenario(Scenario.preset(lv, scale=scale, years=years), s,
                              record_episodes=False) for s in seeds] for lv in levels}


def run_baseline(scale: float, years: int, replications: int, seed: int = 1,
                 progress: bool = False, area: str | None = None) -> list:
    """Replications of the area's ``none`` baseline (seeds ``seed``, ``seed + 1``, ...)."""
    from simulation.runner import run_scenario
    from simulation.scenario import Scenario

    scenario = Scenario.preset("none", area=area, scale=scale, years=years)
    return [run_scenario(scenario, seed + i, progress=progress) for i in range(replications)]


def pass_counts(runs: list, targets: tuple[Target, ...] | list[Target] = TARGETS) -> pd.DataFrame:
    """For each target, on how many of the runs (one per seed) its value lies in the band.

    A count per seed, not a verdict on the mean: it shows how often one run of the model meets
    each figure. Columns: ``key``, ``target``, ``basis``, ``low``, ``high``, ``passed``,
    ``evaluated`` (runs long enough to measure it), ``min`` and ``max`` of the per-run values.
    """
    measures = [RunMeasures(r) for r in runs]
    rows = []
    for t in targets:
        per_run = [float(t.measure(m)) for m in measures if m.years >= t.min_years]
        values = [v for v in per_run if np.isfinite(v)]
        rows.append({"key": t.key, "target": t.name, "basis": t.basis, "low": t.low,
                     "high": t.high, "band_basis": t.band_basis,
                     "passed": sum(t.low <= v <= t.high for v in values),
                     "evaluated": len(values), "min": min(values, default=np.nan),
                     "max": max(values, default=np.nan)})
    return pd.DataFrame(rows)


def format_table(table: pd.DataFrame) -> str:
    """The evaluated targets as plain text: band, value, verdict, whose figure and its source."""
    show = table.assign(checked_against=table["basis"].map(
        lambda b: "England's rate" if b == "England" else f"{b}'s own figure"))
    show = show[["target", "published", "low", "high", "value", "ci_low", "ci_high", "met",
                 "checked_against", "source"]]
    with pd.option_context("display.width", 250, "display.max_colwidth", 70,
                           "display.float_format", "{:.3f}".format):
        return show.to_string(index=False)


def main(argv: list[str] | None = None) -> int:
    """Print the area's calibration table; exit 1 if any target is not met, 2 on bad input."""
    from simulation.scenario import ScenarioError

    p = argparse.ArgumentParser(prog="python -m simulation.calibration",
                                description="Check an area's baseline against its own published "
                                "figures, and England's rates where it has none.")
    p.add_argument("--area", help="area name or file (default: the default area; lco-sim areas "
                   "lists them)")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--years", type=int, default=3)
    p.add_argument("--replications", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--per-seed", action="store_true", help="also count, for each target, the "
                   "replications (one seed each) whose own value is in the band")
    a = p.parse_args(argv)
    try:
        targets = targets_for_area(a.area)
        missing = figures_not_found(a.area)
        runs = run_baseline(a.scale, a.years, a.replications, a.seed, progress=True, area=a.area)
    except ScenarioError as exc:  # an unknown area or a bad setting: one line, no traceback
        print(f"calibration: error: {exc}", file=sys.stderr)
        return 2
    table = evaluate(runs, targets)
    title = _area(a.area).title
    print(format_table(table))
    missed = table[table["met"] == False]  # noqa: E712 (NA-aware)
    print(f"\n{int((table['met'] == True).sum())} of {len(table)} targets met")  # noqa: E712
    if a.per_seed:
        counts = pass_counts(runs, targets)
        print(f"\nRuns in the band, of {len(runs)} (seeds {a.seed}-{a.seed + len(runs) - 1}):")
        with pd.option_context("display.width", 200, "display.float_format", "{:.3f}".format):
            print(counts.drop(columns="target").to_string(index=False))
    print(f"\nNo {title} figure of its own, so checked against England's rate:")
    for _, row in missing.iterrows():
        print(f"- {row['target']}: {row['note']}")
    return 1 if len(missed) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
