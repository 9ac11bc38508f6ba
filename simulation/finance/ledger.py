"""The LCO's ledger: budget, spend by sector, savings that are real, and their reinvestment.

The ledger is an observer part (:class:`simulation.parts.Part`): the workflow passes it to the model
(``LCOModel(..., observers=[Ledger()])``; :func:`simulation.runner.run_scenario` does), it reads the
model only through public interfaces (the data collector's series, the services directory) and
settles each model year at the ``end_of_year`` hook. For the year just ended it

1. costs the year's activity (:mod:`simulation.finance.costs`): spend by sector equals the sum of
   quantity x unit cost, line by line;
2. compares spend with the capitated budget (per head, growing in real terms) and adds the
   integration investment that is not activity: one-off transformation and double running. The
   contract's scope (``integration.contracts.gp_core_scope``) decides whose GP core services
   (GMS/PMS) sit inside the LCO's account: for those practices ``finance.gp_core_per_head`` x their
   registered list joins the budget and primary-care spend alike; the GP appointments of every
   practice stay outside it (they are paid by the practices' own contracts, per head not per
   appointment) and are valued only in the appraisal;
3. measures **cash-releasing savings** against the contract's reference: the mean occupied beds of
   the first contract year grown at ``reference_growth_per_year`` (bed days grow about 0.3% a
   year without integration, [steventon-2018]). Hospital costs are fixed until a whole ward
   closes, so only whole wards of ``ward_size`` beds (scaled with ``run.scale``) below the
   reference release cash; the rest is capacity freed, valued but not cash. The cash is shared
   (``savings_share_lco`` to the LCO, the rest to the acute sector); the part of the LCO's share
   that falls to the primary care inside its budget is reported pro rata to budget, so it
   follows the scope;
4. reinvests ``reinvestment_share`` of the cash released in extra home-support places for the year
   ``reinvestment_lag_years`` later. The places are real capacity of the neighbourhood teams, so
   they change later discharges and delays in the same run: the feedback loop. With no cash
   released nothing is reinvested.

Across policy arms, :mod:`simulation.finance.appraisal` uses the do-nothing arm with the same seed
as the counterfactual instead of the contract reference.

Example:
    >>> from simulation.scenario import Scenario
    >>> from simulation.model import LCOModel
    >>> m = LCOModel(Scenario.preset("none", scale=0.005, years=1), seed=1, observers=[Ledger()])
    >>> _ = m.run()
    >>> table = m.part("finance").yearly()
    >>> int(table["year"].iloc[0]), bool(table["spend_activity"].iloc[0] > 0)
    (0, True)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from simulation.finance.costs import (
    GP_CORE_ITEMS,
    PRIVATE_SECTORS,
    SECTORS,
    cost_items,
    cost_lines,
    quantities,
    sector_column,
    unit_costs,
)
from simulation.finance.prices import to_price_year
from simulation.finance.workforce_costs import COLUMNS as WORKFORCE_COLUMNS
from simulation.finance.workforce_costs import workforce_cost_rows
from simulation.finance_parameters import FinanceParams
from simulation.metrics import Metric
from simulation.parts import Part

CAPACITY_METRICS = (
    Metric("home_support_capacity", "stock", "places",
           "Funded home-support places today (base, uplift and reinvestment).",
           label="Home-support places funded"),
    Metric("community_bed_capacity", "stock", "beds", "Funded community beds today.",
           label="Community beds funded"),
    Metric("reinvested_places", "stock", "places",
           "Home-support places bought with reinvested savings.",
           label="Home-support places from reinvested savings"),
    Metric("gp_core_patients", "stock", "patients",
           "Registered patients of the practices whose GP core services (GMS/PMS) sit inside the "
           "LCO's budget (integration.contracts.gp_core_scope; lists as last updated).",
           label="Patients whose GP core is in the budget"),
)
"""Daily series the ledger adds to the model's recorded outputs (funded capacity, reinvestment,
the lists whose GP core sits in the budget)."""

CAPACITY_REPORTERS = tuple(m.name for m in CAPACITY_METRICS)
"""Names of :data:`CAPACITY_METRICS`."""

FINANCE_METRICS = tuple(Metric(name, kind, "£" if kind == "flow" else unit, text, level="finance",
                               label=label)
                        for name, kind, unit, text, label in (
    ("budget", "flow", "£", "Capitated budget of the year (with the GP core in it).", "Budget"),
    ("gp_core", "flow", "£", "GP core services (GMS/PMS) of the practices whose core sits in the "
     "budget: in the budget and in primary-care spend alike.", "GP core services in the budget"),
    ("spend_hospital", "flow", "£", "Hospital spend of the year.", "Hospital spend"),
    ("spend_community", "flow", "£", "Community spend of the year.", "Community spend"),
    ("spend_primary", "flow", "£", "Primary-care spend of the year (the GP core in the budget).",
     "Primary-care spend"),
    ("spend_social_care", "flow", "£", "Social-care spend of the year (council).",
     "Social-care spend"),
    ("spend_self_funded", "flow", "£", "Care-home fees paid by residents (not public spend).",
     "Self-funded care-home fees"),
    ("spend_charitable", "flow", "£", "Hospice costs met by charity (not public spend).",
     "Hospice costs met by charity"),
    ("spend_activity", "flow", "£", "Spend on services of the year (activity, funded capacity "
     "and the GP core in the budget).", "Spend on services"),
    ("transformation", "flow", "£", "One-off transformation cost of the year.",
     "Transformation cost"),
    ("double_running", "flow", "£", "Double-running cost of the year.", "Double-running cost"),
    ("spend_total", "flow", "£", "All spend of the year.", "Total spend"),
    ("gap", "flow", "£", "Spend minus budget.", "Spend minus budget"),
    ("reference_beds", "stock", "beds", "The contract's reference occupied beds.",
     "Reference occupied beds"),
    ("beds_freed", "stock", "beds", "Mean occupied beds below the reference.", "Beds freed"),
    ("wards_closable", "stock", "wards", "Whole wards the freed beds could close.",
     "Wards that could close"),
    ("cash_releasing_savings", "flow", "£", "Savings from whole wards closed.",
     "Cash-releasing savings"),
    ("capacity_freed_value", "flow", "£", "Value of freed capacity that is not cash.",
     "Value of capacity freed (not cash)"),
    ("reinvestment_pot", "flow", "£", "Cash released set aside for reinvestment.",
     "Reinvestment pot"),
    ("savings_acute", "flow", "£", "The acute sector's share of the cash-releasing savings.",
     "Savings kept by the acute sector"),
    ("savings_lco", "flow", "£", "The LCO's share of the cash-releasing savings.",
     "Savings that come to the LCO"),
    ("savings_lco_primary_care", "flow", "£", "Part of the LCO's share that falls to the primary "
     "care inside its budget (pro rata to budget; 0 when GP core sits outside).",
     "Savings that fall to primary care")))
"""Columns of the ledger's yearly account (dimension ``finance`` of an experiment's results)."""


def integration_intensity(scenario) -> float:
    """Lever intensity the programme pays for (0 for do nothing, 1 for full integration).

    Under voluntary adoption it is that of the scenario's target status; under contracted
    assignment, the mean over practices of their contracts' intensity (named practices are
    counted against the area's practice count).
    """
    from simulation.scenario import PRACTICE_STATUS

    integ = scenario.integration
    intensity = integ.status_intensity
    c = integ.contracts
    if c.assignment != "contracted":
        return float(intensity[PRACTICE_STATUS[integ.level]])
    if c.practices:
        n = scenario.population.practices
        return float(sum(intensity[PRACTICE_STATUS[lv]] * len(nums) / n
                         for lv, nums in c.practices.items()))
    shares = dict(c.shares) or {integ.level: c.share}
    return float(sum(intensity[PRACTICE_STATUS[lv]] * share for lv, share in shares.items()))


def budget(finance: FinanceParams, population: float, year: int) -> float:
    """The capitated budget of model year ``year`` (0-based) in price-year prices."""
    b = finance.budget_per_head
    per_head = to_price_year(b.value, b.cost_year, finance)
    return per_head * population * (1 + finance.budget_real_growth_per_year) ** year


def gp_core_cost(finance: FinanceParams, patients: float) -> float:
    """The GP core services of ``patients`` registered patients for a year, in price-year prices.

    Example:
        >>> round(gp_core_cost(FinanceParams(), 1000.0))
        179738
    """
    g = finance.gp_core_per_head
    return to_price_year(g.value, g.cost_year, finance) * patients


def share_savings(cash: float, finance: FinanceParams, gp_core: float,
                  total_budget: float) -> dict[str, float]:
    """Who gains the cash-releasing savings: the acute sector, the LCO, and primary care.

    Primary care's part is within the LCO's share: the primary care inside its budget.
    The LCO's share (``savings_share_lco``) falls to its services pro rata to their budget
    (ASSUMPTION), so primary care gains only where its core contracts sit inside the budget
    (``gp_core`` > 0): the sharing follows the contract's scope.

    Example:
        >>> share_savings(1000.0, FinanceParams(), gp_core=100.0, total_budget=1000.0)
        {'savings_acute': 500.0, 'savings_lco': 500.0, 'savings_lco_primary_care': 50.0}
    """
    lco = finance.savings_share_lco * cash
    primary = lco * gp_core / total_budget if total_budget > 0 else 0.0
    return {"savings_acute": cash - lco, "savings_lco": lco, "savings_lco_primary_care": primary}


def investment(finance: FinanceParams, intensity: float, population: float, year: int) -> dict:
    """Integration investment that is not activity: transformation and double running.

    Both scale with the target level's intensity (ASSUMPTION: a virtual alliance costs a quarter of
    full integration when its intensity is 0.25).

    Example:
        >>> fp = FinanceParams()
        >>> investment(fp, 0.0, 1000, 0)
        {'transformation': 0.0, 'double_running': 0.0}
    """
    t, d = finance.transformation_cost_per_head, finance.double_running_per_head_year
    tr = 0.0
    if year < finance.transformation_years:
        tr = (to_price_year(t.value, t.cost_year, finance)
              * population * intensity / finance.transformation_years)
    dr = 0.0
    if year < finance.double_running_years:
        dr = to_price_year(d.value, d.cost_year, finance) * population * intensity
    return {"transformation": tr, "double_running": dr}


def wards_closable(beds_freed: float, finance: FinanceParams, scale: float) -> int:
    """Whole wards that ``beds_freed`` (mean occupied beds below the counterfactual) could close."""
    ward = finance.ward_size * scale
    return int(math.floor(max(0.0, beds_freed) / ward + 1e-9))


def lco_cost_lines(lines: pd.DataFrame, finance: FinanceParams,
                   gp_core_patients: float) -> pd.DataFrame:
    """The LCO's account of a year's cost lines: each line flagged ``in_budget``, plus the GP core.

    GP appointments (:data:`~simulation.finance.costs.GP_CORE_ITEMS`) are paid by each practice's
    own core contract, per head and not per appointment, so they are not in the LCO's account; the
    ``gp_core`` line is the core contracts of the practices in scope, ``gp_core_patients``
    registered patients at ``finance.gp_core_per_head``.

    Example:
        >>> lines = pd.DataFrame([{"item": "gp_appointment", "sector": "primary", "quantity": 10.0,
        ...                        "unit_cost": 45.0, "cost": 450.0}])
        >>> out = lco_cost_lines(lines, FinanceParams(), 0.0)
        >>> out[["item", "in_budget", "cost"]].values.tolist()
        [['gp_appointment', False, 450.0], ['gp_core', True, 0.0]]
    """
    lines = lines.assign(in_budget=~lines["item"].isin(GP_CORE_ITEMS)
                         & lines["sector"].isin(SECTORS))
    price = gp_core_cost(finance, 1.0)
    core = pd.DataFrame([{"item": "gp_core", "sector": "primary", "quantity": gp_core_patients,
                          "unit_cost": price, "cost": gp_core_patients * price,
                          "in_budget": True}])
    return pd.concat([lines, core], ignore_index=True)


def allocate_places(total: float, weights: np.ndarray) -> np.ndarray:
    """Whole places summing to ``round(total)``, shared by weight (largest remainder).

    Example:
        >>> allocate_places(3.4, np.array([1.0, 1.0, 2.0])).tolist()
        [1, 1, 1]
    """
    n = int(round(max(total, 0.0)))
    w = np.asarray(weights, float)
    w = w / w.sum() if w.sum() > 0 else np.full(len(w), 1 / len(w))
    share = w * n
    out = np.floor(share).astype(int)
    for i in np.argsort(-(share - out), kind="stable")[: n - out.sum()]:
        out[i] += 1
    return out


class Ledger(Part):
    """The LCO's money, settled once a model year (an observer part named ``finance``)."""

    name = "finance"
    metrics = (*CAPACITY_METRICS, *FINANCE_METRICS)

    @classmethod
    def finance_columns(cls) -> tuple[str, ...]:
        """Columns of :meth:`yearly` kept with an experiment's ``finance`` dimension."""
        return tuple(m.name for m in FINANCE_METRICS)

    def setup(self, model) -> None:
        """Read the scenario's finance parameters and the model's costed items."""
        super().setup(model)
        self.finance: FinanceParams = model.scenario.finance
        self.prices = unit_costs(self.finance)
        self.intensity = integration_intensity(model.scenario)
        self.contracts = model.scenario.integration.contracts
        self.items = cost_items(model.parts)
        self.reference_beds0: float | None = None
        self.pots: dict[int, float] = {}
        self.rows: list[dict] = []
        self.lines: list[pd.DataFrame] = []
        self.staff_rows: list[dict] = []

    def record(self, day: int, today: dict[str, float]) -> None:
        """Funded capacity today (what block contracts pay for, used or not)."""
        services = self.model.services
        today["home_support_capacity"] = services.total_capacity("home_support")
        today["community_bed_capacity"] = services.total_capacity("community_beds")
        today["reinvested_places"] = services.extra_places("home_support")
        today["gp_core_patients"] = (
            sum(p.list_size for p in self.model.practice_list
                if self.contracts.core_in_budget(p.status))
            if self.contracts.gp_core_scope != "outside" else 0)

    # ----- the year end -----------------------------------------------------------------
    def _year_sums(self, day: int) -> tuple[dict[str, float], float, float, float]:
        mv = self.model.datacollector.model_vars
        start = day + 1 - 365
        sums = {m: float(np.nansum(mv[m][start: day + 1])) for m in mv}
        population = float(np.mean(mv["population"][start: day + 1]))
        beds = float(np.mean(mv["occupied_beds"][start: day + 1]))
        gp_patients = float(np.mean(mv["gp_core_patients"][start: day + 1]))
        return sums, population, beds, gp_patients

    def end_of_year(self, day: int) -> None:
        """Settle model year ``day // 365`` and put any reinvestment due next year in place."""
        fp, year = self.finance, day // 365
        sums, population, beds, gp_patients = self._year_sums(day)
        qty = quantities(sums, self.model.scenario, self.items)
        lines = lco_cost_lines(cost_lines(qty, fp, self.items), fp, gp_patients)
        lines.insert(0, "year", year)
        self.lines.append(lines)
        in_budget = lines[lines["in_budget"]]
        by_sector = in_budget.groupby("sector")["cost"].sum()
        gp_core = float(lines.loc[lines["item"] == "gp_core", "cost"].sum())
        inv = investment(fp, self.intensity, population, year)
        if self.reference_beds0 is None:
            self.reference_beds0 = beds
        reference = self.reference_beds0 * (1 + fp.reference_growth_per_year) ** year
        freed = reference - beds
        wards = wards_closable(freed, fp, self.model.scenario.run.scale)
        bed_day = self.prices["ward_bed_day"]
        cash = wards * fp.ward_size * self.model.scenario.run.scale * 365 * bed_day
        capacity_value = max(0.0, freed) * 365 * bed_day - cash
        pot = fp.reinvestment_share * cash
        self.pots[year + fp.reinvestment_lag_years] = pot
        row = {"year": year, "population": population,
               "budget": budget(fp, population, year) + gp_core,
               "gp_core_patients": gp_patients, "gp_core": gp_core}
        row.update({f"spend_{sector_column(s)}": float(by_sector.get(s, 0.0)) for s in SECTORS})
        # Self-funders' fees and hospices' charitable funds are reported beside the public
        # sectors but never in spend or the appraisal.
        private = lines.groupby("sector")["cost"].sum()
        row.update({f"spend_{sector_column(s)}": float(private.get(s, 0.0))
                    for s in PRIVATE_SECTORS})
        row["spend_activity"] = float(in_budget["cost"].sum())
        row.update(inv)
        row["spend_total"] = row["spend_activity"] + inv["transformation"] + inv["double_running"]
        row["gap"] = row["spend_total"] - row["budget"]
        row.update({"occupied_beds": beds, "reference_beds": reference, "beds_freed": freed,
                    "wards_closable": wards, "cash_releasing_savings": cash,
                    "capacity_freed_value": capacity_value, "reinvestment_pot": pot,
                    "reinvested_places": self.model.services.extra_places("home_support")})
        row.update(share_savings(cash, fp, gp_core, row["budget"]))
        self.rows.append(row)
        self._settle_workforce(day, year)
        self._reinvest(year + 1)

    def _settle_workforce(self, day: int, year: int) -> None:
        """The year's pay bill of staff in post and of posts funded, by role.

        Reported beside spend, not added to it (:mod:`simulation.finance.workforce_costs`).
        """
        try:
            workforce = self.model.part("workforce")
        except KeyError:
            return
        self.staff_rows += workforce_cost_rows(year, workforce.year_means(day),
                                               workforce.params, self.finance)

    def _reinvest(self, year: int) -> None:
        """Set the extra home-support places that ``year``'s reinvestment pot pays for."""
        pot = self.pots.get(year, 0.0)
        places = pot / (self.prices["home_support_place_day"] * 365)
        services = self.model.services
        extra = allocate_places(places, services.base_places("home_support"))
        services.set_extra_places("home_support", extra)

    # ----- outputs ----------------------------------------------------------------------
    def yearly(self) -> pd.DataFrame:
        """One row per settled year: budget, spend by sector, gap, savings and reinvestment."""
        return pd.DataFrame(self.rows)

    def workforce_costs(self) -> pd.DataFrame:
        """One row per settled year and role: WTE in post and funded, and their pay bills.

        ``funded_not_in_post`` is the pay of posts funded but not filled (vacancies, including
        the LCO's extra posts not yet recruited): money planned for capacity never delivered.
        """
        return pd.DataFrame(self.staff_rows, columns=list(WORKFORCE_COLUMNS))

    def cost_lines(self) -> pd.DataFrame:
        """One row per year and costed item: quantity, unit cost, cost and ``in_budget``.

        ``in_budget`` says whether the line is in the LCO's account: GP appointments are not, the
        GP core of the practices in scope is.
        """
        return pd.concat(self.lines, ignore_index=True) if self.lines else pd.DataFrame()
