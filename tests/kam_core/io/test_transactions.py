"""import-transactions: ERP lines -> accounts, products, orders; dirty lines refused or kept aside; idempotent."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select

from kam_core.db.schema import account, audit_log, import_log, order_header, order_line, product
from kam_core.errors import UserError
from kam_core.io.results import ImportValidationError
from kam_core.io.transactions import import_transactions, parse_mapping
from tests.kam_core.io.io_helpers import row_counts, seed_reference, write_csv, write_xlsx

MAP = parse_mapping(
    "invoice=单据号,date=日期,account_id=客户编码,account_name=客户名称,channel=渠道,"
    "sku=物料编码,product_name=物料名称,quantity=数量,unit_price=单价,unit_cost=成本"
)
HEAD = "单据号,日期,客户编码,客户名称,渠道,物料编码,物料名称,数量,单价,成本\n"
CLEAN = HEAD + (
    "INV001,2026/6/30,C001,城东一批,一批商,SKU1,勇闯500ml,100,48,30\n"
    "INV001,2026/6/30,C001,城东一批,一批商,SKU2,纯生330ml,50,60,\n"
    "INV001,2026/6/30,C001,城东一批,一批商,FRT,运费,1,0,\n"
    "INV002,20260701,C002,好又多超市,KA,SKU1,勇闯500ml,20,52,31\n"
    "INV003,2026-07-02,C002,好又多超市,KA,SKU1,勇闯500ml,-5,52,31\n"
)
DIRTY_LINES = (  # row numbers 7..11 after CLEAN's header + 5 lines
    "INV004,2026-07-02,,无名,KA,SKU1,勇闯500ml,5,52,30\n"  # 7 no customer
    "INV002,20260701,C002,好又多超市,KA,SKU1,勇闯500ml,20,52,31\n"  # 8 repeats row 5 (refused with dedupe="exact")
    "INV005,2026-07-03,C003,张三小店,小终端,SKU2,纯生330ml,3,-5,\n"  # 9 negative price
    "INV006,notadate,C003,张三小店,小终端,SKU2,纯生330ml,abc,65,\n"  # 10 bad date and quantity
    "INV001,2026-07-09,C009,别人,KA,SKU2,纯生330ml,1,65,\n"  # 11 invoice of another customer/date
)


def _orders(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(
                    order_line.c.order_id,
                    order_line.c.line_no,
                    order_line.c.sku_id,
                    order_line.c.qty_cases,
                    order_line.c.invoice_price,
                    order_line.c.cogs_per_case,
                ).order_by(order_line.c.order_id, order_line.c.line_no)
            )
        ]


def test_parse_mapping_reads_pairs_and_refuses_bad_ones():
    assert parse_mapping("invoice=单据号, date = 日期") == {"invoice": "单据号", "date": "日期"}
    assert parse_mapping("") == {}
    for bad, message in [
        ("invoice", "malformed"),
        ("invoice=", "malformed"),
        ("=x", "malformed"),
        ("customer=客户", "unknown field"),
        ("sku=a,sku=b", "twice"),
    ]:
        with pytest.raises(UserError, match=message):
            parse_mapping(bad)


def test_erp_lines_create_accounts_products_and_orders(db_engine, tmp_path):
    result = import_transactions(db_engine, write_csv(tmp_path / "erp.csv", CLEAN), MAP)
    assert (result.inserted, result.skipped, result.rows_rejected) == (5, 0, 0)
    assert result.created == {"accounts": 2, "products": 3}
    with db_engine.connect() as conn:
        accounts = conn.execute(
            select(
                account.c.account_id, account.c.name, account.c.tier_code, account.c.created_source, account.c.status
            ).order_by(account.c.account_id)
        ).all()
        products = conn.execute(
            select(product.c.sku_id, product.c.std_cogs_per_case, product.c.is_service).order_by(product.c.sku_id)
        ).all()
        headers = conn.execute(
            select(
                order_header.c.order_id, order_header.c.account_id, order_header.c.source, order_header.c.is_return
            ).order_by(order_header.c.order_id)
        ).all()
        audited = conn.execute(select(audit_log.c.record_key).where(audit_log.c.action == "insert")).scalars().all()
    assert [tuple(r) for r in accounts] == [
        ("C001", "城东一批", "DIST", "erp", "active"),
        ("C002", "好又多超市", "KA", "erp", "active"),
    ]
    assert [tuple(r) for r in products] == [("FRT", None, True), ("SKU1", 30.0, False), ("SKU2", None, False)]
    assert [tuple(r) for r in headers] == [
        ("ERP-INV001", "C001", "erp", False),
        ("ERP-INV002", "C002", "erp", False),
        ("ERP-INV003", "C002", "erp", True),
    ]
    assert _orders(db_engine) == [
        ("ERP-INV001", 1, "SKU1", 100.0, 48.0, 30.0),
        ("ERP-INV001", 2, "SKU2", 50.0, 60.0, 0.0),
        ("ERP-INV001", 3, "FRT", 1.0, 0.0, 0.0),
        ("ERP-INV002", 1, "SKU1", 20.0, 52.0, 31.0),
        ("ERP-INV003", 1, "SKU1", -5.0, 52.0, 31.0),
    ]
    assert sorted(audited) == ["C001", "C002"]
    assert "service lines" in result.summary()


def test_credit_notes_net_against_sales(db_engine, tmp_path):
    import_transactions(db_engine, write_csv(tmp_path / "erp.csv", CLEAN), MAP)
    with db_engine.connect() as conn:
        net = conn.execute(
            select(func.sum(order_line.c.qty_cases))
            .join(order_header, order_header.c.order_id == order_line.c.order_id)
            .where(order_header.c.account_id == "C002")
        ).scalar_one()
    assert net == 15.0


def test_known_accounts_and_products_are_used_not_changed(db_engine, tmp_path):
    seed_reference(db_engine)
    with db_engine.begin() as conn:
        conn.execute(account.insert().values(account_id="C001", name="老名字", tier_code="KA", status="active"))
        conn.execute(product.insert().values(sku_id="SKU2", name="纯生", std_cogs_per_case=40.0))
    result = import_transactions(db_engine, write_csv(tmp_path / "erp.csv", CLEAN), MAP)
    assert result.created == {"accounts": 1, "products": 2}
    with db_engine.connect() as conn:
        assert conn.execute(
            select(account.c.name, account.c.tier_code).where(account.c.account_id == "C001")
        ).one() == ("老名字", "KA")
    assert _orders(db_engine)[1] == ("ERP-INV001", 2, "SKU2", 50.0, 60.0, 40.0)  # cost from the product


def test_reimport_doubles_nothing_and_counts_lines_already_imported(db_engine, tmp_path):
    path = write_csv(tmp_path / "erp.csv", CLEAN)
    import_transactions(db_engine, path, MAP)
    before = row_counts(db_engine)
    again = import_transactions(db_engine, path, MAP)
    assert (again.inserted, again.skipped) == (0, 5)
    after = row_counts(db_engine)
    assert {k: v for k, v in after.items() if k != "import_log"} == {
        k: v for k, v in before.items() if k != "import_log"
    }
    assert after["import_log"] == before["import_log"] + 1


def test_a_later_export_appends_new_lines_to_a_known_invoice(db_engine, tmp_path):
    import_transactions(db_engine, write_csv(tmp_path / "a.csv", CLEAN), MAP)
    later = CLEAN + "INV001,2026/6/30,C001,城东一批,一批商,SKU2,纯生330ml,7,60,\n"
    result = import_transactions(db_engine, write_csv(tmp_path / "b.csv", later), MAP)
    assert (result.inserted, result.skipped) == (1, 5)
    assert ("ERP-INV001", 4, "SKU2", 7.0, 60.0, 0.0) in _orders(db_engine)


def test_identical_lines_that_differ_in_another_column_are_both_kept_and_reimport_skips_both(db_engine, tmp_path):
    text = (
        "行号,单据号,日期,客户编码,物料编码,数量,单价\n"
        "1,INV9,2026-06-30,C1,SKU1,10,50\n2,INV9,2026-06-30,C1,SKU1,10,50\n"
    )
    mapping = parse_mapping("invoice=单据号,date=日期,account_id=客户编码,sku=物料编码,quantity=数量,unit_price=单价")
    path = write_csv(tmp_path / "erp.csv", text)
    assert import_transactions(db_engine, path, mapping).inserted == 2
    assert import_transactions(db_engine, path, mapping).skipped == 2
    assert [r[:4] for r in _orders(db_engine)] == [("ERP-INV9", 1, "SKU1", 10.0), ("ERP-INV9", 2, "SKU1", 10.0)]


def test_without_rejects_any_bad_line_refuses_the_file_and_names_every_bad_row(db_engine, tmp_path):
    before = row_counts(db_engine)
    with pytest.raises(ImportValidationError) as err:
        import_transactions(db_engine, write_csv(tmp_path / "erp.csv", CLEAN + DIRTY_LINES), MAP, dedupe="exact")
    cells = {(p.row, p.column, p.value) for p in err.value.problems}
    assert cells == {
        (7, "客户编码", ""),
        (8, "单据号", "INV002"),
        (9, "单价", "-5"),
        (10, "日期", "notadate"),
        (10, "数量", "abc"),
        (11, "单据号", "INV001"),
    }
    by_row = {p.row: p.expected for p in err.value.problems}
    assert "row 5" in by_row[8] and "row 2" in by_row[11]
    assert row_counts(db_engine) == before


def test_with_rejects_valid_lines_are_kept_and_every_refused_line_is_written_unchanged(db_engine, tmp_path):
    rejects = tmp_path / "rejects.csv"
    result = import_transactions(
        db_engine, write_csv(tmp_path / "erp.csv", CLEAN + DIRTY_LINES), MAP, rejects=rejects, dedupe="exact"
    )
    assert (result.inserted, result.rows_rejected) == (5, 5)
    assert result.rejected == {
        "no customer": 1,
        "date not readable": 1,
        "unit price not a number or negative": 1,
        "exact duplicate of an earlier line": 1,
        "invoice already used for another customer or date": 1,
    }
    assert rejects.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(rejects, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["row", "reason", *HEAD.strip().split(",")]
    assert [r[0] for r in rows[1:]] == ["7", "8", "9", "10", "11"]
    assert [r[2:] for r in rows[1:]] == [line.split(",") for line in DIRTY_LINES.strip().split("\n")]
    assert rows[1][1].startswith("no customer") and "数量" in rows[4][1]
    with db_engine.connect() as conn:
        log = conn.execute(select(import_log.c.rows_written, import_log.c.rows_rejected)).one()
    assert tuple(log) == (5, 5)
    assert "refused 5 line(s)" in result.summary()


def test_small_chunks_give_the_same_result_as_one_chunk(db_engine, tmp_path):
    path = write_csv(tmp_path / "erp.csv", CLEAN + DIRTY_LINES)
    one = import_transactions(db_engine, path, MAP, rejects=tmp_path / "r1.csv")
    first = _orders(db_engine)
    again = import_transactions(db_engine, path, MAP, rejects=tmp_path / "r2.csv", chunk_lines=2)
    assert (again.skipped, again.inserted, again.rejected) == (one.inserted, 0, one.rejected)
    assert (tmp_path / "r1.csv").read_bytes() == (tmp_path / "r2.csv").read_bytes()
    assert _orders(db_engine) == first


def test_chunked_first_import_matches(sqlite_engine, tmp_path):
    path = write_csv(tmp_path / "erp.csv", CLEAN + DIRTY_LINES)
    result = import_transactions(sqlite_engine, path, MAP, rejects=tmp_path / "r.csv", chunk_lines=3)
    assert (result.inserted, result.rows_rejected) == (6, 4)  # row 8 repeats row 5: imported by default
    assert [r[:2] for r in _orders(sqlite_engine)] == [
        ("ERP-INV001", 1),
        ("ERP-INV001", 2),
        ("ERP-INV001", 3),
        ("ERP-INV002", 1),
        ("ERP-INV002", 2),
        ("ERP-INV003", 1),
    ]


@pytest.mark.parametrize("kind", ["gbk", "xlsx"])
def test_gbk_and_excel_erp_exports_import_the_same_lines(sqlite_engine, tmp_path, kind):
    if kind == "xlsx":
        rows = [line.split(",") for line in CLEAN.strip().split("\n")]
        path = write_xlsx(tmp_path / "erp.xlsx", rows)
    else:
        path = write_csv(tmp_path / "erp.csv", CLEAN, "gbk")
    assert import_transactions(sqlite_engine, path, MAP).inserted == 5
    assert _orders(sqlite_engine)[0] == ("ERP-INV001", 1, "SKU1", 100.0, 48.0, 30.0)


def test_unmapped_fields_use_same_named_columns_and_missing_ones_are_named(sqlite_engine, tmp_path):
    text = "invoice,date,account_id,sku,quantity,unit_price\nI1,2026-06-30,C1,S1,2,10\n"
    assert import_transactions(sqlite_engine, write_csv(tmp_path / "a.csv", text), {}).inserted == 1
    with pytest.raises(UserError, match="unit_price"):
        import_transactions(sqlite_engine, write_csv(tmp_path / "b.csv", "invoice,date,account_id,sku,quantity\n"), {})
    with pytest.raises(UserError, match="'价格'"):
        import_transactions(sqlite_engine, write_csv(tmp_path / "c.csv", text), {"unit_price": "价格"})


def test_unknown_channel_is_refused_and_an_empty_channel_means_retail(sqlite_engine, tmp_path):
    text = (
        "invoice,date,account_id,sku,quantity,unit_price,channel\n"
        "I1,2026-06-30,C1,S1,2,10,\nI2,2026-06-30,C2,S1,2,10,火星\n"
    )
    with pytest.raises(ImportValidationError) as err:
        import_transactions(sqlite_engine, write_csv(tmp_path / "a.csv", text), {})
    assert [(p.row, p.column, p.value) for p in err.value.problems] == [(3, "channel", "火星")]
    import_transactions(sqlite_engine, tmp_path / "a.csv", {}, rejects=tmp_path / "r.csv")
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(account.c.tier_code).where(account.c.account_id == "C1")).scalar_one() == "RETAIL"


SAMPLE_MAP = (
    "invoice=单据号,date=开票日期,account_id=客户编码,account_name=客户名称,channel=渠道,region=区域,"
    "sku=物料编码,product_name=物料名称,quantity=数量,unit_price=含税单价,unit_cost=成本单价"
)


def test_the_shipped_dirty_sample_imports_with_every_kind_of_refusal_counted(sqlite_engine, tmp_path):
    from pathlib import Path

    sample = Path(__file__).resolve().parents[3] / "data" / "sample_erp.csv"
    result = import_transactions(sqlite_engine, sample, parse_mapping(SAMPLE_MAP), rejects=tmp_path / "r.csv")
    assert (result.rows_read, result.inserted) == (20, 17)
    assert result.rejected == {"no customer": 1, "date not readable": 1, "quantity not a number": 1}
    assert result.details["free_goods_lines"] == 1  # the zero-priced goods line: free cases, not refused
    assert result.details["possible_duplicates"] == 1
    assert result.created == {"accounts": 6, "products": 5}  # KH0004's only line is free goods
    with sqlite_engine.connect() as conn:
        tiers = dict(conn.execute(select(account.c.account_id, account.c.tier_code)).all())
        services = set(conn.execute(select(product.c.sku_id).where(product.c.is_service.is_(True))).scalars())
    assert tiers == {
        "KH0001": "DIST",
        "KH0002": "WHS2",
        "KH0003": "KA",
        "KH0004": "RETAIL",
        "KH0006": "WHS2",
        "KH0007": "KA",
    }
    assert services == {"YF01", "KD01"}


def test_a_file_with_only_a_header_imports_nothing_without_error(sqlite_engine, tmp_path):
    path = write_csv(tmp_path / "a.csv", "invoice,date,account_id,sku,quantity,unit_price\n")
    result = import_transactions(sqlite_engine, path, {}, rejects=tmp_path / "r.csv")
    assert (result.rows_read, result.inserted, result.rows_rejected) == (0, 0, 0)
    assert (tmp_path / "r.csv").read_text(encoding="utf-8-sig").strip() == "row,reason," + path.read_text().strip()


def test_a_goods_line_at_price_0_is_imported_as_free_goods_whose_cost_is_promotion_spend(sqlite_engine, tmp_path):
    from kam_core.io.import_health import describe_import
    from kam_core.queries.scorecard import compute_scorecard

    text = HEAD + (
        "F1,2026-06-01,C1,城东一批,一批商,SKU1,勇闯500ml,10,50,30\n"
        "F1,2026-06-01,C1,城东一批,一批商,SKU1,勇闯500ml,1,0,30\n"
    )  # 买十赠一: the 11th case free
    result = import_transactions(sqlite_engine, write_csv(tmp_path / "erp.csv", text), MAP)
    assert (result.inserted, result.rows_rejected) == (2, 0)
    with sqlite_engine.connect() as conn:
        lines = conn.execute(
            select(order_line.c.qty_cases, order_line.c.free_qty_cases, order_line.c.cogs_per_case).order_by(
                order_line.c.line_no
            )
        ).all()
    assert [tuple(r) for r in lines] == [(10.0, 0.0, 30.0), (0.0, 1.0, 30.0)]
    row = compute_scorecard(sqlite_engine).set_index("account_id").loc["C1"]
    assert (row["net_sales"], row["volume_cases"], row["gross_profit"]) == (500.0, 10.0, 200.0)
    assert (row["free_goods_cost"], row["net_profit"]) == (30.0, 170.0)  # the free case's cost is promotion spend
    assert result.details["free_goods_lines"] == 1 and result.details["free_goods_cases"] == 1.0
    assert "1 line is free goods (a goods line at price 0; free cases: 1)" in " ".join(
        describe_import(result.details, "en")
    )
