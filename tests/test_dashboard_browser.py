"""The dashboard as a planner uses it: in a real browser (headless Debian Chromium via Playwright).

Starts ``lco-sim dashboard`` on 127.0.0.1 and a free port, changes the integration level and a
capacity slider, presses Reset (which applies settings in Mesa's SolaraViz), steps the model, and
checks that the headline numbers and every chart image change. A screenshot is saved in the test's
temporary folder; set ``LCO_DASHBOARD_SCREENSHOT=path`` to keep a copy (the README's picture,
``docs/images/dashboard.png``, is made that way with ``LCO_DASHBOARD_WEEKS=156``).

Chromium comes from Debian (``make test`` installs it when missing); Playwright's own browser
download is not used.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[1]
STEPS = 6
"""Step presses in the gating test (one simulated week each)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"dashboard exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"dashboard did not answer at {url} within {timeout} s:\n"
                         f"{log.read_text()[-3000:]}")


@pytest.fixture()
def dashboard(tmp_path):
    """The dashboard served by the real command, stopped (with its server child) afterwards."""
    port = free_port()
    log = tmp_path / "dashboard.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "simulation.cli", "dashboard", "--host", "127.0.0.1",
             "--port", str(port)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url, process, log)
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def chart_images(page) -> list[str]:
    """The src of every chart image on the page (matplotlib PNGs as data URLs)."""
    return page.eval_on_selector_all("img", "els => els.map(e => e.src)")


def headline(page) -> str:
    return page.locator(".v-card").filter(has_text="Since 01 Apr").first.inner_text()


def wait_for_day(page, day: int, timeout_ms: int = 60_000) -> None:
    page.get_by_text(re.compile(rf"Day {day:,} of")).first.wait_for(timeout=timeout_ms)


def test_do_nothing_arm_is_the_plain_model_on_the_same_seed():
    """The comparison is honest: the baseline arm is exactly a plain do-nothing run."""
    from simulation.dashboard.model import DashboardModel
    from simulation.model import LCOModel
    from simulation.scenario import Scenario

    dash = DashboardModel(level="full", crisis_response_per_100k_day=5.0, scale=0.005, years=1,
                          seed=7)
    for _ in range(5):
        dash.step()
    plain = LCOModel(Scenario.preset("none", scale=0.005, years=1), seed=7,
                     record_episodes=False).run(days=35)
    assert dash.policy.day == dash.baseline.day == 35
    for metric in ("emergency_admissions", "ae_attendances", "occupied_beds"):
        assert dash.baseline.datacollector.model_vars[metric] == \
            plain.datacollector.model_vars[metric]
    assert dash.policy.scenario.community.crisis_response_per_100k_day == 5.0
    assert dash.baseline.scenario.community.crisis_response_per_100k_day == \
        Scenario().community.crisis_response_per_100k_day
    weekly = dash.weekly()
    assert len(weekly) == 2 * 5
    assert (weekly.groupby("arm")["emergency_admissions"].sum()
            == [dash.totals()["emergency_admissions"][i] for i in (1, 0)]).all()


def test_dashboard_command_refuses_a_bad_port(capsys):
    from simulation.cli import main

    assert main(["dashboard", "--port", "70000"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("lco-sim: error: --port: 70000") and "\n" not in err


@pytest.mark.browser
@pytest.mark.slow
def test_dashboard_in_browser(dashboard, tmp_path):
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is not installed; `make test` installs it " \
                     "(apt-get install -y chromium)"
    weeks = int(os.environ.get("LCO_DASHBOARD_WEEKS", STEPS))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1900})
            page.goto(dashboard)
            page.get_by_role("button", name="Step").wait_for(timeout=90_000)
            wait_for_day(page, 0)

            # 1. change the integration level (a selector) and a capacity slider
            page.locator(".v-select").filter(
                has_text="Integration level offered to practices").locator(".v-input__slot").click()
            page.get_by_role("option", name="partial").click()
            slider = page.get_by_role("slider", name="Crisis team /100k/day")
            before_value = float(slider.get_attribute("aria-valuenow"))
            track = page.locator(".v-input").filter(has_text="Crisis team /100k/day") \
                .locator(".v-slider").first.bounding_box()
            page.mouse.click(track["x"] + 0.4 * track["width"], track["y"] + track["height"] / 2)
            page.wait_for_timeout(1000)  # the change travels to the server
            after_value = float(slider.get_attribute("aria-valuenow"))
            assert after_value > before_value

            # 2. Reset builds a new run with the settings
            page.get_by_role("button", name="Reset").click()
            page.get_by_text("partial integration").first.wait_for(timeout=60_000)
            assert f"crisis team {after_value:g} responses" in headline(page), headline(page)
            images_start = chart_images(page)
            assert len(images_start) >= 6, "expected six charts"

            # 3. step the model, one simulated week per press
            timings = []
            step = page.get_by_role("button", name="Step")
            for week in range(1, min(weeks, STEPS) + 1):
                started = time.perf_counter()
                step.click()
                wait_for_day(page, 7 * week)
                timings.append(time.perf_counter() - started)
            if weeks > STEPS:  # for the README picture: several weeks per press, as a user would
                interval = page.get_by_role("slider", name="Render Interval (steps)")
                interval.focus()
                for _ in range(6):
                    interval.press("ArrowRight")
                    page.wait_for_timeout(300)
                per_press = int(float(interval.get_attribute("aria-valuenow")))
                day = 7 * STEPS
                while day < 7 * weeks:
                    step.click()
                    day += 7 * per_press
                    wait_for_day(page, day, timeout_ms=180_000)
            page.wait_for_timeout(1500)  # let the last images arrive

            # 4. the charts and the headline numbers changed
            text = headline(page)
            images_end = chart_images(page)
            assert len(images_end) == len(images_start)
            changed = sum(a != b for a, b in zip(images_start, images_end, strict=False))
            total = len(images_start)
            assert changed == total, f"only {changed} of {total} charts changed"
            admissions = re.search(r"Emergency admissions\s+([\d,]+)\s+([\d,]+)", text)
            assert admissions and int(admissions.group(1).replace(",", "")) > 0, text
            print(f"seconds per Step press (one simulated week, both arms, charts redrawn): "
                  f"{', '.join(f'{t:.2f}' for t in timings)}")

            # 5. a picture for people to look at
            shot = tmp_path / "dashboard.png"
            page.screenshot(path=shot, full_page=True)
            assert shot.stat().st_size > 50_000
            keep = os.environ.get("LCO_DASHBOARD_SCREENSHOT")
            if keep:
                Path(keep).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(shot, keep)
        finally:
            browser.close()
