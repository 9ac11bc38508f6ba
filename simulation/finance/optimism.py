"""Optimism bias by category of cost, from a risk register the planner can edit.

HM Treasury's supplementary Green Book guidance gives, for each project type, an upper and a lower
bound of optimism bias; an appraisal starts from the upper bound of each cost's category and
moves towards the lower bound as the risks behind optimism are mitigated
([hm-treasury-optimism-bias-2003]). The register (TOML, ``simulation/data/finance/
risk_register.toml`` by default, or ``finance.risk_register``) lists the categories with their
bounds and sources and the risks with their contribution, how far each is mitigated and why.

Optimism bias applies to programme cost estimates only (transformation, double running: each a
:class:`~simulation.finance_parameters.ProgrammeCost` naming its category), never to the
simulated activity.

Example:
    >>> reg = load_register()
    >>> round(reg.applied("operating_expenditure"), 4)
    0.3475
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simulation.finance.programme import PROGRAMME_ITEMS, programme_cost
from simulation.finance_parameters import FinanceParams
from simulation.scenario import ScenarioError

DEFAULT_REGISTER = Path(__file__).resolve().parents[1] / "data" / "finance" / "risk_register.toml"
"""The register shipped with lco-sim."""


class Category(BaseModel):
    """An optimism-bias category: the guidance's bounds and where they come from."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1)
    upper_bound: float = Field(ge=0.0, le=5.0)
    lower_bound: float = Field(ge=0.0, le=5.0)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _bounds(self) -> Category:
        if self.lower_bound > self.upper_bound:
            raise ValueError(f"lower_bound {self.lower_bound} exceeds upper_bound "
                             f"{self.upper_bound}")
        return self


class Risk(BaseModel):
    """A risk area of a category: its contribution, how far it is mitigated, and the evidence."""

    model_config = ConfigDict(extra="forbid")
    category: str = Field(min_length=1)
    name: str = Field(min_length=1)
    contribution: float = Field(ge=0.0, le=1.0)
    mitigated: float = Field(ge=0.0, le=1.0)
    justification: str = Field(min_length=1)
    source: str = ""


class Register(BaseModel):
    """The whole register."""

    model_config = ConfigDict(extra="forbid")
    categories: dict[str, Category] = Field(min_length=1)
    risks: list[Risk] = []

    @model_validator(mode="after")
    def _consistent(self) -> Register:
        for r in self.risks:
            if r.category not in self.categories:
                raise ValueError(f"risk {r.name!r} names category {r.category!r}; the register "
                                 f"has {sorted(self.categories)}")
        for name in self.categories:
            total = sum(r.contribution for r in self.risks if r.category == name)
            if total > 1 + 1e-9:
                raise ValueError(f"the contributions of category {name!r} sum to {total:.3g}; "
                                 "they are shares of its optimism bias and may sum to at most 1")
        return self

    def mitigation(self, category: str) -> float:
        """Share of the category's optimism bias removed: sum of contribution x mitigated."""
        return sum(r.contribution * r.mitigated for r in self.risks if r.category == category)

    def applied(self, category: str) -> float:
        """The rate to apply: lower + (upper - lower) x (1 - mitigation)."""
        if category not in self.categories:
            raise ScenarioError(f"optimism-bias category {category!r} is not in the risk "
                                f"register; it has {', '.join(sorted(self.categories))}")
        c = self.categories[category]
        return c.lower_bound + (c.upper_bound - c.lower_bound) * (1 - self.mitigation(category))


def load_register(path: str | Path = "") -> Register:
    """Read and check a risk register; raises ScenarioError with one line if it cannot be used."""
    path = Path(path) if str(path) else DEFAULT_REGISTER
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ScenarioError(f"finance.risk_register: no file {str(path)!r}; give a TOML risk "
                            "register (see simulation/data/finance/risk_register.toml)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"finance.risk_register: {path} is not valid TOML ({exc})") from None
    try:
        return Register.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"]) or "register"
        value = err.get("input")
        shown = "" if isinstance(value, dict | list) else f" = {value!r}"
        raise ScenarioError(f"finance.risk_register {path.name}: {where}{shown}: "
                            f"{err['msg']}") from None


def rates(finance: FinanceParams) -> dict[str, float]:
    """The optimism-bias rate applied to each programme cost.

    ``finance.optimism_bias``, when set, overrides the register for every programme cost (the
    sensitivity analysis uses it); otherwise each cost's category sets it.
    """
    if finance.optimism_bias is not None:
        return {item: float(finance.optimism_bias) for item in PROGRAMME_ITEMS}
    reg = load_register(finance.risk_register)
    return {item: reg.applied(programme_cost(finance, item).category) for item in PROGRAMME_ITEMS}


def register_table(finance: FinanceParams) -> pd.DataFrame:
    """The register as the report shows it: each category's bounds and applied rate, and risks."""
    reg = load_register(finance.risk_register)
    rows = []
    for name, c in reg.categories.items():
        rows.append({"category": name, "risk": "(category)", "title": c.title,
                     "upper_bound": c.upper_bound, "lower_bound": c.lower_bound,
                     "contribution": None, "mitigated": None,
                     "applied": reg.applied(name),
                     "programme costs": ", ".join(i for i in PROGRAMME_ITEMS
                                                  if programme_cost(finance, i).category == name),
                     "justification": "", "source": c.source})
        for r in reg.risks:
            if r.category == name:
                rows.append({"category": name, "risk": r.name, "title": "",
                             "upper_bound": None, "lower_bound": None,
                             "contribution": r.contribution, "mitigated": r.mitigated,
                             "applied": None, "programme costs": "",
                             "justification": r.justification, "source": r.source})
    return pd.DataFrame(rows)
