"""The three festivals of the follow-up cadence, by year (docs/methods_follow_ups.md §3).

Chinese New Year (春节, 1st day of the 1st lunar month), the Dragon Boat festival (端午节, 5th day of the
5th month) and the Mid-Autumn festival (中秋节, 15th day of the 8th month) move with the lunar
calendar. Computing it needs astronomical new moons; a table is smaller and checkable: the dates
below are the published ones (checked against the ``lunardate`` package, 0.3.0). Years outside the
table have no holiday follow-ups; :func:`festival_dates` says so by returning an empty dict and
:data:`YEARS` names the range, so the page can tell the user.
"""

from __future__ import annotations

import datetime as dt

FESTIVALS = ("cny", "dragon_boat", "mid_autumn")

_TABLE: dict[int, tuple[str, str, str]] = {
    2020: ("01-25", "06-25", "10-01"),
    2021: ("02-12", "06-14", "09-21"),
    2022: ("02-01", "06-03", "09-10"),
    2023: ("01-22", "06-22", "09-29"),
    2024: ("02-10", "06-10", "09-17"),
    2025: ("01-29", "05-31", "10-06"),
    2026: ("02-17", "06-19", "09-25"),
    2027: ("02-06", "06-09", "09-15"),
    2028: ("01-26", "05-28", "10-03"),
    2029: ("02-13", "06-16", "09-22"),
    2030: ("02-03", "06-05", "09-12"),
    2031: ("01-23", "06-24", "10-01"),
    2032: ("02-11", "06-12", "09-19"),
    2033: ("01-31", "06-01", "09-08"),
    2034: ("02-19", "06-20", "09-27"),
    2035: ("02-08", "06-10", "09-16"),
}
YEARS = (min(_TABLE), max(_TABLE))


def festival_dates(year: int) -> dict[str, dt.date]:
    """The festival dates of ``year`` (:data:`FESTIVALS` → date); empty outside :data:`YEARS`.

    Examples
    --------
    >>> festival_dates(2026)["cny"]
    datetime.date(2026, 2, 17)
    """
    row = _TABLE.get(int(year))
    if row is None:
        return {}
    return {code: dt.date.fromisoformat(f"{year}-{md}") for code, md in zip(FESTIVALS, row, strict=True)}
