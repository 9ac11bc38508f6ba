"""The structure a run builds from its area: neighbourhoods, practice counts, sites and beds.

The rules for what ``run.scale`` does to an area's structure live here (docs/model.md, "Scale and
structure"):

* ``run.structure = "scaled"`` (the default): GP practices are capacity units that shrink with the
  population, at least one per neighbourhood, so a practice's list keeps its real size; every
  site's beds are multiplied by the scale. Dudley at scale 0.05 has 10 practices (one in each of
  its 10 neighbourhoods), not 45.
* ``run.structure = "kept"``: every practice, neighbourhood and site of the area is kept at any
  scale; lists shrink instead. Beds shrink with the scale but not below ``run.min_site_beds``.

In both, a site left with fewer than ``run.min_site_beds`` beds is reported in the layout's
``notes`` (under "kept" it is raised to that floor, so the area has more beds per head than it
really has; under "scaled" it is left as it is, so its occupancy is lumpy).

Example:
    >>> from simulation.scenario import Scenario
    >>> s = Scenario.preset("none", area="dudley", scale=0.05)
    >>> int(practice_counts(s).sum()), int(practice_counts(
    ...     s.with_overrides({"run.structure": "kept"})).sum())
    (10, 45)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulation.scenario import HospitalSpec, Scenario


def practice_counts(scenario: Scenario) -> np.ndarray:
    """Practices in each neighbourhood, in proportion to its weight (largest remainder, >= 1).

    The count is ``population.practices`` under structure "kept", and that times the scale (but
    at least one per neighbourhood) under "scaled".
    """
    weights = neighbourhood_weights(scenario)
    total = scenario.population.practices
    if scenario.run.structure == "scaled":
        total = round(total * scenario.run.scale)
    n_p = max(len(weights), total)
    share = weights / weights.sum() * n_p
    count = np.maximum(1, np.floor(share).astype(int))
    while count.sum() < n_p:  # largest remainder
        count[np.argmax(share - count)] += 1
    while count.sum() > n_p:
        count[np.argmax(count - share)] -= 1
    return count


def neighbourhood_weights(scenario: Scenario) -> np.ndarray:
    """Relative registered population of each neighbourhood."""
    return np.asarray([h.weight for h in scenario.population.neighbourhoods], float)


def locality_index(scenario: Scenario) -> np.ndarray:
    """Index into ``population.localities`` of each neighbourhood's locality."""
    names = scenario.population.localities
    return np.array([names.index(h.locality) for h in scenario.population.neighbourhoods], np.int64)


@dataclass
class SiteLayout:
    """The sites at run scale: specs whose beds are final (build hospitals with scale 1)."""

    specs: list[HospitalSpec]
    notes: list[str] = field(default_factory=list)


def sites_at_scale(scenario: Scenario) -> SiteLayout:
    """Each site with its beds and escalation beds at run scale, with the floor rule applied."""
    run = scenario.run
    specs, notes = [], []
    for spec in scenario.hospitals.sites:
        beds = int(round(spec.beds * run.scale))
        escalation = int(round(spec.escalation_beds * run.scale))
        if beds < run.min_site_beds and spec.beds >= run.min_site_beds:
            if run.structure == "kept":
                notes.append(f"{spec.name}: {beds} beds at scale {run.scale:g} raised to the floor "
                             f"of {run.min_site_beds} (run.min_site_beds); this area now has more "
                             "beds per head than it has")
                beds = run.min_site_beds
            else:
                notes.append(f"{spec.name}: only {beds} beds at scale {run.scale:g}, too few to "
                             f"behave like a hospital (below run.min_site_beds = "
                             f"{run.min_site_beds}); use a larger scale or run.structure = 'kept'")
        specs.append(spec.model_copy(update={"beds": beds, "escalation_beds": escalation}))
    return SiteLayout(specs, notes)


def home_sites(scenario: Scenario) -> np.ndarray:
    """Index of the site each neighbourhood's patients use first.

    A neighbourhood that names a ``home_site`` uses it; otherwise its locality's: the locality's
    first site, or for a locality with none the site named in ``hospitals.home_site_of_locality``,
    else the area's first site.
    """
    sites = scenario.hospitals.sites
    home: dict[str, int] = {}
    for i, spec in enumerate(sites):
        home.setdefault(spec.locality, i)
    index = {spec.name: i for i, spec in enumerate(sites)}
    for loc, name in scenario.hospitals.home_site_of_locality.items():
        home.setdefault(loc, index[name])
    return np.array([index[h.home_site] if h.home_site else home.get(h.locality, 0)
                     for h in scenario.population.neighbourhoods], np.int64)
