"""Pyramid, size tiers, ABC, potential key accounts, whale curve and migration: literal frames + hypothesis."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kam_core.analytics.tiers import (
    compute_tier_migration,
    compute_whale_curve,
    flag_potential_key,
    label_abc,
    label_pyramid,
    label_size_tier,
)

accounts = st.lists(
    st.tuples(
        st.sampled_from(["DIST", "KA", "RETAIL"]),
        st.floats(-5e4, 1e6, allow_nan=False, allow_infinity=False).map(lambda v: round(v, 2)),
    ),
    min_size=1,
    max_size=60,
)


def _frame(rows) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": [f"A{i:03d}" for i in range(len(rows))],
            "channel": [r[0] for r in rows],
            "v": [r[1] for r in rows],
        }
    )


@settings(max_examples=60, deadline=None)
@given(accounts)
def test_lead_is_exactly_the_accounts_without_profit(rows):
    df = _frame(rows)
    tier = label_pyramid(df, "v")
    assert ((tier == "lead") == (df["v"] <= 0)).all()


@settings(max_examples=60, deadline=None)
@given(accounts)
def test_pyramid_tiers_are_ordered_by_profit_within_each_channel(rows):
    df = _frame(rows).assign(tier=lambda d: label_pyramid(d, "v"))
    rank = {"platinum": 0, "gold": 1, "iron": 2, "lead": 3}
    for _, g in df.groupby("channel"):
        g = g.assign(r=g["tier"].map(rank)).sort_values("r")
        for better, worse in zip(range(3), range(1, 4), strict=True):
            hi, lo = g.loc[g["r"] == better, "v"], g.loc[g["r"] == worse, "v"]
            if len(hi) and len(lo):
                assert hi.min() >= lo.max()


@settings(max_examples=60, deadline=None)
@given(accounts)
def test_a_class_covers_80_percent_and_not_without_its_last_member(rows):
    df = _frame(rows).assign(v=lambda d: d["v"].abs())
    df["abc"] = label_abc(df, "v")
    for _, g in df.groupby("channel"):
        total = g["v"].sum()
        a = g[g["abc"] == "A"].sort_values(["v", "account_id"], ascending=[False, True])
        if total <= 0:
            assert a.empty
            continue
        assert a["v"].sum() / total >= 0.8 - 1e-9
        assert (a["v"].sum() - a["v"].iloc[-1]) / total < 0.8


@settings(max_examples=40, deadline=None)
@given(accounts, st.randoms(use_true_random=False))
def test_labels_are_deterministic_and_row_order_invariant(rows, rnd):
    df = _frame(rows)
    order = list(df.index)
    rnd.shuffle(order)
    shuffled = df.loc[order]
    for fn in (label_pyramid, label_abc, label_size_tier):
        a, b = fn(df, "v"), fn(shuffled, "v")
        assert a.equals(fn(df, "v"))
        assert (a.reindex(order) == b).all()


def test_pyramid_cuts_use_all_accounts_of_the_channel_as_denominator():
    df = pd.DataFrame(
        {"account_id": [f"A{i}" for i in range(10)], "channel": "KA", "v": [100, 90, 80, 70, 60, 50, 40, -1, 0, -5]}
    )
    assert list(label_pyramid(df, "v")) == [
        "platinum",
        "platinum",
        "gold",
        "gold",
        "gold",
        "iron",
        "iron",
        "lead",
        "lead",
        "lead",
    ]


def test_abc_marks_the_account_crossing_80_percent_as_a_and_breaks_ties_by_id():
    df = pd.DataFrame({"account_id": ["B", "A", "C", "D"], "channel": "KA", "v": [40.0, 40.0, 15.0, 5.0]})
    assert list(label_abc(df, "v")) == ["A", "A", "B", "C"]
    tie = pd.DataFrame({"account_id": ["Z", "Y"], "channel": "KA", "v": [50.0, 50.0]})
    assert list(label_abc(tie, "v")) == ["A", "A"]
    three = pd.DataFrame({"account_id": ["Z", "Y", "X"], "channel": "KA", "v": [40.0, 40.0, 20.0]})
    assert list(label_abc(three, "v")) == ["A", "A", "B"]


def test_size_tiers_follow_5_15_30_50_within_channel():
    df = pd.DataFrame({"account_id": [f"A{i:02d}" for i in range(20)], "channel": "DIST", "v": np.arange(20, 0, -1.0)})
    tiers = label_size_tier(df, "v")
    assert tiers.value_counts().to_dict() == {"small": 10, "ordinary": 6, "major": 3, "vip": 1}
    assert tiers.iloc[0] == "vip"


def test_potential_key_needs_b_class_fast_growth_and_a_projected_crossing():
    df = pd.DataFrame(
        {
            "account_id": list("abcde"),
            "channel": "KA",
            "abc_class": ["A", "B", "B", "B", "C"],
            "net_sales": [100.0, 60.0, 60.0, 20.0, 5.0],
            "growth": [0.0, 0.8, 0.1, 0.9, 2.0],
        }
    )
    assert list(flag_potential_key(df, 0.5)) == [False, True, False, False, False]


def test_whale_curve_reports_top_20_share_and_tail_loss():
    df = pd.DataFrame(
        {"account_id": [f"A{i}" for i in range(10)], "net_profit": [150.0, 50, 20, 10, 0, 0, 0, -10, -20, -100]}
    )
    curve, s = compute_whale_curve(df)
    assert s.total_profit == 100.0 and s.top20_share == 2.0 and s.peak_share == 2.3
    assert s.tail_loss == -130.0 and s.share_negative == 0.3
    assert curve["y"].iloc[-1] == 1.0


def test_whale_curve_switches_to_absolute_rmb_when_total_profit_is_not_positive():
    df = pd.DataFrame({"account_id": ["a", "b"], "net_profit": [10.0, -30.0]})
    curve, s = compute_whale_curve(df)
    assert not s.relative and s.top20_share is None
    assert list(curve["y"]) == [10.0, -20.0]


def test_migration_matrix_counts_moves_new_and_gone_accounts():
    before = pd.Series({"a": "gold", "b": "gold", "c": "lead"})
    after = pd.Series({"a": "platinum", "b": "gold", "d": "iron"})
    m = compute_tier_migration(before, after)
    assert m.loc["gold", "platinum"] == 1 and m.loc["gold", "gold"] == 1
    assert m.loc["lead", "gone"] == 1 and m.loc["new", "iron"] == 1
    assert int(m.to_numpy().sum()) == 4


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["DIST", "KA"]), st.floats(0, 1), st.floats(0, 1), st.floats(0, 20), st.floats(0, 1000)
        ),
        min_size=3,
        max_size=40,
    ),
    st.randoms(use_true_random=False),
)
def test_loyalty_and_diversion_do_not_depend_on_row_order(rows, rnd):
    from kam_core.analytics.diversion import flag_diversion
    from kam_core.analytics.loyalty import compute_loyalty
    from kam_core.analytics.params import Params

    df = pd.DataFrame(
        rows,
        columns=["channel", "sow", "regularity", "tenure_years", "volume_cases"],
        index=[f"A{i:03d}" for i in range(len(rows))],
    )
    df = df.assign(
        exclusivity=df["sow"],
        satisfaction=np.nan,
        outlets_served=10,
        n_scans=50,
        n_scans_out=(df["sow"] * 10).round(),
        n_shipto=10,
        n_shipto_out=(df["regularity"] * 3).round(),
        n_below_floor=0,
        s4_share=0.0,
    )
    order = list(df.index)
    rnd.shuffle(order)
    for fn in (compute_loyalty, flag_diversion):
        a = fn(df, Params())
        b = fn(df.loc[order], Params()).reindex(df.index)
        pd.testing.assert_frame_equal(a, b)
