"""The release is stated once and the same everywhere: version, date, URL and licence.

``simulation.__version__``, the package metadata (setup.cfg), CITATION.cff and the latest release
of CHANGELOG.md name the same version; the citation's release date is the changelog's; the
changelog keeps an (empty or not) Unreleased section above it.
"""

from __future__ import annotations

import configparser
import datetime as dt
import re
from pathlib import Path

import yaml  # PyYAML is a dependency of dask, which the project installs

import simulation

ROOT = Path(__file__).resolve().parents[1]
RELEASE = re.compile(r"^## \[(?P<version>\d+\.\d+\.\d+)\] - (?P<date>\d{4}-\d{2}-\d{2})$", re.M)


def _cff() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def _latest_release() -> re.Match:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    found = RELEASE.search(text)
    assert found, "CHANGELOG.md has no '## [x.y.z] - YYYY-MM-DD' release heading"
    return found


def test_version_date_and_changelog_agree():
    cff, latest = _cff(), _latest_release()
    assert cff["version"] == simulation.__version__ == latest["version"]
    # YAML reads an unquoted date as a date; either way it is the changelog's
    assert str(cff["date-released"]) == latest["date"]
    dt.date.fromisoformat(latest["date"])


def test_setup_cfg_takes_the_package_version():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    version = cfg["metadata"]["version"].strip()
    if version.startswith("attr:"):  # one source: the package's own __version__
        assert version == "attr: simulation.__version__"
    else:
        assert version == simulation.__version__
    assert cfg["metadata"]["url"] == _cff()["repository-code"]


def test_changelog_keeps_unreleased_above_the_latest_release():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\]", text, flags=re.M)
    assert headings[0] == "Unreleased" and headings[1] == simulation.__version__


def test_citation_is_complete():
    cff = _cff()
    for field in ("cff-version", "message", "type", "title", "abstract", "authors", "version",
                  "date-released", "license", "repository-code", "keywords"):
        assert cff.get(field), field
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "software"
    assert re.fullmatch(r"https://[\w.-]+/[\w.-]+/[\w.-]+", cff["repository-code"])
    assert all(("name" in a) or ("family-names" in a) for a in cff["authors"])
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert cff["license"] == "MIT" and licence.startswith("MIT License")
