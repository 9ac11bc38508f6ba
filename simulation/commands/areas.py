"""``lco-sim areas``: list the areas a scenario can describe, or show one with every source.

Example:
    >>> import argparse
    >>> sub = argparse.ArgumentParser().add_subparsers()
    >>> register(sub)
    >>> sub.choices["areas"].parse_args(["--show", "dudley"]).show
    'dudley'
"""

from __future__ import annotations

import argparse

from simulation.areas import Area, list_areas, load_area


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``areas`` subcommand."""
    p = sub.add_parser("areas", help="list the areas (places) a scenario can describe",
                       description="List every area shipped with the package: population, "
                       "localities, neighbourhoods, practices and acute sites with their beds. "
                       "With --show NAME, print every value of one area with its source.")
    p.add_argument("--show", metavar="NAME", help="an area's name or area file: every value and "
                   "its source")
    p.set_defaults(func=execute)


def summary_lines(area: Area) -> list[str]:
    """A few lines describing an area: its size, places and sites.

    >>> print(summary_lines(load_area("dudley"))[0])
    dudley  Dudley: 300,000 registered patients, 5 localities, 10 neighbourhoods, 45 practices
    """
    p = area.population
    sites = ", ".join(f"{s.name} ({s.beds} beds)" for s in area.sites)
    return [f"{area.name}  {area.title}: {p.registered_patients:,} registered patients, "
            f"{len(area.localities)} localities, {len(area.neighbourhoods)} neighbourhoods, "
            f"{p.practices} practices",
            f"    localities: {'; '.join(loc.name for loc in area.localities)}",
            f"    {len(area.sites)} acute site{'s' if len(area.sites) > 1 else ''}, "
            f"{area.beds:,} beds: {sites}",
            f"    contract: {area.contract.value}, from {area.contract.start_date}, "
            f"£{area.contract.budget_per_head:,.0f} a head"
            + {None: "", "outside": ", GP core outside the budget",
               "fully_integrated": ", GP core of fully integrated practices in the budget"}[
                area.contract.gp_core_scope]]


def execute(args: argparse.Namespace) -> int:
    """Print the list (or one area's sourced values); an unknown area exits 2 with one line."""
    if args.show:
        area = load_area(args.show)
        print("\n".join(summary_lines(area)))
        print()
        for path, value, source in area.sourced_values():
            shown = repr(value)
            shown = shown if len(shown) <= 100 else shown[:97] + "..."
            print(f"{path} = {shown}\n    source: {source}")
        return 0
    for name in list_areas():
        print("\n".join(summary_lines(load_area(name))))
    return 0
