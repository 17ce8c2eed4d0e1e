"""Column kinds come from one place: the schema's types, the product's declared figures, then the dtype."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kam_core.io import column_kinds as ck


@pytest.mark.parametrize(
    ("table", "column", "values", "kind"),
    [
        ("order_line", "qty_cases", [1.5], ck.COUNT),  # Float in the schema, declared cases
        ("order_line", "invoice_price", [48.0], ck.MONEY),
        ("order_line", "line_no", [1], ck.COUNT),  # Integer in the schema
        ("order_header", "order_date", [dt.date(2026, 1, 2)], ck.DATE),
        ("order_header", "is_return", [False], ck.BOOL),
        ("account", "name", ["=1"], ck.TEXT),
        ("aggregate_state", "built_at", [dt.datetime(2026, 1, 2, 3, 4)], ck.DATETIME),
        (None, "net_sales", [1.0], ck.MONEY_WHOLE),
        (None, "churn_prob", [0.2], ck.SHARE),
        (None, "n_visits", [3.0], ck.COUNT),
        (None, "anything_int", [3], ck.COUNT),
        (None, "anything_float", [3.5], ck.NUMBER),
        (None, "anything_bool", [True], ck.BOOL),
        (None, "when", pd.to_datetime(["2026-01-02"]), ck.DATE),
        (None, "when", pd.to_datetime(["2026-01-02 08:30"]), ck.DATETIME),
        (None, "when", [dt.date(2026, 1, 2), None], ck.DATE),
        (None, "label", ["a", None], ck.TEXT),
        (None, "net_sales", ["not a number"], ck.TEXT),  # a text column is text, whatever its name
        (None, "net_sales", pd.Series([1.0, "n/a"], dtype=object), ck.MONEY_WHOLE),  # the numbers get ¥
    ],
    ids=lambda v: str(v)[:20],
)
def test_column_kind(table, column, values, kind):
    assert ck.column_kind(pd.Series(values, name=column), table) == kind


def test_a_declared_figure_name_does_not_override_a_boolean_or_date_column():
    assert ck.column_kind(pd.Series([True], name="net_sales")) == ck.BOOL
    assert ck.column_kind(pd.Series(pd.to_datetime(["2026-01-02"]), name="amount")) == ck.DATE


def test_every_declared_kind_is_known_and_no_column_is_declared_twice():
    declared = [c for cols in ck._DECLARED.values() for c in cols]
    assert len(declared) == len(set(declared)) == len(ck.COLUMN_KINDS)
    assert set(ck._DECLARED) <= set(ck.KINDS)


def test_column_kinds_of_a_frame_by_name():
    frame = pd.DataFrame({"account_id": ["A1"], "net_sales": [1.0], "sow": [0.5]})
    assert ck.column_kinds(frame) == {"account_id": ck.TEXT, "net_sales": ck.MONEY_WHOLE, "sow": ck.SHARE}
