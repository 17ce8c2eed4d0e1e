"""The per-account-month facts (table ``account_month``): ``order_day`` one level up.

A scorecard window of 12 months reads ~30 order days per account and month from ``order_day``; the same sums
per calendar month are all it needs for every month the window covers completely. Each month is split by
``late``: whether the day is one of the last :data:`LATE_DAYS` days of a quarter-end month (March, June,
September, December), the days whose share is quarter-end buying (S4, docs/METHODS.md §5): a month wholly in
the window that ends a quarter ends a *complete* quarter of the window, so its late part is exactly what
:func:`kam_core.analytics.diversion.late_ranges` marks.

Built from ``order_day`` by one ``GROUP BY`` in the caller's transaction, always right after ``order_day``
(:func:`kam_core.db.order_days.refresh` calls :func:`refresh` with the accounts it rebuilt), so every
write path that keeps ``order_day`` current keeps this table current too. ``aggregate_state`` (name
``account_month``) records the row counts of the order tables it was built from, copied from ``order_day``'s
own record; :func:`in_step` compares the two records.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Connection, Integer, and_, cast, delete, extract, func, insert, or_, select

from kam_core.db.bulk import refresh_statistics
from kam_core.db.order_days import DAY_SUMS
from kam_core.db.schema import account_month, aggregate_state, order_day
from kam_core.db.sqlfn import month_key

NAME = "account_month"
DAYS_NAME = "order_day"  # the state row of the table this one is built from
LATE_DAYS = 10  # kam_core.analytics.diversion.late_ranges' default (a test keeps the two equal)
_CHUNK = 500
SUMS = DAY_SUMS  # the monthly facts sum order_day's columns, the same ones
_INTEGERS = {"orders", "sales_orders", "lines"}
COLUMNS = ["account_id", "month", "late", "days", *SUMS]


def late_clause(d):
    """True when the date expression ``d`` is one of the last :data:`LATE_DAYS` days of a quarter-end month.

    The first late day of each quarter-end month is fixed (March and December have 31 days, June and
    September 30), so the test is on month and day number only: portable to SQLite, PostgreSQL and DuckDB.
    """
    month, day = extract("month", d), extract("day", d)
    first = {m: calendar.monthrange(2001, m)[1] - LATE_DAYS + 1 for m in (3, 6, 9, 12)}
    return or_(*[and_(month == m, day >= f) for m, f in first.items()])


def is_late(day: dt.date) -> bool:
    """The Python twin of :func:`late_clause` (tests, edge months)."""
    return day.month in (3, 6, 9, 12) and day.day > calendar.monthrange(day.year, day.month)[1] - LATE_DAYS


def _select_months(accounts: Sequence[str] | None = None):
    d = order_day.c.order_date
    month, late = month_key(d).label("month"), cast(late_clause(d), Integer).label("late")
    sums = [cast(func.sum(order_day.c[c]), Integer) if c in _INTEGERS else func.sum(order_day.c[c]) for c in SUMS]
    # grouped by the labels (SQLAlchemy renders their names): PostgreSQL would not match the bound parameters
    # of the late test in SELECT and GROUP BY otherwise
    stmt = select(order_day.c.account_id, month, late, cast(func.count(), Integer), *sums)
    stmt = stmt.group_by(order_day.c.account_id, month, late)
    if accounts is not None:
        stmt = stmt.where(order_day.c.account_id.in_(accounts))
    return stmt


def _state(conn: Connection, name: str):
    return conn.execute(
        select(aggregate_state.c.order_headers, aggregate_state.c.order_lines).where(aggregate_state.c.name == name)
    ).first()


def in_step(conn: Connection) -> bool:
    """True when ``account_month`` was built from ``order_day`` as it is (both stamped with the same counts)."""
    mine, days = _state(conn, NAME), _state(conn, DAYS_NAME)
    return mine is not None and days is not None and tuple(mine) == tuple(days)


def refresh(conn: Connection, accounts: Sequence[str] | None = None) -> None:
    """Rebuild ``account_month`` from ``order_day`` inside the caller's transaction and stamp the state.

    ``accounts``: only those accounts' rows (all their months) are rebuilt; the caller passes them only when
    the rest of the table was in step with ``order_day`` before its write. None: the whole table.
    """
    if accounts is None:
        if conn.dialect.name == "duckdb":  # as for order_day: a new table commits far faster than a DELETE of all
            account_month.drop(conn)
            account_month.create(conn)
        else:
            conn.execute(delete(account_month))
        conn.execute(insert(account_month).from_select(COLUMNS, _select_months()))
        refresh_statistics(conn, [NAME])
    else:
        ids = sorted(set(accounts))
        for start in range(0, len(ids), _CHUNK):
            part = ids[start : start + _CHUNK]
            conn.execute(delete(account_month).where(account_month.c.account_id.in_(part)))
            conn.execute(insert(account_month).from_select(COLUMNS, _select_months(part)))
    days = _state(conn, DAYS_NAME)
    conn.execute(delete(aggregate_state).where(aggregate_state.c.name == NAME))
    if days is not None:
        conn.execute(
            insert(aggregate_state).values(
                name=NAME,
                built_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                order_headers=days[0],
                order_lines=days[1],
            )
        )
