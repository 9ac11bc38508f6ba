"""Patient pathways: counts that must agree between the daily series and the episode log."""

from __future__ import annotations

from simulation.runner import run_scenario
from simulation.scenario import Scenario


def test_out_of_area_series_matches_the_episode_log_when_beds_are_short():
    # one small site: most overnight admissions find no bed and go out of area
    s = Scenario.preset("none", scale=0.02, years=1).with_overrides(
        {"hospitals.sites": [{"name": "Small", "locality": "Central", "beds": 150,
                              "escalation_beds": 0}]})
    out = run_scenario(s, 1)
    r, ep = out.results, out.episodes
    daily = r[r["dimension"] == "all"].groupby("metric", observed=True)["value"].sum()
    recorded = ep[ep["admit_day"] >= 0]  # the warm-up's admissions are not in the series
    away = int((recorded["hospital"] == "out_of_area").sum())
    assert away > 100  # the case is exercised
    assert daily["out_of_area_admissions"] == away
    assert (recorded.loc[recorded["hospital"] == "out_of_area", "los"] != 0).all()
    at_sites = r[(r["dimension"] == "hospital") & (r["metric"] == "admissions")]["value"].sum()
    assert at_sites + daily["out_of_area_admissions"] == daily["emergency_admissions"]
