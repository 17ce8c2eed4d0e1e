"""The scorecard's line facts from the per-account-month facts (``account_month``), exact for any window.

:func:`kam_core.queries.metrics.line_facts_statement` groups the order lines of the window and of the same
window last year by account, span (``cur`` | ``ly``), month and "late in a complete rebate quarter". Here the
months the two windows cover completely come from ``account_month`` (at most accounts × months rows), and
only the *edge* months, those a window starts or ends inside, from ``order_day`` with the same expression as
before, limited to those months' days. The groups are the same, so every figure built on them is the same
(sums of the same numbers, added in another order: equal to far below a cent).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, func, literal, or_, select

from kam_core.analytics.window import Window
from kam_core.db.schema import account_month, order_day
from kam_core.queries import metrics

SUMS = metrics.SUMS


def _months(first: dt.date, last: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    out = []
    for p in pd.period_range(first, last, freq="M"):
        out.append((str(p), p.start_time.date(), p.end_time.date()))
    return out


def plan_months(w: Window) -> tuple[list[str], list[str], list[tuple[dt.date, dt.date]]]:
    """Split the months of ``w`` and of last year's window into (whole ``cur`` months, whole ``ly`` months,
    the days of the edge months that either window touches).

    A month wholly inside the window is ``cur``; a month wholly inside last year's window and not touching the
    window is ``ly``; any other month that one of them touches is an edge month, read per day.
    """
    ly = w.shifted_years(1)
    cur, last, edges = [], [], []
    for key, start, end in _months(min(ly.start, w.start), w.end):
        in_cur = w.start <= start and end <= w.end
        touches_cur = start <= w.end and end >= w.start
        in_ly = ly.start <= start and end <= ly.end
        touches_ly = start <= ly.end and end >= ly.start
        if in_cur:
            cur.append(key)
        elif in_ly and not touches_cur:
            last.append(key)
        elif touches_cur or touches_ly:
            edges.append((start, end))
    return cur, last, edges


def _whole_months(cur: list[str], last: list[str], late: bool):
    m = account_month.c
    sums = [func.sum(m[c]).label(c) for c in SUMS]
    parts = []
    if cur and late:  # one row per (account, month, late) already: late is the complete quarter's last days
        parts.append(
            select(m.account_id, literal("cur").label("span"), m.month, m.late, *[m[c].label(c) for c in SUMS]).where(
                m.month.in_(cur), m.lines > 0
            )
        )
        cur = []
    for span, months in (("cur", cur), ("ly", last)):  # last year's days are never late (the ranges lie in w)
        if months:
            parts.append(
                select(m.account_id, literal(span).label("span"), m.month, literal(0).label("late"), *sums)
                .where(m.month.in_(months), m.lines > 0)
                .group_by(m.account_id, m.month)
            )
    return parts


def fetch_line_facts(conn: Connection, w: Window, late_days: list[tuple] | None = None) -> pd.DataFrame:
    """The frame of :func:`kam_core.queries.metrics.fetch_line_facts` (``from_days=True``), read from
    ``account_month`` for the whole months and from ``order_day`` for the edge months' days.

    Only when both pre-aggregates are current (:func:`kam_core.db.order_days.is_current` and
    :func:`kam_core.db.account_month.in_step`).
    """
    cur, last, edges = plan_months(w)
    frames = [
        metrics._frame(conn, stmt, index=None, columnar=True) for stmt in _whole_months(cur, last, bool(late_days))
    ]
    if edges:
        d = order_day.c.order_date
        stmt = metrics.line_facts_statement(conn, w, late_days, from_days=True)
        stmt = stmt.where(or_(*[d.between(a, b) for a, b in edges]))
        frames.append(metrics._frame(conn, stmt, index=None, columnar=True))
    frames = [f for f in frames if len(f)] or frames[:1]
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return out.astype({"late": "int64"}) if len(out) else out
