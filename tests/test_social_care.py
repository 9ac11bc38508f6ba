"""Long-term social care: home-care packages with finite capacity, waiting lists and council spend.

A small baseline (1.5% scale, one year) is shared; a second with no packages at all shows that
discharges needing a package wait in hospital (delayed discharges) until the longest wait.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation.runner import run_scenario
from simulation.scenario import Scenario
from simulation.social_care import NEED_HOME_CARE, SocialCare

SETTINGS = {"scale": 0.015, "years": 1}


def _daily(out):
    r = out.results
    return r[r["dimension"] == "all"].pivot_table(index="day", columns="metric", values="value",
                                                  observed=True)


@pytest.fixture(scope="module")
def run():
    return run_scenario(Scenario.preset("none", **SETTINGS), seed=5)


@pytest.fixture(scope="module")
def none_funded():
    scenario = Scenario.preset("none", **SETTINGS).with_overrides(
        {"social_care.home_care_packages_per_100k": 0.0})
    return run_scenario(scenario, seed=5, days=150)


def test_packages_never_exceed_the_councils_capacity(run):
    d = _daily(run)
    assert d["social_care_packages_active"].max() > 0
    assert (d["social_care_packages_active"] <= d["social_care_package_capacity"]).all()
    holders = run.model.part("social_care").holders
    pop = run.model.population
    assert pop.home_care[holders].all() and pop.alive[holders].all()
    assert not pop.care_home[holders].any()  # moving into a care home ends a package


def test_discharges_with_a_package_start_one(run):
    episodes = run.episodes
    started = episodes[episodes["destination"] == "home_care_package"]
    assert len(started) > 0 and (started["age"] >= 65).all()
    assert (started["delayed_days"] >= 0).all()
    d = _daily(run)
    assert d["social_care_package_starts"].sum() >= len(started)
    waited = d["social_care_waiting_days"].sum() / d["social_care_package_starts"].sum()
    assert waited >= 0


def test_hours_and_council_spend_follow_the_packages(run):
    d = _daily(run)
    hours = run.model.scenario.social_care.hours_per_week
    assert np.allclose(d["home_care_hours"], d["social_care_packages_active"] * hours / 7)
    lines = run.model.part("finance").cost_lines().set_index("item")
    line = lines.loc["home_care_hour"]
    assert line["sector"] == "social care"
    assert line["quantity"] == pytest.approx(d["home_care_hours"].iloc[:365].sum())


def test_without_packages_patients_wait_in_hospital(run, none_funded):
    d, base = _daily(none_funded), _daily(run).iloc[:150]
    assert (d["social_care_packages_active"] == 0).all()
    waiting = d["social_care_waiting_hospital"].iloc[30:].mean()
    assert waiting > 0.2 and waiting > base["social_care_waiting_hospital"].iloc[30:].mean()
    assert d["delayed_discharge_bed_days"].sum() > base["delayed_discharge_bed_days"].sum()
    # nobody leaves with a package; after the longest wait they go on an interim arrangement
    episodes = none_funded.episodes
    assert (episodes["destination"] == "home_care_package").sum() == 0
    assert (episodes["destination"] == "interim_package").sum() > 0


def test_social_care_waiting_counts_everyone_waiting(run):
    d = _daily(run)
    assert (d["social_care_waiting"] >= d["social_care_waiting_hospital"]).all()
    by_group = run.results.query("metric == 'social_care_waiting' and dimension == 'age_band'")
    total = by_group.groupby("day")["value"].sum()
    assert np.allclose(total.to_numpy(), d["social_care_waiting"].to_numpy())


def test_the_placement_service_meets_the_package_need():
    assert SocialCare.services[1].need == NEED_HOME_CARE
    assert SocialCare.services[0].kind == "caseload"
