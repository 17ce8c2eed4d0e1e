"""Key accounts and ABC on a chosen basis, as the Segments page and the review pack show them.

docs/methods_key_accounts.md: key accounts are the union of the 80% of sales and the 80% of profit per
channel tier (``key_basis``); ABC may be ranked by sales, cases or profit, and the frequency rule makes
accounts with few order days C on every basis.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# basis → (class column of the scorecard, the figure it ranks)
ABC_COLUMNS = {
    "sales": ("abc_class", "net_sales"),
    "cases": ("abc_class_cases", "volume_cases"),
    "profit": ("abc_class_profit", "net_profit"),
}
DEFAULT_ABC_BASIS = "sales"


def check_abc_basis(basis: str) -> str:
    """``basis`` when it is one of :data:`ABC_COLUMNS`.

    Raises
    ------
    ValueError
        For any other value (the page offers only the three).
    """
    if basis not in ABC_COLUMNS:
        raise ValueError(f"Unknown ABC basis {basis!r}: expected one of {', '.join(ABC_COLUMNS)}")
    return basis


def label_abc_reasons(scorecard: pd.DataFrame, basis: str = DEFAULT_ABC_BASIS) -> pd.DataFrame:
    """The class on ``basis`` (``abc_shown``) and why (``abc_reason``: share | low_frequency | no_cost).

    ``no_cost``: the profit basis has no class for an account without cost data. ``low_frequency``: the
    frequency rule made the account C (the scorecard's ``abc_days_cut`` is its channel's cut, in order days).

    Examples
    --------
    >>> df = pd.DataFrame({"abc_class": ["A", "C"], "abc_class_cases": ["A", "C"], "abc_class_profit": ["B", None],
    ...                    "abc_low_frequency": [False, True], "abc_days_cut": [4.0, 4.0]})
    >>> label_abc_reasons(df, "profit")[["abc_shown", "abc_reason"]].values.tolist()
    [['B', 'share'], [None, 'no_cost']]
    """
    column, _ = ABC_COLUMNS[check_abc_basis(basis)]
    shown = scorecard[column].astype(object).where(scorecard[column].notna(), None)
    low = scorecard.get("abc_low_frequency", pd.Series(False, index=scorecard.index)).fillna(False).astype(bool)
    reason = np.select([shown.isna(), low], ["no_cost", "low_frequency"], "share")
    return pd.DataFrame(
        {
            "abc_shown": shown,
            "abc_reason": pd.Series(reason, index=scorecard.index, dtype=object),
        },
        index=scorecard.index,
    )


@dataclass(frozen=True)
class KeyAccountCounts:
    """How many key accounts, and on which criterion; what the rule could not judge."""

    key: int
    by_sales_only: int
    by_profit_only: int
    by_both: int
    potential: int
    no_cost: int  # accounts without cost data: key by sales only
    no_capability: int  # accounts without a capability assessment: neutral in potential key and loyalty
    accounts: int


def count_key_accounts(scorecard: pd.DataFrame) -> KeyAccountCounts:
    """Counts of :class:`KeyAccountCounts` over the rows of ``scorecard`` (already filtered).

    Examples
    --------
    >>> df = pd.DataFrame({"key_account": [True, True, False], "key_basis": ["sales", "both", None],
    ...                    "potential_key": [False, False, True], "cost_basis": ["known", "none", "known"],
    ...                    "capability_score": [80.0, None, None]})
    >>> c = count_key_accounts(df)
    >>> (c.key, c.by_sales_only, c.by_both, c.potential, c.no_cost, c.no_capability)
    (2, 1, 1, 1, 1, 2)
    """
    basis = scorecard.get("key_basis", pd.Series(None, index=scorecard.index, dtype=object))
    flag = lambda c: int(scorecard[c].fillna(False).astype(bool).sum()) if c in scorecard else 0  # noqa: E731
    cap = scorecard.get("capability_score", pd.Series(np.nan, index=scorecard.index))
    return KeyAccountCounts(
        key=flag("key_account"),
        by_sales_only=int(basis.eq("sales").sum()),
        by_profit_only=int(basis.eq("profit").sum()),
        by_both=int(basis.eq("both").sum()),
        potential=flag("potential_key"),
        no_cost=int(scorecard["cost_basis"].eq("none").sum()) if "cost_basis" in scorecard else 0,
        no_capability=int(pd.to_numeric(cap, errors="coerce").isna().sum()),
        accounts=len(scorecard),
    )


def select_key_accounts(scorecard: pd.DataFrame, with_potential: bool = True) -> pd.DataFrame:
    """Key accounts (the 80/80 union), then potential key accounts if asked, biggest net sales first."""
    none = pd.Series(False, index=scorecard.index)
    flag = lambda c: scorecard[c].fillna(False).astype(bool) if c in scorecard else none  # noqa: E731
    keep = flag("key_account") | (flag("potential_key") if with_potential else none)
    return scorecard[keep].sort_values(["net_sales", "account_id"], ascending=[False, True], kind="mergesort")
