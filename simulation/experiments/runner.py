"""Run an experiment's runs on dask.distributed, writing each one as soon as it finishes.

There is one code path: the runs are submitted to a :class:`dask.distributed.Client` and
collected with ``as_completed``. Only the client differs:

* ``scheduler`` (or the ``DASK_SCHEDULER_ADDRESS`` environment variable): an existing cluster;
* ``workers=1``: an in-process cluster (one thread, no subprocesses), for debugging and profiling;
* otherwise an embedded :class:`~dask.distributed.LocalCluster` with one single-threaded worker
  process per core (or ``workers``).

Workers return each run's small aggregated table; the client writes it at once, atomically
(:class:`~simulation.experiments.store.RunStore`), so workers need no shared disk and a sweep
stopped at any moment keeps every finished run. Each run's seed and key are fixed by the plan
(:mod:`simulation.experiments.seeds`), so the results do not depend on the number of workers or on
the order runs finish. Runs are submitted with ``pure=False`` and their own deterministic key: with
dask's default ``pure=True`` identical calls would be merged. A run whose model raises is recorded
as failed (with the error) and the sweep carries on; runs lost with a dead worker are rescheduled
by the scheduler, and ``retries`` covers other transient errors.

Example:
    >>> import tempfile
    >>> from simulation.experiments.spec import Experiment
    >>> from simulation.experiments.design import build_plan
    >>> plan = build_plan(Experiment.model_validate({
    ...     "name": "doc", "years": 1, "scale": 0.005, "replications": 1,
    ...     "metrics": ["emergency_admissions"], "period": "year",
    ...     "design": {"factors": {"integration.level": ["none"]}}}))
    >>> task = plan.runs[0]
    >>> results, finance = simulate(task, days=31)
    >>> table = aggregate_run(results, task, finance)
    >>> table[["time", "metric"]].to_dict("records")
    [{'time': 1, 'metric': 'emergency_admissions'}]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import logging
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from simulation.experiments.design import ExperimentPlan, RunTask
from simulation.experiments.spec import FINANCE_METRICS
from simulation.experiments.store import RunStore
from simulation.provenance import SWEEP_MARKER, OutputFolderError
from simulation.scenario import ScenarioError

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
"""Environment variable naming an existing Dask scheduler (as ``--scheduler`` does)."""


# ----- one run (executed on a worker) -------------------------------------------------------
def simulate(task: RunTask, days: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Run one scenario with the task's seed.

    Returns:
        The model's full tidy daily results, and the finance ledger's yearly account (or None).
    """
    results, finance, _ = simulate_with_warnings(task, days)
    return results, finance


def simulate_with_warnings(task: RunTask, days: int | None = None
                           ) -> tuple[pd.DataFrame, pd.DataFrame | None, list[str]]:
    """As :func:`simulate`, plus the run's warnings exactly as its manifest records them.

    The warnings are the layout notes (e.g. sites raised to the smallest bed base) followed by
    the plausibility checks, so a sweep's runs.csv says what a single run's manifest says.
    """
    from simulation.runner import run_scenario

    out = run_scenario(task.scenario, task.seed, days=days, record_episodes=False)
    return out.results, out.model.part("finance").yearly(), list(out.manifest["warnings"])


def aggregate_run(results: pd.DataFrame, task: RunTask,
                  finance: pd.DataFrame | None = None) -> pd.DataFrame:
    """Keep the task's metrics, each at its dimensions, summarised per period.

    ``time`` is the model day (from 0) for ``period = "day"``, and the 1-based model year (365
    days) or calendar month for ``"year"`` and ``"month"``. The ``finance`` dimension comes from
    the ledger's yearly account, one row per settled year.
    """
    names = {m.name for m in task.metrics}
    df = results[results["dimension"].isin(task.dimensions) & results["metric"].isin(names)]
    df = df.sort_values("day", kind="stable")
    if task.period == "day":
        period = df["day"].to_numpy()
    elif task.period == "year":
        period = df["day"].to_numpy() // 365 + 1
    else:
        start = dt.date.fromisoformat(task.scenario.run.start_date)
        dates = pd.DatetimeIndex(df["date"])
        period = (dates.year - start.year) * 12 + (dates.month - start.month) + 1
    df = df[["dimension", "group", "metric", "value"]].assign(time=period)
    for col in ("dimension", "group", "metric"):
        df[col] = df[col].astype(str)
    if "finance" in task.dimensions and finance is not None and len(finance):
        cols = [c for c in finance.columns if c in names and c in FINANCE_METRICS]
        fin = finance.melt(id_vars="year", value_vars=cols, var_name="metric", value_name="value")
        fin = fin.assign(dimension="finance", group="all", time=fin["year"].astype(int) + 1)
        df = pd.concat([df, fin[["dimension", "group", "metric", "value", "time"]]],
                       ignore_index=True)
    frames = []
    for m in task.metrics:
        sub = df[(df["metric"] == m.name) & df["dimension"].isin(m.dimensions)]
        g = (sub.groupby(["dimension", "group", "time"], sort=True)["value"]
             .agg(m.statistic).reset_index())
        g["metric"] = m.label
        frames.append(g)
    out = pd.concat(frames, ignore_index=True)
    out["time"] = out["time"].astype("int32")
    out["value"] = out["value"].astype("float64")
    return out[["dimension", "group", "time", "metric", "value"]]


def execute_run(task: RunTask) -> dict[str, Any]:
    """Run one task and summarise it; a model error is returned as a failure, not raised."""
    started = time.perf_counter()
    info: dict[str, Any] = {"key": task.key, "arm": task.arm, "replication": task.replication,
                            "seed": task.seed_text,
                            "worker": f"{socket.gethostname()}:{os.getpid()}"}
    try:
        results, finance, warnings = simulate_with_warnings(task)
        table = aggregate_run(results, task, finance)
        info["warnings"] = " | ".join(warnings)
    except Exception as exc:  # noqa: BLE001 - any model error becomes a recorded failure
        info.update(status="failed", error=f"{type(exc).__name__}: {exc}".splitlines()[0][:500],
                    seconds=round(time.perf_counter() - started, 3))
        return {"info": info, "table": None}
    info.update(status="ok", seconds=round(time.perf_counter() - started, 3),
                finished_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    return {"info": info, "table": table}


WRITE_ERRORS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT, errno.EIO}
"""Errors of a file system that refuses a write (full, read-only, no permission)."""


# ----- the cluster --------------------------------------------------------------------------
CONNECT_SECONDS = 5
"""How long to wait for a scheduler to answer: a scheduler on the network answers in well under a
second, so waiting Dask's default 30 s only delays the message that nothing is there."""


def check_scheduler(address: str) -> None:
    """Refuse at once (one line) a TCP scheduler address where nothing listens.

    Example:
        >>> try:
        ...     check_scheduler("tcp://127.0.0.1:1")
        ... except ScenarioError as exc:
        ...     print(str(exc).split(" (")[0])
        --scheduler: nothing answers at tcp://127.0.0.1:1
    """
    scheme, _, rest = address.rpartition("://")
    if scheme not in ("", "tcp", "tls"):
        return  # inproc://, ucx://...: leave the check to Dask
    host, _, port = rest.rpartition(":")
    if not port.isdigit():
        raise ScenarioError(f"--scheduler: {address!r} has no port; expected e.g. "
                            "tcp://10.0.0.5:8786")
    try:
        socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)),
                                 timeout=CONNECT_SECONDS).close()
    except OSError as exc:
        raise ScenarioError(f"--scheduler: nothing answers at {address} "
                            f"({exc.strerror or exc.__class__.__name__}); start the scheduler or "
                            "leave out --scheduler for a local cluster") from None


@contextlib.contextmanager
def _quiet_worker_processes() -> Iterator[None]:
    """Start worker processes that ignore Ctrl-C (SIGINT) and write nothing to the terminal.

    Ctrl-C in a terminal reaches every process of the foreground group, the workers too, and each
    would print its own KeyboardInterrupt traceback; workers torn down mid-run print more (lost
    heartbeats, aborted threads). Only the command should speak: it stops the sweep, keeps the
    finished runs and prints one line; closing the cluster then ends the workers. Nothing is lost
    by silencing them: a run's error travels back with its result and is recorded in ``runs.csv``,
    and the nannies that watch the workers log in this process. A child inherits an ignored SIGINT
    (Python keeps it ignored) and its standard streams, so both are set only while the workers
    start.
    """
    import signal
    import sys
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, devnull):
            os.close(fd)
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """A Dask client: an existing scheduler, an in-process worker, or a local process cluster.

    Yields:
        ``(client, description)``.
    """
    from dask.distributed import Client, LocalCluster

    address = scheduler or os.environ.get(SCHEDULER_ENV)
    if address:
        check_scheduler(address)
        try:
            client = Client(address, timeout=f"{CONNECT_SECONDS}s")
        except (OSError, TimeoutError) as exc:
            raise ScenarioError(f"--scheduler: cannot connect to {address} "
                                f"({exc.__class__.__name__})") from None
        with client:
            n = len(client.scheduler_info(n_workers=-1).get("workers", {}))
            yield client, f"scheduler {address} ({n} workers at start)"
        return
    n = workers or os.cpu_count() or 1
    processes = n > 1
    with _quiet_worker_processes() if processes else contextlib.nullcontext():
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=processes,
                               dashboard_address=":0", silence_logs=logging.ERROR)
    with cluster, Client(cluster) as client:
        kind = f"{n} worker processes" if processes else "1 in-process worker"
        yield client, f"local cluster, {kind}"


# ----- the sweep ----------------------------------------------------------------------------
@dataclass
class SweepReport:
    """What a sweep did."""

    out_dir: Path
    planned: int
    skipped: int
    executed: int = 0
    finished: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    wall_seconds: float = 0.0
    cluster: str = ""
    stale_files: int = 0
    set_aside: list[Path] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every planned run has a result."""
        return self.finished == self.planned


def sweep(plan: ExperimentPlan, out_dir: str | Path | None = None, *, workers: int | None = None,
          scheduler: str | None = None, rerun: bool = False, progress: bool = True,
          retries: int = 2) -> SweepReport:
    """Run every run of ``plan`` not yet finished in ``out_dir``, then write the combined outputs.

    Args:
        plan: the validated plan (:func:`~simulation.experiments.design.build_plan`).
        out_dir: results folder; default ``results/<experiment name>``.
        workers: worker processes of the embedded cluster (1 = in process); default one per core.
        scheduler: address of an existing Dask scheduler (overrides ``workers``).
        rerun: delete earlier run files first instead of resuming.
        progress: show a progress bar (runs done, failed, time left) on stderr.
        retries: Dask retries for a run whose task raises outside the model.

    Returns:
        A :class:`SweepReport`; the combined table is ``out_dir/results.parquet``.
    """
    out_dir = Path(out_dir) if out_dir is not None else Path("results") / plan.experiment.name
    if address := scheduler or os.environ.get(SCHEDULER_ENV):
        check_scheduler(address)  # before anything is written
    try:
        return _sweep(plan, out_dir, workers, scheduler, rerun, progress, retries)
    except OSError as exc:
        if exc.errno not in WRITE_ERRORS:
            raise
        raise OutputFolderError(f"{out_dir}: cannot be written ({exc.strerror or exc}); runs "
                                "finished before were kept") from None


def _sweep(plan: ExperimentPlan, out_dir: Path, workers: int | None, scheduler: str | None,
           rerun: bool, progress: bool, retries: int) -> SweepReport:
    from simulation.experiments.outputs import write_outputs

    store = RunStore(out_dir)
    if rerun:
        store.clear()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / SWEEP_MARKER).touch()
    set_aside = store.set_aside_unreadable()
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    done = store.finished_keys()
    planned_keys = {t.key for t in plan.runs}
    todo = [t for t in plan.runs if t.key not in done]
    report = SweepReport(out_dir, len(plan.runs), len(plan.runs) - len(todo),
                         stale_files=len(done - planned_keys), set_aside=set_aside)
    if todo:
        store.runs_dir.mkdir(parents=True, exist_ok=True)
        _run_all(plan, todo, store, report, workers, scheduler, progress, retries)
    report.finished = len(store.finished_keys() & planned_keys)
    report.wall_seconds = round(time.perf_counter() - started, 3)
    write_outputs(plan, store, report, started_at)
    return report


def _run_all(plan: ExperimentPlan, todo: list[RunTask], store: RunStore, report: SweepReport,
             workers: int | None, scheduler: str | None, progress: bool, retries: int) -> None:
    from dask.distributed import as_completed
    from tqdm.auto import tqdm

    with dask_client(workers, scheduler) as (client, description):
        report.cluster = description
        futures = {}
        for task in todo:
            fut = client.submit(execute_run, task, key=f"lco-{plan.experiment.name}-{task.key}",
                                pure=False, retries=retries)
            futures[fut] = task
        bar = tqdm(total=report.planned, initial=report.skipped, unit="run",
                   desc=plan.experiment.name, disable=not progress, dynamic_ncols=True)
        try:
            for fut in as_completed(futures):
                task = futures.pop(fut)
                if fut.status == "finished":
                    result = fut.result()
                    info, table = result["info"], result["table"]
                else:  # the task itself raised (after retries) or its workers kept dying
                    exc = fut.exception()
                    info = {"key": task.key, "arm": task.arm, "replication": task.replication,
                            "seed": task.seed_text, "status": "failed",
                            "error": f"{type(exc).__name__}: {exc}".splitlines()[0][:500]}
                    table = None
                fut.release()
                report.executed += 1
                if table is not None:
                    store.save(task.key, table, info)
                else:
                    store.save_failure(task.key, info)
                    report.failed[task.key] = info["error"]
                bar.update(1)
                bar.set_postfix(failed=len(report.failed), refresh=False)
        except BaseException:
            client.cancel(list(futures))
            raise
        finally:
            bar.close()
