"""The validation report: published targets, verification checks and limits, from a fresh run.

``lco-sim validate`` calls :func:`write_report`, which

1. runs replications of the area's ``none`` baseline (:func:`simulation.calibration.run_baseline`)
   and measures every calibration target (:func:`simulation.calibration.evaluate`): the area's own
   published figures where its area file has them, England's rates otherwise
   (:func:`simulation.calibration.targets_for_area`), each row saying which;
2. runs a paired ``full`` integration arm with the same seeds (common random numbers) and measures
   the policy targets of target groups 2-4 (:data:`POLICY_TARGETS`, :data:`TARGET_GROUPS`);
3. runs the verification checks (:func:`simulation.verification.run_all`): Little's law, the
   M/G/inf and Erlang B queueing formulas, invariants;
4. writes ``report.md`` (with a References section giving the full citation of every source it
   cites by key, :mod:`simulation.references`), ``targets.csv``, ``figures_not_found.csv``,
   ``verification.csv``, figures
   and ``manifest.json``.

Whether a target is met is always computed from the numbers (``low <= value <= high`` on the mean
over replications), never written by hand; :func:`verdicts` recomputes it and refuses a table whose
``met`` column disagrees. The output folder is written to a temporary folder and moved into place
at the end, so an interrupted run leaves the previous report intact.

Example:
    >>> import pandas as pd
    >>> table = pd.DataFrame({"low": [1.0, 1.0, 1.0], "high": [2.0, 2.0, 2.0],
    ...                       "value": [1.5, 2.5, float("nan")]})
    >>> verdicts(table).tolist()
    ['met', 'not met', 'not evaluated']
    >>> fmt(0.123456), fmt(1234.5), fmt(float("nan"))
    ('0.1235', '1,234', '-')
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.calibration import EFFECT_TARGETS, Target
from simulation.provenance import atomic_write_json, environment, replaced_directory
from simulation.references import cited_keys, references_markdown
from simulation.statistics import mean_ci

YEAR = 365

TARGET_GROUPS = {
    1: ("Baseline (counterfactual) trend", "[steventon-2018] [nao-2018] [blunt-2010]"),
    2: ("Whole-population effect of MCP/PACS-style integration",
        "[nhs-england-long-term-plan-2019] [nhs-england-next-steps-2017] [morciano-2021] "
        "[hsj-vanguards-2018]"),
    3: ("Time profile of effects", "[health-foundation-iau-2021] [imison-2017]"),
    4: ("Targeted MDT or case management of high-risk adults",
        "[gravelle-2007] [roland-2012] [stokes-2015] [poupard-2020]"),
    5: ("Enhanced support in care homes", "[lloyd-2017] [wolters-2019]"),
    6: ("Best-case intervention effects (umbrella review)", "[damery-2016]"),
    7: ("Discharge side", "[williams-2022] [goncalves-bradley-2017] [kings-fund-dtoc-2018] "
        "[health-foundation-delayed-discharges-2023] [hsj-long-stay-2018]"),
    8: ("Occupancy and flow", "[hsj-winter-beds-2017] [nationalworld-bed-occupancy-2023] "
        "[hscic-ae-journey-2014] [steventon-2018] [friebel-2018]"),
    9: ("Primary and community demand", "[nhs-digital-gpad-2020] [hobbs-2016] "
        "[hippisley-cox-2009] [ruzangi-2020] [polley-2017]"),
    10: ("Economics", "[imison-2017] [hfma-2017] [jones-2025] [hm-treasury-discounting-2025]"),
    11: ("The workforce behind the capacities", "[parliament-community-nurses-2018] "
         "[qni-district-nursing-2019] [hca-skills-for-care-2024] [bmjopen-gp-trends-2024] "
         "[bma-gp-pressures-2023]"),
}
"""The groups of published patterns a credible model of integrated care should reproduce
(number -> title and sources), from null results to the best published effects, and the staff
that cap every capacity."""

TARGET_GROUP = {"admissions_growth": 1, "bed_days_growth": 1, "integration_whole_population": 2,
                "integration_first_two_years": 3, "case_management_cohort": 4, "dtoc_share": 7,
                "ae_conversion": 8, "winter_occupancy": 8, "readmission_30d": 8,
                "gp_per_person": 9, "gp_85_89": 9, "gp_5_14": 9, "gp_infants": 9,
                "care_home_admission_rate": 5, "care_home_ae_rate": 5, "care_home_share_65": 5,
                "enhanced_care_homes": 5, "staff_community_nurses": 11, "staff_care_workers": 11,
                "staff_gps": 11}
"""The group each target of this report tests (targets not listed test none of the groups)."""

REPORT_COLUMNS = ["key", "target", "unit", "published", "low", "high", "value", "ci_low",
                  "ci_high", "n_runs", "met", "source", "tolerance"]


# ----- policy targets (paired arms) ---------------------------------------------------------
@dataclass(frozen=True)
class PolicyTarget(Target):
    """A published effect of integration, measured as a paired difference between two arms.

    ``measure(base, arm)`` takes the ``none`` run and the ``full`` run with the same seed
    (runner ``RunOutput`` objects) and returns the effect.
    """

    measure: Callable[[Any, Any], float]


def _admissions(run, first_day: int = 0, last_day: int | None = None) -> float:
    res = run.results
    d = res[(res["dimension"] == "all") & (res["metric"] == "emergency_admissions")]
    d = d[d["day"] >= first_day]
    if last_day is not None:
        d = d[d["day"] < last_day]
    return float(d["value"].sum())


def whole_population_change(base, arm) -> float:
    """Relative change (%) in emergency admissions over all recorded days, arm vs base."""
    return (_admissions(arm) / _admissions(base) - 1) * 100


def early_change(base, arm) -> float:
    """Relative change (%) in emergency admissions over the first two recorded years."""
    return (_admissions(arm, 0, 2 * YEAR) / _admissions(base, 0, 2 * YEAR) - 1) * 100


def case_managed_change(base, arm) -> float:
    """Relative change (%) in admissions of the patients case-managed in ``arm``, after enrolment.

    The same patients (same ids: common random numbers) over the same days in the base arm are
    the comparator. NaN if nobody was case-managed.
    """
    since = arm.model.population.case_managed_since[: arm.model.population.n]
    ids = np.flatnonzero(since >= 0)
    if len(ids) == 0:
        return float("nan")

    def count(run) -> int:
        e = run.episodes
        e = e[e["patient"].isin(ids)]
        return int((e["admit_day"].to_numpy() >= since[e["patient"].to_numpy()]).sum())

    base_n = count(base)
    return (count(arm) / base_n - 1) * 100 if base_n else float("nan")


EARLY_EFFECT = next(t for t in EFFECT_TARGETS if t.key == "early_effect")
"""The 'close to zero for about 2 years' band, defined once in :mod:`simulation.calibration`."""

def _last_year(run, metric: str) -> float:
    res = run.results
    d = res[(res["dimension"] == "all") & (res["metric"] == metric)]
    return float(d.loc[d["day"] >= d["day"].max() + 1 - YEAR, "value"].sum())


def care_home_admissions_change(base, arm) -> float:
    """Relative change (%) in residents' emergency admissions per resident-year, last year."""
    def rate(run) -> float:
        return _last_year(run, "care_home_admissions") / _last_year(run,
                                                                    "care_home_places_occupied")
    return (rate(arm) / rate(base) - 1) * 100


def supported_home_deaths_ratio(base, arm) -> float:
    """Ratio of home deaths of the people end-of-life care supported in ``arm``, arm over base.

    Levers never change when anyone dies (only care-home residence changes a death hazard), so
    the base arm shows where the same people died without the lever; people who died on
    another day in the base arm are left out.
    """
    from simulation.end_of_life import HOME

    a, b = arm.model.population, base.model.population
    ids = np.flatnonzero(a.end_of_life_plan[: a.n] & ~a.alive[: a.n] & ~a.care_home[: a.n])
    ids = ids[ids < b.n]
    ids = ids[~b.alive[ids] & (b.dies_on[ids] == a.dies_on[ids])]
    home_b = (b.death_place[ids] == HOME).mean() if len(ids) else np.nan
    home_a = (a.death_place[ids] == HOME).mean() if len(ids) else np.nan
    return float(home_a / home_b) if home_b else float("nan")


POLICY_TARGETS: tuple[PolicyTarget, ...] = (
    PolicyTarget(
        "integration_whole_population", "Change in emergency admissions, full integration vs none "
        "(whole population, all recorded years)", "%", "no published whole-population fall of more "
        "than 5% within 2-3 years; individual sites -3% to +15.6%", -5.0, 15.6,
        "[morciano-2021] [hsj-vanguards-2018]", "the published range as stated",
        whole_population_change, min_years=2),
    PolicyTarget(
        "integration_first_two_years", "Change in emergency admissions in the first 2 years, full "
        "integration vs none", "%", "effects close to zero for about 2 years", EARLY_EFFECT.low,
        EARLY_EFFECT.high, "[health-foundation-iau-2021]",
        f"ASSUMPTION: 'close to zero' read as within {EARLY_EFFECT.low:+g}% to "
        f"{EARLY_EFFECT.high:+g}% (the early_effect band of simulation.calibration)",
        early_change,
        min_years=2),
    PolicyTarget(
        "case_management_cohort", "Change in emergency admissions of case-managed patients after "
        "enrolment, vs the same patients without integration", "%", "-5% to +10% (Evercare +2.5%; "
        "ICPs +2% to +9%; meta-analyses null)", -5.0, 10.0,
        "[gravelle-2007] [roland-2012] [stokes-2015] [poupard-2020]",
        "the published range as stated", case_managed_change, min_years=2),
    PolicyTarget(
        "enhanced_care_homes", "Change in care-home residents' emergency admissions per "
        "resident-year, full integration vs none (last recorded year)", "%", "a fall of 0-40% "
        "(Rushcliffe -23%; residential homes RR 0.60; Wakefield and Sutton null)", -40.0, 0.0,
        "[lloyd-2017] [lloyd-2019] [iau-wakefield-2019] [iau-sutton-2019]", "the published range "
        "as stated", care_home_admissions_change,
        min_years=2),
    PolicyTarget(
        "end_of_life_care_home_deaths", "Home deaths of people given end-of-life care, over the "
        "same people's home deaths without integration", "ratio", "RR 1.31 (1.12 to 1.52) for "
        "dying at home with home-based end-of-life care", 1.12, 1.52,
        "[shepperd-2021]", "the published interval",
        supported_home_deaths_ratio, min_years=2),
)
"""Effects of integration (target groups 2-4) that a paired full-integration arm can test."""


def evaluate_policy(base_runs: list, arm_runs: list,
                    targets: tuple[PolicyTarget, ...] = POLICY_TARGETS) -> pd.DataFrame:
    """Measure each policy target on paired runs (same seeds); same columns as calibration."""
    years = min(len(r.model.dates) - 1 for r in base_runs) // YEAR if base_runs else 0
    rows = []
    for t in targets:
        values = ([t.measure(b, a) for b, a in zip(base_runs, arm_runs, strict=True)]
                  if years >= t.min_years else [])
        mean, lo, hi = mean_ci(values)
        n = int(np.isfinite(values).sum()) if values else 0
        rows.append({"key": t.key, "target": t.name, "unit": t.unit, "published": t.published,
                     "low": t.low, "high": t.high, "value": mean, "ci_low": lo, "ci_high": hi,
                     "n_runs": n, "met": (t.low <= mean <= t.high) if n else pd.NA,
                     "source": t.source, "tolerance": t.tolerance})
    return pd.DataFrame(rows, columns=REPORT_COLUMNS)


# ----- verdicts and formatting --------------------------------------------------------------
def verdicts(table: pd.DataFrame) -> pd.Series:
    """'met', 'not met' or 'not evaluated' for each row, recomputed from low, value and high.

    Raises:
        ValueError: if the table carries a ``met`` column that disagrees with its numbers.
    """
    value = pd.to_numeric(table["value"], errors="coerce")
    evaluated = value.notna()
    met = evaluated & (table["low"] <= value) & (value <= table["high"])
    if "met" in table:
        given = table["met"]
        bad = evaluated & given.notna() & (given.astype("boolean") != met)
        if bad.any():
            names = table.loc[bad, "target"] if "target" in table else bad.index[bad]
            raise ValueError(f"'met' disagrees with low <= value <= high for {list(names)}")
    out = np.where(~evaluated, "not evaluated", np.where(met, "met", "not met"))
    return pd.Series(out, index=table.index, name="verdict")


def interval_status(table: pd.DataFrame) -> pd.Series:
    """How each 95% interval sits against its band (a met target with a wide one is weak evidence).

    >>> t = pd.DataFrame({"low": [0.0, 0.0, 0.0, 0.0], "high": [1.0, 1.0, 1.0, 1.0],
    ...                   "ci_low": [0.2, 0.5, -1.0, float("nan")],
    ...                   "ci_high": [0.8, 1.5, 2.0, float("nan")]})
    >>> interval_status(t).tolist()
    ['inside band', 'crosses band edge', 'wider than band', 'no interval']
    """
    lo = pd.to_numeric(table["ci_low"], errors="coerce")
    hi = pd.to_numeric(table["ci_high"], errors="coerce")
    status = np.where(lo.isna() | hi.isna(), "no interval",
                      np.where((lo >= table["low"]) & (hi <= table["high"]), "inside band",
                               np.where((lo < table["low"]) & (hi > table["high"]),
                                        "wider than band", "crosses band edge")))
    return pd.Series(status, index=table.index, name="interval")


def fmt(x: Any) -> str:
    """A number for a Markdown table: 4 significant figures, thousands separators, '-' for NaN."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return str(x)
    if not np.isfinite(x):
        return "-"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.4g}"


def _cell(text: Any) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def group_coverage(table: pd.DataFrame) -> pd.DataFrame:
    """For each group of :data:`TARGET_GROUPS`, its sources, the targets testing it and verdicts."""
    verdict = verdicts(table)
    rows = []
    for item, (title, sources) in TARGET_GROUPS.items():
        mine = [i for i in table.index if TARGET_GROUP.get(table.loc[i, "key"]) == item]
        summary = ", ".join(f"{table.loc[i, 'key']} ({verdict[i]})" for i in mine)
        rows.append({"item": item, "title": title, "sources": sources,
                     "targets": summary or "not evaluated"})
    return pd.DataFrame(rows)


# ----- limitations --------------------------------------------------------------------------
def limitations(area_name: str | None = None) -> list[str]:
    """What the model does not capture, with counts computed from the scenario where possible.

    Args:
        area_name: the area validated (names and dates in the text come from it); the default
            area if ``None``.
    """
    from simulation.areas import DEFAULT_AREA, load_area
    from simulation.docs_tables import iter_parameters

    area = load_area(area_name or DEFAULT_AREA)

    rows = list(iter_parameters())
    assumed = [r.name for r in rows if "ASSUMPTION" in r.source]
    calibrated = [r.name for r in rows if "CALIBRATED" in r.source]
    own = [t.key for t in area.targets]
    targets = (f"{len(own)} baseline targets are {area.title}'s own published figures "
               f"({', '.join(own)}); the others are national or regional figures (section 2 "
               f"lists the {area.title} figures that were not found)" if own else
               f"Targets are national or regional figures, not {area.title} data (no {area.title} "
               "figure was found; section 2 says where one was looked for)")
    return [
        f"{len(assumed)} of {len(rows)} parameters rest wholly or partly on an ASSUMPTION and "
        f"{len(calibrated)} are CALIBRATED to the targets above (see docs/model.md, 7.16); the "
        "calibrated targets are therefore not independent validation.",
        f"{targets}; the model has not been back-tested against the {area.title} LCO's own "
        f"activity since {area.contract.start_date[:4]}.",
        "Only emergency (non-elective) care of the registered population is modelled: no elective "
        "admissions, outpatients, maternity or mental-health services. Hospital beds are the share "
        "of each site used by this population's emergency patients.",
        "A&E has no capacity, queue or four-hour waits; crowding does not change conversion or "
        "outcomes. Out-of-area care is unlimited and its patients leave on their fit day.",
        "Care homes hold residents but not their staff or quality; residents never move home "
        "again; long-term home care is a count of packages of a fixed size; hospice patients "
        "are never discharged alive. The workforce is three roles (community nurses, home-care "
        "workers, GPs) as deterministic monthly stocks with no sickness, skill mix, agency staff "
        "or pay-driven retention; care homes, hospices and places bought with reinvested savings "
        "are not staffed by a role.",
        "Conditions are four tiers (none, long-term condition, multimorbid, frail) with no disease "
        "pathways; tiers only rise; case management and social prescribing last until death.",
        "Mortality does not depend on the care received: no lever, delay or crowding changes "
        "when anyone dies (care only changes where they die and how often they were admitted "
        "first), and health gains (QALYs) are not modelled by the core model. Places of death "
        "are standardised to England's age mix of deaths, whose split by age band is partly an "
        "ASSUMPTION.",
        "Decisions of patients, clinicians and social workers are probabilities, not choices; "
        "practices' adoption is a hazard whose coefficients are assumptions.",
        "Trends (secular demand growth, LOS fall, multimorbidity) are constant; COVID-19 and "
        "other structural breaks are not represented.",
        "Space is only membership of a neighbourhood and a locality's home hospital; there is no "
        "travel, choice of provider or cross-boundary flow.",
        "The report runs at reduced scale for speed: every capacity is scaled with the "
        "population, so rates and occupancies are comparable but noisier than at full scale "
        "(the confidence intervals show how much).",
    ]


# ----- figures ------------------------------------------------------------------------------
def plot_targets(table: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Each target's mean and 95% CI, drawn relative to its band (band = 0..1).

    ``title`` (an area's title) heads the figure; targets checked against the area's own figure
    are marked "(own)".
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = table.reset_index(drop=True)
    # a point figure (low == high) is drawn on a scale of +-5% of the figure around the middle
    point = (t["high"] == t["low"]) & (t["low"] != 0)
    width = (t["high"] - t["low"]).where(~point, 0.1 * t["low"].abs()).replace(0, np.nan)
    start = t["low"].where(~point, t["low"] - 0.05 * t["low"].abs())
    pos = (pd.to_numeric(t["value"]) - start) / width
    lo = (pd.to_numeric(t["ci_low"]) - start) / width
    hi = (pd.to_numeric(t["ci_high"]) - start) / width
    v = verdicts(t)
    fig, ax = plt.subplots(figsize=(10, 0.42 * len(t) + 1.4))
    y = np.arange(len(t))[::-1]
    ax.axvspan(0, 1, color="tab:green", alpha=0.12, label="published band")
    colours = np.where(v == "met", "tab:green", np.where(v == "not met", "tab:red", "grey"))
    for i in range(len(t)):
        if np.isfinite(lo[i]) and np.isfinite(hi[i]):
            ax.plot([lo[i], hi[i]], [y[i], y[i]], color=colours[i], lw=2)
        if np.isfinite(pos[i]):
            ax.plot(pos[i], y[i], "o", color=colours[i])
    own = (t["basis"].fillna("England") != "England") if "basis" in t else pd.Series(False,
                                                                                   index=t.index)
    ax.set_yticks(y, [f"{k}{' (own)' if o else ''}{' (point: +-5% shown)' if pt else ''} ({vv})"
                      for k, o, pt, vv in zip(t["key"], own, point, v, strict=True)], fontsize=8)
    ax.set_xlabel("position in the published band (0 = low end, 1 = high end); mean and 95% CI")
    finite = np.concatenate([pos[np.isfinite(pos)], [0, 1]])
    ax.set_xlim(max(-3, finite.min() - 0.3), min(4, finite.max() + 0.3))
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(f"{title}: model against published targets" if title
                 else "Model against published targets")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _daily(run, metric: str) -> pd.Series:
    r = run.results
    d = r[(r["dimension"] == "all") & (r["metric"] == metric)]
    return pd.Series(d["value"].to_numpy(), index=pd.DatetimeIndex(d["date"]))


def plot_trajectories(base_runs: list, arm_runs: list, path: Path) -> Path:
    """Baseline admissions and beds, and the paired change full vs none over time (90-day sums)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    changes = []
    for i, (b, a) in enumerate(zip(base_runs, arm_runs, strict=True)):
        first = i == 0
        for ax, metric in zip(axes[:2], ("emergency_admissions", "occupied_beds"), strict=True):
            for run, colour, label in ((b, "tab:blue", "none"), (a, "tab:orange", "full")):
                s = _daily(run, metric).rolling(30, min_periods=1).mean()
                ax.plot(s.index, s.to_numpy(), color=colour, lw=0.8, alpha=0.6,
                        label=label if first else None)
        base90 = _daily(b, "emergency_admissions").rolling(90).sum()
        arm90 = _daily(a, "emergency_admissions").rolling(90).sum()
        change = (arm90 / base90 - 1) * 100
        changes.append(change)
        axes[2].plot(change.index, change.to_numpy(), color="grey", lw=0.8, alpha=0.6,
                     label="each replication" if first else None)
    if changes:
        mean = pd.concat(changes, axis=1).mean(axis=1)
        axes[2].plot(mean.index, mean.to_numpy(), color="black", lw=1.8, label="mean")
    axes[2].axhline(0, color="grey", lw=0.8)
    axes[2].axhline(-5, color="tab:red", lw=1, ls="--",
                    label="-5%: beyond any published fall (target group 2)")
    axes[0].set_title("Emergency admissions a day (30-day mean)")
    axes[1].set_title("Occupied beds (30-day mean)")
    axes[2].set_title("Full vs none: change in admissions (%, 90-day sums)")
    for ax in axes:
        locator = mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ----- verification -------------------------------------------------------------------------
def run_verification(seed: int) -> pd.DataFrame:
    """The verification checks as a table (name, expected, observed, tolerance, passed, detail)."""
    from simulation import verification

    rows = []
    for c in verification.run_all(seed=seed):
        row = dataclasses.asdict(c) if dataclasses.is_dataclass(c) else dict(c._asdict())
        rows.append(row)
    return pd.DataFrame(rows)


def check_verdicts(checks: pd.DataFrame) -> pd.Series:
    """'yes'/'no' for each check, recomputed as ``|observed - expected| <= tolerance``.

    Where the verification module's own ``passed`` disagrees (a check with another rule), both
    are shown, so no verdict is taken on trust.

    >>> checks = pd.DataFrame({"expected": [1.0, 1.0], "observed": [1.1, 2.0],
    ...                        "tolerance": [0.2, 0.5], "passed": [True, True]})
    >>> check_verdicts(checks).tolist()
    ['yes', 'no (module: yes)']
    """
    gap = (pd.to_numeric(checks["observed"]) - pd.to_numeric(checks["expected"])).abs()
    ok = gap <= pd.to_numeric(checks["tolerance"]) * (1 + 1e-12) + 1e-12
    given = checks["passed"].astype(bool)
    words = {True: "yes", False: "no"}
    return pd.Series([words[bool(o)] + ("" if o == g else f" (module: {words[bool(g)]})")
                      for o, g in zip(ok, given, strict=True)], index=checks.index)


# ----- the report ---------------------------------------------------------------------------
def checked_against(basis: Any) -> str:
    """Whose figure a target's band is, in words ('England' or an area's title).

    >>> checked_against("England"), checked_against("Dudley")
    ("England's published rates", "Dudley's own figure")
    """
    basis = "England" if pd.isna(basis) or not str(basis).strip() else str(basis)
    return "England's published rates" if basis == "England" else f"{basis}'s own figure"


def _target_table_md(table: pd.DataFrame) -> list[str]:
    v = verdicts(table)
    where = interval_status(table)
    basis = table["basis"] if "basis" in table else pd.Series("England", index=table.index)
    lines = ["| Target | Published | Band | Model value | 95% CI | Verdict | CI vs band | Source "
             "| Checked against |", "|---|---|---|---|---|---|---|---|---|"]
    for i, r in table.iterrows():
        band = f"{fmt(r['low'])} to {fmt(r['high'])} {r['unit']}"
        ci = f"{fmt(r['ci_low'])} to {fmt(r['ci_high'])}"
        verdict = {"met": "**met**", "not met": "**not met**"}.get(v[i], v[i])
        lines.append(f"| {_cell(r['target'])} | {_cell(r['published'])} | {_cell(band)} | "
                     f"{fmt(r['value'])} | {ci} | {verdict} | {where[i]} | "
                     f"{_cell(r['source'])} | {checked_against(basis[i])} |")
    return lines


def _not_found_md(missing: pd.DataFrame | None, title: str) -> list[str]:
    if missing is None or missing.empty:
        return [f"Every baseline target has a {title} figure of its own.", ""]
    lines = [f"No {title} figure was found for these {len(missing)} targets, so they are "
             "checked against England's published rates:", "",
             "| Target | Where a figure was looked for, or why one found cannot serve |",
             "|---|---|"]
    lines += [f"| {_cell(r['target'])} | {_cell(r['note'])} |" for _, r in missing.iterrows()]
    return lines + [""]


def render_markdown(targets: pd.DataFrame, verification: pd.DataFrame | None,
                    settings: dict[str, Any], verification_error: str | None = None,
                    missing: pd.DataFrame | None = None) -> str:
    """The report as Markdown (figures are referenced by file name).

    Args:
        targets: every target with its numbers (``arm`` 'none' for the baseline rows).
        verification: the verification checks, or None.
        settings: run settings, the environment and ``area`` (the area's name).
        verification_error: why the checks could not be run, if they could not.
        missing: :func:`simulation.calibration.figures_not_found` for the area.
    """
    from simulation.areas import DEFAULT_AREA, load_area

    v = verdicts(targets)
    area = load_area(settings.get("area") or DEFAULT_AREA)
    base = targets[targets["arm"] == "none"]
    own = int((base["basis"] != "England").sum()) if "basis" in base else 0
    n_met, n_eval = int((v == "met").sum()), int((v != "not evaluated").sum())
    env = settings["environment"]
    lines = [
        "# lco-sim validation report", "",
        f"Generated by `lco-sim validate` on {settings['generated']} from a fresh run: lco-sim "
        f"{env['lco_sim_version']}, git commit `{env['git_commit']}`"
        f"{' (uncommitted changes)' if env.get('git_dirty') else ''}, Python {env['python']}.",
        "",
        f"Area: **{area.title}** (`{area.name}`). Settings: scale {settings['scale']} "
        f"({settings['patients']:,} patients), "
        f"{settings['years']} recorded years after a {settings['warmup_days']}-day warm-up, "
        f"{settings['replications']} replications (seeds {settings['seeds']}), "
        f"{settings['run_seconds']:.0f} s in total. Each target's value is the mean over "
        "replications with a 95% Student-t interval; a target is **met** when the mean lies in "
        "its band. Verdicts are computed from the numbers in `targets.csv`; none is written by "
        "hand. 'CI vs band' says how firm a verdict is: a met target whose interval is wider "
        "than its band needs more replications or a larger scale before it counts as evidence.",
        "",
        f"**Summary: {n_met} of {n_eval} evaluated targets met**"
        + (f"; {len(v) - n_eval} not evaluated (too few recorded years)." if len(v) > n_eval
           else "."), "",
        "![Targets](targets.png)", "",
        "## 1 Baseline targets (no integration)", "",
        f"The `none` arm against published levels and trends (calibration targets, "
        f"`simulation/calibration.py`; sources by key, full citations under References): "
        f"{own} of {len(base)} "
        f"checked against {area.title}'s own published figures (from its area file), the rest "
        "against England's published rates; the last column says which.", "",
        *_target_table_md(base), "",
        f"## 2 {area.title} figures not found", "",
        *_not_found_md(missing, area.title),
        "## 3 Effects of integration (full vs none, paired)", "",
        "The `full` integration arm run with the same seeds as the baseline (common random "
        "numbers), so each difference is paired.", "",
        *_target_table_md(targets[targets["arm"] == "full vs none"]), "",
        "![Trajectories](trajectories.png)", "",
        "## 4 Coverage of the published target groups", "",
        "Which of the ten groups of published patterns this report tests (a target's group is "
        "set in `TARGET_GROUP` of `simulation/validation_report.py`).", "",
        "| Group | Published pattern | Sources | Targets in this report (verdict) |",
        "|---|---|---|---|",
    ]
    for _, r in group_coverage(targets).iterrows():
        lines.append(f"| {r['item']} | {r['title']} | {r['sources']} | {_cell(r['targets'])} |")
    lines += ["", "## 5 Verification", ""]
    if verification is None or verification.empty:
        lines += [f"Verification checks could not be run: {verification_error or 'none found'}.",
                  ""]
    else:
        passed = check_verdicts(verification)
        ok = int(passed.str.startswith("yes").sum())
        lines += [f"Analytical and invariant checks (`simulation/verification.py`): **{ok} of "
                  f"{len(verification)} passed**.", "",
                  "| Check | Expected | Observed | Tolerance | Passed | Detail |",
                  "|---|---|---|---|---|---|"]
        for i, r in verification.iterrows():
            shown = passed[i] if passed[i] == "yes" else f"**{passed[i]}**"
            lines.append(f"| {_cell(r['name'])} | {fmt(r['expected'])} | {fmt(r['observed'])} | "
                         f"{fmt(r['tolerance'])} | {shown} | "
                         f"{_cell(r.get('detail', ''))} |")
        lines.append("")
    lines += ["## 6 What the model does not capture", ""]
    lines += [f"- {item}" for item in limitations(area.name)]
    lines += ["", "## Files", "",
              "`targets.csv` (every target with low, high, value, CI, met and `basis`: whose "
              "figure it is), `figures_not_found.csv`, `verification.csv`, "
              "`targets.png`, `trajectories.png`, `manifest.json` (settings and versions).", ""]
    lines += ["## References", "", "Every source cited above by key, with its full citation.", "",
              references_markdown(sorted(cited_keys("\n".join(lines))))]
    return "\n".join(lines)


def write_report(out: Path, *, scale: float, years: int, replications: int, seed: int = 1,
                 progress: bool = False, include_verification: bool = True,
                 area: str | None = None) -> Path:
    """Run everything and write the report folder; returns the path of ``report.md``.

    Args:
        out: output folder (replaced as a whole when the report is complete).
        area: the area validated (name or file); the default area if ``None``.
        scale: population and capacity scale of the runs.
        years: recorded years per run.
        replications: runs per arm (seeds ``seed .. seed + replications - 1``).
        seed: first seed; also the verification seed.
        progress: show progress bars.
        include_verification: run :mod:`simulation.verification` (off in quick tests).
    """
    from simulation import calibration
    from simulation.areas import DEFAULT_AREA, load_area
    from simulation.runner import run_scenario
    from simulation.scenario import Scenario

    area = load_area(area or DEFAULT_AREA).name
    area_targets = calibration.targets_for_area(area)  # a bad area file fails before any run
    missing = calibration.figures_not_found(area)
    started = time.perf_counter()
    base = calibration.run_baseline(scale, years, replications, seed, progress=progress,
                                    area=area)
    full_scenario = Scenario.preset("full", area=area, scale=scale, years=years)
    arm = [run_scenario(full_scenario, seed + i, progress=progress) for i in range(replications)]
    baseline = calibration.evaluate(base, area_targets).assign(arm="none")
    policy = evaluate_policy(base, arm).assign(arm="full vs none", basis="England")
    # growth and time-profile patterns of §8 items 2-3, defined once in simulation.calibration
    effects = calibration.evaluate_effects({"none": base, "full": arm})
    effects = effects.assign(published=effects["source"], tolerance="the band as published",
                             arm="full vs none", basis="England")
    targets = pd.concat([baseline, policy, effects[list(REPORT_COLUMNS) + ["arm", "basis"]]],
                        ignore_index=True)
    verdicts(targets)  # refuses a 'met' column that disagrees with the numbers

    verification, error = None, None
    if include_verification:
        try:
            verification = run_verification(seed)
        except ImportError as exc:
            error = f"simulation.verification is not available ({exc})"

    settings = {"generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "area": area, "scale": scale, "years": years, "replications": replications,
                "seeds": f"{seed}-{seed + replications - 1}" if replications > 1 else str(seed),
                "patients": int(base[0].model.initial_size),
                "warmup_days": int(base[0].model.warmup_days),
                "run_seconds": time.perf_counter() - started, "environment": environment()}

    out = Path(out)
    with replaced_directory(out) as tmp:
        table = targets.assign(verdict=verdicts(targets), interval=interval_status(targets))
        table.to_csv(tmp / "targets.csv", index=False)
        if verification is not None:
            verification.to_csv(tmp / "verification.csv", index=False)
        missing.to_csv(tmp / "figures_not_found.csv", index=False)
        plot_targets(targets, tmp / "targets.png", title=load_area(area).title)
        plot_trajectories(base, arm, tmp / "trajectories.png")
        (tmp / "report.md").write_text(render_markdown(targets, verification, settings, error,
                                                       missing), encoding="utf-8")
        manifest = {"kind": "validation",
                    **{k: v for k, v in settings.items() if k != "environment"}}
        manifest.update(settings["environment"],
                        scenario_baseline=base[0].manifest["scenario_sha256"],
                        scenario_full=arm[0].manifest["scenario_sha256"],
                        files=sorted(p.name for p in tmp.iterdir()) + ["manifest.json"])
        atomic_write_json(tmp / "manifest.json", manifest)
    return out / "report.md"
