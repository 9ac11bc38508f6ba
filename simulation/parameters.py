"""How parameters are declared: a frozen, strict section and a field that carries unit and source.

Both the scenario (:mod:`simulation.scenario`) and the finance parameters
(:mod:`simulation.finance.params`) declare their fields with :func:`param`, so the documentation
and the report's assumptions table read every parameter's unit and source the same way. This
module imports only pydantic, so any parameter module can use it without import cycles.

Every number of every section is checked here, in one place (:class:`Section`):

* a boolean or a string is never taken for a number (``practices = true`` or ``"91"`` is refused,
  where pydantic would read 1 and 91);
* no number may be ``nan`` or infinite, whether alone or inside a list or an age table;
* every number inside a list or table must be >= 0, the meaning of every list and table the model
  has (shares, rates, ratios, weights, lengths of stay), or within the tighter bounds the field
  declares with ``each_gt`` / ``each_ge`` / ``each_le`` (rate ratios, for example, must be > 0).

Example:
    >>> class Ward(Section):
    ...     beds: int = param(28, "beds", "ASSUMPTION", "Beds on a ward.", gt=0)
    ...     ratios: list[float] = param([1.0, 2.0], "ratio", "ASSUMPTION", "Ratios.", each_gt=0)
    >>> Ward.model_fields["beds"].json_schema_extra
    {'unit': 'beds', 'source': 'ASSUMPTION'}
    >>> for bad in ({"beds": True}, {"beds": "28"}, {"ratios": [1.0, float("nan")]},
    ...             {"ratios": [1.0, 0.0]}):
    ...     try:
    ...         Ward.model_validate(bad)
    ...     except ValueError as exc:
    ...         print(exc.errors()[0]["msg"])
    Value error, is a boolean, not a number
    Value error, is a string, not a number
    Value error, [1] is nan; every number must be finite
    Value error, [1] = 0.0 is out of range; allowed > 0
"""

from __future__ import annotations

import math
import types
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

_BOUND_SIGNS = {"gt": ">", "ge": ">=", "le": "<=", "lt": "<"}
_BOUND_TESTS = {"gt": lambda x, b: x > b, "ge": lambda x, b: x >= b,
                "le": lambda x, b: x <= b, "lt": lambda x, b: x < b}
DEFAULT_EACH = {"ge": 0.0}
"""Bounds of every number inside a list or table unless its field declares its own."""


def _is_numeric(annotation: Any) -> bool:
    """Whether a field's annotation holds numbers: int, float, or lists and dicts of them."""
    if annotation in (int, float):
        return True
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is list or origin is tuple:
        return bool(args) and _is_numeric(args[0])
    if origin is dict:
        return len(args) == 2 and _is_numeric(args[1])
    if origin in (typing.Union, types.UnionType):
        return any(_is_numeric(a) for a in args if a is not type(None))
    return False


def _numbers(value: Any, where: str = ""):
    """Every leaf of a value with its position, e.g. ``("[2]", 0.5)`` or ``("[North][0]", 0.7)``."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _numbers(item, f"{where}[{key}]")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _numbers(item, f"{where}[{i}]")
    else:
        yield where, value


def _each_bounds(field: Any) -> dict[str, float]:
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    return dict(extra.get("each", DEFAULT_EACH))


class Section(BaseModel):
    """Base of every parameter group: frozen, strict about unknown keys, and about numbers."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True,
                              allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        """Refuse booleans and strings where a number belongs, and nan or infinity anywhere."""
        field = cls.model_fields.get(info.field_name)
        if field is None or not _is_numeric(field.annotation):
            return value
        collection = isinstance(value, (list, tuple, dict))
        for where, leaf in _numbers(value):
            at = f"{where} " if collection else ""
            if isinstance(leaf, bool):
                raise ValueError(f"{at}is a boolean, not a number")
            if isinstance(leaf, str):
                raise ValueError(f"{at}is a string, not a number")
            if isinstance(leaf, float) and not math.isfinite(leaf):
                raise ValueError(f"{at}is {leaf}; every number must be finite")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _elements_in_range(cls, value: Any, info: ValidationInfo) -> Any:
        """Check every number inside a list or table against the field's element bounds."""
        field = cls.model_fields.get(info.field_name)
        if (field is None or not isinstance(value, (list, tuple, dict))
                or not _is_numeric(field.annotation)):
            return value
        bounds = _each_bounds(field)
        for where, leaf in _numbers(value):
            for kind, bound in bounds.items():
                if not _BOUND_TESTS[kind](leaf, bound):
                    allowed = " and ".join(f"{_BOUND_SIGNS[k]} {b:g}" for k, b in bounds.items())
                    raise ValueError(f"{where} = {leaf!r} is out of range; allowed {allowed}")
        return value


def param(default: Any, unit: str, source: str, doc: str, *, each_gt: float | None = None,
          each_ge: float | None = None, each_le: float | None = None,
          calibrate: dict[str, Any] | None = None, **constraints: Any) -> Any:
    """Declare a parameter with its unit and source kept in the JSON schema (and so in the docs).

    Args:
        default: the default value.
        unit: the unit, shown in the docs.
        source: where the value comes from (a citation, ``ASSUMPTION`` or ``CALIBRATED``).
        doc: one sentence on what it does.
        each_gt: every number of a list or table must be greater than this.
        each_ge: every number of a list or table must be at least this (default 0).
        each_le: every number of a list or table must be at most this.
        calibrate: marks a CALIBRATED parameter that ``lco-sim calibrate`` fits
            (:mod:`simulation.fitting`): ``targets`` (target keys it is fitted to), ``low`` and
            ``high`` (the search range), and ``how``: ``"value"`` (the number itself),
            ``"scale"`` (a factor on every number of a table, and of the tables listed in
            ``with``) or ``"entry"`` (one entry of an age table, named by ``entry``).
        **constraints: pydantic's constraints on the value itself (``gt``, ``le``, ...).
    """
    extra: dict[str, Any] = {"unit": unit, "source": source}
    if calibrate is not None:
        extra["calibrate"] = dict(calibrate)
    each = {k: float(v) for k, v in (("gt", each_gt), ("ge", each_ge), ("le", each_le))
            if v is not None}
    if each:
        if "gt" not in each and "ge" not in each:
            each = {**DEFAULT_EACH, **each}
        extra["each"] = each
    return Field(default, description=doc, json_schema_extra=extra, **constraints)
