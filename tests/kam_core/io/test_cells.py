"""The shared cell step (kam_core.io.cells): flattening, formula neutralising, CSV that reads back row for row."""

from __future__ import annotations

import csv
import datetime as dt
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from kam_core.io.cells import csv_ready, csv_row, flatten_value, frame_to_csv_bytes, is_formula_like, xlsx_value
from kam_core.io.exports import frames_to_xlsx

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\tcmd",
    "\rcmd",
    "bare\rCR",
    "line\nfeed",
    "crlf\r\ninside",
    'quote " and , comma',
    "城东一批",
    "",
]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (["a", "b", "c"], "a; b; c"),
        (("a", 1, 2.5), "a; 1; 2.5"),
        ({"k": "v", "k2": 3}, "k: v; k2: 3"),
        ([{"signal": "S1", "share": 0.25}, {"signal": "S2"}], "signal: S1, share: 0.25; signal: S2"),
        ({"k": [1, 2], "d": {"x": 1}}, "k: 1, 2; d: x: 1"),
        ([[["deep"]]], '["deep"]'),
        ({"b", "a"}, "a; b"),
        (np.array([1, 2]), "1; 2"),
        ([True, None, float("nan"), dt.date(2026, 6, 30)], "true; ; ; 2026-06-30"),
        ([], ""),
    ],
    ids=["list", "tuple", "dict", "list_of_dicts", "dict_of_lists", "deep", "set", "array", "scalars", "empty"],
)
def test_containers_flatten_to_readable_text(value, text):
    assert flatten_value(value) == text


@pytest.mark.parametrize(
    "value", [None, float("nan"), pd.NA, pd.NaT, np.float64("nan")], ids=["none", "nan", "na", "nat", "np_nan"]
)
def test_missing_values_flatten_to_an_empty_cell(value):
    assert flatten_value(value) is None


@pytest.mark.parametrize(
    "value", [5, -5.5, "text", True, dt.date(2026, 1, 1)], ids=["int", "float", "str", "bool", "date"]
)
def test_scalars_are_left_as_they_are(value):
    assert flatten_value(value) is value


@pytest.mark.parametrize(
    "value", ["=1+1", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "-", "+86 138", "-cmd|' /C calc'!A0"]
)
def test_text_that_could_run_is_formula_like(value):
    assert is_formula_like(value)


@pytest.mark.parametrize(
    "value",
    ["-5", "+3.5", "-1e3", ".5", "a=b", " =1", "", -5, 3.5, None],
    ids=["neg", "plus", "exp", "dot", "inner", "space", "empty", "int", "float", "none"],
)
def test_plain_numbers_and_other_text_are_not_formula_like(value):
    assert not is_formula_like(value)


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "text": HOSTILE,
            "reasons": [["=first", "second"], [], None, ("a", "b"), {"k": "v"}, ["x\ry"]] + [None] * 6,
            "flag": [True, False] * 6,
            "maybe": pd.array([True, None, False] + [None] * 9, dtype="boolean"),
            "n": [-1.5, 0.0, float("nan"), 3.0, -2.0, 1.0] * 2,
        }
    )


def test_csv_of_hostile_cells_reads_back_row_for_row_with_pandas_and_csv():
    data = frame_to_csv_bytes(_frame())
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    expected = ["'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v for v in HOSTILE]
    assert back["text"].tolist() == expected
    assert back["reasons"].tolist()[:6] == ["'=first; second", "", "", "a; b", "k: v", "x\ry"]
    assert back["flag"].tolist() == ["true", "false"] * 6
    assert back["maybe"].tolist()[:3] == ["true", "", "false"]
    assert back["n"].tolist()[:3] == ["-1.5", "0.0", ""]
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == 1 + len(HOSTILE) and all(len(r) == 5 for r in rows)
    assert rows[1 + HOSTILE.index("crlf\r\ninside")][0] == "crlf\r\ninside"


def test_csv_ready_does_not_change_the_input_frame():
    df = _frame()
    before = df.copy()
    csv_ready(df)
    pd.testing.assert_frame_equal(df, before)


def test_csv_row_flattens_and_neutralises_each_value():
    assert csv_row(["=x", ["a", "b"], -5, "-5", None]) == ["'=x", "a; b", -5, "-5", None]


def test_xlsx_cells_are_typed_and_formula_like_text_is_a_text_cell():
    df = _frame().assign(when=pd.Timestamp("2026-06-30 08:00", tz="Asia/Shanghai"), ctrl="bell\x07here")
    ws = openpyxl.load_workbook(io.BytesIO(frames_to_xlsx({"view": df})))["view"]
    header = [c.value for c in ws[1]]
    col = {name: [r[i] for r in ws.iter_rows(min_row=2)] for i, name in enumerate(header)}
    # kept as typed, never evaluated; XML reads a CR back as LF (line-end normalisation), as Excel does
    assert [c.value or "" for c in col["text"]] == [v.replace("\r\n", "\n").replace("\r", "\n") for v in HOSTILE]
    assert all(c.data_type == "s" for c in col["text"] if c.value is not None)
    assert [c.quotePrefix for c in col["text"][:6]] == [True] * 6 and not col["text"][10].quotePrefix
    assert col["reasons"][0].value == "=first; second" and col["reasons"][0].data_type == "s"
    assert col["reasons"][0].quotePrefix
    assert [c.value for c in col["flag"][:2]] == [True, False] and col["flag"][0].data_type == "b"
    assert col["n"][0].value == -1.5 and col["n"][0].data_type == "n" and col["n"][2].value is None
    assert col["when"][0].value == dt.datetime(2026, 6, 30, 8, 0)
    assert col["ctrl"][0].value == "bell\\x07here"


def test_xlsx_value_turns_numpy_scalars_into_python_ones():
    value, as_text = xlsx_value(np.int64(7))
    assert (value, type(value), as_text) == (7, int, False)
    assert xlsx_value(np.float64("nan")) == (None, False)
