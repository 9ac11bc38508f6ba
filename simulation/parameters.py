"""How parameters are declared: a frozen, strict section and a field that carries unit and source.

Both the scenario (:mod:`simulation.scenario`) and the finance parameters
(:mod:`simulation.finance.params`) declare their fields with :func:`param`, so the documentation
and the report's assumptions table read every parameter's unit and source the same way. This
module imports only pydantic, so any parameter module can use it without import cycles.

Example:
    >>> class Ward(Section):
    ...     beds: int = param(28, "beds", "ASSUMPTION", "Beds on a ward.", gt=0)
    >>> Ward.model_fields["beds"].json_schema_extra
    {'unit': 'beds', 'source': 'ASSUMPTION'}
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Section(BaseModel):
    """Base of every parameter group: frozen and strict about unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def param(default: Any, unit: str, source: str, doc: str, **constraints: Any) -> Any:
    """Declare a parameter with its unit and source kept in the JSON schema (and so in the docs)."""
    return Field(default, description=doc, json_schema_extra={"unit": unit, "source": source},
                 **constraints)
