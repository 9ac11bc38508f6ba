"""The evidence pack end to end: sweep a tiny experiment, write the report, check it in Chromium."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from simulation.cli import main

EXPERIMENT = """
name = "bc-test"
years = 2
scale = 0.015
replications = 2
metrics = ["population", "gp_appointments_met", "ae_attendances", "emergency_admissions",
           "short_stay_admissions", "delayed_discharge_bed_days", "crisis_responses",
           "case_managed", "social_prescribed", "occupied_beds", "home_support_occupied",
           "community_beds_occupied"]
period = "year"
baseline = "level=none"

[base.overrides]
"finance.ward_size" = 20
"integration.case_management.hazard_rr" = 0.7   # more optimistic than the evidence-based 0.95

[design]
kind = "grid"
[design.factors]
"integration.level" = ["none", "full"]
"""


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bc")
    (root / "bc.toml").write_text(EXPERIMENT, encoding="utf-8")
    assert main(["sweep", str(root / "bc.toml"), "--out", str(root / "bc-test"), "--workers", "1",
                 "--quiet"]) == 0
    assert main(["report", str(root / "bc-test")]) == 0
    return root / "bc-test" / "report"


@pytest.mark.slow
def test_report_writes_html_csv_and_excel(pack):
    names = {p.name for p in pack.iterdir()}
    assert {"report.html", "business_case.xlsx", "options_appraisal.csv", "sensitivity.csv",
            "assumptions.csv", "spend_by_sector.csv", "report_manifest.json"} <= names
    options = pd.read_csv(pack / "options_appraisal.csv")
    assert list(options["option"]) == ["level=none", "level=full"]
    assert options["npv_economic"].notna().iloc[1]
    sheets = pd.read_excel(pack / "business_case.xlsx", sheet_name=None)
    assert "options_appraisal" in sheets and len(sheets["sensitivity"]) > 0
    assumptions = pd.read_csv(pack / "assumptions.csv")
    assert {"finance.ward_size", "integration.level", "run.scale"} <= set(assumptions["parameter"])
    assert assumptions.set_index("parameter").loc["finance.ward_size", "source"].startswith(
        "ASSUMPTION")
    # a user's more optimistic lever is listed, with the evidence it departs from
    optimistic = assumptions.set_index("parameter").loc["integration.case_management.hazard_rr"]
    assert "[poupard-2020]" in optimistic["source"] and "0.7" in str(optimistic.to_dict())
    html = (pack / "report.html").read_text(encoding="utf-8")
    assert "<img src=\"data:image/png;base64," in html and "<script" not in html
    assert "distinguishable from zero" in html or "different from zero" in html


@pytest.mark.slow
def test_report_lists_every_source_it_cites(pack):
    """The report's References section gives each source it cites by key in full.

    The workbook's references sheet covers every key its tables cite: no file outside is needed.
    """
    import re

    from simulation.references import cited_keys, load_references

    html = (pack / "report.html").read_text(encoding="utf-8")
    body, heading, section = html.partition("<h2 id='references'>References</h2>")
    assert heading, "the report has no References section"
    cited, listed = cited_keys(body), re.findall(r'<li id="ref-([^"]+)">', section)
    assert len(cited) >= 5 and sorted(cited) == sorted(listed)
    known = load_references()
    assert all(k in known for k in listed)
    assert 'href="#ref-poupard-2020"' in body  # the source cell links to its citation
    assert "doi.org/10.1071/AH18135" in section  # ... which is given in full
    sheets = pd.read_excel(pack / "business_case.xlsx", sheet_name=None)
    in_tables = {k for name, df in sheets.items() if name != "references"
                 for k in cited_keys(df.astype(str).to_csv(index=False))}
    assert in_tables and in_tables == set(sheets["references"]["key"])
    assert sheets["references"]["citation"].str.len().min() > 40


def test_report_refuses_a_folder_that_is_not_an_experiment(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("lco-sim: error:") and "lco-sim sweep" in err and "\n" not in err
    assert not (tmp_path / "report").exists()


@pytest.mark.browser
@pytest.mark.slow
def test_report_renders_in_headless_chromium(pack):
    chromium = shutil.which("chromium")
    assert chromium, "Chromium is needed: apt-get install -y chromium (the Makefile test step)"
    from playwright.sync_api import sync_playwright

    shot = pack / "report_screenshot.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto((pack / "report.html").resolve().as_uri())
        assert page.title().startswith("Business case evidence pack")
        headings = page.locator("h2").all_inner_texts()
        assert {"Options appraisal", "Time profile", "Sensitivity",
                "Assumptions that differ from the defaults"} <= set(headings)
        assert page.locator("table").count() >= 6
        first = page.locator("table").first.inner_text()
        assert "level=full" in first and "NPV economic" in first
        widths = page.eval_on_selector_all(
            "img", "imgs => imgs.map(i => i.complete && i.naturalWidth)")
        assert len(widths) >= 4 and all(w and w > 100 for w in widths)
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert shot.stat().st_size > 20_000
    shutil.copy(shot, Path("/tmp") / "lco_report_screenshot.png")


@pytest.mark.slow
def test_npv_and_bcr_recomputed_from_the_workbooks_yearly_flows(pack):
    """An independent check, without the finance code: discount the workbook's yearly flows.

    Each replication's costs and benefits by year are discounted at the scenario's rate from year
    1 (the present-value year, undiscounted); their means must equal the options appraisal's NPV
    and BCR, and the NPV decomposition's components must add up to the same NPVs.
    """
    import tomllib

    import numpy as np

    sheets = pd.read_excel(pack / "business_case.xlsx", sheet_name=None)
    flows, options = sheets["appraisal_flows"], sheets["options_appraisal"].set_index("option")
    with open(pack.parent / "base_scenario.toml", "rb") as fh:
        rate = tomllib.load(fh)["finance"]["discount_rate"]
    parts = [c for c in flows.columns if c.startswith(("programme_", "optimism_bias_",
                                                        "activity_"))]
    np.testing.assert_allclose(flows[parts].sum(axis=1), flows["costs"], rtol=1e-9, atol=1e-3)
    for arm, f in flows.groupby("arm"):
        per = []
        for _, g in f.groupby("replication"):
            d = (1 + rate) ** -(g["year"] - 1.0)
            c, be, bc = (float((g[k] * d).sum()) for k in ("costs", "benefits_economic",
                                                            "benefits_cash"))
            per.append((be - c, be / c, bc - c))
        npv_e, bcr_e, npv_c = np.mean(per, axis=0)
        row = options.loc[arm]
        assert npv_e == pytest.approx(row["npv_economic"], rel=1e-9, abs=1e-3)
        assert bcr_e == pytest.approx(row["bcr_economic"], rel=1e-9)
        assert npv_c == pytest.approx(row["npv_cash"], rel=1e-9, abs=1e-3)
        dec = sheets["npv_decomposition"]
        dec = dec[dec["arm"] == arm]
        economic = dec[dec["in_npv"].isin(["both", "economic"])]["pv"].sum()
        assert economic == pytest.approx(npv_e, rel=1e-9, abs=1e-3)
    html = (pack / "report.html").read_text(encoding="utf-8")
    assert "What drives the NPV" in html and "Switching values" in html
    assert "present-value year" in html and "risk register" in html
