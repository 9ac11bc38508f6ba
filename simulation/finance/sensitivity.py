"""One-way sensitivity of the appraisal to the uncertain finance assumptions.

Each case changes one assumption to a low and a high value and re-runs the appraisal on the same
simulated activity. Assumptions that act inside a run (``reinvestment_share``, whose reinvested
places change later flows) cannot be varied after the fact; sweep them as experiment factors.

Example:
    >>> fp = FinanceParams()
    >>> low = scale_items(fp, ("ae_attendance",), 0.5)
    >>> low.unit_costs.ae_attendance.value, fp.unit_costs.ae_attendance.value
    (136.5, 273.0)
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from simulation.finance.appraisal import appraise
from simulation.finance.costs import COST_ITEMS, PRIVATE_SECTORS
from simulation.finance.params import FinanceParams

# unit-cost names (two items may share one, e.g. a hospice bed day paid partly by charity)
HOSPITAL_ITEMS = tuple(dict.fromkeys(i.price for i in COST_ITEMS if i.sector == "hospital"))
OUT_OF_HOSPITAL_ITEMS = tuple(dict.fromkeys(
    i.price for i in COST_ITEMS if i.sector not in ("hospital", *PRIVATE_SECTORS)))


def scale_items(fp: FinanceParams, items: tuple[str, ...], factor: float) -> FinanceParams:
    """A copy of ``fp`` with the unit costs of ``items`` multiplied by ``factor``."""
    uc = fp.unit_costs
    update = {name: getattr(uc, name).model_copy(update={"value": getattr(uc, name).value * factor})
              for name in items}
    return fp.model_copy(update={"unit_costs": uc.model_copy(update=update)})


def _set(**kw) -> Callable[[FinanceParams], FinanceParams]:
    return lambda fp: fp.model_copy(update=kw)


CASES: tuple[tuple[str, str, Callable, str, Callable], ...] = (
    ("hospital unit costs", "-25%", lambda fp: scale_items(fp, HOSPITAL_ITEMS, 0.75),
     "+25%", lambda fp: scale_items(fp, HOSPITAL_ITEMS, 1.25)),
    ("community, primary and social-care unit costs", "-25%",
     lambda fp: scale_items(fp, OUT_OF_HOSPITAL_ITEMS, 0.75), "+25%",
     lambda fp: scale_items(fp, OUT_OF_HOSPITAL_ITEMS, 1.25)),
    ("ward size", "14 beds", _set(ward_size=14), "56 beds", _set(ward_size=56)),
    ("optimism bias", "0%", _set(optimism_bias=0.0), "66%", _set(optimism_bias=0.66)),
    ("discount rate", "1.5%", _set(discount_rate=0.015), "5%", _set(discount_rate=0.05)),
    ("transformation cost", "x0.5", lambda fp: fp.model_copy(update={
        "transformation_cost_per_head": fp.transformation_cost_per_head.model_copy(
            update={"value": fp.transformation_cost_per_head.value * 0.5})}),
     "x2", lambda fp: fp.model_copy(update={
         "transformation_cost_per_head": fp.transformation_cost_per_head.model_copy(
             update={"value": fp.transformation_cost_per_head.value * 2})})),
)
"""(assumption, low label, low change, high label, high change); ranges are ASSUMPTIONs except the
optimism-bias high (66%, an unverified placeholder recalled from the Green Book's supplementary
guidance on optimism bias; no source found) and the health rate (1.5%,
[hm-treasury-green-book-2022])."""


def one_way(yearly: pd.DataFrame, scenarios: dict, baseline: str,
            measures: tuple[str, ...] = ("npv_economic", "npv_cash")) -> pd.DataFrame:
    """Mean of each measure for every arm at the base case and each case's low and high values."""
    rows = []
    for arm, scenario in scenarios.items():
        if arm == baseline:
            continue
        pair = {baseline: scenarios[baseline], arm: scenario}
        data = yearly[yearly["arm"].isin([arm, baseline])]
        base = appraise(data, pair, baseline).runs[list(measures)].mean()
        for name, lo_label, lo, hi_label, hi in CASES:
            low = appraise(data, pair, baseline,
                           finance=lo(scenario.finance)).runs[list(measures)].mean()
            high = appraise(data, pair, baseline,
                            finance=hi(scenario.finance)).runs[list(measures)].mean()
            for m in measures:
                rows.append({"arm": arm, "measure": m, "assumption": name, "low_case": lo_label,
                             "high_case": hi_label, "base": base[m], "low": low[m], "high": high[m],
                             "swing": abs(high[m] - low[m])})
    return pd.DataFrame(rows)
