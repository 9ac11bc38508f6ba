"""The validation report: published targets, verification checks and limits, from a fresh run.

``lco-sim validate`` calls :func:`write_report`, which

1. runs replications of the ``none`` baseline (:func:`simulation.calibration.run_baseline`) and
   measures every calibration target (:func:`simulation.calibration.evaluate`);
2. runs a paired ``full`` integration arm with the same seeds (common random numbers) and measures
   the policy targets of calibration-facts §8 items 2-4 (:data:`POLICY_TARGETS`);
3. runs the verification checks (:func:`simulation.verification.run_all`): Little's law, the
   M/G/inf and Erlang B queueing formulas, invariants;
4. writes ``report.md``, ``targets.csv``, ``verification.csv``, figures and ``manifest.json``.

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
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.calibration import Target
from simulation.provenance import atomic_write_json, environment, replaced_directory
from simulation.statistics import mean_ci

YEAR = 365

SECTION8_ITEMS = {
    1: "Baseline (counterfactual) trend",
    2: "Whole-population effect of MCP/PACS-style integration",
    3: "Time profile of effects",
    4: "Targeted MDT or case management of high-risk adults",
    5: "Enhanced support in care homes",
    6: "Best-case intervention effects (umbrella review)",
    7: "Discharge side",
    8: "Occupancy and flow",
    9: "Primary and community demand",
    10: "Economics",
}
"""The ten groups of validation targets in calibration-facts.md section 8."""

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
        "CF §8 item 2", "the published range as stated", whole_population_change, min_years=2),
    PolicyTarget(
        "integration_first_two_years", "Change in emergency admissions in the first 2 years, full "
        "integration vs none", "%", "effects close to zero for about 2 years (IAU 2021)", -2.0, 2.0,
        "CF §8 item 3", "ASSUMPTION: 'close to zero' read as within +-2%", early_change,
        min_years=2),
    PolicyTarget(
        "case_management_cohort", "Change in emergency admissions of case-managed patients after "
        "enrolment, vs the same patients without integration", "%", "-5% to +10% (Evercare +2.5%; "
        "ICPs +2% to +9%; meta-analyses null)", -5.0, 10.0, "CF §8 item 4",
        "the published range as stated", case_managed_change, min_years=2),
    PolicyTarget(
        "enhanced_care_homes", "Change in care-home residents' emergency admissions per "
        "resident-year, full integration vs none (last recorded year)", "%", "a fall of 0-40% "
        "(Rushcliffe -23%; residential homes RR 0.60; Wakefield and Sutton null)", -40.0, 0.0,
        "CF §8 item 5; CF §5b", "the published range as stated", care_home_admissions_change,
        min_years=2),
    PolicyTarget(
        "end_of_life_care_home_deaths", "Home deaths of people given end-of-life care, over the "
        "same people's home deaths without integration", "ratio", "RR 1.31 (1.12 to 1.52) for "
        "dying at home with home-based end-of-life care", 1.12, 1.52,
        "Cochrane review CD009231.pub3 (Shepperd et al. 2021)", "the published interval",
        supported_home_deaths_ratio, min_years=2),
)
"""Effects of integration from calibration-facts §8 that a paired full-integration arm can test."""


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


def section8_coverage(table: pd.DataFrame) -> pd.DataFrame:
    """For each item of calibration-facts §8, the targets that cite it and their verdicts."""
    verdict = verdicts(table)
    rows = []
    for item, title in SECTION8_ITEMS.items():
        pattern = re.compile(rf"§\s*8 item {item}(?!\d)")
        mine = [i for i in table.index if pattern.search(str(table.loc[i, "source"]))]
        summary = ", ".join(f"{table.loc[i, 'key']} ({verdict[i]})" for i in mine)
        rows.append({"item": item, "title": title, "targets": summary or "not evaluated"})
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
    return [
        f"{len(assumed)} of {len(rows)} parameters rest wholly or partly on an ASSUMPTION and "
        f"{len(calibrated)} are CALIBRATED to the targets above (see docs/model.md, 7.16); the "
        "calibrated targets are therefore not independent validation.",
        f"Targets are national or regional figures, not {area.title} data; the model has not been "
        f"back-tested against the {area.title} LCO's own activity since "
        f"{area.contract.start_date[:4]}.",
        "Only emergency (non-elective) care of the registered population is modelled: no elective "
        "admissions, outpatients, maternity or mental-health services. Hospital beds are the share "
        "of each site used by this population's emergency patients.",
        "A&E has no capacity, queue or four-hour waits; crowding does not change conversion or "
        "outcomes. Out-of-area care is unlimited and its patients leave on their fit day.",
        "Care homes hold residents but not their staff or quality; residents never move home "
        "again; long-term home care is a count of packages of a fixed size; hospice patients "
        "are never discharged alive; and there is no workforce (staff numbers, vacancies, "
        "sickness).",
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
def plot_targets(table: pd.DataFrame, path: Path) -> Path:
    """Each target's mean and 95% CI, drawn relative to its band (band = 0..1)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = table.reset_index(drop=True)
    width = (t["high"] - t["low"]).replace(0, np.nan)
    pos = (pd.to_numeric(t["value"]) - t["low"]) / width
    lo = (pd.to_numeric(t["ci_low"]) - t["low"]) / width
    hi = (pd.to_numeric(t["ci_high"]) - t["low"]) / width
    v = verdicts(t)
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(t) + 1.4))
    y = np.arange(len(t))[::-1]
    ax.axvspan(0, 1, color="tab:green", alpha=0.12, label="published band")
    colours = np.where(v == "met", "tab:green", np.where(v == "not met", "tab:red", "grey"))
    for i in range(len(t)):
        if np.isfinite(lo[i]) and np.isfinite(hi[i]):
            ax.plot([lo[i], hi[i]], [y[i], y[i]], color=colours[i], lw=2)
        if np.isfinite(pos[i]):
            ax.plot(pos[i], y[i], "o", color=colours[i])
    ax.set_yticks(y, [f"{k} ({vv})" for k, vv in zip(t["key"], v, strict=True)], fontsize=8)
    ax.set_xlabel("position in the published band (0 = low end, 1 = high end); mean and 95% CI")
    finite = np.concatenate([pos[np.isfinite(pos)], [0, 1]])
    ax.set_xlim(max(-3, finite.min() - 0.3), min(4, finite.max() + 0.3))
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Model against published targets")
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
                    label="-5%: beyond any published fall (CF §8 item 2)")
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
def _target_table_md(table: pd.DataFrame) -> list[str]:
    v = verdicts(table)
    where = interval_status(table)
    lines = ["| Target | Published | Band | Model value | 95% CI | Verdict | CI vs band | Source |",
             "|---|---|---|---|---|---|---|---|"]
    for i, r in table.iterrows():
        band = f"{fmt(r['low'])} to {fmt(r['high'])} {r['unit']}"
        ci = f"{fmt(r['ci_low'])} to {fmt(r['ci_high'])}"
        verdict = {"met": "**met**", "not met": "**not met**"}.get(v[i], v[i])
        lines.append(f"| {_cell(r['target'])} | {_cell(r['published'])} | {_cell(band)} | "
                     f"{fmt(r['value'])} | {ci} | {verdict} | {where[i]} | "
                     f"{_cell(r['source'])} |")
    return lines


def render_markdown(targets: pd.DataFrame, verification: pd.DataFrame | None,
                    settings: dict[str, Any], verification_error: str | None = None) -> str:
    """The report as Markdown (figures are referenced by file name)."""
    v = verdicts(targets)
    n_met, n_eval = int((v == "met").sum()), int((v != "not evaluated").sum())
    env = settings["environment"]
    lines = [
        "# lco-sim validation report", "",
        f"Generated by `lco-sim validate` on {settings['generated']} from a fresh run: lco-sim "
        f"{env['lco_sim_version']}, git commit `{env['git_commit']}`"
        f"{' (uncommitted changes)' if env.get('git_dirty') else ''}, Python {env['python']}.",
        "",
        f"Settings: scale {settings['scale']} ({settings['patients']:,} patients), "
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
        "The `none` arm against published levels and trends (calibration targets, "
        "`simulation/calibration.py`; most cite calibration-facts §8).", "",
        *_target_table_md(targets[targets["arm"] == "none"]), "",
        "## 2 Effects of integration (full vs none, paired)", "",
        "The `full` integration arm run with the same seeds as the baseline (common random "
        "numbers), so each difference is paired.", "",
        *_target_table_md(targets[targets["arm"] == "full vs none"]), "",
        "![Trajectories](trajectories.png)", "",
        "## 3 Coverage of calibration-facts §8", "",
        "Which published targets of section 8 this report tests (found from each target's cited "
        "source).", "",
        "| Item | Published target group | Targets in this report (verdict) |", "|---|---|---|",
    ]
    for _, r in section8_coverage(targets).iterrows():
        lines.append(f"| {r['item']} | {r['title']} | {_cell(r['targets'])} |")
    lines += ["", "## 4 Verification", ""]
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
    lines += ["## 5 What the model does not capture", ""]
    lines += [f"- {item}" for item in limitations()]
    lines += ["", "## Files", "",
              "`targets.csv` (every target with low, high, value, CI and met), `verification.csv`, "
              "`targets.png`, `trajectories.png`, `manifest.json` (settings and versions).", ""]
    return "\n".join(lines)


def write_report(out: Path, *, scale: float, years: int, replications: int, seed: int = 1,
                 progress: bool = False, include_verification: bool = True) -> Path:
    """Run everything and write the report folder; returns the path of ``report.md``.

    Args:
        out: output folder (replaced as a whole when the report is complete).
        scale: population and capacity scale of the runs.
        years: recorded years per run.
        replications: runs per arm (seeds ``seed .. seed + replications - 1``).
        seed: first seed; also the verification seed.
        progress: show progress bars.
        include_verification: run :mod:`simulation.verification` (off in quick tests).
    """
    from simulation import calibration
    from simulation.runner import run_scenario
    from simulation.scenario import Scenario

    started = time.perf_counter()
    base = calibration.run_baseline(scale, years, replications, seed, progress=progress)
    full_scenario = Scenario.preset("full", scale=scale, years=years)
    arm = [run_scenario(full_scenario, seed + i, progress=progress) for i in range(replications)]
    baseline = calibration.evaluate(base).assign(arm="none")
    policy = evaluate_policy(base, arm).assign(arm="full vs none")
    # growth and time-profile patterns of §8 items 2-3, defined once in simulation.calibration
    effects = calibration.evaluate_effects({"none": base, "full": arm})
    effects = effects.assign(published=effects["source"], tolerance="the band as published",
                             arm="full vs none")
    targets = pd.concat([baseline, policy, effects[list(REPORT_COLUMNS) + ["arm"]]],
                        ignore_index=True)
    verdicts(targets)  # refuses a 'met' column that disagrees with the numbers

    verification, error = None, None
    if include_verification:
        try:
            verification = run_verification(seed)
        except ImportError as exc:
            error = f"simulation.verification is not available ({exc})"

    settings = {"generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "scale": scale, "years": years, "replications": replications,
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
        plot_targets(targets, tmp / "targets.png")
        plot_trajectories(base, arm, tmp / "trajectories.png")
        (tmp / "report.md").write_text(render_markdown(targets, verification, settings, error),
                                       encoding="utf-8")
        manifest = {"kind": "validation",
                    **{k: v for k, v in settings.items() if k != "environment"}}
        manifest.update(settings["environment"],
                        scenario_baseline=base[0].manifest["scenario_sha256"],
                        scenario_full=arm[0].manifest["scenario_sha256"],
                        files=sorted(p.name for p in tmp.iterdir()) + ["manifest.json"])
        atomic_write_json(tmp / "manifest.json", manifest)
    return out / "report.md"
