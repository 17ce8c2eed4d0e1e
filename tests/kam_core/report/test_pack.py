import dataclasses
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
    return {
        lang: build_review_pack(tiny, Filters(lang=lang), lang=lang, now=NOW).decode("utf-8") for lang in ("zh", "en")
    }


def test_the_pack_is_one_self_contained_file(packs):
    doc = packs["en"]
    assert not re.search(r"<(script|link|img|iframe)[^>]*(src|href)\s*=\s*[\"']?(https?:)?//", doc, re.I)
    assert doc.count("<script") >= 4
    # plotly.js itself is inlined exactly once (gzipped, see test_pack_size.py), however many charts there are
    assert doc.count('id="kam-plotly"') == 1 and doc.count("DecompressionStream") == 1
    assert "@media print" in doc


@pytest.mark.parametrize("lang, other", [("zh", "en"), ("en", "zh")])
def test_the_pack_is_in_the_language_asked_for(packs, lang, other):
    doc = packs[lang]
    assert f"<title>{t('report.title', lang)}</title>" in doc
    assert t("report.title", other) not in doc
    for key in ("report.kpi.net_sales", "report.table.key_accounts"):
        assert t(key, lang) in doc
    assert json.dumps(t("report.chart.pyramid", lang), ensure_ascii=False) in doc  # inside the figure's JSON


def test_the_pack_states_kpis_period_filters_and_time(tiny):
    doc = build_review_pack(tiny, Filters(channel=("DIST", "WHS2"), lang="en"), now=NOW).decode()
    assert "Generated: 2026-07-01 17:30 Asia/Shanghai (UTC+08:00)" in doc  # naive NOW is UTC
    assert "Channel: Distributors, Wholesalers" in doc
    assert "as of Jun 10, 2026" in doc  # the last order date
    # DIST+WHS2: A001 (176,400) and A002 (58,800) net sales; A003 (KA) is filtered out
    kpis = dict(re.findall(r'<div class="label">([^<]+)</div><div class="value">([^<]+)</div>', doc))
    assert kpis["Accounts"] == "2 accounts"  # every KPI value carries its unit
    assert "235" in kpis["Net sales"]
    assert "Beijing Mart" not in doc and "北京卖场" not in doc


def test_a_rep_only_sees_their_accounts_in_the_pack(tiny):
    doc = build_review_pack(tiny, Filters(lang="en"), Scope("rep", "REP002"), now=NOW).decode()
    kpis = dict(re.findall(r'<div class="label">([^<]+)</div><div class="value">([^<]+)</div>', doc))
    assert kpis["Accounts"] == "1 account"
    assert "杭州一批" not in doc and "Hangzhou Dist" not in doc
    assert "Viewer scope: Rep REP002: own accounts" in doc


def test_no_matching_accounts_gives_a_pack_that_says_so(tiny):
    doc = build_review_pack(tiny, Filters(channel=("ONPREM",), lang="en"), now=NOW).decode()
    assert t("report.empty", "en") in doc and "<script" not in doc


@pytest.fixture(scope="module")
def risky_packs(tiny):
    """Packs of a bundle where A001 is high-volume-low-loyalty and a diversion suspect, with the analytics'
    structured reasons and evidence (the tiny database plants neither), and inputs missing."""
    from kam_core.queries.scorecard import compute_scorecard_bundle

    bundle = compute_scorecard_bundle(tiny)
    df = bundle.scorecard.copy()
    a001 = df["account_id"] == "A001"
    df["high_volume_low_loyalty"] = a001
    df["diversion_flag"] = a001
    df["hvll_reason_items"] = [
        [
            {"component": "sow", "value": 0.3, "percentile": 10.0, "channel": "DIST"},
            {"component": "tenure_years", "value": 2.5, "percentile": 20.0, "channel": "DIST"},
        ]
        if hit
        else []
        for hit in a001
    ]
    df["hvll_reasons"] = [["share of wallet 30% (percentile 10 in Distributors)"] if hit else [] for hit in a001]
    df["diversion_evidence_items"] = [
        [{"signal": "S7", "share": 0.5}, {"signal": "S5", "checks": 2}] if hit else [] for hit in a001
    ]
    df["diversion_evidence"] = [
        ["S7 50% of orders shipped outside the authorised territory"] if hit else [] for hit in a001
    ]
    assert bundle.missing_inputs  # the tiny database has no code scans, rebates, ...
    bundle = dataclasses.replace(bundle, scorecard=df)
    return {
        lang: build_review_pack(tiny, Filters(lang=lang), lang=lang, now=NOW, bundle=bundle).decode("utf-8")
        for lang in ("zh", "en")
    }


def test_the_english_pack_names_accounts_in_english_and_the_chinese_pack_in_chinese(risky_packs):
    en, zh = risky_packs["en"], risky_packs["zh"]
    for name_zh, name_en in (("杭州一批", "Hangzhou Dist"), ("北京卖场", "Beijing Mart")):
        assert f"<td>{name_en}</td>" in en and name_zh not in en
        assert f"<td>{name_zh}</td>" in zh and name_en not in zh
    assert "Hangzhou Dist" in en.split('<section class="tables">')[0]  # the chart's hover labels too


def test_risk_reasons_evidence_and_data_notes_follow_the_pack_language(risky_packs):
    en, zh = risky_packs["en"], risky_packs["zh"]
    assert "share of wallet 30% (percentile 10 in Distributors)" in en
    assert "tenure 2.5 years (percentile 20 in Distributors)" in en
    assert "S7 50% of orders shipped outside the authorised territory" in en
    assert "No code scans data: diversion signal S1 not available." in en
    assert "钱包份额 30%（一批商渠道内第 10 百分位）" in zh and "合作年限 2.5 年" in zh
    assert "S7 50% 的订单发往授权区域以外" in zh and "S5 2 次市场价格检查低于最低限价" in zh
    assert "没有扫码数据：无法计算串货信号 S1。" in zh
    text = re.sub(r"<script.*?</script>", "", zh, flags=re.S)  # plotly.js itself holds English words
    for english in ("share of wallet", "percentile", "outside the authorised", "not available", "No code scans"):
        assert english not in text


def test_the_viewer_scope_and_filters_are_stated_in_the_pack_language(tiny):
    zh = build_review_pack(
        tiny, Filters(region=("R01",), rep=("REP001",), lang="zh"), Scope("rep", "REP001"), now=NOW
    ).decode()
    en = build_review_pack(
        tiny, Filters(region=("R01",), rep=("REP001",), lang="en"), Scope("rep", "REP001"), now=NOW
    ).decode()
    assert "查看范围：业务员 REP001：本人客户" in zh and "rep:REP001" not in zh
    assert "区域: 华东（R01）" in zh and "业务员: 张三（REP001）" in zh
    assert "Region: East (R01)" in en and "Sales rep: Zhang San (REP001)" in en


def test_markup_in_an_account_name_is_text_in_the_pack_tables(tiny):
    from kam_core.db.schema import account

    hostile = "<img src=x onerror=alert(1)><b>Evil</b>"
    with tiny.begin() as conn:
        old = conn.execute(account.select().where(account.c.account_id == "A001")).mappings().one()
        conn.execute(account.update().where(account.c.account_id == "A001").values(name=hostile, name_en=hostile))
    try:
        doc = build_review_pack(tiny, Filters(lang="en"), now=NOW).decode()
    finally:
        with tiny.begin() as conn:
            conn.execute(
                account.update().where(account.c.account_id == "A001").values(name=old["name"], name_en=old["name_en"])
            )
    tables = doc.split('<section class="tables">')[1]
    assert "&lt;img src=x onerror=alert(1)&gt;&lt;b&gt;Evil&lt;/b&gt;" in tables
    assert "<img" not in tables and "<b>Evil" not in tables
