"""CLV per account: the repeat-buyer summary is on one weekly grid, and the scorecard says when and why
BG/NBD + Gamma-Gamma was not used."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from kam_core.analytics.clv import (
    ACCOUNT_REASONS,
    MODEL_REASONS,
    BgNbdGammaGamma,
    clv_health_items,
    compute_clv,
    repeat_buyer_summary,
)
from kam_core.analytics.inputs import describe_health
from kam_core.analytics.params import Params
from kam_core.analytics.repeat_buyer import FitError, discounted_value
from kam_core.i18n import load_catalog

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
    return pd.DataFrame(
        {
            "channel": "RETAIL",
            "net_profit": rng.uniform(100, 5000, n),
            "churn_prob": 0.2,
            "gross_profit": rng.uniform(5000, 9000, n),
            "window_years": 1.0,
            "first_order_ever": first.strftime("%Y-%m-%d"),
            "last_order_ever": last.strftime("%Y-%m-%d"),
            "order_weeks_ever": 2 + (rng.uniform(0, 1, n) * (span - 1)).astype(int),
            "order_weeks_window": rng.integers(1, 20, n),
        },
        index=[f"A{i}" for i in range(n)],
    )


def test_frequency_recency_and_age_are_whole_weeks_on_the_same_weekly_grid():
    # Thu 2026-06-04 and Sat 06-06 are one week of the grid (weeks start on Thursdays, as 1970-01-01 did);
    # Wed 06-10 and Thu 06-11 are two
    df = pd.DataFrame(
        {
            "first_order_ever": ["2026-06-04", "2026-06-10", "2025-01-02"],
            "last_order_ever": ["2026-06-06", "2026-06-11", "2026-06-29"],
            "order_weeks_ever": [1, 2, 40],
            "order_weeks_window": [1, 2, 30],
            "gross_profit": [100.0, 200.0, 3000.0],
        },
        index=["same_week", "next_day", "regular"],
    )
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
    df = pd.DataFrame(
        {
            "channel": ["RETAIL", "DIST"],
            "net_profit": [1000.0, -50.0],
            "gross_profit": [2000.0, 10.0],
            "churn_prob": [0.2, 0.1],
            "window_years": 1.0,
            "first_order_ever": ["2024-01-01"] * 2,
            "last_order_ever": ["2026-06-01"] * 2,
            "order_weeks_ever": [30, 20],
            "order_weeks_window": [12, 8],
        }
    )
    out = compute_clv(df, AS_OF, P)
    assert (out["clv_model"] == "discounted_margin").all() and out["clv"].iloc[1] < 0


def test_clv_uses_bgnbd_when_enough_repeat_buyers():
    out = compute_clv(_repeat_frame(), AS_OF, P)
    assert (out["clv_model"] == "bgnbd_gg").mean() > 0.9
    assert out["p_alive"].between(0, 1).all() and (out["clv"] >= 0).all() and (out["clv"] > 0).mean() > 0.5


class _Unfittable:
    """A repeat-buyer model whose fit fails the way a real one can."""

    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def fit(self, summary):
        raise self.exc


@pytest.mark.parametrize(
    ("exc", "reason"),
    [(FitError("not_converged", "BFGS: no progress"), "not_converged"), (FloatingPointError("overflow"), "fit_error")],
    ids=["did_not_converge", "unforeseen_error"],
)
def test_a_failed_fit_falls_back_per_account_with_the_reason_logged(exc, reason, caplog):
    df = _repeat_frame(350)
    df.loc["A0", "channel"] = "DIST"
    with caplog.at_level(logging.WARNING, logger="kam_core.analytics.clv"):
        out = compute_clv(df, AS_OF, P, model=_Unfittable(exc))
    assert (out["clv_model"] == "discounted_margin").all() and out["p_alive"].isna().all()
    assert pd.isna(out.loc["A0", "clv_fallback_reason"])  # a contract channel is valued so by design
    assert (out["clv_fallback_reason"].drop("A0") == reason).all()
    assert str(exc) in caplog.text
    assert clv_health_items(out, P) == [{"code": "clv_fallback", "reason": reason, "accounts": 349, "needed": 300}]


def test_too_few_repeat_order_accounts_read_as_a_data_health_note_in_both_languages():
    out = compute_clv(_repeat_frame(40), AS_OF, P)
    assert (out["clv_fallback_reason"] == "too_few_accounts").all()
    items = clv_health_items(out, P)
    assert describe_health(items, "en") == [
        "CLV of 40 repeat-order accounts (wholesalers, small retail, on-premise) is the discounted margin, not "
        "BG/NBD + Gamma-Gamma: the model needs at least 300 such accounts with an order history."
    ]
    assert describe_health(items, "zh")[0].startswith("40 个重复订货客户")


def test_an_account_without_a_positive_margin_week_keeps_p_alive_but_not_the_model_value():
    df = _repeat_frame()
    df.loc["A1", "order_weeks_window"] = 0  # no order in the window: no value per order week
    df.loc["A2", "gross_profit"] = -10.0
    out = compute_clv(df, AS_OF, P)
    assert out.loc[["A1", "A2"], "clv_fallback_reason"].tolist() == ["no_margin", "no_margin"]
    assert (out.loc[["A1", "A2"], "clv_model"] == "discounted_margin").all()
    assert out.loc[["A1", "A2"], "p_alive"].notna().all()
    assert out["clv_fallback_reason"].drop(["A1", "A2"]).isna().all()


def test_without_gamma_gamma_each_account_is_valued_at_its_own_margin_per_order_week():
    class NoSpendModel(BgNbdGammaGamma):
        def fit(self, summary):
            super().fit(summary)
            self.gg_, self.gg_reason_ = None, "gg_at_bound"
            return self

    df = _repeat_frame()
    model = NoSpendModel()
    out = compute_clv(df, AS_OF, P, model=model)
    assert (out["clv_model"] == "bgnbd").all() and (out["clv_fallback_reason"] == "gg_at_bound").all()
    s = repeat_buyer_summary(df, AS_OF)
    d_month = 1.1 ** (1 / 12) - 1
    gp_clv = discounted_value(model.bgnbd_, s["monetary_value"], s["frequency"], s["recency"], s["T"], 12, d_month)
    net_ratio = (df["net_profit"] / df["gross_profit"]).clip(-1, 1)
    assert out["clv"].to_numpy() == pytest.approx(gp_clv * net_ratio.to_numpy(), rel=1e-12)


def test_every_fallback_reason_has_a_sentence_in_both_languages():
    catalog = load_catalog()
    for reason in (*MODEL_REASONS, *ACCOUNT_REASONS, "other"):
        entry = catalog[f"analytics.clv.health.{reason}"]
        assert entry["zh"] != entry["en"], reason


def _erp_csv(path, accounts: int = 40) -> None:
    """ERP invoice lines of small retailers ordering every few days to weeks; the last one ordered twice in
    one week of the grid (Thursday and Saturday) and never again."""
    rng = np.random.default_rng(5)
    rows = ["invoice,date,customer,channel,sku,qty,price,cost"]
    for a in range(accounts - 1):
        day = pd.Timestamp("2025-03-01") + pd.Timedelta(days=int(rng.integers(0, 200)))
        for k in range(int(rng.integers(1, 25))):
            rows.append(f"I{a}-{k},{day:%Y-%m-%d},C{a:03d},小终端,SKU1,{rng.integers(2, 30)},48,30")
            day += pd.Timedelta(days=int(rng.integers(1, 40)))
    rows += [f"W{k},{d},C999,小终端,SKU1,5,48,30" for k, d in enumerate(("2026-06-04", "2026-06-06"))]
    rows = rows[:1] + [r for r in rows[1:] if r.split(",")[1] <= AS_OF]  # nothing after the as-of date
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_an_erp_database_is_valued_by_the_model_and_says_when_it_is_too_small(db_engine, tmp_path):
    from kam_core.io.transactions import import_transactions, parse_mapping
    from kam_core.queries.scorecard import compute_scorecard_bundle

    _erp_csv(tmp_path / "erp.csv")
    mapping = parse_mapping(
        "invoice=invoice,date=date,account_id=customer,channel=channel,sku=sku,quantity=qty,"
        "unit_price=price,unit_cost=cost"
    )
    import_transactions(db_engine, tmp_path / "erp.csv", mapping)
    small = compute_scorecard_bundle(db_engine, as_of=AS_OF, params=Params(min_accounts_bgnbd=20))
    sc = small.scorecard.set_index("account_id")
    assert (sc["clv_model"] == "bgnbd_gg").mean() > 0.8 and sc.loc["C999", "clv_model"] == "bgnbd_gg"
    assert sc["p_alive"].between(0, 1).all()
    assert set(sc["clv_fallback_reason"].dropna()) <= {"no_margin"}  # accounts without an order in the window
    default = compute_scorecard_bundle(db_engine, as_of=AS_OF)
    assert {"code": "clv_fallback", "reason": "too_few_accounts", "accounts": 40, "needed": 300} in default.health
    assert any(note.startswith("CLV of 40 repeat-order accounts") for note in default.data_health)
