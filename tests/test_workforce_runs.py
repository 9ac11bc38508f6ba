"""Whole runs with the workforce.

A lever that buys capacity is slowed by recruitment and the ledger pays the staff in post; a staff
shortage worsens waits, unmet GP need and A&E attendances; staff per 100,000 by role validate.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation.calibration import TARGETS, evaluate
from simulation.finance.workforce_costs import cost_per_wte
from simulation.runner import run_scenario
from simulation.scenario import Scenario
from simulation.workforce import WorkforceParams

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


def test_a_lever_buying_capacity_is_slowed_by_recruitment_and_the_ledger_pays_staff_in_post():
    # the LCO doubles community capacity from day 0 (no ramp), so only recruitment can slow it
    over = {**AT_ONCE, "integration.community_uplift": 1.0}
    limited = run_scenario(_scenario("full", years=1, scale=0.003, **over), 4)
    instant = run_scenario(_scenario("full", years=1, scale=0.003,
                                     **{**over, "workforce.recruitment": "instant"}), 4)
    ml, mi = limited.model, instant.model
    # capacity (fractional, before rounding to whole places) follows staff in post
    for name in ("crisis_response", "home_support", "community_beds"):
        cap_l = ml.services.base_places(name) * (1 + ml.services.service_uplift(name, 0.0))
        cap_i = mi.services.base_places(name) * (1 + mi.services.service_uplift(name, 0.0))
        np.testing.assert_allclose(cap_i, 2 * ml.services.base_places(name), rtol=1e-9)
        assert np.all(cap_l < 0.9 * cap_i), name
        assert np.all(cap_l > ml.services.base_places(name)), name  # but recruitment has begun
    wl = ml.part("finance").workforce_costs()
    wi = mi.part("finance").workforce_costs()
    price = {r: cost_per_wte(p, ml.scenario.finance) for r, p in WorkforceParams().roles().items()}
    for table in (wl, wi):
        np.testing.assert_allclose(table["pay_bill_in_post"],
                                   table["wte_in_post"] * table["role"].map(price), rtol=1e-12)
    for role in ("community_nurse", "care_worker"):
        rl = wl[(wl["role"] == role) & (wl["year"] == 0)].iloc[0]
        ri = wi[(wi["role"] == role) & (wi["year"] == 0)].iloc[0]
        assert rl["wte_funded"] == pytest.approx(ri["wte_funded"])  # the same posts funded
        assert rl["pay_bill_in_post"] < 0.9 * ri["pay_bill_in_post"]  # fewer staff paid
        assert rl["funded_not_in_post"] > 2 * ri["funded_not_in_post"]
        today = WorkforceParams().roles()[role].vacancy_rate
        assert ri["vacancy_rate"] == pytest.approx(today)
        assert rl["vacancy_rate"] > today + 0.1
    # the capacity-based spend (funded whole place-days) follows the staffed capacity; at this
    # scale the whole places of the two arms may round alike, so only "not more" is asserted
    yl = ml.part("finance").yearly().set_index("year")
    yi = mi.part("finance").yearly().set_index("year")
    assert yl.loc[0, "spend_social_care"] <= yi.loc[0, "spend_social_care"]
    assert yl.loc[0, "spend_community"] <= yi.loc[0, "spend_community"]


def test_staff_shortage_raises_waits_unmet_need_and_ae():
    short = {"workforce.community_nurse.shortage": 0.3, "workforce.care_worker.shortage": 0.3,
             "workforce.gp.shortage": 0.3}
    base = run_scenario(_scenario("full", years=1, **AT_ONCE), 3)
    worse = run_scenario(_scenario("full", years=1, **AT_ONCE, **short), 3)

    def total(run, metric):
        r = run.results
        return float(r[(r["metric"] == metric) & (r["dimension"] == "all")]["value"].sum())

    assert total(worse, "delayed_discharge_bed_days") > total(base, "delayed_discharge_bed_days")
    assert total(worse, "gp_appointments_unmet") > total(base, "gp_appointments_unmet")
    assert total(worse, "ae_attendances") > total(base, "ae_attendances")
    # Emergency admissions are not asserted: with these capacities the crisis response is not
    # full (a shortage of nurses hardly changes the responses given), and patients kept in
    # hospital waiting for home care cannot be readmitted meanwhile: admissions rose on seed 3 and
    # fell 0.5% and 0.6% on seeds 4 and 8, while the three measures above rose on all three.


def test_staff_per_100k_validation_targets_hold_at_baseline():
    run = run_scenario(_scenario(years=1, scale=0.003), 5)
    keys = {"staff_community_nurses", "staff_care_workers", "staff_gps"}
    table = evaluate([run], [t for t in TARGETS if t.key in keys]).set_index("key")
    assert set(table.index) == keys
    assert table["met"].all(), table[["value", "low", "high"]]
    # and a shortage is seen by the same measure
    short = run_scenario(_scenario(years=1, scale=0.003,
                                   **{"workforce.community_nurse.shortage": 0.2}), 5)
    row = evaluate([short], [t for t in TARGETS if t.key == "staff_community_nurses"]).iloc[0]
    assert not row["met"] and row["value"] < row["low"]
