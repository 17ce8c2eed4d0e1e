"""CLV per account: the repeat-buyer summary is on one weekly grid, and the scorecard says when and why
BG/NBD + Gamma-Gamma was not used."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kam_core.analytics.clv import compute_clv, repeat_buyer_summary
from kam_core.analytics.params import Params

P = Params()
AS_OF = "2026-06-30"  # a Tuesday


def _week(dates) -> np.ndarray:
    """Whole weeks since 1970-01-01, as the SQL's week_number (an independent computation)."""
    return ((pd.DatetimeIndex(pd.to_datetime(list(dates))) - pd.Timestamp("1970-01-01")).days // 7).to_numpy()


def _repeat_frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """``n`` RETAIL accounts whose order-week counts fit their first and last order (as the SQL gives them)."""
    rng = np.random.default_rng(seed)
    first = pd.Timestamp("2024-07-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    last = first + pd.to_timedelta(rng.integers(30, 360, n), unit="D")
    span = _week(last) - _week(first)
    return pd.DataFrame({"channel": "RETAIL", "net_profit": rng.uniform(100, 5000, n), "churn_prob": 0.2,
                         "gross_profit": rng.uniform(5000, 9000, n), "window_years": 1.0,
                         "first_order_ever": first.strftime("%Y-%m-%d"), "last_order_ever": last.strftime("%Y-%m-%d"),
                         "order_weeks_ever": 2 + (rng.uniform(0, 1, n) * (span - 1)).astype(int),
                         "order_weeks_window": rng.integers(1, 20, n)}, index=[f"A{i}" for i in range(n)])


def test_frequency_recency_and_age_are_whole_weeks_on_the_same_weekly_grid():
    # Thu 2026-06-04 and Sat 06-06 are one week of the grid (weeks start on Thursdays, as 1970-01-01 did);
    # Wed 06-10 and Thu 06-11 are two
    df = pd.DataFrame({"first_order_ever": ["2026-06-04", "2026-06-10", "2025-01-02"],
                       "last_order_ever": ["2026-06-06", "2026-06-11", "2026-06-29"],
                       "order_weeks_ever": [1, 2, 40], "order_weeks_window": [1, 2, 30],
                       "gross_profit": [100.0, 200.0, 3000.0]}, index=["same_week", "next_day", "regular"])
    s = repeat_buyer_summary(df, AS_OF)
    assert s["frequency"].tolist() == [0, 1, 39]
    assert s["recency"].tolist() == list(_week(df["last_order_ever"]) - _week(df["first_order_ever"]))
    assert s["T"].tolist() == list(_week([AS_OF] * 3) - _week(df["first_order_ever"]))
    assert s.loc["same_week", "recency"] == 0  # no repeat week, so no time between repeat weeks
    assert ((s["frequency"] <= s["recency"]) & (s["recency"] <= s["T"])).all()
    assert s["monetary_value"].tolist() == pytest.approx([100.0, 100.0, 100.0])


def test_one_account_with_two_orders_in_one_week_does_not_knock_the_model_out_for_everyone():
    df = _repeat_frame()
    df.loc["same_week", :] = df.iloc[0]
    df.loc["same_week", ["first_order_ever", "last_order_ever", "order_weeks_ever"]] = ["2026-06-04", "2026-06-06", 1]
    df["order_weeks_ever"] = df["order_weeks_ever"].astype(int)
    out = compute_clv(df, AS_OF, P)
    assert (out["clv_model"] == "bgnbd_gg").mean() > 0.9
    assert out.loc["same_week", "clv_model"] == "bgnbd_gg" and 0 < out.loc["same_week", "p_alive"] <= 1


def test_clv_falls_back_to_discounted_margin_with_few_repeat_buyers():
    df = pd.DataFrame({"channel": ["RETAIL", "DIST"], "net_profit": [1000.0, -50.0], "gross_profit": [2000.0, 10.0],
                       "churn_prob": [0.2, 0.1], "window_years": 1.0, "first_order_ever": ["2024-01-01"] * 2,
                       "last_order_ever": ["2026-06-01"] * 2, "order_weeks_ever": [30, 20],
                       "order_weeks_window": [12, 8]})
    out = compute_clv(df, AS_OF, P)
    assert (out["clv_model"] == "discounted_margin").all() and out["clv"].iloc[1] < 0


def test_clv_uses_bgnbd_when_enough_repeat_buyers():
    out = compute_clv(_repeat_frame(), AS_OF, P)
    assert (out["clv_model"] == "bgnbd_gg").mean() > 0.9
    assert out["p_alive"].between(0, 1).all() and (out["clv"] >= 0).all() and (out["clv"] > 0).mean() > 0.5
