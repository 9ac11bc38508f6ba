"""Verification: queueing formulas, the hospital against them, Little's law and invariants."""

from __future__ import annotations

import pytest

from simulation.model import LCOModel
from simulation.queueing import carried_load, erlang_b, erlang_c, mg_infinity_quantile
from simulation.scenario import Scenario
from simulation.verification import (
    check_erlang_b,
    check_invariants,
    check_littles_law,
    check_mg_infinity,
    ward_queue,
)


@pytest.mark.parametrize("c, b, cc", [(85, 0.05050, 0.47483), (90, 0.02623, 0.19514),
                                      (95, 0.01137, 0.06789), (100, 0.00399, 0.01965),
                                      (110, 0.00025, 0.00091)])
def test_formulas_match_worked_table(c, b, cc):
    """Erlang B and C at a = 80 ([gross-2008]), against values computed independently (scipy)."""
    assert erlang_b(c, 80.0) == pytest.approx(b, abs=5e-6)
    assert erlang_c(c, 80.0) == pytest.approx(cc, abs=5e-6)


def test_worked_example_quantities():
    assert carried_load(100, 80.0) == pytest.approx(79.68, abs=0.005)
    assert [mg_infinity_quantile(80, q) for q in (0.95, 0.99, 0.999)] == [95, 102, 109]
    assert erlang_b(120, 105.0) == pytest.approx(0.01402, abs=5e-5)


def test_hospital_blocking_matches_erlang_b():
    check = check_erlang_b()
    assert check.passed, check


def test_hospital_blocking_with_exponential_los_and_more_beds():
    check = check_erlang_b(beds=95, los="exponential", replications=4, days=600)
    assert check.passed, check


def test_unlimited_beds_occupancy_is_poisson():
    for check in check_mg_infinity(days=800):
        assert check.passed, check


def test_fewer_beds_block_more():
    few = ward_queue(80, 20, 4, days=400, seed=3)["blocking"]
    many = ward_queue(95, 20, 4, days=400, seed=3)["blocking"]
    assert few > many


def test_littles_law_on_the_full_model(small_baseline_run):
    check = check_littles_law(small_baseline_run)
    assert check.passed, check


def test_invariants_hold_every_day():
    model = LCOModel(Scenario.preset("full", scale=0.03, years=2), seed=2)
    for check in check_invariants(model, days=500):
        assert check.passed, check
