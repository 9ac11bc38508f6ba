"""Every source the project cites can be followed from the repository.

* every key cited anywhere (code, area files, docs, notebooks, experiments, README, tests) is
  defined in ``simulation/data/references.toml``;
* no citation of the old, external form remains (a row of the compiled source notes, the brief's
  domain notes or its verification notes), which a reader of the repository could not follow;
* each reference has its required fields (authors or organisation, year, title, journal or
  publisher, DOI/URL/ISBN, the date a web page was read);
* ``docs/references.md`` is current with the TOML file, and the link definitions of
  ``docs/model.md`` point at entries that exist there;
* a report's References section lists every key the report cites (the validation report here;
  the evidence pack in ``tests/test_report_evidence_pack.py``).

Each check is shown to fail on a planted fault (an unknown key, an old citation, a missing field).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from simulation.references import (
    CITATION,
    REFERENCES_MD,
    Reference,
    cited_keys,
    load_references,
    problems,
    render_page,
)

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("*.py", "*.toml", "*.md", "*.ipynb", "*.cfg")
"""Kinds of file searched for citations."""
FOLDERS = ("simulation", "docs", "notebooks", "experiments", "tests", "benchmarks")
TOP = ("README.md", "CHANGELOG.md", "setup.cfg", "pyproject.toml")
PLANTED = {Path("simulation/references.py"), Path("tests/test_references.py")}
"""Files whose examples cite unknown keys or old forms on purpose (to show the checks fail)."""

OLD_FORMS = re.compile(r"CF §|calibration-facts|calibration facts|DOMAIN\.md|verification\.md|"
                       r"shared/reference|shared/DOMAIN")
"""Citations of the brief's files, which live outside the repository."""


def repository_files(root: Path = ROOT) -> list[Path]:
    """The project's own text files (not generated API pages or results)."""
    files = [root / name for name in TOP if (root / name).exists()]
    for folder in FOLDERS:
        for pattern in SCANNED:
            files += [p for p in (root / folder).rglob(pattern)
                      if "api" not in p.relative_to(root).parts[:2]
                      and ".ipynb_checkpoints" not in p.parts]
    return sorted(set(files))


def unresolved(files: list[Path], refs: dict[str, Reference], root: Path = ROOT) -> list[str]:
    """'file: [key]' for each cited key the reference list does not define."""
    out = []
    for path in files:
        for key in cited_keys(path.read_text(encoding="utf-8")):
            if key not in refs:
                out.append(f"{path.relative_to(root)}: [{key}]")
    return out


def old_citations(files: list[Path], root: Path = ROOT) -> list[str]:
    """'file:line: text' for each citation of a file outside the repository."""
    out = []
    for path in files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if OLD_FORMS.search(line):
                out.append(f"{path.relative_to(root)}:{n}: {line.strip()[:90]}")
    return out


def _own_files() -> list[Path]:
    return [p for p in repository_files() if p.relative_to(ROOT) not in PLANTED]


# ----- every key resolves; nothing cites files outside the repository -------------------------
def test_every_cited_key_resolves():
    files = _own_files()
    assert len(files) > 100 and any(p.suffix == ".ipynb" for p in files)
    missing = unresolved(files, load_references())
    assert not missing, "keys not in simulation/data/references.toml:\n" + "\n".join(missing)


def test_keys_are_cited_where_the_sources_are_used():
    """The conversion is real: parameters, area files, docs and reports cite many sources."""
    refs = load_references()
    text = {p: p.read_text(encoding="utf-8") for p in _own_files()}
    cited = {k for t in text.values() for k in cited_keys(t)}
    assert len(cited) >= 80, len(cited)
    for name in ("simulation/scenario.py", "simulation/finance_parameters.py",
                 "simulation/calibration.py", "simulation/areas/manchester.toml",
                 "docs/model.md", "experiments/integration_levels.toml"):
        assert cited_keys(text[ROOT / name]), f"{name} cites no source by key"
    # every reference is cited somewhere (no dead entries), except via another entry's notes
    in_notes = {k for r in refs.values() for k in cited_keys(r.via + " " + r.note)}
    unused = sorted(set(refs) - cited - in_notes)
    assert not unused, f"references cited nowhere: {unused}"


def test_an_unknown_key_is_reported(tmp_path):
    planted = tmp_path / "simulation" / "lever.py"
    planted.parent.mkdir()
    planted.write_text('SOURCE = "HR 0.9 [no-such-source-2020]; ok [pereira-gray-2017]"\n',
                       encoding="utf-8")
    found = unresolved(repository_files(tmp_path), load_references(), tmp_path)
    assert found == ["simulation/lever.py: [no-such-source-2020]"]


def test_no_citation_of_files_outside_the_repository():
    old = old_citations([p for p in _own_files() if p.name != "CHANGELOG.md"])
    assert not old, "citations a reader cannot follow:\n" + "\n".join(old)


def test_an_old_citation_is_reported(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "page.md").write_text("Rate 5.2 (CF §1d 'Appointments').\nFine.\n",
                                               encoding="utf-8")
    assert old_citations(repository_files(tmp_path), tmp_path) == [
        "docs/page.md:1: Rate 5.2 (CF §1d 'Appointments')."]


# ----- the reference list itself ------------------------------------------------------------------
def test_every_reference_has_its_required_fields():
    refs = load_references()
    assert len(refs) >= 100
    assert not problems(refs), "\n".join(problems(refs))
    web = [r for r in refs.values() if r.type in ("web", "news") and not r.doi]
    assert web and all(r.accessed for r in web)
    assert sum(bool(r.seed) for r in refs.values()) == 5  # the five source articles


def test_missing_fields_are_reported():
    bad = {"no-year": Reference("no-year", "web", "", 2020, url="ftp://x"),
           "ok-2020": Reference("ok-2020", "article", "T", 2020, authors=("A B",), journal="J",
                                doi="10.1/x"),
           "site-2021": Reference("site-2021", "news", "T", 2021, organisation="O",
                                  publisher="P", url="https://example.org", accessed="3 Dec")}
    found = "\n".join(problems(bad))
    for expected in ("[no-year]: the key must be", "[no-year]: needs authors or organisation",
                     "[no-year]: needs a title", "[no-year]: needs a publisher",
                     "is not a web address", "[site-2021]: accessed '3 Dec' is not YYYY-MM-DD"):
        assert expected in found, found
    assert "[ok-2020]" not in found


def test_a_key_must_end_in_its_year():
    r = Reference("smith-2019", "article", "T", 2018, authors=("Smith A",), journal="J",
                  doi="10.1/x")
    assert problems({"smith-2019": r}) == ["[smith-2019]: the key must end in its year (2018)"]


def test_the_references_page_is_current():
    text = REFERENCES_MD.read_text(encoding="utf-8")
    assert text == render_page(), "docs/references.md is stale: run python -m simulation.references"
    headings = set(re.findall(r"^### (\S+)$", text, re.M))
    assert headings == set(load_references())


def test_model_md_links_each_key_to_its_entry():
    model = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    page = REFERENCES_MD.read_text(encoding="utf-8")
    headings = set(re.findall(r"^### (\S+)$", page, re.M))
    defined = dict(re.findall(r"^\[([^\]]+)\]: references\.md#(\S+)$", model, re.M))
    outside = model.split("<!-- BEGIN REFERENCES -->")[0]
    assert set(cited_keys(outside)) <= set(defined)  # every key in the text becomes a link
    assert all(key == anchor and anchor in headings for key, anchor in defined.items())


# ----- reports list what they cite ----------------------------------------------------------------
def references_section_complete(markdown: str) -> list[str]:
    """Keys cited in a Markdown report but missing from its References section (empty if none)."""
    body, _, section = markdown.partition("\n## References\n")
    listed = set(re.findall(r"^- \*\*\[([^\]]+)\]\*\*", section, re.M))
    return sorted(set(cited_keys(body)) - listed)


def test_validation_report_lists_every_source_it_cites():
    from simulation.calibration import TARGETS
    from simulation.validation_report import POLICY_TARGETS, render_markdown

    rows = [{"key": t.key, "target": t.name, "unit": t.unit, "published": t.published,
             "low": t.low, "high": t.high, "value": (t.low + t.high) / 2, "ci_low": t.low,
             "ci_high": t.high, "n_runs": 2, "met": True, "source": t.source,
             "tolerance": t.tolerance, "arm": arm}
            for targets, arm in ((TARGETS, "none"), (POLICY_TARGETS, "full vs none"))
            for t in targets]
    settings = {"generated": "today", "scale": 0.01, "patients": 6000, "years": 2,
                "warmup_days": 120, "replications": 2, "seeds": [1, 2], "run_seconds": 1.0,
                "environment": {"lco_sim_version": "x", "git_commit": "abc", "python": "3.11"}}
    text = render_markdown(pd.DataFrame(rows), None, settings, "not run in this test")
    assert "\n## References\n" in text and "[steventon-2018]" in text
    assert references_section_complete(text) == []
    refs = load_references()
    assert all(k in refs for k in cited_keys(text))
    # the check fails on a report that cites a source it does not list
    assert references_section_complete("Rate [clegg-2016].\n\n## References\n\n"
                                       "- **[nao-2018]** ...\n") == ["clegg-2016"]


def test_citation_pattern_ignores_code_brackets():
    """Index expressions and character classes are not citations; keys with a year are."""
    text = "x[0]; re '[a-z0-9]'; sites[2].beds; [lco-sim](url); see [gross-2008] and [x-nd]"
    assert CITATION.findall(text) == ["gross-2008", "x-nd"]
