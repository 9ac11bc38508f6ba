"""One area split into its localities: a scenario per locality, and the size of the split's cost.

A multi-locality area (Greater Manchester's ten localities) can run as one model or as one model
per locality, in parallel (``partition = "locality"`` in an experiment file). Each locality's
scenario (:func:`partition_by_locality`) keeps:

* its own neighbourhoods (weights unchanged) and deprivation mix;
* the area's registered patients and GP practices times its **population share** (the sum of its
  neighbourhood weights over the area's), rounded by largest remainder so the parts add up to the
  area exactly;
* the hospital sites its neighbourhoods use first (their home sites), each neighbourhood naming
  its site explicitly so that routing is unchanged.

**The simplification.** A site that is the home site of neighbourhoods in several localities
(Wythenshawe for Manchester's south and for Trafford; Royal Oldham for Oldham and Rochdale) has
its beds and escalation beds split between those localities in proportion to the expected demand
of the neighbourhoods using it first. ASSUMPTION: demand in proportion to registered population
(neighbourhood weight), not adjusted for age or deprivation. Each locality's model then sees only
its share of those beds, and no site of another locality: a patient who in the single model
overflows to another locality's site (or who finds a bed in the shared site that "belongs" to the
other locality's share) is, in the partitioned model, placed in another site of their own
partition or cared for out of area. :func:`cross_locality` measures, on a single-model run's
episode log, how many admissions that concerns; ``python -m simulation.areas.partition`` prints
it (docs/model.md gives the figure).

The area is unchanged (``scenario.area``), so every value keeps the source the area file gives it;
the derived values (patients, practices, split beds) carry their derivation in
:attr:`LocalityPart.sources`.

Example:
    >>> from simulation.scenario import Scenario
    >>> gm = Scenario.preset("none", area="greater-manchester")
    >>> parts = partition_by_locality(gm)
    >>> len(parts), parts[8].locality, [s.name for s in parts[8].scenario.hospitals.sites]
    (10, 'Trafford', ['Wythenshawe'])
    >>> sum(p.scenario.population.registered_patients for p in parts) == 2_835_686
    True
    >>> sum(s.beds for p in parts for s in p.scenario.hospitals.sites) == sum(
    ...     s.beds for s in gm.hospitals.sites)
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simulation.areas import layout
from simulation.scenario import Scenario


@dataclass(frozen=True)
class LocalityPart:
    """One locality of a partitioned area.

    Attributes:
        index: the locality's position in ``population.localities`` of the whole area.
        locality: its name (from the area file).
        scenario: the locality's own scenario (same area, policy and run settings).
        population_share: its share of the area's registered population.
        bed_share: for each site it uses, the share of the site's beds it holds.
        sources: how each derived value was obtained, by dotted scenario path.
    """

    index: int
    locality: str
    scenario: Scenario = field(repr=False)
    population_share: float
    bed_share: dict[str, float]
    sources: dict[str, str] = field(repr=False)


def _largest_remainder(total: int, shares: np.ndarray, minimum: int = 0) -> np.ndarray:
    """Integers in proportion to ``shares`` that sum to ``total`` (each at least ``minimum``)."""
    shares = np.asarray(shares, float)
    want = shares / shares.sum() * total if shares.sum() > 0 else np.zeros(len(shares))
    out = np.maximum(minimum, np.floor(want).astype(np.int64))
    while out.sum() < total:
        out[int(np.argmax(want - out))] += 1
    while out.sum() > total:  # only when the minimum pushed it over
        spare = np.where(out > minimum, out - want, -np.inf)
        out[int(np.argmax(spare))] -= 1
    return out


def site_demand_shares(scenario: Scenario) -> np.ndarray:
    """Share of each site's expected demand from each locality (sites x localities).

    The demand of a site is the weight of the neighbourhoods that use it first; a site that is
    no neighbourhood's home site belongs wholly to its own locality.

    Example:
        >>> from simulation.scenario import Scenario
        >>> s = Scenario.preset("none", area="greater-manchester")
        >>> shares = site_demand_shares(s)
        >>> wythenshawe = [x.name for x in s.hospitals.sites].index("Wythenshawe")
        >>> [round(float(x), 3) for x in shares[wythenshawe] if x > 0]
        [0.437, 0.563]
    """
    names = scenario.population.localities
    sites = scenario.hospitals.sites
    demand = np.zeros((len(sites), len(names)))
    np.add.at(demand, (layout.home_sites(scenario), layout.locality_index(scenario)),
              layout.neighbourhood_weights(scenario))
    for i, site in enumerate(sites):
        if demand[i].sum() == 0:
            demand[i, names.index(site.locality)] = 1.0
    return demand / demand.sum(axis=1, keepdims=True)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def partition_by_locality(scenario: Scenario) -> list[LocalityPart]:
    """One scenario per locality of ``scenario``'s area, in the area's order of localities.

    The parts' registered patients, practices, neighbourhoods and base and escalation beds add up
    to the whole area's exactly (see the module docstring for the rules and the simplification).
    An area of one locality gives one part equal to the whole in everything but its name.
    """
    pop, hosp = scenario.population, scenario.hospitals
    names = pop.localities
    loc_of_hood = layout.locality_index(scenario)
    weights = layout.neighbourhood_weights(scenario)
    home = layout.home_sites(scenario)
    loc_weight = np.bincount(loc_of_hood, weights=weights, minlength=len(names))
    share = loc_weight / loc_weight.sum()
    patients = _largest_remainder(pop.registered_patients, share)
    practices = _largest_remainder(pop.practices, share, minimum=1)
    demand = site_demand_shares(scenario)
    beds = np.array([_largest_remainder(s.beds, demand[i]) for i, s in enumerate(hosp.sites)])
    escalation = np.array([_largest_remainder(s.escalation_beds, demand[i])
                           for i, s in enumerate(hosp.sites)])
    data = scenario.model_dump()
    parts = []
    for k, loc in enumerate(names):
        mine = np.flatnonzero(loc_of_hood == k)
        used = np.flatnonzero(demand[:, k] > 0)
        hoods = [{**data["population"]["neighbourhoods"][h],
                  "home_site": hosp.sites[home[h]].name} for h in mine]
        sites = [{**data["hospitals"]["sites"][i], "locality": loc, "beds": int(beds[i, k]),
                  "escalation_beds": int(escalation[i, k])} for i in used]
        part = {**data, "name": f"{scenario.name}-{_slug(loc)}",
                "population": {**data["population"], "registered_patients": int(patients[k]),
                               "practices": int(practices[k]), "localities": [loc],
                               "neighbourhoods": hoods,
                               "deprivation_by_locality": {loc: pop.deprivation_by_locality[loc]}},
                "hospitals": {**data["hospitals"], "sites": sites, "home_site_of_locality": {}}}
        sources = {
            "population.registered_patients": (
                f"Derived: the area's {pop.registered_patients:,} registered patients x "
                f"{loc}'s population share {share[k]:.4f} (its neighbourhood weights over the "
                "area's), largest remainder"),
            "population.practices": (
                f"Derived: the area's {pop.practices} practices x the same share, largest "
                "remainder, at least 1"),
            **{f"hospitals.sites[{j}]": (
                f"Derived: {demand[i, k]:.3f} of {hosp.sites[i].name}'s {hosp.sites[i].beds} "
                "beds (and escalation beds), its share of the site's expected demand "
                "(ASSUMPTION: the weights of the neighbourhoods using it first)")
               for j, i in enumerate(used)}}
        parts.append(LocalityPart(
            k, loc, Scenario.from_dict(part, origin=f"partition {loc!r}"), float(share[k]),
            {hosp.sites[i].name: float(demand[i, k]) for i in used}, sources))
    return parts


# ----- the size of the simplification --------------------------------------------------------
@dataclass(frozen=True)
class CrossLocality:
    """Where a single model's admissions landed, against their locality (shares of admissions).

    Attributes:
        admissions: emergency admissions in the episode log.
        other_locality_site: at a site of another locality (by the site's ``locality``).
        home_site_elsewhere: of those, at their home site, which lies in another locality
            (represented by a partition: it holds a share of that site's beds).
        overflow_elsewhere: of those, overflow from a full home site to another locality's site.
        outside_partition: at a site their locality's partition does not hold, which a
            partitioned run cannot represent (there they go to another site of their own
            partition or out of area).
        out_of_area: cared for out of area (no modelled bed free).
    """

    admissions: int
    other_locality_site: float
    home_site_elsewhere: float
    overflow_elsewhere: float
    outside_partition: float
    out_of_area: float

    def as_dict(self) -> dict[str, float]:
        """The figures as a plain dict."""
        return dict(self.__dict__)


def cross_locality(episodes: pd.DataFrame, scenario: Scenario) -> CrossLocality:
    """Share of admissions that land in a site of another locality, from a single model's log.

    Args:
        episodes: the episode log of a single-model run of ``scenario``
            (:meth:`simulation.model.LCOModel.episode_log`; ``hospital`` holds site names or
            ``out_of_area``, ``neighbourhood`` the neighbourhood index).
        scenario: the scenario that was run (the whole area).

    Example:
        >>> from simulation.model import LCOModel
        >>> s = Scenario.preset("none", area="greater-manchester", scale=0.005, years=1)
        >>> log = LCOModel(s, seed=1).run(days=30).episode_log()
        >>> c = cross_locality(log, s)
        >>> 0.0 <= c.outside_partition <= c.other_locality_site <= 1.0
        True
    """
    sites = scenario.hospitals.sites
    site_names = [s.name for s in sites]
    site_loc = np.array([scenario.population.localities.index(s.locality) for s in sites])
    hood = episodes["neighbourhood"].to_numpy(np.int64)
    loc = layout.locality_index(scenario)[hood]
    home = layout.home_sites(scenario)[hood]
    codes = pd.Categorical(episodes["hospital"].astype(str), categories=site_names).codes
    site = np.asarray(codes, np.int64)  # -1 = out of area
    modelled = site >= 0
    n = len(episodes)
    if n == 0:
        return CrossLocality(0, 0.0, 0.0, 0.0, 0.0, 0.0)
    held = site_demand_shares(scenario) > 0  # sites x localities a partition holds
    elsewhere = modelled & (site_loc[np.maximum(site, 0)] != loc)
    outside = modelled & ~held[np.maximum(site, 0), loc]
    return CrossLocality(
        admissions=n, other_locality_site=float(elsewhere.mean()),
        home_site_elsewhere=float((elsewhere & (site == home)).mean()),
        overflow_elsewhere=float((elsewhere & (site != home)).mean()),
        outside_partition=float(outside.mean()), out_of_area=float((~modelled).mean()))


def main(argv: list[str] | None = None) -> int:
    """Print the cross-locality shares of a single-model run (``python -m ...partition``)."""
    import argparse

    from simulation.model import LCOModel

    p = argparse.ArgumentParser(description="Share of admissions landing in a site of another "
                                "locality, in a single-model run of a multi-locality area.")
    p.add_argument("--area", default="greater-manchester")
    p.add_argument("--level", default="none")
    p.add_argument("--scale", type=float, default=0.05)
    p.add_argument("--years", type=int, default=2)
    p.add_argument("--seeds", type=int, default=1, help="seeds 1..N, one run each")
    a = p.parse_args(argv)
    scenario = Scenario.preset(a.level, area=a.area, scale=a.scale, years=a.years)
    rows = []
    for seed in range(1, a.seeds + 1):
        log = LCOModel(scenario, seed=seed).run().episode_log()
        rows.append({"seed": seed, **cross_locality(log, scenario).as_dict()})
    table = pd.DataFrame(rows)
    print(f"{a.area}, level {a.level}, scale {a.scale:g}, {a.years} years, seeds 1-{a.seeds}")
    print(table.to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
