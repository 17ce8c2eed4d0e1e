"""Numbers, money and dates per language, all from Babel (CLDR): ¥1234.6万 in Chinese, ¥12.3M in English.

Compact money and cases use CLDR's compact patterns (``format_compact_currency`` /
``format_compact_decimal``): 万 and 亿 in Chinese, K, M and B in English, one decimal. CLDR writes
the compact Chinese forms without a thousands separator (``1234.6万``), as Chinese text does. Below
¥10,000 money is shown in full, whole yuan, grouped (``¥9,999``): "¥1万" for ¥9,999 would round away
a tenth of it.

The currency symbol is ``¥`` in both languages: CLDR's English symbol for the renminbi is ``CN¥``,
which this product's readers (a Chinese brewer's sales leadership) never write; the swap is done on
Babel's output, so Babel still decides where the symbol and the sign go.
"""

from __future__ import annotations

import datetime as dt
import math

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.numbers import (
    format_compact_currency,
    format_compact_decimal,
    format_currency,
    format_decimal,
    format_percent,
)

_LOCALES = {"zh": "zh_Hans_CN", "en": "en_US"}
CURRENCY = "CNY"
SYMBOL = "¥"
COMPACT_FROM = 10_000  # money and cases below this are shown in full


def _locale(lang: str) -> str:
    try:
        return _LOCALES[lang]
    except KeyError:
        raise ValueError(f"Unknown language {lang!r}: expected zh or en") from None


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def _yuan(text: str, lang: str) -> str:
    """Babel's renminbi symbol for the language replaced by ``¥`` (see the module docstring)."""
    babel_symbol = Locale.parse(_locale(lang)).currency_symbols.get(CURRENCY, SYMBOL)
    return text.replace(babel_symbol, SYMBOL) if babel_symbol != SYMBOL else text


def plural_form(value: float | int, lang: str = "zh") -> str:
    """The CLDR plural category of ``value`` in the language: ``one`` or ``other`` in English, always
    ``other`` in Chinese (which has no plural).

    Examples
    --------
    >>> plural_form(1, "en"), plural_form(2, "en"), plural_form(1, "zh")
    ('one', 'other', 'other')
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 1.0 account is one account
    return Locale.parse(_locale(lang)).plural_form(abs(value))


def format_number(value: float | int | None, lang: str = "zh", digits: int = 0) -> str:
    """A grouped number (``12,345``); "–" when missing or not finite."""
    if value is None or _missing(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_locale(lang))


def format_count(value: float | int, lang: str = "zh") -> str:
    """A count as Babel writes it in the language: grouped, decimals only where there are some (``1.5``)."""
    return format_decimal(value, locale=_locale(lang))


def format_money(value: float | int | None, lang: str = "zh", compact: bool = True, digits: int = 0) -> str:
    """RMB: compact ``¥1234.6万`` / ``¥12.3M`` (default, from ¥10,000) or full ``¥12,345,678``.

    ``digits`` are the decimals of the full form (2 for a price per case: ``¥3.00``); the compact form
    always has at most one.

    Examples
    --------
    >>> format_money(12_345_678, "zh"), format_money(123_456_789, "zh")
    ('¥1234.6万', '¥1.2亿')
    >>> format_money(12_345_678, "en"), format_money(-9_999, "en"), format_money(12_345_678, "en", compact=False)
    ('¥12.3M', '-¥9,999', '¥12,345,678')
    """
    if value is None or _missing(value):
        return "–"
    locale = _locale(lang)
    if not compact or abs(value) < COMPACT_FROM:
        pattern = "¤#,##0" + ("." + "0" * digits if digits else "")
        text = format_currency(value, CURRENCY, format=pattern, locale=locale, currency_digits=False)
    else:
        text = format_compact_currency(value, CURRENCY, locale=locale, fraction_digits=1)
    return _yuan(text, lang)


def format_pct(value: float | None, lang: str = "zh", digits: int = 1) -> str:
    """A share as a percentage (``0.1234`` → ``12.3%``)."""
    if value is None or _missing(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value, format=pattern, locale=_locale(lang))


def format_cases(value: float | None, lang: str = "zh") -> str:
    """Standard cases, compact from 10,000 (``1.2万箱`` / ``12.3K cases``), "1 case" in the singular.

    Examples
    --------
    >>> format_cases(25_000, "zh"), format_cases(1, "en"), format_cases(12_345, "en")
    ('2.5万箱', '1 case', '12.3K cases')
    """
    if value is None or _missing(value):
        return "–"
    from kam_core.i18n.plural import tn  # the catalogue holds the unit words; imported late (no cycle)

    if abs(value) >= COMPACT_FROM:
        shown = format_compact_decimal(value, locale=_locale(lang), fraction_digits=1)
    else:
        shown = format_number(value, lang)
    return tn("count.cases", value, lang, n=shown)


def format_date(value: dt.date | None, lang: str = "zh") -> str:
    """A date as people write it in the language (``2026年3月1日`` / ``Mar 1, 2026``)."""
    if value is None:
        return "–"
    return _babel_date(value, "medium", locale=_locale(lang))
