"""Targeted recompute: after a write, the scorecard from stored and re-read input parts equals a full recompute,
and only the parts whose tables changed are read again."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from kam_tiny_db import seed_tiny
from sqlalchemy import event, func, select

from kam_core.analytics.params import DEFAULT_PARAMS
from kam_core.db import ensure_schema, get_engine
from kam_core.db.schema import input_part, metadata
from kam_core.io.imports import import_table
from kam_core.io.transactions import import_transactions
from kam_core.profile.edit import edit_mark, update_account_fields
from kam_core.queries import activity, capability, credit_terms, diversion_signals, metrics, money, month_facts
from kam_core.queries.input_parts import PARTS, Context
from kam_core.queries.scorecard import compute_scorecard_bundle
from kam_core.queries.window import resolve_window

FETCH_MODULES = (activity, capability, credit_terms, diversion_signals, metrics, money, month_facts)


def _both(engine) -> pd.DataFrame:
    """The scorecard from the store (targeted) after asserting it equals the full re-read."""
    targeted = compute_scorecard_bundle(engine).scorecard
    full = compute_scorecard_bundle(engine, use_store=False).scorecard
    pd.testing.assert_frame_equal(targeted, full)
    return targeted.set_index("account_id")


@pytest.fixture
def warm(db_engine):
    seed_tiny(db_engine, history=True)
    before = _both(db_engine)  # stores every part
    with db_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(input_part)).scalar_one() == len(PARTS)
    return db_engine, before


@pytest.fixture
def calls(monkeypatch):
    """Names of the fetch functions called (every fetch_* of the query modules the parts use)."""
    seen: list[str] = []
    for module in FETCH_MODULES:
        for name in [n for n in dir(module) if n.startswith("fetch_")]:
            original = getattr(module, name)

            def counted(*args, _name=name, _original=original, **kwargs):
                seen.append(_name)
                return _original(*args, **kwargs)

            monkeypatch.setattr(module, name, counted)
    return seen


def _csv(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_one_row_visit_import_rereads_only_the_visit_parts_and_equals_the_full_recompute(warm, tmp_path, calls):
    engine, before = warm
    visit = "account_id,rep_id,visit_date,visit_type,duration_min\nA002,REP001,2026-06-01,order,40\n"
    assert import_table(engine, _csv(tmp_path, "v.csv", visit), "visit").inserted == 1
    calls.clear()
    after = compute_scorecard_bundle(engine).scorecard.set_index("account_id")
    assert sorted(calls) == ["fetch_contact_levels", "fetch_visits"]
    assert after.loc["A002", "n_visits"] == before.loc["A002", "n_visits"] + 1
    assert _both(engine).equals(after)


def test_a_one_line_erp_import_for_an_existing_account_equals_the_full_recompute(warm, tmp_path):
    engine, before = warm
    erp = (
        "invoice,date,account_id,account_name,sku,product_name,quantity,unit_price,unit_cost\n"
        "N-1,2026-06-05,A001,甲,SKU1,啤酒,7,28,18\n"
    )
    import_transactions(engine, _csv(tmp_path, "erp.csv", erp), {})
    after = _both(engine)
    assert after.loc["A001", "net_sales"] == pytest.approx(before.loc["A001", "net_sales"] + 7 * 28)
    assert after.loc["A002", "net_sales"] == before.loc["A002", "net_sales"]


def test_an_account_edit_on_the_card_equals_the_full_recompute(warm, calls):
    engine, before = warm
    update_account_fields(engine, "A003", edit_mark(engine), "carol", {"outlets_served": 77})
    calls.clear()
    targeted = compute_scorecard_bundle(engine).scorecard.set_index("account_id")
    assert "fetch_accounts" in calls and "fetch_visits" not in calls  # visits do not read the account table
    assert targeted.loc["A003", "outlets_served"] == 77 != before.loc["A003", "outlets_served"]
    assert _both(engine).equals(targeted)


def test_a_target_import_rereads_nothing_and_equals_the_full_recompute(warm, tmp_path, calls):
    engine, before = warm
    targets = "account_id,region_code,rep_id,month,target_net_sales,target_cases\nA001,,,2026-01-01,30000,1000\n"
    import_table(engine, _csv(tmp_path, "t.csv", targets), "sales_target")
    calls.clear()
    after = compute_scorecard_bundle(engine).scorecard.set_index("account_id")
    assert calls == []
    pd.testing.assert_frame_equal(after, before)
    pd.testing.assert_frame_equal(_both(engine), before)


def test_every_table_a_part_queries_is_declared(sqlite_engine):
    """The SQL each part runs names only tables of its registry entry (either pre-aggregate state). SQLite: on
    PostgreSQL the line facts are read through COPY on the driver's cursor, which SQLAlchemy's events do not see."""
    db_engine = sqlite_engine
    seed_tiny(db_engine, history=True)
    names, seen = set(metadata.tables), []

    def capture(conn, cursor, statement, *args):
        seen.extend(word for word in re.findall(r"\w+", statement) if word in names)

    event.listen(db_engine, "before_cursor_execute", capture)
    w = resolve_window(db_engine, None, None, DEFAULT_PARAMS.window_months)
    with db_engine.connect() as conn:
        for days, months in ((True, True), (True, False), (False, False)):
            for part in PARTS:
                seen.clear()
                part.fetch(conn, Context(w, DEFAULT_PARAMS, days, months))
                assert seen, part.name
                assert set(seen) <= set(part.tables), (part.name, set(seen) - set(part.tables))


def test_on_duckdb_a_visit_import_versions_the_table_and_the_targeted_scorecard_equals_the_full(tmp_path):
    engine = get_engine(f"duckdb:///{tmp_path / 'kam.duckdb'}")
    ensure_schema(engine)
    seed_tiny(engine, history=True)
    _both(engine)
    visit = "account_id,rep_id,visit_date,visit_type,duration_min\nA001,REP001,2026-06-02,order,30\n"
    import_table(engine, _csv(tmp_path, "v.csv", visit), "visit")
    assert _both(engine).loc["A001", "n_visits"] >= 1
    engine.dispose()
