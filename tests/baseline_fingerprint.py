"""Fingerprints of the default scenario's outputs, for the bit-identity check of refactors.

``python tests/baseline_fingerprint.py --write`` regenerates ``tests/data/baseline_checksums.json``
(do that only on purpose, saying why in the changelog); the test compares against it.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

STORE = Path(__file__).parent / "data" / "baseline_checksums.json"
LEVELS = ("none", "virtual", "partial", "full")
SETTINGS = {"scale": 0.02, "years": 4}
SEED = 5
# Metrics every version reports; a refactor may add new metrics without breaking the fingerprint.
BASE_METRICS = (
    "population", "births", "deaths", "deaths_in_hospital", "gp_need", "gp_appointments_met",
    "gp_appointments_unmet", "gp_unmet_to_ae", "ae_attendances", "ae_admissions",
    "direct_admissions", "emergency_admissions", "zero_day_admissions", "short_stay_admissions",
    "readmissions_30d", "out_of_area_admissions", "crisis_responses", "crisis_avoided_admissions",
    "step_up_community_beds", "community_contacts", "case_managed", "social_prescribed",
    "home_support_occupied", "community_beds_occupied", "occupied_beds", "bed_capacity",
    "delayed_discharge_bed_days", "fit_not_discharged", "discharges", "practices_integrated",
    "integration_strength", "occupancy", "escalation_open", "admissions")


def _digest(frame: pd.DataFrame) -> str:
    """A hash of the values alone: dtypes (int16 vs int64, category vs str) do not matter."""
    frame = frame.reset_index(drop=True).copy()
    for col in frame.columns:
        kind = frame[col].dtype
        if isinstance(kind, pd.CategoricalDtype) or kind is np.dtype(object):
            frame[col] = frame[col].astype(str)
        elif pd.api.types.is_bool_dtype(kind) or pd.api.types.is_integer_dtype(kind):
            frame[col] = frame[col].astype(np.int64)
        else:
            frame[col] = frame[col].astype(np.float64)
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.sha256(np.ascontiguousarray(hashed).tobytes()).hexdigest()


def fingerprint(level: str) -> dict[str, str]:
    """Digests of the results table (base metrics) and the episode log of one level."""
    from simulation.runner import run_scenario
    from simulation.scenario import Scenario

    out = run_scenario(Scenario.preset(level, **SETTINGS), SEED)
    r = out.results
    r = r[r["metric"].astype(str).isin(BASE_METRICS)]
    r = r[["day", "metric", "dimension", "group", "value"]].astype(
        {"metric": str, "dimension": str, "group": str})
    r = r.sort_values(["metric", "dimension", "group", "day"], kind="stable")
    ledger = out.model.part("finance").yearly()
    return {"results": _digest(r), "episodes": _digest(out.episodes[list(EPISODE_COLUMNS)]),
            "ledger": _digest(ledger[sorted(ledger.columns)])}


EPISODE_COLUMNS = ("patient", "admit_day", "discharge_day", "fit_day", "hospital", "age",
                   "destination", "route", "readmission")


if __name__ == "__main__":
    if "--write" in sys.argv:
        STORE.write_text(json.dumps({lv: fingerprint(lv) for lv in LEVELS}, indent=2) + "\n")
        print(f"wrote {STORE}")
