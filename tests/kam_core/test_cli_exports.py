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

NAMES = {"A001": "=HYPERLINK(\"http://evil.example\",\"click\")", "A002": "bare\rCR then more", "A003": "@SUM(1+1)\r\nx"}


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
