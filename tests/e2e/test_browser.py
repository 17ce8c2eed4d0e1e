"""A real browser on a real server: shared links rebuild the filtered view, survive page switches, switch language."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from e2e_server import CHROMIUM_ARGS, chromium_path, streamlit_server

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parent / "screenshots"
MATCHING = re.compile(r"Accounts matching the filters: (\d+) of (\d+)")
TIMEOUT_MS = 120_000


def missing(reason: str) -> None:
    """Skip locally; fail when KAM_REQUIRE_E2E=1 (``.ci/run``), where a silent skip would hide the browser tests."""
    if os.environ.get("KAM_REQUIRE_E2E") == "1":
        pytest.fail(f"KAM_REQUIRE_E2E=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def playwright_sync_api():
    """``playwright.sync_api``, or None when Playwright is not installed."""
    try:
        from playwright import sync_api
    except ImportError:
        return None
    return sync_api


@pytest.fixture(scope="module")
def browser():
    if chromium_path() is None:
        missing("chromium is not installed (apt-get install chromium; CI installs it)")
    sync_api = playwright_sync_api()
    if sync_api is None:
        missing("playwright is not installed (pip install -r requirements-dev.txt)")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(demo_engine):
    with streamlit_server(demo_engine.url.render_as_string(hide_password=False)) as (base, _):
        yield base


def _matching(page) -> tuple[int, int]:
    caption = page.get_by_text(MATCHING).first
    caption.wait_for(timeout=TIMEOUT_MS)
    found = MATCHING.search(caption.inner_text())
    return int(found.group(1)), int(found.group(2))


def _shot(page, name: str) -> None:
    charts = page.locator(".js-plotly-plot .main-svg")
    if page.locator(".js-plotly-plot").count():
        charts.first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_timeout(500)  # let the last chart finish its layout
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def _idle(page, quiet_ms: int = 1000) -> None:
    """Wait until no script run is in progress for ``quiet_ms`` (Streamlit's running indicator is gone).

    A navigation click that lands while the first page is still running (charts, a selection rerun) was seen
    once in three CI runs to open the next page without the bound parameters; that race is recorded in the
    closing note of 2026-12-03. This test is about links surviving a page switch, so it switches when idle.
    """
    deadline = time.perf_counter() + TIMEOUT_MS / 1000
    quiet_since = time.perf_counter()
    while time.perf_counter() < deadline:
        if page.locator("[data-testid=stStatusWidget]").count():
            quiet_since = time.perf_counter()
        elif (time.perf_counter() - quiet_since) * 1000 >= quiet_ms:
            return
        page.wait_for_timeout(100)
    raise TimeoutError("the page kept running")


def test_shared_links_rebuild_the_view_and_survive_page_switches_and_language(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="en-US")
    started = time.perf_counter()
    page.goto(f"{server}/risk?channel=KA&lang=en", timeout=TIMEOUT_MS)
    n_ka, total = _matching(page)
    print(f"first risk render {time.perf_counter() - started:.1f}s")
    assert 0 < n_ka < total
    assert page.get_by_role("heading", name=re.compile("Risk")).first.is_visible()
    _shot(page, "risk_ka_en")

    _idle(page)
    page.get_by_role("link", name="Pyramid").first.click()
    page.wait_for_url(re.compile(r"/pyramid\?.*channel=KA"), timeout=TIMEOUT_MS)
    page.get_by_role("heading", name=re.compile("Customer pyramid")).first.wait_for(timeout=TIMEOUT_MS)
    assert _matching(page) == (n_ka, total)
    _shot(page, "pyramid_ka_en")

    page.get_by_text("zh", exact=True).first.click()
    page.get_by_role("heading", name=re.compile("客户金字塔")).first.wait_for(timeout=TIMEOUT_MS)
    assert "channel=KA" in page.url
    _shot(page, "pyramid_ka_zh")

    other = browser.new_page(viewport={"width": 1400, "height": 900}, locale="en-US")
    other.goto(f"{server}/segments?region=R01&tier=gold&tier=platinum&lang=en", timeout=TIMEOUT_MS)
    n_seg, total_seg = _matching(other)
    assert 0 < n_seg < total_seg
    assert "region=R01" in other.url
    _shot(other, "segments_r01_en")
    other.close()
    page.close()


def test_a_bad_link_shows_a_notice_instead_of_an_error(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="en-US")
    page.goto(f"{server}/?lang=en&channel=BEER&start=2026-02-30&evil=%3Cscript%3E", timeout=TIMEOUT_MS)
    _matching(page)
    page.get_by_text(re.compile(r"Ignored unknown link parameter evil=<script>")).first.wait_for(timeout=TIMEOUT_MS)
    assert page.get_by_text(re.compile("Traceback")).count() == 0
    _shot(page, "overview_bad_link")
    page.close()


@pytest.mark.parametrize(
    ("required", "outcome"),
    [("1", pytest.fail.Exception), ("", pytest.skip.Exception)],
    ids=["ci-fails", "local-skips"],
)
def test_a_missing_browser_fails_in_ci_and_skips_locally(monkeypatch, required, outcome):
    monkeypatch.setenv("KAM_REQUIRE_E2E", required)
    with pytest.raises(outcome, match="chromium"):
        missing("chromium is not installed")
