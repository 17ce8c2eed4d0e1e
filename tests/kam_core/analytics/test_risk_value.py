"""Loyalty, HVLL, churn, diversion rules, CLV, credit and allocation on tiny literal frames."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from kam_core.analytics.allocation import allocate_service_budget, list_follow_ups, plan_visit_cadence
from kam_core.analytics.clv import discounted_margin_clv
from kam_core.analytics.credit import compare_settlement_modes, compute_credit
from kam_core.analytics.diversion import _chasing_from_frames, _triggers, compute_diversion_signals, flag_diversion
from kam_core.analytics.loyalty import compute_loyalty, estimate_churn_heuristic, flag_hvll
from kam_core.analytics.params import Params

P = Params()


def _loyal_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "channel": "DIST",
            "sow": [0.9, 0.5, 0.2, np.nan],
            "exclusivity": [1.0, 0.5, 0.2, np.nan],
            "regularity": [0.9, 0.6, 0.1, 0.5],
            "tenure_years": [5.0, 3.0, 2.0, 1.0],
            "satisfaction": [9.0, 7.0, 4.0, np.nan],
        }
    )


def test_loyalty_renormalises_weights_over_observed_components():
    out = compute_loyalty(_loyal_frame(), P)
    assert out["loyalty_score"].iloc[0] == 100.0
    assert out["loyalty_basis"].iloc[3] == "based on 2/6 components"
    # account 3: regularity pr = 0.5, tenure pr = 0.25, equal weights 0.15 → 37.5
    assert out["loyalty_score"].iloc[3] == pytest.approx(37.5)


def test_params_hash_is_stable_and_changes_with_settings():
    assert Params().params_hash == Params().params_hash and len(P.params_hash) == 12
    assert Params().with_(hv_pct=0.9).params_hash != P.params_hash


def _hvll_frame() -> pd.DataFrame:
    """Ten WHS2 accounts by falling volume; only the first has a low loyalty score and low share of wallet."""
    n = 10
    return pd.DataFrame(
        {
            "channel": "WHS2",
            "volume_cases": np.arange(n, 0, -1.0) * 100,
            "loyalty_score": [10.0, 90, 50, 60, 70, 80, 20, 30, 40, 55],
            "sow": [0.3, 0.9, 0.8, 0.8, 0.8, 0.8, 0.3, 0.3, 0.3, 0.8],
            "exclusivity": 0.5,
            "regularity": 0.4,
            "tenure_years": 3.0,
            "n_orders": 10,
            "pr_sow": 0.1,
            "pr_exclusivity": 0.2,
            "pr_regularity": 0.3,
            "pr_tenure_years": 0.9,
            "pr_satisfaction": np.nan,
            "satisfaction": np.nan,
        }
    )


def test_hvll_needs_high_volume_low_loyalty_and_the_absolute_guard():
    out = flag_hvll(_hvll_frame(), P)
    assert list(out["high_volume_low_loyalty"]) == [True] + [False] * 9
    assert out["hvll_reasons"].iloc[0][0].startswith("share of wallet 30%")
    assert flag_hvll(_hvll_frame().assign(tenure_years=0.2), P)["high_volume_low_loyalty"].sum() == 0


def test_churn_heuristic_rises_with_overdue_orders():
    df = pd.DataFrame(
        {
            "last_order_ever": pd.to_datetime(["2026-06-20", "2026-03-01", None]),
            "mean_ipt_days": [15.0, 15.0, np.nan],
            "contract_type": "noncontractual",
            "loyalty_score": 50.0,
        }
    )
    p = estimate_churn_heuristic(df, "2026-06-30", P)["churn_prob"]
    assert p.iloc[0] < 0.1 and p.iloc[1] > 0.9 and p.iloc[2] == 1.0


def test_threshold_chasing_counts_only_quarters_where_a_tier_was_crossed():
    per_q = pd.DataFrame(
        {
            "account_id": ["a", "a", "b"],
            "quarter": ["2026Q1", "2026Q2", "2026Q1"],
            "cases": [100.0, 100.0, 100.0],
            "late_cases": [50.0, 10.0, 50.0],
            "sales": 1.0,
            "late_sales": 0.0,
        }
    )
    tiers = pd.DataFrame({"account_id": ["a", "b"], "basis": "cases", "lower_bound": [80.0, 200.0]})
    out = _chasing_from_frames(per_q, tiers)
    assert out.loc["a", "s4_share"] == 0.5 and out.loc["a", "s4_quarters"] == 1
    assert out.loc["b", "s4_share"] == 0.0


def _diversion_frame() -> pd.DataFrame:
    """x: S1 (30% of 100 scans out) and S7 (half the ship-tos out); y: one S5 price check; z: 5 scans only."""
    return pd.DataFrame(
        {
            "channel": "DIST",
            "volume_cases": [100.0, 100, 100],
            "outlets_served": [10, 10, 10],
            "n_scans": [100, 100, 5],
            "n_scans_out": [30, 0, 5],
            "n_shipto": [10, 10, 10],
            "n_shipto_out": [5, 0, 0],
            "n_below_floor": [0, 1, 0],
            "s4_share": [0.0, 0.0, 0.0],
        },
        index=["x", "y", "z"],
    )


def test_diversion_flag_needs_two_signals_and_explains_them():
    out = flag_diversion(_diversion_frame(), P)
    assert list(out["diversion_flag"]) == [True, False, False]
    assert out.loc["x", "diversion_score"] >= 6 and len(out.loc["x", "diversion_evidence"]) == 2
    assert out.loc["z", "diversion_signals"] == 0  # 5 scans are too few for S1


def test_s2_is_no_signal_in_a_new_accounts_first_months():
    """Sell-in far beyond its outlets' median sell-through: S2 for an established account, not for a new one."""
    df = pd.DataFrame(
        {
            "channel": "DIST",
            "volume_cases": [400.0, 400, 100, 100, 100],
            "outlets_served": [10] * 5,
            "tenure_years": [3.0, 0.2, 3.0, 3.0, np.nan],
        },
        index=["old", "new", "a", "b", "unknown"],
    )
    sig = compute_diversion_signals(df)
    assert sig.loc["old", "s2_ratio"] == pytest.approx(4.0) and sig.loc["new", "s2_ratio"] == pytest.approx(4.0)
    hits = _triggers(sig, P)
    assert bool(hits.loc["old", "S2"]) and not bool(hits.loc["new", "S2"])
    assert not hits.loc[["a", "b", "unknown"], "S2"].any()


def test_discounted_margin_matches_the_closed_form_sum():
    v = discounted_margin_clv(pd.Series([100.0]), pd.Series([0.8]), 0.10, 5)
    assert v.iloc[0] == pytest.approx(sum(100 * 0.8**t / 1.1**t for t in range(1, 6)))


def _credit_frame(**over) -> pd.DataFrame:
    base = {
        "net_sales": 1_200_000.0,
        "window_months": 12.0,
        "payment_terms_days": 30,
        "settlement_mode": "credit",
        "dbt": 0.0,
        "max_days_past_due": 0.0,
        "late_share": 0.0,
        "bounced": 0,
        "tenure_years": 5.0,
        "sales_cv": 0.2,
        "tangible_net_worth": np.nan,
        "annual_turnover_all_brands": np.nan,
        "deposit_amount": 20_000.0,
        "has_ar": True,
    }
    base.update(over)
    return pd.DataFrame([base])


def test_credit_limit_shows_need_cap_grade_and_rounding():
    out = compute_credit(_credit_frame(), P).iloc[0]
    assert out["credit_grade"] == "A" and out["credit_points"] == 100
    assert out["credit_need"] == 100_000 and out["credit_cap"] == 150_000
    assert out["credit_limit_suggested"] == 120_000
    bad = compute_credit(_credit_frame(dbt=40.0, max_days_past_due=45.0, late_share=0.5, bounced=2), P).iloc[0]
    assert bad["credit_grade"] == "E" and bad["credit_limit_suggested"] == 20_000


def test_settlement_modes_delay_cash_in_the_documented_order():
    df = compare_settlement_modes(300_000, terms_days=60, statement_cycle="monthly").set_index("settlement_mode")
    assert df.loc["cash", "cash_delay_days"] == 0 and df.loc["credit", "cash_delay_days"] == 75
    assert df.loc["consignment", "cash_delay_days"] > df.loc["credit", "cash_delay_days"]
    assert df.loc["cash", "npv_month_sales"] > df.loc["credit", "npv_month_sales"]
    with pytest.raises(ValueError, match="statement_cycle"):
        compare_settlement_modes(1.0, statement_cycle="weekly")


def _plan_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": ["a", "b", "c"],
            "name": "n",
            "channel": "KA",
            "key_account": [True, True, False],
            "loyalty_score": [80.0, 20.0, 50.0],
            "net_sales": [300.0, 100.0, 50.0],
            "net_profit": [50.0, -10.0, 5.0],
            "pyramid_tier": ["platinum", "lead", "iron"],
            "last_visit_date": pd.to_datetime(["2026-06-25", "2026-03-01", None]),
            "last_order_date": pd.to_datetime(["2026-06-20", "2026-06-27", "2026-01-01"]),
        }
    )


def test_budget_split_sums_to_the_budget_and_follows_the_weights():
    out = allocate_service_budget(_plan_frame(), 10_000.0).set_index("account_id")
    assert list(out.index) == ["a", "b"] and out["budget"].sum() == pytest.approx(10_000)
    assert out.loc["a", "budget"] == pytest.approx(10_000 * (0.4 * 0.8 + 0.3 * 0.75 + 0.3 * 1.0))
    with pytest.raises(ValueError, match="weights"):
        allocate_service_budget(_plan_frame(), 1.0, weights=(0, 0, 0))


def test_visit_cadence_and_follow_ups_show_what_is_overdue():
    cad = plan_visit_cadence(_plan_frame(), "2026-06-30").set_index("account_id")
    assert cad.loc["b", "overdue_days"] == (pd.Timestamp("2026-06-30") - pd.Timestamp("2026-04-30")).days
    assert cad.loc["a", "overdue_days"] == 0
    launches = pd.DataFrame({"name": ["new IPA"], "start_date": ["2026-06-15"]})
    tasks = list_follow_ups(_plan_frame(), "2026-06-30", launches)
    b = tasks[tasks["account_id"] == "b"]
    assert {"thank_you_order", "monthly_contact", "invite: new IPA"} <= set(b["task"])
    assert "thank_you_order" not in set(tasks.loc[tasks["account_id"] == "a", "task"])


def test_quarter_chasing_uses_complete_quarters_of_the_window_only():
    import datetime as dt

    from kam_core.analytics.diversion import compute_quarter_chasing, late_ranges
    from kam_core.analytics.window import Window

    w = Window(dt.date(2025, 7, 1), dt.date(2026, 5, 31))
    assert late_ranges(w)[0] == (dt.date(2025, 9, 21), dt.date(2025, 9, 30)) and len(late_ranges(w)) == 3
    cur = pd.DataFrame(
        {
            "account_id": "a",
            "month": ["2025-08", "2025-09", "2025-09", "2026-05"],
            "late": [0, 0, 1, 1],
            "volume_cases": [40.0, 20.0, 40.0, 90.0],
            "net_sales": 1.0,
        }
    )
    thresholds = pd.DataFrame({"account_id": ["a"], "basis": ["cases"], "lower_bound": [70.0]})
    out = compute_quarter_chasing(cur, thresholds, w)
    assert out.loc["a", "s4_share"] == pytest.approx(0.4) and out.loc["a", "s4_quarters"] == 1


def test_settlement_comparison_reads_an_accounts_terms():
    from kam_core.analytics.credit import compare_settlement_modes_for

    row = pd.Series(
        {
            "net_sales": 1_200_000.0,
            "gross_profit": 480_000.0,
            "window_months": 12.0,
            "payment_terms_days": 45,
            "statement_cycle": "semi_monthly",
            "deduction_rate": np.nan,
            "dbt": 5.0,
        }
    )
    df = compare_settlement_modes_for(row).set_index("settlement_mode")
    assert df.loc["credit", "cash_delay_days"] == pytest.approx(7.5 + 45 + 5)
    assert df.loc["turnover_deduction", "npv_month_sales"] < 100_000 * 0.81


def test_hvll_reasons_come_as_structured_items_and_read_in_either_language():
    from kam_core.analytics.loyalty import describe_loyalty_reasons

    out = flag_hvll(_hvll_frame(), P)
    items = out["hvll_reason_items"].iloc[0]
    assert items[0] == {"component": "sow", "value": 0.3, "percentile": 10.0, "channel": "WHS2"}
    assert [i["component"] for i in items] == ["sow", "exclusivity", "regularity"]  # weakest first, NaN left out
    assert (out["hvll_reason_items"].iloc[1:].map(len) == 0).all()  # only flagged accounts carry reasons
    assert describe_loyalty_reasons(items, "en") == out["hvll_reasons"].iloc[0]  # the English column is the same
    zh = describe_loyalty_reasons(items, "zh")
    assert zh[0] == "钱包份额 30%（二批商渠道内第 10 百分位）"
    assert not any(re.search(r"[A-Za-z]{4,}", r) for r in zh), zh
    tenure = describe_loyalty_reasons(
        [{"component": "tenure_years", "value": 3.0, "percentile": 90.0, "channel": "WHS2"}], "zh"
    )
    assert tenure == ["合作年限 3.0 年（二批商渠道内第 90 百分位）"]


def test_diversion_evidence_comes_as_structured_items_and_reads_in_either_language():
    from kam_core.analytics.diversion import describe_evidence

    out = flag_diversion(_diversion_frame(), P)
    items = out.loc["x", "diversion_evidence_items"]
    assert items == [{"signal": "S1", "share": 0.3, "scans": 100}, {"signal": "S7", "share": 0.5}]
    assert out.loc["y", "diversion_evidence_items"] == [{"signal": "S5", "checks": 1}]
    assert out.loc["z", "diversion_evidence_items"] == [] and out.loc["z", "diversion_evidence"] == []
    assert out.loc["x", "diversion_evidence"] == [
        "S1 code scans: 30% of 100 scans outside the authorised territory",
        "S7 50% of orders shipped outside the authorised territory",
    ]  # the CLI's English, unchanged
    assert describe_evidence(items, "en") == out.loc["x", "diversion_evidence"]
    zh = describe_evidence(items, "zh")
    assert zh == ["S1 扫码：100 次扫码中 30% 在授权区域外", "S7 50% 的订单发往授权区域以外"]
    assert describe_evidence([{"signal": "S2", "ratio": 2.345}, {"signal": "S4", "share": 0.61}], "zh") == [
        "S2 进货量是其网点按渠道中位数可销量的 2.3 倍",
        "S4 跨过返利坎级的季度里，61% 的季度进货集中在最后 10 天",
    ]
