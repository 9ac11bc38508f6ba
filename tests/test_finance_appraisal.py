"""Appraisal arithmetic: Green Book discounting, NPV, BCR, break-even and intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.finance.appraisal import (
    appraise,
    break_even_year,
    discount_factors,
    distinguishable,
    npv,
)
from simulation.finance.params import FinanceParams
from simulation.report.data import COSTED_IF_KEPT
from simulation.scenario import Scenario
from simulation.statistics import mean_ci


def test_npv_matches_hand_calculation_at_green_book_rate():
    # -1000 now, then 300 a year for 4 years, at 3.5%:
    # 300/1.035 + 300/1.035^2 + 300/1.035^3 + 300/1.035^4 = 289.855 + 280.053 + 270.583 + 261.433
    hand = -1000 + 289.855 + 280.053 + 270.583 + 261.433
    assert npv([-1000, 300, 300, 300, 300], FinanceParams().discount_rate) == pytest.approx(hand,
                                                                                          abs=0.01)
    assert FinanceParams().discount_rate == 0.035
    assert discount_factors(3, 0.035).tolist() == pytest.approx([1.0, 1 / 1.035, 1 / 1.035 ** 2])


def test_break_even_and_intervals():
    assert break_even_year([-10, 5, 5, 5], 0.0) == 2
    assert break_even_year([-10, 1, 1], 0.035) is None
    m, lo, hi = mean_ci([1.0, 2.0, 3.0, 4.0])
    assert m == 2.5 and lo < 2.5 < hi
    assert distinguishable(lo, hi) == "yes" and distinguishable(-1.0, 2.0) == "no"
    assert np.isnan(mean_ci([5.0])[1])


def _yearly(arm, rep, admissions, beds):
    base = {"gp_appointments_met": 1000.0, "ae_attendances": 300.0, "short_stay_admissions": 0.0,
            "delayed_discharge_bed_days": 0.0, "crisis_responses": 0.0, "case_managed": 0.0,
            "social_prescribed": 0.0, "home_support_capacity": 0.0, "community_bed_capacity": 0.0,
            "population": 1000.0 * 365}
    # care homes, home care, hospices and their levers: no activity in this example
    base.update(dict.fromkeys(COSTED_IF_KEPT, 0.0))
    rows = []
    for year, (adm, b) in enumerate(zip(admissions, beds, strict=True)):
        vals = dict(base, emergency_admissions=adm, occupied_beds=b * 365)
        rows += [{"arm": arm, "replication": rep, "year": year, "metric": k, "value": v,
                  "days": 365} for k, v in vals.items()]
    return rows


def test_appraisal_of_a_known_difference():
    """One arm: 10 fewer overnight admissions a year, transformation costs only, no ward freed."""
    s_none = Scenario.preset("none", scale=1.0, years=3)
    s_full = Scenario.preset("full", scale=1.0, years=3)
    rows = []
    for rep in range(2):
        rows += _yearly("none", rep, [100, 100, 100], [50, 50, 50])
        rows += _yearly("full", rep, [100, 90, 90], [50, 49, 48])
    yearly = pd.DataFrame(rows)
    fp = s_full.finance.model_copy(update={"optimism_bias": 0.0})
    result = appraise(yearly, {"none": s_none, "full": s_full}, "none", finance=fp)
    f = result.flows[result.flows["replication"] == 0].set_index("year")
    long_stay = 5134.0 * fp.hospital_marginal_share  # at marginal cost (30% of average)
    np.testing.assert_allclose(f["benefits_economic"], [0, 10 * long_stay, 10 * long_stay])
    assert (f["benefits_cash"] == 0).all()  # 2 beds freed is less than a 28-bed ward
    nhscii = 1.0209 * 1.0124 * 1.0160 * 1.0214 * 1.0249 * 1.0258 * 1.0732 * 1.0247  # 15/16-23/24
    tr = 80.6 * nhscii * 1000 / 3
    dr = 17.0 * nhscii * 1000
    np.testing.assert_allclose(f["costs"], [tr + dr, tr + dr, tr])
    r = result.runs.iloc[0]
    hand = npv(f["benefits_economic"] - f["costs"], 0.035)
    assert r["npv_economic"] == pytest.approx(hand)
    assert r["bcr_economic"] == pytest.approx(npv(f["benefits_economic"], 0.035)
                                              / npv(f["costs"], 0.035))
    summary = result.summary.set_index("arm").loc["full"]
    assert summary["npv_economic_differs_from_zero"] == "yes"  # identical replications: zero width
    with_ob = appraise(yearly, {"none": s_none, "full": s_full}, "none",
                       finance=fp.model_copy(update={"optimism_bias": 0.41}))
    # here every cost is a programme cost (no simulated community activity), so all is uplifted
    assert with_ob.runs.iloc[0]["pv_costs"] == pytest.approx(1.41 * r["pv_costs"])
