"""A review meeting in a real browser (#15): filters by names, a region chosen as a whole subtree.

The director types a Chinese channel name into the sidebar; the view narrows and the address bar carries
the code (``channel=DIST``), so the link works in either language. A region chosen by name keeps its
sub-regions and the link says only ``region=R01``.
"""

from __future__ import annotations

import re

import pytest
from e2e_server import streamlit_server
from review_flow_steps import pick, picker, query
from sqlalchemy import select
from test_browser import MATCHING, TIMEOUT_MS, _matching, _shot, browser  # noqa: F401 - fixtures

from kam_core.db.schema import region
from kam_core.i18n import t

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(demo_engine):
    with streamlit_server(demo_engine.url.render_as_string(hide_password=False)) as (base, _):
        yield base


def test_a_chinese_channel_name_filters_the_view_and_the_link_carries_the_code(browser, server):  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page.goto(f"{server}/?lang=zh", timeout=TIMEOUT_MS)
    page.get_by_text(re.compile(r"符合筛选的客户")).first.wait_for(timeout=TIMEOUT_MS)
    pick(page, t("filters.channel", "zh"), t("channel.DIST", "zh"))  # 一批商
    page.wait_for_url(re.compile(r"channel=DIST"), timeout=TIMEOUT_MS)
    assert query(page)["channel"] == ["DIST"]
    chips = picker(page, t("filters.channel", "zh")).inner_text()
    assert t("channel.DIST", "zh") in chips and "DIST" not in chips.replace("Distributors", "")
    page.get_by_text(re.compile(r"符合筛选的客户")).first.wait_for(timeout=TIMEOUT_MS)
    _shot(page, "filter_by_channel_name_zh")
    page.close()


def test_a_region_chosen_by_name_keeps_its_sub_regions_and_the_link_stays_short(browser, server, demo_engine):  # noqa: F811
    with demo_engine.connect() as conn:
        name = conn.execute(select(region.c.name_en).where(region.c.code == "R01")).scalar_one()
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="en-US")
    page.goto(f"{server}/?lang=en", timeout=TIMEOUT_MS)
    _, total = _matching(page)
    pick(page, t("filters.region", "en"), name)
    page.wait_for_url(re.compile(r"region=R01(&|$)"), timeout=TIMEOUT_MS)
    page.get_by_text(re.compile(r"Includes \d+ sub-regions")).first.wait_for(timeout=TIMEOUT_MS)
    n, total_again = _matching(page)
    assert total_again == total and 0 < n < total
    assert query(page)["region"] == ["R01"]
    chips = picker(page, t("filters.region", "en")).inner_text()
    assert name in chips and "R01" not in chips
    page.close()
