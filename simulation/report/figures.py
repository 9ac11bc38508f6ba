"""Figures of the evidence pack as PNG bytes (matplotlib, Agg backend), for embedding as base64."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402


def _years(ax) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("contract year")


def to_data_uri(fig) -> str:
    """Render and close a figure; return a ``data:image/png;base64,...`` URI."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def time_profile(profile: pd.DataFrame) -> str:
    """Net benefit per year (economic and cash-releasing) with 95% bands, one line per arm."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    for ax, kind, title in zip(axes, ("net_economic", "net_cash"),
                               ("Economic (capacity freed valued)", "Cash-releasing only"),
                               strict=True):
        for arm, g in profile.groupby("arm", sort=False):
            ax.plot(g["year"], g[kind] / 1e6, marker="o", label=arm)
            if g[f"{kind}_lo"].notna().all():
                ax.fill_between(g["year"], g[f"{kind}_lo"] / 1e6, g[f"{kind}_hi"] / 1e6, alpha=0.2)
        ax.axhline(0, color="k", lw=0.8)
        ax.set_title(title)
        _years(ax)
    axes[0].set_ylabel("net benefit vs do nothing (£m a year)")
    axes[0].legend(fontsize=8)
    return to_data_uri(fig)


def spend(spend_table: pd.DataFrame, sectors: tuple[str, ...]) -> str:
    """Stacked spend by sector per year for each arm, with the capitated budget as a line."""
    arms = list(dict.fromkeys(spend_table["arm"]))
    fig, axes = plt.subplots(1, len(arms), figsize=(3.2 * len(arms), 3.4), sharey=True,
                             squeeze=False)
    for ax, arm in zip(axes[0], arms, strict=True):
        g = spend_table[spend_table["arm"] == arm]
        bottom = 0
        for s in (*sectors, "transformation", "double_running"):
            ax.bar(g["year"], g[s] / 1e6, bottom=bottom, label=s.replace("_", " "))
            bottom = bottom + g[s].to_numpy() / 1e6
        ax.plot(g["year"], g["budget"] / 1e6, color="k", marker="_", ms=18, lw=1.5, label="budget")
        ax.set_title(arm, fontsize=9)
        _years(ax)
    axes[0][0].set_ylabel("£m a year")
    axes[0][-1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1))  # off the bars
    return to_data_uri(fig)


def beds(beds_table: pd.DataFrame) -> str:
    """Mean occupied beds and delayed-discharge bed days per year, one line per arm."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    for arm, g in beds_table.groupby("arm", sort=False):
        axes[0].plot(g["year"], g["mean_occupied_beds"], marker="o", label=arm)
        axes[1].plot(g["year"], g["delayed_discharge_bed_days"], marker="o", label=arm)
    axes[0].set_title("Mean occupied acute beds")
    axes[0].set_ylabel("beds (mean over the year)")
    axes[1].set_title("Delayed-discharge bed days a year")
    axes[1].set_ylabel("bed days a year")
    for ax in axes:
        _years(ax)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return to_data_uri(fig)


def tornado(sens: pd.DataFrame, arm: str, measure: str = "npv_economic") -> str:
    """One-way sensitivity of an arm's mean NPV: bars from the low to the high case."""
    d = sens[(sens["arm"] == arm) & (sens["measure"] == measure)].sort_values("swing")
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(d) + 1.2))
    base = d["base"].iloc[0] / 1e6 if len(d) else 0
    for i, (_, r) in enumerate(d.iterrows()):
        lo, hi = r["low"] / 1e6, r["high"] / 1e6
        ax.barh(i, lo - base, left=base, color="#4c72b0")
        ax.barh(i, hi - base, left=base, color="#dd8452")
        ax.text(min(lo, hi), i, f"{r['low_case'] if lo < hi else r['high_case']} ",
                ha="right", va="center", fontsize=7)
        ax.text(max(lo, hi), i, f" {r['high_case'] if lo < hi else r['low_case']}",
                ha="left", va="center", fontsize=7)
    ax.set_yticks(range(len(d)), d["assumption"], fontsize=8)
    ax.axvline(base, color="k", lw=0.8)
    ax.set_xlabel(f"{measure.replace('_', ' ')} of '{arm}' (£m); base {base:,.1f}")
    ax.set_title("Sensitivity (blue: low case, orange: high case)", fontsize=9)
    return to_data_uri(fig)
