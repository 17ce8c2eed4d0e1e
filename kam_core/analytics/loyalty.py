"""Loyalty index (docs/METHODS.md §4.1), the high-volume / low-loyalty flag (§4.2) and churn probability (§4.4)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kam_core.analytics.bulk import collector_paused, split_flat
from kam_core.analytics.params import Params
from kam_core.i18n.reasons import describe_loyalty_reasons, loyalty_reason_texts  # noqa: F401 (re-exported)
from kam_core.vocab import LOYALTY_COMPONENTS as COMPONENTS


def _pct(values: pd.Series, group: pd.Series) -> pd.Series:
    """Percentile rank in (0, 1] within group, ties averaged; NaN stays NaN."""
    return values.groupby(group).rank(pct=True, method="average")


def _components(df: pd.DataFrame) -> pd.DataFrame:
    """The :data:`COMPONENTS` columns of ``df`` as floats, NaN for a column it does not have."""
    return pd.DataFrame(
        {c: pd.to_numeric(df[c], errors="coerce") if c in df else np.nan for c in COMPONENTS}, index=df.index
    ).astype(float)


def compute_loyalty(df: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Loyalty score 0-100 = weighted mean of within-channel percentile ranks of the observed components.

    Missing components drop out and the weights renormalise; ``loyalty_basis`` says "based on k/5 components".
    Where at most two components are observed (an ERP-only database: tenure and regularity), recency
    (``recency_days``, fewer is better) and order frequency (``orders_per_year``) stand in, RFM-style, at the
    regularity weight each. ``df`` needs channel and the :data:`COMPONENTS` columns (satisfaction = NPS 0-10);
    a missing component column counts as not observed (a frame without ``capability_score``: no assessment).
    """
    weights = dict(zip(COMPONENTS, params.loyalty_weights, strict=True))
    comp = _components(df)
    pr = pd.DataFrame({f"pr_{c}": _pct(comp[c], df["channel"]) for c in COMPONENTS}, index=df.index)
    w = pd.DataFrame({c: np.where(pr[f"pr_{c}"].notna(), weights[c], 0.0) for c in COMPONENTS}, index=df.index)
    k = (w > 0).sum(axis=1).astype(int)
    num = sum(pr[f"pr_{c}"].fillna(0) * w[c] for c in COMPONENTS)
    den = w.sum(axis=1)
    rfm = (k <= 2) & ("recency_days" in df) & ("orders_per_year" in df)
    if rfm.any():
        for name, values in (("recency", -df["recency_days"]), ("frequency", df["orders_per_year"])):
            p = _pct(values, df["channel"]).where(rfm)
            pr[f"pr_{name}"] = p
            num = num + p.fillna(0) * weights["regularity"]
            den = den + np.where(p.notna(), weights["regularity"], 0.0)
    out = pr.copy()
    out["loyalty_components"] = k
    out["loyalty_score"] = (100 * num / den.where(den > 0)).round(1)
    basis = np.array(
        [
            f"based on {n}/{len(COMPONENTS)} components" + (" + recency and frequency" if r else "")
            for n in range(len(COMPONENTS) + 1)
            for r in (False, True)
        ],
        dtype=object,
    )
    out["loyalty_basis"] = basis[2 * k.to_numpy() + rfm.to_numpy(dtype=int)].tolist()
    return out


def _weakest(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The three lowest-percentile observed components per account, weakest first, flattened account by account:
    component index, value and percentile 0-100 of each item, and the number of items of each account."""
    pr = df.reindex(columns=[f"pr_{c}" for c in COMPONENTS]).to_numpy(dtype=float)  # an absent one: unobserved
    vals = _components(df).to_numpy(dtype=float)
    order = np.argsort(np.where(np.isnan(pr), np.inf, pr), axis=1, kind="stable")[:, :3]
    p = np.take_along_axis(pr, order, axis=1)
    seen = ~np.isnan(p)  # NaN: the component is not observed
    return order[seen], np.take_along_axis(vals, order, axis=1)[seen], p[seen] * 100, seen.sum(axis=1)


def _profit_pct(df: pd.DataFrame) -> pd.Series:
    """Percentile of net profit within channel among the accounts with cost data (NaN without it)."""
    if "net_profit" not in df:
        return pd.Series(np.nan, index=df.index)
    profit = pd.to_numeric(df["net_profit"], errors="coerce")
    if "cost_basis" in df:
        profit = profit.where(df["cost_basis"].ne("none"))
    return _pct(profit, df["channel"])


def flag_hvll(df: pd.DataFrame, params: Params) -> pd.DataFrame:
    """High-volume / low-loyalty flag with the hybrid rule of docs/METHODS.md §4.2 and its reasons.

    ``loyalty_reasons`` (every account) and ``hvll_reasons`` (flagged accounts) are English sentences;
    ``hvll_reason_items`` holds the same reasons as structured items (component, value, percentile, channel)
    for :func:`describe_loyalty_reasons` to write in the reader's language.

    HV ("big in volume or profit", docs/methods_key_accounts.md §4) = volume percentile in channel ≥ ``hv_pct``
    OR net-profit percentile in channel (among accounts with cost data) ≥ ``hv_pct``; ``hv_basis`` says which
    (volume | profit | both). LL = loyalty percentile ≤ ``ll_pct`` and an absolute guard (SOW < ``ll_sow`` or
    exclusivity = 0 or regularity < ``ll_regularity``); plus tenure and order-count floors. Severity =
    max(volume percentile, profit percentile) × (1 − loyalty percentile).
    """
    vol_pct = _pct(df["volume_cases"], df["channel"])
    profit_pct = _profit_pct(df)
    l_pct = _pct(df["loyalty_score"], df["channel"])
    hv_vol, hv_profit = vol_pct >= params.hv_pct, profit_pct >= params.hv_pct
    guard = (df["sow"] < params.ll_sow) | (df["exclusivity"] == 0) | (df["regularity"] < params.ll_regularity)
    flag = (
        (hv_vol | hv_profit)
        & (l_pct <= params.ll_pct)
        & guard
        & (df["tenure_years"] >= params.hvll_min_tenure)
        & (df["n_orders"].fillna(0) >= params.hvll_min_orders)
    )
    out = pd.DataFrame(index=df.index)
    out["volume_pct"] = vol_pct.round(3)
    out["profit_pct"] = profit_pct.round(3)
    out["loyalty_pct"] = l_pct.round(3)
    out["high_volume_low_loyalty"] = flag.fillna(False).astype(bool)
    out["hv_basis"] = pd.Series(
        np.select([hv_vol & hv_profit, hv_vol, hv_profit], ["both", "volume", "profit"], None),  # type: ignore[call-overload]  # None: object array
        index=df.index,
    ).where(out["high_volume_low_loyalty"], None)
    out["hvll_severity"] = (np.fmax(vol_pct, profit_pct) * (1 - l_pct)).round(3)
    with collector_paused():  # three lists per account
        comp, value, pct, counts = _weakest(df)
        channel = df["channel"].astype(str).to_numpy(dtype=object).repeat(counts)
        reasons = split_flat(
            loyalty_reason_texts(comp, value, pct, channel, "en"), counts
        )  # the scorecard's texts are English
        out["loyalty_reasons"] = reasons
        flagged = out["high_volume_low_loyalty"].to_numpy()
        out["hvll_reasons"] = [r if f else [] for r, f in zip(reasons, flagged, strict=True)]
        mine = flagged.repeat(counts)  # structured items of the flagged accounts only
        names = np.asarray(COMPONENTS, dtype=object)[comp[mine]].tolist()
        items = [
            {"component": c, "value": v, "percentile": p, "channel": ch}
            for c, v, p, ch in zip(names, value[mine].tolist(), pct[mine].tolist(), channel[mine].tolist(), strict=True)
        ]
        out["hvll_reason_items"] = split_flat(items, np.where(flagged, counts, 0))
    return out


def estimate_churn_heuristic(df: pd.DataFrame, as_of, params: Params) -> pd.DataFrame:
    """Churn probability without a fitted model.

    Non-contractual: a logistic curve of "overdue" = days since last order ÷ mean inter-order days
    (0.27 at 2× the usual gap, 0.73 at 3×; no order for ``churn_days`` with no rhythm → 0.73).
    Contractual: the same recency term, floored by 0.05 + 0.25 × (1 − loyalty/100), because renewal
    depends on the relationship as well as on the last order.
    """
    last = pd.to_datetime(df["last_order_ever"], errors="coerce")
    since = (pd.Timestamp(as_of) - last).dt.days.astype(float)
    gap = df["mean_ipt_days"].where(df["mean_ipt_days"] > 0, params.churn_days / 3)
    overdue = since / gap
    p = 1 / (1 + np.exp(-2.0 * (overdue - 2.5)))
    p = p.fillna(1.0)  # never ordered
    contractual = df["contract_type"].eq("contractual")
    floor = 0.05 + 0.25 * (1 - df["loyalty_score"].fillna(50) / 100)
    p = p.where(~contractual, np.maximum(p, floor))
    return pd.DataFrame(
        {
            "overdue_ratio": overdue.round(2),
            "churn_prob": p.round(3),
            "churn_model": np.where(contractual, "contract_heuristic", "recency"),
        },
        index=df.index,
    )
