"""Calibrate an area's beds: the bed bases that give its sites a target mean occupancy.

The beds an area file gives a site are the share of that site used by the area's own emergency
patients, which no published return states. The Manchester sites were CALIBRATED to winter
occupancy of 91-96% ([hsj-winter-beds-2017] [nationalworld-bed-occupancy-2023]); for another
area, :func:`calibrate_beds` finds
the beds that give each of its sites the same mean occupancy as Manchester's, so that areas are
compared at the same pressure on beds. The Dudley and Greater Manchester beds were found this way
(scale 0.1, 2 years, seed 1), starting from Manchester's beds per head (2.29 per 1,000); to check
them, or to calibrate a new area's, run::

    python -m simulation.areas.calibrate dudley greater-manchester

which starts from the beds in the area file (about 20 s for Dudley, a minute for Greater
Manchester, on one core). One seed and a few iterations leave a few per cent of noise: rerun from
the shipped 896 beds, Dudley's site comes out at 918.

Occupancy is roughly load / beds, so each iteration multiplies a site's beds by
``(occupancy / target) ** damping``; the damping (< 1) allows for congestion, which makes
occupancy respond more than in proportion near full.

Example:
    >>> beds = calibrate_beds("dudley", target=0.9, scale=0.01, years=1, iterations=1)
    >>> list(beds) == ["Russells Hall Hospital"] and beds["Russells Hall Hospital"] > 0
    True
"""

from __future__ import annotations

import argparse

import pandas as pd

from simulation.runner import run_scenario
from simulation.scenario import Scenario


def mean_occupancy(scenario: Scenario, seed: int = 1) -> pd.Series:
    """Mean daily occupancy of each site over a run (base beds, escalation not counted)."""
    r = run_scenario(scenario, seed, record_episodes=False).results
    rows = r[(r["dimension"] == "hospital") & (r["metric"] == "occupancy")]
    return rows.groupby("group", observed=True)["value"].mean()


def calibrate_beds(area: str, target: float | None = None, *, scale: float = 0.1, years: int = 2,
                   seed: int = 1, iterations: int = 3, damping: float = 0.8) -> dict[str, int]:
    """Beds of each of ``area``'s sites (at scale 1) that give mean occupancy ``target``.

    Args:
        area: an area name or file.
        target: the mean occupancy to reach; by default that of the default area's sites in the
            same run settings.
        scale: population scale of the calibration runs.
        years: their length.
        seed: their root seed.
        iterations: fixed-point steps (three reach about a point of occupancy).
        damping: exponent of the occupancy ratio in each step.
    """
    if target is None:
        target = float(mean_occupancy(Scenario.preset("none", scale=scale, years=years),
                                      seed).mean())
    base = Scenario.preset("none", area=area, scale=scale, years=years)
    sites = [site.model_dump() for site in base.hospitals.sites]
    for _ in range(iterations):
        occupancy = mean_occupancy(base.with_overrides({"hospitals.sites": sites}), seed)
        for site in sites:
            site["beds"] = int(round(site["beds"] * (occupancy[site["name"]] / target) ** damping))
            site["escalation_beds"] = int(round(site["beds"] * 0.05))
    return {site["name"]: site["beds"] for site in sites}


def main(argv: list[str] | None = None) -> int:
    """Print calibrated beds for the named areas."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("areas", nargs="+", help="area names or files")
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--years", type=int, default=2)
    args = parser.parse_args(argv)
    for area in args.areas:
        for name, beds in calibrate_beds(area, scale=args.scale, years=args.years).items():
            print(f"{area}: {name} = {beds} beds")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
