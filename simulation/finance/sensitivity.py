"""One-way sensitivity of the appraisal to the uncertain finance assumptions.

Each case changes one assumption to a low and a high value and re-runs the appraisal on the same
simulated activity. The ranges come from each assumption's own category and source: programme
costs from their stated ranges (:mod:`simulation.finance.programme`), optimism bias from the
lower and upper bounds of the programme costs' category in the risk register, the hospital cost
basis from marginal to average cost. Assumptions that act inside a run (``reinvestment_share``,
whose reinvested places change later flows) cannot be varied after the fact; sweep them as
experiment factors.

Example:
    >>> fp = FinanceParams()
    >>> low = scale_items(fp, ("ae_attendance",), 0.5)
    >>> low.unit_costs.ae_attendance.value, fp.unit_costs.ae_attendance.value
    (136.5, 273.0)
    >>> "ward_bed_day" in HOSPITAL_ITEMS
    True
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from simulation.finance.appraisal import appraise
from simulation.finance.costs import COST_ITEMS, PRIVATE_SECTORS
from simulation.finance.optimism import load_register
from simulation.finance.params import FinanceParams
from simulation.finance.programme import programme_cost, with_value

# unit-cost names (two items may share one, e.g. a hospice bed day paid partly by charity)
HOSPITAL_ITEMS = (*dict.fromkeys(i.price for i in COST_ITEMS if i.sector == "hospital"),
                  "ward_bed_day")
"""Hospital unit costs, the cost released by a closed ward's bed day included."""
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


def _programme(item: str, end: str) -> Callable[[FinanceParams], FinanceParams]:
    return lambda fp: with_value(fp, item, getattr(programme_cost(fp, item), end))


def _ob_bound(end: str) -> Callable[[FinanceParams], FinanceParams]:
    def change(fp: FinanceParams) -> FinanceParams:
        reg = load_register(fp.risk_register)
        cat = reg.categories[programme_cost(fp, "transformation").category]
        return fp.model_copy(update={"optimism_bias": getattr(cat, end)})
    return change


Case = tuple[str, str, Callable, str, Callable, str]
CASES: tuple[Case, ...] = (
    ("hospital unit costs (incl. ward bed day)", "-25%",
     lambda fp: scale_items(fp, HOSPITAL_ITEMS, 0.75), "+25%",
     lambda fp: scale_items(fp, HOSPITAL_ITEMS, 1.25),
     "ASSUMPTION: ±25% on every hospital unit cost, the cash released by a closed ward's bed "
     "day included"),
    ("hospital cost basis", "marginal (30%)", _set(hospital_marginal_share=0.3),
     "average cost", _set(hospital_marginal_share=1.0),
     "Marginal rate emergency tariff, 30% [hfma-mret-2013]; average cost = reference costs "
     "[jones-2025]"),
    ("community, primary and social-care unit costs", "-25%",
     lambda fp: scale_items(fp, OUT_OF_HOSPITAL_ITEMS, 0.75), "+25%",
     lambda fp: scale_items(fp, OUT_OF_HOSPITAL_ITEMS, 1.25), "ASSUMPTION: ±25%"),
    ("transformation cost", "low", _programme("transformation", "low"), "high",
     _programme("transformation", "high"),
     "Range of finance.transformation_cost_per_head (vanguard funding, see its source)"),
    ("double-running cost", "low", _programme("double_running", "low"), "high",
     _programme("double_running", "high"),
     "Range of finance.double_running_per_head_year (vanguard matched resources)"),
    ("optimism bias on programme costs", "lower bound", _ob_bound("lower_bound"),
     "upper bound", _ob_bound("upper_bound"),
     "Bounds of the programme costs' category in the risk register "
     "[hm-treasury-optimism-bias-2003]"),
    ("ward size", "14 beds", _set(ward_size=14), "56 beds", _set(ward_size=56),
     "ASSUMPTION: half and twice a 28-bed ward"),
    ("years freed beds must persist before a ward closes", "1 year", _set(ward_min_years=1),
     "3 years", _set(ward_min_years=3), "ASSUMPTION: range of finance.ward_min_years"),
    ("discount rate", "1.5%", _set(discount_rate=0.015), "5%", _set(discount_rate=0.05),
     "1.5%: the Green Book's rate for health effects [hm-treasury-green-book-2022]; "
     "5%: ASSUMPTION"),
)
"""(assumption, low label, low change, high label, high change, source of the range)."""


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
        for name, lo_label, lo, hi_label, hi, source in CASES:
            low = appraise(data, pair, baseline,
                           finance=lo(scenario.finance)).runs[list(measures)].mean()
            high = appraise(data, pair, baseline,
                            finance=hi(scenario.finance)).runs[list(measures)].mean()
            for m in measures:
                rows.append({"arm": arm, "measure": m, "assumption": name, "low_case": lo_label,
                             "high_case": hi_label, "base": base[m], "low": low[m], "high": high[m],
                             "swing": abs(high[m] - low[m]), "source": source})
    return pd.DataFrame(rows)
