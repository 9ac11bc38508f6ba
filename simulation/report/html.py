"""The self-contained HTML page of the evidence pack (no external files or scripts).

Example:
    >>> money(-146.2e6), money(52_000), interval(2.0e6, -1.0e6, 5.0e6)
    ('-£146.2m', '£52k', '£2.0m (-£1.0m to £5.0m)')
    >>> verdict("no")
    '<b>not distinguishable from zero</b>'
"""

from __future__ import annotations

import datetime as dt
import html

import numpy as np
import pandas as pd

from simulation.areas import load_area
from simulation.finance.prices import load_index, to_price_year
from simulation.references import cited_keys, link_citations, references_html
from simulation.report.data import ExperimentData

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,Arial,sans-serif;margin:2em auto;
max-width:1100px;color:#222;line-height:1.45;padding:0 1em}
h1{font-size:1.6em;margin-bottom:0.2em} h2{border-bottom:2px solid #005eb8;padding-bottom:2px;
margin-top:1.8em;color:#003087} table{border-collapse:collapse;font-size:0.85em;margin:0.6em 0}
th,td{border:1px solid #ccc;padding:3px 7px;text-align:right;vertical-align:top}
th{background:#e8eef7} td.t,th.t{text-align:left} .box{background:#f3f6fa;border-left:4px solid
#005eb8;padding:0.6em 1em;margin:1em 0} .warn{background:#fff4e5;border-left-color:#ed8b00}
td.src{min-width:26em;max-width:34em} td.t{max-width:22em}
img{max-width:100%;border:1px solid #ddd;margin:0.5em 0} .small{font-size:0.85em;color:#555}
ul.refs li{margin:0.3em 0;font-size:0.9em}
"""


def money(x: float) -> str:
    """Pounds as £m with one decimal (or £k below £100k)."""
    if x is None or not np.isfinite(x):
        return "n/a"
    sign = "-" if x < 0 else ""
    if abs(x) < 1e5:
        return f"{sign}£{abs(x) / 1e3:,.0f}k"
    return f"{sign}£{abs(x) / 1e6:,.1f}m"


def num(x: float, digits: int = 0) -> str:
    """A number with thousands separators."""
    if x is None or not np.isfinite(x):
        return "n/a"
    return f"{x:,.{digits}f}"


def interval(m: float, lo: float, hi: float, fmt=money) -> str:
    """'m (lo to hi)', or just m without an interval."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return f"{fmt(m)} (no interval)"
    return f"{fmt(m)} ({fmt(lo)} to {fmt(hi)})"


def verdict(flag: str) -> str:
    """Plain words for whether an interval excludes zero."""
    return {"yes": "different from zero", "no": "<b>not distinguishable from zero</b>",
            "n/a": "no interval (one replication)"}.get(flag, flag)


def _table(df: pd.DataFrame, text_cols: tuple[str, ...] = ()) -> str:
    def cls(c: str) -> str:
        return ("t src" if c == "source" else "t") if c in text_cols else ""

    head = "".join(f'<th class="{cls(c)}">{html.escape(str(c))}</th>' for c in df.columns)
    body = []
    for _, r in df.iterrows():
        # Cells that already hold bold markup (row headings built here) pass through unescaped;
        # a cited source key becomes a link to its entry under References.
        shown = {c: r[c] if isinstance(r[c], str) and r[c].startswith("<b>")
                 else link_citations(html.escape(str(r[c]))) for c in df.columns}
        cells = "".join(f'<td class="{cls(c)}">{shown[c]}</td>'
                        for c in df.columns)
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _img(uri: str | None, alt: str) -> str:
    return f'<img src="{uri}" alt="{html.escape(alt)}">' if uri else "<p>(no data)</p>"


def render(data: ExperimentData, t: dict[str, pd.DataFrame], figs: dict[str, str | None],
           head: str | None) -> str:
    """The page as one HTML string."""
    fp = data.arms[data.baseline].finance
    area = load_area(data.arms[data.baseline].area)  # names, contract and gap come from the area
    m = data.manifest
    reps = m.get("replications")
    years = m.get("years")
    opts = t["options_appraisal"]
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>Business case evidence pack: {html.escape(data.name)}</title>"
             f"<style>{CSS}</style></head><body>",
             f"<h1>Business case evidence pack: {html.escape(data.name)}</h1>",
             f"<p class='small'>{html.escape(area.title)}, "
             f"{area.population.registered_patients:,} registered patients. "
             f"lco-sim experiment <code>{html.escape(str(data.folder))}</code>; "
             f"{len(data.arms)} options, {reps} replications each with common random numbers, "
             f"{years} years, simulated at scale {data.scale:g}. Git commit of the sweep "
             f"{html.escape(str(m.get('git_commit', 'unknown'))[:12])}; report written "
             f"{dt.date.today().isoformat()}.</p>",
             "<div class='box'><b>How to read this.</b> Every option is compared with "
             f"<b>{html.escape(data.baseline)}</b> (do nothing) run with the same random numbers. "
             f"Money is in {fp.price_year} prices (price base year; costs uprated with the "
             f"{html.escape(index_title())}, {link_citations('[jones-2026]')}) and discounted "
             f"to {fp.pv_year} (present-value year, year 1 of the appraisal) at "
             f"{fp.discount_rate:.1%} a year (HM Treasury Green Book, "
             f"{link_citations('[hm-treasury-discounting-2025]')}). Optimism bias "
             f"({link_citations('[hm-treasury-optimism-bias-2003]')}) is added to the "
             "programme costs only (transformation and double running), at the rate of each "
             "cost's category in the risk register (its upper bound less the mitigation "
             "justified there), never to the simulated activity. Activity and money are for the "
             f"whole population (simulated values divided by the scale {data.scale:g}). Ranges "
             "are 95% confidence intervals across replications; where a range includes zero the "
             "result is <b>not distinguishable from zero</b>. <b>Economic</b> benefits value "
             "hospital activity avoided at its marginal cost, "
             f"{fp.hospital_marginal_share:.0%} of the average unit cost "
             f"({link_citations('[hfma-mret-2013]')}; average cost is a sensitivity): capacity "
             "freed, plus the fixed costs of wards that close. <b>Cash-releasing</b> benefits "
             f"count only whole wards of {fp.ward_size} "
             "beds that actually close: the freed beds must persist "
             f"{fp.ward_min_years} years, the ward closes {fp.ward_closure_lag_years} year(s) "
             "later and releases cash only from then, while the beds stay freed.</div>"]
    if data.warnings:  # plausibility guards: first thing a reader sees
        parts.append("<div class='box warn'><strong>Warning: some runs are not plausible.</strong>"
                     "<ul>" + "".join(f"<li>{html.escape(w)}</li>" for w in data.warnings)
                     + "</ul>Read the results below with this in mind.</div>")
    # key findings
    items = []
    for _, r in opts.iterrows():
        if "npv_economic" not in r or pd.isna(r.get("npv_economic")):
            continue
        items.append(
            f"<li><b>{html.escape(r['option'])}</b>: economic NPV "
            f"{interval(r['npv_economic'], r['npv_economic_lo'], r['npv_economic_hi'])}, "
            f"{verdict(r['npv_economic differs from zero'])}; cash-releasing NPV "
            f"{interval(r['npv_cash'], r['npv_cash_lo'], r['npv_cash_hi'])}, "
            f"{verdict(r['npv_cash differs from zero'])}. Break-even (economic): "
            f"{html.escape(r['break-even year (economic)'])}.</li>")
    parts.append("<h2>Key findings</h2><ul>" + "".join(items) + "</ul>")
    if not m.get("common_random_numbers", True):
        data.notes.append("The experiment did not use common random numbers: replications are "
                          "paired by number only, so intervals are wider than with CRN.")
    check = _admission_cost_check(data, t)
    if check:
        parts.append(f"<p class='small'>{check}</p>")
    if data.notes:
        parts.append("<div class='box warn'>" + "<br>".join(html.escape(n) for n in data.notes)
                     + "</div>")
    parts.append("<h2>Options appraisal</h2>" + _table(_fmt_options(opts), ("option",
                 "integration level", "note", "NPV economic differs from zero",
                 "NPV cash differs from zero", "break-even (economic)", "break-even (cash)")))
    parts.append("<p class='small'>PV = present value over the horizon. BCR = PV benefits / PV "
                 "costs (n/a when incremental costs are not positive). Costs: change in community, "
                 "primary and social-care spend plus transformation and double running; primary "
                 "care is valued as its GP appointments whatever the contract's scope (moving "
                 "core contracts into the LCO's budget is a transfer, not a cost).</p>")
    parts.append(_drivers_section(t))
    parts.append("<h2>Time profile</h2>" + _img(figs.get("time_profile"), "net benefit by year"))
    tp = t["time_profile"]
    if len(tp):
        show = pd.DataFrame({"option": tp["arm"], "year": tp["year"],
                             "costs": [money(x) for x in tp["costs"]],
                             "economic benefits": [money(x) for x in tp["benefits_economic"]],
                             "cash-releasing benefits": [money(x) for x in tp["benefits_cash"]],
                             "net (economic)": [interval(a, b, c) for a, b, c in
                                                zip(tp["net_economic"], tp["net_economic_lo"],
                                                    tp["net_economic_hi"], strict=True)]})
        parts.append(_table(show, ("option",)))
    act = t["activity_shift"]
    parts.append("<h2>Activity shifted out of hospital</h2>")
    if len(act):
        show = pd.DataFrame({"option": act["arm"], "activity": act["activity"],
                             "do nothing (total over horizon)":
                                 [num(x) for x in act["do_nothing_total"]],
                             "change vs do nothing": [interval(a, b, c, num) for a, b, c in
                                                      zip(act["change"], act["change_lo"],
                                                          act["change_hi"], strict=True)],
                             "change %": [num(x, 1) for x in act["change_percent"]],
                             "verdict": [verdict(x) for x in act["differs_from_zero"]]})
        parts.append(_table(show, ("option", "activity", "verdict")))
    if "by_locality" in t and len(t["by_locality"]):
        parts.append(_by_locality(t["by_locality"], data))
    parts.append("<h2>Bed days, beds freed and delayed discharges</h2>"
                 + _img(figs.get("beds"), "beds and delays"))
    bd = t["beds_and_delays"]
    last = bd[bd["year"] == bd["year"].max()]
    show = pd.DataFrame({"option": last["arm"], "final year": last["year"],
                         "mean occupied beds": [num(x, 1) for x in last["mean_occupied_beds"]],
                         "beds freed vs do nothing": [interval(a, b, c, lambda v: num(v, 1)) if
                                                      np.isfinite(a) else "-" for a, b, c in zip(
                                                          last.get("beds_freed", np.nan),
                                                          last.get("beds_freed_lo", np.nan),
                                                          last.get("beds_freed_hi", np.nan),
                                                          strict=True)],
                         "wards closable": [num(x, 1) if np.isfinite(x) else "-" for x in
                                            last.get("wards_closable", pd.Series(np.nan,
                                                                                 last.index))],
                         "delayed-discharge bed days": [num(x) for x in
                                                        last["delayed_discharge_bed_days"]]})
    parts.append(_table(show, ("option",)))
    sp = t["spend_by_sector"]
    parts.append("<h2>Spend by sector and the capitated budget</h2>"
                 + _img(figs.get("spend"), "spend by sector"))
    base_sp = sp[sp["arm"] == data.baseline]
    show = pd.DataFrame({"option": sp["arm"], "year": sp["year"],
                         **{c: [money(x) for x in sp[c]] for c in
                            ("hospital", "community", "primary", "social care", "transformation",
                             "double_running", "total", "budget", "gap")},
                         "of which GP core (in primary and budget)": [money(x) for x in
                                                                      sp["gp_core"]]})
    parts.append(_table(show, ("option",)))
    if len(base_sp):
        g = fp.gp_core_per_head
        parts.append(
            "<p class='small'>The budget is the capitated "
            f"£{fp.budget_per_head.value:,.0f} a head ({html.escape(area.title)}: "
            f"{html.escape(area.contract.value)} for {area.population.registered_patients:,} "
            f"registered patients; "
            f"{link_citations(html.escape(area.contract.sources['budget_per_head']))}) "
            f"uprated and grown at {fp.budget_real_growth_per_year:.0%} a year, plus the GP core "
            f"services of the practices whose core contract sits in the budget (£{g.value:,.2f} "
            f"a registered patient in {g.cost_year} prices, uprated; NHS Payments to General "
            "Practice), which join primary-care spend alike (see the contract scope below); gap = "
            "spend minus budget. The model costs only the services it represents (emergency "
            "hospital care, community and reablement services, and the GP core contracts in the "
            "budget; every practice's GP appointments are valued in the appraisal, not in this "
            "account), while an LCO budget also pays for services the model leaves out, so the "
            "level of the gap is indicative; its change over time is the useful signal. "
            + (f"For comparison, {html.escape(area.title)} expected a funding gap of "
               f"{html.escape(area.contract.funding_gap)} "
               f"({link_citations(html.escape(area.contract.sources['funding_gap']))}). "
               if area.contract.funding_gap else "")
            + f"Do-nothing gap in year 1: {money(base_sp['gap'].iloc[0])}; in year "
            f"{int(base_sp['year'].iloc[-1])}: {money(base_sp['gap'].iloc[-1])}.</p>")
    parts.append(_scope_section(data, t, area))
    parts.append("<h2>Sensitivity</h2>")
    if head:
        parts.append(f"<p>One-way changes to uncertain finance assumptions for <b>"
                     f"{html.escape(head)}</b> (economic NPV, mean over replications). "
                     "Changes that "
                     "act inside a run (the reinvestment share) need an experiment that varies "
                     "<code>finance.reinvestment_share</code>.</p>" + _img(figs.get("tornado"),
                                                                            "tornado chart"))
        s = t["sensitivity"]
        s = s[s["measure"] == "npv_economic"]
        parts.append(_table(pd.DataFrame({
            "option": s["arm"], "assumption": s["assumption"], "low case": s["low_case"],
            "high case": s["high_case"], "NPV base": [money(x) for x in s["base"]],
            "NPV low": [money(x) for x in s["low"]], "NPV high": [money(x) for x in s["high"]],
            "source of the range": s["source"]}),
            ("option", "assumption", "low case", "high case", "source")))
    parts.append(_programme_section(t, fp))
    uc = t["unit_costs"]
    parts.append("<h2>Unit costs and what they are applied to</h2>")
    show = uc.fillna("").astype(str)
    parts.append(_table(show, tuple(show.columns)))
    parts.append("<h2>Assumptions that differ from the defaults</h2>")
    a = t["assumptions"]
    if len(a):
        parts.append(_table(a.astype(str), tuple(a.columns)))
    else:
        parts.append("<p>None: every option uses the default parameters.</p>")
    parts.append("<p class='small'>Every other parameter takes its default, documented with its "
                 "source in docs/model.md. Health effects are not valued in QALYs, so the 1.5% "
                 "health discount rate is not applied. Sources are cited by key, e.g. "
                 "[steventon-2018]; the full citation of every key cited in this report is listed "
                 "under References.</p>")
    parts.append(references_html(cited_keys("\n".join(parts))))
    parts.append("</body></html>")
    return "\n".join(parts)


def _scope_section(data: ExperimentData, t: dict[str, pd.DataFrame], area) -> str:
    """The contract's scope in words (the area's and the model's) and who gains the savings."""
    from simulation.finance_parameters import FinanceParams
    from simulation.scenario import GP_CORE_SCOPES

    cs = t["contract_scope"]
    scopes = list(dict.fromkeys(cs["gp_core_scope"]))
    words = " ".join(f"<b>{html.escape(sc)}</b>: {html.escape(GP_CORE_SCOPES[sc])}."
                     for sc in scopes)
    c = area.contract
    note = (f" {html.escape(area.title)}'s contract: {html.escape(c.gp_core_note)} "
            f"({html.escape(c.sources.get('gp_core_scope', ''))})." if c.gp_core_note else "")
    show = pd.DataFrame({
        "option": cs["option"], "integration level": cs["integration level"],
        "contracts": cs["contracts"], "GP core scope": cs["gp_core_scope"],
        "patients with GP core in the budget (year 1)":
            [num(x) for x in cs["patients with GP core in the budget (year 1)"]],
        "GP core in budget and spend (year 1)":
            [money(x) for x in cs["GP core in budget and spend, year 1 (£)"]]})
    out = ["<h2>Contract scope and who gains the savings</h2>",
           f"<p>Whose GP core services sit inside the LCO's budget "
           f"(<code>integration.contracts.gp_core_scope</code>). {words}{note}</p>",
           _table(show, ("option", "integration level", "contracts", "GP core scope"))]
    share = data.arms[data.baseline].finance.savings_share_lco
    source = (c.sources.get("savings_share_lco") if c.savings_share_lco == share else None) or \
        (FinanceParams.model_fields["savings_share_lco"].json_schema_extra or {}).get("source", "")
    out.append(
        "<p>Savings from reduced hospital activity (the cash-releasing benefits: whole wards that "
        f"could close against do nothing) are shared: {share:.0%} to the LCO and the rest to the "
        f"acute sector (<code>finance.savings_share_lco</code>; {html.escape(source)}). Within "
        "the LCO's share, the primary care inside its budget gains pro rata to budget "
        "(ASSUMPTION), so it gains nothing where GP core services sit outside. Present values "
        "over the horizon, 95% intervals across replications.</p>")
    sv = t["savings_shares"]
    if len(sv):
        def iv(col: str) -> list[str]:
            return [interval(a, b, c_) for a, b, c_ in zip(sv[col], sv[f"{col}_lo"],
                                                            sv[f"{col}_hi"], strict=True)]
        out.append(_table(pd.DataFrame({
            "option": sv["arm"], "share to the LCO": [f"{x:.0%}" for x in sv["savings_share_lco"]],
            "cash released (PV)": iv("pv_cash_released"),
            "to the acute sector": iv("pv_savings_acute"), "to the LCO": iv("pv_savings_lco"),
            "of which primary care in the LCO's budget": iv("pv_savings_lco_primary_care")}),
            ("option",)))
    return "\n".join(out)


def _by_locality(table: pd.DataFrame, data: ExperimentData) -> str:
    """The per-locality section of a partitioned sweep (names from the area file)."""
    show = pd.DataFrame({"locality": table["locality"], "option": table["arm"]})
    for label in ("emergency admissions", "bed days"):
        if f"{label} change" not in table:
            continue
        show[f"{label}, do nothing"] = [num(x) for x in table[f"{label} (do nothing)"]]
        show[f"{label}, change vs do nothing"] = [
            interval(a, b, c, num) for a, b, c in zip(table[f"{label} change"],
                                                      table[f"{label} change_lo"],
                                                      table[f"{label} change_hi"], strict=True)]
        show[f"{label}, change %"] = [num(x, 1) for x in table[f"{label} change %"]]
    return ("<h2>By locality</h2><p>Each locality ran as its own model (a partitioned sweep); "
            "totals over the horizon for the whole population, with the change against "
            f"<b>{html.escape(data.baseline)}</b> paired by replication (95% intervals). The "
            "last rows add the localities up. A hospital site used first by several localities "
            "has its beds split between them in proportion to their population, and patients "
            "do not overflow to another locality's site (see the user guide, 'Partitioned "
            "runs').</p>" + _table(show, ("locality", "option")))


def _admission_cost_check(data: ExperimentData, t: dict[str, pd.DataFrame]) -> str:
    """Cost of an avoided emergency admission implied here, against the published costs."""
    from simulation.finance.costs import admission_value, unit_costs

    def _gbp(x: float) -> str:
        return f"£{x:,.0f}"

    fp = data.arms[data.baseline].finance
    y = data.yearly[data.yearly["arm"] == data.baseline].groupby("metric")["value"].sum()
    if not y.get("emergency_admissions"):
        return ""
    p = unit_costs(fp)
    short = y["short_stay_admissions"] / y["emergency_admissions"]
    each = admission_value(fp, short)
    lo = to_price_year(1600, "2016/17", fp)
    hi = to_price_year(2900, "2016/17", fp)
    return (f"Consistency check: an avoided emergency admission is valued here at about "
            f"{_gbp(each)} ({short:.0%} stays of 0-1 days at {_gbp(p['nel_short_stay'])}, the rest "
            f"at {_gbp(p['nel_long_stay'])}, NCC 2023/24 {link_citations('[jones-2025]')}), "
            f"against £1,600-£2,900 in 2016/17 prices ({_gbp(lo)}-{_gbp(hi)} uprated; "
            f"{link_citations('[hfma-2017]')}, {link_citations('[steventon-2018]')} / "
            f"{link_citations('[nao-2018]')}); delayed bed days add "
            f"{_gbp(p['excess_bed_day'])} each. These are average costs; the appraisal counts "
            f"{fp.hospital_marginal_share:.0%} of them as released (marginal cost).")


def _change(r: pd.Series, label: str) -> str:
    key = f"change in {label}"
    if key not in r or pd.isna(r[key]):
        return "n/a"
    return (f"{interval(r[key], r[f'{key}_lo'], r[f'{key}_hi'], num)}; "
            f"{num(r[f'{key} %'], 1)}%")


def _fmt_options(opts: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for _, r in opts.iterrows():
        if pd.isna(r.get("npv_economic", np.nan)):
            rows.append({"option": r["option"], "integration level": r["integration level"],
                         "note": r.get("note", "")})
            continue
        rows.append({
            "option": r["option"], "integration level": r["integration level"], "note": "",
            "emergency admissions change": _change(r, "emergency admissions"),
            "bed days change": _change(r, "bed days"),
            "PV costs": interval(r["pv_costs"], r["pv_costs_lo"], r["pv_costs_hi"]),
            "PV economic benefits": interval(r["pv_benefits_economic"],
                                             r["pv_benefits_economic_lo"],
                                             r["pv_benefits_economic_hi"]),
            "NPV economic": interval(r["npv_economic"], r["npv_economic_lo"], r["npv_economic_hi"]),
            "NPV economic differs from zero": verdict(r["npv_economic differs from zero"]),
            "BCR economic": interval(r["bcr_economic"], r["bcr_economic_lo"], r["bcr_economic_hi"],
                                     lambda v: num(v, 2)),
            "NPV cash": interval(r["npv_cash"], r["npv_cash_lo"], r["npv_cash_hi"]),
            "NPV cash differs from zero": verdict(r["npv_cash differs from zero"]),
            "break-even (economic)": r["break-even year (economic)"],
            "break-even (cash)": r["break-even year (cash)"]})
    return pd.DataFrame(rows).fillna("")


def _drivers_section(t: dict[str, pd.DataFrame]) -> str:
    """What drives each NPV: its decomposition by kind, and the switching value of each driver."""
    d = t.get("npv_decomposition", pd.DataFrame())
    if not len(d):
        return ""
    out = ["<h2>What drives the NPV</h2><p>Each option's present values by kind, signed as they "
           "enter the NPV (costs negative). The economic NPV adds every row but the wards closed; "
           "the cash-releasing NPV adds the cost rows and the wards closed. Programme costs are "
           "estimates (with their optimism bias shown apart); activity costs and benefits are "
           "simulated.</p>"]
    show = pd.DataFrame({
        "option": d["arm"], "kind": d["kind"],
        "component": [f"<b>{html.escape(c)}</b>" if k == "total" else c
                      for k, c in zip(d["kind"], d["component"], strict=True)],
        "present value": [interval(a, b, c) for a, b, c in zip(d["pv"], d["pv_lo"], d["pv_hi"],
                                                               strict=True)],
        "in": d["in_npv"]})
    out.append(_table(show, ("option", "kind", "component", "in")))
    sv = t.get("switching_values", pd.DataFrame())
    if len(sv):
        out.append("<h3>Switching values</h3><p>The value of each driver at which the option's "
                   "mean NPV would be zero, the others held at their base values (closed form "
                   "where the NPV is linear in the driver; the discount rate by root finding). "
                   "A switching value far outside a driver's range means the sign of the NPV "
                   "does not depend on it.</p>")
        show = pd.DataFrame({
            "option": sv["arm"], "NPV": [m.removeprefix("npv_") for m in sv["measure"]],
            "driver": sv["driver"], "base": [num(x, 3) for x in sv["base"]],
            "switching value": [num(x, 3) if np.isfinite(x) else "none" for x in
                                sv["switching_value"]],
            "change": [f"{x:+.0%}" if np.isfinite(x) else "-" for x in sv["change"]],
            "unit": sv["unit"], "note": sv["note"]})
        out.append(_table(show, ("option", "NPV", "driver", "unit", "note")))
    return "".join(out)


def _programme_section(t: dict[str, pd.DataFrame], fp) -> str:
    """Programme costs with sources, the optimism-bias register and the price index."""
    out = []
    pc = t.get("programme_costs", pd.DataFrame())
    if len(pc):
        out.append("<h2>Programme costs, optimism bias and prices</h2><p>Programme costs are "
                   "estimates from published funding of new-care-model vanguards (an area file "
                   "may state its own); each has a central value and a range for the "
                   "sensitivity and a probabilistic analysis.</p>")
        y = fp.price_year
        show = pd.DataFrame({
            "option": pc["arm"], "programme cost": pc["programme cost"], "unit": pc["unit"],
            "central (low-high)": [f"£{c:,.1f} ({lo:,.1f}-{hi:,.1f}), {cy} prices" for c, lo, hi, cy
                                   in zip(pc["central"], pc["low"], pc["high"], pc["cost_year"],
                                          strict=True)],
            f"central in {y} prices": [f"£{x:,.1f}" for x in pc[f"central_{y}"]],
            "years": pc["years"], "distribution": pc["distribution"],
            "optimism bias": [f"{x:.1%} ({c})" for x, c in zip(
                pc["optimism_bias_applied"], pc["optimism_bias_category"], strict=True)],
            "source": pc["source"]})
        out.append(_table(show, ("option", "programme cost", "unit", "central (low-high)",
                                 "distribution", "optimism bias", "source")))
    rr = t.get("risk_register", pd.DataFrame())
    if len(rr):
        out.append("<h3>Optimism bias: the risk register</h3><p>Applied rate = lower bound + "
                   "(upper bound - lower bound) x (1 - sum of contribution x mitigated). Edit a "
                   "copy of the register and name it in <code>finance.risk_register</code>.</p>")
        show = rr.assign(**{c: [("" if pd.isna(x) else f"{x:.0%}") for x in rr[c]]
                            for c in ("upper_bound", "lower_bound", "contribution", "mitigated",
                                      "applied")})
        out.append(_table(show.astype(str), tuple(show.columns)))
    pi = t.get("price_index", pd.DataFrame())
    if len(pi):
        out.append(f"<h3>Price index</h3><p>Costs are uprated to {fp.price_year} prices by the "
                   "ratio of index levels of the price year and the cost year.</p>")
        show = pd.DataFrame({"year": pi["year"],
                             "% change": ["" if pd.isna(x) else f"{x:.2f}"
                                          for x in pi["percent_change"]],
                             f"factor to {fp.price_year}": [f"{x:.4f}" for x in
                                                            pi[f"factor_to_{fp.price_year}"]],
                             "basis": pi["basis"]})
        out.append(_table(show, ("year", "basis")) + "<p class='small'>Source: "
                   + link_citations(html.escape(str(pi["source"].iloc[0]))) + "</p>")
    return "".join(out)


def index_title() -> str:
    """Name of the stored price index."""
    return str(load_index()["title"])
