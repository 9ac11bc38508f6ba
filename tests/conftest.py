"""Shared fixtures: small runs reused across test modules (built once per session)."""

from __future__ import annotations

import pytest

from simulation.runner import run_scenario
from simulation.scenario import Scenario


@pytest.fixture(scope="session")
def small_baseline_run():
    """Two years of the do-nothing baseline at 3% scale (18,000 patients), seed 11."""
    return run_scenario(Scenario.preset("none", scale=0.03, years=2), seed=11)
