"""Read an experiment folder written by ``lco-sim sweep`` into what the evidence pack needs.

The sweep's ``results.parquet`` holds one row per arm, replication, series, period and metric
(``time`` is the day for ``period = "day"`` and the 1-based model year for ``"year"``). The
finance needs yearly sums of these model-level metrics:

``population, gp_appointments_met, ae_attendances, emergency_admissions, short_stay_admissions,
delayed_discharge_bed_days, crisis_responses, case_managed, social_prescribed, occupied_beds,
home_support_occupied, community_beds_occupied`` (and ``practices_integrated`` if kept), and
``gp_core_patients`` when an option puts GP core services inside the LCO's budget
(``integration.contracts.gp_core_scope``).

An experiment file for a business case therefore lists, for example::

    metrics = ["population", "gp_appointments_met", "ae_attendances", "emergency_admissions",
               "short_stay_admissions", "delayed_discharge_bed_days", "crisis_responses",
               "case_managed", "social_prescribed", "occupied_beds", "home_support_occupied",
               "community_beds_occupied", "practices_integrated"]
    period = "year"

Stocks kept as yearly means are turned back into sums (mean x 365). Funded capacity
(``home_support_capacity``, ``community_bed_capacity``) is used when the results hold it;
otherwise occupied places stand in and the report says so.

All counts and money are scaled to the full population (divided by ``run.scale``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from simulation.scenario import Scenario, ScenarioError, load_scenario

REQUIRED = ("population", "gp_appointments_met", "ae_attendances", "emergency_admissions",
            "short_stay_admissions", "delayed_discharge_bed_days", "crisis_responses",
            "case_managed", "social_prescribed", "occupied_beds")
"""Metrics an experiment must record for the evidence pack to be built from it."""
CAPACITY = {"home_support_capacity": "home_support_occupied",
            "community_bed_capacity": "community_beds_occupied"}
OPTIONAL = ("practices_integrated", "reinvested_places")
GP_CORE = "gp_core_patients"
"""The lists whose GP core sits in the LCO's budget; needed when an option's scope puts it there."""
COSTED_IF_KEPT = ("care_home_residents_council", "care_home_residents_nhs_chc",
                  "care_home_residents_self_funded", "home_care_hours", "hospice_beds_occupied",
                  "enhanced_care_home_residents", "end_of_life_plans")
"""Series of care homes, home care, hospices and their levers: costed when the experiment kept
them, else counted as zero with a note (experiment files written before they existed)."""


@dataclass
class ExperimentData:
    """An experiment's arms, baseline, yearly model-level sums and provenance."""

    folder: Path
    name: str
    arms: dict[str, Scenario]
    baseline: str
    yearly: pd.DataFrame
    manifest: dict
    scale: float
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Plausibility warnings of the sweep's runs (:mod:`simulation.plausibility`), each once."""
    localities: pd.DataFrame | None = None
    """A partitioned sweep's yearly sums per locality (column ``locality``); else None."""

    @property
    def appraisal_scenarios(self) -> dict[str, Scenario]:
        """Arm scenarios at scale 1 (the yearly sums are already full-population equivalents)."""
        return {a: s.with_overrides({"run.scale": 1.0}) for a, s in self.arms.items()}


def _fail(folder: Path, msg: str) -> ScenarioError:
    return ScenarioError(f"{folder}: {msg}")


def load(folder: str | Path) -> ExperimentData:
    """Load ``results/<experiment>/``; raises ScenarioError (one line) if it cannot be used."""
    folder = Path(folder)
    for f in ("results.parquet", "manifest.json", "design.csv", "base_scenario.toml"):
        if not (folder / f).is_file():
            raise _fail(folder, f"no {f}; give a folder written by `lco-sim sweep`")
    from simulation.experiments.store import read_sweep_file

    manifest = read_sweep_file(folder / "manifest.json", "json")
    baseline = manifest.get("baseline")
    if not baseline:
        raise _fail(folder, "the experiment has no baseline arm; set baseline = \"level=none\" "
                    "(the do-nothing arm) in the experiment file")
    period = manifest.get("period", "year")
    if period not in ("year", "day"):
        raise _fail(folder, f"period {period!r} cannot be appraised by model year; use period = "
                    "\"year\" or \"day\"")
    base = load_scenario(folder / "base_scenario.toml")
    design = pd.read_csv(folder / "design.csv")
    arms = {str(r["label"]): base.with_overrides(json.loads(r["overrides"]))
            for _, r in design.iterrows()}
    table = read_sweep_file(folder / "results.parquet")
    by_locality = table[table["dimension"].astype(str) == "locality"].copy()
    table = table[table["dimension"].astype(str) == "all"].copy()
    table["arm"] = table["arm"].astype(str)
    if baseline not in set(table["arm"]):
        raise _fail(folder, f"no finished runs of the baseline arm {baseline!r}")
    stats = manifest.get("metrics", {})
    by_name: dict[str, tuple[str, str]] = {}
    for label, stat in stats.items():
        name = label.partition(":")[0]
        if name not in by_name or stat in ("sum", "mean"):
            by_name.setdefault(name, (label, stat))
    notes = []
    wanted = list(REQUIRED)
    for cap, occupied in CAPACITY.items():
        if cap in by_name:
            wanted.append(cap)
        elif occupied in by_name:
            by_name[cap] = by_name[occupied]
            wanted.append(cap)
            notes.append(f"Funded capacity ({cap}) is not in the results; {occupied} (occupied "
                         "places) is costed instead, so idle funded places carry no cost.")
        else:
            raise _fail(folder, f"the results lack {occupied!r}; add it to the experiment's "
                        "metrics (see `simulation.report.data`)")
    scoped = [a for a, s in arms.items() if s.integration.contracts.gp_core_scope != "outside"]
    if GP_CORE in by_name or scoped:
        wanted.append(GP_CORE)
        if GP_CORE not in by_name:
            raise _fail(folder, f"option {scoped[0]!r} puts GP core services in the LCO's budget "
                        "(integration.contracts.gp_core_scope = "
                        f"{arms[scoped[0]].integration.contracts.gp_core_scope!r}) but the results "
                        f"lack {GP_CORE!r}; add it to the experiment's metrics")
    missing = [m for m in REQUIRED if m not in by_name]
    if missing:
        raise _fail(folder, f"the results lack metrics the finance needs: {', '.join(missing)}; "
                    "add them to the experiment's metrics")
    # optional series kept some other way (e.g. practices integrated as the year's last value)
    # are simply not used; only required ones must be sums or means
    optional = [m for m in OPTIONAL if m in by_name and by_name[m][1] in ("sum", "mean")]
    costed = [m for m in COSTED_IF_KEPT if m in by_name and by_name[m][1] in ("sum", "mean")]
    absent = [m for m in COSTED_IF_KEPT if m not in costed]
    if absent:
        notes.append("Not in the results, so not costed: " + ", ".join(absent) + " (add them to "
                     "the experiment's metrics to cost care homes, home care, hospices and their "
                     "levers).")
    optional += costed
    for name in wanted + optional:
        label, stat = by_name[name]
        if stat not in ("sum", "mean"):
            raise _fail(folder, f"metric {label!r} is kept as {stat}; the finance needs sums or "
                        "means")
    yearly = _yearly(table, wanted + optional, by_name, period)
    yearly = _with_zeros(yearly, absent)
    localities = None
    if len(by_locality):  # a partitioned sweep: each locality's own totals (dimension locality)
        by_locality["arm"] = by_locality["arm"].astype(str)
        by_locality["locality"] = by_locality["group"].astype(str)
        localities = _yearly(by_locality, [m for m in LOCALITY_METRICS if m in by_name],
                             by_name, period, keys=("locality",))
    scale = float(manifest.get("scale") or base.run.scale)
    yearly["value"] = yearly["value"] / scale
    if localities is not None:
        localities["value"] = localities["value"] / scale
    warned: dict[str, int] = {}
    runs = manifest.get("runs", [])
    for run in runs:
        for w in filter(None, str(run.get("warnings") or "").split(" | ")):
            warned[w] = warned.get(w, 0) + 1
    warnings = [f"{w} ({n} of {len(runs)} runs)" for w, n in warned.items()]
    return ExperimentData(folder, str(manifest.get("experiment", folder.name)), arms,
                          str(baseline), yearly, manifest, scale, notes, warnings=warnings,
                          localities=localities)


def _with_zeros(yearly: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """``yearly`` with zero rows for metrics the costing reads but the results lack."""
    if not names:
        return yearly
    keys = yearly[["arm", "replication", "year", "days"]].drop_duplicates(
        ["arm", "replication", "year"])
    zeros = [keys.assign(metric=name, value=0.0) for name in names]
    return pd.concat([yearly, *zeros], ignore_index=True)


LOCALITY_METRICS = ("emergency_admissions", "occupied_beds", "ae_attendances",
                    "delayed_discharge_bed_days")
"""Series of the per-locality table of a partitioned sweep's report (when kept)."""


def _yearly(table: pd.DataFrame, names: list[str], by_name: dict[str, tuple[str, str]],
            period: str, keys: tuple[str, ...] = ()) -> pd.DataFrame:
    """Yearly sums of ``names`` per arm and replication (and ``keys``), at simulated scale."""
    frames = []
    ids = ["arm", *keys, "replication"]
    for name in names:
        label, stat = by_name[name]
        d = table[table["metric"].astype(str) == label][[*ids, "time", "value"]]
        d = d.copy()
        if period == "day":
            d["year"] = d["time"].astype(int) // 365
            d = d.groupby([*ids, "year"], as_index=False).agg(
                value=("value", "sum"), days=("value", "count"))
        else:
            d["year"] = d["time"].astype(int) - 1
            d["days"] = 365
            if stat == "mean":
                d["value"] = d["value"] * 365
        d["metric"] = name
        frames.append(d[[*ids, "year", "metric", "value", "days"]])
    return pd.concat(frames, ignore_index=True)
