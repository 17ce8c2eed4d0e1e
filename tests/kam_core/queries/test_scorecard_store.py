"""Stored scorecards: read back exactly when the data and code version match, recomputed when they do not; and
migration 0006 on SQLite, PostgreSQL and DuckDB (with the snapshot columns PostgreSQL used to refuse)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, insert, select, text

from kam_core.db import account_month, ensure_schema, get_engine, order_days
from kam_core.db.schema import (
    account_metrics_snapshot,
    classification_snapshot,
    metadata,
    order_header,
    order_line,
    scorecard_store,
)
from kam_core.queries import scorecard
from kam_core.queries import scorecard_store as store
from kam_core.queries.snapshots import METHOD, store_snapshot
from kam_core.scope import Scope
from kam_core.views.health import compute_data_fingerprint
from tests.conftest import PG_URL, _pg_engine
from tests.kam_tiny_db import seed_tiny
from tests.pg_lock import pg_server_lock


@pytest.fixture
def tiny(db_engine):
    seed_tiny(db_engine, history=True)
    with db_engine.begin() as conn:
        order_days.refresh(conn)
    return db_engine


@pytest.fixture
def counted(monkeypatch):
    calls = []
    real = scorecard.compute_scorecard_bundle

    def compute(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(scorecard, "compute_scorecard_bundle", compute)
    return calls


def test_a_stored_scorecard_is_read_back_exactly_while_the_data_version_matches(tiny, counted):
    first = store.scorecard_view(tiny)
    second = store.scorecard_view(tiny)
    assert len(counted) == 1 and not first.from_store and second.from_store
    pd.testing.assert_frame_equal(first.scorecard, second.scorecard)
    pd.testing.assert_frame_equal(first.features, second.features)
    assert (first.window, first.health, first.missing_inputs) == (second.window, second.health, second.missing_inputs)
    reasons = first.scorecard["value_type_reasons"].dropna()
    assert len(reasons) and all(isinstance(r, list) for r in second.scorecard["value_type_reasons"].dropna())
    assert isinstance(second.scorecard["first_order_ever"].dropna().iloc[0], dt.date)
    # a second server (a new engine on the same database) reads the same row
    other = get_engine(str(tiny.url)) if tiny.dialect.name == "sqlite" else tiny
    assert store.scorecard_view(other).from_store and len(counted) == 1


def test_new_data_another_window_scope_or_code_version_is_computed_again(tiny, counted):
    store.scorecard_view(tiny)
    store.scorecard_view(tiny, as_of="2026-05-31")  # another window
    store.scorecard_view(tiny, scope=Scope.parse("manager:R01"))  # another viewer's scope
    assert len(counted) == 3
    key = store.store_key(
        compute_data_fingerprint(tiny), None, None, str(Scope.parse("director:*")), "x", code="other code"
    )
    assert store.load(tiny, key) is None
    with tiny.begin() as conn:  # an order written: the data version moves on
        conn.execute(
            insert(order_header).values(
                order_id="NEW1", account_id="A002", order_date=dt.date(2026, 6, 30), source="manual"
            )
        )
        conn.execute(
            insert(order_line).values(
                order_id="NEW1",
                line_no=1,
                sku_id="SKU1",
                qty_cases=10.0,
                list_price=30.0,
                invoice_price=28.0,
                off_invoice_disc=0.0,
                cogs_per_case=18.0,
            )
        )
        order_days.refresh(conn)
    before = store.scorecard_view(tiny, as_of="2026-05-31")
    assert not before.from_store and len(counted) == 4
    fresh = store.scorecard_view(tiny)
    assert not fresh.from_store and len(counted) == 5
    sales = fresh.scorecard.set_index("account_id")["net_sales"]
    direct = scorecard.compute_scorecard(tiny).set_index("account_id")["net_sales"]
    assert sales["A002"] == pytest.approx(direct["A002"])


def test_old_rows_are_dropped_beyond_the_kept_number(tiny, monkeypatch):
    monkeypatch.setattr(store, "KEEP", 2)
    for end in ("2026-04-30", "2026-05-31", "2026-06-30"):
        store.scorecard_view(tiny, as_of=end)
    with tiny.connect() as conn:
        assert conn.execute(select(func.count()).select_from(scorecard_store)).scalar() == 2


def test_snapshots_store_the_full_method_and_clv_model_names(tiny):
    sc = scorecard.compute_scorecard(tiny)
    sc = sc.assign(clv_model="discounted_margin")
    assert len(METHOD) > 64
    assert store_snapshot(tiny, sc) == len(sc)
    with tiny.connect() as conn:
        assert set(conn.execute(select(classification_snapshot.c.method)).scalars()) == {METHOD}
        assert set(conn.execute(select(account_metrics_snapshot.c.clv_model)).scalars()) == {"discounted_margin"}


def _migrate_from_0003(engine) -> None:
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from kam_core.db.engine import alembic_config

    cfg = alembic_config(engine)
    command.upgrade(cfg, "0003")
    seed_tiny(engine)
    command.upgrade(cfg, "head")
    if engine.dialect.name != "duckdb":  # DuckDB keeps its (unenforced) VARCHAR lengths, see the migration
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    with engine.begin() as conn:
        order_days.refresh(conn)
    with engine.connect() as conn:
        assert account_month.in_step(conn)
        assert conn.execute(select(func.count()).select_from(account_month.account_month)).scalar() > 0
    assert store.scorecard_view(engine).scorecard["net_sales"].sum() > 0
    assert store.scorecard_view(engine).from_store
    command.downgrade(cfg, "0005")  # undoes 0007 and 0006 (DuckDB cannot drop 0005's columns)
    command.upgrade(cfg, "head")


def test_migration_0006_on_sqlite(tmp_path):
    engine = get_engine(f"sqlite:///{tmp_path / 'm.db'}")
    _migrate_from_0003(engine)
    ensure_schema(engine)


def test_migration_0006_on_duckdb(tmp_path):
    engine = get_engine(f"duckdb:///{tmp_path / 'm.duckdb'}")
    _migrate_from_0003(engine)
    engine.dispose()


@pytest.mark.postgres
def test_migration_0006_on_postgresql():
    if not PG_URL:
        pytest.skip("KAM_TEST_POSTGRES_URL not set (CI sets it)")
    with pg_server_lock():
        engine, schema = _pg_engine()
        try:
            _migrate_from_0003(engine)
            sc = scorecard.compute_scorecard(engine).assign(clv_model="discounted_margin")
            assert store_snapshot(engine, sc) == len(sc)  # 81-character METHOD, 17-character model name
        finally:
            engine.dispose()
            admin = get_engine(PG_URL)
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
