"""The BG/NBD + Gamma-Gamma lifetime value equals lifetimes' own computation exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifetimes.utils import _customer_lifetime_value

from kam_core.analytics.clv import LifetimesModel, _weekly_lifetime_value, repeat_buyer_summary


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(0)
    n = 400
    first = pd.Timestamp("2024-07-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    orders = rng.integers(1, 40, n)
    span = np.where(orders > 1, rng.integers(30, 360, n), 0)  # one order day: last = first
    df = pd.DataFrame({"first_order_ever": first, "gross_profit": rng.uniform(5000, 9000, n),
                       "last_order_ever": first + pd.to_timedelta(span, unit="D"), "order_days_ever": orders,
                       "order_days_window": rng.integers(1, 20, n)}, index=[f"A{i}" for i in range(n)])
    summary = repeat_buyer_summary(df, "2026-06-30")
    return LifetimesModel().fit(summary), summary


@pytest.mark.parametrize("months", [1, 12, 36], ids=["1_month", "12_months", "36_months"])
def test_weekly_lifetime_value_equals_lifetimes_customer_lifetime_value_bit_for_bit(fitted, months):
    model, s = fitted
    args = (model.bgf_, s["frequency"], s["recency"], s["T"], s["monetary_value"])
    ours = _weekly_lifetime_value(*args, months, 0.008)
    theirs = _customer_lifetime_value(*args, time=months, discount_rate=0.008, freq="W")
    assert ours.index.equals(theirs.index)
    assert ours.to_numpy().tobytes() == theirs.to_numpy().tobytes()
