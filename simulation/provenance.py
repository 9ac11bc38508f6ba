"""What produced a result: scenario, seed, package versions, git commit, timings.

Example:
    >>> info = environment()
    >>> sorted(info)[:3]
    ['git_commit', 'git_dirty', 'lco_sim_version']
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import shutil
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import simulation

PACKAGES = ("mesa", "numpy", "scipy", "pandas", "pyarrow", "pydantic", "dask", "distributed", "SALib")


def git_commit(path: Path | None = None) -> tuple[str, bool]:
    """The repository's HEAD commit and whether the work tree has uncommitted changes."""
    where = Path(path or Path(simulation.__file__).parent)
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                    cwd=where, capture_output=True, text=True, timeout=10,
                                    check=True).stdout.strip())
        return head, dirty
    except (OSError, subprocess.SubprocessError):
        return "unknown", False


def environment() -> dict[str, Any]:
    """Versions of this package, Python and the libraries results depend on."""
    commit, dirty = git_commit()
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"lco_sim_version": simulation.__version__, "git_commit": commit, "git_dirty": dirty,
            "python": platform.python_version(), "platform": platform.platform(),
            "packages": versions}


def sha256_text(text: str) -> str:
    """Hex SHA-256 of a text (used for scenario and experiment files)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file so that readers see either nothing or the whole file (rename is atomic)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, obj: Any) -> None:
    """Write JSON atomically, pretty-printed."""
    atomic_write_bytes(path, (json.dumps(obj, indent=2, default=str) + "\n").encode("utf-8"))


@contextlib.contextmanager
def replaced_directory(path: Path):
    """Yield a temporary folder beside ``path`` that replaces ``path`` when the block succeeds.

    Readers see either the old folder or the complete new one; if the block fails (or is
    interrupted) the temporary folder is removed and ``path`` is untouched.

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "out"
        >>> with replaced_directory(target) as tmp:
        ...     _ = (tmp / "a.txt").write_text("done")
        >>> sorted(p.name for p in target.iterdir())
        ['a.txt']
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
    try:
        yield tmp
        if path.exists():
            shutil.rmtree(path)
        tmp.rename(path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
