"""docs/experiments.md runs: its Python blocks build, sweep and analyse an experiment, in order.

TOML blocks starting ``# file: NAME`` are saved as files the later blocks read, as in
docs/extending.md (tests/test_extending_doc.py). The page's sizes are tiny, so this checks that the
documented API works as written, not the numbers it prints.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_extending_doc import run_doc

DOC = Path(__file__).resolve().parents[1] / "docs" / "experiments.md"


def test_the_doc_shows_every_step_of_the_python_api_and_mesa_batch_run():
    text = DOC.read_text(encoding="utf-8")
    for name in ("load_experiment(", "Experiment.parse_dict(", "build_plan(", "sweep(",
                 "load_results(", "arm_means(", "paired_differences(", "write_analysis(",
                 "mesa.batch_run(", "[metric_dimensions]"):
        assert name in text, name
    assert "## From Python" in text and "## The Mesa way" in text


@pytest.mark.slow
def test_every_python_block_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    namespace = run_doc(DOC, tmp_path, {"__name__": "experiments_doc"})
    printed = capsys.readouterr().out
    # what the page says happens does happen
    assert ("metrics: 'occupied_beds:sum' is not recorded by deprivation_quintile; it is "
            "recorded at: all, hospital") in printed
    assert namespace["report"].complete and namespace["report"].planned == 4
    by_quintile = namespace["by_quintile"]
    assert sorted(by_quintile["group"]) == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    assert by_quintile["ci_low"].le(by_quintile["ci_high"]).all()
    kept = namespace["res"].table.groupby("metric", observed=True)["dimension"].unique()
    assert set(kept["occupied_beds:sum"]) == {"all"}
    assert set(kept["emergency_admissions"]) == {"all", "deprivation_quintile"}
    assert (tmp_path / "results" / "full_vs_none" / "analysis"
            / "breakdown_emergency_admissions_deprivation_quintile.png").exists()
    rows = namespace["rows"]  # mesa.batch_run: one row per recorded day of each run
    assert rows.groupby(["level", "seed"]).size().tolist() == [365] * 4
    assert sorted(rows["Step"].unique()) == list(range(365))
