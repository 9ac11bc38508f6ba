"""The sweep runner.

The worker count does not change results; interrupted sweeps resume exactly; failed runs are
recorded and the rest still finish.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from simulation.experiments import build_plan, load_experiment
from simulation.experiments import runner as runner_module
from simulation.experiments.runner import sweep
from simulation.experiments.store import RunStore

EXPERIMENT = """
name = "runner-test"
years = 1
scale = 0.01
replications = 2
root_seed = 11
period = "month"
metrics = ["emergency_admissions", "occupied_beds", "delayed_discharge_bed_days"]

[design]
kind = "grid"
[design.factors]
"integration.level" = ["none", "full"]
"""


@pytest.fixture(scope="module")
def experiment_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("exp") / "runner-test.toml"
    path.write_text(EXPERIMENT)
    return path


@pytest.fixture(scope="module")
def reference(experiment_file, tmp_path_factory) -> pd.DataFrame:
    """The uninterrupted sweep, run in process (one worker)."""
    out = tmp_path_factory.mktemp("reference")
    report = sweep(build_plan(load_experiment(experiment_file)), out, workers=1, progress=False)
    assert report.complete and report.executed == 4 and not report.failed
    return pd.read_parquet(out / "results.parquet")


def test_reference_table_is_tidy_and_complete(reference):
    assert list(reference.columns) == ["arm", "arm_index", "integration.level", "replication",
                                       "seed", "dimension", "group", "time", "metric", "value"]
    runs = reference.groupby(["arm", "replication"], observed=True).size()
    assert len(runs) == 4 and runs.nunique() == 1
    assert sorted(reference["time"].unique()) == list(range(1, 13))  # 1 April to 31 March
    # CRN: replication r has the same seed in both arms
    seeds = reference.groupby("replication", observed=True)["seed"].nunique()
    assert (seeds == 1).all()


def test_two_workers_give_the_identical_table(experiment_file, reference, tmp_path):
    report = sweep(build_plan(load_experiment(experiment_file)), tmp_path, workers=2,
                   progress=False)
    assert report.cluster.startswith("local cluster, 2 worker processes")
    assert report.complete
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "results.parquet"), reference)


def test_interrupted_sweep_resumes_to_the_same_table_without_rerunning(experiment_file,
                                                                       reference, tmp_path):
    """Ctrl-C a real ``lco-sim sweep`` once a run has finished, then resume."""
    out = tmp_path / "out"
    store = RunStore(out)
    proc = subprocess.Popen([sys.executable, "-m", "simulation.cli", "sweep",
                             str(experiment_file), "--workers", "1", "--out", str(out), "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not store.finished_keys() and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert "finished work was kept" in err
    before = {k: os.stat(store.path(k)).st_mtime_ns for k in store.finished_keys()}
    assert 1 <= len(before) < 4, "the interrupt should land part-way through"
    assert not list(store.runs_dir.glob(".*")), "no half-written temporary files are left"
    assert not (out / "results.parquet").exists()

    report = sweep(build_plan(load_experiment(experiment_file)), out, workers=1, progress=False)
    assert report.skipped == len(before)
    assert report.executed == 4 - len(before)
    assert {k: os.stat(store.path(k)).st_mtime_ns for k in before} == before
    pd.testing.assert_frame_equal(pd.read_parquet(out / "results.parquet"), reference)

    again = sweep(build_plan(load_experiment(experiment_file)), out, workers=1, progress=False)
    assert again.executed == 0 and again.complete


def test_failed_run_is_recorded_and_the_rest_finish(experiment_file, reference, tmp_path,
                                                    monkeypatch):
    real = runner_module.simulate_with_warnings

    def flaky(task, days=None):
        if task.arm == 1 and task.replication == 1:
            raise RuntimeError("boom in the model")
        return real(task, days)

    # the in-process worker sees the patched function
    monkeypatch.setattr(runner_module, "simulate_with_warnings", flaky)
    plan = build_plan(load_experiment(experiment_file))
    report = sweep(plan, tmp_path, workers=1, progress=False)
    assert len(report.failed) == 1 and not report.complete
    (key, error), = report.failed.items()
    assert error == "RuntimeError: boom in the model"
    store = RunStore(tmp_path)
    assert store.failures()[key]["error"] == error
    assert len(store.finished_keys()) == 3
    runs = pd.read_csv(tmp_path / "runs.csv")
    assert runs.loc[runs["key"] == key, "status"].item() == "failed"

    monkeypatch.setattr(runner_module, "simulate_with_warnings", real)
    report = sweep(plan, tmp_path, workers=1, progress=False)
    assert report.executed == 1 and report.complete and not store.failures()
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "results.parquet"), reference)


def test_cli_failure_exit_status(experiment_file, tmp_path, monkeypatch, capsys):
    from simulation.cli import main

    def broken(task, days=None):
        raise ValueError("no beds anywhere")

    monkeypatch.setattr(runner_module, "simulate_with_warnings", broken)
    small = tmp_path / "small.toml"
    small.write_text(EXPERIMENT.replace("replications = 2", "replications = 1")
                     .replace('["none", "full"]', '["none"]'))
    assert main(["sweep", str(small), "--workers", "1", "--out", str(tmp_path / "o"),
                 "--quiet"]) == 1
    assert "ValueError: no beds anywhere" in capsys.readouterr().out
