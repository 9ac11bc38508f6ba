"""Tidy results: one long table of daily outputs from a finished model, and rates by group.

Example:
    >>> from simulation.scenario import Scenario
    >>> from simulation.model import LCOModel
    >>> m = LCOModel(Scenario.preset(scale=0.005, years=1), seed=1).run(days=5)
    >>> df = tidy_results(m)
    >>> set(df["dimension"]) >= {"all", "hospital", "neighbourhood", "age_band"}
    True
    >>> group_rates(df, "deprivation_quintile").index.tolist()
    ['Q1', 'Q2', 'Q3', 'Q4', 'Q5']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from simulation.population import AGE_BAND_LABELS, QUINTILE_LABELS

COLUMNS = ["day", "date", "metric", "dimension", "group", "value"]


def _group_labels(model, dimension: str) -> list[str]:
    if dimension == "neighbourhood":
        return [f"{name} ({loc})" for name, loc in zip(model.neighbourhood_names,
                                                        model.locality_of_neighbourhood,
                                                        strict=True)]
    if dimension == "age_band":
        return list(AGE_BAND_LABELS)
    return list(QUINTILE_LABELS)


def tidy_results(model) -> pd.DataFrame:
    """Every recorded series of ``model`` as rows (day, date, metric, dimension, group, value).

    Dimensions: ``all``, ``hospital``, the breakdowns (``neighbourhood``, ``age_band``,
    ``deprivation_quintile``) and each category metric's own (``place`` for deaths by place).
    """
    days = model.day
    dates = model.dates[:days]
    frames = []
    mv = model.datacollector.get_model_vars_dataframe().iloc[:days]
    mv.index = np.arange(len(mv))
    long = mv.reset_index(names="day").melt(id_vars="day", var_name="metric", value_name="value")
    long["dimension"], long["group"] = "all", "all"
    frames.append(long)

    from simulation.hospital import Hospital

    hv = model.datacollector.get_agenttype_vars_dataframe(Hospital).reset_index()
    if len(hv):
        names = {h.unique_id: h.name for h in model.hospitals}
        # Mesa counts warm-up steps too; collections happen once a recorded day, in order
        steps = np.sort(hv["Step"].unique())
        hv["day"] = np.searchsorted(steps, hv["Step"])
        hv = hv[hv["day"] < days]
        hv["group"] = hv["AgentID"].map(names)
        hv = hv.drop(columns=["Step", "AgentID"]).melt(id_vars=["day", "group"], var_name="metric",
                                                         value_name="value")
        hv["dimension"] = "hospital"
        frames.append(hv)

    for metric, by_dim in model.breakdowns.counts.items():
        for dim, arr in by_dim.items():
            labels = _group_labels(model, dim)
            a = arr[:days]
            frames.append(pd.DataFrame({
                "day": np.repeat(np.arange(days), a.shape[1]), "metric": metric, "dimension": dim,
                "group": np.tile(labels, days), "value": a.ravel()}))
    for metric in model.metrics.category_metrics():
        a = model.categories[metric.name][:days]
        frames.append(pd.DataFrame({
            "day": np.repeat(np.arange(days), a.shape[1]), "metric": metric.name,
            "dimension": metric.dimension, "group": np.tile(list(metric.categories), days),
            "value": a.ravel()}))
    for day, sizes in model.population_by_group:
        for dim, counts in sizes.items():
            frames.append(pd.DataFrame({"day": day, "metric": "population", "dimension": dim,
                                        "group": _group_labels(model, dim), "value": counts}))
    df = pd.concat(frames, ignore_index=True)
    df["value"] = df["value"].astype(float)
    df["date"] = dates[df["day"].to_numpy()]
    for col in ("metric", "dimension", "group"):
        df[col] = df[col].astype("category")
    return df[COLUMNS]


def group_rates(results: pd.DataFrame, dimension: str, metric: str = "emergency_admissions",
                per: float = 1000.0, confidence: float = 0.95) -> pd.DataFrame:
    """Events a year per ``per`` people in each group of ``dimension``, with exact intervals.

    The population of each group is recorded on the first day of each month; its mean times the
    years recorded gives the person-years. The interval treats the group's count of events as
    Poisson and is exact (Garwood 1936, Biometrika 28:437-442, the method of Public Health
    England's technical guide to confidence intervals for rates): it is the uncertainty of the
    rate this one run shows, not the variation between seeds, which replications measure.

    Args:
        results: a run's tidy results (:func:`tidy_results`).
        dimension: ``neighbourhood``, ``age_band`` or ``deprivation_quintile``.
        metric: an event counted by group (``BREAKDOWN_METRICS`` of :mod:`simulation.model`).
        per: the rate's denominator (people).
        confidence: the interval's coverage.

    Returns:
        One row per group (in the results' order): ``events``, ``person_years``, ``rate``,
        ``ci_low``, ``ci_high``.
    """
    rows = results[results["dimension"] == dimension]
    events = rows[rows["metric"] == metric].groupby("group", observed=True)["value"].sum()
    people = rows[rows["metric"] == "population"].groupby("group", observed=True)["value"].mean()
    years = results["day"].nunique() / 365
    out = pd.DataFrame({"events": events, "person_years": people * years}).dropna()
    k = out["events"].to_numpy(float)
    tail = (1 - confidence) / 2
    low = np.where(k > 0, stats.chi2.ppf(tail, 2 * k) / 2, 0.0)
    high = stats.chi2.ppf(1 - tail, 2 * k + 2) / 2
    scale = per / out["person_years"].to_numpy(float)
    out["rate"] = k * scale
    out["ci_low"] = low * scale
    out["ci_high"] = high * scale
    out.index = out.index.astype(str)
    out.index.name = "group"
    return out
