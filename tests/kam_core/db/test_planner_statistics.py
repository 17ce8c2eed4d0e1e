"""PostgreSQL plans the first query after a bulk write on statistics of the new rows.

Without them (autovacuum samples a new table a minute or more later) the planner took freshly filled tables
for nearly empty, and a scorecard started right after a demo build ran its code-scan signal as a nested loop
over every authorised (account, region) pair: 7 minutes instead of 0.4 s at 8,000 accounts.
"""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select, text

from kam_core.db.bulk import refresh_statistics
from kam_core.db.schema import account, order_header
from kam_core.demo import generate
from kam_core.io.imports import import_table
from kam_core.io.transactions import import_transactions, parse_mapping
from tests.kam_core.io.io_helpers import write_csv

MAP = parse_mapping(
    "invoice=单据号,date=日期,account_id=客户编码,account_name=客户名称,channel=渠道,"
    "sku=物料编码,product_name=物料名称,quantity=数量,unit_price=单价,unit_cost=成本"
)


def _analysed(engine) -> dict[str, int]:
    """Manual ANALYZE count per table of the test's schema (autovacuum's own runs are counted apart)."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT relname, analyze_count FROM pg_stat_user_tables WHERE schemaname = current_schema()")
        ).all()
    return {name: int(n) for name, n in rows}


def _postgres(engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("planner statistics are refreshed on PostgreSQL only")


def test_the_demo_generator_analyses_every_table_it_fills(db_engine):
    _postgres(db_engine)
    generate(db_engine, accounts=40, months=13, seed=2)
    counts = _analysed(db_engine)
    for table in ("account", "account_territory", "region", "order_header", "order_line", "code_scan", "order_day"):
        assert counts[table] >= 1, table


def test_imports_analyse_the_tables_they_wrote(db_engine, tmp_path):
    _postgres(db_engine)
    generate(db_engine, accounts=30, months=13, seed=4)
    before = _analysed(db_engine)
    with db_engine.connect() as conn:
        aid, name = conn.execute(select(account.c.account_id, account.c.name).order_by(account.c.account_id)).first()
        day = conn.execute(select(order_header.c.order_date).order_by(order_header.c.order_date.desc())).scalar()
    csv = write_csv(
        tmp_path / "erp.csv",
        "单据号,日期,客户编码,客户名称,渠道,物料编码,物料名称,数量,单价,成本\n"
        f"S1,{day:%Y-%m-%d},{aid},{name},一批商,SKU-STAT,新品,5,40,20\n",
    )
    import_transactions(db_engine, csv, MAP)
    after_erp = _analysed(db_engine)
    for table in ("account", "product", "order_header", "order_line"):
        assert after_erp[table] > before[table], table
    assert after_erp["code_scan"] == before["code_scan"]  # not written, not analysed again

    with db_engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM account_competitor")).mappings().all()
    assert rows, "the demo writes competitor relations"
    path = tmp_path / "account_competitor.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    import_table(db_engine, path, "account_competitor")
    after_table = _analysed(db_engine)
    assert after_table["account_competitor"] > after_erp["account_competitor"]
    assert after_table["order_line"] == after_erp["order_line"]


def test_statistics_are_left_alone_on_sqlite(sqlite_engine):
    with sqlite_engine.begin() as conn:
        refresh_statistics(conn, ["order_line"])
        assert conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").scalar() == 0


def test_init_analyses_every_table_after_a_load_by_other_means(db_engine, monkeypatch, capsys):
    from kam_core import cli

    _postgres(db_engine)
    with db_engine.begin() as conn:  # rows written by plain SQL: nothing of kam_core analysed them
        conn.execute(
            text(
                "INSERT INTO region (region_id, level, code, name_zh, name_en, path) VALUES ('R9', 'region', 'R9', 'R9', 'R9', 'R9')"
            )
        )
    before = _analysed(db_engine)
    monkeypatch.setattr(cli, "_engine", lambda args: db_engine)  # the test's schema, not a URL's default one
    assert cli.main(["init"]) == 0
    assert "planner statistics refreshed" in capsys.readouterr().out
    after = _analysed(db_engine)
    assert all(after[t] > before.get(t, 0) for t in ("region", "order_line", "code_scan", "account")), after
