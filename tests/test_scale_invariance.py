"""Per-head results do not depend on ``run.scale``: capacity levers at two scales (issue 17).

Two capacity levers run at two scales with paired replications (the same seeds in every arm, so
each effect is a paired difference): 2-hour crisis response doubled
(``community.crisis_response_per_100k_day`` x2) and home support cut to a quarter
(``community.home_support_places_per_100k`` x0.25, so that it binds in every replication),
against the unchanged scenario. The per-head
effects (per 100,000 person-years: crisis responses given, emergency admissions, home-support
places used, delayed-discharge bed days) must agree between the scales: the 99% Welch interval of
the difference of the two scales' mean effects must contain 0 (99% per comparison keeps the
chance of any of the four failing by noise near 4%). So that agreement is not merely noise, each
effect must be clearly non-zero (its own 99% interval excludes 0) and measured tightly enough
that a difference of half the effect would be seen.

Scales: Manchester at 1/12 (one pool of all 12 neighbourhoods) and 1/4 (three pools of four): in
both each capacity pool is one real team (simulation.services), so waits are comparable too. The
scenario is partial integration with every practice contracted on day 0, crisis response at full
strength from day 0 and no community uplift, so that both services bind from the start of a
short run. On lco-sim 0.2 (one pool per neighbourhood at every scale, unused responses lost
every day) three of the four comparisons fail: doubling crisis response gave 205 more responses
per 100,000 person-years at scale 1/12 but 505 at 1/4 (difference -301 +- 45), -47 against -117
admissions (+70 +- 17), and cutting home support added 2,579 against 3,634 delayed-discharge bed
days (-1,055 +- 811). About 60 s on one core (48 runs of 240 days).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from simulation.model import LCOModel
from simulation.scenario import Scenario

pytestmark = pytest.mark.slow

SCALES = (1 / 12, 0.25)
SEEDS = tuple(range(1, 9))
DAYS = 180  # after a 60-day warm-up: between-seed variation dominates, so seeds beat days
SETTINGS = {"integration.contracts.assignment": "contracted", "integration.community_uplift": 0.0,
            "integration.crisis_response.ramp_start_years": 0.0,
            "integration.crisis_response.ramp_years": 0.0, "run.warmup_days": 60}
ARMS = {"unchanged": {}, "crisis_x2": {"community.crisis_response_per_100k_day": 5.2},
        "home_support_x0.25": {"community.home_support_places_per_100k": 7.0}}
CHECKS = {  # lever -> (metric, whether its effect must be clearly measured)
    "crisis_x2": (("crisis_responses", True), ("emergency_admissions", True)),
    "home_support_x0.25": (("home_support_occupied", True), ("delayed_discharge_bed_days", True)),
}
METRICS = ("crisis_responses", "emergency_admissions", "home_support_occupied",
           "delayed_discharge_bed_days")


def per_head(scale: float, seed: int, arm: str) -> dict[str, float]:
    """Each metric's total per 100,000 person-years (stocks: mean per 100,000)."""
    s = Scenario.preset("partial", scale=scale, years=1).with_overrides({**SETTINGS, **ARMS[arm]})
    mv = LCOModel(s, seed=seed, record_episodes=False).run(days=DAYS).datacollector.model_vars
    days = len(mv["population"])
    person_years = float(np.mean(mv["population"])) * days / 365 / 1e5
    out = {m: float(np.sum(mv[m])) / person_years for m in METRICS}
    out["home_support_occupied"] /= 365  # place-days a year -> places
    return out


@pytest.fixture(scope="module")
def effects() -> dict[tuple[str, float, str], np.ndarray]:
    """(lever, scale, metric) -> the paired effects, one per seed."""
    runs = {(arm, scale, seed): per_head(scale, seed, arm)
            for scale in SCALES for seed in SEEDS for arm in ARMS}
    return {(arm, scale, m): np.array([runs[arm, scale, k][m] - runs["unchanged", scale, k][m]
                                       for k in SEEDS])
            for arm in CHECKS for scale in SCALES for m in METRICS}


def welch(a: np.ndarray, b: np.ndarray, level: float = 0.99) -> tuple[float, float]:
    """Difference of means of ``a`` and ``b`` and the half-width of its Welch interval."""
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = np.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)) if se > 0 else 1.0
    return float(a.mean() - b.mean()), float(stats.t.ppf(0.5 + level / 2, df) * se)


@pytest.mark.parametrize(("lever", "metric", "measured"),
                         [(lv, m, need) for lv, pairs in CHECKS.items() for m, need in pairs])
def test_per_head_effect_is_the_same_at_both_scales(effects, lever, metric, measured):
    small, large = (effects[lever, s, metric] for s in SCALES)
    diff, half = welch(small, large)
    where = (f"{lever} {metric}: effect {small.mean():.1f} at scale {SCALES[0]:.3g}, "
             f"{large.mean():.1f} at {SCALES[1]:.3g}; difference {diff:.1f} +- {half:.1f} (99%)")
    assert abs(diff) <= half, where
    if measured:  # the test could have failed: the effect is real and measured tightly
        effect = (abs(small.mean()) + abs(large.mean())) / 2
        for e in (small, large):
            assert abs(e.mean()) > stats.t.ppf(0.995, len(e) - 1) * e.std(ddof=1) / np.sqrt(
                len(e)), f"{where}: the effect is not distinguishable from 0"
        assert half < 0.5 * effect, f"{where}: too noisy to see a difference of half the effect"
