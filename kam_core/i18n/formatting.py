"""Numbers, money and dates per language (Babel): ¥1,234万 in Chinese, ¥12.3M in English."""

from __future__ import annotations

import datetime as dt
import math

from babel.dates import format_date as _babel_date
from babel.numbers import format_compact_decimal, format_decimal, format_percent

_LOCALES = {"zh": "zh_Hans_CN", "en": "en_US"}


def _locale(lang: str) -> str:
    try:
        return _LOCALES[lang]
    except KeyError:
        raise ValueError(f"Unknown language {lang!r}: expected zh or en") from None


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def format_number(value: float | int | None, lang: str = "zh", digits: int = 0) -> str:
    """A grouped number (``12,345``); "–" when missing or not finite."""
    if _missing(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_locale(lang))


def format_money(value: float | int | None, lang: str = "zh", compact: bool = True) -> str:
    """RMB: compact ``¥1,234.5万`` / ``¥12.3M`` (default) or full ``¥12,345,678``.

    Examples
    --------
    >>> format_money(12_345_678, "zh")
    '¥1,234.6万'
    >>> format_money(12_345_678, "en")
    '¥12.3M'
    """
    if _missing(value):
        return "–"
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    if not compact or magnitude < 10_000:
        return f"{sign}¥{format_decimal(magnitude, format='#,##0', locale=_locale(lang))}"
    if lang == "zh":
        unit, div = ("亿", 1e8) if magnitude >= 1e8 else ("万", 1e4)
        return f"{sign}¥{format_decimal(magnitude / div, format='#,##0.0', locale=_locale(lang))}{unit}"
    text = format_compact_decimal(magnitude, locale=_locale(lang), fraction_digits=1)
    return f"{sign}¥{text}"


def format_pct(value: float | None, lang: str = "zh", digits: int = 1) -> str:
    """A share as a percentage (``0.1234`` → ``12.3%``)."""
    if _missing(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value, format=pattern, locale=_locale(lang))


def format_cases(value: float | None, lang: str = "zh") -> str:
    """Standard cases, compact for big numbers (``1.2万箱`` / ``12.3K cases``)."""
    if _missing(value):
        return "–"
    if lang == "zh":
        if abs(value) >= 1e4:
            return f"{format_decimal(value / 1e4, format='#,##0.0', locale=_locale(lang))}万箱"
        return f"{format_number(value, lang)}箱"
    return f"{format_compact_decimal(value, locale=_locale(lang), fraction_digits=1)} cases"


def format_date(value: dt.date | None, lang: str = "zh") -> str:
    """A date as people write it in the language (``2026年3月1日`` / ``Mar 1, 2026``)."""
    if value is None:
        return "–"
    return _babel_date(value, "medium", locale=_locale(lang))
