"""The command line: a run writes its files with provenance; bad input exits 2 with one line."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

import simulation


def lco_sim(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "simulation.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


def test_run_writes_results_and_manifest(tmp_path):
    out = tmp_path / "run"
    p = lco_sim("run", "--scale", "0.005", "--years", "1", "--seed", "4", "--quiet",
                "--out", str(out))
    assert p.returncode == 0, p.stderr
    names = {f.name for f in out.iterdir()}
    assert {"results.parquet", "episodes.parquet", "summary.csv", "overview.png",
            "scenario.toml", "manifest.json"} <= names
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 4
    assert manifest["lco_sim_version"] == simulation.__version__
    assert len(manifest["git_commit"]) in (40, len("unknown"))
    assert manifest["scenario_sha256"]
    results = pd.read_parquet(out / "results.parquet")
    assert set(results.columns) == {"day", "date", "metric", "dimension", "group", "value"}
    assert results["day"].max() == 364


@pytest.mark.parametrize("args, needle", [
    (["run", "--scale", "-1"], "--scale"),
    (["run", "--integration", "mega"], "mega"),
    (["run", "--years", "0"], "run.years"),
    (["run", "--seed", "-3"], "--seed"),
])
def test_bad_arguments_exit_2_without_traceback(tmp_path, args, needle):
    p = lco_sim(*args, "--out", str(tmp_path / "x"))
    assert p.returncode == 2
    assert "Traceback" not in p.stderr and needle in p.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("text, needle", [
    ("foo = 1\n", "foo: unknown parameter"),
    ("[community]\ncrisis_response_per_100k_day = -2\n", "crisis_response_per_100k_day: -2"),
    ("[integration]\nlevel = 'maximal'\n", "integration.level: 'maximal' is not allowed"),
    ("[run]\nyears = 'ten'\n", "run.years"),
    ("[run\n", "not valid TOML"),
])
def test_bad_scenario_files_exit_2_with_one_line(tmp_path, text, needle):
    path = tmp_path / "scenario.toml"
    path.write_text(text)
    p = lco_sim("run", "--scenario", str(path), "--out", str(tmp_path / "x"))
    assert p.returncode == 2, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], p.stderr
    assert not (tmp_path / "x").exists()


def test_missing_scenario_file(tmp_path):
    p = lco_sim("run", "--scenario", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "x"))
    assert p.returncode == 2 and "cannot read scenario file" in p.stderr
