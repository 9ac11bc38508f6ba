"""The do-nothing baseline reproduces the published targets (simulation.calibration.TARGETS).

At 10% scale (60,000 patients) over the full 10-year contract, so that yearly growth rates are
measured over ten points and the small age groups hold a few hundred people.

The bands are the sources' own ranges. Some had been widened beyond their source to pass; since
they were narrowed (issue 14) the model, not yet fully re-tuned, misses three of them on this seed
(with care homes and the end of life in the model, and capacity in pools of about one real team):
30-day readmissions 6.56% against 6.6-7%, admissions growth 3.00% a year (2.998) against 3-3.5%,
and winter occupancy 97.0% against 91-96%. GP appointments were re-tuned and now pass on seeds
3-7. The three are expected failures (``strict``: the test fails once the model meets one, so its
mark is removed then), never a band widened to pass. The delayed-transfer share (5-7%) is met
(5.7%) with home support's need recalibrated to pools of one real team (issue 17).
"""

from __future__ import annotations

import pytest

from simulation.calibration import TARGETS, evaluate, run_baseline


@pytest.fixture(scope="module")
def table():
    return evaluate(run_baseline(scale=0.1, years=10, replications=1, seed=3))


NOT_YET_MET = {"readmission_30d", "admissions_growth", "winter_occupancy"}
"""Targets whose band was narrowed to its source and that the model misses until re-tuned."""


@pytest.mark.parametrize("key", [
    pytest.param(t.key, marks=pytest.mark.xfail(
        strict=True, reason="band narrowed to the source's range; model not yet re-tuned"))
    if t.key in NOT_YET_MET else t.key for t in TARGETS])
def test_target_met_at_reduced_scale(table, key):
    row = table.set_index("key").loc[key]
    assert row["met"] is True or row["met"] == True, (  # noqa: E712
        f"{row['target']}: model {row['value']:.3f} outside [{row['low']}, {row['high']}]")


def test_evaluate_marks_met_from_the_numbers(table):
    recomputed = (table["low"] <= table["value"]) & (table["value"] <= table["high"])
    assert (table["met"].astype(bool) == recomputed).all()


def test_no_band_is_wider_than_its_source():
    for t in TARGETS:
        if t.source_range is not None:
            assert t.source_range[0] <= t.low <= t.high <= t.source_range[1], t.key
        if t.widened_from is not None:
            assert t.widened_from[0] <= t.low and t.high <= t.widened_from[1], t.key
