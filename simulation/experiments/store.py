"""Where a sweep's results live: one atomic file per finished run, and the combined outputs.

Layout of ``results/<experiment>/``::

    runs/<run key>.parquet       one finished run (kept metrics only), written by temp + rename
    runs/<run key>.failed.json   the last failure of a run (removed when it later succeeds)
    results.parquet              the tidy long table of every finished run of the design
    summary.csv, differences.csv per-arm means and paired differences over the whole horizon
    design.csv, runs.csv         arms (factor values, overrides) and every run (seed, timing)
    experiment.toml              the experiment file as run; base_scenario.toml the base scenario
    manifest.json                hashes, seeds, package versions, git commit, timings

A run file appears whole or not at all, so a sweep stopped at any moment (Ctrl-C, a crash, a dead
worker) keeps every run that had finished, and the next sweep skips them.

Example:
    >>> import tempfile, pandas as pd
    >>> store = RunStore(tempfile.mkdtemp())
    >>> t = pd.DataFrame({"dimension": ["all"], "group": ["all"], "time": [1],
    ...                   "metric": ["deaths"], "value": [3.0]})
    >>> _ = store.save("a0000-r000-x", t, {"seconds": 1.5})
    >>> sorted(store.finished_keys()), store.load("a0000-r000-x")[1]["seconds"]
    (['a0000-r000-x'], 1.5)
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulation.provenance import atomic_write_bytes, atomic_write_json

RUN_KEY = re.compile(r"^a\d{4,}-r\d{3,}-[0-9a-f]{12}(\.parquet|\.failed\.json)$")
"""Names of the files a sweep writes in ``runs/`` (keys from
:func:`simulation.experiments.design.run_key`)."""
RUN_SUFFIX = ".parquet"
FAILED_SUFFIX = ".failed.json"
_META_KEY = b"lco_sim_run"


class RunStore:
    """Per-run files of one experiment's results folder.

    Args:
        root: the experiment's results folder (``results/<experiment>``).
    """

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.runs_dir = self.root / "runs"

    # ----- finished runs ------------------------------------------------------------------
    def finished_keys(self) -> set[str]:
        """Keys of the runs whose result file exists."""
        if not self.runs_dir.is_dir():
            return set()
        return {p.name[: -len(RUN_SUFFIX)] for p in self.runs_dir.glob(f"*{RUN_SUFFIX}")
                if not p.name.startswith(".")}

    def path(self, key: str) -> Path:
        """The result file of run ``key``."""
        return self.runs_dir / f"{key}{RUN_SUFFIX}"

    def save(self, key: str, table: pd.DataFrame, info: dict[str, Any]) -> Path:
        """Write one run's table with ``info`` (seed, timing, worker) in the file's metadata."""
        arrow = pa.Table.from_pandas(table, preserve_index=False)
        meta = dict(arrow.schema.metadata or {})
        meta[_META_KEY] = json.dumps(info, default=str).encode("utf-8")
        arrow = arrow.replace_schema_metadata(meta)
        buf = io.BytesIO()
        pq.write_table(arrow, buf)
        path = self.path(key)
        atomic_write_bytes(path, buf.getvalue())
        self.failure_path(key).unlink(missing_ok=True)
        return path

    def load(self, key: str) -> tuple[pd.DataFrame, dict[str, Any]]:
        """One run's table and its info."""
        arrow = pq.read_table(self.path(key))
        info = json.loads((arrow.schema.metadata or {}).get(_META_KEY, b"{}"))
        return arrow.to_pandas(), info

    def info(self, key: str) -> dict[str, Any]:
        """One run's info without reading its table."""
        meta = pq.read_schema(self.path(key)).metadata or {}
        return json.loads(meta.get(_META_KEY, b"{}"))

    def set_aside_unreadable(self) -> list[Path]:
        """Move run files that cannot be read (truncated or damaged) to ``runs/.corrupt/``.

        A run file is written whole or not at all, but a disk can still lose its end (a full
        disk, a copy cut short). Such a file would make every later sweep fail while reading
        it; moved aside, its run is simply run again. The file is kept, not deleted, so that
        it can be inspected.

        Returns:
            The new paths of the files moved aside.
        """
        moved = []
        for key in sorted(self.finished_keys()):
            try:
                pq.read_metadata(self.path(key))
            except (OSError, pa.ArrowException):
                corrupt = self.runs_dir / ".corrupt"
                corrupt.mkdir(exist_ok=True)
                target = corrupt / self.path(key).name
                self.path(key).replace(target)
                moved.append(target)
        return moved

    # ----- failures -----------------------------------------------------------------------
    def failure_path(self, key: str) -> Path:
        """The failure record of run ``key``."""
        return self.runs_dir / f"{key}{FAILED_SUFFIX}"

    def save_failure(self, key: str, info: dict[str, Any]) -> Path:
        """Record that run ``key`` failed (it is retried by the next sweep)."""
        path = self.failure_path(key)
        atomic_write_json(path, info)
        return path

    def failures(self) -> dict[str, dict[str, Any]]:
        """Failure records of runs that have not since finished."""
        if not self.runs_dir.is_dir():
            return {}
        done = self.finished_keys()
        out = {}
        for p in sorted(self.runs_dir.glob(f"*{FAILED_SUFFIX}")):
            key = p.name[: -len(FAILED_SUFFIX)]
            if key not in done:
                out[key] = json.loads(p.read_text(encoding="utf-8"))
        return out

    def clear(self) -> None:
        """Delete every run file (for a deliberate fresh start).

        Only lco-sim's own files are deleted (run results, failure records and the damaged files
        set aside), so a ``runs/`` folder that also holds something else keeps it.
        """
        if not self.runs_dir.is_dir():
            return
        for path in self.runs_dir.iterdir():
            if path.is_file() and RUN_KEY.match(path.name):
                path.unlink()
        shutil.rmtree(self.runs_dir / ".corrupt", ignore_errors=True)
        with contextlib.suppress(OSError):
            self.runs_dir.rmdir()  # only if nothing else is left


def read_sweep_file(path: Path, kind: str = "parquet") -> Any:
    """Read a sweep output file (``parquet``, ``json`` or ``csv``); a damaged one raises one line.

    Raises:
        ScenarioError: the file is truncated, damaged or not what lco-sim wrote, naming it.
    """
    from simulation.scenario import ScenarioError

    path = Path(path)
    try:
        if kind == "parquet":
            return pd.read_parquet(path)
        if kind == "json":
            return json.loads(path.read_text(encoding="utf-8"))
        return pd.read_csv(path)
    except (OSError, ValueError, pa.ArrowException, pd.errors.ParserError) as exc:
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise ScenarioError(f"{path}: cannot be read; it is damaged or truncated ({reason}); "
                            "run the sweep again to rewrite it") from None


def write_table(path: Path, table: pd.DataFrame) -> Path:
    """Write a DataFrame as parquet atomically."""
    buf = io.BytesIO()
    table.to_parquet(buf, index=False)
    atomic_write_bytes(Path(path), buf.getvalue())
    return Path(path)


def write_csv(path: Path, table: pd.DataFrame, **kwargs: Any) -> Path:
    """Write a DataFrame as CSV atomically."""
    atomic_write_bytes(Path(path), table.to_csv(**kwargs).encode("utf-8"))
    return Path(path)
