"""Social prescribing of frequent attenders through voluntary groups.

Each month, frequent attenders (at least ``primary_care.frequent_attender_threshold`` GP
appointments last year) of integrated practices are referred with a probability that scales with
the lever's strength; referral is lasting. A referred patient needs the GP less and has fewer acute
episodes ([polley-2017]).

Example:
    >>> SocialPrescribingLever.name, SocialPrescribingLever.Params().gp_rr
    ('social_prescribing', 0.72)
"""

from __future__ import annotations

import numpy as np

from simulation.levers.base import Lever, LeverParams, ramp
from simulation.metrics import Metric
from simulation.parameters import param
from simulation.parts import CostItem
from simulation.random_streams import Process


class SocialPrescribing(LeverParams):
    """Social prescribing of frequent attenders through voluntary groups."""

    coverage: float = param(0.3, "share of frequent attenders", "ASSUMPTION",
                            "Share of frequent attenders referred at full strength.",
                            ge=0.0, le=1.0)
    gp_rr: float = param(0.72, "rate ratio", "Social prescribing review: GP demand "
                         "-28% [polley-2017]", "GP need ratio for a referred patient.",
                         gt=0.0, le=2.0)
    acute_rr: float = param(0.76, "rate ratio", "A&E -24% [polley-2017]",
                            "Acute hazard ratio for a referred patient.", gt=0.0, le=2.0)


class SocialPrescribingLever(Lever):
    """Referral of frequent attenders to social prescribing."""

    name = "social_prescribing"
    Params = SocialPrescribing
    stream = Process.SOCIAL_PRESCRIBING
    metrics = (Metric("social_prescribed", "stock", "patients",
                      "Patients ever referred to social prescribing (a stock).",
                      label="Patients referred to social prescribing"),)
    cost_items = (
        CostItem("social_prescribing_person_year", "community",
                 "person-years referred to social prescribing",
                 "social_prescribed (person-days) / 365",
                 lambda m, s: float(m["social_prescribed"]) / 365.0),)

    def setup(self, model) -> None:
        """Mark every patient as not referred."""
        super().setup(model)
        model.population.add_state("social_prescribed", bool, False)
        self.referred_now = 0

    def monthly(self, day: int) -> None:
        """Refer frequent attenders; set referred patients' GP and acute ratios."""
        sp, model = self.params, self.model
        pop = model.population
        level = self.strongest(day)
        if level == 0 and not self.referred_now:
            return
        n = pop.n
        alive = pop.alive[:n]
        if level > 0:
            frequent = pop.gp_count_last_year[:n] >= \
                model.scenario.primary_care.frequent_attender_threshold
            ids = np.flatnonzero(alive & ~pop.social_prescribed[:n] & frequent)
            strength = ramp(sp, day) * model.practice_intensity[pop.practice[ids]]
            propensity = self.draw(0, ids)
            pop.social_prescribed[ids[propensity < sp.coverage * strength]] = True
        referred = np.flatnonzero(alive & pop.social_prescribed[:n])
        pop.modifiers.set("gp", self.name, referred, np.float32(sp.gp_rr))
        pop.modifiers.set("acute", self.name, referred, np.float32(sp.acute_rr))
        self.referred_now = len(referred)

    def record(self, day: int, today: dict[str, float]) -> None:
        """Patients referred so far and alive."""
        today["social_prescribed"] = self.referred_now
