"""Run one scenario with one seed and write its results with a manifest.

This is the single code path from a scenario to results: the command line, experiments, notebooks
and the dashboard all call :func:`run_scenario`.

Example:
    >>> from simulation.scenario import Scenario
    >>> out = run_scenario(Scenario.preset(scale=0.005, years=1), seed=2, days=10)
    >>> int(out.results["day"].max()), out.manifest["seed"]
    (9, 2)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.model import LCOModel
from simulation.provenance import (
    atomic_write_bytes,
    atomic_write_json,
    environment,
    replaced_directory,
    sha256_text,
)
from simulation.scenario import Scenario


@dataclass
class RunOutput:
    """What one run produced."""

    model: LCOModel
    results: pd.DataFrame
    episodes: pd.DataFrame | None
    manifest: dict[str, Any] = field(default_factory=dict)


def seed_description(seed) -> int | dict:
    """A JSON-ready record of a seed (an int, or a SeedSequence's entropy and spawn key)."""
    if isinstance(seed, np.random.SeedSequence):
        return {"entropy": int(seed.entropy), "spawn_key": [int(k) for k in seed.spawn_key]}
    return int(seed)


def default_observers() -> list:
    """The observers every run has: the LCO's finance ledger."""
    from simulation.finance.ledger import Ledger

    return [Ledger()]


def run_scenario(scenario: Scenario, seed: int | np.random.SeedSequence, *, days: int | None = None,
                 record_episodes: bool = True, progress: bool = False,
                 levers: tuple = ()) -> RunOutput:
    """Build the model (with the finance ledger), run it to the horizon (or ``days``), collect.

    Args:
        scenario: the validated scenario.
        seed: root seed.
        days: run only this many days.
        record_episodes: keep the patient-level episode log.
        progress: show a progress bar.
        levers: extra levers for the model (instances or classes), besides the scenario's.
    """
    started = time.perf_counter()
    model = LCOModel(scenario, seed=seed, record_episodes=record_episodes, levers=levers,
                     observers=default_observers())
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=model.horizon_days if days is None else days, unit="day",
                   desc=f"{scenario.name} seed {seed}", leave=False)
    try:
        model.run(days=days, progress=bar)
    finally:
        if bar is not None:
            bar.close()
    elapsed = time.perf_counter() - started
    results = model.results()
    episodes = model.episode_log() if record_episodes else None
    from simulation.plausibility import run_warnings

    warnings = run_warnings(results, scenario, list(model.services.specs.values()))
    toml = scenario.to_toml()
    manifest = {"scenario_name": scenario.name, "scenario_sha256": sha256_text(toml),
                "seed": seed_description(seed), "days_simulated": int(model.day),
                "patients_initial": int(model.initial_size),
                "run_seconds": round(elapsed, 3),
                "patient_days_per_second": round(model.initial_size * model.day / elapsed),
                "warnings": warnings,
                **environment()}
    return RunOutput(model, results, episodes, manifest)


def summary_table(results: pd.DataFrame) -> pd.DataFrame:
    """Yearly totals and rates per 1,000 of the headline model-level metrics."""
    d = results[results["dimension"] == "all"]
    wide = d.pivot_table(index="day", columns="metric", values="value", observed=True)
    wide["year"] = wide.index // 365 + 1
    g = wide.groupby("year")
    pop = g["population"].mean()
    rows = {
        "population (mean)": pop,
        "emergency admissions": g["emergency_admissions"].sum(),
        "  per 1,000 per year": g["emergency_admissions"].sum() / pop * 1000,
        "A&E attendances": g["ae_attendances"].sum(),
        "GP appointments met": g["gp_appointments_met"].sum(),
        "GP requests unmet": g["gp_appointments_unmet"].sum(),
        "crisis responses": g["crisis_responses"].sum(),
        "bed days": g["occupied_beds"].sum(),
        "mean occupied beds": g["occupied_beds"].mean(),
        "occupancy (mean, %)": g["occupied_beds"].mean() / g["bed_capacity"].mean() * 100,
        "delayed-discharge bed days": g["delayed_discharge_bed_days"].sum(),
        "30-day readmissions": g["readmissions_30d"].sum(),
        "deaths": g["deaths"].sum(),
        "practices integrated (end)": g["practices_integrated"].last(),
    }
    table = pd.DataFrame(rows).T
    table.columns = [f"year {y}" for y in table.columns]
    return table


def write_run(out: RunOutput, directory: Path, scenario: Scenario,
              extras: Callable[[RunOutput, Path], None] | None = None) -> list[Path]:
    """Write results (parquet), summary (CSV), scenario and manifest, plus any ``extras``.

    Everything is written to a temporary folder beside ``directory`` and moved into place at the
    end, so an interrupted write leaves nothing half-written. ``extras(out, folder)`` may add
    files (the command line adds the overview figure) before the manifest lists them.
    """
    directory = Path(directory)
    with replaced_directory(directory) as tmp:
        out.results.to_parquet(tmp / "results.parquet", index=False)
        if out.episodes is not None:
            out.episodes.to_parquet(tmp / "episodes.parquet", index=False)
        summary_table(out.results).round(2).to_csv(tmp / "summary.csv")
        if extras is not None:
            extras(out, tmp)
        atomic_write_bytes(tmp / "scenario.toml", scenario.to_toml().encode("utf-8"))
        files = sorted(p.name for p in tmp.iterdir()) + ["manifest.json"]
        manifest = dict(out.manifest, kind="run", files=files)
        atomic_write_json(tmp / "manifest.json", manifest)
    return sorted(directory.iterdir())
