"""The faster scorecard assembly gives exactly what the slower path gave: the monthly sales matrix against the
pivot it replaces, the frequency rule and the value features with figures the caller already has, and the whole
assembly on a small synthetic brewer against the old path (pivot, recomputed tenure, exclusivity and cut)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from analytics_synth import build_synth

from kam_core.analytics import features as feat
from kam_core.analytics import scorecard, tiers
from kam_core.db import ensure_schema, get_engine
from kam_core.queries.scorecard_inputs import gather_inputs
from kam_core.queries.window import resolve_window

MONTHS = ["2026-01", "2026-02", "2026-03"]


def _pivot(monthly: pd.DataFrame, index: pd.Index, months: list[str]) -> pd.DataFrame:
    """The old path: a pivot of the monthly rows, reindexed and gaps as 0."""
    pivot = monthly.pivot_table(index="account_id", columns="month", values="net_sales", aggfunc="sum")
    return pivot.reindex(index=index, columns=months).fillna(0)


def _monthly(dtype: str, repeat: bool = False) -> pd.DataFrame:
    rows = [
        ("A1", "2026-01", 10.5),
        ("A1", "2026-03", -0.0),  # a −0.0 sum is 0.0 in the pivot
        ("A2", "2026-02", np.nan),  # a NaN sum is 0
        ("A2", "2026-03", 3.25),
        ("A3", "2025-12", 7.0),  # outside the months
        ("ZZ", "2026-01", 99.0),  # not a scored account
        (None, "2026-02", 5.0),  # no account
        ("A4", None, 5.0),  # no month
    ] + ([("A1", "2026-01", 1.5)] if repeat else [])
    frame = pd.DataFrame(rows, columns=["account_id", "month", "net_sales"])
    frame = frame.dropna() if dtype == "int64" else frame
    return frame.astype({"account_id": "str", "month": "str", "net_sales": dtype})


@pytest.mark.parametrize(
    ("dtype", "repeat"),
    [("float64", False), ("float32", False), ("float64", True), ("int64", False)],
    ids=["float64", "float32 as the DuckDB reads give it", "a repeated account-month", "integer sales"],
)
def test_the_monthly_sales_matrix_is_the_pivot_it_replaces(dtype, repeat):
    monthly = _monthly(dtype, repeat)
    index = pd.Index(["A3", "A1", "A2", "A4"], name="account_id", dtype="str")
    got = scorecard.sales_by_month(monthly, index, MONTHS)
    want = _pivot(monthly, index, MONTHS)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert not np.signbit(got.to_numpy()).any()
    layout = lambda f: f._mgr.blocks[0].values.flags["C_CONTIGUOUS"]  # noqa: E731 - a row's std sums in this order
    assert layout(got) == layout(want)
    pd.testing.assert_series_equal(got.std(axis=1), want.std(axis=1), check_exact=True)
    if dtype == "float64" and not repeat:
        assert got.loc["A1"].tolist() == [10.5, 0.0, 0.0] and got.loc["A2"].tolist() == [0.0, 0.0, 3.25]


def test_the_frequency_rule_with_the_cut_already_computed_flags_the_same_accounts():
    df = pd.DataFrame(
        {
            "account_id": [f"A{i}" for i in range(8)],
            "channel": ["KA"] * 6 + ["DIST"] * 2,
            "order_days_window": [1, 5, 9, 12, np.nan, 30, 2, 40],
        }
    )
    cut = tiers.compute_order_days_cut(df, 0.2, min_group=5)
    pd.testing.assert_series_equal(
        tiers.flag_low_frequency(df, 0.2, min_group=5, cut=cut), tiers.flag_low_frequency(df, 0.2, min_group=5)
    )
    assert tiers.flag_low_frequency(df, 0.2, min_group=5).tolist() == [False] * 4 + [True] + [False] * 3


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    engine = get_engine(f"sqlite:///{tmp_path_factory.mktemp('assembly') / 'synth.db'}")
    ensure_schema(engine)
    build_synth(engine, n=48, months=14, seed=3)
    from kam_core.analytics.params import DEFAULT_PARAMS

    w = resolve_window(engine, "2026-06-30", None, DEFAULT_PARAMS.window_months)
    yield gather_inputs(engine, w, DEFAULT_PARAMS), w, DEFAULT_PARAMS
    engine.dispose()


def test_the_whole_assembly_equals_the_old_path(inputs, monkeypatch):
    inp, w, p = inputs
    df, features, result = scorecard._assemble(inp, w, p)
    real_features, real_flag = feat.compute_value_features, tiers.flag_low_frequency
    monkeypatch.setattr(scorecard, "sales_by_month", _pivot)
    monkeypatch.setattr(feat, "compute_value_features", lambda m, monthly, w, **_: real_features(m, monthly, w))
    monkeypatch.setattr(tiers, "flag_low_frequency", lambda *a, cut=None, **k: real_flag(*a, **k))
    old_df, old_features, old_result = scorecard._assemble(inp, w, p)
    pd.testing.assert_frame_equal(df, old_df, check_exact=True)
    pd.testing.assert_frame_equal(features, old_features, check_exact=True)
    pd.testing.assert_frame_equal(result.labels, old_result.labels, check_exact=True)
    assert df["sales_cv"].notna().sum() > 40 and features["tenure_years"].notna().all()
