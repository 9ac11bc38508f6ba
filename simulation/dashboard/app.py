"""The Solara page: Mesa's SolaraViz with the dashboard's settings, charts and headline table.

Run it with ``lco-sim dashboard`` (or ``solara run simulation.dashboard.app``). Mesa's SolaraViz
supplies the side panel: the settings below, and Reset / Play / Step. A setting takes effect when
Reset is pressed, which builds a new :class:`~simulation.dashboard.model.DashboardModel`.

Default dashboard scale: 0.1 (60,000 registered patients, all 12 neighbourhoods and 3 hospitals).
Measured on the 2-core development machine: one simulated day of both arms takes about 8 ms when
the machine is quiet (about 20 ms under heavy load), so a one-week step computes in under 0.15 s;
redrawing the six charts takes 0.6-1.3 s quiet (up to about 2.5 s loaded). The model itself is
never the bottleneck; raise Mesa's "Render Interval" to advance several weeks per redraw.

Example:
    >>> sorted(MODEL_PARAMS)[:3]
    ['case_management_coverage', 'community_beds_per_100k', 'community_uplift']
"""

from __future__ import annotations

import solara
from mesa.visualization import SolaraViz

from simulation.dashboard import charts
from simulation.dashboard.model import DashboardModel
from simulation.scenario import INTEGRATION_LEVELS, Scenario

DEFAULT_SCALE = 0.1
"""Population scale the dashboard opens at (a tenth of the default area's registered patients)."""

_base = Scenario()


def _slider(label: str, value: float, lo: float, hi: float, step: float) -> dict:
    return {"type": "SliderFloat", "label": label, "value": value, "min": lo, "max": hi,
            "step": step}


MODEL_PARAMS = {
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
    "scale": _slider("Scale (1 = whole area)", DEFAULT_SCALE, 0.02, 0.5, 0.01),
    "years": {"type": "SliderInt", "label": "Years", "value": 10, "min": 1,
              "max": 15, "step": 1},
    "seed": {"type": "SliderInt", "label": "Seed", "value": 1,
             "min": 1, "max": 100, "step": 1},
}
"""The side panel's settings (Mesa SolaraViz ``model_params``); defaults are the scenario's."""


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
        model = DashboardModel(**{k: v["value"] for k, v in MODEL_PARAMS.items()})
    return SolaraViz(model, components=COMPONENTS, model_params=MODEL_PARAMS,
                     name="LCO care flows: policy against do nothing", play_interval=150)


@solara.component
def Page():
    """The page Solara serves; one model per browser session."""
    model = solara.use_memo(
        lambda: DashboardModel(**{k: v["value"] for k, v in MODEL_PARAMS.items()}), [])
    return make_page(model)
