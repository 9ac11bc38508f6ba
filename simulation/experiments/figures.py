"""Figures of an experiment (matplotlib, written as PNG; no display needed).

* :func:`fan_chart`: each arm's spread over replications through time;
* :func:`difference_chart`: each arm minus the baseline with 95% intervals, through time and over
  the whole horizon;
* :func:`breakdown_chart`: the same difference (or each arm's mean) by neighbourhood, age band,
  deprivation quintile, hospital or locality, with 95% intervals;
* :func:`heatmap`: a two-factor grid's whole-horizon result;
* :func:`morris_plot` and :func:`sobol_tornado`: sensitivity indices;
* :func:`scatter_plot`: outcome against each factor of a Latin hypercube design.

Axes name the quantity in plain English with its unit (:func:`metric_axis`, from the metric's
declaration in :mod:`simulation.metrics`), never a raw metric name.

Example:
    >>> metric_axis("emergency_admissions", "sum", "year")
    'Emergency admissions per year'
    >>> metric_axis("occupied_beds:sum", "sum", "year")
    'Acute beds occupied (bed-days per year)'
    >>> metric_axis("occupied_beds", "mean", "month", horizon=True)
    'Acute beds occupied (beds, daily mean)'
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from simulation.metrics import plain_name  # noqa: E402
from simulation.population import QUINTILE_LABELS, QUINTILE_NAMES  # noqa: E402

COLOURS = plt.get_cmap("tab10").colors

PERIOD_AXIS = {"day": "Day of the run", "month": "Month of the run", "year": "Year of the run"}
"""The x-axis of a series through time, by the experiment's period."""

DIMENSION_NAMES = {"all": "Whole area", "hospital": "Hospital site",
                   "neighbourhood": "Neighbourhood", "age_band": "Age band (years)",
                   "deprivation_quintile": "Deprivation quintile (IMD)", "locality": "Locality",
                   "finance": "LCO yearly account"}
"""Each results dimension in plain English."""

BY_DIMENSION = {"hospital": "by hospital site", "locality": "by locality",
                "neighbourhood": "by neighbourhood", "age_band": "by age band",
                "deprivation_quintile": "by deprivation quintile"}
"""Titles' words for a breakdown."""

BREAKDOWNS = tuple(BY_DIMENSION)
"""Dimensions whose groups :func:`breakdown_chart` draws."""

_SINGULAR = {"people": "person", "beds": "bed", "places": "place", "patients": "patient"}


def short_name(factor: str) -> str:
    """A factor's name without the ``integration.`` prefix, for crowded labels."""
    return factor.removeprefix("integration.")


def _declared(name: str):
    """The metric's declaration in the default model (None for an unknown or extra metric)."""
    from simulation.experiments.spec import registry

    reg = registry()
    return reg[name] if name in reg else None


def metric_title(metric: str) -> str:
    """A kept metric (``name`` or ``name:stat``) in plain English."""
    name = metric.partition(":")[0]
    declared = _declared(name)
    return declared.title if declared is not None else plain_name(name)


def metric_unit(metric: str, statistic: str | None = None, period: str = "year", *,
                horizon: bool = False) -> str:
    """What one unit of a kept metric's value is, after its period's statistic.

    Args:
        metric: the kept metric (``name`` or ``name:stat``).
        statistic: how a period's days were combined (default: the label's, else the metric's
            natural one: ``sum`` for daily events, ``mean`` for stocks).
        period: ``day``, ``month`` or ``year``.
        horizon: the value is over the whole run (periods combined with the same statistic).
    """
    name, _, stat = metric.partition(":")
    declared = _declared(name)
    unit = declared.unit if declared is not None else "value"
    stock = declared is not None and declared.kind == "stock"
    statistic = statistic or stat or ("mean" if stock else "sum")
    per = "over the whole run" if horizon else f"per {period}"
    if declared is not None and declared.level == "finance":
        return f"{unit} {per}" if statistic == "sum" else unit
    if statistic == "sum":
        if stock:
            unit = f"{_SINGULAR.get(unit, unit.removesuffix('s'))}-days"
        return f"{unit} {per}"
    if statistic == "mean":
        return f"{unit}, daily mean" if stock else f"{unit} a day, mean over each {period}"
    word = {"min": "lowest", "max": "highest", "last": "last"}[statistic]
    return f"{unit}, {word} day of each {period}"


def metric_axis(metric: str, statistic: str | None = None, period: str = "year", *,
                horizon: bool = False) -> str:
    """An axis label: the metric in plain English with its unit (see :func:`metric_unit`)."""
    title = metric_title(metric)
    unit = metric_unit(metric, statistic, period, horizon=horizon)
    declared = _declared(metric.partition(":")[0])
    base = declared.unit if declared is not None else ""
    if base and unit.startswith(base + " ") and title.lower().endswith(base.lower()):
        return f"{title} {unit.removeprefix(base + ' ')}"  # "Emergency admissions per year"
    return f"{title} ({unit})"


def group_names(dimension: str, groups) -> list[str]:
    """Group labels of a results dimension as a reader sees them (quintiles say which is which)."""
    if dimension == "deprivation_quintile":
        names = dict(zip(QUINTILE_LABELS, QUINTILE_NAMES, strict=True))
        return [names.get(str(g), str(g)) for g in groups]
    return [str(g) for g in groups]


def _group_order(dimension: str, groups) -> list[str]:
    groups = [str(g) for g in dict.fromkeys(groups)]
    if dimension == "deprivation_quintile":
        return [q for q in QUINTILE_LABELS if q in groups] + \
            [g for g in groups if g not in QUINTILE_LABELS]
    if dimension == "age_band":
        return sorted(groups, key=lambda g: int(g.rstrip("+").split("-")[0]))
    return sorted(groups)


def _time_axis(ax, period: str) -> None:
    """Label the x-axis with the period and tick whole periods only."""
    ax.set_xlabel(PERIOD_AXIS.get(period, period))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def _series(table: pd.DataFrame, metric: str) -> pd.DataFrame:
    return table[(table["dimension"].astype(str) == "all")
                 & (table["metric"].astype(str) == metric)]


def fan_chart(table: pd.DataFrame, metric: str, path: Path, *, period: str = "year",
              title: str = "", statistic: str | None = None) -> Path:
    """Mean of each arm through time, with bands holding 50% and 90% of the replications."""
    data = _series(table, metric)
    fig, ax = plt.subplots(figsize=(9, 5))
    for i, (arm, g) in enumerate(data.groupby("arm", observed=True, sort=False)):
        colour = COLOURS[i % len(COLOURS)]
        by_time = g.groupby("time")["value"]
        q = by_time.quantile([0.05, 0.25, 0.75, 0.95]).unstack()
        mean = by_time.mean()
        ax.fill_between(q.index, q[0.05], q[0.95], color=colour, alpha=0.12, lw=0)
        ax.fill_between(q.index, q[0.25], q[0.75], color=colour, alpha=0.25, lw=0)
        ax.plot(mean.index, mean.to_numpy(), color=colour, lw=1.8, label=str(arm))
    _time_axis(ax, period)
    ax.set_ylabel(metric_axis(metric, statistic, period))
    ax.set_title(title or f"{metric_title(metric)}: mean of replications (line), middle 50% "
                 "and 90% (bands)", fontsize=10)
    ax.legend(fontsize=8, title="Arm", title_fontsize=8)
    return _save(fig, path)


def difference_chart(by_time: pd.DataFrame, horizon: pd.DataFrame, metric: str, path: Path, *,
                     baseline: str, period: str = "year", statistic: str | None = None) -> Path:
    """Left: arm minus baseline through time with 95% bands; right: over the whole horizon."""
    t = _series(by_time, metric)
    h = _series(horizon, metric)
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [3, 2]})
    for i, (arm, g) in enumerate(t.groupby("arm", sort=False)):
        colour = COLOURS[(i + 1) % len(COLOURS)]
        ax.fill_between(g["time"], g["ci_low"], g["ci_high"], color=colour, alpha=0.2, lw=0)
        ax.plot(g["time"], g["mean_difference"], color=colour, lw=1.8, label=str(arm))
    ax.axhline(0, color="grey", lw=1, ls=":")
    _time_axis(ax, period)
    ax.set_ylabel(f"Difference: {metric_axis(metric, statistic, period)}", fontsize=9)
    ax.set_title(f"{metric_title(metric)}: arm minus {baseline}, mean and 95% CI",
                 fontsize=10)
    ax.legend(fontsize=8, title="Arm", title_fontsize=8)
    y = np.arange(len(h))[::-1]
    bx.errorbar(h["mean_difference"], y, xerr=h["half_width"], fmt="o", color="black", capsize=3)
    for yi, (_, row) in zip(y, h.iterrows(), strict=False):
        rel = row["relative_difference"]
        if np.isfinite(rel):
            bx.annotate(f"{rel:+.1%}", (row["mean_difference"], yi), textcoords="offset points",
                        xytext=(0, 7), ha="center", fontsize=8)
    bx.axvline(0, color="grey", lw=1, ls=":")
    bx.set_yticks(y, [str(a) for a in h["arm"]], fontsize=8)
    bx.set_xlabel(f"Difference: {metric_axis(metric, statistic, period, horizon=True)}",
                  fontsize=9)
    bx.set_title("Whole run (95% CI; label: % of the baseline)", fontsize=10)
    return _save(fig, path)


def breakdown_chart(table: pd.DataFrame, metric: str, dimension: str, path: Path, *,
                    baseline: str | None = None, period: str = "year",
                    statistic: str | None = None) -> Path:
    """Whole-run values by group of ``dimension``, with 95% intervals, one colour per arm.

    ``table`` is :func:`~simulation.experiments.analysis.paired_differences` over the horizon
    (with ``baseline``: each arm minus the baseline) or
    :func:`~simulation.experiments.analysis.arm_means` (without).
    """
    d = table[(table["dimension"].astype(str) == dimension)
              & (table["metric"].astype(str) == metric)]
    value = "mean_difference" if baseline is not None else "mean"
    groups = _group_order(dimension, d["group"])
    arms = list(dict.fromkeys(d["arm"].astype(str)))
    fig, ax = plt.subplots(figsize=(9, 1.6 + 0.42 * len(groups) * max(1, min(len(arms), 4))
                                    ** 0.5))
    step = 0.8 / max(len(arms), 1)
    for i, arm in enumerate(arms):
        g = d[d["arm"].astype(str) == arm].assign(group=lambda x: x["group"].astype(str))
        g = g.set_index("group").reindex(groups)
        y = np.arange(len(groups)) + (i - (len(arms) - 1) / 2) * step
        ax.errorbar(g[value], y, xerr=g["half_width"], fmt="o", capsize=3, ms=4,
                    color=COLOURS[(i + (baseline is not None)) % len(COLOURS)], label=arm)
    if baseline is not None:
        ax.axvline(0, color="grey", lw=1, ls=":")
    ax.set_yticks(np.arange(len(groups)), group_names(dimension, groups), fontsize=8)
    ax.invert_yaxis()
    ax.set_ylabel(DIMENSION_NAMES.get(dimension, dimension))
    quantity = metric_axis(metric, statistic, period, horizon=True)
    ax.set_xlabel(f"Difference from {baseline}: {quantity}" if baseline is not None
                  else quantity, fontsize=9)
    what = f"arm minus {baseline}" if baseline is not None else "mean of each arm"
    ax.set_title(f"{metric_title(metric)} {BY_DIMENSION.get(dimension, 'by ' + dimension)}: "
                 f"{what}, 95% CI", fontsize=10)
    ax.legend(fontsize=8, title="Arm", title_fontsize=8)
    return _save(fig, path)


def heatmap(values: pd.DataFrame, row_factor: str, column_factor: str, value: str, path: Path, *,
            title: str, fmt: str = "{:.3g}", marks: pd.Series | None = None,
            colour_label: str = "") -> Path:
    """A two-factor grid coloured by ``value``; ``marks`` (bool per row) adds a star to cells.

    ``colour_label`` names the colour scale's quantity and unit.
    """
    grid = values.pivot_table(index=row_factor, columns=column_factor, values=value,
                              aggfunc="first", sort=False)
    fig, ax = plt.subplots(figsize=(max(6.0, 2.0 + 1.4 * grid.shape[1]),
                                    max(3.5, 1.8 + 0.7 * grid.shape[0])))
    arr = grid.to_numpy(float)
    finite = arr[np.isfinite(arr)]
    lim = np.abs(finite).max() if finite.size else 1.0
    diverging = finite.size and finite.min() < 0 < finite.max() or value != "mean"
    image = ax.imshow(arr, cmap="RdBu_r" if diverging else "viridis", aspect="auto",
                      vmin=-lim if diverging else None, vmax=lim if diverging else None)
    starred = set()
    if marks is not None:
        marked = values[marks.to_numpy()]
        starred = set(zip(marked[row_factor], marked[column_factor], strict=True))
    for i, r in enumerate(grid.index):
        for j, c in enumerate(grid.columns):
            if np.isfinite(arr[i, j]):
                text = fmt.format(arr[i, j]) + ("*" if (r, c) in starred else "")
                dark = diverging and abs(arr[i, j]) > 0.6 * lim
                ax.text(j, i, text, ha="center", va="center", fontsize=9,
                        color="white" if dark else "black")
    ax.set_xticks(range(grid.shape[1]), [str(c) for c in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [str(r) for r in grid.index])
    ax.set_xlabel(short_name(column_factor))
    ax.set_ylabel(short_name(row_factor))
    ax.set_title(title, fontsize=10)
    fig.colorbar(image, ax=ax, label=colour_label)
    return _save(fig, path)


def morris_plot(indices: pd.DataFrame, path: Path, *, metric: str) -> Path:
    """Morris mu* (importance) against sigma (non-linearity or interaction) per factor."""
    fig, ax = plt.subplots(figsize=(7.5, 5.5))
    ax.errorbar(indices["mu_star"], indices["sigma"], xerr=indices["mu_star_conf"], fmt="o",
                capsize=3)
    top = max(float(indices["mu_star"].max()), float(indices["sigma"].max()), 1e-12)
    placed: list[tuple[float, float]] = []
    for _, row in indices.iterrows():
        x, y = float(row["mu_star"]), float(row["sigma"])
        crowd = sum(abs(x - px) < 0.3 * top and abs(y - py) < 0.05 * top for px, py in placed)
        placed.append((x, y))
        ax.annotate(short_name(str(row["factor"])), (x, y), fontsize=7,
                    textcoords="offset points", xytext=(4, 4 + 10 * crowd))
    ax.plot([0, top], [0, top], color="grey", ls=":", lw=1, label="sigma = mu*")
    unit = metric_unit(metric, horizon=True)
    ax.set_xlabel(f"mu*: mean absolute elementary effect ({unit})")
    ax.set_ylabel(f"sigma: spread of elementary effects ({unit})")
    ax.set_title(f"Morris screening: {metric_title(metric)}")
    ax.legend(fontsize=8)
    return _save(fig, path)


def sobol_tornado(indices: pd.DataFrame, path: Path, *, metric: str) -> Path:
    """Horizontal bars of total (ST) and first-order (S1) Sobol' indices, largest on top."""
    d = indices.sort_values("ST")
    y = np.arange(len(d))
    fig, ax = plt.subplots(figsize=(8, 1.5 + 0.45 * len(d)))
    ax.barh(y + 0.2, d["ST"], height=0.4, xerr=d["ST_conf"], label="total (ST)", color="tab:blue")
    ax.barh(y - 0.2, d["S1"], height=0.4, xerr=d["S1_conf"], label="first order (S1)",
            color="tab:orange")
    ax.set_yticks(y, [short_name(f) for f in d["factor"]], fontsize=8)
    ax.axvline(0, color="grey", lw=1)
    ax.set_xlabel("Share of the variance of the outcome (0-1; bars: 95% CI)")
    ax.set_title(f"Sobol' indices: {metric_title(metric)} over the whole run")
    ax.legend(fontsize=8)
    return _save(fig, path)


def scatter_plot(points: pd.DataFrame, factors: list[str], value: str, path: Path, *,
                 metric: str) -> Path:
    """The outcome of each design point against each factor (Latin hypercube designs)."""
    cols = min(3, len(factors))
    rows = int(np.ceil(len(factors) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.2 * rows), squeeze=False)
    for ax, f in zip(axes.ravel(), factors, strict=False):
        ax.scatter(points[f], points[value], s=12)
        ax.set_xlabel(short_name(f), fontsize=8)
        ax.set_ylabel(metric_axis(metric, horizon=True), fontsize=8)
    for ax in axes.ravel()[len(factors):]:
        ax.set_visible(False)
    fig.suptitle(f"{metric_title(metric)} (mean of replications) against each factor")
    return _save(fig, path)
