"""Lengths of service episodes: a place is held for ``mean_days`` on average.

A check on the home-support length of stay (34.5 days, [jones-2024]). Counting the episode log's
discharges to home support against the occupancy of the recorded days gives about 26 days: the log
also holds the 120-day warm-up's discharges, whose places are not in the recorded occupancy
(docs/model.md 7.9a, "Home-support stays"). Measured on the places themselves the mean is the
parameter's. Under a second.
"""

from __future__ import annotations

import types

import numpy as np

from simulation.model import SERVICES
from simulation.random_streams import RandomStreams
from simulation.scenario import Scenario
from simulation.services import PlacePool, ServiceDirectory


def directory(day: int = 5) -> ServiceDirectory:
    model = types.SimpleNamespace(scenario=Scenario.preset("none"), day=day,
                                  streams=RandomStreams(3))
    return ServiceDirectory(model, list(SERVICES), [])


def test_home_support_places_are_held_for_the_mean_length_of_service():
    d, n = directory(), 200_000
    mean = d.model.scenario.community.home_support_days
    held = d.episode_end("home_support", np.arange(n)) - d.model.day
    # geometric lengths: standard error of the mean about mean / sqrt(n) = 0.08 days
    assert held.min() >= 1
    assert abs(held.mean() - mean) < 4 * mean / np.sqrt(n), held.mean()


def test_a_place_is_free_again_on_its_end_day_and_not_before():
    pool = PlacePool(2.0)
    pool.start(np.array([10, 12]))
    pool.release(9)
    assert pool.free() == 0
    pool.release(10)
    assert pool.free() == 1 and pool.occupied == 1
    pool.release(12)
    assert pool.free() == 2


def test_little_s_law_gives_the_mean_length_when_warm_up_places_are_left_out():
    # a pool that never binds: places started on days -120..364, occupancy recorded from day 0
    d, rng = directory(), np.random.default_rng(1)
    pool, occupied, started = PlacePool(10_000.0), [], {}
    for day in range(-120, 365):
        d.model.day = day
        pool.release(day)
        ids = np.arange(day * 10_000 + 5_000_000, day * 10_000 + 5_000_000 + rng.poisson(3))
        pool.start(d.episode_end("home_support", ids))
        started[day] = len(ids)
        if day >= 0:
            occupied.append(pool.occupied)
    recorded = sum(k for day, k in started.items() if day >= 0)
    everything = sum(started.values())
    mean = d.model.scenario.community.home_support_days
    assert abs(sum(occupied) / recorded - mean) < 0.1 * mean  # the recorded year's placements
    assert sum(occupied) / everything < 0.85 * mean  # the warm-up's too: about 26 days
