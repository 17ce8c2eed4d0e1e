"""Key accounts as the 80/80 union, ABC on three bases, the frequency rule, capabilities and HVLL with profit.

Literal frames whose answers are worked out by hand in the comments, and the demo scorecard compared with an
independent pandas computation (docs/methods_key_accounts.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kam_core.analytics.capability import CAPABILITIES, compute_capability_index
from kam_core.analytics.loyalty import compute_loyalty, flag_hvll
from kam_core.analytics.params import DEFAULT_PARAMS as P
from kam_core.analytics.tiers import (
    apply_frequency_rule,
    flag_key_accounts,
    flag_low_frequency,
    flag_potential_key,
    label_abc,
)
from kam_core.views import compute_kpis
from kam_core.views.key_accounts import count_key_accounts, label_abc_reasons, select_key_accounts


def _ranked_differently() -> pd.DataFrame:
    # sales 500/300/150/50 of 1000: cumulative share before = 0, .5, .8, .95 → A A B C
    # profit 10/100/60/30 of 200, ranked b c d a: before = 0, .5, .8, .95 → b A, c A, d B, a C
    return pd.DataFrame(
        {
            "account_id": list("abcd"),
            "channel": "KA",
            "net_sales": [500.0, 300.0, 150.0, 50.0],
            "net_profit": [10.0, 100.0, 60.0, 30.0],
        }
    )


def test_key_accounts_are_the_union_of_a_by_sales_and_a_by_profit_with_the_criterion_named():
    df = _ranked_differently()
    out = flag_key_accounts(label_abc(df, "sales"), label_abc(df, "profit"))
    assert out["key_account"].tolist() == [True, True, True, False]
    assert out["key_basis"].tolist() == ["sales", "both", "profit", None]
    assert out["key_account_sales"].tolist() == [True, True, False, False]
    assert out["key_account_profit"].tolist() == [False, True, True, False]


def test_an_account_without_cost_data_can_be_key_by_sales_only():
    df = _ranked_differently()
    costed = df[df["account_id"] != "c"]  # c has no cost data: it is not ranked on profit at all
    out = flag_key_accounts(label_abc(df, "sales"), label_abc(costed, "profit").reindex(df.index))
    assert out.loc[2, "key_account"] == np.False_ and out.loc[2, "key_basis"] is None
    # without c, profit 100/30/10 of 140: b before 0 → A, d before .714 → A, a before .929 → B
    assert out["key_basis"].tolist() == ["sales", "both", None, "profit"]


def _independent_a(df: pd.DataFrame, value: str) -> pd.Series:
    """A by the cumulative share before each account < 80%, written without the library's helpers."""
    out = pd.Series(False, index=df.index)
    for _, g in df.groupby("channel"):
        v = g[value].fillna(0).clip(lower=0)
        order = sorted(g.index, key=lambda i: (-v[i], g.loc[i, "account_id"]))
        total, running = v.sum(), 0.0
        for i in order:
            out[i] = total > 0 and v[i] > 0 and running / total < 0.80 - 1e-12
            running += v[i]
    return out


def test_abc_by_cases_by_value_and_by_profit_gives_different_classes():
    # sales 100/80/20 of 200: x A (0), y A (.5), z B (.9)
    # cases 10/100/30 of 140: y A (0), z A (.714), x B (.929)
    # profit 5/2/50 of 57: z A (0), x B (.877), y C (.965)
    df = pd.DataFrame(
        {
            "account_id": list("xyz"),
            "channel": "DIST",
            "net_sales": [100.0, 80.0, 20.0],
            "volume_cases": [10.0, 100.0, 30.0],
            "net_profit": [5.0, 2.0, 50.0],
        }
    )
    assert label_abc(df, "sales").tolist() == ["A", "A", "B"]
    assert label_abc(df, "cases").tolist() == ["B", "A", "A"]
    assert label_abc(df, "profit").tolist() == ["B", "C", "A"]
    assert label_abc(df, "volume_cases").tolist() == label_abc(df, "cases").tolist()  # a column name works too


def test_few_order_days_make_an_account_c_whatever_its_share():
    # order days 50 40 30 20 10 2: the 20th percentile (linear) is 10; strictly below it: only the 2-day account
    df = pd.DataFrame(
        {
            "account_id": list("abcdef"),
            "channel": "DIST",
            "order_days_window": [2, 50, 40, 30, 20, 10],
            "net_sales": [900.0, 20, 20, 20, 20, 20],
        }
    )
    low = flag_low_frequency(df)
    assert low.tolist() == [True, False, False, False, False, False]
    assert np.percentile(df["order_days_window"], 20) == 10  # the cut, computed independently
    classes = label_abc(df, "sales")
    assert classes.iloc[0] == "A" and apply_frequency_rule(classes, low).iloc[0] == "C"
    reasons = label_abc_reasons(df.assign(abc_class=apply_frequency_rule(classes, low), abc_low_frequency=low))
    assert reasons["abc_reason"].tolist() == ["low_frequency"] + ["share"] * 5


def test_a_channel_of_fewer_than_five_accounts_is_not_judged_on_frequency():
    df = pd.DataFrame({"account_id": list("abcd"), "channel": "KA", "order_days_window": [1, 30, 40, 50]})
    assert not flag_low_frequency(df).any()
    assert flag_low_frequency(df, min_group=4).tolist() == [True, False, False, False]


def _capable() -> pd.DataFrame:
    # four DIST accounts; b is strong on terminals, c on staff; b and c are class B, not growing fast
    return pd.DataFrame(
        {
            "account_id": list("abcd"),
            "channel": "DIST",
            "abc_class": ["A", "B", "B", "C"],
            "net_sales": [1000.0, 300.0, 290.0, 50.0],
            "growth": [0.0, 0.01, 0.01, 0.5],
            "cap_terminals": [100.0, 400.0, 10.0, 20.0],
            "cap_staff": [10.0, 1.0, 40.0, 5.0],
        }
    )


def test_capability_weights_move_the_potential_key_flag():
    df = _capable()
    terminals_first = (0, 0.9, 0, 0, 0, 0.1)  # index = (0.9·pr_terminals + 0.1·pr_staff) ÷ 1
    staff_first = (0, 0.1, 0, 0, 0, 0.9)
    for weights, expected in (
        (terminals_first, [False, True, False, False]),
        (staff_first, [False, False, True, False]),
    ):
        cap = compute_capability_index(df, weights)
        # independent: percentile ranks within DIST (4 accounts, no ties) are rank ÷ 4
        pr_t = df["cap_terminals"].rank() / 4
        pr_s = df["cap_staff"].rank() / 4
        manual = 100 * (weights[1] * pr_t + weights[5] * pr_s) / (weights[1] + weights[5])
        assert cap["capability_score"].tolist() == pytest.approx(manual.round(1).tolist())
        flag = flag_potential_key(df.join(cap), 0.80, capability_min=75.0)
        assert flag.tolist() == expected, weights
    # without the capability route (or without capability data) neither b nor c qualifies: growth is not top 20%
    assert not flag_potential_key(df, 0.80, capability_min=75.0).any()


def test_accounts_without_capability_data_are_neutral_in_the_loyalty_score():
    base = pd.DataFrame(
        {
            "channel": "DIST",
            "sow": [0.9, 0.5, 0.2],
            "exclusivity": [1.0, 0.5, 0.0],
            "regularity": [0.9, 0.5, 0.1],
            "tenure_years": [5.0, 3.0, 1.0],
            "satisfaction": [9.0, 7.0, 5.0],
        }
    )
    without = compute_loyalty(base, P)
    with_cap = compute_loyalty(base.assign(capability_score=[np.nan, 10.0, 90.0]), P)
    assert with_cap["loyalty_score"].iloc[0] == without["loyalty_score"].iloc[0]  # no assessment: unchanged
    # independent: c's five percentiles are all 1/3, its capability percentile (of 2 observed) is 1.0
    w = P.loyalty_weights
    expected = 100 * (sum(w[:5]) * (1 / 3) + w[5] * 1.0) / sum(w)
    assert with_cap["loyalty_score"].iloc[2] == pytest.approx(round(expected, 1))
    assert with_cap["loyalty_basis"].tolist()[0] == "based on 5/6 components"


def _hv_frame() -> pd.DataFrame:
    # ten WHS2 accounts: volume falls with the row; a (row 0) is the biggest by volume, j (row 9) the most
    # profitable; both have low loyalty and low share of wallet
    n = 10
    return pd.DataFrame(
        {
            "channel": "WHS2",
            "volume_cases": np.arange(n, 0, -1.0) * 100,
            "net_profit": [10.0, 20, 30, 40, 50, 60, 70, 80, 90, 1000],
            "cost_basis": "known",
            "loyalty_score": [10.0, 90, 50, 60, 70, 80, 85, 95, 75, 12],
            "sow": [0.3, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.3],
            "exclusivity": 0.5,
            "regularity": 0.9,  # the guard rests on share of wallet alone
            "tenure_years": 3.0,
            "n_orders": 10,
        }
    )


def test_hvll_counts_accounts_big_by_profit_as_well_as_by_volume():
    out = flag_hvll(_hv_frame(), P)
    assert out["high_volume_low_loyalty"].tolist() == [True] + [False] * 8 + [True]
    assert out.loc[0, "hv_basis"] == "volume" and out.loc[9, "hv_basis"] == "profit"
    # without cost data j has no profit percentile, so only volume could make it high
    no_cost = flag_hvll(_hv_frame().assign(cost_basis=["known"] * 9 + ["none"]), P)
    assert no_cost["high_volume_low_loyalty"].tolist() == [True] + [False] * 9
    assert pd.isna(no_cost.loc[9, "profit_pct"])


@pytest.fixture(scope="module")
def demo_scorecard(demo_engine):
    from kam_core.queries.scorecard import compute_scorecard

    return compute_scorecard(demo_engine)


def test_the_demo_key_accounts_equal_an_independent_80_80_union(demo_scorecard):
    sc = demo_scorecard
    costed = sc[sc["cost_basis"].ne("none")]
    by_sales = _independent_a(sc, "net_sales")
    by_profit = _independent_a(costed, "net_profit").reindex(sc.index, fill_value=False)
    assert sc["key_account"].tolist() == (by_sales | by_profit).tolist()
    assert compute_kpis(sc).key_accounts == int((by_sales | by_profit).sum())
    c = count_key_accounts(sc)
    assert (c.by_sales_only, c.by_profit_only, c.by_both) == (
        int((by_sales & ~by_profit).sum()),
        int((by_profit & ~by_sales).sum()),
        int((by_sales & by_profit).sum()),
    )
    assert len(select_key_accounts(sc, with_potential=False)) == c.key


def test_the_demo_frequency_rule_and_capability_index_match_pandas(demo_scorecard):
    sc = demo_scorecard
    days = sc["order_days_window"].fillna(0)
    cut = sc.groupby("channel")["order_days_window"].transform(lambda x: np.percentile(x.fillna(0), 20))
    assert sc["abc_low_frequency"].tolist() == (days < cut).tolist()  # every demo channel has ≥ 5 accounts
    assert (sc.loc[sc["abc_low_frequency"], ["abc_class", "abc_class_cases"]] == "C").all().all()
    assessed = sc[sc["cap_terminals"].notna()]
    assert set(assessed["channel"]) == {"DIST", "WHS2"}  # the demo assesses distributors and wholesalers
    w = dict(zip(CAPABILITIES, P.capability_weights, strict=True))
    pr = {c: sc.groupby("channel")[f"cap_{c}"].rank(pct=True) for c in CAPABILITIES}
    num = sum(pr[c].fillna(0) * w[c] for c in CAPABILITIES)
    den = sum(pr[c].notna() * w[c] for c in CAPABILITIES)
    expected = (100 * num / den.where(den > 0)).round(1)
    pd.testing.assert_series_equal(sc["capability_score"], expected, check_names=False)
    assert sc.loc[sc["channel"].isin(["KA", "RETAIL"]), "capability_score"].isna().all()


def _scored() -> pd.DataFrame:
    df = _ranked_differently()
    keys = flag_key_accounts(label_abc(df, "sales"), label_abc(df, "profit"))
    return df.join(keys).assign(
        name=list("abcd"), loyalty_score=[50.0, 60.0, 70.0, 80.0], abc_class=["A", "A", "B", "C"], diversion_score=0.0
    )


def test_budget_allocation_and_the_review_pack_use_the_union():
    from kam_core.analytics.allocation import allocate_service_budget
    from kam_core.report.pack import select_tables

    sc = _scored()
    alloc = allocate_service_budget(sc, 1000.0, key_only=True)
    assert sorted(alloc["account_id"]) == ["a", "b", "c"]  # c is key by profit only, class B by sales
    assert alloc["budget"].sum() == pytest.approx(1000.0)
    assert select_tables(sc)["key_accounts"]["account_id"].tolist() == ["a", "b", "c"]  # by net sales


def test_what_changed_lists_an_account_that_became_key_by_profit():
    from kam_core.views import compute_changes

    now = _scored()
    before = now.assign(key_account=now["key_account_sales"])  # last period: c was not yet A by profit
    changes = compute_changes(before, now)
    assert changes.loc[changes["change"] == "new_key_account", "account_id"].tolist() == ["c"]


def test_a_key_account_share_of_its_own_narrows_the_union(demo_engine, demo_scorecard):
    from kam_core.queries.scorecard import compute_scorecard

    narrow = compute_scorecard(demo_engine, params=P.with_(key_account_share=0.5))
    costed = narrow[narrow["cost_basis"].ne("none")]

    def a_at_half(df: pd.DataFrame, value: str) -> pd.Series:  # A while the share before is < 50%
        out = pd.Series(False, index=df.index)
        for _, g in df.groupby("channel"):
            v = g[value].fillna(0).clip(lower=0)
            order = g[["account_id"]].assign(v=v).sort_values(["v", "account_id"], ascending=[False, True])
            before = order["v"].cumsum() - order["v"]
            out[order.index] = (before < 0.5 * v.sum() - 1e-9) & (order["v"] > 0)
        return out

    expected = a_at_half(narrow, "net_sales") | a_at_half(costed, "net_profit").reindex(narrow.index, fill_value=False)
    assert narrow["key_account"].tolist() == expected.tolist()
    assert narrow["key_account"].sum() < demo_scorecard["key_account"].sum()
    assert narrow["abc_class"].tolist() == demo_scorecard["abc_class"].tolist()  # ABC keeps its own 80/95 cuts
