"""The review pack shows the loss tier as bars, carries units on its KPIs and axes, states its time in a named
local zone, and stays small (plotly.js gzipped once, chart data rounded) while opening offline."""

import datetime as dt
import json
import re

import pytest
from kam_tiny_db import seed_tiny
from plotly.offline import get_plotlyjs

from kam_core.filters import Filters
from kam_core.i18n import t
from kam_core.report import build_review_pack
from kam_core.report.pack import local_stamp
from kam_core.vocab import PYRAMID_COLORS

NOW = dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from kam_core.db import ensure_schema, get_engine

    engine = get_engine(f"sqlite:///{tmp_path_factory.mktemp('pack_charts') / 'kam.db'}")
    ensure_schema(engine)
    seed_tiny(engine)
    return engine


@pytest.fixture(scope="module")
def doc(tiny):
    return build_review_pack(tiny, Filters(lang="en"), lang="en", now=NOW).decode("utf-8")


def _figures(doc: str) -> list[dict]:
    return [
        json.loads(s)
        for s in re.findall(r'<script type="application/json" class="kam-figure"[^>]*>(.*?)</script>', doc)
    ]


def _kpis(doc: str) -> dict[str, str]:
    return dict(re.findall(r'<div class="label">([^<]+)</div><div class="value">([^<]+)</div>', doc))


def test_the_loss_tier_is_drawn_as_bars_in_the_lead_colour(doc):
    titles = {f["layout"]["title"]["text"]: f for f in _figures(doc)}
    tiers = titles[t("report.chart.tier_profit", "en")]
    assert tiers["data"][0]["type"] == "bar" and tiers["data"][0]["marker"]["color"][-1] == PYRAMID_COLORS["lead"]
    assert tiers["layout"]["yaxis"]["tickprefix"] == "¥"


def test_kpi_values_carry_their_units(doc):
    kpis = _kpis(doc)
    assert kpis["Accounts"].endswith("accounts")
    assert kpis["Net sales"].startswith("¥") and kpis["Net customer profit"].startswith("¥")
    assert kpis["Profit from the top 20%"].endswith("%") or kpis["Profit from the top 20%"] == t("common.none", "en")
    assert kpis[t("report.kpi.loss_accounts", "en")].endswith(("account", "accounts"))
    assert kpis[t("report.kpi.loss_total", "en")].lstrip("-").startswith("¥")


def test_kpi_units_in_chinese(tiny):
    zh = build_review_pack(tiny, Filters(lang="zh"), lang="zh", now=NOW).decode("utf-8")
    kpis = _kpis(zh)
    assert kpis["客户数"].endswith("个客户") and kpis["净销售额"].startswith("¥")


def test_the_time_is_local_and_names_its_zone(tiny, doc):
    assert "Generated: 2026-07-01 17:30 Asia/Shanghai (UTC+08:00)" in doc
    berlin = build_review_pack(tiny, Filters(lang="en"), lang="en", now=NOW, tz="Europe/Berlin").decode()
    assert "Generated: 2026-07-01 11:30 Europe/Berlin (UTC+02:00)" in berlin
    assert local_stamp(NOW, "Not/AZone") == "2026-07-01 17:30 Asia/Shanghai (UTC+08:00)"  # unknown: the default


def test_the_pack_is_far_smaller_than_plotly_js_alone_and_fetches_nothing(doc):
    # measured on the demo (2,000 accounts): 5,258,097 bytes before (plotly.js inlined raw), 2,380,797 after
    assert len(doc.encode()) < 0.5 * len(get_plotlyjs().encode())
    assert doc.count('id="kam-plotly"') == 1
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", doc, re.I)


def test_the_packed_plotly_is_the_bundled_copy():
    import base64
    import gzip

    from kam_core.report.template import plotly_gzip_base64

    assert gzip.decompress(base64.b64decode(plotly_gzip_base64())).decode() == get_plotlyjs()
