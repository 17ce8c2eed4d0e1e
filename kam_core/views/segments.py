"""Segment summaries: value-type profiles and ABC (Pareto) per channel tier."""

from __future__ import annotations

import pandas as pd

from kam_core.analytics.prototypes import FEATURES
from kam_core.vocab import VALUE_TYPES


def compute_type_profiles(scorecard: pd.DataFrame, features: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per value type: accounts, share of net sales, median sales and profit, mean confidence,
    and the median of each Rackham feature (when ``features`` has them, joined on account_id).

    Untyped accounts (value_type missing) are left out.
    """
    typed = scorecard[scorecard["value_type"].isin(VALUE_TYPES)]
    if features is not None and not features.empty and "account_id" in features:
        cols = ["account_id", *[f for f in FEATURES if f in features and f not in typed]]
        typed = typed.merge(features[cols], on="account_id", how="left")
    total = scorecard["net_sales"].clip(lower=0).sum()
    grouped = typed.groupby("value_type")
    out = pd.DataFrame(
        {
            "accounts": grouped.size(),
            "sales_share": grouped["net_sales"].sum().clip(lower=0) / total if total > 0 else 0.0,
            "median_net_sales": grouped["net_sales"].median(),
            "median_net_profit": grouped["net_profit"].median(),
            "mean_confidence": grouped["value_type_confidence"].mean(),
        }
    )
    for f in FEATURES:
        if f in typed:
            out[f] = grouped[f].median()
    return out.reindex([t for t in VALUE_TYPES if t in out.index]).reset_index()


def compute_abc_summary(scorecard: pd.DataFrame, column: str = "abc_class", value: str = "net_sales") -> pd.DataFrame:
    """Per channel tier and overall: accounts, A accounts, share of accounts in A (Pareto ratio) and
    A's share of the tier's ``value`` ("18% of KA accounts = 80% of KA sales").

    ``column`` holds the classes (another ABC basis: ``abc_class_cases``, ``abc_class_profit``) and ``value``
    the figure they rank (``volume_cases``, ``net_profit``); rows without a class are left out."""
    scorecard = scorecard[scorecard[column].notna()]
    df = scorecard.assign(abc_class=scorecard[column], _a=scorecard[column].eq("A"))
    df = df.assign(_sales=pd.to_numeric(df[value], errors="coerce").fillna(0).clip(lower=0))
    df = df.assign(_a_sales=df["_sales"].where(df["_a"], 0.0))

    def summarise(g: pd.DataFrame) -> pd.Series:
        sales = g["_sales"].sum()
        return pd.Series(
            {
                "accounts": len(g),
                "a_accounts": int(g["_a"].sum()),
                "a_account_share": g["_a"].mean() if len(g) else 0.0,
                "a_sales_share": g["_a_sales"].sum() / sales if sales > 0 else 0.0,
                "b_accounts": int(g["abc_class"].eq("B").sum()),
                "c_accounts": int(g["abc_class"].eq("C").sum()),
            }
        )

    per = df.groupby("channel")[["_a", "_sales", "_a_sales", "abc_class"]].apply(summarise)
    overall = summarise(df).to_frame("all").T
    out = pd.concat([per, overall])
    out.index.name = "channel"
    return out.reset_index()
