"""Overview figures: headline KPIs with concentration, top movers and what changed between two periods."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kam_core.vocab import PYRAMID_TIERS

TIER_RANK = {tier: rank for rank, tier in enumerate(PYRAMID_TIERS)}


@dataclass(frozen=True)
class Kpis:
    """Headline figures of a set of accounts (money in RMB)."""

    n_accounts: int
    net_sales: float
    gross_profit: float
    net_profit: float
    key_accounts: int
    top20_sales_share: float | None  # share of net sales from the top 20% of accounts by sales
    hhi: float | None  # Herfindahl index of sales shares, 0..1 (1 = one account has everything)
    at_risk: int  # high volume, low loyalty
    diverting: int


def count_orders(scorecard: pd.DataFrame) -> int:
    """Orders in the scorecard's period (``n_orders``; without that column, accounts with non-zero sales).

    Zero means the period has no sales at all, so its KPIs, movers and changes would describe nothing.

    Examples
    --------
    >>> count_orders(pd.DataFrame({"n_orders": [0, None, 3]})), count_orders(pd.DataFrame({"net_sales": [0.0]}))
    (3, 0)
    """
    if "n_orders" in scorecard:
        return int(pd.to_numeric(scorecard["n_orders"], errors="coerce").fillna(0).sum())
    if "net_sales" in scorecard:
        return int((pd.to_numeric(scorecard["net_sales"], errors="coerce").fillna(0) != 0).sum())
    return 0


def compute_kpis(scorecard: pd.DataFrame) -> Kpis:
    """Headline KPIs of a scorecard (already filtered).

    Examples
    --------
    >>> df = pd.DataFrame({"net_sales": [80.0, 20.0], "gross_profit": [30.0, 5.0], "net_profit": [20.0, -1.0],
    ...                    "key_account": [True, False], "high_volume_low_loyalty": [False, True],
    ...                    "diversion_flag": [False, False]})
    >>> k = compute_kpis(df)
    >>> (k.top20_sales_share, round(k.hhi, 2), k.at_risk)
    (0.8, 0.68, 1)
    """
    for col in ("net_sales", "gross_profit", "net_profit"):
        if col not in scorecard:
            raise ValueError(f"Required column {col} missing")
    n = len(scorecard)
    sales = scorecard["net_sales"].fillna(0).clip(lower=0).sort_values(ascending=False).to_numpy()
    total = float(sales.sum())
    top20 = hhi = None
    if n and total > 0:
        k = int(np.ceil(0.2 * n))
        top20 = float(sales[:k].sum() / total)
        hhi = float(((sales / total) ** 2).sum())
    flag = lambda c: int(scorecard[c].fillna(False).astype(bool).sum()) if c in scorecard else 0  # noqa: E731
    return Kpis(
        n,
        float(scorecard["net_sales"].sum()),
        float(scorecard["gross_profit"].sum()),
        float(scorecard["net_profit"].sum()),
        flag("key_account"),
        top20,
        hhi,
        flag("high_volume_low_loyalty"),
        flag("diversion_flag"),
    )


def compute_movers(before: pd.DataFrame, now: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The accounts whose net sales rose and fell most between two periods.

    Returns account_id, name, channel, net_sales_before, net_sales_now, change, direction ("up"/"down"),
    at most ``n`` of each, biggest change first. Accounts new in ``now`` count from 0.
    """
    cols = ["account_id", "name", "channel", "net_sales_before", "net_sales_now", "change", "direction"]
    if now.empty:
        return pd.DataFrame(columns=cols)
    prev = before.set_index("account_id")["net_sales"] if not before.empty else pd.Series(dtype=float)
    out = now[["account_id", "name", "channel", "net_sales"]].rename(columns={"net_sales": "net_sales_now"})
    out["net_sales_before"] = out["account_id"].map(prev).fillna(0.0)
    out["change"] = out["net_sales_now"] - out["net_sales_before"]
    ups = out[out["change"] > 0].sort_values(["change", "account_id"], ascending=[False, True]).head(n)
    downs = out[out["change"] < 0].sort_values(["change", "account_id"], ascending=[True, True]).head(n)
    res = pd.concat([ups.assign(direction="up"), downs.assign(direction="down")], ignore_index=True)
    return res[cols]


def _flag(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame:
        return pd.Series(False, index=frame.index)
    return frame[col].fillna(False).astype(bool)


def compute_changes(before: pd.DataFrame, now: pd.DataFrame) -> pd.DataFrame:
    """What changed since the last review: pyramid-tier moves and flags that are new this period.

    Returns one row per change: account_id, name, change (tier_up, tier_down, new_hvll, new_diversion,
    new_key_account), before, after — tier moves first (biggest jumps first), then new flags.
    Only accounts present in ``now`` are listed; an account absent before counts as unflagged.
    """
    cols = ["account_id", "name", "change", "before", "after"]
    if now.empty:
        return pd.DataFrame(columns=cols)
    prev = before.set_index("account_id") if not before.empty else pd.DataFrame(index=pd.Index([], name="account_id"))
    cur = now.set_index("account_id")
    rows = []
    if "pyramid_tier" in cur and "pyramid_tier" in prev:
        tiers = pd.DataFrame({"before": prev["pyramid_tier"], "after": cur["pyramid_tier"]}).dropna()
        step = tiers["before"].map(TIER_RANK) - tiers["after"].map(TIER_RANK)
        moves = step.fillna(0) != 0
        # size from the moved rows only: assigning the full Series to an empty frame would adopt its index
        moved = tiers[moves].assign(change=np.where(step[moves] > 0, "tier_up", "tier_down"), size=step[moves].abs())
        rows.append(moved.sort_values(["size"], ascending=False, kind="mergesort").drop(columns="size"))
    for col, kind in (
        ("high_volume_low_loyalty", "new_hvll"),
        ("diversion_flag", "new_diversion"),
        ("key_account", "new_key_account"),
    ):
        was = _flag(prev, col).reindex(cur.index, fill_value=False)
        new = cur.index[_flag(cur, col) & ~was]
        rows.append(pd.DataFrame({"change": kind, "before": False, "after": True}, index=new))
    out = pd.concat(rows) if rows else pd.DataFrame(columns=cols[2:])
    out.index.name = "account_id"
    out = out.reset_index()
    out["name"] = out["account_id"].map(cur["name"])
    return out[cols].reset_index(drop=True)
