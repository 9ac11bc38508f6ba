"""The evidence pack's tables, each a DataFrame (numbers, not formatted text).

Money is in pounds at the finance price year and, like activity, for the full population.
Intervals are 95% t intervals across replications of the paired (arm minus do-nothing) values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from simulation.areas import load_area
from simulation.finance.appraisal import (
    COMPONENTS,
    Appraisal,
    decompose,
    discount_factors,
    distinguishable,
    run_finance,
)
from simulation.finance.costs import NOT_MODELLED, SECTORS, unit_cost_table
from simulation.finance.ledger import share_savings
from simulation.finance.optimism import rates as optimism_rates
from simulation.finance.optimism import register_table
from simulation.finance.prices import index_table
from simulation.finance.programme import programme_table
from simulation.finance.switching import switching_values
from simulation.references import cited_keys, format_reference, load_references
from simulation.report.data import ExperimentData
from simulation.scenario import GP_CORE_SCOPES, Scenario
from simulation.statistics import mean_ci

ACTIVITY = {"ae_attendances": "A&E attendances", "emergency_admissions": "emergency admissions",
            "occupied_beds": "bed days", "delayed_discharge_bed_days": "delayed-discharge bed days",
            "gp_appointments_met": "GP appointments", "crisis_responses": "crisis responses",
            "case_managed": "case-managed patient-days"}


def _paired(data: ExperimentData, metric: str, years: slice | None = None) -> pd.DataFrame:
    """Per arm and replication: horizon total of ``metric`` in the arm minus the baseline."""
    y = data.yearly[data.yearly["metric"] == metric]
    if years is not None:
        y = y[(y["year"] >= years.start) & (y["year"] < years.stop)]
    tot = y.groupby(["arm", "replication"])["value"].sum().unstack("arm")
    base = tot[data.baseline]
    return tot.sub(base, axis=0)


def activity_shift(data: ExperimentData) -> pd.DataFrame:
    """Change in activity over the horizon for each arm against do nothing, with intervals."""
    rows = []
    yb = data.yearly[data.yearly["arm"] == data.baseline]
    for metric, label in ACTIVITY.items():
        if metric not in set(data.yearly["metric"]):
            continue
        base = float(yb[yb["metric"] == metric].groupby("replication")["value"].sum().mean())
        diff = _paired(data, metric)
        for arm in diff.columns:
            if arm == data.baseline:
                continue
            m, lo, hi = mean_ci(diff[arm].dropna())
            rows.append({"arm": arm, "activity": label, "do_nothing_total": base,
                         "change": m, "change_lo": lo, "change_hi": hi,
                         "change_percent": 100 * m / base if base else np.nan,
                         "differs_from_zero": distinguishable(lo, hi)})
    return pd.DataFrame(rows)


LOCALITY_ACTIVITY = {"emergency_admissions": "emergency admissions", "occupied_beds": "bed days"}
"""What the per-locality table of a partitioned sweep shows."""


def by_locality(data: ExperimentData) -> pd.DataFrame:
    """A partitioned sweep's row per locality (and the area) and option.

    Horizon totals of do nothing and the paired change against it, with 95% intervals; empty
    if the sweep was not partitioned.
    """
    if data.localities is None or not len(data.localities):
        return pd.DataFrame()
    loc = data.localities
    names = list(dict.fromkeys(data.manifest.get("localities") or loc["locality"]))
    whole = data.yearly.assign(locality="all localities")
    rows = []
    for name in [*names, "all localities"]:
        src = whole if name == "all localities" else loc[loc["locality"] == name]
        for arm in data.arms:
            if arm == data.baseline:
                continue
            row: dict[str, Any] = {"locality": name, "arm": arm}
            for metric, label in LOCALITY_ACTIVITY.items():
                y = src[src["metric"] == metric]
                if not len(y):
                    continue
                tot = y.groupby(["arm", "replication"])["value"].sum().unstack("arm")
                if arm not in tot or data.baseline not in tot:
                    continue
                base = tot[data.baseline]
                m, lo, hi = mean_ci((tot[arm] - base).dropna())
                row.update({f"{label} (do nothing)": float(base.mean()),
                            f"{label} change": m, f"{label} change_lo": lo,
                            f"{label} change_hi": hi,
                            f"{label} change %": 100 * m / base.mean() if base.mean() else np.nan})
            rows.append(row)
    return pd.DataFrame(rows)


def yearly_by_arm(data: ExperimentData, metric: str, per_day: bool = False) -> pd.DataFrame:
    """Mean over replications of a metric's yearly sum (or daily mean) per arm and year."""
    y = data.yearly[data.yearly["metric"] == metric].copy()
    if per_day:
        y["value"] = y["value"] / y["days"]
    return y.groupby(["year", "arm"], sort=True)["value"].mean().unstack("arm")


def beds_and_delays(data: ExperimentData, appraisal: Appraisal) -> pd.DataFrame:
    """Per arm and year: mean occupied beds, beds freed and wards closable vs do nothing, delays."""
    beds = yearly_by_arm(data, "occupied_beds", per_day=True)
    delays = yearly_by_arm(data, "delayed_discharge_bed_days")
    rows = []
    for arm in beds.columns:
        for year in beds.index:
            row = {"arm": arm, "year": int(year) + 1, "mean_occupied_beds": beds.loc[year, arm],
                   "delayed_discharge_bed_days": delays.loc[year, arm]}
            f = appraisal.flows
            f = f[(f["arm"] == arm) & (f["year"] == year)] if len(f) else f
            if arm != data.baseline and len(f):
                m, lo, hi = mean_ci(f["beds_freed"])
                row.update(beds_freed=m, beds_freed_lo=lo, beds_freed_hi=hi,
                           wards_closable=float(f["wards_closable"].mean()))
            rows.append(row)
    return pd.DataFrame(rows)


def finance_by_run(data: ExperimentData) -> pd.DataFrame:
    """The LCO's account of every arm, replication and model year (0-based), full population.

    Rows are :func:`~simulation.finance.appraisal.run_finance`'s, with ``arm`` and ``replication``.
    """
    frames = []
    scen = data.appraisal_scenarios
    for (arm, rep), runs in data.yearly.groupby(["arm", "replication"]):
        f = run_finance(runs, scen[arm])
        f.insert(0, "replication", rep)
        f.insert(0, "arm", arm)
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def spend_by_sector(data: ExperimentData, runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Mean over replications of spend by sector, investment, budget and gap per arm and year.

    ``gp_core`` is the part of primary care and of the budget that is the GP core of the
    practices in the LCO's budget (the contract's scope).
    """
    allr = finance_by_run(data) if runs is None else runs
    cols = [*SECTORS, "transformation", "double_running", "total", "budget", "gap", "gp_core"]
    out = allr.groupby(["arm", "year"], sort=False)[cols].mean().reset_index()
    out["year"] = out["year"] + 1
    return out


def contract_scope(data: ExperimentData, runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per option: its contracts, the scope of GP core services in words, and their cost.

    The words are :data:`simulation.scenario.GP_CORE_SCOPES` and the area's own note on its
    contract (``contract.gp_core_note`` of the area file, with its source); the patients and
    money are year-1 means over replications, for the full population.
    """
    allr = finance_by_run(data) if runs is None else runs
    first = allr[allr["year"] == allr["year"].min()].groupby("arm")[["gp_core_patients",
                                                                     "gp_core"]].mean()
    rows = []
    for arm, scen in data.arms.items():
        c, area = scen.integration.contracts, load_area(scen.area)
        note = area.contract.gp_core_note
        if area.contract.gp_core_scope not in (None, c.gp_core_scope):
            note = f"(the option differs from {area.title}'s contract: {note})"
        source = area.contract.sources.get("gp_core_scope", "") if note else ""
        rows.append({
            "option": arm, "integration level": scen.integration.level,
            "contracts": (f"{c.assignment}" + (f", shares {dict(c.shares)}" if c.shares else
                                              f", share {c.share:.3g}"
                                              if c.assignment == "contracted" else "")),
            "gp_core_scope": c.gp_core_scope, "GP core services": GP_CORE_SCOPES[c.gp_core_scope],
            "area's contract": note, "source": source,
            "patients with GP core in the budget (year 1)":
                float(first["gp_core_patients"].get(arm, np.nan)),
            "GP core in budget and spend, year 1 (£)": float(first["gp_core"].get(arm, np.nan)),
            "savings_share_lco": scen.finance.savings_share_lco})
    return pd.DataFrame(rows)


def savings_shares(data: ExperimentData, appraisal: Appraisal,
                   runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Who gains the cash-releasing savings of each option against do nothing (present values).

    Each replication's cash-releasing benefit of each year (whole wards closable against the
    do-nothing arm) is shared as the ledger shares its savings
    (:func:`simulation.finance.ledger.share_savings`): ``savings_share_lco`` to the LCO, the rest
    to the acute sector, and within the LCO's share the primary care in its budget pro rata to
    budget. Means and 95% intervals over replications; acute + LCO = cash released.
    """
    f = appraisal.flows
    if not len(f):
        return pd.DataFrame()
    allr = (finance_by_run(data) if runs is None else runs).set_index(["arm", "replication",
                                                                       "year"])
    parts = ("savings_acute", "savings_lco", "savings_lco_primary_care")
    per_run = []
    for (arm, rep), g in f.groupby(["arm", "replication"]):
        fp = data.arms[arm].finance
        g = g.sort_values("year")
        disc = discount_factors(int(g["year"].max()) + 1, fp.discount_rate)[g["year"].astype(int)]
        row = {"arm": arm, "replication": rep, "cash_released": float((g["benefits_cash"]
                                                                        * disc).sum())}
        for p in parts:
            row[p] = 0.0
        for (_, r), d in zip(g.iterrows(), disc, strict=True):
            acct = allr.loc[(arm, rep, int(r["year"]))]
            split = share_savings(float(r["benefits_cash"]), fp, float(acct["gp_core"]),
                                  float(acct["budget"]))
            for p in parts:
                row[p] += split[p] * d
        per_run.append(row)
    per_run = pd.DataFrame(per_run)
    rows = []
    for arm in (a for a in data.arms if a in set(per_run["arm"])):  # options in the design's order
        g = per_run[per_run["arm"] == arm]
        row: dict[str, Any] = {"arm": arm, "replications": len(g),
                               "savings_share_lco": data.arms[arm].finance.savings_share_lco}
        for col in ("cash_released", *parts):
            row[f"pv_{col}"], row[f"pv_{col}_lo"], row[f"pv_{col}_hi"] = mean_ci(g[col])
        rows.append(row)
    return pd.DataFrame(rows)


def options_appraisal(data: ExperimentData, appraisal: Appraisal,
                      activity: pd.DataFrame) -> pd.DataFrame:
    """The options appraisal table: one row per option, do nothing first."""
    s = appraisal.summary.set_index("arm") if len(appraisal.summary) else pd.DataFrame()
    rows = [{"option": data.baseline, "integration level":
             data.arms[data.baseline].integration.level, "note": "counterfactual (do nothing)"}]
    for arm in data.arms:
        if arm == data.baseline or arm not in s.index:
            continue
        r = s.loc[arm]
        row: dict[str, Any] = {"option": arm, "integration level": data.arms[arm].integration.level,
                               "replications": int(r["replications"])}
        for label in ("emergency admissions", "bed days"):
            a = activity[(activity["arm"] == arm) & (activity["activity"] == label)]
            if len(a):
                row[f"change in {label}"] = a["change"].iloc[0]
                row[f"change in {label}_lo"] = a["change_lo"].iloc[0]
                row[f"change in {label}_hi"] = a["change_hi"].iloc[0]
                row[f"change in {label} %"] = a["change_percent"].iloc[0]
        for m in ("pv_costs", "pv_benefits_economic", "npv_economic", "bcr_economic",
                  "pv_benefits_cash", "npv_cash", "bcr_cash"):
            row[m], row[f"{m}_lo"], row[f"{m}_hi"] = r[m], r[f"{m}_lo"], r[f"{m}_hi"]
        row["npv_economic differs from zero"] = r["npv_economic_differs_from_zero"]
        row["npv_cash differs from zero"] = r["npv_cash_differs_from_zero"]
        row["break-even year (economic)"] = _be(r, "economic")
        row["break-even year (cash)"] = _be(r, "cash")
        rows.append(row)
    return pd.DataFrame(rows)


def _be(r: pd.Series, kind: str) -> str:
    share = r[f"break_even_{kind}_share"]
    med = r[f"break_even_{kind}_median"]
    if share == 0:
        return "not within the horizon"
    if med is None or (isinstance(med, float) and np.isnan(med)):
        return f"in {share:.0%} of replications"
    return f"year {int(med) + 1}" + ("" if share == 1 else f" ({share:.0%} of replications)")


def time_profile(appraisal: Appraisal) -> pd.DataFrame:
    """Per arm and year: mean and interval of costs, benefits and net benefit (undiscounted)."""
    rows = []
    f = appraisal.flows
    for (arm, year), g in f.groupby(["arm", "year"]) if len(f) else []:
        row = {"arm": arm, "year": int(year) + 1}
        for m in ("costs", "benefits_economic", "benefits_cash", "net_economic", "net_cash"):
            row[m], row[f"{m}_lo"], row[f"{m}_hi"] = mean_ci(g[m])
        rows.append(row)
    return pd.DataFrame(rows)


def _leaves(model: BaseModel, prefix: str = ""):
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        path = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            yield from _leaves(value, path + ".")
        else:
            yield path, value, info.json_schema_extra or {}


def assumptions(data: ExperimentData) -> pd.DataFrame:
    """Every parameter that differs from the default scenario, with the arms and its source."""
    defaults = {p: v for p, v, _ in _leaves(Scenario())}
    rows: dict[tuple[str, str], dict] = {}
    for arm, s in data.arms.items():
        for path, value, extra in _leaves(s):
            if path == "name" or defaults.get(path) == value:
                continue
            key = (path, repr(value))
            row = rows.setdefault(key, {"parameter": path, "default": _show(defaults.get(path)),
                                        "value": _show(value), "arms": [],
                                        "unit": extra.get("unit", ""),
                                        "source": extra.get("source", "")})
            row["arms"].append(arm)
    out = pd.DataFrame(rows.values())
    if len(out):
        out["arms"] = ["all arms" if len(a) == len(data.arms) else "; ".join(a)
                       for a in out["arms"]]
    return out


def references(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every source cited by key in ``tables``, with its full citation (the workbook's sources).

    A key the project's reference list does not define is listed as such, not dropped.
    """
    refs = load_references()
    text = "\n".join(df.astype(str).to_csv(index=False) for df in tables.values())
    rows = [{"key": k,
             "citation": format_reference(refs[k]) if k in refs
             else "not in the project's reference list",
             "link": refs[k].link if k in refs else ""} for k in cited_keys(text)]
    return pd.DataFrame(rows, columns=["key", "citation", "link"])


def _show(v: Any) -> str:
    if isinstance(v, list) and v and isinstance(v[0], BaseModel):
        return "; ".join(", ".join(str(x) for x in item.model_dump().values()) for item in v)
    text = repr(v)
    return text if len(text) <= 120 else text[:117] + "..."


def unit_costs(data: ExperimentData) -> pd.DataFrame:
    """The unit-cost mapping table (of the baseline's finance assumptions) plus unmodelled items."""
    t = unit_cost_table(data.arms[data.baseline].finance)
    extra = pd.DataFrame([{"item": k, "sector": "-", "quantity": "not modelled", "source": v}
                          for k, v in NOT_MODELLED.items()])
    return pd.concat([t, extra], ignore_index=True)


def npv_decomposition(data: ExperimentData, appraisal: Appraisal) -> pd.DataFrame:
    """Each option's NPVs split by kind: programme costs, optimism bias, activity, benefits.

    Present values (mean over replications, 95% interval) signed as they enter the NPV; see
    :func:`simulation.finance.appraisal.decompose`. Options in the design's order.
    """
    d = decompose(appraisal)
    if not len(d):
        return d
    order = {a: i for i, a in enumerate(data.arms)}
    return d.sort_values("arm", key=lambda c: c.map(order), kind="stable").reset_index(drop=True)


def switching(data: ExperimentData, appraisal: Appraisal) -> pd.DataFrame:
    """Switching values of each option's economic and cash NPVs (the value that makes it zero)."""
    fps = {a: s.finance for a, s in data.appraisal_scenarios.items()}
    frames = [switching_values(appraisal, fps, m) for m in ("npv_economic", "npv_cash")]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def programme_costs(data: ExperimentData) -> pd.DataFrame:
    """Each option's programme cost estimates: central, range, prices, category and source."""
    frames = []
    for arm, scen in data.arms.items():
        if arm == data.baseline:
            continue
        t = programme_table(scen.finance, optimism_rates(scen.finance))
        t.insert(0, "arm", arm)
        frames.append(t)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def risk_register(data: ExperimentData) -> pd.DataFrame:
    """The optimism-bias register the baseline's finance uses (categories and risks)."""
    return register_table(data.arms[data.baseline].finance)


def price_index(data: ExperimentData) -> pd.DataFrame:
    """The price index used to uprate costs to the price base year, with its source."""
    return index_table(data.arms[data.baseline].finance)


def appraisal_flows(appraisal: Appraisal) -> pd.DataFrame:
    """Every option's yearly flows by replication (undiscounted), each component a column.

    Enough to recompute every NPV and BCR of the workbook without lco-sim: discount each year's
    ``benefits_economic``/``benefits_cash`` and ``costs`` at the stated rate, year 1 (the
    present-value year) undiscounted, year n by ``1 / (1 + rate) ** (n - 1)``.
    """
    f = appraisal.flows
    if not len(f):
        return f
    cols = ["arm", "replication", "year", *COMPONENTS, "costs", "benefits_economic",
            "benefits_cash", "net_economic", "net_cash", "beds_freed", "wards_closable",
            "wards_closed"]
    out = f[cols].copy()
    out["year"] = out["year"] + 1
    return out
