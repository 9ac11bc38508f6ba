"""A sweep on a real Dask cluster: a scheduler and two workers as separate processes on loopback.

One worker (with its nanny) is killed as soon as the first run has been written; the scheduler
reschedules its runs on the other worker and the sweep still finishes every run, with the same
results a run in this process gives.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from simulation.experiments import build_plan, load_experiment
from simulation.experiments.runner import aggregate_run, simulate
from simulation.experiments.store import RunStore

EXPERIMENT = """
name = "cluster-test"
years = 1
scale = 0.01
replications = 4
root_seed = 5
metrics = ["emergency_admissions", "deaths"]

[design]
kind = "grid"
[design.factors]
"integration.level" = ["none", "full"]
"""


def _start(args: list[str], log: Path) -> subprocess.Popen:
    """A process in its own session, so that killing its group also ends its children."""
    return subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=log.open("w"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def _kill_group(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


@pytest.fixture
def cluster(tmp_path):
    """Scheduler and two single-threaded workers on 127.0.0.1 with free ports; always torn down."""
    sched_file = tmp_path / "scheduler.json"
    procs = [_start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                     "--scheduler-file", str(sched_file)], tmp_path / "scheduler.log")]
    try:
        deadline = time.monotonic() + 60
        while not sched_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert sched_file.exists(), (tmp_path / "scheduler.log").read_text()
        address = json.loads(sched_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for i in range(2):
            procs.append(_start(["worker", address, "--host", "127.0.0.1", "--nthreads", "1",
                                 "--nworkers", "1", "--no-dashboard", "--name", f"w{i}"],
                                tmp_path / f"worker{i}.log"))
        from dask.distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=90)
        yield address, procs
    finally:
        for p in reversed(procs):
            _kill_group(p)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:  # pragma: no cover - diagnostics only
                pass


def test_sweep_survives_a_killed_worker(cluster, tmp_path):
    address, procs = cluster
    exp_file = tmp_path / "cluster-test.toml"
    exp_file.write_text(EXPERIMENT)
    out = tmp_path / "out"
    store = RunStore(out)
    sweep_proc = subprocess.Popen([sys.executable, "-m", "simulation.cli", "sweep", str(exp_file),
                                   "--scheduler", address, "--out", str(out)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 180
        while not store.finished_keys() and time.monotonic() < deadline:
            assert sweep_proc.poll() is None, sweep_proc.communicate()
            time.sleep(0.05)
        first = sorted(store.finished_keys())[0]
        assert 1 <= len(store.finished_keys()) < 8
        # kill the other worker (and its nanny): it is in the middle of a run
        writer_group = os.getpgid(int(store.info(first)["worker"].rsplit(":", 1)[1]))
        victim = next(p for p in procs[1:] if p.pid != writer_group)
        survivor = next(p for p in procs[1:] if p.pid == writer_group)
        _kill_group(victim)
        victim.wait(timeout=30)
        time.sleep(0.5)  # a result the victim delivered just before dying is written by now
        done_before_kill = store.finished_keys()
        stdout, stderr = sweep_proc.communicate(timeout=300)
    finally:
        if sweep_proc.poll() is None:
            sweep_proc.kill()
            sweep_proc.wait()
    assert sweep_proc.returncode == 0, stderr
    assert "8 of 8 runs finished" in stdout and "0 failed" in stdout
    assert f"scheduler {address}" in stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] and manifest["runs_failed"] == 0
    late = [r for r in manifest["runs"] if r["key"] not in done_before_kill]
    assert late and all(os.getpgid(int(r["worker"].rsplit(":", 1)[1])) == survivor.pid
                        for r in late), "the surviving worker finished everything after the kill"
    table = pd.read_parquet(out / "results.parquet")
    assert table.groupby(["arm", "replication"], observed=True).ngroups == 8

    # the cluster's result for a run equals the same run done here
    plan = build_plan(load_experiment(exp_file))
    task = plan.runs[-1]
    results, finance = simulate(task)
    here = aggregate_run(results, task, finance)
    there, _ = store.load(task.key)
    pd.testing.assert_frame_equal(there, here)
