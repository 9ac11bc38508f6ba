"""The finance parameters, re-exported where the finance package has always found them.

The parameter classes live in :mod:`simulation.finance_parameters` because they are part of the
scenario, and the scenario (core) must not import the finance package (an observer of the model).

Example:
    >>> FinanceParams().discount_rate
    0.035
"""

from simulation.finance_parameters import *  # noqa: F401,F403
from simulation.finance_parameters import FinanceParams, UnitCost, UnitCosts, financial_year_start

__all__ = ["FinanceParams", "UnitCost", "UnitCosts", "financial_year_start"]
