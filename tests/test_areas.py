"""Areas as data: every shipped area loads with a source for every value, runs, and is listed.

Also: the area's structure at scale (simulation.areas.layout), one-line refusals of bad areas,
the population growing past its first capacity, and the executable 'A new area' section of
docs/extending.md.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.areas import AreaError, list_areas, load_area
from simulation.areas.layout import practice_counts, sites_at_scale
from simulation.model import LCOModel
from simulation.scenario import Scenario, ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parent.parent
AREAS = ("dudley", "greater-manchester", "manchester")


def lco_sim(*args, cwd=None):
    """Run the command line in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "simulation.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


def test_three_areas_are_shipped():
    assert tuple(list_areas()) == AREAS


@pytest.mark.parametrize("name", AREAS)
def test_every_area_value_has_a_source(name):
    area = load_area(name)
    rows = area.sourced_values()
    assert len(rows) > 15
    for path, value, source in rows:
        assert value == "" or source.strip(), f"{name}: {path} has no source"
    # anything not published says so
    assert any("ASSUMPTION" in source for _, _, source in rows)


@pytest.mark.parametrize("name", AREAS)
def test_area_scenario_validates_and_uses_area_values(name):
    area = load_area(name)
    s = Scenario.preset("partial", area=name, scale=0.01)
    assert s.area == name and s.name == f"{name}-partial"
    assert s.population.registered_patients == area.population.registered_patients
    assert s.population.localities == [loc.name for loc in area.localities]
    assert [h.name for h in s.population.neighbourhoods] == [n for n, _, _ in area.neighbourhoods]
    assert [h.name for h in s.hospitals.sites] == [site.name for site in area.sites]
    assert s.run.years == area.contract.years and s.run.start_date == area.contract.start_date
    assert s.finance.budget_per_head.value == area.contract.budget_per_head


def test_published_figures_of_the_new_areas():
    dudley, gm = load_area("dudley"), load_area("greater-manchester")
    assert dudley.population.registered_patients == 300_000
    assert dudley.population.practices == 45 and dudley.contract.years == 15
    assert [s.name for s in dudley.sites] == ["Russells Hall Hospital"]
    assert [loc.name for loc in gm.localities] == [
        "Bolton", "Bury", "Manchester", "Oldham", "Rochdale", "Salford", "Stockport",
        "Tameside and Glossop", "Trafford", "Wigan"]
    assert 2_750_000 < gm.population.registered_patients < 2_900_000
    assert {s.locality for s in gm.sites} | {loc.name for loc in gm.localities if loc.home_site} \
        == {loc.name for loc in gm.localities}


def test_manchester_area_is_the_default_scenario():
    assert Scenario() == Scenario.preset("none").with_overrides({"name": "manchester-baseline"})
    assert Scenario().population.practices == 91


def test_scenario_file_names_an_area_and_overrides_its_values(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('area = "dudley"\n[population]\npractices = 40\n')
    s = load_scenario(path)
    assert (s.area, s.name, s.population.practices) == ("dudley", "dudley-baseline", 40)
    assert s.population.registered_patients == 300_000
    assert load_scenario(path) == Scenario.from_dict(s.model_dump())  # round trip


def test_changing_the_area_resets_its_values():
    s = Scenario.preset("full", scale=0.1).with_overrides({"area": "dudley", "run.years": 3})
    assert (s.area, s.population.practices, s.run.years, s.integration.level) == \
        ("dudley", 45, 3, "full")
    assert s.hospitals.sites[0].name == "Russells Hall Hospital"


def test_scale_above_two_is_allowed():
    assert Scenario.preset("none", area="greater-manchester", scale=3.0).run.scale == 3.0


# ----- refusals: one line, naming the field ---------------------------------------------------
def _area_text(site_locality: str) -> str:
    text = (ROOT / "simulation" / "areas" / "dudley.toml").read_text(encoding="utf-8")
    return text.replace('locality = "Dudley and Netherton"', f'locality = "{site_locality}"')


def test_area_with_unknown_site_locality_is_refused(tmp_path):
    path = tmp_path / "bad_area.toml"
    path.write_text(_area_text("Atlantis"), encoding="utf-8")
    with pytest.raises(AreaError) as err:
        load_area(str(path))
    message = str(err.value)
    assert "\n" not in message and "sites[0].locality" in message and "Atlantis" in message
    p = lco_sim("run", "--area", str(path), "--scale", "0.01", "--out", str(tmp_path / "x"))
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "Atlantis" in p.stderr
    assert not (tmp_path / "x").exists()


def test_unknown_area_lists_the_known_ones(tmp_path):
    p = lco_sim("run", "--area", "atlantis", "--out", str(tmp_path / "x"))
    assert p.returncode == 2 and "Traceback" not in p.stderr
    line = p.stderr.strip()
    assert "\n" not in line and all(name in line for name in AREAS)


def test_area_value_without_source_is_refused(tmp_path):
    text = (ROOT / "simulation" / "areas" / "dudley.toml").read_text(encoding="utf-8")
    text = re.sub(r"\npractices = \"[^\n]*\"", "", text)  # drop the practices' source
    path = tmp_path / "unsourced.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AreaError, match="no source for \\['practices'\\]"):
        load_area(str(path))


def test_scenario_site_in_unknown_locality_is_refused():
    s = Scenario.preset("none", area="dudley")
    with pytest.raises(ScenarioError, match="hospitals.sites\\[0\\].locality: 'Nowhere'"):
        s.with_overrides({"hospitals.sites": [{"name": "X", "locality": "Nowhere", "beds": 5}]})


# ----- the command line -----------------------------------------------------------------------
def test_areas_command_lists_population_practices_neighbourhoods_and_sites():
    p = lco_sim("areas")
    assert p.returncode == 0, p.stderr
    for name in AREAS:
        area = load_area(name)
        line = next(x for x in p.stdout.splitlines() if x.startswith(name + " "))
        assert f"{area.population.registered_patients:,} registered patients" in line
        assert f"{len(area.neighbourhoods)} neighbourhoods" in line
        assert f"{area.population.practices} practices" in line
        assert all(site.name in p.stdout for site in area.sites)
    shown = lco_sim("areas", "--show", "dudley")
    assert shown.returncode == 0 and "source: Dudley MCP" in shown.stdout


@pytest.mark.parametrize("name, scale", [("dudley", 0.01), ("greater-manchester", 0.003)])
def test_run_area_writes_results_named_by_the_area(tmp_path, name, scale):
    out = tmp_path / name
    p = lco_sim("run", "--area", name, "--scale", str(scale), "--years", "1", "--integration",
                "partial", "--no-episodes", "--quiet", "--out", str(out))
    assert p.returncode == 0, p.stderr
    results = pd.read_parquet(out / "results.parquet")
    groups = set(results.loc[results["dimension"] == "neighbourhood", "group"])
    area = load_area(name)
    assert groups == {f"{n} ({loc})" for n, loc, _ in area.neighbourhoods}
    sites = set(results.loc[results["dimension"] == "hospital", "group"])
    assert sites == {s.name for s in area.sites}
    assert f'area = "{name}"' in (out / "scenario.toml").read_text(encoding="utf-8")
    assert "WARNING:" in p.stderr and "too few to behave like a hospital" in p.stderr


# ----- structure at scale ---------------------------------------------------------------------
def test_kept_structure_keeps_every_practice_and_floors_beds():
    scaled = Scenario.preset("none", area="dudley", scale=0.01)
    kept = scaled.with_overrides({"run.structure": "kept"})
    assert practice_counts(scaled).sum() == 10  # one per neighbourhood
    assert practice_counts(kept).sum() == 45
    small = round(load_area("dudley").sites[0].beds * 0.01)
    assert small < scaled.run.min_site_beds  # the premise: a site too small to be a hospital
    assert sites_at_scale(scaled).specs[0].beds == small and sites_at_scale(scaled).notes
    floor = sites_at_scale(kept)
    assert floor.specs[0].beds == kept.run.min_site_beds and "raised" in floor.notes[0]
    model = LCOModel(kept, seed=1)
    assert len(model.practices) == 45 and model.hospitals[0].beds == 10


def test_full_scale_structure_is_the_area_itself():
    s = Scenario.preset("none", area="greater-manchester")
    assert practice_counts(s).sum() == 411
    layout = sites_at_scale(s)
    assert [x.beds for x in layout.specs] == [x.beds for x in load_area(s.area).sites]
    assert not layout.notes


# ----- the population outgrows its arrays -----------------------------------------------------
def test_population_grows_every_array_together():
    model = LCOModel(Scenario.preset("none", area="dudley", scale=0.005, years=1), seed=2)
    pop = model.population
    capacity, n = len(pop.alive), pop.n
    per_patient = [k for k, v in vars(pop).items() if isinstance(v, np.ndarray) and v.ndim == 1
                   and len(v) == capacity and not k.startswith("_")]
    assert len(per_patient) > 15
    before = {k: getattr(pop, k)[:n].copy() for k in per_patient}
    k = capacity  # more newborns than there are free slots
    ids = pop._append(0, np.zeros(k, np.int32), np.zeros(k, np.int64), np.random.default_rng(0),
                      model.practices_of_neighbourhood, model.practice_weights)
    assert pop.n == n + k and len(pop.alive) >= n + k
    for name in per_patient:
        grown = getattr(pop, name)
        assert len(grown) == len(pop.alive), name
        assert np.array_equal(grown[:n], before[name]), name
    assert pop.alive[ids].all() and (pop.episode[ids] == -1).all()
    assert (pop.acute_lever_rr[len(pop.alive) - 1] == 1) and pop.readmit_until[-1] == -1
    model.run(days=3)  # and the model carries on with the larger population


# ----- docs/extending.md, "A new area" --------------------------------------------------------
def test_extending_new_area_section_runs(tmp_path, monkeypatch):
    text = (ROOT / "docs" / "extending.md").read_text(encoding="utf-8")
    section = text.split("## A new area", 1)[1].split("\n## ", 1)[0]
    toml_blocks = re.findall(r"```toml\n(.*?)```", section, re.S)
    python_blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(toml_blocks) == 1 and python_blocks
    (tmp_path / "example_town.toml").write_text(toml_blocks[0], encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for block in python_blocks:
        exec(compile(block, "docs/extending.md", "exec"), {"__name__": "__docs__"})


def test_home_sites_follow_neighbourhood_then_locality():
    from simulation.areas.layout import home_sites

    s = Scenario.preset("none", area="greater-manchester", scale=0.01)
    site = {i: x.name for i, x in enumerate(s.hospitals.sites)}
    home = {h.name: site[i] for h, i in zip(s.population.neighbourhoods, home_sites(s),
                                             strict=True)}
    assert home["Manchester N01"] == "North Manchester General"
    assert home["Manchester N05"] == "Manchester Royal Infirmary"
    assert home["Manchester N12"] == "Wythenshawe"
    assert home["Trafford 1"] == "Wythenshawe"  # a locality without a site of its own
    assert home["Rochdale 1"] == "Royal Oldham Hospital"
    assert home["Bolton 1"] == "Royal Bolton Hospital"
