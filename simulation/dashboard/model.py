"""The model behind the dashboard: a policy run and its do-nothing twin, stepped together.

:class:`DashboardModel` is a small Mesa model holding two :class:`~simulation.model.LCOModel` runs:
:attr:`~DashboardModel.policy`, built from the handful of settings a planner changes in the
dashboard's side panel, and :attr:`~DashboardModel.baseline`, the same area's *do-nothing*
scenario (integration level ``none``, today's community capacity) at the same scale and seed. Both
advance in lockstep, so every chart can set the policy against what would have happened without
it, with common random numbers taking seed noise out of the difference.

One dashboard step is :attr:`days_per_step` simulated days (a week by default), which is the
unit the charts use.

Example:
    >>> m = DashboardModel(level="full", scale=0.005, years=1, seed=2)
    >>> m.step()
    >>> m.policy.day, m.baseline.day
    (7, 7)
    >>> sorted(m.weekly().columns)[:3]
    ['ae_attendances', 'arm', 'bed_capacity']
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd

from simulation.model import LCOModel
from simulation.scenario import PRACTICE_STATUS, Scenario

SETTINGS = {
    "crisis_response_per_100k_day": "community.crisis_response_per_100k_day",
    "home_support_places_per_100k": "community.home_support_places_per_100k",
    "community_beds_per_100k": "community.community_beds_per_100k",
    "community_uplift": "integration.community_uplift",
    "case_management_coverage": "integration.case_management.coverage",
    "crisis_referral_share": "integration.crisis_response.referral_share",
}
"""Dashboard setting -> scenario parameter it overrides (policy arm only)."""

SERIES = ("emergency_admissions", "ae_attendances", "delayed_discharge_bed_days",
          "occupied_beds", "bed_capacity", "crisis_responses")
"""Daily model-level series the dashboard charts (names from ``simulation.model.MODEL_METRICS``)."""

POLICY, DO_NOTHING = "policy", "do nothing"


def _daily(model: LCOModel, key: str) -> np.ndarray:
    """The recorded daily values of one model-level series (day 0 onwards)."""
    values = model.datacollector.model_vars[key]
    return np.asarray(values[len(values) - model.day:] if model.day else [], float)


class DashboardModel(mesa.Model):
    """The policy arm and the do-nothing arm on the same seed, stepped together.

    Args:
        area: the area (name or file; the default area if ``None``).
        level: integration level the LCO offers practices (none, virtual, partial, full).
        crisis_response_per_100k_day: 2-hour crisis response capacity.
        home_support_places_per_100k: reablement / home-support places.
        community_beds_per_100k: intermediate-care beds.
        community_uplift: extra community capacity the LCO buys as integration ramps up.
        case_management_coverage: share of high-risk patients offered case management.
        crisis_referral_share: share of eligible deteriorations referred to crisis response.
        scale: population scale (1.0 = the area's whole registered population).
        years: horizon; the run stops there.
        seed: root seed shared by both arms.
        days_per_step: simulated days per dashboard step.
    """

    def __init__(self, *, area: str | None = None, level: str = "full",
                 crisis_response_per_100k_day: float | None = None,
                 home_support_places_per_100k: float | None = None,
                 community_beds_per_100k: float | None = None,
                 community_uplift: float | None = None,
                 case_management_coverage: float | None = None,
                 crisis_referral_share: float | None = None,
                 scale: float = 0.1, years: int = 10, seed: int = 1, days_per_step: int = 7):
        given = {"crisis_response_per_100k_day": crisis_response_per_100k_day,
                 "home_support_places_per_100k": home_support_places_per_100k,
                 "community_beds_per_100k": community_beds_per_100k,
                 "community_uplift": community_uplift,
                 "case_management_coverage": case_management_coverage,
                 "crisis_referral_share": crisis_referral_share}
        overrides = {SETTINGS[k]: float(v) for k, v in given.items() if v is not None}
        run = {"scale": float(scale), "years": int(years)}
        policy = Scenario.preset(level, area=area, **run).with_overrides(overrides)
        super().__init__(seed=int(seed))
        self.policy = LCOModel(policy, seed=int(seed), record_episodes=False)
        self.baseline = LCOModel(Scenario.preset("none", area=area, **run), seed=int(seed),
                                 record_episodes=False)
        self.seed_value = int(seed)
        self.days_per_step = int(days_per_step)
        self.settings = {"area": policy.area, "level": level,
                         **{k: v for k, v in given.items() if v is not None}}
        self.occupancy_by_site: list[list[float]] = []

    def step(self) -> None:
        """Advance both arms by :attr:`days_per_step` days (stopping at the horizon)."""
        for _ in range(self.days_per_step):
            if self.policy.day >= self.policy.horizon_days:
                break
            self.policy.step()
            self.baseline.step()
            self.occupancy_by_site.append([h.occupancy for h in self.policy.hospitals])
        self.running = self.policy.day < self.policy.horizon_days

    # ----- what the charts read -----------------------------------------------------------
    def daily(self) -> pd.DataFrame:
        """Daily :data:`SERIES` of both arms, long by arm (columns day, date, arm, series...)."""
        frames = []
        for arm, model in ((POLICY, self.policy), (DO_NOTHING, self.baseline)):
            data = {k: _daily(model, k) for k in SERIES}
            frame = pd.DataFrame(data)
            frame.insert(0, "arm", arm)
            frame.insert(0, "date", model.dates[: model.day])
            frame.insert(0, "day", np.arange(model.day))
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def weekly(self) -> pd.DataFrame:
        """Weekly totals (admissions, A&E, crisis responses) and means (beds) of both arms."""
        d = self.daily()
        d["week"] = d["day"] // 7
        sums = ["emergency_admissions", "ae_attendances", "crisis_responses"]
        means = ["delayed_discharge_bed_days", "occupied_beds", "bed_capacity"]
        agg = {**dict.fromkeys(sums, "sum"), **dict.fromkeys(means, "mean"), "date": "first"}
        return d.groupby(["arm", "week"], as_index=False).agg(agg)

    def occupancy(self) -> pd.DataFrame:
        """Weekly mean bed occupancy (%) of each hospital in the policy arm."""
        names = [h.name for h in self.policy.hospitals]
        occ = pd.DataFrame(np.asarray(self.occupancy_by_site, float).reshape(-1, len(names)) * 100,
                           columns=names)
        occ["week"] = np.arange(len(occ)) // 7
        occ["date"] = self.policy.dates[: len(occ)]
        weekly = occ.groupby("week").agg({**dict.fromkeys(names, "mean"), "date": "first"})
        return weekly.melt(id_vars="date", var_name="hospital", value_name="occupancy")

    def neighbourhoods(self, last_days: int = 365) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Per neighbourhood: admissions per 1,000 a year in both arms and practices by status.

        Returns ``(rates, practices)``: admissions per 1,000 a year by neighbourhood ("name
        (locality)", as in the results) and arm, and
        the number of practices at each integration status by neighbourhood (policy arm). Rates use
        the last ``last_days`` simulated days (or all of them if fewer).
        """
        rows = []
        names = list(PRACTICE_STATUS)
        for arm, model in ((POLICY, self.policy), (DO_NOTHING, self.baseline)):
            days = min(model.day, last_days)
            counts = model.breakdowns.counts["emergency_admissions"]["neighbourhood"]
            adm = counts[model.day - days: model.day].sum(axis=0) if days else counts[0] * 0
            pop = (model.population_by_group[-1][1]["neighbourhood"]
                   if model.population_by_group else np.ones(model.n_neighbourhoods))
            rate = adm / np.maximum(pop, 1) * 1000 * 365 / max(days, 1)
            for h in range(model.n_neighbourhoods):
                rows.append({"neighbourhood": f"{model.neighbourhood_names[h]} "
                             f"({model.locality_of_neighbourhood[h]})",
                             "arm": arm, "admissions_per_1000": float(rate[h])})
        frame = pd.DataFrame(rows)
        status = [{"neighbourhood": f"{self.policy.neighbourhood_names[p.neighbourhood]} "
                   f"({self.policy.locality_of_neighbourhood[p.neighbourhood]})",
                   "status": names[p.status]} for p in self.policy.practices]
        practices = pd.DataFrame(status).value_counts().rename("practices").reset_index()
        return frame, practices

    def totals(self) -> dict[str, tuple[float, float]]:
        """Cumulative (policy, do nothing) totals since day 0 for the headline numbers."""
        out = {}
        for key in ("emergency_admissions", "ae_attendances", "occupied_beds",
                    "delayed_discharge_bed_days", "crisis_responses"):
            out[key] = (float(_daily(self.policy, key).sum()),
                        float(_daily(self.baseline, key).sum()))
        return out

