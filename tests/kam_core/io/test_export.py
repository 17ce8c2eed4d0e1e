"""export: scoped to the viewer, formula injection neutralised in CSV and XLSX, Excel-friendly CSV."""

from __future__ import annotations

import datetime as dt
import io
import sys

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import insert

from kam_core.analytics.scorecard import scorecard_columns
from kam_core.db.schema import account, ar_invoice, ar_payment, order_header, order_line, product
from kam_core.errors import UserError
from kam_core.io.exports import export, frame_to_csv_bytes, frames_to_xlsx, neutralise_formula
from kam_core.scope import Scope
from tests.kam_core.io.io_helpers import seed_reference

EVIL = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


def _seed(engine) -> None:
    """A1 (REP1, R01A), A2 (REP2, R02) and A3 (REP1, R01A, with a formula-like name); one order each."""
    seed_reference(engine)
    day = dt.date(2026, 6, 30)
    with engine.begin() as conn:
        conn.execute(
            insert(account),
            [
                {
                    "account_id": "A1",
                    "name": "城东一批",
                    "tier_code": "DIST",
                    "region_id": "R01A",
                    "owner_rep_id": "REP1",
                },
                {"account_id": "A2", "name": "好又多", "tier_code": "KA", "region_id": "R02", "owner_rep_id": "REP2"},
                {
                    "account_id": "A3",
                    "name": EVIL[0],
                    "tier_code": "RETAIL",
                    "region_id": "R01A",
                    "owner_rep_id": "REP1",
                },
            ],
        )
        conn.execute(insert(product), [{"sku_id": "S1", "name": "勇闯"}])
        for i, acc in enumerate(("A1", "A2", "A3"), start=1):
            conn.execute(insert(order_header).values(order_id=f"O{i}", account_id=acc, order_date=day))
            conn.execute(
                insert(order_line).values(
                    order_id=f"O{i}",
                    line_no=1,
                    sku_id="S1",
                    qty_cases=-2.0 * i,
                    list_price=50.0,
                    invoice_price=48.0,
                    cogs_per_case=30.0,
                )
            )
            conn.execute(
                insert(ar_invoice).values(
                    invoice_id=f"I{i}", account_id=acc, invoice_date=day, due_date=day, amount=100.0 * i
                )
            )
            conn.execute(insert(ar_payment).values(invoice_id=f"I{i}", pay_date=day, amount=10.0 * i))


def _read_csv(path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


@pytest.mark.parametrize("value", EVIL, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_neutralise_formula_quotes_dangerous_text(value):
    assert neutralise_formula(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["城东一批", "a=b", "", -5, 3.5, None], ids=["zh", "inner", "empty", "int", "float", "none"]
)
def test_neutralise_formula_leaves_safe_values_alone(value):
    assert neutralise_formula(value) == value


def test_csv_export_is_utf8_with_bom_and_neutralises_formulas(db_engine, tmp_path):
    _seed(db_engine)
    out = tmp_path / "account.csv"
    assert export(db_engine, "account", "csv", out) == 3
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    names = _read_csv(out).set_index("account_id")["name"]
    assert names["A3"] == "'" + EVIL[0]
    assert names["A1"] == "城东一批"


def test_csv_bytes_neutralise_every_dangerous_prefix_but_not_numbers():
    df = pd.DataFrame({"text": EVIL, "n": range(-3, 3)})
    back = pd.read_csv(io.BytesIO(frame_to_csv_bytes(df)), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert back["text"].tolist() == ["'" + v for v in EVIL]
    assert back["n"].tolist() == ["-3", "-2", "-1", "0", "1", "2"]


def test_xlsx_cells_that_look_like_formulas_are_text_cells(tmp_path):
    df = pd.DataFrame({"text": EVIL + ["ok"], "n": [-1, 2, 3, 4, 5, 6, 7]})
    wb = openpyxl.load_workbook(io.BytesIO(frames_to_xlsx({"view": df})))
    cells = list(wb["view"].iter_rows(min_row=2, max_col=1))
    assert all(c[0].data_type == "s" for c in cells)
    assert [c[0].value for c in cells[:4]] == EVIL[:4]  # value kept as typed, never evaluated
    assert all(c[0].quotePrefix for c in cells[:6]) and not cells[6][0].quotePrefix
    assert [c.value for c in next(wb["view"].iter_cols(min_col=2, min_row=2))] == [-1, 2, 3, 4, 5, 6, 7]


def test_xlsx_export_of_a_table_keeps_the_formula_like_name_as_text(db_engine, tmp_path):
    _seed(db_engine)
    out = tmp_path / "account.xlsx"
    export(db_engine, "account", "xlsx", out)
    ws = openpyxl.load_workbook(out)["account"]
    header = [c.value for c in ws[1]]
    name_col = header.index("name")
    rows = {r[0].value: r[name_col] for r in ws.iter_rows(min_row=2)}
    assert rows["A3"].value == EVIL[0] and rows["A3"].data_type == "s"


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        ("director:*", ["A1", "A2", "A3"]),
        ("rep:REP1", ["A1", "A3"]),
        ("rep:REP2", ["A2"]),
        ("manager:R01", ["A1", "A3"]),
        ("manager:R02", ["A2"]),
    ],
)
def test_exports_respect_the_viewers_scope(db_engine, tmp_path, viewer, expected):
    _seed(db_engine)
    scope = Scope.parse(viewer)
    export(db_engine, "account", "csv", tmp_path / "a.csv", scope=scope)
    assert sorted(_read_csv(tmp_path / "a.csv")["account_id"]) == expected
    orders = {f"O{a[1]}" for a in expected}
    export(db_engine, "order_line", "csv", tmp_path / "l.csv", scope=scope)
    assert set(_read_csv(tmp_path / "l.csv")["order_id"]) == orders
    export(db_engine, "ar_payment", "csv", tmp_path / "p.csv", scope=scope)
    assert set(_read_csv(tmp_path / "p.csv")["invoice_id"]) == {f"I{a[1]}" for a in expected}


def test_all_writes_one_scoped_sheet_per_table_and_only_as_xlsx(db_engine, tmp_path):
    _seed(db_engine)
    out = tmp_path / "all.xlsx"
    n = export(db_engine, "all", "xlsx", out, scope=Scope.parse("rep:REP2"))
    wb = openpyxl.load_workbook(out, read_only=True)
    assert {"account", "order_line", "region", "product"} <= set(wb.sheetnames)
    assert "app_user" not in wb.sheetnames and "audit_log" not in wb.sheetnames
    accounts = [r[0] for r in wb["account"].iter_rows(min_row=2, values_only=True)]
    assert accounts == ["A2"]
    assert n == sum(sum(1 for _ in ws.iter_rows(min_row=2)) for ws in wb.worksheets)
    with pytest.raises(UserError, match="xlsx"):
        export(db_engine, "all", "csv", tmp_path / "all.csv")


def test_unknown_tables_formats_and_director_only_tables_are_user_errors(sqlite_engine, tmp_path):
    with pytest.raises(UserError, match="unknown table"):
        export(sqlite_engine, "nope", "csv", tmp_path / "x.csv")
    with pytest.raises(UserError, match="format"):
        export(sqlite_engine, "account", "pdf", tmp_path / "x.pdf")
    with pytest.raises(UserError, match="director"):
        export(sqlite_engine, "app_user", "csv", tmp_path / "x.csv", scope=Scope.parse("rep:REP1"))
    with pytest.raises(UserError, match="cannot write"):
        export(sqlite_engine, "account", "csv", tmp_path / "no" / "dir" / "x.csv")


def test_scorecard_export_says_so_when_the_analytics_are_missing(sqlite_engine, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "kam_core.analytics.scorecard", None)  # import now raises ImportError
    with pytest.raises(UserError, match="scorecard not available"):
        export(sqlite_engine, "scorecard", "csv", tmp_path / "s.csv")


def test_scorecard_export_writes_one_row_per_account_in_scope(demo_engine, tmp_path):
    scorecard = pytest.importorskip("kam_core.queries.scorecard")
    rep = Scope.parse(
        "rep:"
        + pd.read_sql("SELECT owner_rep_id FROM account WHERE owner_rep_id IS NOT NULL LIMIT 1", demo_engine).iloc[0, 0]
    )
    n = export(demo_engine, "scorecard", "csv", tmp_path / "s.csv", scope=rep)
    expected = scorecard_columns(scorecard.compute_scorecard(demo_engine, scope=rep))
    back = _read_csv(tmp_path / "s.csv")
    assert n == len(expected) == len(back) > 0
    assert list(back.columns) == list(expected.columns)


def test_scorecard_xlsx_has_typed_cells_and_list_columns_as_joined_text(demo_engine, tmp_path):
    scorecard = pytest.importorskip("kam_core.queries.scorecard")
    out = tmp_path / "s.xlsx"
    n = export(demo_engine, "scorecard", "xlsx", out)  # raised ValueError on list cells before
    expected = scorecard_columns(scorecard.compute_scorecard(demo_engine)).set_index("account_id")
    ws = openpyxl.load_workbook(out)["scorecard"]
    header = [c.value for c in ws[1]]
    rows = {r[0].value: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2)}
    assert n == len(rows) == len(expected) > 0
    lists = [c for c in expected.columns if expected[c].map(lambda v: isinstance(v, list) and len(v) > 0).any()]
    assert {"value_type_reasons", "diversion_evidence"} <= set(lists)
    for account_id, want in expected.iterrows():
        got = rows[account_id]
        assert got["net_sales"].data_type == "n" and got["net_sales"].value == pytest.approx(want["net_sales"])
        assert got["diversion_flag"].data_type == "b" and got["diversion_flag"].value == bool(want["diversion_flag"])
        for col in lists:
            items = want[col] if isinstance(want[col], list) else []

            def word(v):  # missing is empty, true/false as in the CSV
                if v is None or v != v:
                    return ""
                return str(v).lower() if isinstance(v, bool) else str(v)

            text = "; ".join(
                ", ".join(f"{k}: {word(v)}" for k, v in i.items()) if isinstance(i, dict) else word(i) for i in items
            )
            assert (got[col].value or "") == text, (account_id, col)
    assert not [
        c.value
        for r in rows.values()
        for c in r.values()
        if isinstance(c.value, str) and c.value[:2] in ("['", "[{", "{'")
    ]


def test_scorecard_csv_has_no_python_reprs_and_flags_as_true_false(demo_engine, tmp_path):
    pytest.importorskip("kam_core.analytics.scorecard")
    export(demo_engine, "scorecard", "csv", tmp_path / "s.csv")
    back = _read_csv(tmp_path / "s.csv")
    assert set(back["diversion_flag"]) <= {"true", "false"}
    assert not back.apply(lambda col: col.str.match(r"^(\['|\[\{|\{')")).any().any()
    assert back["value_type_reasons"].str.contains("; ").any()
