"""The pay bill of the workforce: staff in post and funded posts by role, at cost per WTE.

Each role's cost per WTE (pay and employer's on-costs, with its source and price year) is a
parameter of the role (:class:`simulation.workforce.RoleParams`), uprated to the finance's price
year by the published index. The ledger (:class:`simulation.finance.ledger.Ledger`) settles each
year's pay bill of the staff actually **in post** beside the pay bill of the posts **funded**: the
difference is money budgeted for posts that recruitment has not filled (a lever that buys more
capacity than the workforce can supply spends less, and delivers less, than it planned).

The pay bill is an account of what the activity costs are made of, not an addition to them: the
unit costs of community and social-care activity (a crisis response, a funded home-support
place-day) already include their staff, and those activities follow staff in post because each
staffed capacity does (:mod:`simulation.workforce`). So the pay bill is reported beside spend,
never added to it.

Example:
    >>> from simulation.finance_parameters import FinanceParams
    >>> from simulation.workforce import WorkforceParams
    >>> rows = workforce_cost_rows(0, {"gp": (9.0, 10.0)}, WorkforceParams().roles(),
    ...                            FinanceParams())
    >>> r = rows[0]
    >>> r["role"], r["wte_in_post"], round(r["pay_bill_funded"] - r["pay_bill_in_post"])
    ('gp', 9.0, 140000)
"""

from __future__ import annotations

from collections.abc import Mapping

from simulation.finance.prices import to_price_year
from simulation.finance_parameters import FinanceParams
from simulation.workforce import RoleParams, role_label, role_sector

COLUMNS = ("year", "role", "label", "sector", "wte_in_post", "wte_funded", "vacancy_rate",
           "cost_per_wte", "pay_bill_in_post", "pay_bill_funded", "funded_not_in_post")
"""Columns of :meth:`simulation.finance.ledger.Ledger.workforce_costs`."""


def cost_per_wte(role: RoleParams, finance: FinanceParams) -> float:
    """A role's cost per WTE a year in the finance's price year (with on-costs)."""
    return to_price_year(role.cost_per_wte.value, role.cost_per_wte.cost_year, finance)


def workforce_cost_rows(year: int, means: Mapping[str, tuple[float, float]],
                        roles: Mapping[str, RoleParams], finance: FinanceParams) -> list[dict]:
    """One row per role for model ``year``: WTE in post and funded (year means) and pay bills.

    Args:
        year: the model year.
        means: role -> (mean WTE in post, mean WTE funded) over the year, at run scale.
        roles: role -> its parameters.
        finance: the finance parameters (price year and index).
    """
    rows = []
    for name, (in_post, funded) in means.items():
        price = cost_per_wte(roles[name], finance)
        rows.append({"year": year, "role": name, "label": role_label(name),
                     "sector": role_sector(name), "wte_in_post": in_post, "wte_funded": funded,
                     "vacancy_rate": 1.0 - in_post / funded if funded > 0 else 0.0,
                     "cost_per_wte": price, "pay_bill_in_post": in_post * price,
                     "pay_bill_funded": funded * price,
                     "funded_not_in_post": (funded - in_post) * price})
    return rows
