"""The scenario: defaults, presets, TOML round trip and one-line errors for bad input."""

from __future__ import annotations

import pytest

from simulation.scenario import INTEGRATION_LEVELS, Scenario, ScenarioError, load_scenario


def test_defaults_describe_manchester():
    s = Scenario()
    assert s.population.registered_patients == 600_000
    assert len(s.population.neighbourhoods) == 12 and s.area == "manchester"
    assert s.population.practices == 91
    assert s.run.years == 10 and s.integration.level == "none"


@pytest.mark.parametrize("level", INTEGRATION_LEVELS)
def test_presets_set_level_and_name(level):
    s = Scenario.preset(level, scale=0.1, years=2)
    assert (s.integration.level, s.run.scale, s.run.years) == (level, 0.1, 2)
    assert s.name == f"manchester-{level}"


def test_every_parameter_has_unit_and_source():
    def walk(model_cls, prefix=""):
        for name, field in model_cls.model_fields.items():
            ann = field.annotation
            if isinstance(ann, type) and hasattr(ann, "model_fields"):
                yield from walk(ann, f"{prefix}{name}.")
            elif name != "name" or prefix:
                yield prefix + name, field.json_schema_extra or {}

    missing = [path for path, extra in walk(Scenario)
               if not extra.get("source") or not extra.get("unit")]
    assert missing == []


def test_toml_round_trip(tmp_path):
    s = Scenario.preset("partial", scale=0.05, years=3).with_overrides(
        {"community.home_support_places_per_100k": 40.0})
    path = tmp_path / "s.toml"
    path.write_text(s.to_toml())
    assert load_scenario(path) == s


@pytest.mark.parametrize("data, fragments", [
    ({"bogus": 1}, ["bogus", "unknown parameter"]),
    ({"run": {"years": "ten"}}, ["run.years", "'ten'"]),
    ({"community": {"home_support_places_per_100k": -5}}, ["home_support_places_per_100k", "-5",
                                                           ">= 0"]),
    ({"integration": {"level": "total"}}, ["integration.level", "'total'", "'full'"]),
    ({"integration": {"crisis_response": {"avoidance_probability": 1.5}}},
     ["avoidance_probability", "1.5", "<= 1"]),
    ({"population": {"age_shares": {"0": 0.5, "10": 0.6}}}, ["age_shares", "sum to 1"]),
])
def test_bad_values_name_field_value_and_allowed(data, fragments):
    with pytest.raises(ScenarioError) as err:
        Scenario.from_dict(data)
    message = str(err.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message


def test_unreadable_and_malformed_files(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("run = [unclosed")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(bad)


def test_override_of_missing_path_is_refused():
    with pytest.raises(ScenarioError, match="community.beds_per_ward: no such parameter"):
        Scenario().with_overrides({"community.beds_per_ward": 3})
