"""The one XLSX writer: formula-safe cells, styled and frozen header, number formats per column kind, widths."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import insert

from kam_core.db.schema import account, order_header, order_line, product
from kam_core.io.exports import export
from kam_core.io.xlsx import MAX_WIDTH, frames_to_xlsx, looks_like_formula
from tests.kam_core.io.io_helpers import seed_reference

HOSTILE = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1", '  =HYPERLINK("http://x")', " \t+1+1", "\u3000@x"]


def _sheet(frames: dict[str, pd.DataFrame], name: str):
    return openpyxl.load_workbook(io.BytesIO(frames_to_xlsx(frames)))[name]


def _columns(ws) -> dict[str, list]:
    header = [c.value for c in ws[1]]
    return {h: [r[i] for r in ws.iter_rows(min_row=2)] for i, h in enumerate(header)}


@pytest.mark.parametrize("text", HOSTILE, ids=["eq", "plus", "minus", "at", "tab", "cr", "spaces", "space-tab", "ideo"])
def test_hostile_text_is_a_quoted_text_cell_never_a_formula(text):
    ws = _sheet({"v": pd.DataFrame({"name": [text, "ok"], "n": [1, 2]})}, "v")
    cell, plain = ws["A2"], ws["A3"]
    assert cell.data_type == "s" and cell.data_type != "f"
    assert cell.value == text.replace("\r", "\n")
    assert cell.quotePrefix and not plain.quotePrefix
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_plain_numbers_in_text_and_urls_stay_text_without_a_quote():
    ws = _sheet({"v": pd.DataFrame({"t": ["-5", "+3.5", "http://example.com", "a=b"]})}, "v")
    cells = [ws.cell(row=r, column=1) for r in range(2, 6)]
    assert [c.value for c in cells] == ["-5", "+3.5", "http://example.com", "a=b"]
    assert [c.data_type for c in cells] == ["s"] * 4
    assert not any(c.quotePrefix for c in cells) and not ws._hyperlinks


def test_looks_like_formula_sees_through_leading_spaces_but_not_plain_numbers():
    assert [looks_like_formula(v) for v in HOSTILE] == [True] * len(HOSTILE)
    assert [looks_like_formula(v) for v in ["-5", " -5", "abc", "", 5, None, " a=b"]] == [False] * 7


def test_header_is_bold_filled_wrapped_and_frozen_with_a_filter():
    ws = _sheet({"v": pd.DataFrame({"net_sales": [1.0], "=evil": ["x"]})}, "v")
    for cell in ws[1]:
        assert cell.font.b and cell.alignment.wrap_text
        assert cell.fill.fgColor.rgb.endswith("DDEBF7")
    assert ws["B1"].value == "=evil" and ws["B1"].data_type == "s" and ws["B1"].quotePrefix
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:B2"


def test_number_formats_follow_the_column_kinds():
    frame = pd.DataFrame(
        {
            "net_sales": [12_345.678, -5.0],  # whole yuan
            "list_price": [48.5, 50.0],  # yuan and fen
            "churn_prob": [0.125, 1.0],  # share
            "volume_cases": [2906.4, 0.0],  # cases
            "n_visits": [36, 0],  # count
            "order_date": [dt.date(2026, 6, 30), None],
            "loyalty_score": [40.5, 12.25],  # a score: General
            "channel": ["DIST", "KA"],
        }
    )
    cols = _columns(_sheet({"v": frame}, "v"))
    formats = {name: cells[0].number_format for name, cells in cols.items()}
    assert formats == {
        "net_sales": '"¥"#,##0',
        "list_price": '"¥"#,##0.00',
        "churn_prob": "0.0%",
        "volume_cases": "#,##0",
        "n_visits": "#,##0",
        "order_date": "yyyy-mm-dd",
        "loyalty_score": "General",
        "channel": "General",
    }
    # the formats change what is shown, never the value: every value as computed
    for name in frame.columns:
        got = [c.value for c in cols[name]]
        want = [None if pd.isna(v) else v for v in frame[name]]
        if name == "order_date":
            got = [v.date() if v is not None else None for v in got]
        assert got == want, name
    assert cols["n_visits"][0].data_type == "n" and cols["order_date"][0].is_date


def test_a_schema_table_takes_its_kinds_from_the_schema_types(sqlite_engine, tmp_path):
    seed_reference(sqlite_engine)
    day = dt.date(2026, 6, 30)
    with sqlite_engine.begin() as conn:
        conn.execute(insert(account).values(account_id="A1", name="城东一批", tier_code="DIST", region_id="R01A"))
        conn.execute(insert(product).values(sku_id="S1", name="勇闯"))
        conn.execute(insert(order_header).values(order_id="O1", account_id="A1", order_date=day, delivery_cost=12.5))
        conn.execute(
            insert(order_line).values(
                order_id="O1", line_no=1, sku_id="S1", qty_cases=-2.5, list_price=50, invoice_price=48, cogs_per_case=30
            )
        )
    export(sqlite_engine, "all", "xlsx", tmp_path / "all.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "all.xlsx")
    lines = {k: v[0] for k, v in _columns(wb["order_line"]).items()}
    assert lines["qty_cases"].number_format == "#,##0" and lines["qty_cases"].value == -2.5
    assert lines["invoice_price"].number_format == '"¥"#,##0.00' and lines["invoice_price"].value == 48
    assert lines["line_no"].number_format == "#,##0" and lines["sku_id"].value == "S1"
    header = {k: v[0] for k, v in _columns(wb["order_header"]).items()}
    assert header["order_date"].number_format == "yyyy-mm-dd" and header["order_date"].value == dt.datetime(2026, 6, 30)
    assert header["delivery_cost"].number_format == '"¥"#,##0' and header["payment_terms_days"].value == 0
    assert header["is_return"].data_type == "b"
    assert all(ws.freeze_panes == "A2" for ws in wb.worksheets)


def test_column_widths_fit_the_longest_shown_value_and_are_capped():
    frame = pd.DataFrame(
        {
            "id": ["A1", "A2"],
            "name": ["城东一批酒业", "x"],  # six wide characters: 12 columns
            "net_sales": [1_234_567.0, -3.0],  # ¥1,234,567 -> 10 characters
            "note": ["y" * 300, ""],
            "a_very_long_header_label_that_wraps_over_lines": [1, 2],
        }
    )
    ws = _sheet({"v": frame}, "v")
    widths = {c: ws.column_dimensions[letter].width for c, letter in zip(frame.columns, "ABCDE", strict=True)}
    assert widths["id"] == pytest.approx(6, abs=0.8)  # the minimum: "id" + filter arrow is narrower
    assert widths["name"] == pytest.approx(13, abs=0.8)  # 12 + 1 margin
    assert widths["net_sales"] == pytest.approx(12, abs=0.8)  # header "net_sales" 9 + 2 for the arrow, 11 + 1
    assert widths["note"] == pytest.approx(MAX_WIDTH, abs=0.8)
    assert widths["a_very_long_header_label_that_wraps_over_lines"] == pytest.approx(26, abs=0.8)


def test_values_of_every_sheet_match_the_source_frames():
    first = pd.DataFrame({"account_id": ["A1", "A2", "A3"], "clv": [1.5, None, -2.0], "flag": [True, False, True]})
    second = pd.DataFrame({"x": [0.1, 0.2], "y": ["a", "b"]})
    wb = openpyxl.load_workbook(io.BytesIO(frames_to_xlsx({"first": first, "second/part": second})))
    assert wb.sheetnames == ["first", "second_part"]
    back = pd.DataFrame(list(wb["first"].iter_rows(min_row=2, values_only=True)), columns=list(first.columns))
    pd.testing.assert_frame_equal(back, first, check_dtype=False)
    assert list(wb["second_part"].iter_rows(values_only=True)) == [("x", "y"), (0.1, "a"), (0.2, "b")]


def test_an_empty_mapping_writes_one_empty_sheet_and_an_empty_frame_keeps_its_header():
    assert openpyxl.load_workbook(io.BytesIO(frames_to_xlsx({}))).sheetnames == ["empty"]
    ws = _sheet({"v": pd.DataFrame({"net_sales": pd.Series([], dtype=float)})}, "v")
    assert [c.value for c in ws[1]] == ["net_sales"] and ws.max_row == 1
