"""The end of life: a final phase before death, death during an admission, and places of death.

Fast tests share one small baseline (1.5% scale, one year). Two slower tests, with fixed seeds,
check the calibrated places of death against England's published shares with a tolerance derived
from the binomial variance of each share, and the end-of-life care lever's effect on the people it
supports against the Cochrane review's interval (with common random numbers: the same people die
on the same days in both arms, apart from the few whose care-home residence differs).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.calibration import ENGLAND_DEATHS_BY_AGE, TARGETS, RunMeasures
from simulation.end_of_life import HOME, HOSPITAL, PLACES, EndOfLifeParams, renormalisation
from simulation.population import HazardTables, step_table
from simulation.runner import run_scenario
from simulation.scenario import Scenario


@pytest.fixture(scope="module")
def run():
    return run_scenario(Scenario.preset("none", scale=0.015, years=1), seed=6)


def _daily(out):
    r = out.results
    return r[r["dimension"] == "all"].pivot_table(index="day", columns="metric", values="value",
                                                  observed=True)


def test_deaths_by_place_is_a_tidy_series_that_adds_up(run):
    r = run.results
    by_place = r[r["metric"] == "deaths_by_place"]
    assert set(by_place["dimension"]) == {"place"}
    assert set(by_place["group"]) == set(PLACES)
    per_day = by_place.groupby("day")["value"].sum()
    assert np.array_equal(per_day.to_numpy(), _daily(run)["deaths"].to_numpy())
    d = _daily(run)
    parts = d[["deaths_in_hospital", "deaths_at_home", "deaths_in_care_home",
               "deaths_in_hospice"]].sum(axis=1)
    assert np.array_equal(parts.to_numpy(), d["deaths"].to_numpy())


def test_many_deaths_now_happen_in_hospital(run):
    d = _daily(run)
    share = d["deaths_in_hospital"].sum() / d["deaths"].sum()
    assert share > 0.25  # lco-sim 0.1: 0.8%


def test_the_dead_died_on_their_scheduled_day_and_only_once(run):
    model = run.model
    pop = model.population
    dead = np.flatnonzero(~pop.alive[: pop.n] & pop.dying[: pop.n])
    assert len(dead) > 0
    assert (pop.death_place[dead] >= 0).all() and (pop.dies_on[dead] < model.day).all()
    living = np.flatnonzero(pop.alive[: pop.n] & pop.dying[: pop.n])
    assert (pop.end_of_life_death_rr[living] == 0).all()  # nobody starts dying twice
    assert (pop.dies_on[living] >= model.day).all()


def test_a_final_admission_ends_in_death_in_hospital(run):
    episodes = run.episodes
    pop = run.model.population
    died = episodes[(episodes["destination"] == "died") & (episodes["admit_day"] >= 0)]
    assert len(died) > 0
    ids = died["patient"].to_numpy()
    assert (pop.death_place[ids] == HOSPITAL).all()
    assert (died["discharge_day"].to_numpy() == pop.dies_on[ids]).all()
    # most are final admissions that lasted until death, not zero-day stays
    assert (died["los"] >= 1).mean() > 0.8


def test_the_last_months_have_more_admissions(run):
    episodes = run.episodes
    pop = run.model.population
    died = np.flatnonzero(~pop.alive[: pop.n] & (pop.death_place[: pop.n] >= 0)
                          & (pop.dies_on[: pop.n] >= 90))
    e = episodes[episodes["patient"].isin(died)]
    before = e["admit_day"].to_numpy() >= pop.dies_on[e["patient"].to_numpy()] - 90
    last_90 = before.sum() / len(died) / (90 / 365.25)
    everyone = len(episodes) / run.model.initial_size
    assert last_90 > 5 * everyone


def test_renormalisation_keeps_each_cells_expected_episodes():
    s = Scenario.preset("none", scale=0.01, years=1)
    tables = HazardTables.from_scenario(s)
    p = EndOfLifeParams()
    k = renormalisation(tables, p)
    d = -np.expm1(-tables.death)
    final = step_table(p.final_episode_at_home)[:, None, None]
    excess = d * ((1 - p.sudden_share) * (p.terminal_acute_rr - 1) * tables.acute
                  * p.terminal_days / 365.25 + final)
    assert np.allclose(k * tables.acute + excess * k, tables.acute, rtol=1e-9)
    assert (k <= 1).all() and k[80].mean() < k[30].mean() < 1


def _shares_and_errors(out) -> pd.DataFrame:
    """Each place's age-standardised share (%) and its binomial standard error."""
    m = RunMeasures(out)
    deaths = m.by_age_band("deaths")
    w = pd.Series(ENGLAND_DEATHS_BY_AGE) / sum(ENGLAND_DEATHS_BY_AGE.values())
    rows = {}
    for metric in ("deaths_in_hospital", "deaths_at_home", "deaths_in_care_home",
                   "deaths_in_hospice"):
        p = m.by_age_band(metric) / deaths
        rows[metric] = {"share": float((w * p).sum() * 100),
                        "se": float(np.sqrt((w**2 * p * (1 - p) / deaths).sum()) * 100)}
    return pd.DataFrame(rows).T


@pytest.mark.slow
def test_places_of_death_match_england_within_sampling_error():
    """Fixed seeds; each share within its published band give or take 3 standard errors."""
    bands = {t.key: (t.low, t.high) for t in TARGETS}
    runs = [run_scenario(Scenario.preset("none", scale=0.04, years=4), seed, record_episodes=False)
            for seed in (21, 22)]
    tables = [_shares_and_errors(out) for out in runs]
    share = sum(t["share"] for t in tables) / len(tables)
    se = np.sqrt(sum(t["se"] ** 2 for t in tables)) / len(tables)
    for metric in share.index:
        low, high = bands[metric]
        assert low - 3 * se[metric] <= share[metric] <= high + 3 * se[metric], (
            f"{metric}: {share[metric]:.1f}% (se {se[metric]:.1f}) outside [{low}, {high}]")
        assert se[metric] < 2.5  # the test has power: a 10-point miss would fail


@pytest.mark.slow
def test_end_of_life_care_moves_supported_deaths_home_within_the_cochrane_interval():
    """Home deaths of the supported cohort vs the same people without the lever (CRN)."""
    fast = {"ramp_start_years": 0.0, "ramp_years": 0.0}
    base = Scenario.preset("full", scale=0.03, years=2).with_overrides(
        {f"integration.end_of_life_care.{k}": v for k, v in fast.items()})
    on = base.with_overrides({"integration.end_of_life_care.identification_share": 1.0,
                              "integration.adoption.base_per_year": 10.0})
    off = on.with_overrides({"integration.end_of_life_care.identification_share": 0.0})
    arm = run_scenario(on, seed=31, record_episodes=False).model.population
    ctl = run_scenario(off, seed=31, record_episodes=False).model.population
    supported = np.flatnonzero(arm.end_of_life_plan[: arm.n] & ~arm.alive[: arm.n]
                               & ~arm.care_home[: arm.n])
    assert len(supported) > 100
    # the same people died on the same days in both arms (all but a few: residence can differ)
    same = ~ctl.alive[supported] & (arm.dies_on[supported] == ctl.dies_on[supported])
    assert same.mean() > 0.97
    supported = supported[same]
    home_arm = (arm.death_place[supported] == HOME).mean()
    home_ctl = (ctl.death_place[supported] == HOME).mean()
    rr = home_arm / home_ctl
    # delta-method standard error of a ratio of two proportions on the same n people
    se = rr * np.sqrt((1 - home_arm) / (home_arm * len(supported))
                      + (1 - home_ctl) / (home_ctl * len(supported)))
    assert 1.12 - 2 * se <= rr <= 1.52 + 2 * se, f"RR {rr:.2f} (se {se:.2f})"
    assert rr > 1
