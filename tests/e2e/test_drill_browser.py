"""Drill-down in a real browser (#15.4): a click on a chart point opens that account's card with the view
kept; a click on a pyramid tier sets the sidebar's tier filter (and the link carries ``tier=<code>``)."""

from __future__ import annotations

import re

import pytest
from e2e_server import streamlit_server
from review_flow_steps import centre, query
from test_browser import TIMEOUT_MS, _shot, browser  # noqa: F401 - fixtures

from kam_core.i18n import t

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(demo_engine):
    with streamlit_server(demo_engine.url.render_as_string(hide_password=False)) as (base, _):
        yield base


def test_a_clicked_quadrant_point_opens_that_accounts_card_with_the_filters_kept(browser, server):  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    # zh: not the server's default language, so the URL must carry it
    page.goto(f"{server}/risk?lang=zh&channel=KA", timeout=TIMEOUT_MS)
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for(timeout=TIMEOUT_MS)
    point = chart.locator(".scatterlayer .trace").last.locator("path.point").first  # a flagged account
    point.wait_for(timeout=TIMEOUT_MS)
    page.mouse.move(*centre(point))
    hover = page.locator(".hoverlayer .hovertext").first
    hover.wait_for(timeout=TIMEOUT_MS)
    account_id = hover.text_content().split()[0]  # the hover says "ID name"
    page.mouse.click(*centre(point))
    page.wait_for_url(re.compile(r"/account\?"), timeout=TIMEOUT_MS)
    page.get_by_text(t("account.title", "zh")).first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function("() => new URLSearchParams(location.search).get('channel') === 'KA'", timeout=TIMEOUT_MS)
    q = query(page)
    assert q["account"] == [account_id] and q["lang"] == ["zh"] and q["channel"] == ["KA"], page.url
    box = page.get_by_role("textbox", name=t("account.id_label", "zh"))
    page.wait_for_function("([el, v]) => el.value === v", arg=[box.element_handle(), account_id], timeout=TIMEOUT_MS)
    _shot(page, "drill_quadrant_to_card")
    page.close()


def test_a_clicked_pyramid_tier_sets_the_tier_filter(browser, server):  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page.goto(f"{server}/pyramid?lang=en", timeout=TIMEOUT_MS)
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for(timeout=TIMEOUT_MS)
    bars = chart.locator(".funnellayer .point")
    bars.first.wait_for(timeout=TIMEOUT_MS)
    page.mouse.click(*centre(bars.nth(1)))  # platinum on top, then gold
    page.wait_for_url(re.compile(r"tier=gold"), timeout=TIMEOUT_MS)
    assert query(page)["tier"] == ["gold"]
    picker = page.get_by_test_id("stMultiSelect").filter(has=page.get_by_text(t("filters.tier", "en"), exact=True))
    picker.first.get_by_text(t("pyramid_tier.gold", "en")).first.wait_for(timeout=60_000)  # the chip "Gold · 黄金"
    _shot(page, "drill_pyramid_tier")
    page.close()
