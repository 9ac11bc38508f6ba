"""Capacity-limited services: what a neighbourhood team offers, and one interface to use it.

A **service** is declared once (:class:`Service`): its name, how its capacity works and, for
services that take patients out of hospital, the discharge need it meets. Every neighbourhood's
team (:class:`simulation.community.CommunityTeam`, a Mesa agent) holds one pool of each service.
Everything else uses the services through :class:`ServiceDirectory` (``model.services``):

* ``free(name, neighbourhood)``: places (or responses) free now;
* ``place(name, day, neighbourhood, patients)``: occupy places; each patient's length of service is
  drawn from the service's mean, keyed by patient so arms share random numbers;
* ``take(name, neighbourhood, wanted)``: use responses of a daily-capacity service;
* ``start_day(day, uplift)``: release places whose episodes ended and reset daily capacity.

A service that names the roles that staff it (``staff=("community_nurse",)``) has the capacity of
its staff in post: the workforce (:mod:`simulation.workforce`) sets a multiplier on its base each
month (:meth:`ServiceDirectory.set_staffing`), which takes the place of the LCO's uplift.

Three kinds of capacity:

* ``places``: concurrent places held for the length of an episode (home support, community
  beds; later care-home places or social-care packages). Unused places are not lost: they are
  free until someone takes them.
* ``daily``: responses per day (2-hour crisis response); the fractional part of a day's capacity
  carries to the next day.
* ``caseload``: a ceiling on concurrent patients that a lever manages itself (case management).

Hospitals discharge through :meth:`ServiceDirectory.discharge_services`: each service with a
``need`` meets the patients who need it, so a new post-discharge service is a new :class:`Service`
in the directory, not an edit of the hospital.

Example:
    >>> spec = Service("home_support", "places", per_100k=lambda s: 28.0,
    ...                mean_days=lambda s: 34.5, need=1)
    >>> pool = PlacePool(base=1.0, offset=0.0)
    >>> pool.capacity(uplift=0.0), pool.free(0.0)
    (1, 1)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

NEED_NONE = 0
"""Discharge need code of a patient who goes home without support."""

SERVICE_KINDS = ("places", "daily", "caseload")

BASE_DESTINATIONS = ("home", "home_support", "community_bed", "died", "interim_package",
                     "care_home", "home_care_package")
"""Destination codes 0-6 of a discharge (a built-in service's need code is its destination)."""

FIRST_EXTRA_NEED = len(BASE_DESTINATIONS)
"""Need (and destination) code of the first service added beyond the built-in ones."""


@dataclass(frozen=True)
class Service:
    """Declaration of a capacity-limited service offered in every neighbourhood.

    Args:
        name: key used by the directory, the metrics and the finance ledger.
        kind: ``places``, ``daily`` or ``caseload``.
        per_100k: ``scenario -> capacity per 100,000 registered patients`` (before any uplift).
        mean_days: ``scenario -> mean length of an episode`` (``places`` services).
        need: the discharge need code it meets (``places`` services that take hospital patients).
        stream: random-stream key for lengths of service.
        draw: the draw index within that stream (kept from lco-sim 0.1 for built-in services).
        label: plain-English name for reports.
        uplift: whether the LCO's community investment raises its capacity.
        staff: the workforce roles that staff it (:mod:`simulation.workforce`); its capacity then
            follows their staff in post (the scarcest role binds), including the LCO's extra
            posts as they are filled. Empty: capacity is not limited by staff.
    """

    name: str
    kind: str
    per_100k: Callable[[Any], float]
    mean_days: Callable[[Any], float] | None = None
    need: int | None = None
    stream: int | None = None
    draw: int = 0
    label: str = ""
    uplift: bool = True
    staff: tuple[str, ...] = ()

    def __post_init__(self):
        if self.kind not in SERVICE_KINDS:
            raise ValueError(f"service {self.name}: kind must be one of {SERVICE_KINDS}")
        if self.need is not None and (self.kind != "places" or self.need == NEED_NONE):
            raise ValueError(f"service {self.name}: only a places service can meet a need > 0")


class PlacePool:
    """Concurrent places in one neighbourhood; occupants leave on their end day.

    Capacities are fractional at reduced scale (14 beds per 100,000 is 0.35 beds for 2,500
    people). Each team rounds with its own fixed offset (a golden-ratio sequence over the
    neighbourhood index), so across teams the whole places add up to the citywide total instead
    of every team rounding 0.35 down to nothing.
    """

    def __init__(self, base: float, offset: float):
        self.base = base
        self.offset = offset
        self.extra = 0.0  # places bought outside the base, e.g. by reinvested savings
        self.ends = np.empty(0, np.int32)

    def capacity(self, uplift: float) -> int:
        """Whole places today with the LCO's uplift and any extra places."""
        return int(math.floor(self.base * (1 + uplift) + self.extra + self.offset))

    def free(self, uplift: float) -> int:
        """Places free now."""
        return max(0, self.capacity(uplift) - len(self.ends))

    @property
    def occupied(self) -> int:
        """Places in use."""
        return len(self.ends)

    def start(self, end_days: np.ndarray) -> None:
        """Occupy places until ``end_days`` (callers check :meth:`free` first)."""
        self.ends = np.concatenate([self.ends, np.asarray(end_days).astype(np.int32)])

    def release(self, day: int) -> None:
        """Free the places of episodes that ended by ``day``."""
        self.ends = self.ends[self.ends > day]


class DailyPool:
    """Responses per day in one neighbourhood; the fraction of a response carries over."""

    def __init__(self, base: float):
        self.base = base
        self.capacity_today = 0
        self.used_today = 0
        self._carry = 0.0

    def start_day(self, uplift: float) -> None:
        """Set today's whole responses from the base, the uplift and yesterday's fraction."""
        total = self.base * (1 + uplift) + self._carry
        self.capacity_today = math.floor(total)
        self._carry = total - self.capacity_today
        self.used_today = 0

    def take(self, wanted: int) -> int:
        """Use up to ``wanted`` responses today; returns how many were available."""
        got = max(0, min(wanted, self.capacity_today - self.used_today))
        self.used_today += got
        return got


class CaseloadPool:
    """A ceiling on concurrent patients; the lever that uses it keeps its own list."""

    def __init__(self, base: float, offset: float):
        self.base = base
        self.offset = offset

    def capacity(self, uplift: float) -> int:
        """Whole places today with the LCO's uplift."""
        return int(math.floor(self.base * (1 + uplift) + self.offset))


POOLS = {"places": PlacePool, "daily": DailyPool, "caseload": CaseloadPool}


def new_pool(kind: str, base: float, offset: float):
    """An empty pool of ``kind`` with capacity ``base`` (before uplift)."""
    return DailyPool(base) if kind == "daily" else POOLS[kind](base, offset)


class ServiceDirectory:
    """The model's services and every team's pools, behind one interface.

    Args:
        model: the model (for the scenario, the day and the random streams).
        services: the declared services, in the order hospitals try them at discharge.
        teams: one team per neighbourhood, in neighbourhood order.
    """

    def __init__(self, model, services: list[Service], teams: list):
        self.model = model
        self.specs = {s.name: s for s in services}
        self.teams = teams
        self.staffing: dict[str, np.ndarray] = {}
        self._service_uplift: dict[str, np.ndarray] = {}
        needs = [s.need for s in services if s.need is not None]
        if len(set(needs)) != len(needs):
            raise ValueError(f"two services meet the same discharge need: {needs}")
        extra = sorted(n for n in needs if n >= FIRST_EXTRA_NEED)
        if extra != list(range(FIRST_EXTRA_NEED, FIRST_EXTRA_NEED + len(extra))):
            raise ValueError(f"extra services' needs must be {FIRST_EXTRA_NEED}, "
                             f"{FIRST_EXTRA_NEED + 1}, ... in turn; got {extra}")

    # ----- declarations ---------------------------------------------------------------------
    def names(self) -> tuple[str, ...]:
        """Service names in declaration order."""
        return tuple(self.specs)

    def destinations(self) -> tuple[str, ...]:
        """A name for every destination code: the built-in ones, then each extra service's."""
        extra = sorted((s.need, s.name) for s in self.specs.values()
                       if s.need is not None and s.need >= FIRST_EXTRA_NEED)
        return BASE_DESTINATIONS + tuple(name for _, name in extra)

    def discharge_services(self) -> list[Service]:
        """Services that take patients out of hospital, in the order hospitals try them."""
        return [s for s in self.specs.values() if s.need is not None]

    # ----- capacity -------------------------------------------------------------------------
    def pool(self, name: str, neighbourhood: int):
        """The pool of service ``name`` in ``neighbourhood``."""
        return self.teams[neighbourhood].pools[name]

    def _uplift(self, name: str, neighbourhood: int) -> float:
        today = self._service_uplift.get(name)
        if today is not None:
            return float(today[neighbourhood])
        return self.teams[neighbourhood].uplift if self.specs[name].uplift else 0.0

    def set_staffing(self, name: str, multiplier: np.ndarray) -> None:
        """Capacity of ``name`` from its staff in post: ``multiplier`` x base, by neighbourhood.

        Set monthly by the workforce (:class:`simulation.workforce.Workforce`); the multiplier
        replaces the LCO's uplift for this service (the uplift's extra posts count once filled).
        """
        self.staffing[name] = np.asarray(multiplier, float)

    def service_uplift(self, name: str, uplift: np.ndarray) -> np.ndarray:
        """The uplift on the base capacity of ``name`` in each neighbourhood, given the LCO's.

        Example:
            >>> d = ServiceDirectory(None, [Service("crisis", "daily", per_100k=lambda s: 1.0,
            ...                                     staff=("community_nurse",))], [])
            >>> d.service_uplift("crisis", np.array([0.2, 0.2])).tolist()
            [0.2, 0.2]
            >>> d.set_staffing("crisis", np.array([1.1, 0.9]))
            >>> d.service_uplift("crisis", np.array([0.2, 0.2])).round(2).tolist()
            [0.1, -0.1]
        """
        staffed = self.staffing.get(name)
        if staffed is not None:
            return staffed - 1.0
        uplift = np.asarray(uplift, float)
        return uplift if self.specs[name].uplift else np.zeros_like(uplift)

    def capacity(self, name: str, neighbourhood: int) -> int:
        """Whole places (or today's responses) of ``name`` in ``neighbourhood``."""
        pool = self.pool(name, neighbourhood)
        if isinstance(pool, DailyPool):
            return pool.capacity_today
        return pool.capacity(self._uplift(name, neighbourhood))

    def free(self, name: str, neighbourhood: int) -> int:
        """Places (or responses) of ``name`` free now in ``neighbourhood``."""
        pool = self.pool(name, neighbourhood)
        if isinstance(pool, DailyPool):
            return max(0, pool.capacity_today - pool.used_today)
        if isinstance(pool, CaseloadPool):
            raise TypeError(f"{name} is a caseload; its lever counts who is enrolled")
        return pool.free(self._uplift(name, neighbourhood))

    def total_capacity(self, name: str) -> int:
        """Whole places of ``name`` summed over neighbourhoods."""
        return sum(self.capacity(name, h) for h in range(len(self.teams)))

    def occupied(self, name: str) -> int:
        """Places of ``name`` in use, summed over neighbourhoods."""
        return sum(team.pools[name].occupied for team in self.teams)

    # ----- use --------------------------------------------------------------------------------
    def take(self, name: str, neighbourhood: int, wanted: int) -> int:
        """Use up to ``wanted`` responses of a daily service today; returns how many were free."""
        return self.pool(name, neighbourhood).take(wanted)

    def episode_end(self, name: str, patients: np.ndarray) -> np.ndarray:
        """The day each patient's episode of ``name`` ends (geometric around the mean).

        Keyed by (stream, today, patient, draw), so a patient's length of service does not depend
        on who else was placed today.
        """
        spec, day = self.specs[name], self.model.day
        mean = spec.mean_days(self.model.scenario)
        u = self.model.streams.keyed(spec.stream, day, patients, draw=spec.draw)
        return day + 1 + np.floor(-np.log1p(-u) * (mean - 0.5)).astype(np.int64)

    def place(self, name: str, neighbourhood: int, patients: np.ndarray) -> None:
        """Start episodes of ``name`` today for ``patients`` (callers check :meth:`free`)."""
        if len(patients):
            self.pool(name, neighbourhood).start(self.episode_end(name, patients))

    def set_extra_places(self, name: str, places: np.ndarray) -> None:
        """Set the extra places of ``name`` in each neighbourhood (e.g. bought with savings)."""
        for team, k in zip(self.teams, places, strict=True):
            team.pools[name].extra = float(k)

    def extra_places(self, name: str) -> float:
        """Extra places of ``name`` summed over neighbourhoods."""
        return sum(team.pools[name].extra for team in self.teams)

    def base_places(self, name: str) -> np.ndarray:
        """Base capacity of ``name`` in each neighbourhood (before uplift, fractional)."""
        return np.array([team.pools[name].base for team in self.teams])

    # ----- the day ------------------------------------------------------------------------
    def start_day(self, day: int, uplift: np.ndarray) -> None:
        """Every team releases ended episodes and sets today's daily capacity.

        Each service's uplift today is the LCO's, or what its staff in post deliver
        (:meth:`service_uplift`).
        """
        self._service_uplift = {name: self.service_uplift(name, uplift) for name in self.specs}
        for team in self.teams:
            h = team.neighbourhood
            team.start_day(day, float(uplift[h]),
                           {name: float(u[h]) for name, u in self._service_uplift.items()})
