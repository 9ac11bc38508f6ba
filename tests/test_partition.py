"""Greater Manchester partitioned by locality.

The parts add up to the area, the partitioned sweep does not depend on the number of workers,
the report has a row per locality, and the share of admissions that cross localities in a single
model is measured.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from simulation.areas import layout, load_area, scenario_source
from simulation.areas.partition import cross_locality, partition_by_locality
from simulation.experiments.design import build_plan
from simulation.experiments.spec import Experiment
from simulation.model import LCOModel
from simulation.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]
GM_FILE = ROOT / "experiments" / "greater_manchester.toml"


def lco_sim(*args, cwd=None):
    """Run the command line in a subprocess."""
    return subprocess.run([sys.executable, "-m", "simulation.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=900)


@pytest.mark.parametrize("area", ["greater-manchester", "manchester", "dudley"])
def test_partition_adds_up_to_the_area(area):
    """Neighbourhoods, patients, practices and beds of the parts sum to the area."""
    whole = Scenario.preset("partial", area=area, scale=0.1, years=2)
    parts = partition_by_locality(whole)
    assert [p.locality for p in parts] == whole.population.localities
    hoods = [h for p in parts for h in p.scenario.population.neighbourhoods]
    assert sorted(h.name for h in hoods) == sorted(h.name for h in whole.population.neighbourhoods)
    for p in parts:
        s = p.scenario
        assert s.population.localities == [p.locality]
        assert {h.locality for h in s.population.neighbourhoods} == {p.locality}
        assert s.integration.level == "partial" and s.run == whole.run and s.area == whole.area
    pop = [p.scenario.population for p in parts]
    assert sum(x.registered_patients for x in pop) == whole.population.registered_patients
    assert sum(x.practices for x in pop) == whole.population.practices
    assert abs(sum(p.population_share for p in parts) - 1) < 1e-12
    # every site's base and escalation beds are shared out exactly (largest remainder)
    for site in whole.hospitals.sites:
        held = [s for p in parts for s in p.scenario.hospitals.sites if s.name == site.name]
        assert held, site.name
        assert sum(s.beds for s in held) == site.beds
        assert sum(s.escalation_beds for s in held) == site.escalation_beds
    # routing is unchanged: each neighbourhood still uses the same site first
    home = layout.home_sites(whole)
    first = {h.name: whole.hospitals.sites[i].name
             for h, i in zip(whole.population.neighbourhoods, home, strict=True)}
    for p in parts:
        s = p.scenario
        for h, i in zip(s.population.neighbourhoods, layout.home_sites(s), strict=True):
            assert s.hospitals.sites[i].name == first[h.name]


def test_shared_sites_are_split_and_sources_kept():
    """Shared sites are split; the area's sources still apply."""
    gm = Scenario.preset("none", area="greater-manchester")
    parts = {p.locality: p for p in partition_by_locality(gm)}
    # a locality without a site of its own holds a share of the site its patients use first
    assert set(parts["Trafford"].bed_share) == {"Wythenshawe"}
    assert set(parts["Rochdale"].bed_share) == {"Royal Oldham Hospital"}
    wythenshawe = parts["Manchester"].bed_share["Wythenshawe"] + parts["Trafford"].bed_share[
        "Wythenshawe"]
    assert wythenshawe == pytest.approx(1.0)
    area = load_area(gm.area)
    for p in parts.values():
        assert p.scenario.area == "greater-manchester"  # the area's sources still apply
        assert "[citypopulation-manchester-nd]" in scenario_source(area, "population.age_shares")
        assert "Derived" in p.sources["population.registered_patients"]
        assert all("ASSUMPTION" in p.sources[f"hospitals.sites[{j}]"]
                   for j in range(len(p.scenario.hospitals.sites)))
    # a part survives the round trip every arm makes (overrides, TOML)
    s = parts["Bolton"].scenario.with_overrides({"integration.level": "full"})
    assert s.population.localities == ["Bolton"]
    assert set(s.population.deprivation_by_locality) == {"Bolton"}


def test_cross_locality_share_is_measured():
    """The cross-locality shares of a single model lie in [0, 1]."""
    s = Scenario.preset("none", area="greater-manchester", scale=0.01, years=1)
    log = LCOModel(s, seed=2).run(days=120).episode_log()
    c = cross_locality(log, s)
    assert c.admissions == len(log) > 0
    for v in (c.other_locality_site, c.home_site_elsewhere, c.overflow_elsewhere,
              c.outside_partition, c.out_of_area):
        assert 0.0 <= v <= 1.0
    assert c.other_locality_site == pytest.approx(c.home_site_elsewhere + c.overflow_elsewhere)
    assert c.outside_partition <= c.other_locality_site
    # Rochdale and Trafford use another locality's site first: roughly their population share
    assert 0.08 < c.home_site_elsewhere < 0.3


def test_partitioned_plan_seeds_are_per_locality_and_common_across_arms():
    """Seeds differ by locality and are common across arms."""
    plan = build_plan(Experiment.model_validate({
        "name": "gm", "years": 1, "scale": 0.005, "replications": 2, "partition": "locality",
        "metrics": ["emergency_admissions"], "base": {"overrides": {"area": "greater-manchester"}},
        "design": {"factors": {"integration.level": ["none", "full"]}}}))
    assert len(plan.runs) == 2 * 2 * 10
    assert len({t.key for t in plan.runs}) == len(plan.runs)
    seeds = {(t.arm, t.replication, t.locality): t.seed_text for t in plan.runs}
    assert seeds[(0, 1, "Wigan")] == seeds[(1, 1, "Wigan")]  # CRN within a locality
    assert len({seeds[(0, 1, loc)] for loc in plan.base.population.localities}) == 10
    assert seeds[(0, 0, "Wigan")] != seeds[(0, 1, "Wigan")]


def _tiny_gm(tmp_path: Path) -> Path:
    """The shipped experiment at a tiny scale: 2 arms x 1 replication x 10 localities."""
    text = GM_FILE.read_text()
    for pattern, value in ((r"(?m)^years = .*$", "years = 1"),
                           (r"(?m)^scale = .*$", "scale = 0.005"),
                           (r"(?m)^replications = .*$", "replications = 1"),
                           (r'(?m)^"integration.level" = .*$',
                            '"integration.level" = ["none", "full"]')):
        text, n = re.subn(pattern, value, text)
        assert n == 1, pattern
    path = tmp_path / "gm_tiny.toml"
    path.write_text(text)
    return path


def test_gm_partitioned_sweep_same_on_1_and_2_workers_and_report_by_locality(tmp_path):
    """1 and 2 workers give the same table; the report has a row per locality."""
    exp = _tiny_gm(tmp_path)
    tables = {}
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}"
        p = lco_sim("sweep", str(exp), "--workers", workers, "--out", str(out), "--quiet")
        assert p.returncode == 0, p.stderr[-2000:]
        tables[workers] = pd.read_parquet(out / "results.parquet")
    pd.testing.assert_frame_equal(tables["1"], tables["2"])
    t = tables["1"]
    localities = Scenario.preset("none", area="greater-manchester").population.localities
    loc = t[t["dimension"] == "locality"]
    assert sorted(loc["group"].astype(str).unique()) == sorted(localities)
    # area totals are the sums of the locality totals
    adm = t[t["metric"] == "emergency_admissions"]
    by = adm.groupby(["arm", "dimension"], observed=True)["value"].sum().unstack("dimension")
    assert (by["all"] == by["locality"]).all() and (by["all"] > 0).all()
    runs = pd.read_csv(tmp_path / "w1" / "runs.csv")
    assert len(runs) == 20 and sorted(runs["locality"].unique()) == sorted(localities)

    p = lco_sim("report", str(tmp_path / "w1"))
    assert p.returncode == 0, p.stderr[-2000:]
    rows = pd.read_csv(tmp_path / "w1" / "report" / "by_locality.csv")
    assert list(rows["locality"]) == [*localities, "all localities"]
    html = (tmp_path / "w1" / "report" / "report.html").read_text()
    assert "<h2>By locality</h2>" in html and all(n in html for n in localities)


def test_bad_partition_exits_2_with_one_line(tmp_path):
    """An unknown partition is refused with one line and exit 2."""
    path = tmp_path / "bad.toml"
    path.write_text(GM_FILE.read_text().replace('partition = "locality"', 'partition = "county"'))
    p = lco_sim("sweep", str(path), "--dry-run")
    assert p.returncode == 2
    assert "Traceback" not in p.stderr and "partition" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1
