"""Customer pyramid, size tiers, ABC classes, key and potential key accounts, whale curve, migration.

All ranks are within channel tier; ties are broken by account_id so results do not depend on row order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kam_core.vocab import PYRAMID_TIERS as PYRAMID
from kam_core.vocab import SIZE_TIERS

# ABC basis name → scorecard column (docs/methods_key_accounts.md §2)
ABC_BASES = {"sales": "net_sales", "cases": "volume_cases", "profit": "net_profit"}
KEY_BASES = ("sales", "profit", "both")  # why a key account is key


def _check(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """``df`` restricted to ``cols`` (the scorecard has ~180 columns: copying them all per label is slow)."""
    missing = [c for c in cols if c not in df]
    if missing:
        raise ValueError(f"Required column(s) {missing} missing")
    return df[list(dict.fromkeys(cols))]


def _rank_desc(df: pd.DataFrame, value: str, group: str) -> pd.DataFrame:
    """Rows sorted by group, value descending, account_id ascending, with rank (1-based) and group size."""
    s = df[[group, value, "account_id"]].copy()
    s = s.sort_values([group, value, "account_id"], ascending=[True, False, True], kind="mergesort")
    s["rank"] = s.groupby(group).cumcount() + 1
    s["n"] = s.groupby(group)[value].transform("size")
    return s


def label_pyramid(
    df: pd.DataFrame, value: str = "net_profit", group: str = "channel", platinum: float = 0.20, gold: float = 0.50
) -> pd.Series:
    """Platinum / gold / iron / lead per account (docs/METHODS.md §2.1).

    Lead ⇔ value ≤ 0 (or missing). Among positive accounts ranked by value, p = rank ÷ all accounts of
    the group: platinum p ≤ ``platinum``, gold p ≤ ``gold``, else iron.
    """
    df = _check(df, ["account_id", value, group])
    out = pd.Series("lead", index=df.index, dtype=object)
    df = df.assign(**{value: pd.to_numeric(df[value], errors="coerce")})
    pos = df[df[value] > 0]
    if not pos.empty:
        s = _rank_desc(pos, value, group)
        s["n"] = s[group].map(df.groupby(group).size())
        p = s["rank"] / s["n"]
        out.loc[s.index] = np.select([p <= platinum + 1e-12, p <= gold + 1e-12], ["platinum", "gold"], "iron")
    return out.rename("pyramid_tier")


def label_size_tier(
    df: pd.DataFrame,
    value: str = "net_sales",
    group: str = "channel",
    cuts: tuple[float, float, float] = (0.05, 0.20, 0.50),
) -> pd.Series:
    """VIP / major / ordinary / small by rank of ``value`` within group (top 5% / next 15% / next 30% / rest)."""
    df = _check(df, ["account_id", value, group])
    if df.empty:
        return pd.Series(dtype=object, name="size_tier")
    s = _rank_desc(df.assign(**{value: df[value].fillna(-np.inf)}), value, group)
    p = s["rank"] / s["n"]
    lab = np.select([p <= cuts[0] + 1e-12, p <= cuts[1] + 1e-12, p <= cuts[2] + 1e-12], list(SIZE_TIERS[:3]), "small")
    return pd.Series(lab, index=s.index, name="size_tier").reindex(df.index)


def label_abc(
    df: pd.DataFrame, value: str = "net_sales", group: str = "channel", cuts: tuple[float, float] = (0.80, 0.95)
) -> pd.Series:
    """ABC class per account: A while the cumulative share before it is < 80% (the crossing account is A).

    ``value`` is a column, or one of the :data:`ABC_BASES` names (``sales``, ``cases``, ``profit``).
    Negative values count as 0 (they cannot carry share). A group with no positive total is all C.
    """
    value = ABC_BASES.get(value, value)
    df = _check(df, ["account_id", value, group])
    if df.empty:
        return pd.Series(dtype=object, name="abc_class")
    v = pd.to_numeric(df[value], errors="coerce").fillna(0).clip(lower=0)
    s = _rank_desc(df.assign(**{value: v}), value, group)
    total = s.groupby(group)[value].transform("sum")
    share = s[value] / total.where(total > 0)
    before = share.groupby(s[group]).cumsum() - share
    lab = np.select([before < cuts[0] - 1e-12, before < cuts[1] - 1e-12], ["A", "B"], "C")
    lab = np.where(share.isna() | (s[value] <= 0), "C", lab)
    return pd.Series(lab, index=s.index, name="abc_class").reindex(df.index)


def compute_order_days_cut(
    df: pd.DataFrame, pct: float = 0.20, group: str = "channel", days: str = "order_days_window", min_group: int = 5
) -> pd.Series:
    """The group's ``pct`` quantile of order days in the window, per account (NaN for groups smaller than
    ``min_group``: a quantile of 3 accounts says nothing). Missing order days count as 0."""
    d = pd.to_numeric(_check(df, [days, group])[days], errors="coerce").fillna(0.0)
    cut = df[group].map(d.groupby(df[group]).quantile(pct))
    size = df[group].map(df.groupby(group).size())
    return cut.where(size >= min_group).astype(float).rename("abc_days_cut")


def flag_low_frequency(
    df: pd.DataFrame,
    pct: float = 0.20,
    group: str = "channel",
    days: str = "order_days_window",
    min_group: int = 5,
    cut: pd.Series | None = None,
) -> pd.Series:
    """Few order days: strictly below the group's ``pct`` quantile of order days in the window
    (:func:`compute_order_days_cut`, or ``cut`` when the caller has it already; docs/methods_key_accounts.md §3)."""
    d = pd.to_numeric(_check(df, [days, group])[days], errors="coerce").fillna(0.0)
    cut = compute_order_days_cut(df, pct, group, days, min_group) if cut is None else cut
    return (d < cut).fillna(False).astype(bool).rename("abc_low_frequency")


def apply_frequency_rule(classes: pd.Series, low_frequency: pd.Series) -> pd.Series:
    """ABC classes with every low-frequency account set to C (a missing class stays missing)."""
    return classes.where(~(low_frequency.reindex(classes.index, fill_value=False) & classes.notna()), "C")


def flag_key_accounts(sales_class: pd.Series, profit_class: pd.Series) -> pd.DataFrame:
    """Key accounts = the union of class A by sales and class A by profit within channel (the 80/80 rule).

    ``key_basis`` is ``sales``, ``profit`` or ``both`` (None for accounts that are not key). An account
    without a profit class (no cost data) can only be key by sales.
    """
    by_sales = sales_class.eq("A")
    by_profit = profit_class.reindex(sales_class.index).eq("A")
    basis = np.select([by_sales & by_profit, by_sales, by_profit], ["both", "sales", "profit"], None)  # type: ignore[call-overload]  # None: object array
    return pd.DataFrame(
        {
            "key_account_sales": by_sales,
            "key_account_profit": by_profit,
            "key_account": by_sales | by_profit,
            "key_basis": pd.Series(basis, index=sales_class.index, dtype=object),
        },
        index=sales_class.index,
    )


def flag_potential_key(
    df: pd.DataFrame, growth_pct: float = 0.80, group: str = "channel", capability_min: float | None = None
) -> pd.Series:
    """Potential key accounts: class B by sales, not already key, and one of two routes.

    - growth: growth ≥ the group's ``growth_pct`` percentile and sales projected one year ahead at that
      growth reach the smallest A account of the group;
    - capability: ``capability_score`` ≥ ``capability_min`` (the six capabilities of the profile card,
      :mod:`kam_core.analytics.capability`) and sales not shrinking (growth ≥ 0).

    Accounts without a capability index can only qualify by growth (neutral). ``key_account`` and
    ``capability_score`` are optional columns. docs/methods_key_accounts.md §5.
    """
    _check(df, ["abc_class", "growth", "net_sales", group])
    g = df["growth"]
    cut = g.groupby(df[group]).transform(lambda x: x.quantile(growth_pct) if x.notna().any() else np.nan)
    a_line = df["net_sales"].where(df["abc_class"] == "A").groupby(df[group]).transform("min")
    projected = df["net_sales"] * (1 + g.clip(lower=0))
    by_growth = ((g > 0) & (g >= cut) & (projected >= a_line)).fillna(False)
    by_capability = pd.Series(False, index=df.index)
    if capability_min is not None and "capability_score" in df:
        by_capability = ((df["capability_score"] >= capability_min) & (g >= 0)).fillna(False)
    key = df["key_account"].fillna(False).astype(bool) if "key_account" in df else False
    flag = (df["abc_class"] == "B") & ~key & (by_growth | by_capability)
    return flag.fillna(False).astype(bool).rename("potential_key")


@dataclass(frozen=True)
class WhaleSummary:
    """Whale-curve KPIs (docs/METHODS.md §2.4)."""

    n_accounts: int
    total_profit: float
    top20_share: float | None  # cumulative profit of the top 20% ÷ total (None when total ≤ 0)
    top20_profit: float
    peak_share: float | None
    share_negative: float
    tail_loss: float
    relative: bool  # False: plot absolute RMB because total profit ≤ 0


def compute_whale_curve(df: pd.DataFrame, value: str = "net_profit") -> tuple[pd.DataFrame, WhaleSummary]:
    """Whale-curve series (x = share of accounts, y = cumulative share of profit) and its KPIs."""
    _check(df, ["account_id", value])
    s = df[["account_id", value]].fillna({value: 0.0})
    s = s.sort_values([value, "account_id"], ascending=[False, True], kind="mergesort")
    n, total = len(s), float(s[value].sum())
    cum = s[value].cumsum().to_numpy()
    relative = total > 0
    curve = pd.DataFrame(
        {
            "account_id": s["account_id"].to_numpy(),
            "x": np.arange(1, n + 1) / max(n, 1),
            "cum_profit": cum,
            "y": cum / total if relative else cum,
        }
    )
    k20 = int(np.ceil(0.2 * n)) if n else 0
    top20 = float(cum[k20 - 1]) if k20 else 0.0
    summary = WhaleSummary(
        n_accounts=n,
        total_profit=total,
        top20_share=top20 / total if relative else None,
        top20_profit=top20,
        peak_share=float(cum.max()) / total if relative and n else None,
        share_negative=float((s[value] < 0).mean()) if n else 0.0,
        tail_loss=float(s.loc[s[value] < 0, value].sum()),
        relative=relative,
    )
    return curve, summary


def compute_tier_migration(before: pd.Series, after: pd.Series, order=PYRAMID) -> pd.DataFrame:
    """Movement matrix: rows = tier in the earlier period, columns = tier now (counts of accounts).

    Both series are indexed by account_id; accounts present in only one period appear as "new" / "gone".
    """
    both = pd.concat([before.rename("before"), after.rename("after")], axis=1)
    both = both.fillna({"before": "new", "after": "gone"})
    rows = [t for t in (*order, "new") if t in set(both["before"])]
    cols = [t for t in (*order, "gone") if t in set(both["after"])]
    return pd.crosstab(both["before"], both["after"]).reindex(index=rows, columns=cols, fill_value=0)
