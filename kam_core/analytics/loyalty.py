"""Loyalty index (METHODS.md §4.1), the high-volume / low-loyalty flag (§4.2) and churn probability (§4.4)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kam_core.analytics.params import Params

COMPONENTS = ("sow", "exclusivity", "regularity", "tenure_years", "satisfaction")
COMPONENT_WORDS = {"sow": "share of wallet", "exclusivity": "exclusivity", "regularity": "order regularity",
                   "tenure_years": "tenure", "satisfaction": "satisfaction (NPS)"}


def _pct(values: pd.Series, group: pd.Series) -> pd.Series:
    """Percentile rank in (0, 1] within group, ties averaged; NaN stays NaN."""
    return values.groupby(group).rank(pct=True, method="average")


def compute_loyalty(df: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Loyalty score 0-100 = weighted mean of within-channel percentile ranks of the observed components.

    Missing components drop out and the weights renormalise; ``loyalty_basis`` says "based on k/5 components".
    Where at most two components are observed (an ERP-only database: tenure and regularity), recency
    (``recency_days``, fewer is better) and order frequency (``orders_per_year``) stand in, RFM-style, at the
    regularity weight each. ``df`` needs channel and the :data:`COMPONENTS` columns (satisfaction = NPS 0-10).
    """
    weights = dict(zip(COMPONENTS, params.loyalty_weights, strict=True))
    pr = pd.DataFrame({f"pr_{c}": _pct(df[c], df["channel"]) for c in COMPONENTS}, index=df.index)
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
    out["loyalty_basis"] = [f"based on {n}/{len(COMPONENTS)} components" + (" + recency and frequency" if r else "")
                            for n, r in zip(k, rfm, strict=True)]
    return out


def _reasons(df: pd.DataFrame) -> list[list[str]]:
    """Per account, the three lowest-percentile loyalty components in words (vectorised over accounts)."""
    pr = df[[f"pr_{c}" for c in COMPONENTS]].to_numpy(dtype=float)
    vals = df[list(COMPONENTS)].to_numpy(dtype=float)
    order = np.argsort(np.where(np.isnan(pr), np.inf, pr), axis=1, kind="stable")[:, :3]
    channels = df["channel"].astype(str).to_numpy()
    out = []
    for i in range(len(df)):
        items = []
        for j in order[i]:
            if np.isnan(pr[i, j]):
                continue
            c, v = COMPONENTS[j], vals[i, j]
            shown = f"{v:.0%}" if c in ("sow", "exclusivity", "regularity") else f"{v:.1f}"
            items.append(f"{COMPONENT_WORDS[c]} {shown} (percentile {pr[i, j] * 100:.0f} in {channels[i]})")
        out.append(items)
    return out


def flag_hvll(df: pd.DataFrame, params: Params) -> pd.DataFrame:
    """High-volume / low-loyalty flag with the hybrid rule of METHODS.md §4.2 and its reasons.

    HV = volume percentile in channel ≥ ``hv_pct``; LL = loyalty percentile ≤ ``ll_pct`` and an absolute guard
    (SOW < ``ll_sow`` or exclusivity = 0 or regularity < ``ll_regularity``); plus tenure and order-count floors.
    """
    vol_pct = _pct(df["volume_cases"], df["channel"])
    l_pct = _pct(df["loyalty_score"], df["channel"])
    guard = (df["sow"] < params.ll_sow) | (df["exclusivity"] == 0) | (df["regularity"] < params.ll_regularity)
    flag = ((vol_pct >= params.hv_pct) & (l_pct <= params.ll_pct) & guard
            & (df["tenure_years"] >= params.hvll_min_tenure) & (df["n_orders"].fillna(0) >= params.hvll_min_orders))
    out = pd.DataFrame(index=df.index)
    out["volume_pct"] = vol_pct.round(3)
    out["loyalty_pct"] = l_pct.round(3)
    out["high_volume_low_loyalty"] = flag.fillna(False).astype(bool)
    out["hvll_severity"] = (vol_pct * (1 - l_pct)).round(3)
    out["loyalty_reasons"] = _reasons(df)
    out["hvll_reasons"] = [r if f else [] for r, f in zip(out["loyalty_reasons"], out["high_volume_low_loyalty"],
                                                          strict=True)]
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
    return pd.DataFrame({"overdue_ratio": overdue.round(2), "churn_prob": p.round(3),
                         "churn_model": np.where(contractual, "contract_heuristic", "recency")}, index=df.index)
