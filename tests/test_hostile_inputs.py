"""Hostile input: every case of issue 9 gets one line, a non-zero exit, and leaves files alone.

Each test runs the command line (in process where that is faithful, as a subprocess where
signals, sockets or the interpreter's own output matter) and checks the exit status, that the
message names the field or path, that there is no traceback, and that every file that existed
before is still there, byte for byte (:func:`snapshot` hashes a folder before and after).

Full-disk and read-only cases mount a small tmpfs, which needs root; elsewhere they are skipped
with the reason.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulation.cli import main
from simulation.provenance import PARTIAL_MARKER

ROOT = Path(__file__).resolve().parents[1]

TINY_SCENARIO = """
name = "tiny"
[run]
years = 1
scale = 0.005
warmup_days = 0
"""

BUSINESS_METRICS = ["population", "gp_appointments_met", "ae_attendances", "emergency_admissions",
                    "short_stay_admissions", "delayed_discharge_bed_days", "crisis_responses",
                    "case_managed", "social_prescribed", "occupied_beds"]

TINY_EXPERIMENT = f"""
name = "hostile"
years = 1
scale = 0.005
replications = 1
period = "year"
baseline = "level=none"
metrics = {BUSINESS_METRICS!r}
[base.overrides]
"run.warmup_days" = 0
[design.factors]
"integration.level" = ["none", "full"]
"""


# ----- helpers ------------------------------------------------------------------------------
def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder`` (hidden ones too) with the SHA-256 of its bytes."""
    out = {}
    for path in sorted(Path(folder).rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            out[rel] = "link:" + os.readlink(path)
        elif path.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def assert_kept(before: dict[str, str], folder: Path) -> None:
    """No file or folder that existed before is missing or changed."""
    after = snapshot(folder)
    missing = sorted(set(before) - set(after))
    changed = sorted(k for k in before if k in after and after[k] != before[k])
    assert not missing and not changed, f"missing {missing[:5]}, changed {changed[:5]}"


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    """Run ``lco-sim`` in process; an escaping exception would fail the test (a traceback)."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def cli_process(*argv: str, cwd: Path | None = None, timeout: float = 120,
                **popen) -> subprocess.CompletedProcess:
    """Run ``lco-sim`` as a subprocess with this work tree's package first on the path."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "simulation.cli", *map(str, argv)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=timeout, **popen)


def refused(code: int, err: str, *names: str) -> None:
    """Exit 2, one line on stderr naming every one of ``names``, no traceback."""
    assert code == 2, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    for name in names:
        assert name in lines[0], f"{name!r} not in {lines[0]!r}"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def user_files(folder: Path) -> Path:
    """A folder of a user's own files (one nested, one hidden)."""
    write(folder / "notes.txt", "my notes\n")
    write(folder / "thesis" / "chapter1.md", "# One\n")
    write(folder / ".hidden", "secret\n")
    return folder


@pytest.fixture(scope="module")
def tiny_scenario(tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp("scenario") / "tiny.toml", TINY_SCENARIO)


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory) -> Path:
    """A finished two-arm sweep, written by the command line (in process, one worker)."""
    base = tmp_path_factory.mktemp("sweep")
    exp = write(base / "hostile.toml", TINY_EXPERIMENT)
    out = base / "results" / "hostile"
    assert main(["sweep", str(exp), "--workers", "1", "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture()
def sweep_copy(sweep_folder, tmp_path) -> Path:
    """A copy of the finished sweep that a test may damage."""
    shutil.copy(sweep_folder.parent.parent / "hostile.toml", tmp_path / "hostile.toml")
    return Path(shutil.copytree(sweep_folder, tmp_path / "results" / "hostile"))


# ----- data loss ----------------------------------------------------------------------------
@pytest.mark.parametrize("out", [".", ""])
def test_run_out_current_folder_is_never_replaced(out, tmp_path, monkeypatch, capsys):
    user_files(tmp_path)
    before = snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(capsys, "run", "--out", out, "--force", "--scale", "0.005", "--years", "1")
    refused(code, err, "--out", "current folder", "even with --force")
    assert_kept(before, tmp_path)


def test_run_out_parent_of_current_folder_is_never_replaced(tmp_path, monkeypatch, capsys):
    user_files(tmp_path)
    (tmp_path / "work").mkdir()
    before = snapshot(tmp_path)
    monkeypatch.chdir(tmp_path / "work")
    code, _, err = cli(capsys, "run", "--out", "..", "--force", "--scale", "0.005")
    refused(code, err, "--out", "holds the current folder")
    assert_kept(before, tmp_path)


def test_run_out_results_with_other_experiments_is_refused(sweep_folder, capsys):
    results = sweep_folder.parent  # results/ holds the sweep's folder: not a run folder
    before = snapshot(results)
    code, _, err = cli(capsys, "run", "--out", results, "--scale", "0.005", "--years", "1")
    refused(code, err, "--out", str(results), "--force")
    assert_kept(before, results)


def test_run_out_folder_of_user_files_is_refused(tmp_path, capsys):
    folder = user_files(tmp_path / "mine")
    before = snapshot(tmp_path)
    code, _, err = cli(capsys, "run", "--out", folder, "--scale", "0.005", "--years", "1")
    refused(code, err, "--out", str(folder), "did not write", "--force")
    assert_kept(before, tmp_path)


def test_run_out_a_sweeps_folder_is_refused(sweep_folder, capsys):
    before = snapshot(sweep_folder)
    code, _, err = cli(capsys, "run", "--out", sweep_folder, "--scale", "0.005", "--years", "1")
    refused(code, err, "--out", "lco-sim sweep folder, not a run folder")
    assert_kept(before, sweep_folder)


def test_run_replaces_only_its_own_run_and_force_replaces_a_user_folder(tiny_scenario, tmp_path,
                                                                        capsys):
    """The positive controls: an earlier run is replaced; --force replaces a user's folder."""
    out = tmp_path / "run"
    assert cli(capsys, "run", "--scenario", tiny_scenario, "--out", out, "--quiet")[0] == 0
    first = (out / "manifest.json").read_text()
    assert '"kind": "run"' in first
    assert cli(capsys, "run", "--scenario", tiny_scenario, "--out", out, "--quiet",
               "--seed", "2")[0] == 0
    assert (out / "manifest.json").read_text() != first
    mine = user_files(tmp_path / "mine")
    assert cli(capsys, "run", "--scenario", tiny_scenario, "--out", mine, "--quiet",
               "--force")[0] == 0
    assert not (mine / "notes.txt").exists() and (mine / "results.parquet").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "run"], "no temporary left"


def test_run_out_holding_its_own_scenario_is_never_replaced(tiny_scenario, tmp_path, capsys):
    out = tmp_path / "run"
    assert cli(capsys, "run", "--scenario", tiny_scenario, "--out", out, "--quiet")[0] == 0
    before = snapshot(tmp_path)
    code, _, err = cli(capsys, "run", "--scenario", out / "scenario.toml", "--out", out,
                       "--force")
    refused(code, err, "--out", "input")
    assert_kept(before, tmp_path)


def test_report_out_its_own_sweep_folder_is_never_replaced(sweep_folder, capsys):
    before = snapshot(sweep_folder)
    code, _, err = cli(capsys, "report", sweep_folder, "--out", sweep_folder, "--force")
    refused(code, err, "--out", "input")
    assert_kept(before, sweep_folder)


def test_report_out_folder_of_user_files_is_refused(sweep_folder, tmp_path, capsys):
    folder = user_files(tmp_path / "mine")
    before = snapshot(tmp_path)
    code, _, err = cli(capsys, "report", sweep_folder, "--out", folder)
    refused(code, err, "--out", str(folder), "--force")
    assert_kept(before, tmp_path)


def test_sweep_out_folder_of_user_files_is_refused(sweep_folder, tmp_path, capsys):
    folder = user_files(tmp_path / "mine")
    before = snapshot(tmp_path)
    code, _, err = cli(capsys, "sweep", sweep_folder / "experiment.toml", "--out", folder)
    refused(code, err, "--out", str(folder))
    assert_kept(before, tmp_path)


def test_validate_out_a_run_folder_is_refused(tiny_scenario, tmp_path, capsys):
    out = tmp_path / "run"
    assert cli(capsys, "run", "--scenario", tiny_scenario, "--out", out, "--quiet")[0] == 0
    before = snapshot(tmp_path)
    code, _, err = cli(capsys, "validate", "--out", out, "--scale", "0.005", "--years", "1")
    refused(code, err, "--out", "lco-sim run folder, not a validation folder")
    assert_kept(before, tmp_path)


def test_killed_writes_leave_temporaries_that_the_next_run_removes(tiny_scenario, tmp_path,
                                                                  capsys):
    ours = tmp_path / ".res.abc123"
    write(ours / PARTIAL_MARKER, "x")
    write(ours / "results.parquet", "half")
    users = write(tmp_path / ".res.notes" / "keep.txt", "mine")  # same pattern, no marker
    code, _, err = cli(capsys, "run", "--scenario", tiny_scenario, "--out", tmp_path / "res",
                       "--quiet")
    assert code == 0, err
    assert not ours.exists()
    assert users.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".res.notes", "res"]


# ----- nonsense that used to run ------------------------------------------------------------
@pytest.mark.parametrize("toml, names", [
    ("[demand]\nadmission_rr_by_tier = [1, nan, 1.93, 3.8]", ["admission_rr_by_tier", "nan"]),
    ("[demand]\nadmission_rr_by_tier = [1, -1.5, 1.93, 3.8]", ["admission_rr_by_tier", "-1.5",
                                                               "> 0"]),
    ("[demand]\nadmissions_by_age_most_deprived = {0 = 450.0, 20 = nan}",
     ["admissions_by_age_most_deprived", "[20]", "nan"]),
    ("[population]\npractices = true", ["population.practices", "boolean"]),
    ('[population]\npractices = "91"', ["population.practices", "string"]),
    ("[population]\nage_shares = {0 = 0.5, 50 = nan}", ["age_shares", "nan"]),
    ("[population]\nneighbourhood_weights = [1.0, nan, 1.0]", ["neighbourhood_weights", "nan"]),
    ('[run]\nstart_date = "2261-04-01"', ["run.start_date", "2261", "1990..2100"]),
    ('[run]\nstart_date = "1500-04-01"', ["run.start_date", "1500", "1990..2100"]),
    ("[[hospitals.sites]]\nname = \"A\"\nbeds = 400\n[[hospitals.sites]]\nname = \"A\"\n"
     "beds = 300", ["hospitals.sites", "'A'"]),
    ("[hospitals]\nzero_day_share_by_age = {0 = 1.5}", ["zero_day_share_by_age", "1.5", "<= 1"]),
    ("[demand]\ngp_need_rr_by_tier = [1, inf, 2, 3]", ["gp_need_rr_by_tier", "inf"]),
])
def test_bad_scenario_values_are_refused_before_running(toml, names, tmp_path, capsys):
    scenario = write(tmp_path / "bad.toml", f'name = "bad"\n{toml}\n')
    before = snapshot(tmp_path)
    code, _, err = cli(capsys, "run", "--scenario", scenario, "--out", tmp_path / "out",
                       "--scale", "0.005", "--years", "1")
    refused(code, err, str(scenario), *names)
    assert_kept(before, tmp_path)
    assert not (tmp_path / "out").exists()


def test_scale_too_small_names_the_smallest_useful_scale(tmp_path, capsys):
    code, _, err = cli(capsys, "run", "--scale", "1e-9", "--out", tmp_path / "out")
    refused(code, err, "run.scale", "1e-09", "smallest useful scale", "0.0024")
    assert not list(tmp_path.iterdir())


def test_duplicate_factor_values_are_refused(tmp_path, capsys):
    exp = write(tmp_path / "dup.toml", TINY_EXPERIMENT.replace(
        '"integration.level" = ["none", "full"]',
        '"population.mortality_local_excess" = [1, 1.0]').replace('baseline = "level=none"\n', ""))
    before = snapshot(tmp_path)
    code, _, err = cli(capsys, "sweep", exp, "--dry-run")
    refused(code, err, str(exp), "mortality_local_excess", "listed twice")
    assert_kept(before, tmp_path)


@pytest.mark.parametrize("line, words", [("replications = true", "boolean"),
                                         ('replications = "3"', "string"),
                                         ("scale = nan", "nan")])
def test_experiment_numbers_are_numbers(line, words, tmp_path, capsys):
    field = line.split(" =")[0]
    exp = write(tmp_path / "bad.toml", "\n".join(
        line if row.startswith(f"{field} =") else row for row in TINY_EXPERIMENT.splitlines()))
    code, _, err = cli(capsys, "sweep", exp, "--dry-run")
    refused(code, err, str(exp), field, words)


def test_rerun_deletes_only_lco_sims_own_run_files(sweep_copy, capsys):
    mine = write(sweep_copy / "runs" / "my-notes.txt", "keep me")
    code, out, err = cli(capsys, "sweep", sweep_copy.parent.parent / "hostile.toml", "--out",
                         sweep_copy, "--workers", "1", "--rerun")
    assert code == 0 and "Traceback" not in err
    assert "2 run now, 0 kept" in out
    assert mine.read_text() == "keep me"


# ----- tracebacks that are now one line -----------------------------------------------------
@pytest.mark.parametrize("command", ["run", "sweep"])
def test_file_that_is_not_utf8_is_named(command, tmp_path, capsys):
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('name = "Manchester \u2013 caf\u00e9"\n'.encode("cp1252"))
    before = snapshot(tmp_path)
    argv = (["run", "--scenario", bad, "--out", tmp_path / "out"] if command == "run"
            else ["sweep", bad, "--dry-run"])
    code, _, err = cli(capsys, *argv)
    refused(code, err, str(bad), "not UTF-8")
    assert_kept(before, tmp_path)


@pytest.mark.parametrize("command", ["run", "sweep", "report"])
def test_out_that_is_a_file_or_under_a_file(command, sweep_folder, tmp_path, capsys):
    afile = write(tmp_path / "afile", "mine")
    before = snapshot(tmp_path)
    for out, words in ((afile, "is a file"), (afile / "sub", "lies under")):
        argv = {"run": ["run", "--scale", "0.005", "--years", "1"],
                "sweep": ["sweep", sweep_folder / "experiment.toml"],
                "report": ["report", sweep_folder]}[command]
        code, _, err = cli(capsys, *argv, "--out", out)
        refused(code, err, "--out", str(afile), words)
    assert_kept(before, tmp_path)


def test_scheduler_where_nothing_listens_fails_fast(sweep_folder, tmp_path):
    with socket.socket() as s:  # a port that was free a moment ago and has no listener
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    proc = cli_process("sweep", sweep_folder / "experiment.toml", "--out", tmp_path / "out",
                       "--scheduler", f"tcp://127.0.0.1:{port}", timeout=60)
    refused(proc.returncode, proc.stderr, "--scheduler", f"127.0.0.1:{port}")
    assert time.monotonic() - started < 20
    assert not (tmp_path / "out").exists()


def test_truncated_run_file_is_set_aside_and_rerun(sweep_copy, capsys):
    runs = sweep_copy / "runs"
    damaged = sorted(runs.glob("*.parquet"))[0]
    original = damaged.read_bytes()
    damaged.write_bytes(original[: len(original) // 3])
    kept = {p.name: p.read_bytes() for p in runs.glob("*.parquet") if p != damaged}
    code, out, err = cli(capsys, "sweep", sweep_copy.parent.parent / "hostile.toml", "--out",
                         sweep_copy, "--workers", "1")
    assert code == 0, err
    assert "Traceback" not in err and damaged.name in err and ".corrupt" in err
    assert "1 run now, 1 kept" in out
    assert (runs / ".corrupt" / damaged.name).read_bytes() == original[: len(original) // 3]
    assert damaged.is_file() and damaged.read_bytes() != original[: len(original) // 3]
    assert {p.name: p.read_bytes() for p in runs.glob("*.parquet") if p != damaged} == kept


@pytest.mark.parametrize("command", ["analyse", "report"])
def test_truncated_results_parquet_is_named(command, sweep_copy, capsys):
    table = sweep_copy / "results.parquet"
    table.write_bytes(table.read_bytes()[:200])
    before = snapshot(sweep_copy)
    code, _, err = cli(capsys, command, sweep_copy)
    refused(code, err, str(table), "damaged or truncated")
    assert_kept(before, sweep_copy)


def test_dashboard_port_in_use_is_refused_before_serving():
    pytest.importorskip("solara")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = cli_process("dashboard", "--port", port, timeout=60)
    refused(proc.returncode, proc.stderr, "--port", str(port), "in use")
    assert "serving on" not in proc.stdout


# ----- full and read-only file systems ------------------------------------------------------
@pytest.fixture()
def small_disk(tmp_path):
    """A 512 KiB tmpfs with a user's file on it; unmounted afterwards."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root (the CI runs as root)")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mnt)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        user_files(mnt)
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(mnt: Path) -> None:
    """Leave almost no room on the disk (a few KiB: the run's first big file cannot fit)."""
    filler = mnt / ".filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    os.truncate(filler, max(0, filler.stat().st_size - 16384))


def _read_only(mnt: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)


@pytest.mark.parametrize("command", ["run", "sweep"])
@pytest.mark.parametrize("trouble", ["read-only", "full"])
def test_unwritable_disk_gives_one_line(command, trouble, small_disk, tiny_scenario,
                                        sweep_folder, capsys):
    (_read_only if trouble == "read-only" else _fill)(small_disk)
    before = snapshot(small_disk)
    out = small_disk / "out"
    argv = (["run", "--scenario", tiny_scenario, "--out", out, "--quiet"] if command == "run"
            else ["sweep", sweep_folder.parent.parent / "hostile.toml", "--out", out,
                  "--workers", "1", "--quiet"])
    code, _, err = cli(capsys, *argv)
    refused(code, err, str(small_disk))
    assert_kept(before, small_disk)
    if command == "run":
        assert not out.exists()


# ----- limits and noise ---------------------------------------------------------------------
def test_huge_design_is_counted_and_refused_at_once(tmp_path, capsys):
    values = ", ".join(str(1 + i / 1000) for i in range(100))
    exp = write(tmp_path / "huge.toml", TINY_EXPERIMENT.replace(
        '"integration.level" = ["none", "full"]',
        f'"population.mortality_local_excess" = [{values}]\n'
        f'"demand.readmission_rr_30d" = [{values}]').replace(
        "replications = 1", "replications = 10000").replace('baseline = "level=none"\n', ""))
    started = time.monotonic()
    code, _, err = cli(capsys, "sweep", exp, "--dry-run")
    refused(code, err, str(exp), "100,000,000 runs", "--yes")
    assert time.monotonic() - started < 5


def test_workers_above_core_count_are_capped(sweep_folder, capsys):
    cores = os.cpu_count() or 1
    code, out, err = cli(capsys, "sweep", sweep_folder.parent.parent / "hostile.toml", "--out",
                         sweep_folder, "--workers", str(cores + 7), "--quiet")
    assert code == 0 and "Traceback" not in err
    assert f"--workers {cores + 7} is more than the {cores} cores" in err


def test_ctrl_c_during_a_sweep_prints_one_line(tmp_path):
    """Ctrl-C reaches the whole process group (the worker processes too)."""
    exp = write(tmp_path / "slow.toml", TINY_EXPERIMENT.replace("years = 1", "years = 3")
                .replace("replications = 1", "replications = 3"))
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "simulation.cli", "sweep", str(exp), "--out",
                             str(out), "--workers", "2", "--quiet"],
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while not list((out / "runs").glob("*.parquet")) and time.monotonic() < deadline:
            time.sleep(0.1)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    assert [line for line in err.splitlines() if line.strip()] == [
        "lco-sim: interrupted; finished work was kept"]
    assert list((out / "runs").glob("*.parquet")), "finished runs are kept"
