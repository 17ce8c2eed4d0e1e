"""Vectorised parsing of text cells into dates, numbers and booleans, keeping track of bad cells.

Each parser takes a str Series (``""`` = empty cell) and returns ``(values, bad)``: the parsed
values (NA for empty or bad cells) and a boolean mask of cells that had text but did not parse.
Parsing works on the distinct values (``pd.factorize``), so a million-line ERP file with a few
hundred distinct dates costs a few hundred parses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y年%m月%d日",
)
EXPECT_DATE = "a date such as 2026-06-30, 2026/6/30, 20260630 or an Excel date number"
EXPECT_NUMBER = "a number"
EXPECT_INT = "a whole number (at most 2,147,483,647 either way)"
INT_LIMIT = 2_147_483_647  # the database's INTEGER (32-bit on PostgreSQL)
EXPECT_BOOL = "true or false (also 1/0, yes/no, 是/否)"
TRUE_WORDS = frozenset({"true", "t", "1", "yes", "y", "是", "对", "√"})
FALSE_WORDS = frozenset({"false", "f", "0", "no", "n", "否", "不", "×"})
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
MIN_DATE, MAX_DATE = pd.Timestamp("1900-01-01"), pd.Timestamp("2100-12-31")
_THOUSANDS = r"^[-+]?\d{1,3}(,\d{3})+(\.\d*)?$"


def _on_uniques(raw: pd.Series, parse) -> tuple[pd.Series, pd.Series]:
    text = raw.astype(str).str.strip()
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    u = pd.Series(np.asarray(uniques, dtype=object), dtype=str)
    values = parse(u)
    empty = (u == "").to_numpy()
    bad = values.isna().to_numpy() & ~empty
    out = values.take(codes)
    out.index = raw.index
    return out, pd.Series(bad[codes], index=raw.index)


def _to_datetime(values: pd.Series, fmt: str) -> pd.Series:
    """``pd.to_datetime(errors="coerce")``, but a year pandas cannot hold (0000, 9999) is NaT, not an error."""
    try:
        out = pd.to_datetime(values, format=fmt, errors="coerce")
        if out.dtype != "datetime64[ns]":  # pandas may pick seconds for years beyond nanosecond range
            out = out.where((out >= MIN_DATE) & (out <= MAX_DATE)).astype("datetime64[ns]")
        return out
    except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime):

        def one(v: str):
            try:
                return pd.to_datetime(v, format=fmt, errors="coerce")
            except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime):
                return pd.NaT

        return pd.Series([one(v) for v in values], index=values.index, dtype="datetime64[ns]")


def _dates(u: pd.Series) -> pd.Series:
    out = pd.Series(pd.NaT, index=u.index, dtype="datetime64[ns]")
    for fmt in DATE_FORMATS:
        todo = out.isna() & (u != "")
        if not todo.any():
            break
        out[todo] = _to_datetime(u[todo], fmt)
    todo = out.isna() & u.str.fullmatch(r"\d{8}")  # 20260630, but not 2026630
    if todo.any():
        out[todo] = _to_datetime(u[todo], "%Y%m%d")
    todo = out.isna() & u.str.fullmatch(r"\d{1,6}(\.\d+)?")  # Excel serial day numbers
    if todo.any():
        serial = pd.to_numeric(u[todo], errors="coerce")
        serial = serial.where((serial >= 1) & (serial < 80_000))
        out[todo] = (EXCEL_EPOCH + pd.to_timedelta(serial.round(), unit="D")).to_numpy()
    out = out.where((out >= MIN_DATE) & (out <= MAX_DATE))
    return out.dt.normalize()


def parse_dates(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates in common formats (see :data:`DATE_FORMATS`), 8-digit 20260630, and Excel serial numbers."""
    return _on_uniques(raw, _dates)


def _numbers(u: pd.Series) -> pd.Series:
    cleaned = u.where(~u.str.fullmatch(_THOUSANDS), u.str.replace(",", "", regex=False))
    cleaned = cleaned.str.replace("，", "", regex=False)
    values = pd.to_numeric(cleaned.where(cleaned != "", None), errors="coerce").astype("float64")
    return values.where(np.isfinite(values))


def parse_numbers(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Decimal numbers; thousands separators such as 1,234.5 are accepted; inf/nan are refused."""
    return _on_uniques(raw, _numbers)


def parse_integers(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Whole numbers ("3" and "3.0" both give 3); a fraction or a number beyond 32 bits is a bad cell."""

    def ints(u: pd.Series) -> pd.Series:
        values = _numbers(u)
        return values.where((values == values.round()) & (values.abs() <= INT_LIMIT)).astype("Int64")

    return _on_uniques(raw, ints)


def parse_booleans(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """true/false, 1/0, yes/no, y/n, 是/否 (case-insensitive)."""

    def bools(u: pd.Series) -> pd.Series:
        low = u.str.lower()
        out = pd.Series(pd.NA, index=u.index, dtype="boolean")
        out[low.isin(TRUE_WORDS)] = True
        out[low.isin(FALSE_WORDS)] = False
        return out

    return _on_uniques(raw, bools)


def parse_text(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Stripped text; empty cells become NA. Never bad."""
    text = raw.astype(str).str.strip()
    return text.where(text != "", None), pd.Series(False, index=raw.index)


PARSERS = {
    "date": (parse_dates, EXPECT_DATE),
    "datetime": (parse_dates, EXPECT_DATE),
    "float": (parse_numbers, EXPECT_NUMBER),
    "int": (parse_integers, EXPECT_INT),
    "bool": (parse_booleans, EXPECT_BOOL),
    "str": (parse_text, "text"),
}
