import datetime as dt
import json
import re

import pytest
from kam_tiny_db import seed_tiny

from kam_core.filters import Filters
from kam_core.i18n import t
from kam_core.report import build_review_pack
from kam_core.scope import Scope

NOW = dt.datetime(2026, 7, 1, 9, 30)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from kam_core.db import ensure_schema, get_engine

    engine = get_engine(f"sqlite:///{tmp_path_factory.mktemp('pack') / 'kam.db'}")
    ensure_schema(engine)
    seed_tiny(engine)
    return engine


@pytest.fixture(scope="module")
def packs(tiny):
    return {lang: build_review_pack(tiny, Filters(lang=lang), lang=lang, now=NOW).decode("utf-8")
            for lang in ("zh", "en")}


def test_the_pack_is_one_self_contained_file(packs):
    doc = packs["en"]
    assert not re.search(r"<(script|link|img|iframe)[^>]*(src|href)\s*=\s*[\"']?(https?:)?//", doc, re.I)
    assert doc.count("<script") >= 4
    # plotly.js itself is inlined exactly once, however many charts there are
    assert doc.count("plotly.js v") == 1 or doc.count("* plotly.js") == 1
    assert "@media print" in doc


@pytest.mark.parametrize("lang, other", [("zh", "en"), ("en", "zh")])
def test_the_pack_is_in_the_language_asked_for(packs, lang, other):
    doc = packs[lang]
    assert f"<title>{t('report.title', lang)}</title>" in doc
    assert t("report.title", other) not in doc
    for key in ("report.kpi.net_sales", "report.table.key_accounts"):
        assert t(key, lang) in doc
    assert json.dumps(t("report.chart.pyramid", lang)) in doc  # inside the figure's JSON


def test_the_pack_states_kpis_period_filters_and_time(tiny):
    doc = build_review_pack(tiny, Filters(channel=("DIST", "WHS2"), lang="en"), now=NOW).decode()
    assert "Generated: 2026-07-01 09:30 UTC" in doc
    assert "Channel: Distributors, Wholesalers" in doc
    assert "as of Jun 10, 2026" in doc  # the last order date
    # DIST+WHS2: A001 (176,400) and A002 (58,800) net sales; A003 (KA) is filtered out
    kpis = dict(re.findall(r"<div class='label'>([^<]+)</div><div class='value'>([^<]+)</div>", doc))
    assert kpis["Accounts"] == "2"
    assert "235" in kpis["Net sales"]
    assert "Beijing Mart" not in doc and "北京卖场" not in doc


def test_a_rep_only_sees_their_accounts_in_the_pack(tiny):
    doc = build_review_pack(tiny, Filters(lang="en"), Scope("rep", "REP002"), now=NOW).decode()
    kpis = dict(re.findall(r"<div class='label'>([^<]+)</div><div class='value'>([^<]+)</div>", doc))
    assert kpis["Accounts"] == "1"
    assert "杭州一批" not in doc and "Viewer scope: rep:REP002" in doc


def test_no_matching_accounts_gives_a_pack_that_says_so(tiny):
    doc = build_review_pack(tiny, Filters(channel=("ONPREM",), lang="en"), now=NOW).decode()
    assert t("report.empty", "en") in doc and "<script" not in doc
