"""Capacity-limited services: what the community teams offer, and one interface to use it.

A **service** is declared once (:class:`Service`): its name, how its capacity works and, for
services that take patients out of hospital, the discharge need it meets. Its capacity is held in
**pools** that serve one or more neighbourhoods' teams (:class:`simulation.community.CommunityTeam`,
Mesa agents). Everything else uses the services through :class:`ServiceDirectory`
(``model.services``):

* ``serve(name, neighbourhoods, patients)``: meet requests in the order given while the pool that
  serves each one has room (responses today, free places, caseload); the way levers and hospitals
  use every kind of service;
* ``free(name, neighbourhood)``, ``capacity``, ``place``, ``take``: the same, one pool at a time;
* ``start_day(day, uplift)``: release places whose episodes ended and set daily capacity.

A service that names the roles that staff it (``staff=("community_nurse",)``) has the capacity of
its staff in post: the workforce (:mod:`simulation.workforce`) sets a multiplier on its base each
month (:meth:`ServiceDirectory.set_staffing`), which takes the place of the LCO's uplift.

Three kinds of capacity:

* ``places``: concurrent places held for the length of an episode (home support, community
  beds; later care-home places or social-care packages). Unused places are not lost: they are
  free until someone takes them.
* ``daily``: responses per day (2-hour crisis response). Responses not used in their period (one
  day at full scale) are lost, as a real team's unused responses are lost at the end of its day;
  the fraction of a response carries to the next period.
* ``caseload``: a ceiling on concurrent patients that a lever manages itself (case management).

**Pools and scale** (:func:`pool_layout`; docs/model.md 7.9a). At ``run.scale``
*s* a neighbourhood has *s* of its real population and *s* of its real team's capacity, and a
capacity that small does not behave like the real team's: 0.3 of a home-support place is 0 or 1
place, and a team with 0.03 crisis responses a day loses its one response of the month whenever
nobody happens to be referred on the day it falls due. So the directory pools capacity until each
pool is about the size of one real team:

* **in space**: neighbourhoods share pools of *k* neighbourhoods next to each other in the area's
  order (so within a locality where they can be), with *k s* about 1; a request is met from the
  pool that serves its neighbourhood;
* **in time** (``daily`` services only): a daily pool is never larger than one real team
  (*k* ≤ 1/*s*) and the rest is made up in time: with *f* = *k s* real team-days of demand a
  day, its capacity is given per period of 1/*f* days, the capacity of all the period's days at
  its start, and what is left at the period's end is lost. A period is then one real team-day.

Places and caseloads cannot be pooled in time (a place is held for days): their pools are only
as close to one real team as whole neighbourhoods allow (Manchester's 12 at scale 0.25: three
pools of four, each one team; at 0.1: one pool of 1.2 teams; at 0.02: one of 0.24). Waiting for
a place depends strongly on the size of the pool that holds it (a smaller pool at the same
occupancy queues longer), so :mod:`simulation.plausibility` warns when pools are not close to
one team. At scale 1 every neighbourhood is its own pool and every period one day.

Example:
    >>> [m.tolist() for m in pool_layout(12, 0.25, "places")[0]]
    [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
    >>> members, team_days = pool_layout(12, 0.02, "daily")
    >>> len(members), round(team_days[0], 2)  # one pool; 4.2-day periods
    (1, 0.24)
    >>> pool = DailyPool(base=0.3, team_days=0.25)  # 0.3 a day, periods of 4 days
    >>> caps = []
    >>> for day in range(8):
    ...     pool.start_day(0.0)
    ...     caps.append(pool.capacity_today)
    >>> caps  # 1.2 responses each 4-day period: 1, then 1 (0.4 carried)
    [1, 1, 1, 1, 1, 1, 1, 1]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
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

_EPS = 1e-9  # float slack in period boundaries (1/f computed from a decimal scale)


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


# ----- how scale pools capacity -----------------------------------------------------------------
def pools_in_space(n_neighbourhoods: int, scale: float, kind: str) -> int:
    """How many pools the neighbourhoods' capacity of a service of ``kind`` is shared among.

    ``daily``: as few as keep every pool within one real team (at most ``floor(1/scale)``
    neighbourhoods each; the rest is pooled in time). ``places`` and ``caseload``: the number
    whose pools (of ``n // m`` or ``n // m + 1`` neighbourhoods) are closest to one real team,
    judged by the pool furthest from it on the log scale (the most pools on ties). Never more
    than one pool per neighbourhood, never fewer than one.
    """
    n = n_neighbourhoods
    if n <= 1 or scale >= 1.0:
        return max(n, 1)
    if kind == "daily":
        per_pool = max(1, math.floor(1.0 / scale + _EPS))
        return min(n, math.ceil(n / per_pool))

    def worst(m: int) -> float:  # the pool furthest from one real team, in log teams
        return max(abs(math.log(k * scale)) for k in {n // m, -(-n // m)})

    return min(range(n, 0, -1), key=lambda m: worst(m) + _EPS * (n - m))


def pool_layout(n_neighbourhoods: int, scale: float, kind: str
                ) -> tuple[list[np.ndarray], list[float]]:
    """The neighbourhoods each pool serves, and its real team-days of demand per day.

    Pools are runs of neighbourhoods in the area's order, of sizes that differ by at most one.
    A pool of *k* neighbourhoods at scale *s* sees ``k x s`` real team-days of demand a day; a
    ``daily`` pool with less than one gives its capacity per period of ``1 / (k s)`` days.

    Example:
        >>> members, f = pool_layout(10, 0.2, "places")
        >>> [len(m) for m in members], [round(x, 1) for x in f]
        ([5, 5], [1.0, 1.0])
    """
    m = pools_in_space(n_neighbourhoods, scale, kind)
    members = np.array_split(np.arange(n_neighbourhoods), m) if n_neighbourhoods else []
    return list(members), [len(g) * scale for g in members]


# ----- pools ------------------------------------------------------------------------------------
def _per_member(value, n: int) -> np.ndarray:
    out = np.atleast_1d(np.asarray(value, float))
    return np.broadcast_to(out, (n,)).astype(float) if out.size == 1 else out


def apportion(values: Sequence[float]) -> np.ndarray:
    """Whole units for fractional ``values`` that add up to their total rounded to the nearest.

    Each gets the whole part of its value and the units left over go to the largest fractions
    (ties to the first), so that however few pools there are, the area's whole places are its
    places rounded to the nearest place (largest-remainder rounding).

    Example:
        >>> apportion([0.35] * 4).tolist(), apportion([16.8]).tolist(), apportion([]).tolist()
        ([1, 0, 0, 0], [17], [])
    """
    x = np.asarray(values, float)
    whole = np.floor(x)
    left = int(math.floor(float(x.sum()) + 0.5) - whole.sum()) if len(x) else 0
    order = np.argsort(-(x - whole), kind="stable")
    whole[order[:max(0, left)]] += 1
    return whole.astype(np.int64)


class PlacePool:
    """Concurrent places shared by the teams of ``members``; occupants leave on their end day.

    The pool's fractional capacity is its members' places, each raised by its team's uplift, plus
    any extra places (:meth:`raw`); its whole places are that rounded to the nearest place, or, in
    a model, set by the directory so that every pool's whole places add up to the area's total
    (:func:`apportion`).

    Args:
        base: places of each member team before uplift (fractional; one value or one per member).
        members: the neighbourhoods it serves.
    """

    def __init__(self, base, members: Sequence[int] = (0,)):
        self.members = np.asarray(members, np.int64)
        self.bases = _per_member(base, len(self.members))
        self.extras = np.zeros(len(self.members))  # places bought outside the base (reinvestment)
        self.ends = np.empty(0, np.int32)
        self._uplift = np.zeros(len(self.members))
        self.whole = int(np.floor(self.raw() + 0.5))

    @property
    def base(self) -> float:
        """Places of the pool before uplift (fractional)."""
        return float(self.bases.sum())

    @property
    def extra(self) -> float:
        """Extra places of the pool."""
        return float(self.extras.sum())

    def raw(self) -> float:
        """Fractional places today: the members' places with their uplift, plus extra places."""
        return float((self.bases * (1 + self._uplift)).sum() + self.extras.sum())

    def capacity(self) -> int:
        """Whole places today."""
        return self.whole

    def free(self) -> int:
        """Places free now."""
        return max(0, self.whole - len(self.ends))

    @property
    def occupied(self) -> int:
        """Places in use."""
        return len(self.ends)

    def set_uplift(self, uplift) -> None:
        """The members' uplift from today (the directory then sets :attr:`whole`)."""
        self._uplift = _per_member(uplift, len(self.members))
        self.whole = int(np.floor(self.raw() + 0.5))

    def start(self, end_days: np.ndarray) -> None:
        """Occupy places until ``end_days`` (callers check :meth:`free` first)."""
        self.ends = np.concatenate([self.ends, np.asarray(end_days).astype(np.int32)])

    def release(self, day: int) -> None:
        """Free the places of episodes that ended by ``day``."""
        self.ends = self.ends[self.ends > day]


class CaseloadPool(PlacePool):
    """A ceiling on concurrent patients; the lever that uses it keeps its own list."""

    @property
    def occupied(self) -> int:
        """Not tracked here: the lever counts who is enrolled."""
        raise TypeError("a caseload's lever counts who is enrolled")


class DailyPool:
    """Responses shared by the teams of ``members``, given per period and lost at its end.

    A period is one day when the pool is at least one real team (``team_days >= 1``), else
    ``1 / team_days`` days (whole days: some periods are a day longer than others), so that a
    period sees as many referrals as a real team's day. At the start of a period the pool gets
    the whole responses of the period's days (the members' daily capacity with their uplift, times
    the period's length, plus the carried fraction); responses unused at its end are lost and
    the fraction of a response carries over.

    Args:
        base: responses a day of each member team before uplift (one value or one per member).
        members: the neighbourhoods it serves.
        team_days: real team-days of demand the pool sees a day (*k* x scale).
    """

    def __init__(self, base, members: Sequence[int] = (0,), team_days: float = 1.0):
        self.members = np.asarray(members, np.int64)
        self.bases = _per_member(base, len(self.members))
        self.team_days = float(team_days)
        self.capacity_today = 0  # whole responses of the current period
        self.used_today = 0  # responses used so far in the current period
        self.period_days = 1  # length of the current period
        self._carry = 0.0
        self._day = 0  # days since the pool started
        self._next_period = 0  # first day of the next period
        self._period = -1

    @property
    def base(self) -> float:
        """Responses a day of the pool before uplift."""
        return float(sum(self.bases))

    def _first_day(self, period: int) -> int:
        if self.team_days >= 1.0:
            return period
        return math.ceil(period / self.team_days - _EPS)

    def start_day(self, uplift=0.0) -> None:
        """Start the day; on a period's first day, set its responses (and drop the unused)."""
        if self._day >= self._next_period:
            self._period += 1
            self.period_days = self._first_day(self._period + 1) - self._day
            self._next_period = self._day + self.period_days
            u = _per_member(uplift, len(self.members))
            rate = sum(float(b) * (1 + float(x)) for b, x in zip(self.bases, u, strict=True))
            total = rate * self.period_days + self._carry
            self.capacity_today = math.floor(total)
            self._carry = total - self.capacity_today
            self.used_today = 0
        self._day += 1

    def free(self) -> int:
        """Responses left in the current period."""
        return max(0, self.capacity_today - self.used_today)

    def take(self, wanted: int) -> int:
        """Use up to ``wanted`` responses now; returns how many were available."""
        got = max(0, min(wanted, self.capacity_today - self.used_today))
        self.used_today += got
        return got


POOLS = {"places": PlacePool, "daily": DailyPool, "caseload": CaseloadPool}


def new_pool(kind: str, base, members: Sequence[int] = (0,), team_days: float = 1.0):
    """An empty pool of ``kind`` with capacity ``base`` (before uplift) for ``members``."""
    if kind == "daily":
        return DailyPool(base, members, team_days)
    return POOLS[kind](base, members)


# ----- the directory -----------------------------------------------------------------------------
class ServiceDirectory:
    """The model's services and their pools, behind one interface.

    Args:
        model: the model (for the scenario, the day and the random streams).
        services: the declared services, in the order hospitals try them at discharge.
        teams: one team per neighbourhood, in neighbourhood order; each gets ``pools[name]``,
            the pool that serves it.
        sizes: registered patients of each neighbourhood at run scale (the capacity base).
        scale: ``run.scale``, which sets how the pools are laid out (:func:`pool_layout`).
    """

    def __init__(self, model, services: list[Service], teams: list,
                 sizes: Sequence[float] | None = None, scale: float = 1.0):
        self.model = model
        self.specs = {s.name: s for s in services}
        self.teams = teams
        self.scale = scale
        self.staffing: dict[str, np.ndarray] = {}
        needs = [s.need for s in services if s.need is not None]
        if len(set(needs)) != len(needs):
            raise ValueError(f"two services meet the same discharge need: {needs}")
        extra = sorted(n for n in needs if n >= FIRST_EXTRA_NEED)
        if extra != list(range(FIRST_EXTRA_NEED, FIRST_EXTRA_NEED + len(extra))):
            raise ValueError(f"extra services' needs must be {FIRST_EXTRA_NEED}, "
                             f"{FIRST_EXTRA_NEED + 1}, ... in turn; got {extra}")
        self._pools: dict[str, list] = {}
        self._pool_of: dict[str, np.ndarray] = {}
        if teams:
            sizes = np.asarray(sizes if sizes is not None else np.zeros(len(teams)), float)
            for spec in services:
                self._build(spec, sizes)

    def _build(self, spec: Service, sizes: np.ndarray) -> None:
        per_100k = spec.per_100k(self.model.scenario)
        members, team_days = pool_layout(len(self.teams), self.scale, spec.kind)
        pools = [new_pool(spec.kind, per_100k * sizes[m] / 1e5, m, f)
                 for m, f in zip(members, team_days, strict=True)]
        pool_of = np.empty(len(self.teams), np.int64)
        for i, m in enumerate(members):
            pool_of[m] = i
        self._pools[spec.name] = pools
        self._pool_of[spec.name] = pool_of
        for team in self.teams:
            team.pools[spec.name] = pools[pool_of[team.neighbourhood]]

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

    # ----- pools ------------------------------------------------------------------------------
    def pools(self, name: str) -> list:
        """The pools of service ``name``, in order."""
        return self._pools[name]

    def pool_of(self, name: str) -> np.ndarray:
        """Index of the pool of ``name`` that serves each neighbourhood."""
        return self._pool_of[name]

    def pool(self, name: str, neighbourhood: int):
        """The pool of service ``name`` that serves ``neighbourhood``."""
        return self._pools[name][self._pool_of[name][neighbourhood]]

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

    # ----- capacity -------------------------------------------------------------------------
    def capacity(self, name: str, neighbourhood: int) -> int:
        """Whole places (or the period's responses) of the pool serving ``neighbourhood``."""
        pool = self.pool(name, neighbourhood)
        if isinstance(pool, DailyPool):
            return pool.capacity_today
        return pool.capacity()

    def free(self, name: str, neighbourhood: int) -> int:
        """Places (or responses) free now in the pool serving ``neighbourhood``."""
        pool = self.pool(name, neighbourhood)
        if isinstance(pool, CaseloadPool):
            raise TypeError(f"{name} is a caseload; its lever counts who is enrolled")
        return pool.free()

    def total_capacity(self, name: str) -> int:
        """Whole places (or the current periods' responses) of ``name`` over all pools."""
        return sum(p.capacity_today if isinstance(p, DailyPool) else p.capacity()
                   for p in self._pools[name])

    def occupied(self, name: str) -> int:
        """Places of ``name`` in use, summed over pools."""
        return sum(p.occupied for p in self._pools[name])

    # ----- use --------------------------------------------------------------------------------
    def serve(self, name: str, neighbourhoods: np.ndarray, patients: np.ndarray | None = None,
              in_use: np.ndarray | None = None) -> np.ndarray:
        """Meet requests in the order given while each one's pool has room; which were met.

        Args:
            name: the service.
            neighbourhoods: the neighbourhood of each request, in priority order.
            patients: ``places`` services: the patient of each request; those met start an
                episode today (:meth:`place`).
            in_use: ``caseload`` services: patients each neighbourhood already has (the room is
                the pool's capacity less its members' patients).

        Example:
            >>> import types
            >>> d = ServiceDirectory(types.SimpleNamespace(scenario=None),
            ...                      [Service("crisis", "daily", per_100k=lambda s: 1.0)],
            ...                      [types.SimpleNamespace(neighbourhood=h, pools={})
            ...                       for h in range(2)], sizes=[150_000, 150_000])
            >>> d.start_day(0, np.zeros(2))
            >>> d.serve("crisis", np.array([0, 0, 1, 0])).tolist()
            [True, False, True, False]
        """
        hoods = np.asarray(neighbourhoods, np.int64)
        met = np.zeros(len(hoods), bool)
        if len(hoods) == 0:
            return met
        pool_of = self._pool_of[name][hoods]
        pools = self._pools[name]
        for p in np.unique(pool_of):
            mine = np.flatnonzero(pool_of == p)
            pool = pools[p]
            if isinstance(pool, DailyPool):
                got = pool.take(len(mine))
            elif isinstance(pool, CaseloadPool):
                if in_use is None:
                    raise TypeError(f"{name} is a caseload: serve it with in_use")
                got = max(0, pool.capacity() - int(np.asarray(in_use)[pool.members].sum()))
            else:
                got = pool.free()
            chosen = mine[:got]
            met[chosen] = True
            if len(chosen) and isinstance(pool, PlacePool) and not isinstance(pool, CaseloadPool):
                if patients is None:
                    raise TypeError(f"{name} holds places: serve it with the patients")
                pool.start(self.episode_end(name, np.asarray(patients)[chosen]))
        return met

    def take(self, name: str, neighbourhood: int, wanted: int) -> int:
        """Use up to ``wanted`` responses of a daily service now; returns how many were free."""
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
        places = np.asarray(places, float)
        if len(places) != len(self.teams):
            raise ValueError(f"{name}: {len(places)} extra places for {len(self.teams)} teams")
        for pool in self._pools[name]:
            pool.extras = places[pool.members].copy()
        self._apportion(name)

    def set_pool_extra_places(self, name: str, places: Sequence[float]) -> None:
        """Set the extra places of each pool of ``name`` (e.g. the care-home places free today).

        For a part that counts its places by pool rather than by neighbourhood; the pool's
        first member holds them.
        """
        pools = self._pools[name]
        if len(places) != len(pools):
            raise ValueError(f"{name}: {len(places)} extra places for {len(pools)} pools")
        for pool, k in zip(pools, places, strict=True):
            pool.extras = np.zeros(len(pool.members))
            pool.extras[0] = float(k)
        self._apportion(name)

    def extra_places(self, name: str) -> float:
        """Extra places of ``name`` summed over pools."""
        return sum(pool.extra for pool in self._pools[name])

    def base_places(self, name: str) -> np.ndarray:
        """Base capacity of ``name`` in each neighbourhood (before uplift, fractional)."""
        out = np.zeros(len(self.teams))
        for pool in self._pools[name]:
            out[pool.members] = pool.bases
        return out

    # ----- the day ------------------------------------------------------------------------
    def start_day(self, day: int, uplift: np.ndarray) -> None:
        """Teams take today's uplift; pools release ended episodes and set daily capacity."""
        uplift = np.asarray(uplift, float)
        for team in self.teams:
            team.uplift = float(uplift[team.neighbourhood])
        for name, pools in self._pools.items():
            # the LCO's uplift, or what the service's staff in post deliver (service_uplift)
            raised = self.service_uplift(name, uplift)
            for pool in pools:
                u = raised[pool.members]
                if isinstance(pool, DailyPool):
                    pool.start_day(u)
                else:
                    pool.set_uplift(u)
                    if not isinstance(pool, CaseloadPool):
                        pool.release(day)
            self._apportion(name)

    def _apportion(self, name: str) -> None:
        """Whole places of every pool of ``name``, adding up to the area's rounded total."""
        pools = self._pools[name]
        if pools and not isinstance(pools[0], DailyPool):
            for pool, whole in zip(pools, apportion([p.raw() for p in pools]), strict=True):
                pool.whole = int(whole)
