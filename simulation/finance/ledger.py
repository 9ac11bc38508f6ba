"""The LCO's ledger: budget, spend by sector, savings that are real, and their reinvestment.

The ledger is attached to the LCO when the model is built and settles each model year at the
LCO's year-end hook. For the year just ended it

1. costs the year's activity (:mod:`simulation.finance.costs`): spend by sector equals the sum of
   quantity x unit cost, line by line;
2. compares spend with the capitated budget (per head, growing in real terms) and adds the
   integration investment that is not activity: one-off transformation and double running;
3. measures **cash-releasing savings** against the contract's reference: the mean occupied beds of
   the first contract year grown at ``reference_growth_per_year`` (CF §8 item 1: bed days grow about
   0.3% a year without integration). Hospital costs are fixed until a whole ward closes, so only
   whole wards of ``ward_size`` beds (scaled with ``run.scale``) below the reference release cash;
   the rest is capacity freed, valued but not cash;
4. reinvests ``reinvestment_share`` of the cash released in extra home-support places for the year
   ``reinvestment_lag_years`` later. The places are real capacity of the neighbourhood teams, so
   they change later discharges and delays in the same run: the feedback loop. With no cash
   released nothing is reinvested.

Across policy arms, :mod:`simulation.finance.appraisal` uses the do-nothing arm with the same seed
as the counterfactual instead of the contract reference.

Example:
    >>> from simulation.scenario import Scenario
    >>> from simulation.model import LCOModel
    >>> m = LCOModel(Scenario.preset("none", scale=0.005, years=1), seed=1)  # attaches a Ledger
    >>> _ = m.run()
    >>> table = m.lco.finance.yearly()
    >>> int(table["year"].iloc[0]), bool(table["spend_activity"].iloc[0] > 0)
    (0, True)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from simulation.finance.costs import FLOW_METRICS, SECTORS, cost_lines, quantities, unit_costs, uprate
from simulation.finance.params import FinanceParams

CAPACITY_REPORTERS = {
    "home_support_capacity": lambda m: sum(t.home_support_places for t in m.teams),
    "community_bed_capacity": lambda m: sum(t.community_beds for t in m.teams),
    "reinvested_places": lambda m: sum(t.extra_home_support_places for t in m.teams),
}
"""Daily series the ledger adds to the model's recorded outputs (funded capacity, reinvestment)."""


def integration_intensity(scenario) -> float:
    """Lever intensity of the scenario's target status (0 for do nothing, 1 for full)."""
    from simulation.scenario import PRACTICE_STATUS

    return float(scenario.integration.status_intensity[PRACTICE_STATUS[scenario.integration.level]])


def budget(finance: FinanceParams, population: float, year: int) -> float:
    """The capitated budget of model year ``year`` (0-based) in price-year prices."""
    b = finance.budget_per_head
    per_head = uprate(b.value, b.cost_year, finance.price_year, finance.inflation_per_year)
    return per_head * population * (1 + finance.budget_real_growth_per_year) ** year


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
        tr = (uprate(t.value, t.cost_year, finance.price_year, finance.inflation_per_year)
              * population * intensity / finance.transformation_years)
    dr = 0.0
    if year < finance.double_running_years:
        dr = uprate(d.value, d.cost_year, finance.price_year, finance.inflation_per_year) \
            * population * intensity
    return {"transformation": tr, "double_running": dr}


def wards_closable(beds_freed: float, finance: FinanceParams, scale: float) -> int:
    """Whole wards that ``beds_freed`` (mean occupied beds below the counterfactual) could close."""
    ward = finance.ward_size * scale
    return int(math.floor(max(0.0, beds_freed) / ward + 1e-9))


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


class Ledger:
    """The LCO's money, settled once a model year; attach as ``model.lco.finance = Ledger(model)``."""

    def __init__(self, model):
        self.model = model
        self.finance: FinanceParams = model.scenario.finance
        self.prices = unit_costs(self.finance)
        self.intensity = integration_intensity(model.scenario)
        self.reference_beds0: float | None = None
        self.pots: dict[int, float] = {}
        self.rows: list[dict] = []
        self.lines: list[pd.DataFrame] = []
        dc = model.datacollector
        recorded = len(next(iter(dc.model_vars.values()), []))
        for name, reporter in CAPACITY_REPORTERS.items():
            # Mesa 3.3 has no public call to add a reporter after construction
            dc._new_model_reporter(name, reporter)
            dc.model_vars[name].extend([np.nan] * recorded)

    # ----- the year end -----------------------------------------------------------------
    def _year_sums(self, day: int) -> tuple[dict[str, float], float, float]:
        mv = self.model.datacollector.model_vars
        start = day + 1 - 365
        sums = {m: float(np.nansum(mv[m][start: day + 1])) for m in FLOW_METRICS}
        population = float(np.mean(mv["population"][start: day + 1]))
        beds = float(np.mean(mv["occupied_beds"][start: day + 1]))
        return sums, population, beds

    def end_of_year(self, day: int) -> None:
        """Settle model year ``day // 365`` and put any reinvestment due next year in place."""
        fp, year = self.finance, day // 365
        sums, population, beds = self._year_sums(day)
        qty = quantities(sums, self.model.scenario.community.case_management_contacts_per_week)
        lines = cost_lines(qty, fp)
        lines.insert(0, "year", year)
        self.lines.append(lines)
        by_sector = lines.groupby("sector")["cost"].sum()
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
        row = {"year": year, "population": population, "budget": budget(fp, population, year)}
        row.update({f"spend_{s.replace(' ', '_')}": float(by_sector.get(s, 0.0)) for s in SECTORS})
        row["spend_activity"] = float(lines["cost"].sum())
        row.update(inv)
        row["spend_total"] = row["spend_activity"] + inv["transformation"] + inv["double_running"]
        row["gap"] = row["spend_total"] - row["budget"]
        row.update({"occupied_beds": beds, "reference_beds": reference, "beds_freed": freed,
                    "wards_closable": wards, "cash_releasing_savings": cash,
                    "capacity_freed_value": capacity_value, "reinvestment_pot": pot,
                    "reinvested_places": sum(t.extra_home_support_places for t in self.model.teams)})
        self.rows.append(row)
        self._reinvest(year + 1)

    def _reinvest(self, year: int) -> None:
        """Set the extra home-support places that ``year``'s reinvestment pot pays for."""
        pot = self.pots.get(year, 0.0)
        places = pot / (self.prices["home_support_place_day"] * 365)
        teams = self.model.teams
        extra = allocate_places(places, np.array([t.base_home_support_places for t in teams]))
        for team, k in zip(teams, extra):
            team.extra_home_support_places = float(k)

    # ----- outputs ----------------------------------------------------------------------
    def yearly(self) -> pd.DataFrame:
        """One row per settled year: budget, spend by sector, gap, savings and reinvestment."""
        return pd.DataFrame(self.rows)

    def cost_lines(self) -> pd.DataFrame:
        """One row per year and costed item: quantity, unit cost and cost."""
        return pd.concat(self.lines, ignore_index=True) if self.lines else pd.DataFrame()
