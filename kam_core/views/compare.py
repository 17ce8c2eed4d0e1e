"""Comparisons of the Overview and the Pyramid: which window to compare with, change in %, attainment of targets.

See docs/methods_comparisons.md for the rules and a worked example.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from kam_core.filters import Filters

MODES = ("last_year", "previous")  # the default first: a brewer's year is seasonal (docs/methods_comparisons.md §1)


def comparison_window(start: dt.date | None, end: dt.date | None, mode: str) -> tuple[dt.date, dt.date] | None:
    """The window to compare ``start``..``end`` with.

    ``last_year``: the same dates a year earlier (29 February becomes 28 February); ``previous``: the window of
    equal length that ends the day before ``start``.

    Examples
    --------
    >>> comparison_window(dt.date(2025, 7, 1), dt.date(2026, 6, 30), "last_year")
    (datetime.date(2024, 7, 1), datetime.date(2025, 6, 30))
    >>> comparison_window(dt.date(2026, 1, 1), dt.date(2026, 1, 31), "previous")
    (datetime.date(2025, 12, 1), datetime.date(2025, 12, 31))
    """
    if start is None or end is None:
        return None
    if mode == "last_year":
        shift = pd.DateOffset(years=1)
        return (pd.Timestamp(start) - shift).date(), (pd.Timestamp(end) - shift).date()
    if mode != "previous":
        raise ValueError(f"comparison mode must be one of {MODES}, got {mode!r}")
    prev_end = start - dt.timedelta(days=1)
    return prev_end - (end - start), prev_end


def pct_change(now: float | None, before: float | None) -> float | None:
    """``now / before - 1``; None when there is nothing to compare with (``before`` missing or not positive).

    Examples
    --------
    >>> pct_change(110.0, 100.0), pct_change(5.0, 0.0)
    (0.10000000000000009, None)
    """
    if now is None or before is None or pd.isna(before) or before <= 0:
        return None
    return now / before - 1


@dataclass(frozen=True)
class Attainment:
    """Actual against target over the months that have targets (docs/methods_comparisons.md §2)."""

    level: str  # account | region | rep: which targets this view is measured against
    months: tuple[dt.date, ...]  # first days of the target months
    target_net_sales: float | None
    target_cases: float | None
    actual_net_sales: float
    actual_cases: float
    n_accounts: int  # accounts whose actuals are counted
    n_view: int  # accounts in the view

    @property
    def net_sales_pct(self) -> float | None:
        return _ratio(self.actual_net_sales, self.target_net_sales)

    @property
    def cases_pct(self) -> float | None:
        return _ratio(self.actual_cases, self.target_cases)


def _ratio(actual: float, target: float | None) -> float | None:
    return None if target is None or target <= 0 else actual / target


def _sum(frame: pd.DataFrame, col: str) -> float | None:
    values = pd.to_numeric(frame[col], errors="coerce")
    return float(values.sum()) if values.notna().any() else None


def choose_targets(targets: pd.DataFrame, rows: pd.DataFrame, filters: Filters) -> tuple[str, pd.DataFrame]:
    """Which targets measure the view: ``(level, targets)``, level "" when none fits.

    Account targets measure any view (the accounts in it that have one); region targets a view filtered by
    region only, or not at all (then every top-level region in it), when every such region has one; rep targets
    a view filtered by rep only, when every chosen rep has one. Region and rep targets count only the months in
    which every region (rep) of the view has a target, so the sum never mixes a full and a partial view.
    """
    acc = targets[targets["account_id"].isin(set(rows["account_id"]))]
    if not acc.empty:
        return "account", acc
    narrowed = filters.channel or filters.type or filters.tier
    for level, col, chosen, other in (
        ("region", "region_code", set(filters.region) or set(rows["region"].dropna()), filters.rep),
        ("rep", "rep_id", set(filters.rep), filters.region),
    ):
        if narrowed or other or not chosen or (level == "rep" and not filters.rep):
            continue
        picked = targets[targets[col].isin(chosen)]
        keys_per_month = picked.groupby("month")[col].nunique()
        common = set(keys_per_month.index[keys_per_month == len(chosen)])
        if common:
            return level, picked[picked["month"].isin(common)]
    return "", targets.iloc[0:0]


def attainment(level: str, chosen: pd.DataFrame, actuals: pd.DataFrame, rows: pd.DataFrame) -> Attainment | None:
    """Actual against target for the view (None when no targets fit it: ``level`` "").

    Parameters
    ----------
    level, chosen
        From :func:`choose_targets`.
    actuals
        :func:`kam_core.queries.targets.fetch_month_actuals` (account_id, month, net_sales, volume_cases) over
        the months of ``chosen``.
    rows
        The filtered scorecard: account targets count each account's own target months; region and rep
        targets the view's accounts over the target months.
    """
    if not level:
        return None
    act = actuals[actuals["account_id"].isin(set(rows["account_id"]))]
    if level == "account":
        pairs = set(zip(chosen["account_id"], chosen["month"], strict=True))
        act = act[[(a, m) in pairs for a, m in zip(act["account_id"], act["month"], strict=True)]]
        counted = chosen["account_id"].nunique()
    else:
        act = act[act["month"].isin(set(chosen["month"]))]
        counted = len(rows)
    return Attainment(
        level,
        tuple(sorted(set(chosen["month"]))),
        _sum(chosen, "target_net_sales"),
        _sum(chosen, "target_cases"),
        float(act["net_sales"].sum()),
        float(act["volume_cases"].sum()),
        int(counted),
        len(rows),
    )
