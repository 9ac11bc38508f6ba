"""Charts and the headline table of the dashboard, as plain functions of a :class:`DashboardModel`.

Each function returns an Altair chart (or Markdown text), so the same pictures can be made in a
notebook without a browser.

Example:
    >>> from simulation.dashboard.model import DashboardModel
    >>> m = DashboardModel(level="partial", scale=0.005, years=1, seed=4)
    >>> m.step(); m.step()
    >>> admissions_chart(m).to_dict()["mark"]["type"]
    'line'
    >>> "Emergency admissions" in headline_markdown(m)
    True
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from simulation.dashboard.model import DO_NOTHING, POLICY, DashboardModel

ARM_COLOURS = alt.Scale(domain=[POLICY, DO_NOTHING], range=["#1f6fb4", "#9a9a9a"])
STATUS_ORDER = ["none", "virtual", "partial", "full"]
STATUS_COLOURS = alt.Scale(domain=STATUS_ORDER, range=["#d9d9d9", "#c6dbef", "#6baed6", "#08519c"])
WIDTH, HEIGHT = "container", 210

LEVEL_WORDS = {"none": "no integration", "virtual": "virtual integration",
               "partial": "partial integration", "full": "full integration"}


def _arm_legend() -> alt.Color:
    return alt.Color("arm:N", scale=ARM_COLOURS, title=None,
                     legend=alt.Legend(orient="top", labelFontSize=12))


def _title(text: str, subtitle: str) -> alt.TitleParams:
    return alt.TitleParams(text, subtitle=subtitle, anchor="start", fontSize=15,
                           subtitleFontSize=11, subtitleColor="#555")


def _weekly_lines(model: DashboardModel, column: str, title: str, subtitle: str,
                  axis: str) -> alt.Chart:
    data = model.weekly()[["date", "arm", column]].rename(columns={column: "value"})
    return alt.Chart(data, title=_title(title, subtitle)).mark_line(strokeWidth=2).encode(
        x=alt.X("date:T", title=None),
        y=alt.Y("value:Q", title=axis),
        color=_arm_legend(),
        strokeDash=alt.StrokeDash("arm:N", scale=alt.Scale(domain=[POLICY, DO_NOTHING],
                                                           range=[[1, 0], [5, 3]]), legend=None),
        tooltip=[alt.Tooltip("date:T", title="week from"), "arm:N",
                 alt.Tooltip("value:Q", title=axis, format=",.0f")],
    ).properties(width=WIDTH, height=HEIGHT)


def admissions_chart(model: DashboardModel) -> alt.Chart:
    """Emergency admissions per week, policy against do nothing."""
    return _weekly_lines(model, "emergency_admissions", "Emergency admissions per week",
                         "Policy run (solid) against do nothing on the same seed (dashed)",
                         "admissions / week")


def ae_chart(model: DashboardModel) -> alt.Chart:
    """A&E attendances per week, policy against do nothing."""
    return _weekly_lines(model, "ae_attendances", "A&E attendances per week",
                         "Crisis response and GP access keep some people away from A&E",
                         "attendances / week")


def delayed_chart(model: DashboardModel) -> alt.Chart:
    """Beds occupied by medically fit patients waiting for community or social care."""
    return _weekly_lines(model, "delayed_discharge_bed_days", "Delayed discharges",
                         "Beds occupied each night by patients fit to leave but waiting for "
                         "home support or a community bed (weekly mean)", "beds")


def occupancy_chart(model: DashboardModel) -> alt.Chart:
    """Weekly mean bed occupancy of each hospital (policy run) with the 85% and 92% marks."""
    data = model.occupancy()
    lines = alt.Chart(data).mark_line(strokeWidth=2).encode(
        x=alt.X("date:T", title=None),
        y=alt.Y("occupancy:Q", title="% of beds occupied", scale=alt.Scale(zero=False)),
        color=alt.Color("hospital:N", title=None, legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("date:T", title="week from"), "hospital:N",
                 alt.Tooltip("occupancy:Q", format=".1f", title="occupancy %")])
    marks = pd.DataFrame({"y": [85, 92], "label": ["85% (safe)", "92% (target)"]})
    rules = alt.Chart(marks).mark_rule(strokeDash=[2, 2], color="#b22222").encode(y="y:Q")
    text = alt.Chart(marks).mark_text(align="left", dx=3, dy=-6, color="#b22222",
                                      fontSize=10).encode(y="y:Q", x=alt.value(0),
                                                          text="label:N")
    return alt.layer(lines, rules, text, title=_title(
        "Bed occupancy by hospital (policy run)",
        "Weekly mean; escalation beds open when a site is full")).properties(width=WIDTH,
                                                                               height=HEIGHT)


def neighbourhood_chart(model: DashboardModel) -> alt.Chart:
    """The 12 neighbourhoods: admissions per 1,000 a year (both arms) and practices by status."""
    rates, practices = model.neighbourhoods()
    order = sorted(rates["neighbourhood"].unique())
    bars = alt.Chart(rates, title=_title(
        "Neighbourhoods: emergency admissions per 1,000 a year",
        "Last 12 months (or since the start); right: GP practices by integration status",
    )).mark_bar().encode(
        y=alt.Y("neighbourhood:N", sort=order, title=None),
        x=alt.X("admissions_per_1000:Q", title="admissions per 1,000 a year"),
        yOffset=alt.YOffset("arm:N", sort=[POLICY, DO_NOTHING]),
        color=_arm_legend(),
        tooltip=["neighbourhood:N", "arm:N",
                 alt.Tooltip("admissions_per_1000:Q", format=".1f", title="per 1,000 a year")],
    ).properties(width=260, height=HEIGHT + 60)
    status = alt.Chart(practices).mark_bar().encode(
        y=alt.Y("neighbourhood:N", sort=order, title=None, axis=None),
        x=alt.X("practices:Q", title="GP practices", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("status:N", scale=STATUS_COLOURS, title="practice status",
                        legend=alt.Legend(orient="bottom", columns=4)),
        order=alt.Order("status_rank:Q"),
        tooltip=["neighbourhood:N", "status:N", "practices:Q"],
    ).transform_calculate(
        status_rank=f"indexof({STATUS_ORDER!r}, datum.status)",
    ).properties(width=110, height=HEIGHT + 60)
    return alt.hconcat(bars, status, spacing=6).resolve_scale(color="independent")


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
        f"### Day {p.day:,} of {p.horizon_days:,} ({date})",
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
    lines += ["", "*Do nothing*: no integration and today's community capacity, same people and "
              "same random numbers. Change the settings on the left, then press **Reset** to start "
              "a new run with them; **Step** advances one week, ▶ plays."]
    return "\n".join(lines)
