"""Care homes: residents as a state, finite places, moves in from hospital and home, fees, deaths.

One small baseline (1.5% scale, one year) is shared by the module; a second with almost no
places shows that places bind (people wait in hospital).
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation.care_homes import NEED_CARE_HOME, PAYERS, CareHomes, share_65_plus
from simulation.end_of_life import CARE_HOME, HOSPITAL
from simulation.runner import run_scenario
from simulation.scenario import Scenario

SETTINGS = {"scale": 0.015, "years": 1}


@pytest.fixture(scope="module")
def run():
    return run_scenario(Scenario.preset("none", **SETTINGS), seed=4)


@pytest.fixture(scope="module")
def daily(run):
    r = run.results
    return r[r["dimension"] == "all"].pivot_table(index="day", columns="metric", values="value",
                                                  observed=True)


def test_residents_hold_places_and_never_exceed_them(run, daily):
    model = run.model
    pop = model.population
    part = model.part("care_homes")
    assert (daily["care_home_places_occupied"] <= daily["care_home_places"]).all()
    assert daily["care_home_places_occupied"].min() > 0
    assert (part.held(part.residents) <= part.places()).all()
    # every resident is alive, aged 65+, and carries the residents' hazard ratios
    r = part.residents
    assert pop.alive[r].all() and pop.care_home[r].all()
    assert (pop.ages(model.day, r) >= 65).all()
    assert np.allclose(pop.care_home_acute_rr[r], model.scenario.care_homes.acute_rr)
    assert np.allclose(pop.care_home_death_rr[r], model.scenario.care_homes.mortality_rr)
    assert set(np.unique(pop.care_home_payer[r])) <= set(range(len(PAYERS)))


def test_residents_are_about_2_8_percent_of_people_aged_65_plus(run, daily):
    ages = run.model.scenario.population.age_shares
    older = run.model.initial_size * share_65_plus(ages)
    share = daily["care_home_places_occupied"].mean() / older
    # IAU 2019: 2.8%; a small run, so only the order of magnitude is checked here (the
    # calibration test checks the rate at the suite's scale)
    assert 0.015 < share < 0.045


def test_people_move_in_from_hospital_through_the_discharge_service(run, daily):
    episodes = run.episodes
    moved = episodes[episodes["destination"] == "care_home"]
    # the daily series starts on day 0; the episode log also holds the warm-up's discharges
    recorded = moved[moved["discharge_day"] >= 0]
    assert len(recorded) > 0 and daily["care_home_entries_hospital"].sum() == len(recorded)
    pop = run.model.population
    ids = moved["patient"].to_numpy()
    # each moved in (and stayed until death: residents never leave alive)
    assert pop.care_home[ids].all()
    assert (moved["age"] >= 65).all()


def test_residents_go_back_to_their_home_after_an_admission(run):
    episodes = run.episodes
    pop = run.model.population
    since = pop.care_home_since[episodes["patient"].to_numpy()]
    was_resident = pop.care_home[episodes["patient"].to_numpy()] & (
        since < episodes["admit_day"].to_numpy())
    left = episodes[was_resident & (episodes["discharge_day"] >= 0)]
    assert len(left) > 0
    assert set(left["destination"].astype(str)) <= {"home", "died"}


def test_deaths_in_care_homes_are_of_residents(run, daily):
    pop = run.model.population
    died_there = np.flatnonzero(pop.death_place[: pop.n] == CARE_HOME)
    assert len(died_there) > 0 and pop.care_home[died_there].all()
    assert daily["deaths_in_care_home"].sum() <= len(died_there)  # the warm-up is not recorded
    # residents who died in hospital are counted there, not in the care home
    in_hospital = np.flatnonzero((pop.death_place[: pop.n] == HOSPITAL) & pop.care_home[: pop.n])
    assert not np.isin(in_hospital, died_there).any()


def test_residents_emergency_admissions_are_counted(run, daily):
    assert 0 < daily["care_home_admissions"].sum() < daily["emergency_admissions"].sum()
    grouped = run.results.query("metric == 'care_home_admissions' and dimension == 'age_band'")
    assert grouped["value"].sum() == daily["care_home_admissions"].sum()


def test_fees_by_payer_are_in_the_ledger(run, daily):
    lines = run.model.part("finance").cost_lines()
    year0 = lines[lines["year"] == 0].set_index("item")
    for item, metric in (("care_home_week_council", "care_home_residents_council"),
                         ("care_home_week_nhs_chc", "care_home_residents_nhs_chc"),
                         ("care_home_week_self_funded", "care_home_residents_self_funded")):
        assert year0.loc[item, "quantity"] == pytest.approx(daily[metric].iloc[:365].sum() / 7)
    assert year0.loc["care_home_week_council", "sector"] == "social care"
    assert year0.loc["care_home_week_self_funded", "sector"] == "self-funded"
    row = run.model.part("finance").yearly().iloc[0]
    public = year0[year0["sector"].isin(["hospital", "community", "primary", "social care"])]
    in_account = year0[year0["in_budget"]]
    # The LCO's account: public sectors only (GP appointments are paid by practices' contracts).
    assert set(in_account.index) <= set(public.index)
    assert row["spend_activity"] == pytest.approx(in_account["cost"].sum())
    assert row["spend_self_funded"] == pytest.approx(year0.loc["care_home_week_self_funded",
                                                               "cost"])


def test_places_bind_when_there_are_few():
    # At this scale the calibrated rate of asking from home is about one request a year; the test
    # is of binding, not of that rate, so people ask eight times as often here.
    scenario = Scenario.preset("none", **SETTINGS).with_overrides(
        {"care_homes.places_per_1000_65plus": 2.0,
         "care_homes.community_entry_per_1000_by_age": {0: 0.0, 65: 2.0, 75: 8.0, 85: 40.0}})
    out = run_scenario(scenario, seed=4, days=120, record_episodes=False)
    d = out.results.query("dimension == 'all'").pivot_table(index="day", columns="metric",
                                                             values="value", observed=True)
    assert (d["care_home_places_occupied"] <= d["care_home_places"]).all()
    assert d["care_home_waiting_hospital"].mean() > 0.5
    assert d["care_home_waiting_community"].iloc[-1] > 0


def test_a_resident_is_never_given_a_care_home_need():
    assert CareHomes.services[1].need == NEED_CARE_HOME
