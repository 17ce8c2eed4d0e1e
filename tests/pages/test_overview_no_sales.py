"""The Overview for periods and selections without sales: words, never a traceback or "nan" (issue #12.7)."""

from __future__ import annotations

import re

import pytest
from kam_tiny_db import seed_tiny
from sqlalchemy import insert
from streamlit.testing.v1 import AppTest

from kam_core.db import ensure_schema, get_engine
from kam_core.db.schema import account, sales_rep
from kam_core.i18n import t
from kam_core.i18n.markup import shown_text

NAN = re.compile(r"\bnan\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def tiny_url(tmp_path_factory):
    """The tiny brewer (orders January to June 2026) plus REP003 whose one account never ordered."""
    url = f"sqlite:///{tmp_path_factory.mktemp('nosales') / 'kam.db'}"
    engine = get_engine(url)
    ensure_schema(engine)
    seed_tiny(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(sales_rep).values(
                rep_id="REP003", name="王五", name_en="Wang Wu", home_region_id="R02", hourly_cost=60.0
            )
        )
        conn.execute(
            insert(account).values(
                account_id="A004",
                name="新开小店",
                name_en="New Shop",
                tier_code="RETAIL",
                region_id="R02",
                owner_rep_id="REP003",
                status="active",
            )
        )
    engine.dispose()
    return url


def _overview(launcher: str, **params) -> AppTest:
    at = AppTest.from_file(launcher, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _shown_text(at: AppTest) -> list[str]:
    texts = [shown_text(e.value) for kind in (at.markdown, at.caption, at.info, at.warning, at.subheader) for e in kind]
    texts += [f"{m.value} {m.delta}" for m in at.metric]
    texts += [str(v) for df in at.dataframe for v in df.value.to_numpy().ravel()]
    return texts


@pytest.mark.parametrize(
    ("start", "end"),
    [("2010-01-01", "2010-03-31"), ("2026-09-01", "2026-10-31")],
    ids=["before_the_data", "after_the_data_with_an_empty_previous_period"],
)
def test_a_period_without_orders_says_so_in_words_and_shows_no_figures(tiny_url, launcher, monkeypatch, start, end):
    monkeypatch.setenv("KAM_DATABASE_URL", tiny_url)
    at = _overview(launcher, start=start, end=end, lang="en")
    assert [shown_text(i.value) for i in at.info] == [
        t("overview.no_sales_period", "en", start=_day(start), end=_day(end), first="Jan 10, 2026", last="Jun 10, 2026")
    ]
    assert not at.metric and not at.dataframe
    assert not [x for x in _shown_text(at) if NAN.search(x)]


def test_a_selection_without_orders_says_so_and_still_shows_the_zero_figures(tiny_url, launcher, monkeypatch):
    monkeypatch.setenv("KAM_DATABASE_URL", tiny_url)
    at = _overview(launcher, rep="REP003", start="2026-04-01", end="2026-06-30", lang="en")
    assert t("overview.no_sales_selection", "en", n=1, start="Apr 1, 2026", end="Jun 30, 2026") in [
        shown_text(i.value) for i in at.info
    ]
    assert at.metric[0].value == "¥0"
    assert not [x for x in _shown_text(at) if NAN.search(x)]


def test_count_kpis_show_their_change_as_a_count_not_a_percentage(tiny_url, launcher, monkeypatch):
    monkeypatch.setenv("KAM_DATABASE_URL", tiny_url)
    at = _overview(launcher, start="2026-04-01", end="2026-06-30", lang="en")
    counts = {
        m.label: m.delta
        for m in at.metric
        if m.label in (t("overview.key_accounts", "en"), t("overview.at_risk", "en"))
    }
    assert len(counts) == 2 and not [d for d in counts.values() if d and d.endswith("%")]


def _day(iso: str) -> str:
    from datetime import date

    from kam_core.i18n import format_date

    return format_date(date.fromisoformat(iso), "en")
