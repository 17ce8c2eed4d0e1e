"""One cell-flattening and formula-neutralising step for every CSV and XLSX the project writes.

CLI ``accounts --format csv`` and ``export``, the dashboard's download buttons and the import reports
all go through here, so a spreadsheet gets the same text for the same value whoever wrote it.

Flattening (spreadsheets hold one scalar per cell):

- lists, tuples, sets and arrays become their items joined by ``"; "`` (``["a", "b"]`` -> ``a; b``);
- dicts become ``key: value`` pairs joined by ``"; "``; inside a list a dict is ``key: value, key: value``
  (so ``[{"signal": "S1", "share": 0.3}, {"signal": "S2"}]`` -> ``signal: S1, share: 0.3; signal: S2``);
  anything nested deeper is compact JSON;
- None, NaN, NA and NaT become an empty cell;
- in CSV, booleans are ``true``/``false`` (docs/DESIGN.md §4); XLSX keeps real TRUE/FALSE cells.

Neutralising (OWASP "CSV injection"): a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return could be run as a formula by Excel or LibreOffice. In CSV it gets a leading single quote;
in XLSX it is a text cell (``data_type 's'`` with the quote-prefix style), shown and never evaluated.
Numbers are never touched, and neither is text that is exactly a decimal number (``-5``, ``+3.5``,
``-1e3``): a spreadsheet reads it as that number, which runs nothing, and credit-note quantities in an
import's rejects file stay as the ERP wrote them.

In XLSX a CR inside text reads back as a line feed: XML normalises line ends, for Excel as for openpyxl.

CSV is written with CRLF line ends (RFC 4180): that also makes Python's csv writer quote a bare CR inside
a cell, which with ``"\\n"`` it leaves bare, so a reader would split the row there.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_LINE_END = "\r\n"
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
# XML 1.0 cannot carry these control characters (openpyxl refuses them): written as a visible \xNN escape
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTAINERS = (list, tuple, set, frozenset, np.ndarray, dict)


def is_formula_like(value: object) -> bool:
    """Whether ``value`` is text a spreadsheet could run as a formula.

    Examples
    --------
    >>> is_formula_like("=1+1"), is_formula_like("-2+3"), is_formula_like("-5"), is_formula_like(-5)
    (True, True, False, False)
    """
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and _PLAIN_NUMBER.fullmatch(value) is None


def neutralise_formula(value):
    """``value`` made safe for a CSV: formula-like text gets a leading ``'``; anything else is unchanged.

    Examples
    --------
    >>> neutralise_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_formula(-5), neutralise_formula("-5")
    (-5, '-5')
    """
    return "'" + value if is_formula_like(value) else value


def is_missing(value: object) -> bool:
    """None, NaN, pandas NA or NaT (never raises, whatever ``value`` is)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


def _scalar_text(value: object) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if is_missing(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | pd.Timestamp):
        return value.isoformat()
    return str(value)


def _item_text(value: object, depth: int) -> str:
    """Text of a value inside a container; ``depth`` 1 is an item of the cell's own list or dict."""
    if not isinstance(value, _CONTAINERS):
        return _scalar_text(value)
    if depth > 1:
        return json.dumps(
            value.tolist() if isinstance(value, np.ndarray) else value, ensure_ascii=False, default=_scalar_text
        )
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_item_text(v, depth + 1)}" for k, v in value.items())
    return ", ".join(_item_text(v, depth + 1) for v in _ordered(value))


def _ordered(items) -> list:
    if isinstance(items, set | frozenset):  # a set has no order; sorted text keeps files comparable
        return sorted(items, key=_scalar_text)
    return list(items)


def flatten_value(value: object) -> object:
    """A cell value a spreadsheet can hold: containers as text (rules above), missing values as None.

    Scalars other than missing ones are returned unchanged (numbers stay numbers).

    Examples
    --------
    >>> flatten_value(["a", "b"]), flatten_value({"k": 1, "k2": [1, 2]}), flatten_value(float("nan"))
    ('a; b', 'k: 1; k2: 1, 2', None)
    """
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_item_text(v, 1)}" for k, v in value.items())
    if isinstance(value, _CONTAINERS):
        return "; ".join(_item_text(v, 1) for v in _ordered(value))
    return None if is_missing(value) else value


def _csv_cell(value: object) -> object:
    value = flatten_value(value)
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    return neutralise_formula(value)


def csv_ready(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose cells are flat, CSV-safe values (booleans ``true``/``false``, formulas quoted)."""
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_bool_dtype(series.dtype):
            out[col] = series.map(lambda v: "" if is_missing(v) else ("true" if v else "false")).astype(object)
        elif series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            out[col] = series.astype(object).map(_csv_cell)
    return out


def frame_to_csv_text(df: pd.DataFrame) -> str:
    """``df`` as CSV text (no index, CRLF line ends) after :func:`csv_ready`."""
    return csv_ready(df).to_csv(index=False, lineterminator=CSV_LINE_END)


def frame_to_csv_bytes(df: pd.DataFrame) -> bytes:
    """``df`` as CSV bytes, UTF-8 with a BOM so Excel shows Chinese text correctly."""
    return frame_to_csv_text(df).encode("utf-8-sig")


def csv_row(values) -> list:
    """One row for a ``csv.writer``: each value flattened and neutralised (for writers that stream rows)."""
    return [_csv_cell(v) for v in values]


def xlsx_value(value: object) -> tuple[object, bool]:
    """(value for an openpyxl cell, whether it must be a text cell that is never evaluated).

    Containers are flattened, missing values become None, numpy scalars Python ones, timezone-aware
    times naive (Excel has no time zones), characters XML cannot carry a visible ``\\xNN`` escape.
    """
    value = flatten_value(value)
    if isinstance(value, np.generic):
        value = value.item()
        if is_missing(value):
            return None, False
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if isinstance(value, str):
        value = _XML_ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
        return value, is_formula_like(value)
    return value, False
