"""Enhanced health in care homes: a named GP, weekly multidisciplinary review, a care-home team.

Care-home residents (:mod:`simulation.care_homes`) registered with an integrated practice get the
NHS England *Enhanced Health in Care Homes* model: a named GP and weekly "home round",
multidisciplinary review of every resident, and a care-home support team. The published
evaluations [lloyd-2017] [lloyd-2019] [iau-wakefield-2019] [iau-sutton-2019]:

* Rushcliffe (Principia MCP): A&E attendances -29%, emergency admissions -23%, no change in bed
  nights (IAU, Lloyd, Wolters & Steventon 2017);
* residential homes only: emergency admissions RR 0.60 (0.42-0.86); nursing homes not significant
  [lloyd-2019];
* Wakefield: avoidable admissions -27%, no conclusive change in all emergency admissions; Sutton:
  no strong evidence, a weak signal of more admissions.

So the section 8 target is a fall of 0-40% in residents' emergency admissions. The lever lowers a
covered resident's acute hazard by ``ae_rr`` (fewer deteriorations reach A&E) and raises the
chance that the A&E attendances that remain are admitted, so that admissions fall by
``admission_rr`` overall (the sicker residents still come in). Coverage follows the convention of
every lever: ``ramp(day) x intensity`` of the resident's practice, as a ratio scaled by strength.

Example:
    >>> EnhancedCareHomesLever.name, EnhancedCareHomesLever.Params().admission_rr
    ('enhanced_care_homes', 0.77)
"""

from __future__ import annotations

import numpy as np

from simulation.levers.base import AcuteEpisodes, Lever, LeverParams, scaled_ratio
from simulation.metrics import Metric
from simulation.parameters import param
from simulation.parts import CostItem


class EnhancedCareHomes(LeverParams):
    """Enhanced health in care homes (named GP, MDT review, care-home support team)."""

    admission_rr: float = param(
        0.77, "rate ratio", "Rushcliffe (Principia MCP): "
        "emergency admissions -23% [lloyd-2017]; falls of 0-40% (residential homes RR 0.60 "
        "[lloyd-2019]; Wakefield and Sutton null [iau-wakefield-2019] "
        "[iau-sutton-2019])", "Ratio on a covered resident's emergency "
        "admissions at full strength.", gt=0.0, le=2.0)
    ae_rr: float = param(
        0.71, "rate ratio", "Rushcliffe: A&E attendances -29% [lloyd-2017]; residential "
        "homes RR 0.57 [lloyd-2019]", "Ratio on a covered resident's A&E attendances "
        "(their acute hazard) at full strength.", gt=0.0, le=2.0)


class EnhancedCareHomesLever(Lever):
    """Fewer A&E attendances and admissions of residents of integrated practices."""

    name = "enhanced_care_homes"
    Params = EnhancedCareHomes
    metrics = (Metric("enhanced_care_home_residents", "stock", "people",
                      "Care-home residents covered by enhanced health in care homes (weighted by "
                      "the lever's strength)."),)
    cost_items = (CostItem("enhanced_care_home_resident_year", "community",
                           "resident-years covered by enhanced health in care homes",
                           "enhanced_care_home_residents (resident-days) / 365",
                           lambda m, s: float(m["enhanced_care_home_residents"]) / 365.0),)

    def setup(self, model) -> None:
        """Start with nobody covered."""
        super().setup(model)
        self.covered = 0.0
        via_ae = model.scenario.demand.admissions_via_ae_share
        p = self.params
        # A&E's share of admissions rises by this much so that all admissions fall by
        # admission_rr when attendances (and direct admissions) fall by ae_rr
        self.conversion_rr = max(0.0, (p.admission_rr / p.ae_rr - (1 - via_ae)) / via_ae)

    def _strength(self, day: int, ids: np.ndarray) -> np.ndarray:
        pop = self.model.population
        return self.ramp(day) * self.model.practice_intensity[pop.practice[ids]]

    def monthly(self, day: int) -> None:
        """Residents of integrated practices get the lower acute hazard."""
        pop = self.model.population
        if self.strongest(day) == 0:
            return
        ids = np.flatnonzero(pop.care_home[: pop.n] & pop.alive[: pop.n])
        strength = self._strength(day, ids)
        on = strength > 0
        pop.modifiers.set("acute", self.name, ids[on],
                          scaled_ratio(self.params.ae_rr, strength[on]).astype(np.float32))

    def conversion_ratio(self, day: int, episodes: AcuteEpisodes) -> np.ndarray | None:
        """Covered residents who still reach A&E are admitted a little more often."""
        pop = self.model.population
        if self.strongest(day) == 0:
            return None
        resident = pop.care_home[episodes.ids]
        if not resident.any():
            return None
        strength = np.where(resident, self._strength(day, episodes.ids), 0.0)
        return scaled_ratio(self.conversion_rr, strength)

    def record(self, day: int, today: dict[str, float]) -> None:
        """Residents covered today, weighted by strength (for the cost)."""
        ids = self.model.part("care_homes").residents
        covered = self.strongest(day) > 0 and len(ids)
        today["enhanced_care_home_residents"] = (float(self._strength(day, ids).sum())
                                                 if covered else 0.0)
