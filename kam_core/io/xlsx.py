"""The one XLSX writer (pandas + XlsxWriter) behind the CLI ``export`` and every Excel download button.

Each sheet is a frame written by ``DataFrame.to_excel`` through XlsxWriter, then dressed so that a
sales director can read it without touching it:

- formula-safe: the workbook is opened with ``strings_to_formulas`` (and ``strings_to_urls``,
  ``strings_to_numbers``) off, so no text ever becomes a formula, link or number; text that looks like
  one (``= + - @``, a tab or CR, also after leading spaces: :func:`looks_like_formula`) is in
  addition written with Excel's quote prefix, so that editing the cell does not turn it into a formula;
- the header row bold, filled and wrapped, frozen, with an autofilter;
- number formats per column kind (:mod:`kam_core.io.column_kinds`): ¥ with thousands separators and two
  decimals (prices) or none (totals), shares as %, cases and counts as grouped integers, dates as
  yyyy-mm-dd;
- column widths fitted to the longest shown value (Chinese characters count double), capped.

Cells go through :func:`kam_core.io.cells.xlsx_value` first, as the CSV goes through ``csv_ready``:
lists become ``a; b`` text, missing values empty cells, time zones dropped.
"""

from __future__ import annotations

import io
import re
import unicodedata

import numpy as np
import pandas as pd

from kam_core.errors import UserError
from kam_core.io import column_kinds as ck
from kam_core.io.cells import is_formula_like, xlsx_value

EXCEL_MAX_ROWS = 1_048_575  # one header row
MAX_WIDTH = 50  # characters; longer text is cut off on screen, not in the cell
MAX_HEADER_WIDTH = 24  # the header wraps, so a long label need not widen its column
MIN_WIDTH = 6
NUMBER_FORMATS = {
    ck.MONEY: '"¥"#,##0.00',
    ck.MONEY_WHOLE: '"¥"#,##0',
    ck.SHARE: "0.0%",
    ck.COUNT: "#,##0",
    ck.DATE: "yyyy-mm-dd",
    ck.DATETIME: "yyyy-mm-dd hh:mm:ss",
}
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
HEADER_FORMAT = {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1}
_LEADING_SPACE = re.compile(r"^[ \t\r\n\u3000\xa0]+")


def looks_like_formula(value: object) -> bool:
    """Text a spreadsheet could run as a formula, also when spaces come before the ``=``.

    Examples
    --------
    >>> looks_like_formula("=1+1"), looks_like_formula("  =1+1"), looks_like_formula(" -5"), looks_like_formula(5)
    (True, True, False, False)
    """
    return isinstance(value, str) and (is_formula_like(value) or is_formula_like(_LEADING_SPACE.sub("", value)))


def sheet_name(name: str, used: set[str]) -> str:
    """``name`` as a legal, unused Excel sheet name (31 characters, no ``[]:*?/\\``); added to ``used``."""
    base = re.sub(r"[\[\]:*?/\\]", "_", str(name))[:31] or "Sheet"
    candidate, n = base, 1
    while candidate.lower() in {u.lower() for u in used}:  # Excel compares sheet names case-blind
        n += 1
        candidate = f"{base[:28]}_{n}"
    used.add(candidate)
    return candidate


def _text_width(text: str) -> int:
    """Columns a text needs on screen: wide (CJK) characters count two; the longest line counts."""
    return max(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in text.split("\n"))


def _line_feeds(value: object) -> object:
    """In text a CR becomes a line feed, the only line break Excel shows in a cell (XlsxWriter would
    otherwise store a bare CR as ``_x000D_``, which some readers show literally)."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def _cell_values(series: pd.Series, kind: str) -> tuple[pd.Series, np.ndarray]:
    """(the values as written, a mask of text cells that need the quote prefix)."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        if getattr(series.dt, "tz", None) is not None:
            series = series.dt.tz_localize(None)  # Excel has no time zones: the wall-clock time
        if kind == ck.DATE:
            series = series.map(lambda v: None if pd.isna(v) else v.date()).astype(object)
        return series, np.zeros(len(series), dtype=bool)
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_extension_array_dtype(series.dtype):
        return series, np.zeros(len(series), dtype=bool)
    values = series.astype(object).map(lambda v: xlsx_value(v)[0])
    return values.map(_line_feeds), values.map(looks_like_formula).to_numpy(dtype=bool)


def _figure_width(values: pd.Series, kind: str) -> int:
    numbers = pd.to_numeric(values, errors="coerce").replace([np.inf, -np.inf], np.nan).dropna()
    if numbers.empty:
        return 0
    biggest, sign = float(numbers.abs().max()), int((numbers < 0).any())
    if kind == ck.SHARE:
        return len(f"{biggest:.1%}") + sign
    if kind == ck.NUMBER:
        return min(len(f"{biggest:.10g}"), 12) + sign  # Excel's General shows about 11 digits
    digits = 2 if kind == ck.MONEY else 0
    return len(f"{biggest:,.{digits}f}") + sign + (1 if kind in (ck.MONEY, ck.MONEY_WHOLE) else 0)


def _content_width(values: pd.Series, kind: str) -> int:
    if kind in NUMBER_FORMATS and kind not in (ck.DATE, ck.DATETIME) or kind == ck.NUMBER:
        shown = _figure_width(values, kind)
        texts = values[values.map(lambda v: isinstance(v, str))]  # a text cell in a figure column
        return max([shown, *(_text_width(v) for v in texts)])
    if kind in (ck.DATE, ck.DATETIME):
        return len(NUMBER_FORMATS[kind])
    if kind == ck.BOOL:
        return 5
    texts = values.dropna().map(str)
    return max((_text_width(v) for v in texts), default=0)


def column_width(header: str, values: pd.Series, kind: str) -> float:
    """The width (in characters) that shows the header (wrapped) and the longest value, within the caps."""
    header_width = min(_text_width(str(header)), MAX_HEADER_WIDTH) + 2  # room for the filter arrow
    return float(max(MIN_WIDTH, min(MAX_WIDTH, max(header_width, _content_width(values, kind) + 1))))


def _write_sheet(writer: pd.ExcelWriter, name: str, df: pd.DataFrame, table: str) -> None:
    if len(df) > EXCEL_MAX_ROWS:
        raise UserError(f"{name}: {len(df)} rows do not fit one Excel sheet ({EXCEL_MAX_ROWS}); export it as CSV")
    book = writer.book
    headers = [str(c) for c in df.columns]
    kinds = [ck.column_kind(df.iloc[:, i].rename(h), table) for i, h in enumerate(headers)]
    prepared = {i: _cell_values(df.iloc[:, i].rename(h), kinds[i]) for i, h in enumerate(headers)}
    body = pd.DataFrame({i: prepared[i][0].reset_index(drop=True) for i in prepared}, index=range(len(df)))
    body.to_excel(writer, sheet_name=name, index=False, header=False, startrow=1)
    ws = writer.sheets[name]
    header_fmt = book.add_format(HEADER_FORMAT)
    header_quoted = book.add_format({**HEADER_FORMAT, "quote_prefix": True})
    quoted = book.add_format({"quote_prefix": True})
    for i, header in enumerate(headers):
        ws.write_string(0, i, _line_feeds(header), header_quoted if looks_like_formula(header) else header_fmt)
        values, hostile = prepared[i]
        for row in np.flatnonzero(hostile):
            ws.write_string(int(row) + 1, i, values.iloc[row], quoted)  # same text, now with the quote prefix
        fmt = book.add_format({"num_format": NUMBER_FORMATS[kinds[i]]}) if kinds[i] in NUMBER_FORMATS else None
        ws.set_column(i, i, column_width(header, values, kinds[i]), fmt)
    ws.freeze_panes(1, 0)
    if headers:
        ws.autofilter(0, 0, max(len(df), 1), len(headers) - 1)


def frames_to_xlsx(frames: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one sheet per frame (names cut to Excel's 31 characters), formula-safe.

    Parameters
    ----------
    frames
        Sheet name → frame. A name that is a table of the schema (``account``) takes its column kinds
        from the schema; every other column's kind comes from :mod:`kam_core.io.column_kinds`.

    Returns
    -------
    bytes
        The workbook; a workbook with one empty sheet named ``empty`` when ``frames`` is empty.

    Raises
    ------
    UserError
        If a frame has more rows than an Excel sheet holds.
    """
    buf = io.BytesIO()
    with pd.ExcelWriter(
        buf,
        engine="xlsxwriter",
        engine_kwargs={"options": WORKBOOK_OPTIONS},
        date_format=NUMBER_FORMATS[ck.DATE],
        datetime_format=NUMBER_FORMATS[ck.DATETIME],
    ) as writer:
        used: set[str] = set()
        for name, df in frames.items():
            _write_sheet(writer, sheet_name(name, used), df, str(name))
        if not frames:
            writer.book.add_worksheet("empty")
    return buf.getvalue()
