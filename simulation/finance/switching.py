"""Switching values: the value of each driver at which an option's mean NPV is zero.

The NPV is linear in most drivers, so their switching values are closed form: a driver whose
component has present value ``pv`` (signed as it enters the NPV) switches the NPV at
``factor = 1 - npv / pv`` times its base value. The optimism-bias rate and the hospital cost basis
are linear too. The discount rate is not: its switching value is found with
:func:`scipy.optimize.brentq` on the yearly flows, within 0-100%.

Each row names the finance parameter and the value to substitute, so the result can be checked by
re-running the appraisal with it (the tests do).

Example:
    >>> linear_switch(npv=-50.0, pv=-100.0)  # halve a cost of 100 and an NPV of -50 is 0
    0.5
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from simulation.finance.appraisal import Appraisal, discount_factors
from simulation.finance.optimism import rates as optimism_rates
from simulation.finance.params import FinanceParams
from simulation.finance.prices import to_price_year
from simulation.finance.programme import programme_cost


def linear_switch(npv: float, pv: float) -> float:
    """Factor on a component of present value ``pv`` (signed) that brings ``npv`` to zero."""
    if pv == 0 or not np.isfinite(pv):
        return float("nan")
    return 1.0 - npv / pv


def _mean_npv_at(rate: float, flows: pd.DataFrame, benefit: str) -> float:
    per = []
    for _, f in flows.groupby("replication"):
        f = f.sort_values("year")
        d = discount_factors(int(f["year"].max()) + 1, rate)[f["year"].astype(int)]
        per.append(float(((f[benefit] - f["costs"]) * d).sum()))
    return float(np.mean(per))


def switching_values(appraisal: Appraisal, finance_by_arm: dict[str, FinanceParams],
                     measure: str = "npv_economic") -> pd.DataFrame:
    """One row per option and driver: base value, switching value and the parameter to set.

    Args:
        appraisal: the appraisal of the options.
        finance_by_arm: each option's finance assumptions (those it was appraised with).
        measure: ``npv_economic`` or ``npv_cash``.
    """
    kind = measure.removeprefix("npv_")
    benefit = f"benefits_{kind}"
    rows = []
    for arm, r in appraisal.runs.groupby("arm", sort=False) if len(appraisal.runs) else []:
        fp = finance_by_arm[arm]
        m = r.mean(numeric_only=True)
        npv = float(m[measure])
        ob = optimism_rates(fp)

        def add(driver, parameter, base, value, unit, note="", arm=arm, npv=npv):
            rows.append({"arm": arm, "measure": measure, "driver": driver,
                         "parameter": parameter, "unit": unit, "base": base,
                         "switching_value": value,
                         "change": value / base - 1 if base else float("nan"),
                         "npv_at_base": npv, "note": note})

        for item, field in (("transformation", "transformation_cost_per_head"),
                            ("double_running", "double_running_per_head_year")):
            pv = -(m[f"pv_programme_{item}"] + m[f"pv_optimism_bias_{item}"])
            c = programme_cost(fp, item)
            add(f"{item.replace('_', ' ')} cost", f"finance.{field}.value", c.value,
                c.value * linear_switch(npv, pv), f"£ per resident ({c.cost_year} prices)",
                f"range {c.low:g}-{c.high:g}")
        pv_prog = sum(m[f"pv_programme_{i}"] for i in ("transformation", "double_running"))
        if pv_prog:
            base_ob = ob["transformation"]
            if abs(ob["transformation"] - ob["double_running"]) < 1e-12:
                value = base_ob + npv / pv_prog  # npv - pv_prog * (r - r0) = 0
                add("optimism bias on programme costs", "finance.optimism_bias", base_ob, value,
                    "uplift", "the rate at which the NPV is zero (negative: none can make it "
                    "zero)")
        pv_act = -sum(m[c] for c in m.index if c.startswith("pv_activity_"))
        add("community, primary and social-care unit costs", "scale on their unit costs", 1.0,
            linear_switch(npv, pv_act), "factor")
        if kind == "economic":
            share = fp.hospital_marginal_share
            # NPV(s) = s a + (1 - s) w - C: activity avoided at s of average cost, plus the fixed
            # (1 - s) part of the wards closed
            pv_fixed = m["pv_benefit_ward_fixed_costs"]
            a = (m["pv_benefits_economic"] - pv_fixed) / share if share else float("nan")
            w = pv_fixed / (1 - share) if share < 1 else 0.0
            cost = m["pv_costs"]
            value = (cost - w) / (a - w) if np.isfinite(a) and a != w else float("nan")
            add("hospital cost basis (share of average cost released)",
                "finance.hospital_marginal_share", share, value, "share", "1.0 = average cost")
        else:
            pv_b = m["pv_benefits_cash"]
            ward = to_price_year(fp.unit_costs.ward_bed_day.value,
                                 fp.unit_costs.ward_bed_day.cost_year, fp)
            add("cash released per closed-ward bed day", "finance.unit_costs.ward_bed_day.value",
                fp.unit_costs.ward_bed_day.value,
                fp.unit_costs.ward_bed_day.value * linear_switch(npv, pv_b),
                f"£ per bed day ({fp.unit_costs.ward_bed_day.cost_year} prices)",
                f"£{ward:,.0f} in {fp.price_year} prices")
        flows = appraisal.flows[appraisal.flows["arm"] == arm]
        f0, f1 = (_mean_npv_at(x, flows, benefit) for x in (0.0, 1.0))
        value = (brentq(_mean_npv_at, 0.0, 1.0, args=(flows, benefit), xtol=1e-10)
                 if f0 * f1 < 0 else float("nan"))
        add("discount rate", "finance.discount_rate", fp.discount_rate, value, "per year",
            "" if np.isfinite(value) else "no rate in 0-100% makes the NPV zero")
    return pd.DataFrame(rows)
