"""The per-(account, day) pre-aggregate: same scorecard as the order lines, kept current by every write path
of kam_core in the same transaction, and ignored (order lines read instead) once something else wrote orders."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy import inspect as sa_inspect

from kam_core.analytics import diversion
from kam_core.cli import main
from kam_core.db import ensure_schema, get_engine, order_days
from kam_core.db.schema import account, order_day, order_header, order_line, price_list
from kam_core.demo import generate
from kam_core.io.imports import import_table
from kam_core.io.transactions import import_transactions, parse_mapping
from kam_core.queries import metrics
from kam_core.queries.scorecard import compute_scorecard, compute_scorecard_bundle
from kam_core.queries.window import resolve_window
from tests.kam_core.io.io_helpers import write_csv

MAP = parse_mapping(
    "invoice=单据号,date=日期,account_id=客户编码,account_name=客户名称,channel=渠道,"
    "sku=物料编码,product_name=物料名称,quantity=数量,unit_price=单价,unit_cost=成本"
)


def _small_demo(tmp_path, name: str = "demo.db"):
    engine = get_engine(f"sqlite:///{tmp_path / name}")
    ensure_schema(engine)
    generate(engine, accounts=60, months=14, seed=5)
    return engine


def _days(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(order_day).order_by(order_day.c.account_id, order_day.c.order_date)).all()
    return pd.DataFrame(rows, columns=[c.name for c in order_day.columns])


def _rebuilt(engine) -> pd.DataFrame:
    """order_day as a full rebuild gives it (the rebuild is rolled back: the database is left as it was)."""
    with engine.connect() as conn:
        tx = conn.begin()
        order_days.refresh(conn)
        rows = conn.execute(select(order_day).order_by(order_day.c.account_id, order_day.c.order_date)).all()
        tx.rollback()
    return pd.DataFrame(rows, columns=[c.name for c in order_day.columns])


def _assert_same_scorecard(a: pd.DataFrame, b: pd.DataFrame) -> None:
    a, b = a.set_index("account_id").sort_index(), b.set_index("account_id").sort_index()
    assert list(a.columns) == list(b.columns) and a.index.equals(b.index)
    for col in a.columns:
        if pd.api.types.is_float_dtype(a[col]):  # sums in another order: equal to rounding
            assert a[col].to_numpy() == pytest.approx(b[col].to_numpy(), rel=1e-9, abs=1e-9, nan_ok=True), col
        else:
            assert a[col].astype(str).tolist() == b[col].astype(str).tolist(), col


def test_the_scorecard_is_the_same_from_the_pre_aggregate_and_from_the_order_lines(demo_engine, monkeypatch):
    with demo_engine.connect() as conn:
        assert order_days.is_current(conn)  # the demo generator built it
        n_days = conn.execute(select(func.count()).select_from(order_day)).scalar()
        n_lines = conn.execute(select(func.count()).select_from(order_line)).scalar()
    assert 0 < n_days < n_lines / 2  # it is much smaller than what it replaces
    fast = compute_scorecard_bundle(demo_engine)
    monkeypatch.setattr(order_days, "is_current", lambda conn: False)
    slow = compute_scorecard_bundle(demo_engine)
    f = fast.features
    assert fast.scorecard["net_sales"].sum() > 0 and f["promo_share"].gt(0).any() and f["premium_mix"].gt(0).any()
    _assert_same_scorecard(fast.scorecard, slow.scorecard)
    _assert_same_scorecard(fast.features, slow.features)


def test_orders_written_by_other_means_are_read_from_the_lines_until_init_rebuilds(tmp_path, capsys):
    engine = _small_demo(tmp_path)
    aid = compute_scorecard(engine).sort_values("net_sales")["account_id"].iloc[-1]
    before = compute_scorecard(engine).set_index("account_id").loc[aid, "net_sales"]
    with engine.connect() as conn:
        last = conn.execute(select(func.max(order_header.c.order_date))).scalar()
    with engine.begin() as conn:  # a plain SQL write, as an ERP integration might do
        conn.execute(
            insert(order_header).values(
                order_id="EXT-1",
                account_id=aid,
                order_date=last,
                settlement_mode="cash",
                payment_terms_days=0,
                delivery_cost=0.0,
                is_return=False,
                source="erp",
            )
        )
        sku = conn.execute(select(order_line.c.sku_id).limit(1)).scalar()
        conn.execute(
            insert(order_line).values(
                order_id="EXT-1",
                line_no=1,
                sku_id=sku,
                qty_cases=10.0,
                list_price=100.0,
                invoice_price=100.0,
                off_invoice_disc=0.0,
                cogs_per_case=50.0,
                free_qty_cases=0.0,
            )
        )
    with engine.connect() as conn:
        assert not order_days.is_current(conn)
    after = compute_scorecard(engine).set_index("account_id").loc[aid, "net_sales"]
    assert after == pytest.approx(before + 1_000.0)  # the new line counts although order_day lacks it
    assert main(["init", "--db", str(engine.url)]) == 0
    assert "pre-aggregate rebuilt" in capsys.readouterr().out
    with engine.connect() as conn:
        assert order_days.is_current(conn)
    assert compute_scorecard(engine).set_index("account_id").loc[aid, "net_sales"] == pytest.approx(after)


def test_an_erp_import_refreshes_the_accounts_it_touched_in_its_transaction(tmp_path):
    engine = _small_demo(tmp_path)
    with engine.connect() as conn:
        aid, name = conn.execute(select(account.c.account_id, account.c.name).order_by(account.c.account_id)).first()
        last = conn.execute(select(func.max(order_header.c.order_date))).scalar()
    day = last.strftime("%Y-%m-%d")
    csv = write_csv(
        tmp_path / "erp.csv",
        "单据号,日期,客户编码,客户名称,渠道,物料编码,物料名称,数量,单价,成本\n"
        f"X1,{day},{aid},{name},一批商,SKU-NEW,新品,7,40,20\n"
        f"X2,{day},C-NEW,新客户,KA,SKU-NEW,新品,3,41,20\n",
    )
    import_transactions(engine, csv, MAP)
    days = _days(engine)
    with engine.connect() as conn:
        assert order_days.is_current(conn)
    pd.testing.assert_frame_equal(days, _rebuilt(engine), check_exact=False, rtol=1e-12)
    new = days.set_index("account_id").loc["C-NEW"]
    assert (new["lines"], new["net_sales"], new["volume_cases"]) == (1, 123.0, 3.0)


def test_a_table_import_of_prices_or_accounts_rebuilds_what_it_changes(tmp_path):
    engine = _small_demo(tmp_path)
    with engine.connect() as conn:
        sku, tier = conn.execute(select(price_list.c.sku_id, price_list.c.tier_code)).first()
        rows = conn.execute(select(price_list).where(price_list.c.sku_id == sku, price_list.c.tier_code == tier)).all()
    promo_before = _days(engine)["promo_cases"].sum()
    cols = [c.name for c in price_list.columns]
    frame = pd.DataFrame(rows, columns=cols).assign(floor_price=1e6)  # every sale of the SKU now at/below the floor
    path = tmp_path / "price_list.csv"
    frame.to_csv(path, index=False)
    import_table(engine, path, "price_list")
    with engine.connect() as conn:
        assert order_days.is_current(conn)
    days = _days(engine)
    assert days["promo_cases"].sum() > promo_before
    pd.testing.assert_frame_equal(days, _rebuilt(engine), check_exact=False, rtol=1e-12)


def test_a_partial_refresh_after_other_writes_rebuilds_everything(tmp_path):
    """An import's refresh of its own accounts would stamp rows of other accounts as current: when the table
    was already out of date before the import, the whole table is rebuilt instead."""
    engine = _small_demo(tmp_path)
    with engine.begin() as conn:  # someone else changed a line of another account
        conn.execute(update(order_line).where(order_line.c.line_no == 1).values(qty_cases=order_line.c.qty_cases * 2))
        conn.execute(
            insert(order_header).values(
                order_id="EXT-2",
                account_id=conn.execute(select(account.c.account_id)).scalar(),
                order_date=conn.execute(select(func.max(order_header.c.order_date))).scalar(),
                settlement_mode="cash",
                payment_terms_days=0,
                delivery_cost=0.0,
                is_return=True,
                source="erp",
            )
        )
    csv = write_csv(
        tmp_path / "erp.csv",
        "单据号,日期,客户编码,客户名称,渠道,物料编码,物料名称,数量,单价,成本\n"
        "Y1,2026-01-05,C-ONE,一家,KA,SKU-NEW,新品,2,40,20\n",
    )
    import_transactions(engine, csv, MAP)
    with engine.connect() as conn:
        assert order_days.is_current(conn)
    pd.testing.assert_frame_equal(_days(engine), _rebuilt(engine), check_exact=False, rtol=1e-12)


def test_a_database_migrated_from_before_the_pre_aggregate_gets_it_built(tmp_path):
    engine = _small_demo(tmp_path)
    expected = _days(engine)
    from alembic import command

    from kam_core.db.engine import alembic_config

    with engine.begin() as conn:  # revision 0003 has no coupon mechanic (0004's downgrade refuses them)
        conn.exec_driver_sql("UPDATE promotion SET mechanic = 'tpr' WHERE mechanic = 'coupon'")
    command.downgrade(alembic_config(engine), "0001")  # back to revision 0001 by every migration's downgrade
    with engine.connect() as conn:
        assert "order_day" not in set(sa_inspect(conn).get_table_names())
    engine.dispose()
    engine = get_engine(str(engine.url))
    ensure_schema(engine)
    with engine.connect() as conn:
        assert order_days.is_current(conn)
    pd.testing.assert_frame_equal(_days(engine), expected, check_exact=False, rtol=1e-12)


def test_pre_aggregate_and_copy_transfer_agree_with_the_lines_on_every_engine(db_engine, monkeypatch):
    """On SQLite and PostgreSQL: the demo generator's order_day gives the same scorecard as the order lines, and
    (PostgreSQL) the CSV COPY transfer of the line facts gives the same frame as fetching rows."""
    generate(db_engine, accounts=50, months=14, seed=3)
    w = resolve_window(db_engine, None, None, 12)
    with db_engine.connect() as conn:
        assert order_days.is_current(conn)
        for from_days in (False, True):
            stmt = metrics.line_facts_statement(conn, w, diversion.late_ranges(w), from_days)
            copied = metrics._frame(conn, stmt, index=None, columnar=True)
            rows = metrics._frame(conn, stmt, index=None, columnar=False)
            assert len(copied) > 100
            pd.testing.assert_frame_equal(copied, rows, check_exact=False, rtol=1e-12)
    fast = compute_scorecard(db_engine)
    monkeypatch.setattr(order_days, "is_current", lambda conn: False)
    _assert_same_scorecard(fast, compute_scorecard(db_engine))


def test_a_full_rebuild_on_duckdb_recreates_the_table_with_the_same_rows_and_index(tmp_path):
    engine = get_engine(f"duckdb:///{tmp_path / 'kam.duckdb'}")
    generate(engine, accounts=40, months=13, seed=6)
    before = _days(engine)
    with engine.begin() as conn:  # a rebuild that fails is rolled back: the old table is kept
        order_days.refresh(conn)
        conn.rollback()
    assert main(["init", "--db", str(engine.url)]) == 0
    with engine.connect() as conn:
        assert order_days.is_current(conn)
        indexes = conn.exec_driver_sql("SELECT index_name FROM duckdb_indexes() WHERE table_name = 'order_day'").all()
    assert ("ix_order_day_date",) in indexes
    pd.testing.assert_frame_equal(_days(engine), before, check_exact=False, rtol=1e-12)
    assert len(before) > 100
    engine.dispose()
