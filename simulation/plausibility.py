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

Scale checks read the scenario alone (:func:`scale_warnings`): the parts of the area that are too
small at ``run.scale`` to behave like the real ones, so that per-head results at this scale are
not those of the real area:

* **sites**: a hospital site with fewer than ``run.min_site_beds`` beds (its occupancy moves by
  10 points or more with each patient, so escalation and overflow are not a hospital's);
* **place and caseload services**: capacity pools holding less than ``run.min_pool_share`` of
  one real team's capacity (:func:`simulation.services.pool_layout` pools neighbourhoods to be
  as close to one team as whole neighbourhoods allow, which below about ``1 / n_neighbourhoods``
  of scale is less than a team), and for places services pools further than
  ``run.pool_size_tolerance`` from one team, because waiting for a place depends on the size of
  the pool that holds it;
* **daily services**: capacity given over periods longer than ``run.max_pool_period_days``.

:func:`run_warnings` gives both kinds. ``lco-sim run`` prints them, the run's manifest keeps them
(``warnings``), each sweep run records them, and the evidence pack shows them; ``lco-sim run
--strict`` exits with status 2 if any. :func:`trust_table` gives the smallest trustworthy scale
of each service and of the sites (docs/model.md, "Scale and structure").

Example:
    >>> import pandas as pd
    >>> day = pd.DataFrame({"day": [0, 0, 0], "dimension": ["all"] * 3, "group": ["all"] * 3,
    ...                     "metric": ["emergency_admissions", "out_of_area_admissions",
    ...                                "population"], "value": [100.0, 40.0, 300000.0]})
    >>> plausibility_warnings(day)[0][:60]
    'out of area: 40.0% of emergency admissions found no bed at t'
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
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


# ----- scale ------------------------------------------------------------------------------------
def _scale_grid() -> list[float]:
    """Scales with two significant digits from 0.0001 to 1, ascending."""
    return sorted({round(m * 10.0**e, 6) for e in range(-4, 0) for m in np.arange(1.0, 10.0, 0.1)}
                  | {1.0})


def pool_sizes(n_neighbourhoods: int, scale: float, kind: str) -> tuple[float, float, float]:
    """The smallest and largest pool of a service of ``kind`` at ``scale``, and its period.

    Returns ``(smallest, largest, period_days)``: pool capacities in real teams (the real
    team-days of demand each pool sees a day, :func:`simulation.services.pool_layout`), and for a
    daily service the longest period over which it gives its capacity (1 day for the others).
    """
    from simulation.services import pool_layout

    _, team_days = pool_layout(n_neighbourhoods, scale, kind)
    smallest, largest = min(team_days), max(team_days)
    period = max(1.0, 1.0 / smallest) if kind == "daily" else 1.0
    return smallest, largest, period


def pool_checks(n_neighbourhoods: int, scale: float, kind: str, run) -> dict[str, bool]:
    """Which of a service's results behave like the real service's at ``scale``.

    ``use``: the capacity it gives per head (places used, responses, caseload); ``waits``: the
    waiting for it (places services only). The rules use ``run.min_pool_share``,
    ``run.pool_size_tolerance`` and ``run.max_pool_period_days``.
    """
    eps = 1e-9
    smallest, largest, period = pool_sizes(n_neighbourhoods, scale, kind)
    if kind == "daily":
        return {"use": period <= run.max_pool_period_days + eps}
    checks = {"use": smallest >= run.min_pool_share - eps}
    if kind == "places":
        tol = run.pool_size_tolerance
        checks["waits"] = smallest >= 1 / tol - eps and largest <= tol + eps
    return checks


def smallest_trustworthy_scale(ok, floor: float = 0.0) -> float:
    """The smallest two-digit scale from which ``ok(scale)`` holds at every larger scale to 1."""
    smallest = 1.0
    for s in reversed(_scale_grid()):
        if not ok(s):
            break
        smallest = s
    return max(smallest, floor)


def trustworthy_scales(ok, floor: float = 0.0) -> str:
    """The ranges of two-digit scales up to 1 at which ``ok(scale)`` holds, as text."""
    runs: list[list[float]] = []
    previous = False
    for s in _scale_grid():
        if s < floor:
            continue
        good = ok(s)
        if good and previous:
            runs[-1][1] = s
        elif good:
            runs.append([s, s])
        previous = good
    return ", ".join(f"{lo:g}-{hi:g}" if hi > lo else f"{lo:g}" for lo, hi in runs) or "none"


def _services(services):
    if services is None:
        from simulation.model import SERVICES

        return SERVICES
    return services


def trust_table(scenario, services: Sequence | None = None) -> pd.DataFrame:
    """Each service and the sites: capacity per head and per real unit, trustworthy scales.

    ``real_size`` is the capacity of one real (full-scale) team of the service (its places, or
    responses a day), or for the sites the beds of the smallest site. ``use_from`` is the
    smallest scale from which the capacity a service gives per head is the area's at every
    larger scale; ``waits_at`` (places services) the scales at which waiting for it is the
    area's too. Both are at least the scenario's smallest meaningful scale.

    Example:
        >>> from simulation.scenario import Scenario
        >>> t = trust_table(Scenario.preset("none")).set_index("service")
        >>> float(t.loc["home_support", "use_from"]), float(t.loc["crisis_response", "use_from"])
        (0.042, 0.012)
    """
    run, pop = scenario.run, scenario.population
    n = len(pop.neighbourhoods)
    meaningful = scenario.smallest_scale()
    rows = []
    for spec in _services(services):
        per_100k = float(spec.per_100k(scenario))
        if per_100k <= 0:
            continue
        kind = spec.kind

        def check(s, what, kind=kind):
            return pool_checks(n, s, kind, run)[what]

        rows.append({
            "service": spec.name, "label": spec.label or spec.name, "kind": kind,
            "per_100k": per_100k, "real_size": per_100k * pop.registered_patients / n / 1e5,
            "use_from": smallest_trustworthy_scale(lambda s, c=check: c(s, "use"), meaningful),
            "waits_at": (trustworthy_scales(lambda s, c=check: c(s, "waits"), meaningful)
                         if kind == "places" else "")})
    beds = [site.beds for site in scenario.hospitals.sites if site.beds >= run.min_site_beds]
    if beds:
        def big_enough(s):
            return all(round(b * s) >= run.min_site_beds for b in beds)

        rows.append({"service": "hospital_beds", "label": "acute beds (smallest site)",
                     "kind": "site", "per_100k": sum(site.beds for site in scenario.hospitals.sites)
                     / pop.registered_patients * 1e5, "real_size": float(min(beds)),
                     "use_from": smallest_trustworthy_scale(big_enough, meaningful),
                     "waits_at": ""})
    return pd.DataFrame(rows)


def scale_warnings(scenario, services: Sequence | None = None) -> list[str]:
    """One sentence per part of the area too small at ``run.scale`` to behave like the real one.

    Example:
        >>> from simulation.scenario import Scenario
        >>> scale_warnings(Scenario.preset("none", scale=0.02))[0][:62]
        'too small: North Manchester General: only 9 beds at scale 0.02'
    """
    from simulation.areas.layout import sites_at_scale

    run = scenario.run
    n = len(scenario.population.neighbourhoods)
    found = [f"too small: {note}" for note in sites_at_scale(scenario).notes]
    table = None
    for spec in _services(services):
        if spec.per_100k(scenario) <= 0:
            continue
        checks = pool_checks(n, run.scale, spec.kind, run)
        if all(checks.values()):
            continue
        if table is None:
            table = trust_table(scenario, services).set_index("service")
        row = table.loc[spec.name]
        smallest, largest, period = pool_sizes(n, run.scale, spec.kind)
        label, at = spec.label or spec.name, f"at scale {run.scale:g}"
        if spec.kind == "daily":
            found.append(
                f"too small: {label} is given over periods of up to {math.ceil(period)} days {at} "
                f"(run.max_pool_period_days = {run.max_pool_period_days:g}); its totals are "
                f"right, its daily and weekly series are not (they are from scale "
                f"{row.use_from:g})")
        elif not checks["use"]:
            waits = ", and waits for it are longer" if spec.kind == "places" else ""
            found.append(
                f"too small: {label} pools hold {smallest:.2f} of a real team's capacity {at} "
                f"(run.min_pool_share = {run.min_pool_share:g}), so what it gives per head is "
                f"not the area's{waits} (the area's from scale {row.use_from:g})")
        else:
            size = f"{smallest:.2f}" if smallest == largest else f"{smallest:.2f}-{largest:.2f}"
            found.append(
                f"pool size: waits for {label} come from pools of {size} real teams {at} "
                f"(run.pool_size_tolerance = {run.pool_size_tolerance:g}); delayed discharges "
                f"per head are not the area's, since waits depend on the size of the pool "
                f"(the area's at scales {row.waits_at})")
    return found


def run_warnings(results: pd.DataFrame, scenario, services: Sequence | None = None) -> list[str]:
    """Every warning of a finished run: the scale checks, then the checks of its results."""
    return [*scale_warnings(scenario, services), *plausibility_warnings(results)]
