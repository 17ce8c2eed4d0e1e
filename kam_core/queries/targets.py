"""Sales targets and the actual sales of the months they cover, read in SQL (docs/methods_comparisons.md §2)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, and_, case, func, or_, select

from kam_core.db import order_days
from kam_core.db.schema import account, order_day, order_header, region, sales_rep, sales_target
from kam_core.scope import DIRECTOR, Scope

TARGET_COLUMNS = ["account_id", "region_code", "rep_id", "month", "target_net_sales", "target_cases"]


def whole_months(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of the months that lie wholly inside ``start``..``end``.

    Examples
    --------
    >>> whole_months(dt.date(2025, 7, 15), dt.date(2025, 9, 30))
    [datetime.date(2025, 8, 1), datetime.date(2025, 9, 1)]
    """
    out = []
    for p in pd.period_range(start, end, freq="M"):
        first, last = p.start_time.date(), p.end_time.date()
        if first >= start and last <= end:
            out.append(first)
    return out


def fetch_targets(conn: Connection, start: dt.date, end: dt.date, scope: Scope = DIRECTOR) -> pd.DataFrame:
    """The targets of the months wholly inside the window that the viewer may see.

    Account targets of accounts in scope, region targets of regions in scope, rep targets of reps in scope.
    """
    months = whole_months(start, end)
    if not months:
        return pd.DataFrame(columns=TARGET_COLUMNS)
    t = sales_target.c
    visible = or_(
        t.account_id.in_(select(account.c.account_id).where(scope.account_clause())),
        t.region_code.in_(select(region.c.code).where(scope.region_clause())),
        t.rep_id.in_(select(sales_rep.c.rep_id).where(scope.rep_clause())),
    )
    q = select(*(t[c] for c in TARGET_COLUMNS)).where(t.month.in_(months), visible)
    frame = pd.DataFrame(conn.execute(q).all(), columns=TARGET_COLUMNS)
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame


def fetch_month_actuals(conn: Connection, months: list[dt.date], scope: Scope = DIRECTOR) -> pd.DataFrame:
    """Net sales and cases per account and month over the given whole months (one GROUP BY in the database).

    Read from the per-day pre-aggregate ``order_day`` when it is current, else from the order lines with the
    same sums (:func:`kam_core.db.order_days.line_sums`), so the figures match the scorecard's.
    """
    cols = ["account_id", "month", "net_sales", "volume_cases"]
    if not months:
        return pd.DataFrame(columns=cols)
    spans = [(m, (pd.Timestamp(m) + pd.offsets.MonthEnd(0)).date()) for m in sorted(set(months))]

    def month_of(d):  # portable month bucket: a CASE over the few target months, not a dialect's date function
        return case(*((and_(d >= a, d <= b), a.isoformat()) for a, b in spans), else_=None).label("month")

    if order_days.is_current(conn):
        d = order_day.c.order_date
        q = (
            select(
                order_day.c.account_id,
                month_of(d),
                func.sum(order_day.c.net_sales),
                func.sum(order_day.c.volume_cases),
            )
            .where(or_(*(and_(d >= a, d <= b) for a, b in spans)), scope.account_clause(order_day.c.account_id))
            .group_by(order_day.c.account_id, month_of(d))
        )
        rows = [tuple(r) for r in conn.execute(q)]
    else:
        d = order_header.c.order_date
        where = [or_(*(and_(d >= a, d <= b) for a, b in spans)), scope.account_clause()]
        q = order_days.line_sums(conn, [month_of(d)], where)
        rows = [(r.account_id, r.month, r.net_sales, r.volume_cases) for r in conn.execute(q)]
    frame = pd.DataFrame(rows, columns=cols).astype({"net_sales": float, "volume_cases": float})
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame
