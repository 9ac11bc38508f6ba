"""Build the evidence pack from an experiment folder (see :mod:`simulation.report`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from simulation.finance.appraisal import appraise
from simulation.finance.costs import SECTORS
from simulation.finance.sensitivity import one_way
from simulation.provenance import atomic_write_json, environment, replaced_directory
from simulation.report import figures, tables
from simulation.report.data import load
from simulation.report.html import render


def build_report(folder: str | Path, out: str | Path | None = None) -> Path:
    """Write the HTML report, CSV tables and Excel workbook; returns the output folder."""
    data = load(folder)
    out = Path(out) if out is not None else data.folder / "report"
    scen = data.appraisal_scenarios
    appraisal = appraise(data.yearly, scen, data.baseline)
    activity = tables.activity_shift(data)
    runs = tables.finance_by_run(data)
    t = {
        "options_appraisal": tables.options_appraisal(data, appraisal, activity),
        "activity_shift": activity,
        "beds_and_delays": tables.beds_and_delays(data, appraisal),
        "spend_by_sector": tables.spend_by_sector(data, runs),
        "contract_scope": tables.contract_scope(data, runs),
        "savings_shares": tables.savings_shares(data, appraisal, runs),
        "npv_decomposition": tables.npv_decomposition(data, appraisal),
        "switching_values": tables.switching(data, appraisal),
        "programme_costs": tables.programme_costs(data),
        "time_profile": tables.time_profile(appraisal),
        "sensitivity": one_way(data.yearly, scen, data.baseline),
        "appraisal_by_replication": appraisal.runs,
        "appraisal_flows": tables.appraisal_flows(appraisal),
        "risk_register": tables.risk_register(data),
        "price_index": tables.price_index(data),
        "unit_costs": tables.unit_costs(data),
        "assumptions": tables.assumptions(data),
    }
    if data.localities is not None:  # a partitioned sweep: a row per locality
        t["by_locality"] = tables.by_locality(data)
    t["references"] = tables.references(t)  # full citation of every source key in the tables
    head = _headline_arm(t["options_appraisal"])
    figs = {
        "time_profile": figures.time_profile(t["time_profile"]) if len(t["time_profile"]) else None,
        "spend": figures.spend(t["spend_by_sector"], SECTORS),
        "beds": figures.beds(t["beds_and_delays"]),
        "tornado": figures.tornado(t["sensitivity"], head) if head else None,
    }
    with replaced_directory(out) as tmp:
        for name, table in t.items():
            table.to_csv(tmp / f"{name}.csv", index=False, float_format="%.6g")
        with pd.ExcelWriter(tmp / "business_case.xlsx", engine="openpyxl") as xl:
            for name, table in t.items():
                table.to_excel(xl, sheet_name=name[:31], index=False)
        (tmp / "report.html").write_text(render(data, t, figs, head), encoding="utf-8")
        atomic_write_json(tmp / "report_manifest.json", {
            "kind": "report", "experiment": data.name, "source_folder": str(data.folder),
            "experiment_sha256": data.manifest.get("experiment_sha256"),
            "base_scenario_sha256": data.manifest.get("base_scenario_sha256"),
            "sweep_git_commit": data.manifest.get("git_commit"),
            "baseline": data.baseline, "files": sorted(p.name for p in tmp.iterdir()),
            **environment()})
    return out


def _headline_arm(options: pd.DataFrame) -> str | None:
    """The option the sensitivity chart shows: the most integrated one (the last row)."""
    has_npv = "npv_economic" in options
    rows = options.dropna(subset=["npv_economic"]) if has_npv else options.iloc[0:0]
    return str(rows["option"].iloc[-1]) if len(rows) else None
