"""The documentation cannot drift from the code.

* every scenario parameter appears in docs/model.md with the code's default (parsed back from the
  table and compared with ``Scenario()``; the set of parameters is found here by walking the
  pydantic model independently of the generator);
* the generated blocks (parameter tables, daily schedule) are current;
* the ODD elements are present in order; the STRESS-ABS items are all answered;
* every model metric is explained in the user guide; CITATION.cff is valid CFF 1.2.0.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from pydantic import BaseModel

from simulation import __version__
from simulation.docs_tables import update_text
from simulation.model import MODEL_METRICS
from simulation.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
MODEL_MD = ROOT / "docs" / "model.md"
ROW = re.compile(r"^\| `(?P<name>[^`]+)` \| `(?P<default>(?:[^`]|\\`)*)` \|", re.M)


def leaf_values(model: BaseModel, prefix: str = "") -> dict[str, object]:
    """Every leaf parameter of a scenario as dotted name -> default (lists of models by index)."""
    out: dict[str, object] = {}
    for name, _ in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            out.update(leaf_values(value, f"{prefix}{name}."))
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            for i, item in enumerate(value):
                out.update(leaf_values(item, f"{prefix}{name}[{i}]."))
        else:
            out[f"{prefix}{name}"] = value
    return out


def documented_defaults(text: str) -> dict[str, object]:
    block = text.split("<!-- BEGIN PARAMETERS -->")[1].split("<!-- END PARAMETERS -->")[0]
    rows = {}
    for m in ROW.finditer(block):
        assert m["name"] not in rows, f"{m['name']} documented twice"
        rows[m["name"]] = ast.literal_eval(m["default"].replace("\\|", "|"))
    return rows


def test_every_parameter_documented_with_the_code_default():
    documented = documented_defaults(MODEL_MD.read_text(encoding="utf-8"))
    code = leaf_values(Scenario())
    missing = sorted(set(code) - set(documented))
    stale = sorted(set(documented) - set(code))
    assert not missing, (f"parameters missing from docs/model.md: {missing}; "
                         "run python -m simulation.docs_tables")
    assert not stale, f"docs/model.md lists parameters the code lacks: {stale}"
    wrong = {k: (documented[k], code[k]) for k in code if documented[k] != code[k]}
    assert not wrong, f"defaults differ (docs, code): {wrong}; run python -m simulation.docs_tables"
    assert len(code) > 50


def test_comparison_detects_a_changed_default():
    """The check above can fail: a scenario with a changed default no longer matches the docs."""
    documented = documented_defaults(MODEL_MD.read_text(encoding="utf-8"))
    changed = leaf_values(Scenario().with_overrides({"demand.winter_amplitude": 0.3456}))
    assert documented["demand.winter_amplitude"] != changed["demand.winter_amplitude"]


def test_generated_blocks_are_current():
    text = MODEL_MD.read_text(encoding="utf-8")
    assert update_text(text) == text, "docs/model.md is stale: run python -m simulation.docs_tables"


def test_every_parameter_has_unit_and_source():
    from simulation.docs_tables import iter_parameters

    for row in iter_parameters():
        assert row.unit and row.description, row.name
        if row.name != "name" and not row.name.startswith("hospitals.sites["):
            assert row.source not in ("", "-"), f"{row.name} cites no source"


def test_odd_elements_in_order():
    text = MODEL_MD.read_text(encoding="utf-8")
    titles = ["1 Purpose and patterns", "2 Entities, state variables and scales",
              "3 Process overview and scheduling", "4 Design concepts", "5 Initialisation",
              "6 Input data", "7 Submodels"]
    positions = [text.find(f"\n## {t}\n") for t in titles]
    assert all(p > 0 for p in positions), dict(zip(titles, positions, strict=True))
    assert positions == sorted(positions)
    concepts = ["Basic principles", "Emergence", "Adaptation", "Objectives", "Learning",
                "Prediction", "Sensing", "Interaction", "Stochasticity", "Collectives",
                "Observation"]
    section4 = text[positions[3]:positions[4]]
    found = [section4.find(f"**{c}.**") for c in concepts]
    where = dict(zip(concepts, found, strict=True))
    assert all(p >= 0 for p in found) and found == sorted(found), where


def test_stress_abs_items_all_answered():
    text = (ROOT / "docs" / "stress-abs.md").read_text(encoding="utf-8")
    items = ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "2.5.1", "2.5.2", "2.5.3", "3.1",
             "3.2", "3.3", "3.4", "4.1", "4.2", "4.3", "5.1", "5.2", "5.3", "5.4", "6.1"]
    for item in items:
        m = re.search(rf"^\| {re.escape(item)} [^|]*\|(?P<answer>[^\n]*)\|\s*$", text, re.M)
        assert m, f"STRESS-ABS item {item} missing"
        assert len(m["answer"].strip()) > 30, f"STRESS-ABS item {item} not answered"


def test_user_guide_explains_every_metric():
    guide = (ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8")
    missing = [m for m in MODEL_METRICS if f"`{m}`" not in guide]
    assert not missing, f"docs/user-guide.md does not explain: {missing}"


def test_relative_links_in_docs_resolve():
    for md in [*(ROOT / "docs").glob("*.md"), ROOT / "CHANGELOG.md"]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", md.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            if target.startswith("../results/"):  # produced by commands, not kept in git
                continue
            assert (md.parent / target).exists(), f"{md.name}: broken link {target}"


def test_citation_cff_is_valid():
    import yaml  # PyYAML is a dependency of dask, which the project installs
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert cff["title"] == "lco-sim"
    assert cff["version"] == __version__
    assert cff["license"] == "MIT"
    assert cff["message"] and cff["type"] == "software"
    assert all("name" in a or "family-names" in a for a in cff["authors"])


def test_markdown_anchors_resolve():
    """Links to a heading (file.md#anchor) point at a heading that exists (GitHub's slug rule)."""

    def slug(heading: str) -> str:
        return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")

    docs = [*(ROOT / "docs").glob("*.md"), ROOT / "CHANGELOG.md"]
    anchors = {md.resolve(): {slug(line.lstrip("#")) for line in md.read_text(encoding="utf-8")
                              .splitlines() if line.startswith("#")} for md in docs}
    for md in docs:
        text = md.read_text(encoding="utf-8")
        for target, anchor in re.findall(r"\]\(([^)#\s]*)#([^)\s]+)\)", text):
            file = (md.parent / target).resolve() if target else md.resolve()
            if file in anchors:
                assert anchor in anchors[file], \
                    f"{md.name}: no heading for #{anchor} in {file.name}"


def test_api_reference_generated_from_docstrings(tmp_path):
    from simulation.api_docs import build

    files = build(tmp_path, ["simulation.docs_tables", "simulation.levers"])
    page = (tmp_path / "simulation" / "docs_tables.html").read_text(encoding="utf-8")
    assert any(f.name == "levers.html" for f in files)
    assert "iter_parameters" in page and "render_parameters" in page
    assert "python -m simulation.docs_tables" in page  # the module docstring


def test_every_random_stream_is_described():
    """Each stochastic process of the code is named in the ODD description (stochasticity)."""
    from simulation.random_streams import Process

    text = MODEL_MD.read_text(encoding="utf-8")
    assert not [p.name for p in Process if f"`{p.name}`" not in text]
