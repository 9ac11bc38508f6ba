"""Green Book appraisal of each policy arm against "do nothing", paired by replication.

Inputs are yearly sums of the model's daily metrics for every arm and replication (see
:func:`yearly_from_daily`). Each replication of an arm is compared with the do-nothing replication
that used the same seed (common random numbers), year by year. Every flow is kept by kind, so the
net present value (NPV) decomposes exactly (:func:`decompose`):

* **programme costs** (estimates, not simulated): transformation and double running
  (:mod:`simulation.finance.programme`), each uplifted by the optimism bias of its category in the
  risk register (:mod:`simulation.finance.optimism`), shown separately;
* **activity costs** (simulated): the change in community, primary and social-care spend
  (activity x unit cost, funded capacity). Optimism bias is never applied to them. Primary care is
  valued as its activity (GP appointments at unit cost) in every arm, whatever the contract's
  scope: moving practices' core contracts into the LCO's budget is a transfer between budgets,
  not a cost (:func:`run_finance` keeps both views);
* **economic benefits**: hospital activity avoided (A&E attendances, short and long stays,
  delayed-discharge bed days), valued at its marginal cost, ``hospital_marginal_share`` of the
  average unit cost (1.0 = average cost, the sensitivity): capacity freed, which the Green Book
  counts although it releases no cash; and, when a ward closes, the rest of its cost
  (``1 - hospital_marginal_share`` of the cash it releases), its fixed costs;
* **cash-releasing benefits**: whole wards that actually close. A ward is a candidate when mean
  occupied beds fall below the do-nothing arm by ``ward_size`` beds (scaled); it closes only when
  the freed beds have persisted ``ward_min_years`` years, ``ward_closure_lag_years`` after that,
  and releases ``ward_bed_day`` a bed day only from the year it closes and while the beds stay
  freed (:func:`wards_closed`).

All money is in ``price_year`` prices (uprated with the NHS Cost Inflation Index,
:mod:`simulation.finance.prices`) and discounted to the same year, year 0 of the appraisal, at
``discount_rate`` (3.5%, [hm-treasury-discounting-2025]). The results are the NPV, benefit-cost
ratio (BCR = PV benefits / PV costs) and break-even year (first year in which cumulative
discounted net benefit is >= 0), each averaged over replications with a 95% t interval of the
paired differences. Economic and cash-releasing NPVs are alternatives, never added.

Example:
    >>> round(npv([-100.0, 50.0, 50.0, 50.0], 0.035), 2)
    40.08
    >>> break_even_year([-100.0, 50.0, 40.0, 30.0], 0.035)
    3
    >>> wards_closed([0, 1, 1, 1, 0, 2, 2, 2], min_years=2, lag_years=1)  # 2 years + 1 lag
    [0, 0, 0, 1, 0, 0, 0, 2]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulation.finance.costs import (
    GP_CORE_ITEMS,
    SECTORS,
    cost_items,
    cost_lines,
    quantities,
    sector_column,
    unit_costs,
)
from simulation.finance.ledger import (
    budget,
    integration_intensity,
    investment,
    lco_cost_lines,
    wards_closable,
)
from simulation.finance.optimism import rates as optimism_rates
from simulation.finance.params import FinanceParams
from simulation.finance.programme import PROGRAMME_ITEMS
from simulation.levers import lever_classes
from simulation.statistics import mean_ci

NON_HOSPITAL = tuple(s for s in SECTORS if s != "hospital")
HOSPITAL_BENEFITS = ("ae_attendance", "nel_short_stay", "nel_long_stay", "excess_bed_day")
"""Hospital activity whose avoidance is valued as economic benefit (the costed hospital items)."""


def wards_closed(candidates: Sequence[int], min_years: int, lag_years: int) -> list[int]:
    """Wards closed each year, from the wards the freed beds could close each year.

    A ward closes in year t only if it was a candidate in each of the ``min_years`` years of
    evidence (ending ``lag_years`` before t) and in every year since, t included: freed beds
    must persist before a trust closes a ward, closing takes time, and a ward whose beds are
    needed again reopens. So a ward freed for one year never closes (``min_years`` >= 2).
    """
    c = [int(x) for x in candidates]
    window = min_years + lag_years
    return [min(c[t - window + 1: t + 1]) if t - window + 1 >= 0 else 0 for t in range(len(c))]


def discount_factors(n_years: int, rate: float) -> np.ndarray:
    """Green Book factors 1 / (1 + r)^t for years t = 0 .. n-1 (year 0 is not discounted)."""
    return 1.0 / (1.0 + rate) ** np.arange(n_years)


def npv(flows: Sequence[float], rate: float) -> float:
    """Net present value of yearly flows starting in year 0."""
    flows = np.asarray(flows, float)
    return float((flows * discount_factors(len(flows), rate)).sum())


def break_even_year(net_flows: Sequence[float], rate: float) -> int | None:
    """First year (0-based) in which cumulative discounted net benefit reaches zero, else None."""
    flows = np.asarray(net_flows, float)
    cum = np.cumsum(flows * discount_factors(len(flows), rate))
    hit = np.flatnonzero(cum >= 0)
    return int(hit[0]) if len(hit) else None


def distinguishable(lo: float, hi: float) -> str:
    """'yes' if the interval excludes zero, 'no' if it includes zero, 'n/a' without an interval."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "n/a"
    return "yes" if lo > 0 or hi < 0 else "no"


def yearly_from_daily(daily: pd.DataFrame, keys: Sequence[str],
                      day_col: str = "day") -> pd.DataFrame:
    """Sum model-level daily metrics by model year.

    Args:
        daily: long rows with ``keys`` columns (e.g. arm, replication), a day column, ``metric``
            and ``value``; only model-level (``dimension == 'all'``) rows should be passed.
        keys: columns identifying one run.
        day_col: the column holding the day number (0 = first recorded day).

    Returns:
        Long rows: ``keys``, ``year``, ``metric``, ``value`` (sum over the year's days) and
        ``days`` (days recorded in that year).
    """
    d = daily[list(keys) + [day_col, "metric", "value"]].copy()
    d["year"] = (d[day_col].astype(int) // 365).astype(int)
    d["metric"] = d["metric"].astype(str)
    g = d.groupby(list(keys) + ["year", "metric"], observed=True)["value"]
    out = g.agg(value="sum", days="count").reset_index()
    return out


def run_finance(yearly: pd.DataFrame, scenario,
                finance: FinanceParams | None = None) -> pd.DataFrame:
    """Spend by sector, investment, budget and beds for each year of one run.

    The sector columns, ``total``, ``budget`` and ``gap`` are the LCO's account: primary care is
    the GP core of the practices whose core sits in its budget (``gp_core``, from the yearly sum
    of ``gp_core_patients``; 0 if the run did not keep it or the scenario's scope is
    ``outside``). ``gp_appointments`` is the cost of every practice's GP appointments, outside
    the account, which the appraisal values instead (:func:`economic_spend`).

    Args:
        yearly: rows of one run: ``year``, ``metric``, ``value`` (yearly sum), ``days``.
        scenario: the run's scenario (for contacts per case, integration level and scale).
        finance: finance assumptions to cost with (default: the scenario's own).
    """
    fp = finance or scenario.finance
    wide = yearly.pivot_table(index="year", columns="metric", values="value", aggfunc="sum")
    days = yearly.groupby("year")["days"].max()
    intensity = integration_intensity(scenario)
    items = cost_items(lever_classes(scenario))
    rows = []
    for year, sums in wide.iterrows():
        gp_patients = (float(np.nan_to_num(sums.get("gp_core_patients", 0.0))) / days[year]
                       if scenario.integration.contracts.gp_core_scope != "outside" else 0.0)
        lines = lco_cost_lines(cost_lines(quantities(sums.to_dict(), scenario, items), fp, items),
                               fp, gp_patients)
        by = lines[lines["in_budget"]].groupby("sector")["cost"].sum()
        population = float(sums["population"]) / days[year]
        gp_core = float(lines.loc[lines["item"] == "gp_core", "cost"].sum())
        row = {"year": int(year), "population": population,
               "budget": budget(fp, population, int(year)) + gp_core,
               "gp_core_patients": gp_patients, "gp_core": gp_core,
               "gp_appointments": float(lines.loc[lines["item"].isin(GP_CORE_ITEMS),
                                                  "cost"].sum()),
               "occupied_beds": float(sums["occupied_beds"]) / days[year],
               "bed_days": float(sums["occupied_beds"])}
        row.update({s: float(by.get(s, 0.0)) for s in SECTORS})
        row.update({f"cost_{i}": float(c) for i, c in zip(lines["item"], lines["cost"],
                                                           strict=True)})
        row.update(investment(fp, intensity, population, int(year)))
        row["total"] = (sum(row[s] for s in SECTORS) + row["transformation"]
                        + row["double_running"])
        row["gap"] = row["total"] - row["budget"]
        rows.append(row)
    return pd.DataFrame(rows)


def economic_spend(row, sector: str) -> float:
    """A sector's spend as the appraisal values it, from a row of :func:`run_finance`.

    Primary care is its activity at unit cost (every practice's GP appointments) instead of the GP
    core contracts in the LCO's budget; the other sectors are as in the LCO's account.
    """
    if sector == "primary":
        return row["primary"] - row["gp_core"] + row["gp_appointments"]
    return row[sector]


@dataclass
class Appraisal:
    """Per-replication flows and the summaries a business case needs."""

    flows: pd.DataFrame
    """One row per arm, replication and year: costs, benefits and net flows (undiscounted)."""
    runs: pd.DataFrame
    """One row per arm and replication: NPVs, BCRs, break-even years."""
    summary: pd.DataFrame
    """One row per arm: means and 95% intervals across replications."""


def appraise(yearly: pd.DataFrame, scenarios: dict, baseline: str,
             finance: FinanceParams | None = None) -> Appraisal:
    """Appraise every arm against ``baseline`` with paired replications.

    Args:
        yearly: long rows ``arm``, ``replication``, ``year``, ``metric``, ``value``, ``days``.
        scenarios: arm -> Scenario.
        baseline: the do-nothing arm.
        finance: finance assumptions for every arm (default: each arm's own scenario.finance).
    """
    if baseline not in scenarios:
        raise KeyError(f"baseline arm {baseline!r} is not among the arms {sorted(scenarios)}")
    flows = []
    for arm, scenario in scenarios.items():
        if arm == baseline:
            continue
        fp = finance or scenario.finance
        ward_day = unit_costs(fp)["ward_bed_day"]
        ob = optimism_rates(fp)
        ward_beds = fp.ward_size * scenario.run.scale
        for rep, runs in yearly[yearly["arm"].isin([arm, baseline])].groupby("replication"):
            a = runs[runs["arm"] == arm]
            b = runs[runs["arm"] == baseline]
            if a.empty or b.empty:
                continue
            fa = run_finance(a, scenario, fp).set_index("year")
            fb = run_finance(b, scenarios[baseline], fp).set_index("year")
            years = sorted(fa.index.intersection(fb.index))
            rows = []
            for y in years:
                ra, rb = fa.loc[y], fb.loc[y]
                row = {"arm": arm, "replication": rep, "year": int(y)}
                for item in PROGRAMME_ITEMS:
                    row[f"programme_{item}"] = ra[item] - rb[item]
                    row[f"optimism_bias_{item}"] = ob[item] * row[f"programme_{item}"]
                for sec in NON_HOSPITAL:
                    row[f"activity_{sector_column(sec)}"] = (economic_spend(ra, sec)
                                                                - economic_spend(rb, sec))
                for item in HOSPITAL_BENEFITS:
                    row[f"benefit_{item}"] = fp.hospital_marginal_share * (
                        rb.get(f"cost_{item}", 0.0) - ra.get(f"cost_{item}", 0.0))
                # hospital items a lever or a later version adds: kept in one line, so the
                # benefits always cover the whole hospital sector
                row["benefit_other_hospital"] = fp.hospital_marginal_share * (
                    rb["hospital"] - ra["hospital"]) - sum(row[f"benefit_{i}"]
                                                           for i in HOSPITAL_BENEFITS)
                row["beds_freed"] = rb["occupied_beds"] - ra["occupied_beds"]
                row["wards_closable"] = wards_closable(row["beds_freed"], fp, scenario.run.scale)
                row.update({f"delta_{sector_column(sec)}":
                            economic_spend(ra, sec) - economic_spend(rb, sec) for sec in SECTORS})
                rows.append(row)
            closed = wards_closed([r["wards_closable"] for r in rows], fp.ward_min_years,
                                  fp.ward_closure_lag_years)
            for row, w in zip(rows, closed, strict=True):
                row["wards_closed"] = w
                row["benefit_ward_closures"] = w * ward_beds * 365 * ward_day
                # a closed ward also releases its fixed costs, beyond the marginal cost of the
                # activity avoided already counted: the economic case counts that part too
                row["benefit_ward_fixed_costs"] = ((1 - fp.hospital_marginal_share)
                                                   * row["benefit_ward_closures"])
                _totals(row)
            flows.extend(rows)
    flows = pd.DataFrame(flows)
    rate = (finance.discount_rate if finance else None)
    runs = []
    for (arm, rep), f in flows.groupby(["arm", "replication"]) if len(flows) else []:
        r = rate if rate is not None else scenarios[arm].finance.discount_rate
        f = f.sort_values("year")
        pv_cost = npv(f["costs"], r)
        pv_econ, pv_cash = npv(f["benefits_economic"], r), npv(f["benefits_cash"], r)
        row = {"arm": arm, "replication": rep, "pv_costs": pv_cost,
               "pv_benefits_economic": pv_econ, "pv_benefits_cash": pv_cash,
               "npv_economic": pv_econ - pv_cost, "npv_cash": pv_cash - pv_cost,
               "bcr_economic": pv_econ / pv_cost if pv_cost > 0 else np.nan,
               "bcr_cash": pv_cash / pv_cost if pv_cost > 0 else np.nan,
               "break_even_economic": break_even_year(f["net_economic"], r),
               "break_even_cash": break_even_year(f["net_cash"], r)}
        row.update({f"pv_{c}": npv(f[c], r) for c in COMPONENTS})
        runs.append(row)
    runs = pd.DataFrame(runs)
    return Appraisal(flows, runs, summarise(runs))


COST_COMPONENTS = (*(f"programme_{i}" for i in PROGRAMME_ITEMS),
                   *(f"optimism_bias_{i}" for i in PROGRAMME_ITEMS),
                   *(f"activity_{sector_column(s)}" for s in NON_HOSPITAL))
"""Columns of :attr:`Appraisal.flows` that add up to ``costs``."""
ECONOMIC_COMPONENTS = (*(f"benefit_{i}" for i in HOSPITAL_BENEFITS), "benefit_other_hospital",
                       "benefit_ward_fixed_costs")
"""Columns that add up to ``benefits_economic``."""
CASH_COMPONENTS = ("benefit_ward_closures",)
"""Columns that add up to ``benefits_cash``."""
COMPONENTS = (*COST_COMPONENTS, *ECONOMIC_COMPONENTS, *CASH_COMPONENTS)


def _totals(row: dict) -> None:
    """Costs, benefits and net flows of a year from its components."""
    row["costs"] = sum(row[c] for c in COST_COMPONENTS)
    row["costs_before_ob"] = row["costs"] - sum(row[f"optimism_bias_{i}"]
                                                for i in PROGRAMME_ITEMS)
    row["benefits_economic"] = sum(row[c] for c in ECONOMIC_COMPONENTS)
    row["benefits_cash"] = sum(row[c] for c in CASH_COMPONENTS)
    row["net_economic"] = row["benefits_economic"] - row["costs"]
    row["net_cash"] = row["benefits_cash"] - row["costs"]


COMPONENT_LABELS = {
    "programme_transformation": ("programme cost", "transformation"),
    "programme_double_running": ("programme cost", "double running"),
    "optimism_bias_transformation": ("optimism bias", "on transformation"),
    "optimism_bias_double_running": ("optimism bias", "on double running"),
    "activity_community": ("activity cost (simulated)", "community services"),
    "activity_primary": ("activity cost (simulated)", "primary care (GP appointments)"),
    "activity_social_care": ("activity cost (simulated)", "social care"),
    "benefit_ae_attendance": ("economic benefit", "A&E attendances avoided"),
    "benefit_nel_short_stay": ("economic benefit", "short-stay admissions avoided"),
    "benefit_nel_long_stay": ("economic benefit", "long-stay admissions avoided"),
    "benefit_excess_bed_day": ("economic benefit", "delayed-discharge bed days avoided"),
    "benefit_other_hospital": ("economic benefit", "other hospital activity avoided"),
    "benefit_ward_fixed_costs": ("economic benefit",
                                 "fixed costs of wards closed (beyond marginal cost)"),
    "benefit_ward_closures": ("cash-releasing benefit", "wards closed"),
}
"""Kind and words of each component, for tables."""


def decompose(appraisal: Appraisal) -> pd.DataFrame:
    """Each arm's NPVs split into programme costs, optimism bias, activity costs and benefits.

    One row per arm and component: the mean over replications of its present value, signed as
    it enters the NPV (costs negative), with a 95% interval, and the NPVs it adds up to. The
    economic NPV is the sum of every row but the cash benefit; the cash NPV, of every cost row and
    the cash benefit.
    """
    runs = appraisal.runs
    rows = []
    for arm, r in runs.groupby("arm", sort=False) if len(runs) else []:
        for comp in COMPONENTS:
            kind, label = COMPONENT_LABELS[comp]
            sign = -1.0 if comp in COST_COMPONENTS else 1.0
            m, lo, hi = mean_ci(sign * r[f"pv_{comp}"])
            rows.append({"arm": arm, "kind": kind, "component": label, "column": comp,
                         "pv": m, "pv_lo": lo, "pv_hi": hi,
                         "in_npv": "cash" if comp in CASH_COMPONENTS
                         else "economic" if comp in ECONOMIC_COMPONENTS else "both"})
        for m_name, label in (("npv_economic", "NPV (economic)"), ("npv_cash", "NPV (cash)")):
            m, lo, hi = mean_ci(r[m_name])
            rows.append({"arm": arm, "kind": "total", "component": label, "column": m_name,
                         "pv": m, "pv_lo": lo, "pv_hi": hi, "in_npv": ""})
    return pd.DataFrame(rows)


SUMMARY_MEASURES = ("pv_costs", "pv_benefits_economic", "pv_benefits_cash", "npv_economic",
                    "npv_cash", "bcr_economic", "bcr_cash")


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean, 95% interval and whether it excludes zero, for each arm and measure."""
    rows = []
    for arm, r in runs.groupby("arm", sort=False) if len(runs) else []:
        row = {"arm": arm, "replications": len(r)}
        for m in SUMMARY_MEASURES:
            mean, lo, hi = mean_ci(r[m])
            row.update({m: mean, f"{m}_lo": lo, f"{m}_hi": hi})
            if m.startswith("npv"):
                row[f"{m}_differs_from_zero"] = distinguishable(lo, hi)
        for kind in ("economic", "cash"):
            be = r[f"break_even_{kind}"]
            hit = be.dropna()
            row[f"break_even_{kind}_median"] = float(hit.median()) if len(hit) == len(r) else None
            row[f"break_even_{kind}_share"] = len(hit) / len(r)
        rows.append(row)
    return pd.DataFrame(rows)
