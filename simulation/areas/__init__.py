"""Areas as data: the places a scenario can describe, each one a TOML file with its sources.

An area holds what is particular to a place: its registered population and age/sex mix, its
localities (any names, any number) and their neighbourhoods and deprivation, its GP practices, its
acute hospital sites and their beds, and its LCO contract (length, start date, budget per head).
Every value sits next to the source it came from; a value with no published source says
``ASSUMPTION`` in its source. An area may also carry its own published figures (``[[targets]]``,
:class:`AreaTarget`), which its baseline is checked against in place of England's rates, and
say in ``[figures_not_found]`` where a figure was looked for and not found. The areas shipped
with the package live in this folder (``<name>.toml``); a planner can describe another area in a
file of the same form and name its path wherever an area name is accepted.

A scenario is *area + policy + run settings*: :class:`~simulation.scenario.Scenario` takes its
place-specific values from the area named in ``scenario.area`` (see :func:`area_scenario_data`),
and anything the scenario itself sets overrides them.

Example:
    >>> sorted(list_areas())
    ['dudley', 'greater-manchester', 'manchester']
    >>> a = load_area("dudley")
    >>> a.population.practices, len(a.localities), a.sites[0].name
    (45, 5, 'Russells Hall Hospital')
    >>> "[gponline-dudley-2017]" in a.source("population.practices")
    True
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from simulation.finance_parameters import ProgrammeCost
from simulation.parameters import Section
from simulation.scenario import ScenarioError, describe_validation_error, read_toml

AREA_DIR = Path(__file__).resolve().parent
"""The folder of the areas shipped with the package."""

DEFAULT_AREA = "manchester"
"""The area a scenario describes when it names none (the model's first calibrated place)."""

N_QUINTILES = 5


class AreaError(ScenarioError):
    """An area that cannot be used (unknown name, bad file); the message is one plain line."""


class _Sourced(Section):
    """A group of values with a ``sources`` table naming the source of every value."""

    sources: dict[str, str] = Field(description="Source of each value, by field name.")

    @model_validator(mode="after")
    def _every_value_sourced(self) -> _Sourced:
        values = [f for f in type(self).model_fields if f != "sources"]
        # An optional value left empty ('' = nothing published) needs no source.
        missing = [f for f in values if not self.sources.get(f, "").strip()
                   and getattr(self, f) not in ("", None)]
        if missing:
            raise ValueError(f"sources: no source for {missing}; every value needs one (write "
                             "ASSUMPTION and why when nothing is published)")
        extra = sorted(set(self.sources) - set(values))
        if extra:
            raise ValueError(f"sources: {extra} name no value of this table")
        return self


class AreaPopulation(_Sourced):
    """The registered population and its demography."""

    registered_patients: int = Field(gt=0, le=50_000_000, description="GP-registered patients.")
    practices: int = Field(ge=1, le=20_000, description="GP practices.")
    age_shares: dict[int, float] = Field(description="Share of patients by age band (lower "
                                         "bound in years, from 0); sums to 1.")
    female_share: float = Field(ge=0.0, le=1.0, description="Share of patients who are female.")
    births_per_1000: float = Field(ge=0.0, le=60.0, description="Crude birth rate.")
    mortality_local_excess: float = Field(ge=0.5, le=3.0, description="Multiplier on national "
                                          "mortality.")


class AreaContract(_Sourced):
    """The LCO contract: length, start, value and the budget per head it implies."""

    years: int = Field(ge=1, le=30, description="Contract length in years.")
    start_date: str = Field(description="ISO date services transfer (day 0 of a run).")
    value: str = Field(min_length=1, description="The contract's published value, as text.")
    budget_per_head: float = Field(gt=0.0, le=20_000.0, description="£ per registered person "
                                   "per year.")
    budget_cost_year: str = Field(description="Financial year of budget_per_head's prices.")
    funding_gap: str = Field("", description="The published funding gap without reform, as "
                             "text ('' if none was published).")
    gp_core_scope: Literal["outside", "fully_integrated"] | None = Field(
        None, description="Whose GP core services (GMS/PMS) sit inside the LCO's budget "
        "(integration.contracts.gp_core_scope; None = the scenario's default, 'outside').")
    gp_core_note: str = Field("", description="The contract's scope in the area's own words, "
                              "for reports ('' = none).")
    savings_share_lco: float | None = Field(
        None, ge=0.0, le=1.0, description="Share of cash-releasing savings that comes to the LCO "
        "(finance.savings_share_lco; None = the scenario's default).")


class AreaCareHomes(_Sourced):
    """Care homes for older people in the area (optional: England's figures otherwise)."""

    places_per_1000_65plus: float = Field(ge=0.0, le=200.0, description="Care-home places per "
                                          "1,000 people aged 65+.")
    self_funded_share: float = Field(ge=0.0, le=1.0, description="Share of residents who pay "
                                     "their own fees.")


class AreaWorkforce(_Sourced):
    """The area's own staff figures by role (optional: England's, ``workforce.<role>``, otherwise).

    A figure left out keeps England's. Productivity per WTE follows (a service's capacity per
    100,000 over its role's staff per 100,000), so staff figures alone do not change capacity;
    a vacancy rate above England's is a shortage only if given as ``workforce.<role>.shortage``.
    """

    community_nurse_per_100k: float | None = Field(None, gt=0.0, le=1000.0, description=(
        "Community and district nurses in post (FTE) per 100,000 registered."))
    community_nurse_vacancy_rate: float | None = Field(None, ge=0.0, lt=0.9, description=(
        "Share of funded community nursing posts vacant."))
    care_worker_per_100k: float | None = Field(None, gt=0.0, le=10000.0, description=(
        "Home-care workers in post (filled posts) per 100,000 registered."))
    care_worker_vacancy_rate: float | None = Field(None, ge=0.0, lt=0.9, description=(
        "Share of funded home-care posts vacant."))
    gp_per_100k: float | None = Field(None, gt=0.0, le=1000.0, description=(
        "Fully qualified GPs in post (FTE) per 100,000 registered."))
    gp_vacancy_rate: float | None = Field(None, ge=0.0, lt=0.9, description=(
        "Share of funded GP posts vacant."))

    def scenario_values(self) -> dict[str, dict[str, float]]:
        """The values given, as ``{role: {parameter: value}}`` of the scenario's workforce."""
        out: dict[str, dict[str, float]] = {}
        for field in type(self).model_fields:
            value = getattr(self, field)
            if field == "sources" or value is None:
                continue
            role, key = _workforce_field(field)
            out.setdefault(role, {})[key] = value
        return out


def _workforce_field(field: str) -> tuple[str, str]:
    """The (role, scenario parameter) an :class:`AreaWorkforce` field sets."""
    for suffix, key in (("_per_100k", "staff_per_100k"), ("_vacancy_rate", "vacancy_rate")):
        if field.endswith(suffix):
            return field[: -len(suffix)], key
    raise ValueError(f"workforce.{field}: not a staff figure")


class AreaNeighbourhood(Section):
    """One neighbourhood team's patch."""

    name: str = Field(min_length=1)
    weight: float = Field(gt=0.0, description="Relative registered population.")
    home_site: str = Field("", description="Site its patients use first when it is not the "
                           "locality's ('' = the locality's).")


class AreaLocality(Section):
    """A locality: its deprivation mix, its neighbourhoods and, optionally, its home site."""

    name: str = Field(min_length=1)
    deprivation: list[float] = Field(description="Share of patients in IMD quintile 1 (most "
                                     "deprived) .. 5.")
    neighbourhoods: list[AreaNeighbourhood] = Field(min_length=1)
    home_site: str = Field("", description="Site its patients use first when the locality has "
                           "none of its own ('' = its own site, else the area's first site).")
    source: str = Field(min_length=1, description="Sources of the locality's values.")

    @field_validator("deprivation")
    @classmethod
    def _quintiles(cls, v: list[float]) -> list[float]:
        if len(v) != N_QUINTILES or any(s < 0 for s in v) or abs(sum(v) - 1) > 1e-6:
            raise ValueError(f"deprivation must be 5 shares >= 0 summing to 1, got {v}")
        return v


class AreaSite(Section):
    """An acute hospital site and the beds this population's emergency patients use there."""

    name: str = Field(min_length=1)
    locality: str = Field(min_length=1, description="Locality whose patients it serves first.")
    beds: int = Field(ge=0, le=20_000)
    escalation_beds: int = Field(ge=0, le=5_000)
    source: str = Field(min_length=1)


class AreaTarget(Section):
    """A published figure of the area's own that its baseline (integration ``none``) must meet.

    The band ``low``..``high`` is the source's own range; where the source gives a point, it is
    the point with the interval stated in ``tolerance`` (the figure's own sampling interval, say),
    never a widening chosen to pass. ``measure`` names how the model's value is measured
    (:data:`simulation.calibration.MEASURES`); ``replaces`` names the England target this figure
    stands in for (:data:`simulation.calibration.TARGETS`), if any.
    """

    key: str = Field(pattern=r"^[a-z0-9_]+$", description="Short name of the target.")
    name: str = Field(min_length=1, description="What is compared, in words.")
    unit: str = Field(min_length=1)
    published: str = Field(min_length=1, description="The figure as published, in words.")
    low: float = Field(description="Low end of the band, in ``unit``.")
    high: float = Field(description="High end of the band, in ``unit``.")
    period: str = Field(min_length=1, description="When the figure was measured.")
    source: str = Field(min_length=1, description="Where the figure is published (cite it).")
    tolerance: str = Field(min_length=1, description="How the band follows from the figure.")
    measure: str = Field(min_length=1, description="How the model's value is measured.")
    replaces: str = Field("", description="Key of the England target it replaces ('' = none).")
    min_years: int = Field(1, ge=1, le=30, description="Recorded years the measure needs.")

    @model_validator(mode="after")
    def _band(self) -> AreaTarget:
        if self.low > self.high:
            raise ValueError(f"target {self.key!r}: low {self.low:g} is above high "
                             f"{self.high:g}")
        return self


class Area(Section):
    """A place described as data (see the module docstring and docs/extending.md)."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Short name, e.g. 'dudley'.")
    title: str = Field(min_length=1, description="Name used in texts, e.g. 'Dudley'.")
    description: str = Field("", description="One or two sentences on the place.")
    population: AreaPopulation
    contract: AreaContract
    localities: list[AreaLocality] = Field(min_length=1)
    sites: list[AreaSite] = Field(min_length=1)
    targets: list[AreaTarget] = Field(default_factory=list, description="The area's own "
                                      "published figures its baseline is checked against.")
    figures_not_found: dict[str, str] = Field(
        default_factory=dict, description="For England targets without a figure of the area's "
        "own: where one was looked for, or why a figure found could not be used (by key).")
    care_homes: AreaCareHomes | None = Field(None, description="Care homes (optional; "
                                             "England's figures when absent).")
    workforce: AreaWorkforce | None = Field(None, description="Staff per 100,000 and vacancy "
                                            "rates by role (optional; England's when absent).")
    programme_costs: dict[Literal["transformation", "double_running"], ProgrammeCost] = Field(
        default_factory=dict, description="The area's own programme cost estimates (finance."
        "transformation_cost_per_head, finance.double_running_per_head_year), each with value, "
        "cost_year, low, high, distribution, category and source; absent = the national "
        "defaults from vanguard funding.")

    @model_validator(mode="after")
    def _consistent(self) -> Area:
        for item, cost in self.programme_costs.items():
            if not cost.source.strip():
                raise ValueError(f"programme_costs.{item}.source: empty; every value needs a "
                                 "source (write ASSUMPTION and why when nothing is published)")
        _unique([t.key for t in self.targets], "targets")
        names = [loc.name for loc in self.localities]
        _unique(names, "localities")
        _unique([h.name for loc in self.localities for h in loc.neighbourhoods], "neighbourhoods")
        sites = [s.name for s in self.sites]
        _unique(sites, "sites")
        for i, site in enumerate(self.sites):
            if site.locality not in names:
                raise ValueError(f"sites[{i}].locality: {site.locality!r} is not a locality of "
                                 f"this area; expected one of {names}")
        for hood in (h for loc in self.localities for h in loc.neighbourhoods):
            if hood.home_site and hood.home_site not in sites:
                raise ValueError(f"neighbourhood {hood.name!r}: home_site {hood.home_site!r} is "
                                 f"not a site of this area; expected one of {sites}")
        for i, loc in enumerate(self.localities):
            if loc.home_site and loc.home_site not in sites:
                raise ValueError(f"localities[{i}].home_site: {loc.home_site!r} is not a site of "
                                 f"this area; expected one of {sites}")
        return self

    # ----- derived figures --------------------------------------------------------------------
    @property
    def neighbourhoods(self) -> list[tuple[str, str, float]]:
        """Every neighbourhood as (name, locality, weight), locality by locality."""
        return [(h.name, loc.name, h.weight) for loc in self.localities for h in loc.neighbourhoods]

    @property
    def beds(self) -> int:
        """General and acute beds over all sites (before escalation)."""
        return sum(s.beds for s in self.sites)

    def source(self, path: str) -> str:
        """The source of one value, by dotted path (``population.practices``, ``sites[0]``).

        >>> "10 years" in load_area("manchester").source("contract.years")
        True
        """
        head, _, field = path.partition(".")
        if head.endswith("]"):
            name, index = head[:-1].split("[")
            return getattr(self, name)[int(index)].source
        return getattr(self, head).sources[field]

    def sourced_values(self) -> list[tuple[str, Any, str]]:
        """Every value of the area with its source: (dotted path, value, source)."""
        rows: list[tuple[str, Any, str]] = []
        for part in ("population", "contract", "care_homes", "workforce"):
            group = getattr(self, part)
            if group is None:
                continue
            rows += [(f"{part}.{f}", getattr(group, f), group.sources.get(f, ""))
                     for f in type(group).model_fields
                     if f != "sources" and getattr(group, f) is not None]
        for kind in ("localities", "sites"):
            for i, item in enumerate(getattr(self, kind)):
                rows += [(f"{kind}[{i}].{f}", getattr(item, f), item.source)
                         for f in type(item).model_fields if f != "source"]
        for i, t in enumerate(self.targets):
            rows.append((f"targets[{i}] {t.key}", f"band {t.low:g} to {t.high:g} {t.unit}: "
                         f"{t.published} ({t.tolerance})", t.source))
        return rows


def _unique(names: list[str], what: str) -> None:
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"{what}: names must be unique, {dupes} repeated")


def list_areas() -> list[str]:
    """Names of the areas shipped with the package, alphabetically."""
    return sorted(p.stem.replace("_", "-") for p in AREA_DIR.glob("*.toml"))


@functools.lru_cache(maxsize=32)
def load_area(name: str) -> Area:
    """The area called ``name`` (shipped with the package) or the area file at path ``name``.

    Raises:
        AreaError: unknown name, unreadable or invalid file; one line naming the problem.
    """
    if name.endswith(".toml") or "/" in name:
        path = Path(name)
    else:
        path = AREA_DIR / f"{name.replace('-', '_')}.toml"
        if not path.is_file():
            raise AreaError(f"area: {name!r} is not a known area; known areas: "
                            f"{', '.join(list_areas())} (or give the path of an area .toml file)")
    _, data = read_toml(path, "area", AreaError)
    try:
        return Area.model_validate(data)
    except ValidationError as exc:
        raise AreaError(f"{path}: {describe_validation_error(exc)}") from None


def area_scenario_data(area: Area) -> dict[str, Any]:
    """The scenario values an area sets, as a nested dict a scenario's own values override."""
    p, c = area.population, area.contract
    return {
        "name": f"{area.name}-baseline",
        "run": {"years": c.years, "start_date": c.start_date},
        "population": {
            "registered_patients": p.registered_patients, "practices": p.practices,
            "age_shares": dict(p.age_shares), "female_share": p.female_share,
            "births_per_1000": p.births_per_1000,
            "mortality_local_excess": p.mortality_local_excess,
            "localities": [loc.name for loc in area.localities],
            "neighbourhoods": [{"name": h.name, "locality": loc.name, "weight": h.weight,
                                "home_site": h.home_site}
                               for loc in area.localities for h in loc.neighbourhoods],
            "deprivation_by_locality": {loc.name: list(loc.deprivation)
                                        for loc in area.localities},
        },
        "hospitals": {
            "sites": [{"name": s.name, "locality": s.locality, "beds": s.beds,
                       "escalation_beds": s.escalation_beds} for s in area.sites],
            "home_site_of_locality": {loc.name: loc.home_site for loc in area.localities
                                      if loc.home_site},
        },
        "finance": {"budget_per_head": {"value": c.budget_per_head,
                                        "cost_year": c.budget_cost_year},
                    **({"savings_share_lco": c.savings_share_lco}
                       if c.savings_share_lco is not None else {}),
                    **{PROGRAMME_FIELDS[k]: v.model_dump()
                       for k, v in area.programme_costs.items()}},
        **({"integration": {"contracts": {"gp_core_scope": c.gp_core_scope}}}
           if c.gp_core_scope is not None else {}),
        **({"care_homes": {"places_per_1000_65plus": area.care_homes.places_per_1000_65plus,
                           "self_funded_share": area.care_homes.self_funded_share}}
           if area.care_homes is not None else {}),
        **({"workforce": area.workforce.scenario_values()}
           if area.workforce is not None and area.workforce.scenario_values() else {}),
    }


def scenario_source(area: Area, path: str) -> str | None:
    """The area's source for the scenario parameter at dotted ``path``, or None if not an area's.

    >>> scenario_source(load_area("dudley"), "population.practices")[:10]
    'Dudley MCP'
    >>> scenario_source(load_area("dudley"), "demand.winter_amplitude") is None
    True
    """
    head, _, rest = path.partition(".")
    leaf = rest.split(".")[0].split("[")[0]
    if head == "run" and leaf in ("years", "start_date"):
        return area.contract.sources[leaf]
    if head == "finance" and leaf in ("budget_per_head", "savings_share_lco"):
        return area.contract.sources.get(leaf)
    item = {f: k for k, f in PROGRAMME_FIELDS.items()}.get(leaf)
    if head == "finance" and item in area.programme_costs:
        return area.programme_costs[item].source
    if path == "integration.contracts.gp_core_scope":
        return area.contract.sources.get("gp_core_scope")
    if head == "care_homes" and area.care_homes is not None and leaf in area.care_homes.sources:
        return area.care_homes.sources[leaf]
    if head == "population" and leaf in area.population.sources:
        return area.population.sources[leaf]
    if head == "workforce" and area.workforce is not None:
        key = path.rsplit(".", 1)[-1]
        field = f"{leaf}_per_100k" if key == "staff_per_100k" else f"{leaf}_{key}"
        if area.workforce.sources.get(field):
            return area.workforce.sources[field]
    by_name = {loc.name: loc for loc in area.localities}
    if head == "population" and leaf == "neighbourhoods":
        index = re.search(r"neighbourhoods\[(\d+)\]", path)
        name = area.neighbourhoods[int(index.group(1)) if index else 0][1]
        return f"{name}: {by_name[name].source}"
    if head == "population" and leaf in ("localities", "deprivation_by_locality"):
        return " | ".join(f"{loc.name}: {loc.source}" for loc in area.localities)
    if head == "hospitals" and leaf == "sites":
        index = re.search(r"sites\[(\d+)\]", path)
        return area.sites[int(index.group(1))].source if index else area.sites[0].source
    if head == "hospitals" and leaf == "home_site_of_locality":
        return "; ".join(f"{loc.name}: {loc.source}" for loc in area.localities
                         if loc.home_site) or "no locality without a site of its own"
    return None


PROGRAMME_FIELDS = {"transformation": "transformation_cost_per_head",
                    "double_running": "double_running_per_head_year"}
"""The finance parameter each area programme cost sets."""

AREA_PATHS = ("name", "run.years", "run.start_date", "population.registered_patients",
              "population.practices", "population.age_shares", "population.female_share",
              "population.births_per_1000", "population.mortality_local_excess",
              "population.localities", "population.neighbourhoods",
              "population.deprivation_by_locality", "hospitals.sites",
              "hospitals.home_site_of_locality", "finance.budget_per_head",
              "finance.savings_share_lco", "finance.transformation_cost_per_head",
              "finance.double_running_per_head_year", "integration.contracts.gp_core_scope",
              "care_homes.places_per_1000_65plus", "care_homes.self_funded_share",
              *(f"workforce.{role}.{key}" for role in ("community_nurse", "care_worker", "gp")
                for key in ("staff_per_100k", "vacancy_rate")))
"""Dotted scenario paths whose defaults come from the area (reset when the area changes)."""
