"""The planners' web dashboard: a Solara page on Mesa's SolaraViz (``lco-sim dashboard``)."""
