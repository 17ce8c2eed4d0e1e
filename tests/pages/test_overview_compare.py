"""The Overview compares with the same period last year by default, shows target attainment, and switches."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from kam_tiny_db import _orders, seed_tiny
from sqlalchemy import insert
from streamlit.testing.v1 import AppTest

from kam_core.db import ensure_schema, get_engine
from kam_core.db.schema import sales_target
from kam_core.i18n import format_pct, t
from kam_core.i18n.markup import shown_text


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    """The tiny brewer with 2025 history and a net-sales and case target for region R01, January-June 2026."""
    url = f"sqlite:///{tmp_path_factory.mktemp('yoy') / 'kam.db'}"
    engine = get_engine(url)
    ensure_schema(engine)
    seed_tiny(engine, history=True)
    rows = [
        {"account_id": None, "region_code": "R01", "rep_id": None, "month": dt.date(2026, m, 1),
         "target_net_sales": 40_000.0, "target_cases": 1_500.0}
        for m in range(1, 7)
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(sales_target), rows)
    engine.dispose()
    return url


def _truth() -> pd.DataFrame:
    heads, lines = _orders(history=True)
    f = heads.merge(lines, on="order_id")
    return f.assign(day=pd.to_datetime(f["order_date"]), net_sales=f["qty_cases"] * f["invoice_price"])


def _sales(start: str, end: str, accounts=("A001", "A002", "A003")) -> float:
    f = _truth()
    return float(f[(f["day"] >= start) & (f["day"] <= end) & f["account_id"].isin(accounts)]["net_sales"].sum())


def _open(launcher, url, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("KAM_DATABASE_URL", url)
    at = AppTest.from_file(launcher, default_timeout=180)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at: AppTest, label: str):
    found = [m for m in at.metric if shown_text(m.label) == shown_text(label)]
    assert found, (label, [m.label for m in at.metric], [r.value for r in at.radio])
    return found[0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_overview_shows_the_change_vs_last_year_and_the_attainment(launcher, url, monkeypatch, lang):
    at = _open(launcher, url, monkeypatch, start="2026-01-01", end="2026-06-30", region="R01", lang=lang)
    assert at.radio(key="compare_overview").value == "last_year"
    mode = t("yoy.mode.last_year", lang)
    now, ly = _sales("2026-01-01", "2026-06-30", ("A001", "A002")), _sales("2025-01-01", "2025-06-30", ("A001", "A002"))
    change = _metric(at, t("yoy.kpi.net_sales_change", lang, mode=mode))
    assert change.value == format_pct(now / ly - 1, lang)
    attain = _metric(at, t("yoy.kpi.net_sales_attain", lang))
    assert attain.value == format_pct(now / 240_000.0, lang)
    captions = [shown_text(c.value) for c in at.caption]
    assert any(t("yoy.mode.last_year", lang) in c and ("2025" in c) for c in captions)
    assert t("yoy.movers", lang, mode=mode) in [s.value for s in at.subheader]


def test_the_switch_compares_with_the_previous_period_and_no_fitting_target_is_said_in_words(
    launcher, url, monkeypatch
):
    at = _open(launcher, url, monkeypatch, start="2026-04-01", end="2026-06-30", channel="KA", lang="en")
    at.radio(key="compare_overview").set_value("previous").run()
    assert not at.exception, [e.value for e in at.exception]
    mode = t("yoy.mode.previous", "en")
    change = _metric(at, t("yoy.kpi.net_sales_change", "en", mode=mode))
    now, before = _sales("2026-04-01", "2026-06-30", ("A003",)), _sales("2025-12-31", "2026-03-31", ("A003",))
    assert change.value == format_pct(now / before - 1, "en")  # A003 is the one KA account
    assert t("yoy.no_targets_level", "en") in [shown_text(i.value) for i in at.info]
    assert not [m for m in at.metric if m.label == t("yoy.kpi.net_sales_attain", "en")]
    captions = [shown_text(c.value) for c in at.caption]
    assert any(mode in c and "Dec 31, 2025" in c and "Mar 31, 2026" in c for c in captions), captions


def test_the_pyramid_migration_uses_the_same_comparison_window(launcher, url, monkeypatch):
    at = _open(launcher, url, monkeypatch, start="2026-04-01", end="2026-06-30", lang="en")
    at.radio(key="compare_overview").set_value("previous").run()
    at.switch_page("p/pyramid.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="compare_pyramid").value == "previous"  # the choice follows the user to the Pyramid
    expected = t("yoy.migration_caption", "en", mode="", start="Dec 31, 2025", end="Mar 31, 2026")
    captions = [shown_text(c.value) for c in at.caption]
    assert any(expected.split(":")[0] in c and "Dec 31, 2025" in c and "Mar 31, 2026" in c for c in captions), captions
    at.radio(key="compare_pyramid").set_value("last_year").run()
    captions = [shown_text(c.value) for c in at.caption]
    assert any("Apr 1, 2025" in c and "Jun 30, 2025" in c for c in captions), captions


def test_targets_imported_on_the_data_page_show_on_the_overview(launcher, tmp_path, monkeypatch):
    fresh = f"sqlite:///{tmp_path / 'kam.db'}"
    engine = get_engine(fresh)
    ensure_schema(engine)
    seed_tiny(engine, history=True)
    engine.dispose()
    at = _open(launcher, fresh, monkeypatch, start="2026-01-01", end="2026-06-30", lang="en")
    assert t("yoy.no_targets", "en") in [shown_text(i.value) for i in at.info]
    at.switch_page("p/data.py").run()
    at.radio(key="import_kind").set_value("table").run()
    at.selectbox(key="import_table").set_value("sales_target").run()
    text = "account_id,month,target_net_sales,target_cases\nA001,2026-01-01,25000,900\nA001,2026-02-01,30000,1000\n"
    at.file_uploader(key="import_file").upload("targets.csv", text.encode("utf-8"), "text/csv").run()
    label = t("data.run_import", "en", table=t("table.sales_target", "en"))
    at.button[[shown_text(b.label) for b in at.button].index(label)].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    at.switch_page("p/overview.py").run()
    attain = _metric(at, t("yoy.kpi.net_sales_attain", "en"))
    assert attain.value == format_pct(_sales("2026-01-01", "2026-02-28", ("A001",)) / 55_000.0, "en")
    cases = _metric(at, t("yoy.kpi.cases_attain", "en"))
    assert cases.value == format_pct((1_000 + 1_050) / 1_900.0, "en")
