"""Overview and segment summaries on tiny literal frames; data health on an empty schema."""

from __future__ import annotations

import pandas as pd
import pytest

from kam_core.views import compute_abc_summary, compute_changes, compute_kpis, compute_movers, compute_type_profiles
from kam_core.views.health import compute_data_fingerprint, compute_row_counts, list_recent_imports


@pytest.fixture
def before():
    return pd.DataFrame(
        {
            "account_id": ["A", "B", "C", "D"],
            "name": ["a", "b", "c", "d"],
            "channel": ["KA"] * 4,
            "net_sales": [100.0, 50.0, 30.0, 20.0],
            "gross_profit": [30.0, 10.0, 5.0, 2.0],
            "net_profit": [20.0, 5.0, 1.0, -3.0],
            "pyramid_tier": ["platinum", "gold", "iron", "lead"],
            "key_account": [True, False, False, False],
            "high_volume_low_loyalty": [False, False, False, False],
            "diversion_flag": [False, True, False, False],
        }
    )


@pytest.fixture
def now(before):
    df = before.copy()
    df["net_sales"] = [80.0, 90.0, 30.0, 5.0]
    df["pyramid_tier"] = ["gold", "platinum", "iron", "lead"]
    df["key_account"] = [True, True, False, False]
    df["high_volume_low_loyalty"] = [True, False, False, False]
    df["diversion_flag"] = [False, True, True, False]
    extra = pd.DataFrame(
        {
            "account_id": ["E"],
            "name": ["e"],
            "channel": ["KA"],
            "net_sales": [10.0],
            "gross_profit": [1.0],
            "net_profit": [1.0],
            "pyramid_tier": ["iron"],
            "key_account": [False],
            "high_volume_low_loyalty": [True],
            "diversion_flag": [False],
        }
    )
    return pd.concat([df, extra], ignore_index=True)


def test_kpis_sum_money_count_flags_and_measure_concentration(before):
    k = compute_kpis(before)
    assert (k.n_accounts, k.net_sales, k.net_profit, k.key_accounts, k.diverting) == (4, 200.0, 23.0, 1, 1)
    assert k.top20_sales_share == pytest.approx(0.5)  # the top 1 of 4 accounts has 100 of 200
    assert k.hhi == pytest.approx(0.5**2 + 0.25**2 + 0.15**2 + 0.1**2)


def test_kpis_of_no_accounts_have_no_concentration():
    k = compute_kpis(pd.DataFrame({"net_sales": [], "gross_profit": [], "net_profit": []}))
    assert (k.n_accounts, k.top20_sales_share, k.hhi, k.at_risk) == (0, None, None, 0)


def test_kpis_name_a_missing_column():
    with pytest.raises(ValueError, match="net_profit"):
        compute_kpis(pd.DataFrame({"net_sales": [1.0], "gross_profit": [1.0]}))


def test_movers_rank_rises_and_falls_and_count_new_accounts_from_zero(before, now):
    movers = compute_movers(before, now, n=2)
    assert movers[["account_id", "change", "direction"]].values.tolist() == [
        ["B", 40.0, "up"],
        ["E", 10.0, "up"],
        ["A", -20.0, "down"],
        ["D", -15.0, "down"],
    ]


def test_changes_list_tier_moves_then_new_flags_without_repeating_old_ones(before, now):
    changes = compute_changes(before, now)
    got = set(map(tuple, changes[["account_id", "change"]].values.tolist()))
    assert got == {
        ("A", "tier_down"),
        ("B", "tier_up"),
        ("A", "new_hvll"),
        ("E", "new_hvll"),
        ("C", "new_diversion"),
        ("B", "new_key_account"),
    }
    assert list(changes["change"][:2]) in (["tier_down", "tier_up"], ["tier_up", "tier_down"])
    assert changes.loc[changes["account_id"] == "B", "name"].iloc[0] == "b"


def test_changes_of_an_empty_period_are_empty(before):
    assert compute_changes(before, before.iloc[0:0]).empty
    assert compute_movers(before, before.iloc[0:0]).empty


def test_changes_when_no_tier_moved_and_no_flag_is_new_are_empty_not_rows_without_a_change(before):
    # two periods without sales: every account "lead" both times (the Overview crashed on change.nan)
    quiet = before.assign(net_sales=0.0, pyramid_tier="lead", key_account=False, diversion_flag=False)
    assert compute_changes(quiet, quiet).empty
    moved_one = quiet.assign(pyramid_tier=["iron", "lead", "lead", "lead"])
    changes = compute_changes(quiet, moved_one)
    assert changes[["account_id", "change", "before", "after"]].values.tolist() == [["A", "tier_up", "lead", "iron"]]


def test_abc_summary_gives_the_pareto_ratio_per_channel_and_overall():
    df = pd.DataFrame(
        {"channel": ["KA", "KA", "KA", "DIST"], "abc_class": ["A", "B", "C", "A"], "net_sales": [80.0, 15.0, 5.0, 10.0]}
    )
    out = compute_abc_summary(df).set_index("channel")
    assert out.loc["KA", "a_account_share"] == pytest.approx(1 / 3)
    assert out.loc["KA", "a_sales_share"] == pytest.approx(0.8)
    assert out.loc["all", "accounts"] == 4 and out.loc["all", "a_sales_share"] == pytest.approx(90 / 110)


def test_type_profiles_leave_out_untyped_accounts_and_join_features():
    df = pd.DataFrame(
        {
            "account_id": ["A", "B", "C"],
            "value_type": ["intrinsic", "strategic", None],
            "net_sales": [10.0, 30.0, 60.0],
            "net_profit": [1.0, 3.0, 6.0],
            "value_type_confidence": [0.9, 0.7, None],
        }
    )
    feats = pd.DataFrame({"account_id": ["A", "B", "C"], "promo_share": [0.6, 0.1, 0.3]})
    out = compute_type_profiles(df, feats).set_index("value_type")
    assert list(out.index) == ["intrinsic", "strategic"]
    assert out.loc["strategic", "sales_share"] == pytest.approx(0.3)
    assert out.loc["intrinsic", "promo_share"] == pytest.approx(0.6)


def test_health_on_an_empty_database_counts_zero_and_has_no_imports(sqlite_engine):
    counts = compute_row_counts(sqlite_engine)
    assert set(counts["rows"]) == {0} and "order_line" in set(counts["table"])
    assert list_recent_imports(sqlite_engine).empty
    counts_part, _, versions = compute_data_fingerprint(sqlite_engine).rpartition("|")
    assert counts_part == "0||0||0|0|" and len(versions) == 16  # then the digest of the table versions


def test_the_fingerprint_changes_with_a_write_to_a_table_it_does_not_count(sqlite_engine):
    from kam_core.db.schema import competitor_brand

    before = compute_data_fingerprint(sqlite_engine)
    with sqlite_engine.begin() as conn:
        conn.execute(competitor_brand.insert().values(brand_id="B1", name="X"))
    after = compute_data_fingerprint(sqlite_engine)
    assert after != before
    from kam_core.db.schema import app_user

    with sqlite_engine.begin() as conn:  # a sign-in record is no scorecard data
        conn.execute(app_user.insert().values(email="a@x", role="director"))
    assert compute_data_fingerprint(sqlite_engine) == after
