"""Figures of an experiment (matplotlib, written as PNG; no display needed).

* :func:`fan_chart`: each arm's spread over replications through time;
* :func:`difference_chart`: each arm minus the baseline with 95% intervals, through time and over
  the whole horizon;
* :func:`heatmap`: a two-factor grid's whole-horizon result;
* :func:`morris_plot` and :func:`sobol_tornado`: sensitivity indices;
* :func:`scatter_plot`: outcome against each factor of a Latin hypercube design.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

COLOURS = plt.get_cmap("tab10").colors


def short_name(factor: str) -> str:
    """A factor's name without the ``integration.`` prefix, for crowded labels."""
    return factor.removeprefix("integration.")


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def _series(table: pd.DataFrame, metric: str) -> pd.DataFrame:
    return table[(table["dimension"].astype(str) == "all")
                 & (table["metric"].astype(str) == metric)]


def fan_chart(table: pd.DataFrame, metric: str, path: Path, *, period: str = "year",
              title: str = "", unit: str = "") -> Path:
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
    ax.set_xlabel(period)
    ax.set_ylabel(f"{metric} {unit}".strip())
    ax.set_title(title or f"{metric}: mean, 50% and 90% of replications")
    ax.legend(fontsize=8)
    return _save(fig, path)


def difference_chart(by_time: pd.DataFrame, horizon: pd.DataFrame, metric: str, path: Path, *,
                     baseline: str, period: str = "year", unit: str = "") -> Path:
    """Left: arm minus baseline through time with 95% bands; right: over the whole horizon."""
    t = _series(by_time, metric)
    h = _series(horizon, metric)
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [3, 2]})
    for i, (arm, g) in enumerate(t.groupby("arm", sort=False)):
        colour = COLOURS[(i + 1) % len(COLOURS)]
        ax.fill_between(g["time"], g["ci_low"], g["ci_high"], color=colour, alpha=0.2, lw=0)
        ax.plot(g["time"], g["mean_difference"], color=colour, lw=1.8, label=str(arm))
    ax.axhline(0, color="grey", lw=1, ls=":")
    ax.set_xlabel(period)
    ax.set_ylabel(f"difference in {metric} {unit}".strip())
    ax.set_title(f"Difference from {baseline} (95% paired CI)")
    ax.legend(fontsize=8)
    y = np.arange(len(h))[::-1]
    bx.errorbar(h["mean_difference"], y, xerr=h["half_width"], fmt="o", color="black", capsize=3)
    for yi, (_, row) in zip(y, h.iterrows(), strict=False):
        rel = row["relative_difference"]
        if np.isfinite(rel):
            bx.annotate(f"{rel:+.1%}", (row["mean_difference"], yi), textcoords="offset points",
                        xytext=(0, 7), ha="center", fontsize=8)
    bx.axvline(0, color="grey", lw=1, ls=":")
    bx.set_yticks(y, [str(a) for a in h["arm"]], fontsize=8)
    bx.set_xlabel(f"difference over the horizon ({metric})")
    bx.set_title("Whole horizon")
    return _save(fig, path)


def heatmap(values: pd.DataFrame, row_factor: str, column_factor: str, value: str, path: Path, *,
            title: str, fmt: str = "{:.3g}", marks: pd.Series | None = None) -> Path:
    """A two-factor grid coloured by ``value``; ``marks`` (bool per row) adds a star to cells."""
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
    ax.set_xlabel(column_factor)
    ax.set_ylabel(row_factor)
    ax.set_title(title, fontsize=10)
    fig.colorbar(image, ax=ax)
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
    ax.set_xlabel("mu* (mean absolute elementary effect)")
    ax.set_ylabel("sigma (spread of elementary effects)")
    ax.set_title(f"Morris screening: {metric}")
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
    ax.set_xlabel("share of output variance")
    ax.set_title(f"Sobol' indices: {metric}")
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
        ax.set_xlabel(f, fontsize=8)
        ax.set_ylabel(metric, fontsize=8)
    for ax in axes.ravel()[len(factors):]:
        ax.set_visible(False)
    fig.suptitle(f"{metric} against each factor")
    return _save(fig, path)
