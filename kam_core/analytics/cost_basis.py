"""Cost coverage per account: how much of its net sales has a known cost, and which profit figures that allows.

An ERP file without a cost column (or lines without a unit cost on products without a standard cost) gives
lines whose cost is unknown (:func:`kam_core.queries.metrics.fetch_uncosted_sales`). Counting them at cost
0 made a 100% gross margin. Per account:

``cost_coverage`` = 1 − uncosted sales ÷ net sales (clipped to 0-1; with net sales ≤ 0: 1 without uncosted
lines, else 0). ``cost_basis`` is

- ``known``: no line with an unknown cost in the window (coverage 1);
- ``partial``: coverage ≥ :data:`MIN_COST_COVERAGE`; the figures are shown but marked, and overstate the
  margin by the cost of the uncosted lines;
- ``none``: coverage below :data:`MIN_COST_COVERAGE`; gross profit, net profit, CLV, pyramid tier and
  profit ABC class are withheld (null), and the account is left out of the pyramid, profit ABC ranking and
  the whale curve of the others.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MIN_COST_COVERAGE = 0.5  # below half of net sales with a known cost, profit figures are withheld
KNOWN, PARTIAL, NONE = "known", "partial", "none"
WITHHELD = ("cogs", "gross_profit", "net_profit", "clv", "pyramid_tier", "abc_class_profit", "key_account_profit")


def compute_cost_basis(net_sales: pd.Series, uncosted_sales: pd.Series, uncosted_lines: pd.Series) -> pd.DataFrame:
    """``cost_coverage`` (0-1) and ``cost_basis`` (known | partial | none) per account.

    Examples
    --------
    >>> out = compute_cost_basis(pd.Series([100.0, 100.0, 100.0]), pd.Series([0.0, 20.0, 75.0]),
    ...                          pd.Series([0, 1, 3]))
    >>> out["cost_coverage"].tolist(), out["cost_basis"].tolist()
    ([1.0, 0.8, 0.25], ['known', 'partial', 'none'])
    """
    ns = pd.to_numeric(net_sales, errors="coerce").fillna(0.0)
    unc = pd.to_numeric(uncosted_sales, errors="coerce").fillna(0.0)
    lines = pd.to_numeric(uncosted_lines, errors="coerce").fillna(0)
    cov = (1 - unc / ns.where(ns > 0)).clip(0.0, 1.0)
    cov = cov.fillna(pd.Series(np.where(lines > 0, 0.0, 1.0), index=ns.index))
    cov = cov.where(lines > 0, 1.0)  # exactly 1 without any uncosted line (no rounding of 1 − 0/x)
    basis = np.select([lines <= 0, cov + 1e-12 >= MIN_COST_COVERAGE], [KNOWN, PARTIAL], NONE)
    return pd.DataFrame({"cost_coverage": cov.astype(float), "cost_basis": basis.astype(object)}, index=ns.index)


def withhold_profit(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the :data:`WITHHELD` figures null where ``cost_basis`` is ``none``."""
    none = df["cost_basis"].eq(NONE)
    if not none.any():
        return df
    new = {}
    for col in (c for c in WITHHELD if c in df):
        numeric = pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col])
        new[col] = df[col].astype(float).mask(none) if numeric else df[col].astype(object).mask(none, None)
    # one concat instead of a column assignment each (the scorecard frame has ~180 columns)
    return pd.concat([df.drop(columns=list(new)), pd.DataFrame(new, index=df.index)], axis=1)[list(df.columns)]


def cost_health(df: pd.DataFrame) -> list[dict]:
    """A data-health item when some accounts' profit figures rest on partial or no cost data."""
    if "cost_basis" not in df or df.empty:
        return []
    counts = df["cost_basis"].value_counts()
    partial, none = int(counts.get(PARTIAL, 0)), int(counts.get(NONE, 0))
    if not partial and not none:
        return []
    return [
        {
            "code": "cost_unknown",
            "none": none,
            "partial": partial,
            "accounts": len(df),
            "min_coverage": MIN_COST_COVERAGE,
        }
    ]


def one_tier_health(accounts: pd.DataFrame) -> list[dict]:
    """A data-health item when every scored account is in one channel tier and was created by an ERP import.

    The import puts accounts without a ``channel`` value in RETAIL, so such a database ranks every account
    (size tier, ABC, pyramid) against all others as one channel, which may not be what the brewer sells through.
    """
    if accounts.empty or "channel" not in accounts or "created_source" not in accounts:
        return []
    tiers = accounts["channel"].dropna().unique()
    if len(tiers) != 1 or not accounts["created_source"].eq("erp").all():
        return []
    return [{"code": "one_tier_from_erp", "tier": str(tiers[0]), "accounts": len(accounts)}]
