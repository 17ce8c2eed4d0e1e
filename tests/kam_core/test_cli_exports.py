"""CLI ``accounts`` and ``export`` write hostile text safely: formulas as text, a bare CR inside a cell, lists."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pandas as pd
import pytest
from kam_tiny_db import seed_tiny
from sqlalchemy import update

from kam_core.cli import main
from kam_core.db import ensure_schema, get_engine
from kam_core.db.schema import account

NAMES = {"A001": '=HYPERLINK("http://evil.example","click")', "A002": "bare\rCR then more", "A003": "@SUM(1+1)\r\nx"}


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> str:
    """The tiny brewer with account names a spreadsheet could run or a CSV reader could split."""
    url = f"sqlite:///{tmp_path_factory.mktemp('cli_exports') / 'kam.db'}"
    engine = get_engine(url)
    ensure_schema(engine)
    seed_tiny(engine)
    with engine.begin() as conn:
        for account_id, name in NAMES.items():
            conn.execute(update(account).where(account.c.account_id == account_id).values(name=name))
    engine.dispose()
    return url


def _accounts_csv(db: str, capsys) -> str:
    assert main(["accounts", "--db", db, "--format", "csv"]) == 0
    return capsys.readouterr().out


def test_accounts_csv_neutralises_formulas_and_keeps_a_bare_cr_inside_its_cell(hostile_db, capsys):
    out = _accounts_csv(hostile_db, capsys)
    back = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False).set_index("account_id")
    assert sorted(back.index) == sorted(NAMES)  # three rows: the CR split none of them
    assert back.loc["A001", "name"] == "'" + NAMES["A001"]
    assert back.loc["A002", "name"] == NAMES["A002"]
    assert back.loc["A003", "name"] == "'" + NAMES["A003"]
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert len(rows) == 1 + len(NAMES) and {len(r) for r in rows} == {len(rows[0])}


def test_accounts_csv_writes_lists_as_text_and_flags_as_true_false(hostile_db, capsys):
    back = pd.read_csv(io.StringIO(_accounts_csv(hostile_db, capsys)), dtype=str, keep_default_na=False)
    assert set(back["high_volume_low_loyalty"]) <= {"true", "false"}
    reprs = back.apply(lambda col: col.str.match(r"^(\[|\{')")).to_numpy()
    assert not reprs.any(), back.columns[reprs.any(axis=0)].tolist()


def test_accounts_json_is_strict_json_with_real_lists(hostile_db, capsys):
    assert main(["accounts", "--db", hostile_db, "--format", "json"]) == 0

    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    rows = json.loads(capsys.readouterr().out, parse_constant=refuse)  # NaN / Infinity are not JSON
    by_id = {r["account_id"]: r for r in rows}
    assert by_id["A001"]["name"] == NAMES["A001"]  # JSON carries the text itself: nothing runs it
    assert isinstance(by_id["A001"]["loyalty_reasons"], list)


def test_export_of_the_scorecard_as_xlsx_writes_text_cells_for_formula_names(hostile_db, tmp_path, capsys):
    out = tmp_path / "s.xlsx"
    assert main(["export", "--db", hostile_db, "--what", "scorecard", "--format", "xlsx", "--out", str(out)]) == 0
    assert "wrote 3 rows" in capsys.readouterr().out
    ws = openpyxl.load_workbook(out)["scorecard"]
    header = [c.value for c in ws[1]]
    cells = {r[0].value: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2)}
    name = cells["A001"]["name"]
    assert (name.value, name.data_type, name.quotePrefix) == (NAMES["A001"], "s", True)
    assert cells["A001"]["net_sales"].data_type == "n" and cells["A001"]["diversion_flag"].data_type == "b"
    assert all(c.data_type != "f" for row in cells.values() for c in row.values())


def test_export_of_the_scorecard_as_csv_matches_the_accounts_command(hostile_db, tmp_path, capsys):
    out = tmp_path / "s.csv"
    assert main(["export", "--db", hostile_db, "--what", "scorecard", "--format", "csv", "--out", str(out)]) == 0
    capsys.readouterr()
    exported = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    printed = pd.read_csv(io.StringIO(_accounts_csv(hostile_db, capsys)), dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(exported, printed)


def test_a_rejects_file_keeps_refused_lines_but_a_formula_cell_is_written_as_text(sqlite_engine, tmp_path):
    from kam_core.io.transactions import import_transactions, parse_mapping
    from tests.kam_core.io.io_helpers import seed_reference, write_csv

    seed_reference(sqlite_engine)
    mapping = parse_mapping(
        "invoice=单据号,date=日期,account_id=客户编码,account_name=客户名称,sku=物料编码,quantity=数量,unit_price=单价"
    )
    text = (
        "单据号,日期,客户编码,客户名称,物料编码,数量,单价\n"
        "INV1,2026-07-01,C001,城东一批,SKU1,10,48\n"
        'INV2,2026-07-01,,=HYPERLINK("http://evil.example"),SKU1,-5,48\n'  # no customer: refused
        "INV3,notadate,C001,城东一批,SKU1,-5,-2+3\n"
    )  # bad date: refused
    rejects = tmp_path / "rejects.csv"
    result = import_transactions(sqlite_engine, write_csv(tmp_path / "erp.csv", text), mapping, rejects=rejects)
    assert result.rows_rejected == 2
    with open(rejects, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert [r[0] for r in rows[1:]] == ["3", "4"]
    assert rows[1][2:] == ["INV2", "2026-07-01", "", '\'=HYPERLINK("http://evil.example")', "SKU1", "-5", "48"]
    assert rows[2][2:] == ["INV3", "notadate", "C001", "城东一批", "SKU1", "-5", "'-2+3"]


def test_an_import_error_report_writes_the_bad_value_as_text(tmp_path):
    from kam_core.io.results import Problem, write_problems_csv

    path = write_problems_csv([Problem("visits.csv", 2, "note", "=cmd|' /C calc'!A0", "text")], tmp_path / "e.csv")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[1] == ["visits.csv", "2", "note", "'=cmd|' /C calc'!A0", "text"]
