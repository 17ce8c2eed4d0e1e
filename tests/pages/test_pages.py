"""Page smoke tests and URL → filter seeding with streamlit's AppTest on the small demo database."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from kam_core.filters import Filters, apply_filters
from kam_core.i18n import t
from kam_core.i18n.markup import shown_text
from kam_core.queries.scorecard import compute_scorecard

pytest.importorskip("streamlit.testing.v1")
from streamlit.testing.v1 import AppTest  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
OWN_PAGES = ["overview", "segments", "pyramid", "risk", "plan", "data"]
MATCHING = re.compile(r"Accounts matching the filters: (\d+) of (\d+)")


@pytest.fixture
def app(demo_engine, launcher, monkeypatch):
    """A fresh AppTest of the frame against the session's demo database."""
    monkeypatch.setenv("KAM_DATABASE_URL", demo_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("KAM_DEFAULT_LANG", "zh")
    return AppTest.from_file(launcher, default_timeout=180)


def _open(at: AppTest, page: str = "overview", **params) -> AppTest:
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        at.switch_page(f"p/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _rerun(at: AppTest, page: str | None = None) -> AppTest:
    if page:
        at.switch_page(f"p/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _matching(at: AppTest) -> tuple[int, int]:
    for caption in at.caption:
        found = MATCHING.search(caption.value)
        if found:
            return int(found.group(1)), int(found.group(2))
    raise AssertionError(f"no 'matching' caption in {[c.value for c in at.caption]}")


@pytest.mark.parametrize("page", OWN_PAGES)
def test_every_page_renders_its_title_without_exception_or_error(app, page):
    at = _open(app, page)
    assert at.header[0].value == t(f"{page}.title", "zh")
    assert not at.error, [e.value for e in at.error]


def test_overview_shows_six_kpis_and_the_change_vs_the_same_period_last_year(app):
    at = _open(app, lang="en")
    labels = [shown_text(m.label) for m in at.metric]
    mode = t("yoy.mode.last_year", "en")  # the default comparison since issue #15.3 (was: the previous period)
    assert labels == [
        t(f"overview.{k}", "en")
        for k in ("net_sales", "gross_profit", "net_profit", "key_accounts", "concentration", "at_risk")
    ] + [t("yoy.kpi.net_sales_change", "en", mode=mode), t("yoy.kpi.cases_change", "en", mode=mode)]
    assert all(m.value not in ("", "–") for m in at.metric)
    assert t("yoy.no_targets", "en") in [shown_text(i.value) for i in at.info]  # the demo has no targets


def test_a_shared_link_seeds_the_filters_and_filters_the_rows(app, demo_engine):
    at = _open(app, region="R01", channel=["KA", "DIST"], lang="en", start="2026-01-01")
    assert at.multiselect(key="region").value == ["R01"]
    assert sorted(at.multiselect(key="channel").value) == ["DIST", "KA"]
    assert at.radio(key="lang").value == "en"
    assert str(at.date_input(key="start").value) == "2026-01-01"
    end = at.date_input(key="end").value
    full = compute_scorecard(demo_engine, as_of=end, since="2026-01-01")
    paths = {"R01": "R01"}
    expected = apply_filters(full, Filters(region=("R01",), channel=("DIST", "KA")), paths)
    assert _matching(at) == (len(expected), len(full))
    assert 0 < len(expected) < len(full)
    link = next(c.value for c in at.code if "?" in c.value)  # the "link to this view" popover
    assert "region=R01" in link and "channel=DIST" in link and "channel=KA" in link and "lang=en" in link


def test_bad_link_parameters_are_dropped_with_a_notice_and_never_crash(app):
    at = _open(
        app,
        lang="en",
        region=["R01", "NOPE'; drop table account;--"],
        tier="diamond",
        scope="director:*",
        start="2026-02-30",
    )
    texts = [shown_text(c.value) for c in at.caption]  # the values are escaped markdown (issue #13.2)
    assert any("scope" in x and "director:*" in x for x in texts)
    assert any("diamond" in x for x in texts)
    assert any("2026-02-30" in x for x in texts)
    assert at.multiselect(key="region").value == ["R01"]
    assert at.multiselect(key="tier").value == []


def test_changing_a_filter_narrows_the_view_and_updates_the_url(app):
    at = _open(app, lang="en")
    n_all, total = _matching(at)
    started = time.perf_counter()
    at.multiselect(key="channel").set_value(["KA"])
    _rerun(at)
    elapsed = time.perf_counter() - started
    n_ka, _ = _matching(at)
    assert 0 < n_ka < n_all == total
    assert at.multiselect(key="channel").value == ["KA"]
    print(f"filter change rerun: {elapsed * 1000:.0f} ms")


def test_switching_language_relabels_the_page(app):
    at = _open(app)
    assert at.header[0].value == t("overview.title", "zh")
    at.radio(key="lang").set_value("en")
    _rerun(at)
    assert at.header[0].value == t("overview.title", "en")
    assert at.metric[0].label == t("overview.net_sales", "en")


def test_filters_survive_a_page_switch(app):
    at = _open(app, "risk", channel="KA", lang="en")
    assert at.multiselect(key="channel").value == ["KA"]
    n_risk = _matching(at)
    _rerun(at, "pyramid")
    assert at.multiselect(key="channel").value == ["KA"]
    assert _matching(at) == n_risk


def test_risk_lists_link_each_account_to_its_card(app):
    at = _open(app, "risk", lang="en")
    frames = [df.value for df in at.dataframe if "card" in df.value.columns]
    assert frames, "no account table with a card link"
    links = frames[0]["card"].tolist()
    # the card keeps the view: the language and the sidebar's period (more filters: tests/pages/test_drill_pages.py)
    card = re.compile(r"account\?account=[^&]+&lang=en&start=\d{4}-\d\d-\d\d&end=\d{4}-\d\d-\d\d")
    assert all(card.fullmatch(link) for link in links), links[:3]


def test_a_bad_import_file_shows_the_row_level_report_and_writes_nothing(app, demo_engine):
    from sqlalchemy import func, select

    from kam_core.db.schema import visit

    with demo_engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(visit)).scalar()
    at = _open(app, "data", lang="en")
    at.radio(key="import_kind").set_value("table").run()
    at.selectbox(key="import_table").set_value("visit")
    at.file_uploader(key="import_file").upload(
        "visits.csv", b"account_id,visit_date,visit_type\nNOPE,2026-13-45,teleport\n", "text/csv"
    )
    _rerun(at)
    assert any("Preview" in c.value for c in at.caption)
    at.button[[b.label for b in at.button].index("Import into Visits")].click()
    _rerun(at)
    assert any("nothing was written" in e.value for e in at.error), [e.value for e in at.error]
    headers = {c: t(f"erp_import.problem_{c}", "en") for c in ("row", "column", "value", "expected")}
    report = next(df.value for df in at.dataframe if set(headers.values()) <= set(df.value.columns))
    assert (report[headers["row"]] == 2).all()
    with demo_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(visit)).scalar() == before


def test_value_type_reasons_are_written_in_the_chosen_language(app):
    at = _open(app, "segments", lang="zh")
    reasons = next(df.value for df in at.dataframe if "value_type_reasons" in df.value.columns)["value_type_reasons"]
    assert reasons.str.contains("渠道内第|渠道中位数").all() and not reasons.str.contains("percentile|missing").any()


def test_risk_reasons_and_evidence_are_written_in_the_chosen_language(app):
    at = _open(app, "risk", lang="zh")
    shown = {
        col: df.value[col]
        for df in at.dataframe
        for col in ("hvll_reasons", "diversion_evidence")
        if col in df.value.columns
    }
    assert set(shown) == {"hvll_reasons", "diversion_evidence"}, "the demo has HVLL and diversion accounts"
    reasons, evidence = shown["hvll_reasons"], shown["diversion_evidence"]
    assert reasons.str.contains("渠道内第").all() and not reasons.str.contains("percentile|share of wallet").any()
    assert evidence.str.contains("授权区域|倍|最低限价|最后 10 天").all()
    assert not evidence.str.contains("outside|scans|sell-in|price check").any()
