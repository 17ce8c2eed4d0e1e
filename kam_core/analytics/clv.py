"""Customer lifetime value (docs/METHODS.md §3.4): discounted margin for contract channels (DIST, KA) and
BG/NBD + Gamma-Gamma (:mod:`kam_core.analytics.repeat_buyer`, scipy) for repeat-order channels, behind
:class:`RepeatBuyerModel`. Where the model is not used for a repeat-order account, ``clv_fallback_reason``
says why and :func:`clv_health_items` turns the reasons into data-health notes (nothing falls back silently).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from kam_core.analytics.params import Params

if TYPE_CHECKING:
    from kam_core.analytics.repeat_buyer import BgNbd

log = logging.getLogger(__name__)

CONTRACT_CHANNELS = ("DIST", "KA")
# reasons for every repeat-order account at once (the model was not fitted) and for one account (no margin…);
# each has a data-health sentence analytics.clv.health.<reason> in the catalogue (clv.toml)
MODEL_REASONS = ("too_few_accounts", "invalid_summary", "not_converged", "at_bound", "fit_error")
ACCOUNT_REASONS = (
    "no_order_history",
    "no_margin",
    "not_finite",
    "gg_not_converged",
    "gg_at_bound",
    "gg_no_repeat_value",
)


def discounted_margin_clv(margin: pd.Series, retention: pd.Series, rate: float, years: int) -> pd.Series:
    """CLV = Σ_{t=1..H} m·r^t/(1+i)^t (Gupta & Lehmann), margin per year, retention per year."""
    r = retention.clip(0.0, 0.99)
    factor = sum((r / (1 + rate)) ** t for t in range(1, years + 1))
    return margin * factor


class RepeatBuyerModel(Protocol):
    """What the scorecard needs from a probabilistic repeat-buyer model.

    ``fit`` raises :class:`kam_core.analytics.repeat_buyer.FitError` (with a ``reason``) when it cannot fit;
    ``gg_reason_`` is None when value per order was modelled, else why each account's own margin is used.
    """

    gg_reason_: str | None

    def fit(self, summary: pd.DataFrame) -> RepeatBuyerModel: ...

    def p_alive(self, summary: pd.DataFrame) -> pd.Series: ...

    def clv(self, summary: pd.DataFrame, months: int, monthly_discount: float) -> pd.Series: ...


class BgNbdGammaGamma:
    """BG/NBD + Gamma-Gamma fitted by maximum likelihood (:mod:`kam_core.analytics.repeat_buyer`).

    ``summary`` has frequency, recency, T (weeks) and monetary_value (margin per repeat order week).
    ``penalizer``: L2 on the parameters (BG/NBD, and Gamma-Gamma in units of the median value); a fit that
    fails is tried again with 10x and 100x the penalty before it is given up.
    """

    def __init__(self, penalizer: float = 0.001) -> None:
        self.penalizer = penalizer

    def fit(self, summary: pd.DataFrame) -> BgNbdGammaGamma:
        from kam_core.analytics.repeat_buyer import FitError, fit_bgnbd, fit_gamma_gamma

        self.bgnbd_: BgNbd | None = None
        for penalizer in (self.penalizer, self.penalizer * 10, self.penalizer * 100):
            try:
                self.bgnbd_ = fit_bgnbd(summary["frequency"], summary["recency"], summary["T"], penalizer)
                break
            except FitError as exc:
                log.warning("BG/NBD fit with penalizer %g failed: %s", penalizer, exc)
                if exc.reason not in ("not_converged", "at_bound") or penalizer == self.penalizer * 100:
                    raise
        rep = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
        self.gg_, self.gg_reason_ = None, None
        try:
            self.gg_ = fit_gamma_gamma(rep["frequency"], rep["monetary_value"], self.penalizer)
        except FitError as exc:  # no value per order to model: clv() uses each account's own margin
            log.warning("Gamma-Gamma fit failed, CLV uses each account's margin per order week: %s", exc)
            self.gg_reason_ = f"gg_{exc.reason}"
        return self

    def p_alive(self, summary: pd.DataFrame) -> pd.Series:
        assert self.bgnbd_ is not None, "fit() first"
        p = self.bgnbd_.p_alive(summary["frequency"], summary["recency"], summary["T"])
        return pd.Series(p, index=summary.index)

    def clv(self, summary: pd.DataFrame, months: int, monthly_discount: float) -> pd.Series:
        from kam_core.analytics.repeat_buyer import discounted_value

        assert self.bgnbd_ is not None, "fit() first"
        f, m = summary["frequency"], summary["monetary_value"]
        value = m.to_numpy(dtype=float) if self.gg_ is None else self.gg_.expected_average_profit(f, m)
        v = discounted_value(self.bgnbd_, value, f, summary["recency"], summary["T"], months, monthly_discount)
        return pd.Series(v, index=summary.index)


def _week_number(dates: pd.Series | pd.Timestamp) -> Any:
    """Whole weeks since 1970-01-01, the grid of the SQL ``week_number`` that counts the order weeks."""
    days = dates - pd.Timestamp("1970-01-01")
    return days.dt.days // 7 if isinstance(days, pd.Series) else days.days // 7


def repeat_buyer_summary(df: pd.DataFrame, as_of) -> pd.DataFrame:
    """frequency / recency / T in whole weeks of one grid; margin per order week of the window.

    BG/NBD counts repeat *periods* (orders of the same week merged, docs/METHODS.md §3.4, freq='W'), so recency and
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
    """CLV per account, the model used, why a repeat-order account was not valued by it, and P(alive).

    ``df`` needs channel, net_profit, gross_profit, churn_prob, window_years, first/last order dates,
    order_weeks_ever and order_weeks_window. Margin per year = NCP ÷ window years.

    Returns
    -------
    pandas.DataFrame
        ``clv``, ``clv_model`` (discounted_margin | bgnbd_gg | bgnbd: BG/NBD with the account's own margin per
        order week), ``clv_fallback_reason`` (None where the channel's model was used; else a code of
        :data:`MODEL_REASONS` or :data:`ACCOUNT_REASONS`) and ``p_alive`` (where BG/NBD was fitted).
    """
    margin = df["net_profit"].fillna(0) / df["window_years"]
    out = pd.DataFrame(index=df.index)
    out["clv"] = discounted_margin_clv(
        margin, 1 - df["churn_prob"].fillna(0.5), params.discount_rate, params.clv_horizon_years
    )
    out["clv_model"] = "discounted_margin"
    out["clv_fallback_reason"] = pd.Series(None, index=df.index, dtype=object)
    out["p_alive"] = np.nan
    repeat = ~df["channel"].isin(CONTRACT_CHANNELS)
    used = ["first_order_ever", "last_order_ever", "order_weeks_ever", "order_weeks_window", "gross_profit"]
    summary = repeat_buyer_summary(df.loc[repeat, used], as_of)  # not every scorecard column: a 100k-row copy
    out.loc[repeat & ~df.index.isin(summary.index), "clv_fallback_reason"] = "no_order_history"
    if len(summary) < params.min_accounts_bgnbd:
        log.info(
            "CLV: %d repeat-order accounts, BG/NBD needs %d: discounted margin", len(summary), params.min_accounts_bgnbd
        )
        out.loc[summary.index, "clv_fallback_reason"] = "too_few_accounts"
        return out
    return _model_values(out, df, summary, params, model or BgNbdGammaGamma())


def _model_values(
    out: pd.DataFrame, df: pd.DataFrame, summary: pd.DataFrame, params: Params, model: RepeatBuyerModel
) -> pd.DataFrame:
    """``out`` with BG/NBD (+ Gamma-Gamma) values where the model gives one, and the reasons where not."""
    from kam_core.analytics.repeat_buyer import FitError

    try:
        fitted = model.fit(summary)
        p_alive = fitted.p_alive(summary)
        ok = summary[summary["monetary_value"] > 0]
        d_month = (1 + params.discount_rate) ** (1 / 12) - 1
        gp_clv = fitted.clv(ok, params.clv_months_bgnbd, d_month)
    except FitError as exc:
        log.warning("CLV falls back to discounted margin for %d accounts: %s", len(summary), exc)
        out.loc[summary.index, "clv_fallback_reason"] = exc.reason
        return out
    except Exception:  # noqa: BLE001 - an unforeseen failure: logged with its traceback and shown as data health
        log.exception("CLV: the repeat-buyer model failed; discounted margin for %d accounts", len(summary))
        out.loc[summary.index, "clv_fallback_reason"] = "fit_error"
        return out
    out.loc[summary.index.difference(ok.index), "clv_fallback_reason"] = "no_margin"
    finite = np.isfinite(gp_clv.to_numpy(dtype=float))
    if not finite.all():
        log.warning("CLV: %d accounts' BG/NBD value is not finite: discounted margin", int((~finite).sum()))
        out.loc[ok.index[~finite], "clv_fallback_reason"] = "not_finite"
        ok, gp_clv = ok[finite], gp_clv[finite]
    gp = df.loc[ok.index, "gross_profit"]
    net_ratio = (df.loc[ok.index, "net_profit"] / gp.where(gp > 0)).clip(-1, 1).fillna(0)
    out.loc[ok.index, "clv"] = gp_clv * net_ratio
    gg_reason = getattr(fitted, "gg_reason_", None)
    out.loc[ok.index, "clv_model"] = "bgnbd_gg" if gg_reason is None else "bgnbd"
    out.loc[ok.index, "clv_fallback_reason"] = gg_reason
    out.loc[p_alive.index, "p_alive"] = p_alive.round(3)
    return out


def clv_health_items(clv: pd.DataFrame, params: Params) -> list[dict]:
    """Data-health items for the repeat-order accounts not valued by BG/NBD + Gamma-Gamma, one per reason:
    ``{"code": "clv_fallback", "reason": code, "accounts": n, "needed": params.min_accounts_bgnbd}``."""
    if "clv_fallback_reason" not in clv:
        return []
    counts = clv["clv_fallback_reason"].dropna().value_counts()
    return [
        {
            "code": "clv_fallback",
            "reason": str(reason),
            "accounts": int(counts[reason]),
            "needed": int(params.min_accounts_bgnbd),
        }
        for reason in (*MODEL_REASONS, *ACCOUNT_REASONS)
        if reason in counts.index
    ]


def describe_clv_item(item: dict, lang: str) -> str:
    """The sentence of one :func:`clv_health_items` item in ``lang``."""
    from kam_core.i18n import t

    reason = str(item.get("reason"))
    key = (
        f"analytics.clv.health.{reason}"
        if reason in (*MODEL_REASONS, *ACCOUNT_REASONS)
        else "analytics.clv.health.other"
    )
    return t(key, lang, accounts=item.get("accounts", "–"), needed=item.get("needed", "–"), reason=reason)
