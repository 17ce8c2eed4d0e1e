"""Value-type features (docs/METHODS.md §1, exact definitions in the generator contract) and loyalty inputs.

Inputs are the per-account aggregates from the SQL layer; nothing here reads order lines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kam_core.analytics.window import Window
from kam_core.vocab import VALUE_TYPE_FEATURES as FEATURES

MIN_PRICE_MONTHS = 6


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return num / den.where(den > 0)


def compute_price_sensitivity(monthly: pd.DataFrame) -> pd.Series:
    """−slope of log(monthly cases) on log(monthly net price per case), per account.

    Needs ≥ 6 months with positive cases and sales and some price variation; otherwise NaN.
    """
    m = monthly[(monthly["cases"] > 0) & (monthly["net_sales"] > 0)]
    if m.empty:
        return pd.Series(dtype=float, name="price_sensitivity")
    x = np.log(m["net_sales"].astype(float) / m["cases"].astype(float))
    y = np.log(m["cases"].astype(float))
    g = pd.DataFrame({"account_id": m["account_id"], "x": x, "y": y, "xx": x * x, "xy": x * y})
    s = g.groupby("account_id").agg(
        n=("x", "size"), sx=("x", "sum"), sy=("y", "sum"), sxx=("xx", "sum"), sxy=("xy", "sum")
    )
    var = s["sxx"] - s["sx"] ** 2 / s["n"]
    cov = s["sxy"] - s["sx"] * s["sy"] / s["n"]
    ok = (s["n"] >= MIN_PRICE_MONTHS) & (var > 1e-10)
    return (-cov / var.where(ok)).rename("price_sensitivity")


def compute_tenure(m: pd.DataFrame, as_of) -> pd.Series:
    """Years since the earliest of first_order_date, contract_start and the first order on record."""
    cols = [c for c in ("first_order_date", "contract_start", "first_order_ever") if c in m]
    first = pd.concat([pd.to_datetime(m[c], errors="coerce") for c in cols], axis=1).min(axis=1)
    return ((pd.Timestamp(as_of) - first).dt.days / 365.25).clip(lower=0).rename("tenure_years")


def compute_value_features(
    m: pd.DataFrame,
    monthly: pd.DataFrame,
    w: Window,
    *,
    tenure: pd.Series | None = None,
    exclusivity: pd.Series | None = None,
) -> pd.DataFrame:
    """The 11 value-type features per account (NaN where the input is missing).

    Parameters
    ----------
    m
        Per-account metrics indexed by account_id (sales, visits, service, contacts, co-investment,
        competitors, category volume, account flags).
    monthly
        account_id, month, cases, net_sales rows for the window.
    w
        The analysis window (for per-year rates and tenure).
    tenure, exclusivity
        :func:`compute_tenure` and :func:`compute_exclusivity` of ``m`` when the caller has computed them
        already (the scorecard does); computed here when None.

    Returns
    -------
    DataFrame
        account_id, tier_code and the columns of :data:`FEATURES`.
    """
    g = m.reindex(
        columns=sorted(
            {  # only the inputs read below (the scorecard frame has ~110 columns)
                "pos_cases",
                "promo_cases",
                "premium_cases",
                "visit_minutes",
                "service_minutes",
                "advice_visits",
                "advice_service_events",
                "co_invest_theirs",
                "co_invest_ours",
                "contact_levels",
                "competitor_brands",
                "category_cases",
                "volume_cases",
                "net_sales",
            }
            | ({"exclusive_agreement"} & set(m.columns))
        )
    )
    out = pd.DataFrame(index=m.index)
    out["tier_code"] = m["channel"]
    out["promo_share"] = _ratio(g["promo_cases"], g["pos_cases"])
    out["price_sensitivity"] = compute_price_sensitivity(monthly).reindex(m.index)
    out["competitor_brands"] = g["competitor_brands"]
    minutes = g["visit_minutes"].fillna(0) + g["service_minutes"].fillna(0)
    minutes = minutes.where(g["visit_minutes"].notna() | g["service_minutes"].notna())
    out["service_min_per_10k"] = _ratio(minutes, g["net_sales"] / 10_000)
    advice = g["advice_visits"].fillna(0) + g["advice_service_events"].fillna(0)
    out["advice_events"] = (advice / w.years).where(g["advice_visits"].notna() | g["advice_service_events"].notna())
    out["premium_mix"] = _ratio(g["premium_cases"], g["pos_cases"])
    out["tenure_years"] = compute_tenure(m, w.end) if tenure is None else tenure
    theirs, ours = g["co_invest_theirs"].fillna(0), g["co_invest_ours"].fillna(0)
    out["co_invest_ratio"] = (theirs / (theirs + ours).where(theirs + ours > 0)).fillna(0.0)
    out["contact_levels"] = g["contact_levels"]
    out["exclusivity"] = compute_exclusivity(g) if exclusivity is None else exclusivity
    out["data_sharing"] = (m["data_sharing"].astype(bool) | m["jbp_in_place"].astype(bool)).astype(float)
    return out.reset_index()[["account_id", "tier_code", *FEATURES]]


def compute_sow(g: pd.DataFrame) -> pd.Series:
    """Share of wallet: our cases ÷ estimated total beer cases of the account (capped at 1)."""
    return _ratio(g["volume_cases"].clip(lower=0), g["category_cases"]).clip(upper=1.0).rename("sow")


def compute_exclusivity(g: pd.DataFrame) -> pd.Series:
    """Our share of the account's beer volume (capped at 1); 1 under an exclusive agreement."""
    sow = compute_sow(g)
    excl = g["exclusive_agreement"].fillna(False).astype(bool) if "exclusive_agreement" in g else False
    return sow.mask(excl, 1.0).rename("exclusivity")


def compute_regularity(rhythm: pd.DataFrame, min_orders: int = 4) -> pd.DataFrame:
    """Regularity = 1 − min(1, CV of inter-order days) (≥ ``min_orders`` order days) and the mean gap."""
    n = rhythm["n_gaps"].astype(float)
    mean = rhythm["gap_sum"] / n.where(n > 0)
    var = (rhythm["gap_sq"] - rhythm["gap_sum"] ** 2 / n.where(n > 0)) / (n - 1).where(n > 1)
    cv = np.sqrt(var.clip(lower=0)) / mean.where(mean > 0)
    reg = (1 - cv.clip(upper=1)).where(n + 1 >= min_orders)
    return pd.DataFrame({"regularity": reg, "ipt_cv": cv, "mean_ipt_days": mean}, index=rhythm.index)
