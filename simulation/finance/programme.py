"""Programme costs: the change programme's own costs, estimated from evidence, not simulated.

Transformation (one-off) and double running (a few years) are
:class:`~simulation.finance_parameters.ProgrammeCost` estimates: a central value with its cost
year, a range and a distribution (for a probabilistic sensitivity analysis), the optimism-bias
category of the risk register that applies to them, and their source. The defaults come from
published vanguard funding; an area file states its own under ``[programme_costs]``.

Example:
    >>> from simulation.finance_parameters import FinanceParams
    >>> fp = FinanceParams()
    >>> c = programme_cost(fp, "transformation")
    >>> c.low <= c.value <= c.high
    True
    >>> import numpy as np
    >>> x = sample(c, np.random.default_rng(1), 1000)
    >>> bool(c.low <= x.min() and x.max() <= c.high)
    True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.finance.prices import to_price_year
from simulation.finance_parameters import FinanceParams, ProgrammeCost

PROGRAMME_ITEMS = ("transformation", "double_running")
"""The programme costs, in the order tables show them."""
FIELDS = {"transformation": "transformation_cost_per_head",
          "double_running": "double_running_per_head_year"}
"""Each programme cost's field of :class:`FinanceParams`."""


def programme_cost(finance: FinanceParams, item: str) -> ProgrammeCost:
    """The estimate of programme cost ``item`` (``transformation`` or ``double_running``)."""
    return getattr(finance, FIELDS[item])


def sample(cost: ProgrammeCost, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` draws of a programme cost (cost-year prices) from its distribution over its range."""
    if cost.high <= cost.low:
        return np.full(n, cost.value)
    if cost.distribution == "uniform":
        return rng.uniform(cost.low, cost.high, n)
    return rng.triangular(cost.low, cost.value, cost.high, n)


def with_value(finance: FinanceParams, item: str, value: float) -> FinanceParams:
    """A copy of ``finance`` with programme cost ``item``'s central value set to ``value``.

    The range widens to include it, so a switching value outside the range can be substituted.
    """
    c = programme_cost(finance, item)
    new = c.model_copy(update={"value": value, "low": min(c.low, value),
                               "high": max(c.high, value)})
    return finance.model_copy(update={FIELDS[item]: new})


def programme_table(finance: FinanceParams, rates: dict[str, float]) -> pd.DataFrame:
    """One row per programme cost: central, range and distribution, prices, category and source.

    Args:
        finance: the finance assumptions.
        rates: the optimism-bias rate applied to each item
            (:func:`simulation.finance.optimism.rates`).
    """
    rows = []
    units = {"transformation": "£ per resident, one-off at full integration",
             "double_running": "£ per resident per year at full integration"}
    years = {"transformation": finance.transformation_years,
             "double_running": finance.double_running_years}
    for item in PROGRAMME_ITEMS:
        c = programme_cost(finance, item)
        factor = to_price_year(1.0, c.cost_year, finance)
        rows.append({"programme cost": item, "unit": units[item], "central": c.value,
                     "low": c.low, "high": c.high, "distribution": c.distribution,
                     "cost_year": c.cost_year,
                     f"central_{finance.price_year}": c.value * factor,
                     f"low_{finance.price_year}": c.low * factor,
                     f"high_{finance.price_year}": c.high * factor,
                     "years": years[item], "optimism_bias_category": c.category,
                     "optimism_bias_applied": rates[item], "source": c.source})
    return pd.DataFrame(rows)
