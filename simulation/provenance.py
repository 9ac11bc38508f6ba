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
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import simulation

PACKAGES = (
    "mesa", "numpy", "scipy", "pandas", "pyarrow", "pydantic", "dask", "distributed", "SALib",
)


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


def refresh_generated_text(path: Path, new: str, *, check: bool, stale: str,
                           current: str, updated: str) -> int:
    r"""Check a generated text file against ``new``, or rewrite it: the end of every generator.

    With ``check`` nothing changes: print ``current`` and return 0 if the file already holds
    ``new``, else print ``stale`` to stderr and return 1. Without it, write ``new`` atomically if
    it differs (printing ``updated``) and return 0. Messages are prefixed with the path.

    Example:
        >>> import tempfile
        >>> page = Path(tempfile.mkdtemp()) / "page.md"
        >>> refresh_generated_text(page, "x\n", check=True, stale="stale", current="ok",
        ...                        updated="written")  # doctest: +ELLIPSIS
        1
        >>> refresh_generated_text(page, "x\n", check=False, stale="stale", current="ok",
        ...                        updated="written")  # doctest: +ELLIPSIS
        /...page.md: written
        0
    """
    path = Path(path)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if check:
        if new != old:
            print(f"{path}: {stale}", file=sys.stderr)
            return 1
        print(f"{path}: {current}")
        return 0
    if new != old:
        atomic_write_bytes(path, new.encode("utf-8"))
        print(f"{path}: {updated}")
    else:
        print(f"{path}: already current")
    return 0


def atomic_write_json(path: Path, obj: Any) -> None:
    """Write JSON atomically, pretty-printed."""
    atomic_write_bytes(path, (json.dumps(obj, indent=2, default=str) + "\n").encode("utf-8"))


MANIFEST_FILES = ("manifest.json", "report_manifest.json")
"""Where a folder written by lco-sim records what wrote it (the report keeps its older name)."""

OUTPUT_KINDS = ("run", "sweep", "report", "validation", "calibration")
"""The ``kind`` in the manifest of each kind of folder lco-sim writes."""

PARTIAL_MARKER = ".lco-sim-partial"
"""A file inside every temporary folder of :func:`replaced_directory`; with the folder's name
pattern it identifies leftovers of an interrupted write that may be removed without asking."""


SWEEP_MARKER = ".lco-sim-sweep"
"""A file in a sweep's folder, written before its first run: a sweep interrupted before it wrote
its manifest can still be resumed (and nothing else is mistaken for one)."""


class OutputFolderError(ValueError):
    """An output folder that may not be written or replaced; the message is one plain line."""


def output_kind(folder: Path) -> str | None:
    """The ``kind`` recorded in the lco-sim manifest of ``folder``, or None if it has none.

    Folders written before manifests recorded their kind are recognised by their manifest's keys;
    a sweep stopped before its first manifest is recognised by its marker (:data:`SWEEP_MARKER`).

    Example:
        >>> import tempfile
        >>> d = Path(tempfile.mkdtemp())
        >>> atomic_write_json(d / "manifest.json", {"kind": "run"})
        >>> output_kind(d), output_kind(d / "nowhere")
        ('run', None)
    """
    for name in MANIFEST_FILES:
        path = Path(folder) / name
        if not path.is_file():
            continue
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(manifest, dict):
            return None
        if manifest.get("kind") in OUTPUT_KINDS:
            return manifest["kind"]
        if name == "report_manifest.json" and "source_folder" in manifest:
            return "report"
        if "experiment_sha256" in manifest and "runs_planned" in manifest:
            return "sweep"
        if "scenario_sha256" in manifest and "days_simulated" in manifest:
            return "run"
        if "scenario_baseline" in manifest and "scenario_full" in manifest:
            return "validation"
    if (Path(folder) / SWEEP_MARKER).is_file():
        return "sweep"
    return None


def _never_replaced(resolved: Path, inputs: tuple[Path, ...]) -> str | None:
    """Why ``resolved`` may never be replaced, even with ``--force`` (or None)."""
    cwd = Path.cwd().resolve()
    home = Path.home().resolve()
    if resolved == Path(resolved.anchor):
        return "it is the root of the file system"
    if resolved == cwd:
        return "it is the current folder"
    if cwd.is_relative_to(resolved):
        return "it holds the current folder"
    if home.is_relative_to(resolved):
        return "it is (or holds) the home folder"
    for given in inputs:
        source = Path(given).resolve()
        if source == resolved or source.is_relative_to(resolved):
            return f"it holds this command's input {given}"
    return None


def _lies_under_a_file(path: Path) -> Path | None:
    for parent in path.parents:
        if parent.exists():
            return None if parent.is_dir() else parent
    return None


def _check_writable(path: Path) -> None:
    """Fail now, not after a long run, if the nearest existing folder cannot be written."""
    where = path if path.is_dir() else next((p for p in path.parents if p.is_dir()), Path("."))
    try:
        fd, probe = tempfile.mkstemp(dir=where, prefix=".lco-sim-probe.")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputFolderError(f"{where}: cannot write here ({exc.strerror or exc})") from None


def check_output_folder(path: str | Path, kind: str, *, force: bool = False,
                        inputs: tuple[str | Path, ...] = (), option: str = "--out") -> Path:
    """Refuse an output folder that a command must not write, before anything runs.

    The rule, the same for every command: a folder may be written (and replaced) only if it does
    not exist, is empty, or carries lco-sim's manifest of the same ``kind``; any other existing
    folder is refused unless ``force``. The current folder, a folder holding it, the root, the home
    folder and any folder holding one of the command's ``inputs`` are refused even with ``force``,
    because replacing them would delete what the user is working in or what is being read.

    Args:
        path: the output folder.
        kind: the kind of folder the command writes (one of :data:`OUTPUT_KINDS`).
        force: replace an existing folder that lco-sim did not write (``--force``).
        inputs: files and folders the command reads.
        option: the command-line option that named the folder (for the message).

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Raises:
        OutputFolderError: one line naming the option, the folder and what to do.

    Example:
        >>> import tempfile
        >>> d = Path(tempfile.mkdtemp())
        >>> _ = (d / "notes.txt").write_text("mine")
        >>> try:
        ...     check_output_folder(d, "run")
        ... except OutputFolderError as exc:
        ...     print(str(exc).split(": ", 2)[2].split(";")[0])
        holds 1 entry that lco-sim did not write as a run folder
    """
    path = Path(path)
    if str(path).strip() in ("", "."):
        raise OutputFolderError(f"{option}: {str(path)!r} is the current folder; lco-sim never "
                                "replaces it, even with --force; name a new folder")
    resolved = path.resolve()
    if reason := _never_replaced(resolved, tuple(Path(i) for i in inputs)):
        raise OutputFolderError(f"{option}: {path}: {reason}; lco-sim never replaces it, even "
                                "with --force; name a new folder")
    if path.exists() and not path.is_dir():
        raise OutputFolderError(f"{option}: {path} exists and is a file, not a folder")
    if blocker := _lies_under_a_file(path):
        raise OutputFolderError(f"{option}: {path} lies under {blocker}, which is a file")
    if path.is_dir():
        entries = [p for p in path.iterdir() if not _is_partial_leftover(p)]
        found = output_kind(path)
        if entries and found != kind and not force:
            what = (f"is an lco-sim {found} folder, not a {kind} folder" if found else
                    f"holds {len(entries)} entr{'y' if len(entries) == 1 else 'ies'} that lco-sim "
                    f"did not write as a {kind} folder")
            raise OutputFolderError(f"{option}: {path}: {what}; choose a new or empty folder, or "
                                    "add --force to replace it")
    _check_writable(path)
    return path


def _is_partial_leftover(path: Path) -> bool:
    """A temporary folder of :func:`replaced_directory` left behind by a kill."""
    return (path.name.startswith(".") and path.is_dir() and not path.is_symlink()
            and (path / PARTIAL_MARKER).is_file())


def remove_partial_leftovers(path: Path) -> list[Path]:
    """Remove temporary folders that an interrupted write of ``path`` left beside it.

    Only folders named ``.<name>.*`` (the pattern :func:`replaced_directory` uses) that also
    contain :data:`PARTIAL_MARKER` are removed, so a user's own hidden folders are never touched.
    """
    path = Path(path)
    removed = []
    if not path.parent.is_dir():
        return removed
    for candidate in path.parent.glob(f".{path.name}.*"):
        if _is_partial_leftover(candidate):
            shutil.rmtree(candidate, ignore_errors=True)
            removed.append(candidate)
    return removed


def _temporary_sibling(path: Path) -> Path:
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
    (tmp / PARTIAL_MARKER).write_text("lco-sim temporary folder; safe to delete\n",
                                      encoding="utf-8")
    return tmp


@contextlib.contextmanager
def replaced_directory(path: Path):
    """Yield a temporary folder beside ``path`` that replaces ``path`` when the block succeeds.

    Readers see either the old folder or the complete new one; if the block fails (or is
    interrupted) the temporary folder is removed and ``path`` is untouched. Leftovers of an
    earlier write that was killed (hidden ``.<name>.*`` folders holding the lco-sim marker) are
    removed first. Callers check ``path`` with :func:`check_output_folder` before they start;
    as a last guard, the current folder and its parents are refused here too.

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "out"
        >>> with replaced_directory(target) as tmp:
        ...     _ = (tmp / "a.txt").write_text("done")
        >>> sorted(p.name for p in target.iterdir())
        ['a.txt']
    """
    path = Path(path)
    if str(path).strip() in ("", ".") or _never_replaced(path.resolve(), ()):
        raise OutputFolderError(f"{path}: lco-sim never replaces this folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_partial_leftovers(path)
        tmp = _temporary_sibling(path)
    except OSError as exc:
        raise OutputFolderError(f"{path}: cannot be written ({exc.strerror or exc}); it was left "
                                "as it was") from None
    try:
        yield tmp
        (tmp / PARTIAL_MARKER).unlink()
        if path.exists():
            # Move the old folder into a marked temporary folder first, so a kill at any moment
            # leaves either the old or the new folder in place, plus a leftover the next write
            # removes.
            trash = _temporary_sibling(path)
            path.rename(trash / "old")
            try:
                tmp.rename(path)
            except BaseException:
                (trash / "old").rename(path)
                shutil.rmtree(trash, ignore_errors=True)
                raise
            shutil.rmtree(trash, ignore_errors=True)
        else:
            tmp.rename(path)
    except OSError as exc:  # a full or read-only disk: one line naming the folder
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputFolderError(f"{path}: cannot be written ({exc.strerror or exc}); it was left "
                                "as it was") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
