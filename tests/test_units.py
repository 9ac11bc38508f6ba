"""Unit tests of the vectorised parts: random streams, hazard tables, booking, levers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from simulation.levers import ramp
from simulation.population import HazardTables, tier_pmf_from_cumulative
from simulation.practice import book_appointments
from simulation.random_streams import Process, RandomStreams
from simulation.scenario import LeverParams, Scenario


def test_keyed_uniforms_are_uniform_and_independent_of_draw_and_order():
    s = RandomStreams(9)
    ids = np.arange(200_000)
    u0 = s.keyed(Process.ROUTING, 3, ids, draw=0)
    u1 = s.keyed(Process.ROUTING, 3, ids, draw=1)
    assert stats.kstest(u0, "uniform").pvalue > 0.001
    assert abs(np.corrcoef(u0, u1)[0, 1]) < 0.01
    shuffled = np.random.default_rng(0).permutation(ids)
    np.testing.assert_array_equal(s.keyed(Process.ROUTING, 3, shuffled, 0), u0[shuffled])
    assert not np.array_equal(u0, RandomStreams(10).keyed(Process.ROUTING, 3, ids, 0))


def test_tier_effects_preserve_the_published_age_profile():
    """Tier ratios are renormalised: prevalence-weighted mean hazard equals the age table."""
    s = Scenario()
    t = HazardTables.from_scenario(s)
    pmf = tier_pmf_from_cumulative(t.tier_cum)
    mean_acute = (t.acute * pmf).sum(axis=-1)
    ratio = mean_acute / t.acute[..., 0]  # tier-0 value times mean ratio
    expected = (pmf * np.asarray(s.demand.admission_rr_by_tier)).sum(-1)
    np.testing.assert_allclose(ratio, expected, rtol=1e-12)
    # and the admission rate implied for a quintile-5 80-year-old matches the input table
    conv, via = t.conversion[80], s.demand.admissions_via_ae_share
    implied = mean_acute[80, 4] / (via / conv + 1 - via)
    assert implied == pytest.approx(s.demand.admissions_by_age_least_deprived[75] / 1000)


def test_initial_tier_prevalence_matches_tables():
    from simulation.model import LCOModel

    m = LCOModel(Scenario.preset(scale=0.05, years=1), seed=1)
    pop = m.population
    alive = np.flatnonzero(pop.alive[: pop.n])
    old = alive[pop.ages(0, alive) >= 80]
    frail = (pop.tier[old] == 3).mean()
    # expected share from the tables for these patients' ages and quintiles
    exp = m.population.tables.tier_cum[pop.ages(0, old), pop.quintile[old], 2].mean()
    sd = np.sqrt(exp * (1 - exp) / len(old))
    assert abs(frail - exp) < 4 * sd + 0.02  # ageing and deaths during the 120-day warm-up


def test_booking_respects_each_practice_capacity():
    rng = np.random.default_rng(1)
    requests = np.arange(5000)
    practice = rng.integers(0, 20, 5000)
    capacity = rng.integers(0, 400, 20)
    met, unmet = book_appointments(requests, practice, capacity, rng.random(5000))
    assert len(met) + len(unmet) == 5000
    assert np.intersect1d(met, unmet).size == 0
    got = np.bincount(practice[met], minlength=20)
    wanted = np.bincount(practice, minlength=20)
    np.testing.assert_array_equal(got, np.minimum(wanted, capacity))


def test_lever_ramp_is_linear_after_its_start():
    lever = LeverParams(ramp_start_years=2, ramp_years=2)
    values = [ramp(lever, int(y * 365.25)) for y in (0, 2, 3, 4, 6)]
    assert values == pytest.approx([0, 0, 0.5, 1, 1], abs=2e-3)  # days are whole


@pytest.mark.parametrize("level", ["none", "virtual", "partial", "full"])
def test_every_preset_builds_and_steps(level):
    from simulation.model import LCOModel

    m = LCOModel(Scenario.preset(level, scale=0.005, years=1), seed=1)
    m.run(days=40)
    assert m.day == 40 and m.population.n_alive > 0


def test_group_rates_are_per_person_year_with_exact_poisson_intervals():
    import pandas as pd

    from simulation.results import group_rates

    days = np.arange(365)
    rows = [{"day": d, "metric": "emergency_admissions", "dimension": "deprivation_quintile",
             "group": g, "value": float(d < n)} for g, n in (("Q1", 10), ("Q2", 0))
            for d in days]
    rows += [{"day": 0, "metric": "population", "dimension": "deprivation_quintile",
              "group": g, "value": 500.0} for g in ("Q1", "Q2")]
    rates = group_rates(pd.DataFrame(rows), "deprivation_quintile")
    q1, q2 = rates.loc["Q1"], rates.loc["Q2"]
    assert q1["person_years"] == 500 and q1["rate"] == pytest.approx(20.0)  # 10 per 500 a year
    # exact 95% limits of a Poisson count of 10: 4.795 to 18.39 (Garwood 1936), per 500
    assert q1["ci_low"] == pytest.approx(4.7954 * 2, rel=1e-3)
    assert q1["ci_high"] == pytest.approx(18.390 * 2, rel=1e-3)
    assert q2["rate"] == 0 and q2["ci_low"] == 0 and q2["ci_high"] == pytest.approx(3.689 * 2,
                                                                                    rel=1e-3)
