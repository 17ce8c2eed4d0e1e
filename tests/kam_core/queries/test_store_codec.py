"""Stored scorecard frames: every kind of column the scorecard has comes back exactly (values, types, dtypes,
gaps), lists of reasons and evidence items in Parquet's nested types; a row stored in the older all-JSON format is
still read."""

from __future__ import annotations

import datetime as dt
import io
import json
import math

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from kam_core.queries import scorecard_store as store
from kam_core.queries import store_codec

S1 = {"signal": "S1", "share": 0.3, "scans": 100}
S5 = {"signal": "S5", "checks": 2}
ITEM = {"feature": "visits", "percentile": 3.1, "z": -2.01, "delta": 4.2, "toward": "intrinsic", "imputed": False}
NO_PCT = {"feature": "visits", "percentile": None, "z": float("nan"), "delta": 0.0, "toward": "x", "imputed": True}


def _frame() -> pd.DataFrame:
    """Four accounts with each kind of scorecard column; gaps as the scorecard has them (None or NaN)."""
    nan = float("nan")
    return pd.DataFrame(
        {
            "account_id": pd.Series(["A1", "A2", "A3", "A4"], dtype="str"),
            "n_orders": np.array([3, 0, 7, 1], dtype=np.int64),
            "net_sales": [10.5, nan, 0.0, -1.25],
            "hvll": [True, False, False, True],
            "name_obj": pd.Series(["一批商", None, "b", "c"], dtype=object),
            "note_nan": pd.Series(["x", nan, nan, "y"], dtype=object),
            "first_order": pd.Series([dt.date(2025, 3, 11), None, dt.date(2026, 1, 1), None], dtype=object),
            "last_order": pd.Series([nan, dt.date(2026, 10, 28), nan, dt.date(2024, 2, 29)], dtype=object),
            "reasons": pd.Series([["tenure 1.6 years", "NPS 8.5"], [], ["单"], []], dtype=object),
            "reason_items": pd.Series([[ITEM, NO_PCT], [], [ITEM], [NO_PCT, NO_PCT, ITEM]], dtype=object),
            "evidence_items": pd.Series([[], [S1, S5], [S5], []], dtype=object),
            "lists_with_gaps": pd.Series([None, ["a"], None, []], dtype=object),
            "lists_nan_gaps": pd.Series([[1, 2.5, True, None], nan, [], nan], dtype=object),
            "dict_cells": pd.Series([{"a": 1, "b": "x"}, None, {"b": "y", "a": 2}, {}], dtype=object),
            "nested_json": pd.Series([[[1, 2]], [{"a": [1]}], [], [dt.date(2026, 1, 2)]], dtype=object),
        },
        index=pd.RangeIndex(4),
    )


def _same_cells(a: pd.Series, b: pd.Series) -> None:
    """Cell by cell: equal values of the same Python type, NaN where NaN was, keys in the same order."""

    def norm(v):
        if isinstance(v, dict):
            return ("dict", [(k, norm(x)) for k, x in v.items()])
        if isinstance(v, list):
            return ("list", [norm(x) for x in v])
        if isinstance(v, float) and math.isnan(v):
            return ("nan",)
        return (type(v).__name__, v)

    assert [norm(v) for v in a.tolist()] == [norm(v) for v in b.tolist()], a.name


def test_every_kind_of_scorecard_column_comes_back_exactly():
    frame = _frame()
    back = store._frame(store._parquet(frame))
    pd.testing.assert_frame_equal(back, frame)
    assert list(back.dtypes.astype(str)) == list(frame.dtypes.astype(str))
    for c in frame.columns:
        _same_cells(back[c], frame[c])


def test_lists_of_flat_items_are_stored_as_parquet_lists_the_rest_as_json():
    data = store._parquet(_frame())
    schema = pq.read_schema(io.BytesIO(data))
    kinds = json.loads(schema.metadata[b"PANDAS_ATTRS"])["kam_object_columns"]
    nested = ["reasons", "reason_items", "evidence_items", "lists_with_gaps", "lists_nan_gaps", "dict_cells"]
    assert [c for c, k in kinds.items() if k[0] == "nested"] == nested
    assert kinds["nested_json"][0] == "json" and kinds["first_order"] == ["date", "none"]
    assert all(str(schema.field(c).type).startswith("list<element: struct<s: int32") for c in nested)
    # two shapes of evidence item: each keeps only its own keys (a Parquet struct alone would pad them)
    assert [[k for k, _, _ in shape] for shape in kinds["evidence_items"][2]["shapes"]] == [
        ["signal", "share", "scans"],
        ["signal", "checks"],
    ]


def test_a_row_stored_in_the_older_all_json_format_is_still_read():
    frame = _frame()
    kinds = {c: list(store._kind(frame[c])) for c in frame.columns if frame[c].dtype == object}
    json_cols = [c for c, (k, _) in kinds.items() if k not in ("str", "date")]
    for c in json_cols:
        kinds[c][0] = "json"
    old = frame.assign(
        **{c: [json.dumps(v, default=store._tag, ensure_ascii=False) for v in frame[c]] for c in json_cols}
    )
    old.attrs = {"kam_object_columns": kinds}
    buf = io.BytesIO()
    old.to_parquet(buf, index=True)
    pd.testing.assert_frame_equal(store._frame(buf.getvalue()), frame)


def test_an_empty_frame_and_a_frame_without_nested_columns_round_trip():
    frame = _frame()
    for part in (frame.iloc[:0], frame[["account_id", "n_orders", "first_order"]]):
        pd.testing.assert_frame_equal(store._frame(store._parquet(part)), part)


@pytest.mark.parametrize(
    "cells",
    [[[2**70]], [[{"a": {"b": 1}}]], [[{1: "x"}]], [[("t",)]], [[dt.date(2026, 1, 1)]]],
    ids=["int beyond 64 bits", "nested dict", "non-text key", "tuple item", "date item"],
)
def test_items_that_are_not_flat_are_not_encoded(cells):
    values = pd.Series(cells, dtype=object)
    missing = values.isna().to_numpy()
    cell = store_codec.nested_kind(values.tolist(), missing)
    assert cell is None or store_codec.encode(values.tolist(), missing, cell) is None
