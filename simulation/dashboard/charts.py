"""Charts and the headline table of the dashboard, as plain functions of a :class:`DashboardModel`.

Each chart function returns a matplotlib :class:`~matplotlib.figure.Figure` (drawn on the server,
so the page needs no JavaScript charting library or internet access); the headline is Markdown.
The same pictures can be made in a notebook.

Example:
    >>> from simulation.dashboard.model import DashboardModel
    >>> m = DashboardModel(level="partial", scale=0.005, years=1, seed=4)
    >>> m.step(); m.step()
    >>> admissions_chart(m).axes[0].get_title(loc="left")
    'Emergency admissions per week'
    >>> "Emergency admissions" in headline_markdown(m)
    True
"""

from __future__ import annotations

import textwrap

import matplotlib.dates as mdates
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from simulation.areas import load_area
from simulation.dashboard.model import DO_NOTHING, POLICY, SETTINGS, DashboardModel
from simulation.scenario import get_dotted

ARM_STYLE = {POLICY: {"color": "#1f6fb4", "ls": "-", "lw": 2.0},
             DO_NOTHING: {"color": "#8c8c8c", "ls": "--", "lw": 1.6}}
STATUS_ORDER = ["none", "virtual", "partial", "full"]
STATUS_COLOURS = ["#d9d9d9", "#c6dbef", "#6baed6", "#08519c"]
SITE_COLOURS = ["#d95f02", "#7570b3", "#1b9e77", "#e7298a", "#66a61e"]
FIGSIZE = (6.4, 3.3)
DPI = 100

SETTING_WORDS = {
    "crisis_response_per_100k_day": "crisis team {:g} responses /100k/day",
    "home_support_places_per_100k": "home support {:g} places /100k",
    "community_beds_per_100k": "community beds {:g} /100k",
    "community_uplift": "LCO capacity uplift {:g}",
    "case_management_coverage": "case management coverage {:g}",
    "crisis_referral_share": "crisis referral share {:g}",
}
"""How the headline names each side-panel setting of the run being shown."""

LEVEL_WORDS = {"none": "no integration", "virtual": "virtual integration",
               "partial": "partial integration", "full": "full integration"}


def _figure(title: str, subtitle: str,
            size: tuple[float, float] = FIGSIZE) -> tuple[Figure, object]:
    fig = Figure(figsize=size, dpi=DPI)
    fig.subplots_adjust(left=0.12, right=0.88, top=0.83, bottom=0.12)
    ax = fig.subplots()
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold", pad=16)
    ax.text(0, 1.015, subtitle, transform=ax.transAxes, fontsize=8.5, color="#555", va="bottom")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#eee")
    return fig, ax


def _dates(ax) -> None:
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _empty(ax) -> None:
    ax.text(0.5, 0.5, "Press Step or ▶ to run the model", transform=ax.transAxes,
            ha="center", va="center", color="#777")


def _weekly_lines(model: DashboardModel, column: str, title: str, subtitle: str,
                  axis: str) -> Figure:
    fig, ax = _figure(title, subtitle)
    weekly = model.weekly()
    if weekly.empty:
        _empty(ax)
    for arm in (DO_NOTHING, POLICY):
        d = weekly[weekly["arm"] == arm]
        if len(d):
            ax.plot(d["date"], d[column], label=arm, **ARM_STYLE[arm])
    ax.set_ylabel(axis)
    if not weekly.empty:
        ax.set_ylim(0, max(1.0, float(weekly[column].max())) * 1.3)
        ax.legend(frameon=False, fontsize=9, loc="upper left", ncols=2)
        _dates(ax)
    return fig


def difference_chart(model: DashboardModel) -> Figure:
    """Running totals of admissions avoided and bed days saved against do nothing."""
    fig, ax = _figure("Moved out of hospital so far",
                      "Cumulative do nothing minus policy: above zero means fewer than do nothing")
    d = model.daily()
    if d.empty:
        _empty(ax)
        return fig
    wide = d.pivot_table(index="date", columns="arm", values=["emergency_admissions",
                                                              "occupied_beds"])
    saved_adm = (wide["emergency_admissions"][DO_NOTHING]
                 - wide["emergency_admissions"][POLICY]).cumsum()
    saved_beds = (wide["occupied_beds"][DO_NOTHING] - wide["occupied_beds"][POLICY]).cumsum()
    ax.plot(saved_adm.index, saved_adm, color="#1f6fb4", lw=2, label="admissions avoided")
    ax.set_ylabel("admissions avoided", color="#1f6fb4")
    ax.axhline(0, color="#444", lw=0.8)
    ax2 = ax.twinx()
    ax2.plot(saved_beds.index, saved_beds, color="#e6550d", lw=2, ls="-.", label="bed days saved")
    ax2.set_ylabel("bed days saved", color="#e6550d")
    ax2.spines[["top"]].set_visible(False)
    for a, series in ((ax, saved_adm), (ax2, saved_beds)):
        top = max(1.0, float(np.abs(series).max())) * 1.3
        a.set_ylim(-top, top)
    handles = ax.get_lines()[:1] + ax2.get_lines()[:1]
    ax.legend(handles=handles, loc="upper left", fontsize=9, frameon=False)
    _dates(ax)
    return fig


def admissions_chart(model: DashboardModel) -> Figure:
    """Emergency admissions per week, policy against do nothing."""
    return _weekly_lines(model, "emergency_admissions", "Emergency admissions per week",
                         "Policy run (solid blue) against do nothing on the same seed "
                         "(dashed grey)",
                         "admissions per week")


def ae_chart(model: DashboardModel) -> Figure:
    """A&E attendances per week, policy against do nothing."""
    return _weekly_lines(model, "ae_attendances", "A&E attendances per week",
                         "Crisis response and GP access can keep people away from A&E",
                         "attendances per week")


def delayed_chart(model: DashboardModel) -> Figure:
    """Beds occupied by medically fit patients waiting for community or social care."""
    return _weekly_lines(model, "delayed_discharge_bed_days", "Delayed discharges",
                         "Beds taken by patients fit to leave but waiting for home support or a "
                         "community bed", "beds")


def occupancy_chart(model: DashboardModel) -> Figure:
    """Weekly mean bed occupancy of each hospital (policy run) with the 85% and 92% marks."""
    fig, ax = _figure("Bed occupancy by hospital (policy run)",
                      "Weekly mean of general and acute beds; escalation beds open when a site is "
                      "full")
    occ = model.occupancy()
    if occ.empty:
        _empty(ax)
    for i, (name, d) in enumerate(occ.groupby("hospital", sort=False)):
        ax.plot(d["date"], d["occupancy"], color=SITE_COLOURS[i % len(SITE_COLOURS)], lw=1.8,
                label=name)
    for level, label in ((85, "85%"), (92, "92%")):
        ax.axhline(level, color="#b22222", ls=":", lw=1)
        ax.text(1.0, level, f" {label}", transform=ax.get_yaxis_transform(), color="#b22222",
                fontsize=8, va="center")
    ax.set_ylabel("% of beds occupied")
    low = min(60.0, float(occ["occupancy"].min()) - 5) if len(occ) else 60.0
    high = max(105.0, float(occ["occupancy"].max()) + 3) if len(occ) else 105.0
    ax.set_ylim(low, high + (high - low) * 0.25)
    if not occ.empty:
        ax.legend(frameon=False, fontsize=8, loc="upper left", ncols=3)
        _dates(ax)
    return fig


def neighbourhood_chart(model: DashboardModel) -> Figure:
    """The neighbourhoods: admissions per 1,000 a year (both arms) and practices by status."""
    rates, practices = model.neighbourhoods()
    names = sorted(rates["neighbourhood"].unique())
    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    # an area's own long names: the neighbourhood alone (names are unique within an area), cut
    # to 32 characters; room for the longest at 7 pt (about 4 pt a character)
    labels = [n if len(n) <= 26 else textwrap.shorten(n.rsplit(" (", 1)[0], 32, placeholder="...")
              for n in names]
    longest = max((len(label) for label in labels), default=0)
    left = min(0.4, max(0.17, (longest * 4.0 + 12) / (FIGSIZE[0] * 72)))
    fig.subplots_adjust(left=left, right=0.98, top=0.86, bottom=0.25, wspace=0.15)
    ax, ax2 = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3, 1.1]})
    fig.suptitle("Neighbourhoods: emergency admissions per 1,000 a year", x=0.01, ha="left",
                 fontsize=12, fontweight="bold")
    y = np.arange(len(names))
    for k, arm in enumerate((POLICY, DO_NOTHING)):
        d = rates[rates["arm"] == arm].set_index("neighbourhood").reindex(names)
        ax.barh(y - 0.2 + 0.4 * k, d["admissions_per_1000"], height=0.38,
                color=ARM_STYLE[arm]["color"], label=arm)
    ax.set_yticks(y, labels, fontsize=7 if len(labels) <= 12 else 6)
    ax.invert_yaxis()
    ax.set_xlabel("per 1,000 a year (last 12 months)", fontsize=8, labelpad=1)
    ax.spines[["top", "right"]].set_visible(False)
    table = practices.pivot_table(index="neighbourhood", columns="status", values="practices",
                                  aggfunc="sum").reindex(index=names, columns=STATUS_ORDER)
    table = table.fillna(0)
    left = np.zeros(len(names))
    for status, colour in zip(STATUS_ORDER, STATUS_COLOURS, strict=True):
        ax2.barh(y, table[status], left=left, color=colour, edgecolor="white", height=0.7)
        left += table[status].to_numpy()
    ax2.set_title("Practices by status", fontsize=8)
    ax2.set_xlabel("practices", fontsize=8, labelpad=1)
    ax2.xaxis.get_major_locator().set_params(integer=True)
    ax2.spines[["top", "right"]].set_visible(False)
    arms = [Patch(color=ARM_STYLE[a]["color"], label=a) for a in (POLICY, DO_NOTHING)]
    status = [Patch(color=c, label=f"practice: {s}")
              for s, c in zip(STATUS_ORDER, STATUS_COLOURS, strict=True)]
    fig.legend(handles=arms + status, loc="lower center", ncols=6, fontsize=7,
               frameon=False, handlelength=1.2, columnspacing=0.8)
    return fig


def _fmt_change(policy: float, base: float) -> str:
    diff = policy - base
    pct = f" ({diff / base * 100:+.1f}%)" if base else ""
    return f"{diff:+,.0f}{pct}"


def headline_markdown(model: DashboardModel) -> str:
    """Where the run has got to and the cumulative difference from do nothing, as Markdown."""
    p = model.policy
    level = model.settings["level"]
    date = p.dates[max(p.day - 1, 0)].strftime("%d %b %Y")
    integrated = sum(pr.status > 0 for pr in p.practices)
    rows = [("Emergency admissions", "emergency_admissions"),
            ("A&E attendances", "ae_attendances"),
            ("Hospital bed days", "occupied_beds"),
            ("Delayed-discharge bed days", "delayed_discharge_bed_days"),
            ("2-hour crisis responses", "crisis_responses")]
    totals = model.totals()
    lines = [
        f"### {load_area(p.scenario.area).title} · Day {p.day:,} of {p.horizon_days:,} ({date})",
        f"Policy: **{LEVEL_WORDS.get(level, level)}**; {p.initial_size:,} registered patients "
        f"(scale {p.scenario.run.scale:g}); seed {model.seed_value}. "
        f"GP practices integrated: **{integrated} of {len(p.practices)}**.",
        "",
        f"| Since {p.dates[0].strftime('%d %b %Y')} | Policy | Do nothing | Difference |",
        "|---|---:|---:|---:|",
    ]
    for label, key in rows:
        pol, base = totals[key]
        lines.append(f"| {label} | {pol:,.0f} | {base:,.0f} | {_fmt_change(pol, base)} |")
    values = p.scenario.model_dump()
    used = " · ".join(words.format(get_dotted(values, SETTINGS[key]))
                      for key, words in SETTING_WORDS.items())
    lines += ["", f"Settings of this run: {used}.", "",
              "*Do nothing*: no integration and today's community capacity, with the same "
              "people and the same random numbers. Change the settings on the left, then press "
              "**Reset** to start a new run with them; **Step** advances one week, ▶ plays."]
    return "\n".join(lines)
