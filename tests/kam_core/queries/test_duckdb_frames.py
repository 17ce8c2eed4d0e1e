"""DuckDB reads come back as columns (one fetch per result) and give the very frames a fetch of rows gave: every
fetch of the scorecard's inputs and the whole inputs frame on a DuckDB demo, for the default and a mid-month window;
and literal values of each column type, NULLs included."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import text

from kam_core.analytics.params import DEFAULT_PARAMS
from kam_core.analytics.window import Window
from kam_core.queries import metrics, scorecard_inputs
from kam_core.queries.window import resolve_window


def _gather(engine, w: Window, rows: bool, monkeypatch) -> scorecard_inputs.Inputs:
    with monkeypatch.context() as m:
        if rows:  # the row fetch of before
            m.setattr(metrics, "_duckdb_values", lambda result: None)
        return scorecard_inputs.gather_inputs(engine, w, DEFAULT_PARAMS)


@pytest.mark.parametrize("mid_month", [False, True], ids=["default", "mid-month"])
def test_scorecard_inputs_from_columns_equal_the_row_fetch(duck_demo, monkeypatch, mid_month):
    w = resolve_window(duck_demo, None, None, 12)
    if mid_month:
        w = Window(w.start + dt.timedelta(days=17), w.end - dt.timedelta(days=9))
    calls = []
    inner = metrics._duckdb_values

    def spy(result):
        out = inner(result)
        calls.append(out is not None)
        return out

    monkeypatch.setattr(metrics, "_duckdb_values", spy)
    fast = scorecard_inputs.gather_inputs(duck_demo, w, DEFAULT_PARAMS)
    assert sum(calls) >= 15  # most reads went through the columns
    slow = _gather(duck_demo, w, True, monkeypatch)
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    pd.testing.assert_frame_equal(fast.monthly, slow.monthly)
    assert fast.frame["n_visits"].sum() > 0 and fast.frame["last_visit_date"].notna().any()


def test_each_column_type_comes_back_as_a_row_fetch_gives_it(duck_demo, monkeypatch):
    sql = text(
        "SELECT * FROM (VALUES ('a', 1, CAST(1.1 AS FLOAT), 2.5, DATE '2026-01-31', TIMESTAMP '2026-01-31 10:11:12.5',"
        " TRUE, CAST(7 AS HUGEINT)), (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
        " ('c', 3, CAST(-0.3 AS FLOAT), -1.0, DATE '1999-12-31', TIMESTAMP '2000-01-01 00:00:00', FALSE,"
        " CAST(9 AS HUGEINT))) v(t, i, f, d, day, ts, b, h)"
    )
    with duck_demo.connect() as conn:
        fast = metrics._frame(conn, sql, index=None)
        with monkeypatch.context() as m:
            m.setattr(metrics, "_duckdb_values", lambda result: None)
            slow = metrics._frame(conn, sql, index=None)
    pd.testing.assert_frame_equal(fast, slow)
    assert fast["day"].tolist()[0] == dt.date(2026, 1, 31) and fast["day"].isna().tolist() == [False, True, False]
    assert fast["f"].tolist()[0] == float(pd.Series([1.1], dtype="float32").iloc[0])  # a FLOAT stays its own value
    assert fast["h"].tolist()[2] == 9.0 and fast["i"].isna().sum() == 1


def test_a_decimal_result_falls_back_to_rows(duck_demo):
    with duck_demo.connect() as conn:
        result = conn.execute(text("SELECT CAST(1.25 AS DECIMAL(10, 2)) AS x"))
        assert metrics._duckdb_values(result) is None
