"""Customer lifetime value (METHODS.md §3.4): discounted margin for contract channels (DIST, KA) and
BG/NBD + Gamma-Gamma for repeat-order channels, behind :class:`RepeatBuyerModel` so that
pymc-marketing can replace lifetimes later. Falls back to discounted margin when a fit is not possible.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from typing import Protocol

import numpy as np
import pandas as pd

from kam_core.analytics.params import Params

CONTRACT_CHANNELS = ("DIST", "KA")


def discounted_margin_clv(margin: pd.Series, retention: pd.Series, rate: float, years: int) -> pd.Series:
    """CLV = Σ_{t=1..H} m·r^t/(1+i)^t (Gupta & Lehmann), margin per year, retention per year."""
    r = retention.clip(0.0, 0.99)
    factor = sum((r / (1 + rate)) ** t for t in range(1, years + 1))
    return margin * factor


class RepeatBuyerModel(Protocol):
    """What the scorecard needs from a probabilistic repeat-buyer model."""

    def fit(self, summary: pd.DataFrame) -> RepeatBuyerModel: ...

    def p_alive(self, summary: pd.DataFrame) -> pd.Series: ...

    def clv(self, summary: pd.DataFrame, months: int, monthly_discount: float) -> pd.Series: ...


class LifetimesModel:
    """BG/NBD (BetaGeoFitter) + Gamma-Gamma from lifetimes 0.11.3.

    ``summary`` has frequency, recency, T (weeks) and monetary_value (margin per repeat order).
    """

    def __init__(self, penalizer: float = 0.001) -> None:
        self.penalizer = penalizer

    def fit(self, summary: pd.DataFrame) -> LifetimesModel:
        from lifetimes import BetaGeoFitter, GammaGammaFitter
        from lifetimes.utils import ConvergenceError

        self.bgf_ = None
        for penalizer in (self.penalizer, self.penalizer * 10, self.penalizer * 100):
            try:  # lifetimes prints the optimiser result on failure: keep stdout clean for the CLI
                with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                    warnings.simplefilter("ignore")
                    self.bgf_ = BetaGeoFitter(penalizer_coef=penalizer).fit(
                        summary["frequency"], summary["recency"], summary["T"])
                break
            except ConvergenceError:
                continue
        if self.bgf_ is None:
            raise ConvergenceError("BG/NBD did not converge")
        rep = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
        try:
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                self.ggf_ = GammaGammaFitter(penalizer_coef=self.penalizer).fit(
                    rep["frequency"], rep["monetary_value"], q_constraint=True)
        except ConvergenceError:
            self.ggf_ = None  # no spend heterogeneity to model: clv() uses the observed margin per period
        return self

    def p_alive(self, summary: pd.DataFrame) -> pd.Series:
        p = self.bgf_.conditional_probability_alive(summary["frequency"], summary["recency"], summary["T"])
        return pd.Series(np.asarray(p, dtype=float), index=summary.index)

    def clv(self, summary: pd.DataFrame, months: int, monthly_discount: float) -> pd.Series:
        f, m = summary["frequency"], summary["monetary_value"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = self.ggf_.conditional_expected_average_profit(f, m) if self.ggf_ is not None else m
            # q at its bound (no spend heterogeneity) makes the GG mean infinite: use the observed margin
            self.gg_used_ = bool(np.isfinite(np.asarray(value, dtype=float)).all())
            if not self.gg_used_:
                value = m
            v = _weekly_lifetime_value(self.bgf_, f, summary["recency"], summary["T"], value, months,
                                       monthly_discount)
        return pd.Series(np.asarray(v, dtype=float), index=summary.index)


def _weekly_lifetime_value(bgf, frequency: pd.Series, recency: pd.Series, T: pd.Series, value: pd.Series,
                           months: int, monthly_discount: float) -> pd.Series:
    """lifetimes' ``utils._customer_lifetime_value`` (0.11.3) with ``freq="W"``, the same arithmetic in the
    same order, except that a month whose start is the previous month's end (the same float) reuses that
    cumulative prediction instead of evaluating the hypergeometric terms again (8 of 12 months)."""
    factor = 4.345  # weeks per month, as lifetimes has it
    clv = pd.Series(0, index=frequency.index)
    last_t, last = None, None
    for i in np.arange(1, months + 1) * factor:
        start = i - factor
        begin = last if start == last_t else bgf.predict(start, frequency, recency, T)
        last_t, last = i, bgf.predict(i, frequency, recency, T)
        clv = clv + (value * (last - begin)) / (1 + monthly_discount) ** (i / factor)
    return clv


def _week_number(dates: pd.Series | pd.Timestamp) -> pd.Series | int:
    """Whole weeks since 1970-01-01, the grid of the SQL ``week_number`` that counts the order weeks."""
    days = (dates - pd.Timestamp("1970-01-01"))
    return days.dt.days // 7 if isinstance(days, pd.Series) else days.days // 7


def repeat_buyer_summary(df: pd.DataFrame, as_of) -> pd.DataFrame:
    """frequency / recency / T in whole weeks of one grid; margin per order week of the window.

    BG/NBD counts repeat *periods* (orders of the same week merged, METHODS.md §3.4, freq='W'), so recency and
    age are counted on the same weekly grid as the order weeks: frequency = order weeks - 1, recency = weeks
    from the first order's week to the last order's, T = weeks from the first order's week to ``as_of``'s.
    Then frequency <= recency <= T always, and one order week means recency 0 (two orders days apart in one
    week, measured in days, gave frequency 0 with recency > 0: an impossible history that failed the fit).
    """
    first = pd.to_datetime(df["first_order_ever"], errors="coerce")
    last = pd.to_datetime(df["last_order_ever"], errors="coerce")
    out = pd.DataFrame(index=df.index)
    out["frequency"] = (df["order_weeks_ever"].fillna(1) - 1).clip(lower=0).astype(float)
    out["recency"] = (_week_number(last) - _week_number(first)).astype(float)
    out["T"] = (_week_number(pd.Timestamp(as_of)) - _week_number(first)).astype(float)
    per = df["order_weeks_window"]
    out["monetary_value"] = (df["gross_profit"] / per.where(per > 0)).astype(float)
    return out.dropna(subset=["recency", "T"])


def compute_clv(df: pd.DataFrame, as_of, params: Params, model: RepeatBuyerModel | None = None) -> pd.DataFrame:
    """CLV per account, the model used, and P(alive) where BG/NBD was fitted.

    ``df`` needs channel, net_profit, gross_profit, churn_prob, window_years, first/last order dates,
    order_weeks_ever and order_weeks_window. Margin per year = NCP ÷ window years.
    """
    margin = df["net_profit"].fillna(0) / df["window_years"]
    out = pd.DataFrame(index=df.index)
    out["clv"] = discounted_margin_clv(margin, 1 - df["churn_prob"].fillna(0.5), params.discount_rate,
                                       params.clv_horizon_years)
    out["clv_model"] = "discounted_margin"
    out["p_alive"] = np.nan
    repeat = ~df["channel"].isin(CONTRACT_CHANNELS)
    used = ["first_order_ever", "last_order_ever", "order_weeks_ever", "order_weeks_window", "gross_profit"]
    summary = repeat_buyer_summary(df.loc[repeat, used], as_of)  # not every scorecard column: a 100k-row copy
    if len(summary) < params.min_accounts_bgnbd:
        return out
    try:
        fitted = (model or LifetimesModel()).fit(summary)
        p_alive = fitted.p_alive(summary)
        ok = summary[(summary["monetary_value"] > 0)]
        d_month = (1 + params.discount_rate) ** (1 / 12) - 1
        gp_clv = fitted.clv(ok, params.clv_months_bgnbd, d_month)
    except Exception:  # noqa: BLE001 - any fit failure falls back to discounted margin (documented)
        return out
    gp = df.loc[ok.index, "gross_profit"]
    net_ratio = (df.loc[ok.index, "net_profit"] / gp.where(gp > 0)).clip(-1, 1).fillna(0)
    out.loc[ok.index, "clv"] = gp_clv * net_ratio
    out.loc[ok.index, "clv_model"] = "bgnbd_gg"
    out.loc[p_alive.index, "p_alive"] = p_alive.round(3)
    return out
