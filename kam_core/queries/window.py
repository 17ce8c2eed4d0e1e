"""The analysis window resolved against the database: ``as_of`` defaults to the last order date.

:class:`kam_core.analytics.window.Window` is the window itself (pure); this module only reads the last order date.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, func, select

from kam_core.analytics.window import Window, parse_date
from kam_core.db.schema import order_header
from kam_core.errors import UserError


def last_order_date(engine: Engine) -> dt.date | None:
    with engine.connect() as conn:
        value = conn.execute(select(func.max(order_header.c.order_date))).scalar()
    return parse_date(value, "last order date") if value is not None else None


def resolve_window(engine: Engine, as_of=None, since=None, months: int = 12) -> Window:
    """Resolve the analysis window.

    Parameters
    ----------
    engine
        Database; queried only when ``as_of`` is missing (last order date, else today).
    as_of, since
        Dates or ISO strings. ``since`` defaults to ``months`` months before ``as_of`` (exclusive of that day).

    Raises
    ------
    UserError
        If a date cannot be parsed or ``since`` is after ``as_of``.
    """
    end = parse_date(as_of, "--as-of") or last_order_date(engine) or dt.date.today()
    start = parse_date(since, "--since")
    if start is None:
        start = (pd.Timestamp(end) - pd.DateOffset(months=months) + pd.Timedelta(days=1)).date()
    if start > end:
        raise UserError(f"--since {start} is after --as-of {end}")
    return Window(start, end)
