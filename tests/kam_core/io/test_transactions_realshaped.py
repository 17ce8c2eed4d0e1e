"""import-transactions on real-shaped exports (tests/realshaped): repeat scans, reused invoice numbers,
no channel column; every purchase kept, every assumption reported, re-import doubles nothing."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from kam_core.db.schema import account, import_log, order_header, order_line
from kam_core.errors import UserError
from kam_core.io.import_health import describe_import, recent_import_health
from kam_core.io.results import ImportValidationError
from kam_core.io.transactions import import_transactions, parse_mapping
from tests.kam_core.io.io_helpers import write_csv

FILES = Path(__file__).resolve().parents[2] / "realshaped"
REPEAT = FILES / "erp_repeat_lines.csv"
REUSED = FILES / "erp_reused_invoice_lines.csv"
NO_CHANNEL = FILES / "erp_no_channel_lines.csv"
REPEAT_MAP = parse_mapping(
    "invoice=InvoiceNo,date=InvoiceDate,account_id=CustomerID,sku=StockCode,"
    "product_name=Description,quantity=Quantity,unit_price=UnitPrice"
)
NO_CHANNEL_MAP = parse_mapping(
    "invoice=单据号,date=日期,account_id=客户编码,account_name=客户名称,sku=物料编码,"
    "product_name=物料名称,quantity=数量,unit_price=单价"
)
REUSED_REASON = (
    "invoice already used for another customer or date: invoice: {inv!r} (expected the customer {c} "
    "and date {d} of this invoice's first line (row {r}))"
)


def _net_sales(engine) -> dict[str, float]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(order_header.c.account_id, func.sum(order_line.c.qty_cases * order_line.c.invoice_price))
            .join(order_line, order_line.c.order_id == order_header.c.order_id)
            .group_by(order_header.c.account_id)
        ).all()
    return {a: float(v) for a, v in rows}


def _expected_net_sales(path: Path, account_col: str, qty: str, price: str) -> dict[str, float]:
    """Independent: pandas over every line of the file."""
    df = pd.read_csv(path, dtype={account_col: str})
    return (df[qty] * df[price]).groupby(df[account_col]).sum().to_dict()


def _rejects(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_repeat_lines_are_imported_and_every_customers_net_sales_equal_the_sum_of_all_lines(db_engine):
    result = import_transactions(db_engine, REPEAT, REPEAT_MAP)
    assert (result.rows_read, result.inserted, result.rows_rejected) == (14, 14, 0)
    expected = _expected_net_sales(REPEAT, "CustomerID", "Quantity", "UnitPrice")
    got = _net_sales(db_engine)
    assert set(got) == set(expected) == {"17850", "13047", "12583", "13748", "15100"}
    for customer, value in expected.items():
        assert got[customer] == pytest.approx(value, abs=0.01), customer


def test_repeat_lines_are_reported_as_possible_duplicates_with_their_count_and_value(db_engine):
    result = import_transactions(db_engine, REPEAT, REPEAT_MAP)
    df = pd.read_csv(REPEAT, dtype=str)
    copies = df[df.duplicated(keep="first")]
    value = (copies["Quantity"].astype(float) * copies["UnitPrice"].astype(float)).sum()
    assert result.details["possible_duplicates"] == len(copies) == 4
    assert result.details["possible_duplicates_value"] == pytest.approx(value, abs=0.01)
    assert "4 possible duplicate(s)" in result.summary() and "¥154.00" in result.summary()


def test_accounts_whose_lines_are_all_zero_value_still_become_accounts(db_engine):
    import_transactions(db_engine, REPEAT, REPEAT_MAP)
    with db_engine.connect() as conn:
        ids = set(conn.execute(select(account.c.account_id)).scalars())
    assert {"12583", "13748"} <= ids  # postage at price 0 only; a sale and its credit note
    assert _net_sales(db_engine)["12583"] == 0.0 and _net_sales(db_engine)["13748"] == 0.0


def test_with_dedupe_exact_repeat_lines_are_refused_as_before(db_engine, tmp_path):
    with pytest.raises(ImportValidationError) as err:
        import_transactions(db_engine, REPEAT, REPEAT_MAP, dedupe="exact")
    assert sorted(p.row for p in err.value.problems) == [4, 7, 9, 14]
    result = import_transactions(db_engine, REPEAT, REPEAT_MAP, dedupe="exact", rejects=tmp_path / "r.csv")
    assert result.rejected == {"exact duplicate of an earlier line": 4}
    assert (result.inserted, result.details["possible_duplicates"]) == (10, 0)
    assert [r[0] for r in _rejects(tmp_path / "r.csv")[1:]] == ["4", "7", "9", "14"]


def test_unknown_dedupe_rule_is_refused(sqlite_engine):
    with pytest.raises(UserError, match="--dedupe"):
        import_transactions(sqlite_engine, REPEAT, REPEAT_MAP, dedupe="fuzzy")


def test_reimport_of_repeat_lines_doubles_nothing_and_a_further_copy_is_added_once(db_engine, tmp_path):
    import_transactions(db_engine, REPEAT, REPEAT_MAP)
    first = _net_sales(db_engine)
    again = import_transactions(db_engine, REPEAT, REPEAT_MAP, chunk_lines=3)
    assert (again.inserted, again.skipped) == (0, 14)
    assert _net_sales(db_engine) == first
    longer = tmp_path / "later.csv"
    shutil.copy(REPEAT, longer)
    with open(longer, "a", encoding="utf-8") as fh:  # a later export: one more scan of a repeated line
        fh.write("536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,2025-12-01 08:34:00,1.69,13047,United Kingdom\n")
    later = import_transactions(db_engine, longer, REPEAT_MAP)
    assert (later.inserted, later.skipped) == (1, 14)
    assert _net_sales(db_engine)["13047"] == pytest.approx(first["13047"] + 32 * 1.69, abs=0.01)


def test_the_data_health_record_of_an_import_is_stored_with_every_count(db_engine):
    import_transactions(db_engine, REPEAT, REPEAT_MAP)
    with db_engine.connect() as conn:
        stored = json.loads(conn.execute(select(import_log.c.details)).scalar_one())
    assert stored == {
        "kind": "erp",
        "lines_read": 14,
        "lines_imported": 14,
        "lines_already_imported": 0,
        "lines_refused": {},
        "possible_duplicates": 4,
        "possible_duplicates_value": 154.0,
        "reused_invoices": 0,
        "accounts_created": 5,
        "accounts_default_tier": 5,
        "default_tier": "RETAIL",
        "no_channel_column": True,
        "products_created": 7,
        "lines_without_cost": 14,
        "service_lines": 1,
        "free_goods_lines": 0,
        "free_goods_cases": 0.0,
        "return_lines": 1,
        "return_invoices": 1,
        "regions_not_found": 0,
        "blank_lines": 0,
        "dedupe": "none",
    }
    assert recent_import_health(db_engine)[0]["record"] == stored


def test_the_record_reads_as_sentences_in_chinese_and_english_without_codes():
    record = {
        "lines_read": 14,
        "lines_imported": 10,
        "lines_refused": {"reused_invoice": 3},
        "possible_duplicates": 4,
        "possible_duplicates_value": 154.0,
        "accounts_default_tier": 5,
        "default_tier": "RETAIL",
        "no_channel_column": True,
        "service_lines": 0,
        "dedupe": "none",
    }
    en, zh = describe_import(record, "en"), describe_import(record, "zh")
    assert en == [
        "14 lines read.",
        "10 lines imported.",
        "3 lines refused: invoice number already used for another customer or date.",
        "4 lines repeat an earlier line exactly (possible duplicates, worth ¥154): imported as real "
        "purchases (repeat scans are real in ERP and POS exports); use --dedupe exact to refuse them.",
        "The file has no channel column: all 5 new accounts were put in “Small retail”; map a channel "
        "column (--map channel=COLUMN) or choose a default channel (--default-tier).",
    ]
    assert len(zh) == 5 and "小终端" in zh[4] and "¥154" in zh[3]
    assert not any(code in line for line in en + zh for code in ("RETAIL", "reused_invoice", "possible_duplicates"))


def test_a_reused_invoice_number_across_chunks_goes_to_the_rejects_file_and_the_rest_imports(db_engine, tmp_path):
    rejects = tmp_path / "r.csv"
    result = import_transactions(db_engine, REUSED, {}, rejects=rejects, chunk_lines=2)
    assert (result.inserted, result.rejected) == (5, {"invoice already used for another customer or date": 3})
    assert result.details["reused_invoices"] == 2
    assert _rejects(rejects) == [
        ["row", "reason", "invoice", "date", "account_id", "sku", "quantity", "unit_price"],
        [
            "5",
            REUSED_REASON.format(inv="R1001", c="U001", d="2026-03-01", r=2),
            "R1001",
            "2026-03-01",
            "U003",
            "CD03",
            "1",
            "9.99",
        ],
        [
            "6",
            REUSED_REASON.format(inv="R1002", c="U002", d="2026-03-01", r=4),
            "R1002",
            "2026-03-02",
            "U002",
            "CD02",
            "1",
            "11.99",
        ],
        [
            "8",
            REUSED_REASON.format(inv="R1001", c="U001", d="2026-03-01", r=2),
            "R1001",
            "2026-03-05",
            "U001",
            "CD04",
            "1",
            "12.99",
        ],
    ]
    assert _net_sales(db_engine) == pytest.approx(
        {"U001": 15.99 + 2 * 11.99, "U002": 15.99, "U003": 2 * 9.99, "U004": 3 * 15.99}
    )


def test_chunk_size_does_not_change_which_lines_a_reused_invoice_refuses(sqlite_engine, tmp_path):
    import_transactions(sqlite_engine, REUSED, {}, rejects=tmp_path / "one.csv")
    import_transactions(sqlite_engine, REUSED, {}, rejects=tmp_path / "small.csv", chunk_lines=1)
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "small.csv").read_bytes()


def test_without_rejects_a_reused_invoice_refuses_the_file_and_names_the_first_row(db_engine):
    with pytest.raises(ImportValidationError) as err:
        import_transactions(db_engine, REUSED, {}, chunk_lines=3)
    assert [(p.row, p.value) for p in err.value.problems] == [(5, "R1001"), (6, "R1002"), (8, "R1001")]
    assert "row 2" in err.value.problems[0].expected
    with db_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(order_line)).scalar_one() == 0


def test_an_invoice_already_imported_for_another_customer_is_refused_not_appended(db_engine, tmp_path):
    import_transactions(
        db_engine,
        write_csv(
            tmp_path / "a.csv", "invoice,date,account_id,sku,quantity,unit_price\nR1001,2026-03-01,U001,CD01,1,15.99\n"
        ),
        {},
    )
    later = write_csv(
        tmp_path / "b.csv",
        "invoice,date,account_id,sku,quantity,unit_price\n"
        "R1001,2026-04-01,U009,CD02,1,11.99\nR2000,2026-04-01,U009,CD02,1,11.99\n",
    )
    with pytest.raises(ImportValidationError, match="already imported"):
        import_transactions(db_engine, later, {})
    result = import_transactions(db_engine, later, {}, rejects=tmp_path / "r.csv")
    assert (result.inserted, result.rows_rejected) == (1, 1)
    assert _rejects(tmp_path / "r.csv")[1][:2] == [
        "2",
        "invoice already used for another customer or date: invoice: 'R1001' (expected the customer U001 "
        "and date 2026-03-01 of invoice R1001 as already imported)",
    ]
    assert _net_sales(db_engine) == pytest.approx({"U001": 15.99, "U009": 11.99})


def test_without_a_channel_column_new_accounts_get_the_default_tier_and_the_summary_says_so(db_engine):
    result = import_transactions(db_engine, NO_CHANNEL, NO_CHANNEL_MAP)
    assert (
        "3 new account(s) had no channel and were put in tier RETAIL; map a channel column with "
        "--map channel=COL or choose --default-tier"
    ) in result.summary()
    assert (result.details["accounts_default_tier"], result.details["no_channel_column"]) == (3, True)
    with db_engine.connect() as conn:
        assert set(conn.execute(select(account.c.tier_code)).scalars()) == {"RETAIL"}


def test_default_tier_puts_accounts_without_a_channel_in_the_chosen_tier(db_engine):
    result = import_transactions(db_engine, NO_CHANNEL, NO_CHANNEL_MAP, default_tier="ka")
    assert "put in tier KA" in result.summary() and result.details["default_tier"] == "KA"
    with db_engine.connect() as conn:
        assert set(conn.execute(select(account.c.tier_code)).scalars()) == {"KA"}


def test_an_unknown_default_tier_is_refused_with_the_known_codes(sqlite_engine):
    with pytest.raises(UserError, match=r"--default-tier: unknown tier code 'VIP'; expected one of DIST, KA, ONPREM"):
        import_transactions(sqlite_engine, NO_CHANNEL, NO_CHANNEL_MAP, default_tier="VIP")


def test_empty_channel_cells_take_the_first_named_channel_else_the_default(sqlite_engine, tmp_path):
    text = (
        "invoice,date,account_id,sku,quantity,unit_price,channel\n"
        "I1,2026-06-30,C1,S1,2,10,\nI2,2026-07-01,C1,S1,2,10,KA\nI3,2026-07-01,C2,S1,2,10,\n"
    )
    result = import_transactions(sqlite_engine, write_csv(tmp_path / "a.csv", text), {})
    assert "1 new account(s) had no channel (empty cells in column 'channel')" in result.summary()
    with sqlite_engine.connect() as conn:
        assert dict(conn.execute(select(account.c.account_id, account.c.tier_code)).all()) == {
            "C1": "KA",
            "C2": "RETAIL",
        }
