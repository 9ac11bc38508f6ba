"""The model composes parts: levers, services and observers plug in through public interfaces."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.levers import BUILT_IN, Lever, LeverParams, scaled_ratio
from simulation.model import LCOModel, metric_registry
from simulation.parameters import param
from simulation.patients import PatientAgent, patient_agents
from simulation.population import RiskModifiers
from simulation.runner import run_scenario
from simulation.scenario import Scenario, ScenarioError
from simulation.services import FIRST_EXTRA_NEED, Service

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "notebooks"))
from falls_prevention import FallsPrevention  # noqa: E402


def _scenario(level="full", scale=0.01, years=3):
    return Scenario.preset(level, scale=scale, years=years)


# ----- levers ---------------------------------------------------------------------------------
class FallsPreventionPerPatient(FallsPrevention):
    """The same rule as :class:`FallsPrevention`, written one patient at a time (the Mesa way)."""

    def monthly(self, day):
        """Refer eligible patients one agent at a time."""
        model, p = self.model, self.params
        ramp = self.ramp(day)
        ids, ratios = [], []
        for agent in patient_agents(model).select(
                lambda a: a.age >= p.min_age and a.tier >= p.min_tier):
            strength = ramp * model.practice_intensity[agent.practice]
            if strength > 0:
                ids.append(agent.patient_id)
                ratios.append(scaled_ratio(p.hazard_ratio, strength))
        model.population.modifiers.set("acute", self.name, np.array(ids, np.int64),
                                       np.array(ratios, np.float64).astype(np.float32))
        self.referred_now = len(ids)


def test_docking_per_patient_lever_equals_array_lever():
    s = _scenario(scale=0.004, years=2)
    arrays = run_scenario(s, 3, levers=(FallsPrevention(),))
    agents = run_scenario(s, 3, levers=(FallsPreventionPerPatient(),))
    pd.testing.assert_frame_equal(arrays.results, agents.results)
    referred = arrays.results.query("metric == 'falls_prevention_referred'")["value"]
    assert referred.max() > 0  # the lever acted, so the comparison means something


def test_a_lever_that_changes_nothing_leaves_results_bit_identical():
    s = _scenario(scale=0.005, years=2)
    plain = run_scenario(s, 4)
    neutral = run_scenario(s, 4, levers=(FallsPrevention({"hazard_ratio": 1.0}),))
    r = neutral.results[neutral.results["metric"] != "falls_prevention_referred"]
    r = r.reset_index(drop=True)
    for col in ("metric", "group", "dimension"):
        r[col] = r[col].astype(str)
        plain.results[col] = plain.results[col].astype(str)
    pd.testing.assert_frame_equal(plain.results.reset_index(drop=True), r)


def test_lever_changes_admissions_of_its_cohort_only_in_expected_direction():
    s = _scenario(scale=0.02, years=4)
    base = run_scenario(s, 7, levers=(FallsPrevention({"hazard_ratio": 1.0}),)).results
    lever = run_scenario(s, 7, levers=(FallsPrevention({"hazard_ratio": 0.5}),)).results

    def old(r):
        q = r[(r["metric"] == "emergency_admissions") & (r["dimension"] == "age_band")]
        return q[q["group"].astype(str).isin(["75-84", "85+"])]["value"].sum()

    assert old(lever) < old(base)


def test_scenario_names_an_extra_lever_by_file(tmp_path):
    shutil.copy(ROOT / "notebooks" / "falls_prevention.py", tmp_path / "my_lever.py")
    spec = f"{tmp_path / 'my_lever.py'}:FallsPrevention"
    s = _scenario(scale=0.005, years=1).with_overrides({
        "integration.levers": [spec],
        "integration.lever_params": {"falls_prevention": {"hazard_ratio": 0.7}}})
    model = LCOModel(s, seed=1).run(days=40)
    lever = model.part("falls_prevention")
    assert lever.params.hazard_ratio == 0.7
    assert "falls_prevention_referred" in model.today


@pytest.mark.parametrize("bad, message", [
    ({"integration.levers": ["no_such_module_xyz:Lever"]}, "cannot import"),
    ({"integration.levers": ["simulation.model:LCOModel"]}, "is not a Lever"),
    ({"integration.lever_params": {"nobody": {}}}, "no lever named"),
])
def test_bad_extra_levers_are_one_line_errors(bad, message):
    with pytest.raises(ScenarioError, match=message) as info:
        _scenario().with_overrides(bad)
    assert "\n" not in str(info.value)


def test_risk_modifiers_combine_in_the_declared_order():
    mods = RiskModifiers(order=["first", "second", "third"])
    ids = np.array([0])
    # float32 products are not associative; the declared order decides the bits
    mods.set("acute", "third", ids, np.float32(1.1))
    mods.set("acute", "first", ids, np.float32(0.7))
    mods.set("acute", "second", ids, np.float32(0.3))
    out = np.ones(1, np.float32)
    mods.combine("acute", out, 1)
    expected = np.float32(1.0) * np.float32(0.7) * np.float32(0.3) * np.float32(1.1)
    assert out[0] == expected


def test_built_in_levers_declare_parameters_metrics_and_costs():
    names = [cls.name for cls in BUILT_IN]
    assert len(set(names)) == len(names) == 9
    reg = metric_registry()
    for cls in BUILT_IN:
        assert issubclass(cls.Params, LeverParams)
        for m in cls.metrics:
            assert m.name in reg
    costed = {item.name for cls in BUILT_IN for item in cls.cost_items}
    assert costed == {"case_management_contact", "crisis_response",
                      "social_prescribing_person_year", "enhanced_care_home_resident_year",
                      "end_of_life_support_person"}


# ----- services -------------------------------------------------------------------------------
class NursingStepDown(Lever):
    """Routes patients aged 85+ who would wait for a community bed to a new step-down service."""

    name = "nursing_step_down"

    class Params(LeverParams):
        """The lever's one parameter."""

        min_age: int = param(75, "years", "ASSUMPTION (test)", "Youngest age routed.", ge=0)

    def discharge_needs(self, day, admissions, need):
        """Send the oldest patients waiting for a community bed to step-down care."""
        route = (admissions.age >= self.params.min_age) & (need == 2)
        return np.where(route, FIRST_EXTRA_NEED, need)


STEP_DOWN = Service("nursing_step_down", "places", per_100k=lambda s: 20.0,
                    mean_days=lambda s: 14.0, need=FIRST_EXTRA_NEED, stream=7_777,
                    label="nursing step-down beds")


def test_a_new_service_takes_patients_out_of_hospital():
    s = _scenario(scale=0.02, years=1)
    model = LCOModel(s, seed=2, levers=[NursingStepDown()], services=[STEP_DOWN]).run()
    episodes = model.episode_log()
    assert "nursing_step_down" in episodes["destination"].cat.categories
    went = episodes[episodes["destination"] == "nursing_step_down"]
    assert len(went) > 0 and (went["age"] >= 75).all()
    assert model.services.total_capacity("nursing_step_down") > 0


def test_services_refuse_clashing_needs():
    clash = Service("other", "places", per_100k=lambda s: 1.0, mean_days=lambda s: 1.0, need=2)
    with pytest.raises(ValueError, match="same discharge need"):
        LCOModel(_scenario(scale=0.005, years=1), seed=1, services=[clash])


# ----- organisations, Mesa conventions -----------------------------------------------------------
def test_organisations_are_mesa_agentsets_and_steps_count_recorded_days():
    model = LCOModel(_scenario(scale=0.005, years=1), seed=1)
    assert model.steps == 0  # the warm-up is not a step
    assert len(model.hospitals) == len(model.scenario.hospitals.sites)
    assert model.hospitals.agg("beds", sum) == sum(h.beds for h in model.hospital_list)
    assert len(model.teams) == model.n_neighbourhoods
    assert len(model.practices) == len(model.practice_list)
    model.run()
    assert model.steps == model.horizon_days and not model.running
    model.step()  # past the horizon: nothing happens
    assert model.steps == model.horizon_days + 1 and model.day == model.horizon_days


def test_patient_agents_read_and_write_the_arrays():
    model = LCOModel(_scenario(scale=0.003, years=1), seed=1)
    agents = patient_agents(model)
    assert len(agents) == model.population.n_alive
    assert all(isinstance(a, PatientAgent) for a in agents)
    mean_age = agents.agg("age", np.mean)
    pop = model.population
    alive = np.flatnonzero(pop.alive[: pop.n])
    assert mean_age == pytest.approx(pop.ages(model.day, alive).mean())
    one = agents[0]
    one.in_hospital = True
    assert pop.in_hospital[one.patient_id]
    assert patient_agents(model)[0] is one  # the same patient is the same agent


# ----- dependency direction ---------------------------------------------------------------------
CORE = ("population", "community", "hospital", "practice", "lco", "levers", "services", "metrics",
        "parts", "pathways", "model", "scenario", "parameters", "random_streams", "recorder",
        "episodes", "patients", "finance_parameters")
OUTPUT_PACKAGES = ("simulation.report", "simulation.dashboard", "simulation.commands",
                   "simulation.cli", "simulation.plots")
WORKFLOW_PACKAGES = ("simulation.finance", "simulation.experiments", "simulation.runner",
                     "simulation.calibration", "simulation.validation_report", "simulation.fitting")


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _core_files():
    for name in CORE:
        path = ROOT / "simulation" / f"{name}.py"
        yield from ([path] if path.exists() else sorted((ROOT / "simulation" / name).glob("*.py")))


def test_core_imports_no_workflow_or_output_module():
    for path in _core_files():
        for module in _imports(path):
            assert not _within(module, WORKFLOW_PACKAGES + OUTPUT_PACKAGES), \
                f"{path.relative_to(ROOT)} imports {module}"


def test_workflow_imports_no_output_module():
    files = [p for p in (ROOT / "simulation").rglob("*.py")
             if str(p.relative_to(ROOT / "simulation")).startswith(
                 ("finance", "experiments", "runner", "calibration", "validation_report",
                  "fitting"))]
    assert files
    for path in files:
        for module in _imports(path):
            where = path.relative_to(ROOT)
            assert not _within(module, OUTPUT_PACKAGES), f"{where} imports {module}"


def test_no_private_mesa_api():
    for path in (ROOT / "simulation").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "._new_model_reporter" not in text and "._agent_records" not in text, path


# ----- sweeping a lever from a file ---------------------------------------------------------------
@pytest.mark.slow
def test_a_lever_in_a_file_is_swept_identically_on_one_and_two_workers(tmp_path):
    shutil.copy(ROOT / "notebooks" / "falls_prevention.py", tmp_path / "falls.py")
    (tmp_path / "exp.toml").write_text(
        'name = "falls"\nlevers = ["falls.py:FallsPrevention"]\nyears = 2\nscale = 0.005\n'
        'replications = 2\nmetrics = ["emergency_admissions", "falls_prevention_referred"]\n'
        'period = "year"\n[base]\nlevel = "full"\n[design.factors]\n'
        '"integration.lever_params.falls_prevention.hazard_ratio" = [1.0, 0.6]\n')
    tables = []
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        done = subprocess.run([sys.executable, "-m", "simulation.cli", "sweep",
                               str(tmp_path / "exp.toml"), "--out", str(out), "--workers",
                               str(workers), "--quiet"], capture_output=True, text=True,
                              cwd=tmp_path.parent)
        assert done.returncode == 0, done.stderr[-2000:]
        t = pd.read_parquet(out / "results.parquet")
        tables.append(t.sort_values(list(t.columns.drop("value"))).reset_index(drop=True))
    pd.testing.assert_frame_equal(tables[0], tables[1])
    referred = tables[0].query("metric == 'falls_prevention_referred'")["value"]
    assert referred.max() > 0


def test_mesa_batch_run_gives_one_row_per_recorded_day():
    import mesa

    s = _scenario(level="none", scale=0.003, years=1)
    rows = pd.DataFrame(mesa.batch_run(LCOModel, parameters={"scenario": [s], "seed": [1, 2]},
                                       iterations=1, max_steps=10_000, number_processes=1,
                                       data_collection_period=1, display_progress=False))
    assert rows.groupby("seed").size().tolist() == [365, 365]
    # Mesa labels the k-th collected row Step k: here, model day k
    one = rows[rows["seed"] == 1].sort_values("Step")
    assert one["Step"].tolist() == list(range(365))
    direct = LCOModel(s, seed=1).run().results()
    daily = direct.query("metric == 'emergency_admissions' and dimension == 'all'")["value"]
    assert one["emergency_admissions"].tolist() == daily.tolist()


def test_a_bare_scenario_given_to_mesa_batch_run_is_refused_with_advice():
    import mesa

    s = _scenario(level="none", scale=0.003, years=1)
    with pytest.raises(TypeError, match=r"give a list of scenarios: parameters=\{'scenario'"):
        mesa.batch_run(LCOModel, parameters={"scenario": s}, max_steps=2,
                       display_progress=False)
