"""Parts: the pieces a model is composed of, and the hooks the daily schedule calls on them.

A :class:`Part` is anything the model steps besides the patients themselves: a lever
(:mod:`simulation.levers`), an observer such as the finance ledger, or a researcher's own
addition. Each part declares its name, its metrics (:mod:`simulation.metrics`) and the
cost items its activity generates (:class:`CostItem`), and overrides only the hooks it needs.
The model calls the hooks in the order of :meth:`simulation.model.LCOModel.step`, visiting parts
in the order they were given, so the order in which parts combine is declared, not incidental.

Hooks (all optional):

* ``setup(model)``: once, after the organisations and patients exist and before the warm-up.
* ``monthly(day)``: on the first day of each calendar month, after adoption and before patients'
  risks are refreshed. Levers set their risk modifiers here.
* ``admitted(day, admissions)``: after today's emergency admissions have beds (or went out of
  area); ``admissions`` is a :class:`simulation.levers.Admissions`.
* ``length_of_stay(day, admissions, los)``: at admission, may return new clinical lengths of stay
  (days; 0 = a zero-day stay), e.g. a dying patient stays until death.
* ``discharge_needs(day, admissions, need)``: at admission, may return new discharge-need codes.
* ``attended(day, ids)``: patients who attended A&E today.
* ``discharged(day, patients, destinations)``: patients who left hospital alive today and the
  destination code of each (:data:`simulation.services.BASE_DESTINATIONS`, then extra services').
* ``record(day, today)``: after the day's events, to fill the part's metrics in ``today``.
* ``end_of_year(day)``: on the last day of each model year (after recording).

Parts may also be found by import path, as ``"package.module:Class"`` or
``"path/to/file.py:Class"`` (:func:`load_part_class`), so that a lever written in a researcher's own
file can be named in a scenario or experiment file and run on any Dask worker.

Example:
    >>> class Counter(Part):
    ...     name = "counter"
    ...     def setup(self, model):
    ...         super().setup(model)
    ...         self.months = 0
    ...     def monthly(self, day):
    ...         self.months += 1
    >>> part = Counter()
    >>> part.name, part.metrics
    ('counter', ())
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from simulation.metrics import Metric


@dataclass(frozen=True)
class CostItem:
    """A costed activity: its sector, what is counted, and how to count it from yearly sums.

    Args:
        name: the item's key; its unit cost is ``finance.unit_costs.<name>``.
        sector: ``hospital``, ``community``, ``primary`` or ``social care`` (public money), or
            ``self-funded`` or ``charitable`` (reported, not public spend).
        quantity: what is counted, in words.
        metrics: the model metrics it is built from, in words.
        count: ``(yearly metric sums, scenario) -> quantity``.
        unit_cost: the unit cost's name when it is not ``name`` (two items priced alike).
    """

    name: str
    sector: str
    quantity: str
    metrics: str
    count: Callable[[Mapping[str, float], Any], float]
    unit_cost: str = ""

    @property
    def price(self) -> str:
        """The name of the item's unit cost in ``finance.unit_costs``."""
        return self.unit_cost or self.name


class Part:
    """Base of every pluggable part; subclasses set :attr:`name` and override the hooks they use."""

    name: ClassVar[str] = "part"
    """Unique key of the part (also its random-stream key, see :meth:`stream_key`)."""
    metrics: ClassVar[tuple[Metric, ...]] = ()
    """Daily series the part fills in :meth:`record`."""
    cost_items: ClassVar[tuple[CostItem, ...]] = ()
    """Activity of this part that the finance ledger costs."""
    services: ClassVar[tuple] = ()
    """Capacity-limited services the part runs (:class:`simulation.services.Service`); the model
    offers the core parts' services in every neighbourhood."""

    model: Any = None

    def setup(self, model) -> None:
        """Attach to ``model`` (called once, before the warm-up)."""
        self.model = model

    def monthly(self, day: int) -> None:
        """First day of each calendar month: update state and risk modifiers."""

    def record(self, day: int, today: dict[str, float]) -> None:
        """Write this part's metrics for ``day`` into ``today``."""

    def admitted(self, day: int, admissions) -> None:
        """Today's emergency admissions (a :class:`simulation.levers.Admissions`)."""

    def attended(self, day: int, ids) -> None:
        """Patients who attended A&E today."""

    def discharged(self, day: int, patients, destinations) -> None:
        """Patients who left hospital alive today, with each one's destination code."""

    def end_of_year(self, day: int) -> None:
        """Last day of each model year (``(day + 1) % 365 == 0``)."""

    @classmethod
    def stream_key(cls) -> int:
        """A random-stream key derived from the part's name (stable across runs and machines).

        Built-in levers keep the stream numbers of lco-sim 0.1 (see
        :class:`simulation.random_streams.Process`); new parts get a key of their own from a hash
        of their name, above the range the built-in processes use.
        """
        digest = hashlib.sha256(cls.name.encode()).digest()
        return 1_000 + int.from_bytes(digest[:4], "little") % 1_000_000


def resolve_part_path(spec: str, folder: Path) -> str:
    """``"file.py:Class"`` with a relative file made absolute against ``folder``; others unchanged.

    Example:
        >>> resolve_part_path("my.module:Lever", Path("/tmp"))
        'my.module:Lever'
        >>> resolve_part_path("levers.py:Lever", Path("/tmp"))
        '/tmp/levers.py:Lever'
    """
    where, sep, attr = spec.rpartition(":")
    if sep and where.endswith(".py") and not Path(where).is_absolute():
        return f"{(Path(folder) / where).resolve()}:{attr}"
    return spec


def load_part_class(spec: str, base: type | None = None, relative_to: Path | None = None) -> type:
    """The class named by ``"module:Class"`` or ``"file.py:Class"``.

    Args:
        spec: an import path with the class after a colon.
        base: if given, the class must be a subclass of it.
        relative_to: folder that a relative ``.py`` path is resolved against.

    Raises:
        ValueError: one line naming the spec and what is wrong.
    """
    where, sep, attr = spec.rpartition(":")
    if not sep or not where or not attr:
        raise ValueError(f"{spec!r}: expected 'module:Class' or 'file.py:Class'")
    try:
        if where.endswith(".py"):
            path = Path(where)
            if not path.is_absolute() and relative_to is not None:
                path = Path(relative_to) / path
            path = path.resolve()
            if not path.is_file():
                raise ValueError(f"{spec!r}: no such file {path}")
            # one module per file, named after its path so two files never collide
            name = "lco_sim_part_" + hashlib.sha256(str(path).encode()).hexdigest()[:12]
            module = sys.modules.get(name)
            if module is None:
                loader_spec = importlib.util.spec_from_file_location(name, path)
                module = importlib.util.module_from_spec(loader_spec)
                sys.modules[name] = module
                try:
                    loader_spec.loader.exec_module(module)
                except BaseException:
                    del sys.modules[name]
                    raise
        else:
            module = importlib.import_module(where)
    except ValueError:
        raise
    except Exception as exc:  # an import error of the user's module, reported in one line
        raise ValueError(f"{spec!r}: cannot import ({type(exc).__name__}: {exc})") from None
    cls = getattr(module, attr, None)
    if not isinstance(cls, type):
        raise ValueError(f"{spec!r}: {attr} is not a class in {where}")
    if base is not None and not issubclass(cls, base):
        raise ValueError(f"{spec!r}: {attr} is not a {base.__name__}")
    return cls
