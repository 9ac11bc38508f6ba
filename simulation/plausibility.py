"""Plausibility guards: a finished run that cannot be right says so, loudly.

A planner who describes a new area with too few beds, or a scale at which a site no longer
behaves like a hospital, gets results that look like any others. These checks read a run's tidy
results (:meth:`simulation.model.LCOModel.results`) and return one plain sentence per problem:

* **out of area**: more than ``out_of_area_limit`` of emergency admissions found no bed at the
  area's sites (ASSUMPTION: 3%, "a few per cent"; in a well-described area almost every emergency
  admission is to the local trust);
* **over capacity**: a site's mean occupancy of its base beds over the run above
  ``occupancy_limit`` (100%: escalation beds open all the time; England's general and acute
  occupancy ran at 85-95% in winter, [hsj-winter-beds-2017] [nationalworld-bed-occupancy-2023]);
* **far from the calibration**: emergency admissions per 1,000 a year in the first year more than
  ``far_factor`` times outside the calibration target's own band
  (:data:`simulation.calibration.TARGETS`, 95-108 per 1,000).

``lco-sim run`` prints them, the run's manifest keeps them (``warnings``), each sweep run records
them, and the evidence pack shows them; ``lco-sim run --strict`` exits with status 2 if any.

Example:
    >>> import pandas as pd
    >>> day = pd.DataFrame({"day": [0, 0, 0], "dimension": ["all"] * 3, "group": ["all"] * 3,
    ...                     "metric": ["emergency_admissions", "out_of_area_admissions",
    ...                                "population"], "value": [100.0, 40.0, 300000.0]})
    >>> plausibility_warnings(day)[0][:60]
    'out of area: 40.0% of emergency admissions found no bed at t'
"""

from __future__ import annotations

import pandas as pd

OUT_OF_AREA_LIMIT = 0.03
"""ASSUMPTION (range 0.01-0.10): share of admissions out of area above which a run is
implausible."""

OCCUPANCY_LIMIT = 1.0
"""Mean occupancy of base beds above which a site is over capacity for the whole run."""

FAR_FACTOR = 1.5
"""ASSUMPTION (range 1.2-2): how far outside a calibration band counts as far."""


def _admissions_band() -> tuple[float, float]:
    from simulation.calibration import TARGETS

    target = next(t for t in TARGETS if t.key == "admissions_per_1000")
    return target.low, target.high


def plausibility_warnings(results: pd.DataFrame, *, out_of_area_limit: float = OUT_OF_AREA_LIMIT,
                          occupancy_limit: float = OCCUPANCY_LIMIT,
                          far_factor: float = FAR_FACTOR) -> list[str]:
    """One sentence per implausible feature of a run's results (empty if none)."""
    warnings: list[str] = []
    whole = results[results["dimension"] == "all"]
    totals = whole.groupby("metric", observed=True)["value"].sum()
    admissions = float(totals.get("emergency_admissions", 0.0))
    away = float(totals.get("out_of_area_admissions", 0.0))
    if admissions > 0 and away / admissions > out_of_area_limit:
        warnings.append(
            f"out of area: {away / admissions:.1%} of emergency admissions found no bed at the "
            f"area's sites (limit {out_of_area_limit:.0%}); the sites' beds are too few for this "
            "population or scale")
    sites = results[(results["dimension"] == "hospital") & (results["metric"] == "occupancy")]
    if len(sites):
        mean = sites.groupby("group", observed=True)["value"].mean()
        for site, occ in mean.items():
            if occ > occupancy_limit:
                warnings.append(f"over capacity: {site} ran at {occ:.0%} of its base beds on "
                                f"average (limit {occupancy_limit:.0%})")
    first = whole[whole["day"] < 365]
    if len(first) and "population" in set(first["metric"]):
        days = first["day"].nunique()
        pop = first.loc[first["metric"] == "population", "value"].mean()
        per_1000 = (first.loc[first["metric"] == "emergency_admissions", "value"].sum()
                    / pop * 1000 * 365 / days) if pop else 0.0
        low, high = _admissions_band()
        if per_1000 < low / far_factor or per_1000 > high * far_factor:
            warnings.append(
                f"far from the calibration: {per_1000:.0f} emergency admissions per 1,000 a year "
                f"against a target of {low:g}-{high:g}; check the area's population and rates")
    return warnings
