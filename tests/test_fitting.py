"""``lco-sim calibrate`` (simulation.fitting): recovery of a known parameter, outputs, bad input.

The recovery test makes reference runs (seeds 101-103) with a known under-65 A&E conversion
(0.28, where the shipped default is 0.20), takes their mean A&E conversion as a point target, and
checks that a 12-trial calibration on other seeds, started from the default, finds the known
value again. Its tolerance comes from the noise: three standard errors of the difference between
the reference mean and a trial's value (the spread of the reference runs across seeds), turned
into the parameter's units by the slope of conversion on the parameter fitted over the trials.
Runs are one year at 2% scale with no warm-up (A&E conversion needs no filled beds): about 1.5 s
each on a free core.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from simulation.calibration import TARGETS
from simulation.cli import main
from simulation.fitting import (
    band_distance,
    calibrated_parameters,
    fit,
    measure_point,
    select_parameters,
)
from simulation.scenario import Scenario

KNOWN = 0.28
SCALE, YEARS = 0.02, 1
FIXED = {"run.warmup_days": 0}
REFERENCE_SEEDS = (101, 102, 103)
PARAMETER = "demand.ae_conversion_by_age"
NUMBER = "demand.ae_conversion_by_age[0]"


@pytest.fixture(scope="module")
def recovery():
    param = select_parameters([PARAMETER])[0]
    base = Scenario.preset("none", scale=SCALE, years=YEARS).with_overrides(FIXED)
    target = next(t for t in TARGETS if t.key == "ae_conversion")
    reference = [measure_point(None, FIXED | param.overrides(base, KNOWN), SCALE, YEARS, s,
                               {"ae_conversion": target.measure})["ae_conversion"]
                 for s in REFERENCE_SEEDS]
    point = float(np.mean(reference))
    made = dataclasses.replace(target, low=point, high=point, source_range=(point, point),
                               widened_from=None)
    result = fit(parameters=[PARAMETER], targets=[made], budget=12, seeds=1, scale=SCALE,
                 years=YEARS, seed=1, workers=1, overrides=FIXED)
    return result, reference


@pytest.mark.slow
def test_calibrate_recovers_a_known_parameter(recovery):
    result, reference = recovery
    trials = result.trials
    assert trials.loc[0, NUMBER] == pytest.approx(0.20)  # started from the shipped default
    assert trials.loc[0, "objective"] > 100  # ... which is far from the reference
    x, y = trials[NUMBER].to_numpy(), trials["mean:ae_conversion"].to_numpy()
    slope = np.polyfit(x, y, 1)[0]
    assert slope > 0.3  # conversion responds to the parameter, so it can be recovered
    sd = float(np.std(reference, ddof=1))
    se_difference = sd * np.sqrt(1 / len(reference) + 1 / result.settings["seeds"].__len__())
    tolerance = 3 * se_difference / slope
    fitted = result.fitted().set_index("parameter").loc[PARAMETER, "fitted"]
    assert tolerance < (KNOWN - 0.20) / 2, f"tolerance {tolerance:.3f} too loose to show it"
    assert abs(fitted - KNOWN) <= tolerance, (fitted, KNOWN, tolerance)


@pytest.mark.slow
def test_trials_are_the_same_from_the_same_seed_on_two_workers(recovery):
    result, _ = recovery
    assert result.settings["seed"] == 1 and result.trials["trial"].tolist() == list(range(12))
    again = fit(parameters=[PARAMETER], targets=result.targets, budget=2, seeds=1, scale=SCALE,
                years=YEARS, seed=1, workers=2, overrides=FIXED)
    assert again.cluster == "local cluster, 2 worker processes"
    pd.testing.assert_frame_equal(again.trials.drop(columns="plausible"),
                                  result.trials.head(2).drop(columns="plausible"))


def test_every_calibrated_parameter_starts_inside_its_search_range():
    base = Scenario.preset("none")
    params = calibrated_parameters()
    assert len(params) >= 9
    for p in params:
        assert p.low <= p.default(base) <= p.high, p.name
        assert set(p.targets) <= {t.key for t in TARGETS}, p.name
        overridden = base.with_overrides(p.overrides(base, p.default(base)))
        assert overridden == base, p.name  # the default number reproduces the scenario


def test_band_distance_is_zero_inside_and_grows_outside():
    assert band_distance(5.0, 4.7, 5.5) == 0.0
    assert band_distance(4.62, 4.7, 5.5) == pytest.approx(0.01)
    assert band_distance(float("nan"), 0, 1) == float("inf")


# ----- the command line ---------------------------------------------------------------------
SMALL = ["--budget", "2", "--seeds", "2", "--scale", "0.004", "--years", "1",
         "--parameters", "demand.readmission_rr_30d", "--quiet"]


@pytest.mark.slow
def test_cli_writes_its_files(tmp_path):
    one = tmp_path / "one"
    assert main(["calibrate", *SMALL, "--workers", "1", "--out", str(one)]) == 0
    names = {"fitted.csv", "fit_report.csv", "fit_report.md", "trials.csv", "manifest.json"}
    assert {p.name for p in one.iterdir()} == names
    manifest = json.loads((one / "manifest.json").read_text())
    assert manifest["kind"] == "calibration" and manifest["seed"] == 1
    assert manifest["targets"]["readmission_30d"] == [0.066, 0.070]  # the source's range
    fitted = pd.read_csv(one / "fitted.csv").set_index("parameter").loc["demand.readmission_rr_30d"]
    assert fitted["default"] == 3.9
    assert fitted["plausible_low"] <= fitted["fitted"] <= fitted["plausible_high"]
    report = pd.read_csv(one / "fit_report.csv").set_index("key").loc["readmission_30d"]
    assert report["fitted_ci_low"] <= report["fitted_mean"] <= report["fitted_ci_high"]
    assert (report["source_low"], report["source_high"]) == (0.066, 0.070)
    assert "Emergency readmissions within 30 days" in (one / "fit_report.md").read_text()
    again = ["--budget", "1", "--seeds", "1", "--scale", "0.004", "--years", "1", "--quiet",
             "--parameters", "demand.readmission_rr_30d", "--workers", "1", "--out", str(one)]
    assert main(["calibrate", *again]) == 0  # an earlier calibration's folder may be replaced
    assert len(pd.read_csv(one / "trials.csv")) == 1


@pytest.mark.parametrize("args, words", [
    (["--area", "nowhere"], ["area", "nowhere"]),
    (["--parameters", "demand.nothing"], ["--parameters", "demand.nothing", "CALIBRATED"]),
    (["--parameters", "demand.secular_trend_per_year", "--years", "1"], ["--years", "1"]),
    (["--scale", "5"], ["--scale", "5"]),
    (["--seed", "-1"], ["--seed", "-1"]),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, args, words):
    out = tmp_path / "out"
    assert main(["calibrate", *args, "--out", str(out)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert all(w in lines[0] for w in words), lines[0]
    assert not out.exists()


def test_a_folder_lco_sim_did_not_write_is_refused_without_a_traceback(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    done = subprocess.run([sys.executable, "-m", "simulation.cli", "calibrate", "--out",
                           str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "--force" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"
