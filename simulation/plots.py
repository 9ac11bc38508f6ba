"""Figures of a single run (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402


def plot_run(results: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Four panels of 30-day means.

    The panels: admissions and A&E, occupancy by hospital, delayed discharges, GP appointments
    met and turned away.
    """
    allv = results[results["dimension"] == "all"].pivot_table(
        index="date", columns="metric", values="value", observed=True)
    hosp = results[(results["dimension"] == "hospital") & (results["metric"] == "occupancy")]
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), sharex=True)
    roll = allv.rolling(30, min_periods=1).mean()
    ax = axes[0, 0]
    ax.plot(roll.index, roll["ae_attendances"], label="A&E attendances")
    ax.plot(roll.index, roll["emergency_admissions"], label="Emergency admissions")
    ax.set_title("Acute activity (30-day mean)")
    ax.set_ylabel("Attendances or admissions per day")
    ax.legend(fontsize=8)
    ax = axes[0, 1]
    for name, g in hosp.groupby("group", observed=True):
        ax.plot(g["date"], g["value"].rolling(30, min_periods=1).mean() * 100, label=str(name))
    ax.axhline(85, color="grey", ls=":", lw=1, label="85% safety norm")
    ax.set_title("Bed occupancy by hospital site (30-day mean)")
    ax.set_ylabel("Occupied beds (% of base beds)")
    ax.legend(fontsize=8)
    ax = axes[1, 0]
    ax.plot(roll.index, roll["delayed_discharge_bed_days"], color="tab:red")
    ax.set_title("Delayed discharges (30-day mean)")
    ax.set_ylabel("Beds occupied by patients fit to leave")
    ax = axes[1, 1]
    ax.plot(roll.index, roll["gp_appointments_met"], label="Appointments given")
    ax.plot(roll.index, roll["gp_appointments_unmet"], label="Requests turned away")
    ax.set_title("GP appointments (30-day mean)")
    ax.set_ylabel("Appointments or requests per day")
    ax.legend(fontsize=8)
    for ax in axes[1]:
        locator = mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.set_xlabel("Date")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)
