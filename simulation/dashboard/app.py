"""The Solara page: Mesa's SolaraViz with the dashboard's settings, charts and headline table.

Run it with ``lco-sim dashboard [--area NAME]`` (or ``solara run simulation.dashboard.app``). The
area comes from the environment variable :data:`AREA_ENV`, which the command sets (the default
area when it is unset); it is a fixed setting of the page. Mesa's SolaraViz
supplies the side panel: the settings below, and Reset / Play / Step. A setting takes effect when
Reset is pressed, which builds a new :class:`~simulation.dashboard.model.DashboardModel`.

Default dashboard scale: about :data:`OPENING_PATIENTS` registered patients (Manchester 0.1: all 12
neighbourhoods and 3 hospitals; Dudley 0.2; Greater Manchester 0.02), never below the area's
smallest meaningful scale.
Measured on the 2-core development machine: one simulated day of both arms takes about 8 ms when
the machine is quiet (about 20 ms under heavy load), so a one-week step computes in under 0.15 s;
redrawing the six charts takes 0.6-1.3 s quiet (up to about 2.5 s loaded). The model itself is
never the bottleneck; raise Mesa's "Render Interval" to advance several weeks per redraw.

Example:
    >>> sorted(MODEL_PARAMS)[:3]
    ['area', 'case_management_coverage', 'community_beds_per_100k']
    >>> [opening_scale(Scenario.preset("none", area=a))
    ...  for a in ("manchester", "dudley", "greater-manchester")]
    [0.1, 0.2, 0.02]
    >>> from simulation.commands.dashboard import AREA_ENV as SET_BY_THE_COMMAND
    >>> AREA_ENV == SET_BY_THE_COMMAND
    True
"""

from __future__ import annotations

import math
import os

import solara
from mesa.visualization import SolaraViz

from simulation.areas import DEFAULT_AREA, load_area
from simulation.dashboard import charts
from simulation.dashboard.model import DashboardModel
from simulation.scenario import INTEGRATION_LEVELS, Scenario

AREA_ENV = "LCO_SIM_DASHBOARD_AREA"
"""Environment variable naming the area the dashboard opens on (``lco-sim dashboard --area``)."""

OPENING_PATIENTS = 60_000
"""Registered patients the dashboard opens with: a week of both arms steps in well under a second
(measured for Manchester at 0.1, below)."""


def opening_scale(scenario: Scenario) -> float:
    """The scale the dashboard opens at for ``scenario``'s area.

    About :data:`OPENING_PATIENTS` patients: to the slider's step of 0.01 from 0.02 up, else to
    two significant figures; at most 0.5 and never below the area's smallest meaningful scale.
    """
    value = OPENING_PATIENTS / scenario.population.registered_patients
    digits = 2 if value >= 0.02 else 1 - int(math.floor(math.log10(value)))
    value = round(value, digits)
    return float(min(0.5, max(value, scenario.smallest_scale())))


AREA_SPEC = os.environ.get(AREA_ENV) or DEFAULT_AREA
"""The area on show, as named (an area's name or the path of an area file)."""
AREA = load_area(AREA_SPEC)

_base = Scenario.preset("none", area=AREA_SPEC)

DEFAULT_SCALE = opening_scale(_base)
"""Population scale the dashboard opens at."""


def _slider(label: str, value: float, lo: float, hi: float, step: float) -> dict:
    return {"type": "SliderFloat", "label": label, "value": value, "min": lo, "max": hi,
            "step": step}


MODEL_PARAMS = {
    "area": AREA_SPEC,  # fixed: the area is chosen on the command line
    "level": {"type": "Select", "label": "Integration level offered to practices",
              "value": "full", "values": list(INTEGRATION_LEVELS)},
    "crisis_response_per_100k_day": _slider(
        "Crisis team /100k/day",
        _base.community.crisis_response_per_100k_day, 0.0, 20.0, 0.2),
    "home_support_places_per_100k": _slider(
        "Home support /100k",
        _base.community.home_support_places_per_100k, 0.0, 150.0, 1.0),
    "community_beds_per_100k": _slider(
        "Community beds /100k",
        _base.community.community_beds_per_100k, 0.0, 80.0, 1.0),
    "community_uplift": _slider(
        "LCO capacity uplift",
        _base.integration.community_uplift, 0.0, 2.0, 0.05),
    "case_management_coverage": _slider(
        "Case mgmt coverage",
        _base.integration.case_management.coverage, 0.0, 1.0, 0.05),
    "crisis_referral_share": _slider(
        "Crisis referral share",
        _base.integration.crisis_response.referral_share, 0.0, 1.0, 0.05),
    "scale": _slider("Scale (1 = whole area)", DEFAULT_SCALE, min(0.02, DEFAULT_SCALE), 0.5,
                     0.001 if DEFAULT_SCALE < 0.02 else 0.01),
    "years": {"type": "SliderInt", "label": "Years", "value": 10, "min": 1,
              "max": 15, "step": 1},
    "seed": {"type": "SliderInt", "label": "Seed", "value": 1,
             "min": 1, "max": 100, "step": 1},
}
"""The side panel's settings (Mesa SolaraViz ``model_params``); defaults are the scenario's."""


def opening_settings() -> dict:
    """The settings the page opens with: each slider's value, and the fixed ones as they are.

    >>> opening_settings()["area"] == AREA_SPEC, opening_settings()["scale"] == DEFAULT_SCALE
    (True, True)
    """
    return {k: v["value"] if isinstance(v, dict) else v for k, v in MODEL_PARAMS.items()}


def Headline(model: DashboardModel):
    """Where the run is and the running totals against do nothing."""
    text = solara.use_memo(lambda: charts.headline_markdown(model),
                           dependencies=[id(model), model.steps])
    with solara.Card(style={"height": "100%", "overflow": "auto"}) as card:
        solara.Markdown(text)
    return card


def _figure(build):
    """A SolaraViz component drawing ``build(model)``, redrawn only when the model has moved."""

    def component(model: DashboardModel):
        version = [id(model), model.steps]
        figure = solara.use_memo(lambda: build(model), dependencies=version)
        return solara.FigureMatplotlib(figure, dependencies=version, format="png")

    component.__name__ = build.__name__
    return component


COMPONENTS = [
    (Headline, 0),
    (_figure(charts.admissions_chart), 0),
    (_figure(charts.ae_chart), 0),
    (_figure(charts.occupancy_chart), 0),
    (_figure(charts.delayed_chart), 0),
    (_figure(charts.difference_chart), 0),
    (_figure(charts.neighbourhood_chart), 0),
]
"""What the main area shows, in order (two to a row)."""


def make_page(model: DashboardModel | None = None):
    """The SolaraViz element for ``model`` (a fresh default model if None)."""
    if model is None:
        model = DashboardModel(**opening_settings())
    return SolaraViz(model, components=COMPONENTS, model_params=MODEL_PARAMS,
                     name=f"{AREA.title}: LCO care flows, policy against do nothing",
                     play_interval=150)


@solara.component
def Page():
    """The page Solara serves; one model per browser session."""
    model = solara.use_memo(
        lambda: DashboardModel(**opening_settings()), [])
    return make_page(model)
