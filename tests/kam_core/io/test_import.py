"""import FILE --table NAME: every file validated first, all problems named, one transaction, upsert."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select

from kam_core.db.schema import account, audit_log, import_log, region, survey_response, visit
from kam_core.errors import UserError
from kam_core.io.imports import import_table
from kam_core.io.readers import read_table_file
from kam_core.io.results import ImportValidationError
from kam_core.io.validation import table_spec
from tests.kam_core.io.io_helpers import row_counts, seed_reference, write_csv, write_xlsx

ACCOUNT_ROWS = [
    ["account_id", "name", "tier_code", "region_id", "owner_rep_id", "first_order_date", "exclusive_agreement"],
    ["A001", "城东一批商贸", "DIST", "R01A", "REP1", "2026-06-30", "是"],
    ["A002", "好又多超市", "KA", "R02", "REP2", "2026/6/30", "false"],
    ["A003", "张三小店", "RETAIL", "", "", "20260630", ""],
]


def _csv_text(rows: list[list]) -> str:
    return "\n".join(",".join(r) for r in rows) + "\n"


def _accounts(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(
                    account.c.account_id,
                    account.c.name,
                    account.c.tier_code,
                    account.c.region_id,
                    account.c.owner_rep_id,
                    account.c.first_order_date,
                    account.c.exclusive_agreement,
                ).order_by(account.c.account_id)
            )
        ]


@pytest.mark.parametrize("kind", ["utf-8", "utf-8-sig", "gbk", "xlsx"])
def test_good_files_in_every_encoding_and_excel_import_the_same_rows(db_engine, tmp_path, kind):
    seed_reference(db_engine)
    if kind == "xlsx":
        path = write_xlsx(tmp_path / "accounts.xlsx", ACCOUNT_ROWS, sheet="account")
    else:
        path = write_csv(tmp_path / "accounts.csv", _csv_text(ACCOUNT_ROWS), kind)
    result = import_table(db_engine, path, "account")
    assert (result.inserted, result.updated) == (3, 0)
    june30 = dt.date(2026, 6, 30)
    assert _accounts(db_engine) == [
        ("A001", "城东一批商贸", "DIST", "R01A", "REP1", june30, True),
        ("A002", "好又多超市", "KA", "R02", "REP2", june30, False),
        ("A003", "张三小店", "RETAIL", None, None, june30, False),
    ]


def test_excel_dates_and_numbers_read_from_real_cells(db_engine, tmp_path):
    seed_reference(db_engine)
    rows = [
        ACCOUNT_ROWS[0] + ["outlets_served"],
        ["A001", "一批", "DIST", "R01A", "REP1", dt.datetime(2026, 6, 30), True, 12],
        ["A002", "二批", "KA", "R02", "REP2", 46203, False, 3.0],
    ]  # 46203 = Excel serial of 2026-06-30
    result = import_table(db_engine, write_xlsx(tmp_path / "a.xlsx", rows), "account")
    assert result.inserted == 2
    with db_engine.connect() as conn:
        got = conn.execute(
            select(account.c.first_order_date, account.c.outlets_served).order_by(account.c.account_id)
        ).all()
    assert [tuple(r) for r in got] == [(dt.date(2026, 6, 30), 12), (dt.date(2026, 6, 30), 3)]


def test_a_bad_file_names_every_bad_row_and_writes_nothing(db_engine, tmp_path):
    seed_reference(db_engine)
    import_table(db_engine, write_csv(tmp_path / "ok.csv", _csv_text(ACCOUNT_ROWS[:2])), "account")
    before = row_counts(db_engine)
    bad = write_csv(
        tmp_path / "bad.csv",
        _csv_text(
            [
                ACCOUNT_ROWS[0],
                ["B001", "好店", "DIST", "R01A", "REP1", "2026-06-30", "yes"],  # fine
                ["B002", "坏店", "XX", "R01A", "REP1", "2026-13-01", "maybe"],  # tier, date, bool
                ["B003", "", "KA", "NOPE", "REP1", "", ""],  # name required, region unknown
                ["B001", "重复", "KA", "R02", "REP2", "", ""],  # duplicate key
            ]
        ),
    )
    with pytest.raises(ImportValidationError) as err:
        import_table(db_engine, bad, "account")
    found = {(p.row, p.column, p.value) for p in err.value.problems}
    assert found == {
        (3, "tier_code", "XX"),
        (3, "first_order_date", "2026-13-01"),
        (3, "exclusive_agreement", "maybe"),
        (4, "name", ""),
        (4, "region_id", "NOPE"),
        (5, "account_id", "B001"),
    }
    by_cell = {(p.row, p.column): p for p in err.value.problems}
    assert "channel_tier.tier_code" in by_cell[3, "tier_code"].expected
    assert "2026-06-30" in by_cell[3, "first_order_date"].expected
    assert "required" in by_cell[4, "name"].expected
    assert "row 2" in by_cell[5, "account_id"].expected
    assert all(p.file == "bad.csv" for p in err.value.problems)
    assert "row 3" in str(err.value) and "nothing was imported" in str(err.value)
    assert row_counts(db_engine) == before


@pytest.mark.parametrize("value", ["11", "-1", "7.5"], ids=["above-10", "below-0", "fraction"])
def test_nps_outside_0_to_10_is_refused(db_engine, tmp_path, value):
    seed_reference(db_engine)
    import_table(db_engine, write_csv(tmp_path / "a.csv", _csv_text(ACCOUNT_ROWS[:2])), "account")
    path = write_csv(
        tmp_path / "s.csv",
        f"account_id,respondent_role,response_date,nps_0_10\nA001,owner,2026-06-01,9\nA001,buyer,2026-06-02,{value}\n",
    )
    with pytest.raises(ImportValidationError) as err:
        import_table(db_engine, path, "survey_response")
    assert [(p.row, p.column, p.value) for p in err.value.problems] == [(3, "nps_0_10", value)]
    with db_engine.connect() as conn:
        assert conn.execute(select(survey_response)).first() is None


def test_reimport_updates_existing_keys_bumps_version_and_audits_each_change(db_engine, tmp_path):
    seed_reference(db_engine)
    import_table(db_engine, write_csv(tmp_path / "a.csv", _csv_text(ACCOUNT_ROWS)), "account")
    changed = [
        ACCOUNT_ROWS[0],
        ["A001", "城东一批商贸", "DIST", "R01A", "REP2", "2026-06-30", "是"],
        ["A004", "新店", "RETAIL", "", "", "", ""],
    ]
    result = import_table(db_engine, write_csv(tmp_path / "b.csv", _csv_text(changed)), "account", user="li")
    assert (result.inserted, result.updated, result.unchanged) == (1, 1, 0)
    with db_engine.connect() as conn:
        a1 = conn.execute(select(account).where(account.c.account_id == "A001")).mappings().one()
        log = (
            conn.execute(select(audit_log).where(audit_log.c.changed_by == "li").order_by(audit_log.c.audit_id))
            .mappings()
            .all()
        )
        imports = conn.execute(select(import_log).order_by(import_log.c.import_id)).mappings().all()
    assert (a1["owner_rep_id"], a1["version"], a1["name"]) == ("REP2", 2, "城东一批商贸")
    updates = [(r["record_key"], r["field"], r["old_value"], r["new_value"]) for r in log if r["action"] == "update"]
    assert updates == [("A001", "owner_rep_id", "REP1", "REP2")]
    assert [r["record_key"] for r in log if r["action"] == "insert"] == ["A004"]
    assert [(r["target"], r["rows_read"], r["rows_written"]) for r in imports] == [("account", 3, 3), ("account", 2, 2)]


def test_parents_later_in_the_file_are_inserted_first_and_loops_are_refused(db_engine, tmp_path):
    head = "region_id,parent_id,level,code,name_zh,name_en,path\n"
    ok = write_csv(
        tmp_path / "r.csv", head + "S1,A1,street,S1,街1,S1,R1/A1/S1\nR1,,region,R1,东,E,R1\nA1,R1,area,A1,沪,SH,R1/A1\n"
    )
    assert import_table(db_engine, ok, "region").inserted == 3
    loop = write_csv(tmp_path / "loop.csv", head + "X1,X2,area,X1,甲,X1,X\nX2,X1,area,X2,乙,X2,X\n")
    with pytest.raises(ImportValidationError) as err:
        import_table(db_engine, loop, "region")
    assert sorted(p.row for p in err.value.problems) == [2, 3]
    with db_engine.connect() as conn:
        assert sorted(conn.execute(select(region.c.region_id)).scalars()) == ["A1", "R1", "S1"]


def test_serial_tables_insert_rows_without_id_and_refuse_unknown_ids(db_engine, tmp_path):
    seed_reference(db_engine)
    import_table(db_engine, write_csv(tmp_path / "a.csv", _csv_text(ACCOUNT_ROWS[:2])), "account")
    new = write_csv(
        tmp_path / "v.csv",
        "account_id,rep_id,visit_date,visit_type,duration_min\n"
        "A001,REP1,2026-06-01,order,30\nA001,REP1,2026-06-08,training,90\n",
    )
    assert import_table(db_engine, new, "visit").inserted == 2
    with db_engine.connect() as conn:
        ids = sorted(conn.execute(select(visit.c.visit_id)).scalars())
    fix = write_csv(
        tmp_path / "v2.csv",
        f"visit_id,account_id,visit_date,visit_type,duration_min\n{ids[0]},A001,2026-06-01,order,45\n",
    )
    assert import_table(db_engine, fix, "visit").updated == 1
    unknown = write_csv(tmp_path / "v3.csv", "visit_id,account_id,visit_date,visit_type\n99999,A001,2026-06-01,order\n")
    with pytest.raises(ImportValidationError) as err:
        import_table(db_engine, unknown, "visit")
    assert [(p.row, p.column, p.value) for p in err.value.problems] == [(2, "visit_id", "99999")]
    with db_engine.connect() as conn:
        assert conn.execute(select(visit.c.duration_min).where(visit.c.visit_id == ids[0])).scalar_one() == 45


def test_header_problems_name_unknown_and_missing_key_columns(sqlite_engine, tmp_path):
    path = write_csv(tmp_path / "a.csv", "nmae,tier_code\nx,DIST\n")
    with pytest.raises(ImportValidationError) as err:
        import_table(sqlite_engine, path, "account")
    assert {(p.row, p.column) for p in err.value.problems} == {(1, "nmae"), (1, "account_id")}


def test_an_update_only_file_may_leave_out_required_columns_but_new_rows_may_not(db_engine, tmp_path):
    seed_reference(db_engine)
    import_table(db_engine, write_csv(tmp_path / "a.csv", _csv_text(ACCOUNT_ROWS)), "account")
    before = row_counts(db_engine)
    mixed = write_csv(tmp_path / "b.csv", "account_id,owner_rep_id\nA001,REP2\nA009,REP2\nA003,REP1\n")
    with pytest.raises(ImportValidationError) as err:
        import_table(db_engine, mixed, "account")
    assert {(p.row, p.column) for p in err.value.problems} == {(3, "name"), (3, "tier_code")}
    assert row_counts(db_engine) == before
    reassign = write_csv(tmp_path / "c.csv", "account_id,owner_rep_id\nA001,REP2\nA003,REP1\n")
    assert import_table(db_engine, reassign, "account").updated == 2
    assert [r[4] for r in _accounts(db_engine)] == ["REP2", "REP2", "REP1"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"A1,x,DIST\n", None),  # handled below: header is not column names of the table
        (b"account_id,name,name\nA1,x,y\n", "duplicated column"),
        (b"2026-06-30,12,3.5\n1,2,3\n", "looks like data"),
        (b"\xff\xfe\x80abc,def\n", "tried UTF-8"),
    ],
    ids=["empty", "no-known-header", "duplicate-columns", "no-header", "undecodable"],
)
def test_unreadable_files_are_user_errors_naming_the_file(sqlite_engine, tmp_path, content, message):
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    with pytest.raises(UserError) as err:
        import_table(sqlite_engine, path, "account")
    assert "in.csv" in str(err.value)
    if message:
        assert message in str(err.value)


@pytest.mark.parametrize(
    ("name", "message"), [("a.pdf", "unknown file type"), ("a.xls", ".xls"), ("missing.csv", "not found")]
)
def test_wrong_or_missing_files_are_user_errors(sqlite_engine, tmp_path, name, message):
    path = tmp_path / name
    if name != "missing.csv":
        path.write_bytes(b"x")
    with pytest.raises(UserError, match=message):
        import_table(sqlite_engine, path, "account")


def test_unknown_or_non_importable_table_is_refused(sqlite_engine, tmp_path):
    path = write_csv(tmp_path / "a.csv", "x\n1\n")
    for table in ("nope", "order_line", "audit_log"):
        with pytest.raises(UserError, match="cannot be imported"):
            import_table(sqlite_engine, path, table)


def test_table_spec_follows_the_schema():
    spec = table_spec("account")
    assert spec.key == ("account_id",)
    assert spec.columns["status"].allowed == ("prospect", "negotiating", "signed", "active", "lost")
    assert spec.columns["tier_code"].required and spec.columns["tier_code"].ref == ("channel_tier", "tier_code")
    assert not spec.columns["status"].required  # has a default
    nps = table_spec("survey_response").columns["nps_0_10"]
    assert (nps.low, nps.high) == (0, 10)
    assert table_spec("visit").serial == "visit_id"


def test_blank_lines_keep_spreadsheet_row_numbers(sqlite_engine, tmp_path):
    seed_reference(sqlite_engine)
    path = write_csv(tmp_path / "a.csv", "account_id,name,tier_code\nA1,x,DIST\n,,\nA2,y,BAD\n")
    with pytest.raises(ImportValidationError) as err:
        import_table(sqlite_engine, path, "account")
    assert [(p.row, p.value) for p in err.value.problems] == [(4, "BAD")]


def test_reader_keeps_values_as_text(tmp_path):
    path = write_csv(tmp_path / "a.csv", "code,qty\n007,1.50\n")
    frame = read_table_file(path).frame
    assert frame.to_dict("records") == [{"code": "007", "qty": "1.50"}]
    assert isinstance(frame, pd.DataFrame)


TEMPLATE_ORDER = [
    "channel_tier",
    "region",
    "sales_rep",
    "account",
    "account_contact",
    "account_capability",
    "account_territory",
    "product",
    "price_list",
    "visit",
    "service_event",
    "survey_response",
    "competitor_brand",
    "account_competitor",
    "credit_terms",
    "ka_fee",
    "co_investment",
    "account_category_volume",
    "ar_invoice",
    "ar_payment",
    "promotion",
    "rebate_program",
    "rebate_tier",
]


def test_every_template_imports_cleanly_in_order_and_is_listed_in_the_readme(db_engine):
    from pathlib import Path

    folder = Path(__file__).resolve().parents[3] / "data" / "templates"
    assert sorted(p.stem for p in folder.glob("*.csv")) == sorted(TEMPLATE_ORDER)
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for name in TEMPLATE_ORDER:
        result = import_table(db_engine, folder / f"{name}.csv", name)
        assert result.inserted > 0 and result.updated == 0, name
        assert f"`{name}`" in readme
    again = import_table(db_engine, folder / "account.csv", "account")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)


def test_an_empty_cell_in_an_update_clears_the_value(db_engine, tmp_path):
    seed_reference(db_engine)
    import_table(db_engine, write_csv(tmp_path / "a.csv", _csv_text(ACCOUNT_ROWS[:2])), "account")
    cleared = [ACCOUNT_ROWS[0], ["A001", "城东一批商贸", "DIST", "R01A", "", "", "是"]]
    result = import_table(db_engine, write_csv(tmp_path / "b.csv", _csv_text(cleared)), "account")
    assert result.updated == 1
    assert _accounts(db_engine) == [("A001", "城东一批商贸", "DIST", "R01A", None, None, True)]
