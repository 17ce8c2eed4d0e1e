"""The demo brewer's calendar: history bounds, beer seasonality and the Chinese New Year effect.

Beer in China peaks in summer (June-August at roughly 1.5-1.7x an average month), is low in winter, and
has a trade-loading bump in the three weeks before the Spring Festival followed by a two-week dip.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

DEFAULT_END = dt.date(2026, 10, 31)

# Spring Festival (春节) dates; outside this table the festival is taken as 1 February.
CNY_DATES = {
    2010: "2010-02-14",
    2011: "2011-02-03",
    2012: "2012-01-23",
    2013: "2013-02-10",
    2014: "2014-01-31",
    2015: "2015-02-19",
    2016: "2016-02-08",
    2017: "2017-01-28",
    2018: "2018-02-16",
    2019: "2019-02-05",
    2020: "2020-01-25",
    2021: "2021-02-12",
    2022: "2022-02-01",
    2023: "2023-01-22",
    2024: "2024-02-10",
    2025: "2025-01-29",
    2026: "2026-02-17",
    2027: "2027-02-06",
    2028: "2028-01-26",
    2029: "2029-02-13",
    2030: "2030-02-03",
    2031: "2031-01-23",
    2032: "2032-02-11",
    2033: "2033-01-31",
    2034: "2034-02-19",
    2035: "2035-02-08",
}

# Month factors of a Chinese beer year (mean 1.0): summer peak, winter low.
MONTH_FACTOR = np.array([0.72, 0.70, 0.80, 0.92, 1.08, 1.50, 1.68, 1.58, 1.08, 0.92, 0.75, 0.80])
MONTH_FACTOR = MONTH_FACTOR / MONTH_FACTOR.mean()


@dataclass(frozen=True)
class History:
    """The generated history: ``start`` (first day) to ``end`` (last day), both inclusive."""

    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def days(self) -> int:
        return int((self.end - self.start).days) + 1

    @property
    def dates(self) -> pd.DatetimeIndex:
        return pd.date_range(self.start, self.end, freq="D")

    @property
    def window_start(self) -> pd.Timestamp:
        """First day of the default analysis window (12 months ending at ``end``)."""
        return self.end - pd.DateOffset(months=12) + pd.Timedelta(days=1)

    def day_index(self, dates) -> np.ndarray:
        return ((pd.DatetimeIndex(dates) - self.start).days).to_numpy()

    def month_starts(self) -> pd.DatetimeIndex:
        return pd.date_range(self.start, self.end, freq="MS")


def parse_end(value) -> dt.date:
    """``None`` (the default end), a date or an ISO string; anything else is a UserError."""
    from kam_core.analytics.window import parse_date

    return parse_date(value, "--end") or DEFAULT_END


def make_history(end, months: int) -> History:
    """History of ``months`` whole months ending on ``end`` (default 2026-10-31)."""
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    last = pd.Timestamp(end if end is not None else DEFAULT_END).normalize()
    first = (last - pd.DateOffset(months=months) + pd.Timedelta(days=1)).normalize()
    return History(first, last)


def cny_date(year: int) -> pd.Timestamp:
    return pd.Timestamp(CNY_DATES.get(year, f"{year}-02-01"))


def daily_season(h: History) -> np.ndarray:
    """Seasonal factor per day of the history (mean about 1): month shape x Spring Festival effect."""
    dates = h.dates
    # interpolate month factors between mid-months so the curve has no steps at month ends
    doy = (dates.day_of_year.to_numpy() - 15.0) / 365.25 * 12.0
    lo = np.floor(doy).astype(int) % 12
    frac = doy - np.floor(doy)
    factor = MONTH_FACTOR[lo] * (1 - frac) + MONTH_FACTOR[(lo + 1) % 12] * frac
    for year in range(dates.min().year, dates.max().year + 2):
        cny = cny_date(year)
        rel = (dates - cny).days.to_numpy()
        factor = np.where((rel >= -21) & (rel < 0), factor * 1.45, factor)  # trade loading before the festival
        factor = np.where((rel >= 0) & (rel < 14), factor * 0.55, factor)  # shops closed, stock sold through
    return factor


def quarter_ends(h: History) -> pd.DatetimeIndex:
    """Quarter-end dates inside the history."""
    return pd.date_range(h.start, h.end, freq="QE")
