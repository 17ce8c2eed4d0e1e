"""The analysis window: ``as_of`` (default: last order date) and ``since`` (default: 12 months before).

Bounds are computed here in Python and passed to SQL as parameters, which keeps date arithmetic portable.
The defaults are resolved against the database by :func:`kam_core.queries.window.resolve_window`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from kam_core.errors import UserError


@dataclass(frozen=True)
class Window:
    """Inclusive date range ``start``..``end``; ``end`` is the as-of date."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def years(self) -> float:
        return self.days / 365.25

    def shifted_years(self, years: int = 1) -> Window:
        """The same window ``years`` earlier (for growth vs last year)."""
        off = pd.DateOffset(years=years)
        return Window((pd.Timestamp(self.start) - off).date(), (pd.Timestamp(self.end) - off).date())

    def months(self) -> list[str]:
        """Month keys ``YYYY-MM`` covered by the window, oldest first."""
        return [p.strftime("%Y-%m") for p in pd.period_range(self.start, self.end, freq="M")]


def parse_date(value, what: str) -> dt.date | None:
    """``None``, a date, or an ISO string → date; anything else is a UserError naming ``what``."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise UserError(f"{what}: {value!r} is not a date (expected YYYY-MM-DD)") from None
