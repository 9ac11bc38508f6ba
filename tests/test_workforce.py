"""The workforce caps capacity.

Capacity = WTE in post x productivity; vacancies lower it; extra posts are recruited no faster
than the pipeline allows; a new service names its role in one declaration.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation.finance.ledger import Ledger
from simulation.model import LCOModel
from simulation.scenario import Scenario
from simulation.services import Service
from simulation.workforce import ROLE_NAMES, RoleFlows, WorkforceParams, productivity

SCALE = 0.01
AT_ONCE = {"integration.crisis_response.ramp_start_years": 0.0,
           "integration.crisis_response.ramp_years": 0.0,
           "integration.case_management.ramp_start_years": 0.0,
           "integration.case_management.ramp_years": 0.0,
           "integration.contracts.assignment": "contracted", "integration.contracts.share": 1.0}
"""Full integration in every practice from day 0 (no adoption, no ramp)."""


def _scenario(level="none", years=1, scale=SCALE, **overrides):
    s = Scenario.preset(level, scale=scale, years=years)
    return s.with_overrides(overrides) if overrides else s


def test_capacity_is_wte_in_post_times_productivity():
    m = LCOModel(_scenario(), seed=2, record_episodes=False)
    wf, sc = m.part("workforce"), m.scenario
    for name in m.services.names():
        spec = m.services.specs[name]
        if not spec.staff:
            continue
        (role,) = spec.staff
        rp = sc.workforce.roles()[role]
        per_wte = productivity(spec.per_100k(sc), rp)
        wte = wf.today_wte[role] * wf.flows[role].ratio()
        np.testing.assert_allclose(m.services.base_places(name) * m.services.staffing[name],
                                   wte * per_wte, rtol=1e-12)
        assert np.all(m.services.staffing[name] == 1.0)  # today's staff: today's capacity


def test_vacancies_reduce_capacity_and_gp_appointments():
    base = LCOModel(_scenario(), seed=2, record_episodes=False)
    short = LCOModel(_scenario(**{"workforce.community_nurse.shortage": 0.2,
                                  "workforce.gp.shortage": 0.2}), seed=2, record_episodes=False)
    cn = WorkforceParams().community_nurse
    expected = (1 - cn.vacancy_rate - 0.2) / (1 - cn.vacancy_rate)
    for name in ("crisis_response", "community_beds", "case_management"):
        np.testing.assert_allclose(short.services.staffing[name], expected, rtol=1e-12)
    assert np.all(short.services.staffing["home_support"] == 1.0)  # care workers untouched
    base_gp = sum(p.daily_capacity for p in base.practice_list)
    short_gp = sum(p.daily_capacity for p in short.practice_list)
    gp = WorkforceParams().gp
    share = WorkforceParams().gp_share_of_appointments
    ratio = (1 - share) + share * (1 - gp.vacancy_rate - 0.2) / (1 - gp.vacancy_rate)
    assert short_gp == pytest.approx(base_gp * ratio, rel=1e-9)
    wf = short.part("workforce")
    rate = 1 - wf.flows["community_nurse"].ratio() / wf.flows["community_nurse"].funded()
    np.testing.assert_allclose(rate, cn.vacancy_rate + 0.2, rtol=1e-12)


def test_steady_state_is_exact_and_extra_posts_are_recruited_no_faster_than_the_pipeline():
    rp = WorkforceParams().community_nurse
    flows = RoleFlows(rp, n=1)
    for _ in range(120):
        flows.step(np.ones(1))
    assert flows.ratio()[0] == 1.0  # no drift: today's staff stay today's, bit for bit
    ratios = []
    for _ in range(120):
        flows.step(np.array([1.3]))
        ratios.append(float(flows.ratio()[0]))
    lag = rp.hire_lag_months
    # nobody recruited after the posts were funded has started within the hire lag
    assert ratios[lag - 1] <= 1.0
    # recruits a month never exceed the supply ceiling, so a year later the posts are not filled
    gain_per_month = (rp.supply_ratio - 1) * rp.leaver_rate_per_year / 12
    assert ratios[11] <= 1.0 + gain_per_month * (12 - lag) + 1e-12
    assert ratios[11] < 1.3 * 0.95
    # and in the long run they are (at today's vacancy rate)
    assert ratios[-1] == pytest.approx(1.3, rel=0.01)
    instant = RoleFlows(rp, n=1, instant=True)
    instant.step(np.array([1.3]))
    assert instant.ratio()[0] == pytest.approx(1.3)


def test_a_new_service_names_its_role_in_one_declaration():
    extra = Service("night_sitting", "places", per_100k=lambda s: 10.0, mean_days=lambda s: 5.0,
                    staff=("care_worker",), uplift=False)
    s = _scenario(**{"workforce.care_worker.shortage": 0.1})
    m = LCOModel(s, seed=1, services=[extra], record_episodes=False)
    cw = WorkforceParams().care_worker
    np.testing.assert_allclose(m.services.staffing["night_sitting"],
                               (1 - cw.vacancy_rate - 0.1) / (1 - cw.vacancy_rate), rtol=1e-12)
    bad = Service("night_sitting", "places", per_100k=lambda s: 1.0, mean_days=lambda s: 5.0,
                  staff=("porter",))
    with pytest.raises(ValueError, match="porter"):
        LCOModel(_scenario(), seed=1, services=[bad], record_episodes=False)


def test_metrics_have_a_role_dimension_and_labels():
    m = LCOModel(_scenario(), seed=1, record_episodes=False)
    m.run(days=40)
    r = m.results()
    staff = r[(r["metric"] == "staff_in_post") & (r["day"] == 39)]
    assert set(staff["dimension"]) == {"role"} and list(staff["group"]) == list(ROLE_NAMES)
    assert m.metrics["staff_in_post"].title == "Staff in post"
    assert m.metrics["vacancy_rate"].title == "Vacancy rate"
    vac = r[(r["metric"] == "vacancy_rate") & (r["day"] == 39)].set_index("group")["value"]
    assert vac["community_nurse"] == pytest.approx(WorkforceParams().community_nurse.vacancy_rate)
    assert isinstance(Ledger.finance_columns(), tuple)


def test_an_area_file_gives_its_own_staff_figures(tmp_path):
    from simulation.areas import AREA_DIR, load_area, scenario_source

    text = (AREA_DIR / "dudley.toml").read_text()
    text += ('\n[workforce]\ncommunity_nurse_per_100k = 70.0\ngp_vacancy_rate = 0.08\n'
             '[workforce.sources]\ncommunity_nurse_per_100k = "ASSUMPTION: a test figure"\n'
             'gp_vacancy_rate = "ASSUMPTION: a test figure"\n')
    path = tmp_path / "staffed.toml"
    path.write_text(text)
    s = Scenario.preset("none", area=str(path), scale=SCALE, years=1)
    assert s.workforce.community_nurse.staff_per_100k == 70.0
    assert s.workforce.gp.vacancy_rate == 0.08
    assert s.workforce.care_worker == WorkforceParams().care_worker  # England's otherwise
    area = load_area(str(path))
    assert "test figure" in scenario_source(area, "workforce.community_nurse.staff_per_100k")
    m = LCOModel(s, seed=1, record_episodes=False)
    assert np.all(m.services.staffing["crisis_response"] == 1.0)  # capacity is still today's
    no_source = text.replace('gp_vacancy_rate = "ASSUMPTION: a test figure"\n', "")
    path.write_text(no_source)
    load_area.cache_clear()
    with pytest.raises(Exception, match="no source"):
        load_area(str(path))


def test_a_hire_lag_longer_than_the_vacancies_allow_is_one_line(tmp_path, capsys):
    from simulation.cli import main

    s = _scenario()
    path = tmp_path / "lag.toml"
    path.write_text(s.to_toml().replace("hire_lag_months = 3", "hire_lag_months = 12", 1))
    code = main(["run", "--scenario", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err
    assert "hire_lag_months 12 is too long" in err and "fewer than 11.0 months" in err
    assert not (tmp_path / "out").exists()
