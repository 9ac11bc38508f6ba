"""Contracts as the seeds describe them: which practices hold which contract, from day 0."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from simulation.experiments.design import build_plan
from simulation.experiments.spec import Experiment
from simulation.finance.ledger import integration_intensity
from simulation.model import LCOModel
from simulation.scenario import Scenario, ScenarioError

ROOT = Path(__file__).resolve().parents[1]


def _dudley(**contracts):
    overrides = {"run.structure": "kept", "integration.contracts.assignment": "contracted"}
    overrides.update({f"integration.contracts.{k}": v for k, v in contracts.items()})
    return Scenario.preset("partial", area="dudley", scale=0.02, years=1).with_overrides(overrides)


def _statuses(scenario, days=40):
    model = LCOModel(scenario, seed=1, record_episodes=False).run(days=days)
    return np.array([p.status for p in model.practice_list])


def test_38_of_45_practices_take_the_contract_on_day_0_and_keep_it():
    status = _statuses(_dudley(share=38 / 45), days=400)
    assert len(status) == 45
    assert (status == 2).sum() == 38 and (status == 0).sum() == 7


def test_some_fully_and_some_partially_integrated():
    status = _statuses(_dudley(shares={"full": 20 / 45, "partial": 18 / 45}))
    assert (status == 3).sum() == 20 and (status == 2).sum() == 18 and (status == 0).sum() == 7


def test_named_practices_hold_named_contracts():
    status = _statuses(_dudley(practices={"full": [1, 2], "virtual": [45]}))
    assert status[:2].tolist() == [3, 3] and status[44] == 1 and (status[2:44] == 0).all()


def test_the_same_practices_are_chosen_in_every_arm_and_seed():
    a = _statuses(_dudley(shares={"partial": 0.5}))
    b = _statuses(_dudley(shares={"full": 0.5}))
    assert ((a > 0) == (b > 0)).all()


@pytest.mark.parametrize("bad, message", [
    ({"shares": {"full": 0.7, "partial": 0.5}}, "sum to at most 1"),
    ({"practices": {"full": [1, 2], "partial": [2]}}, "more than one contract"),
    ({"practices": {"full": [0]}}, "start at 1"),
])
def test_bad_contracts_are_one_line_errors(bad, message):
    with pytest.raises(ScenarioError, match=message):
        _dudley(**bad)


def test_a_practice_beyond_the_area_is_refused():
    with pytest.raises(ValueError, match="do not exist"):
        _statuses(_dudley(practices={"full": [46]}))


def test_programme_intensity_follows_the_contracts():
    s = _dudley(shares={"full": 0.5, "partial": 0.25})
    full, partial = s.integration.status_intensity[3], s.integration.status_intensity[2]
    assert integration_intensity(s) == pytest.approx(0.5 * full + 0.25 * partial)


def test_dudley_contract_options_experiment_runs_as_contracted():
    data = tomllib.loads((ROOT / "experiments" / "dudley_contract_options.toml").read_text())
    data.update(years=1, scale=0.02, replications=1)
    plan = build_plan(Experiment.parse_dict(data))
    assert [a.label for a in plan.arms] == ["level=none", "level=partial", "level=full"]
    for arm, expected in zip(plan.arms, (0, 38, 38), strict=True):
        status = _statuses(arm.scenario, days=40)
        assert (status > 0).sum() == expected
        assert arm.scenario.area == "dudley" and arm.scenario.run.years == 1
