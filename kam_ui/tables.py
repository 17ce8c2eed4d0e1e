"""One way to show a table to a director: labelled headers, codes as names, figures formatted by kind (#15.2).

:func:`table_view` turns a frame into the copy the browser shows plus its ``column_config``; the kind of each
column comes from :mod:`kam_core.io.column_kinds` (the exports' kinds: one name, one figure, everywhere),
overridden per call. In the browser:

- money totals show as ``¥1,234`` (Streamlit's ``yen`` format: the ``¥`` sign, no decimals, grouped in the
  viewer's locale), prices per case as ``¥3.00``, shares as ``27.7%``, cases and counts as whole numbers, any
  other figure with at most two decimals, dates as ``2026-03-01`` (no ``00:00:00``);
- a code column (channel, tier, value type, ABC…) shows its catalogue name in the viewer's language;
- a missing value shows as "—" (Streamlit would draw ``None``): a figure column with gaps becomes text written
  by the babel helpers of :mod:`kam_core.i18n`, so the gap is a word and the numbers keep their format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from kam_core.i18n import format_money, format_number, format_pct, label, local_names, t
from kam_core.i18n.catalog_loader import load_catalog
from kam_core.io.cells import flatten_value
from kam_core.io.column_kinds import (
    COUNT,
    DATE,
    DATETIME,
    MONEY,
    MONEY_WHOLE,
    NUMBER,
    SHARE,
    column_kind,
)
from kam_ui.lang import current_lang

MONTH = "month"  # a period shown as 2026-03 (a Timestamp at the month's first day, or text)
REGION = "region"  # a region code shown as the region's name in the viewer's language
REP = "rep"  # a rep id shown as the rep's name
CODE = "code:"  # a kind "code:channel" shows a code column by its catalogue names of kind "channel"
CODE_COLUMNS: dict[str, str] = {  # columns that hold a code wherever they appear
    "channel": "channel",
    "value_type": "value_type",
    "pyramid_tier": "pyramid_tier",
    "size_tier": "size_tier",
    "abc_class": "abc_class",
    "role": "role",
}
NAMED_COLUMNS: dict[str, str] = {"region": REGION, "region_id": REGION, "rep": REP, "owner_rep_id": REP}
_FIGURES = (MONEY, MONEY_WHOLE, SHARE, COUNT, NUMBER)
_FORMATS = {MONEY: "yen", MONEY_WHOLE: "yen", SHARE: "percent", COUNT: "localized", NUMBER: "localized"}
_DIGITS = {MONEY: 2, MONEY_WHOLE: 0, COUNT: 0, NUMBER: 2}  # a share keeps its digits: percent rounds it


def missing_word(lang: str | None = None) -> str:
    """The word a table shows for a missing value ("—")."""
    return t("common.none", lang or current_lang())


def header(column: str, labels: Mapping[str, str] | None = None, lang: str | None = None) -> str:
    """The header of ``column``: ``labels[column]``, else the catalogue's ``col.<column>``.

    Raises KeyError for a column without a label: a raw name on a projector is a bug the page tests catch.
    """
    if labels and column in labels:
        return labels[column]
    if f"col.{column}" not in load_catalog():
        raise KeyError(f"no label for table column {column!r}: pass labels= or add col.{column} to the catalogue")
    return t(f"col.{column}", lang or current_lang())


def _is_missing(value: object) -> bool:
    if isinstance(value, list | tuple | dict):
        return False
    return value is None or bool(pd.isna(value))


def _figure_text(value: object, kind: str, lang: str) -> str:
    if _is_missing(value):
        return missing_word(lang)
    number = float(value)  # type: ignore[arg-type]
    if kind in (MONEY, MONEY_WHOLE):
        return format_money(number, lang, compact=False, digits=_DIGITS[kind])
    if kind == SHARE:
        return format_pct(number, lang)
    return format_number(number, lang, _DIGITS[kind])


def _date_text(value: object, with_time: bool, lang: str) -> str:
    if _is_missing(value):
        return missing_word(lang)
    if isinstance(value, str):
        value = pd.Timestamp(value)
    if isinstance(value, dt.datetime):
        return (
            value.strftime("%Y-%m-%d %H:%M") if with_time and value.time() != dt.time(0) else value.date().isoformat()
        )
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _text(value: object, lang: str) -> object:
    if isinstance(value, list | tuple | dict):
        return flatten_value(value)
    if isinstance(value, bool):
        return t("common.yes" if value else "common.no", lang)
    return missing_word(lang) if _is_missing(value) else value


def _names(kind: str, lang: str) -> dict[str, str]:
    """Region code → name or rep id → name in ``lang`` (English falls back to Chinese), for the viewer's scope."""
    from kam_ui.data import dimensions  # the dimensions read the database: imported when a table needs them

    dims = dimensions()
    if kind == REGION:
        frame, key, zh, en = dims.regions, "code", "name_zh", "name_en"
    else:
        frame, key, zh, en = dims.reps, "rep_id", "name", "name_en"
    names = frame[zh] if lang == "zh" else frame[en].where(frame[en].notna() & frame[en].ne(""), frame[zh])
    return dict(zip(frame[key], names, strict=True))


def scope_names(lang: str | None = None) -> dict[str, str]:
    """Region codes and rep ids → names in ``lang`` (a user's scope is either)."""
    lang = lang or current_lang()
    return _names(REGION, lang) | _names(REP, lang)


def _show_column(series: pd.Series, kind: str, title: str, lang: str) -> tuple[pd.Series, object]:
    """One column as shown and its config."""
    if kind.startswith(CODE):
        code_kind = kind[len(CODE) :]
        return series.map(lambda c: missing_word(lang) if _is_missing(c) else label(code_kind, c, lang)), title
    if kind in (REGION, REP):
        names = _names(kind, lang)
        return series.map(lambda c: missing_word(lang) if _is_missing(c) else names.get(c, str(c))), title
    numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)
    if kind in _FIGURES and numeric:
        if series.isna().any():
            return series.map(lambda v: _figure_text(v, kind, lang)), st.column_config.TextColumn(title)
        values = series.round(_DIGITS[kind]) if kind in _DIGITS else series
        if kind == COUNT:
            values = values.astype("int64")  # 14609 cases, not 14609.0
        step = 0.01 if kind == MONEY else None
        return values, st.column_config.NumberColumn(title, format=_FORMATS[kind], step=step)
    if kind == MONTH:
        return series.map(lambda v: missing_word(lang) if _is_missing(v) else pd.Timestamp(v).strftime("%Y-%m")), title
    if kind in (DATE, DATETIME):
        return series.map(lambda v: _date_text(v, kind == DATETIME, lang)), st.column_config.TextColumn(title)
    return series.map(lambda v: _text(v, lang)), st.column_config.Column(title)


def table_view(
    frame: pd.DataFrame,
    labels: Mapping[str, str] | None = None,
    kinds: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, dict]:
    """The copy of ``frame`` a page shows and its ``column_config`` (rules in the module docstring).

    ``labels`` maps a column to its header (else ``col.<column>``); ``kinds`` maps a column to a kind of
    :mod:`kam_core.io.column_kinds` or ``"code:<label kind>"`` (else :data:`CODE_COLUMNS`, else the export
    kinds). An account ``name`` column is written in the viewer's language (``name_en`` in English).
    """
    lang = current_lang()
    if lang == "en":
        frame = with_name_en(frame)
    shown = pd.DataFrame(index=frame.index)
    config: dict = {}
    for col in frame.columns:
        if col == "name_en":
            continue
        kind = (kinds or {}).get(col) or (CODE + CODE_COLUMNS[col] if col in CODE_COLUMNS else NAMED_COLUMNS.get(col))
        series = local_names(frame, lang) if col == "name" else frame[col]
        title = header(str(col), labels, lang)
        shown[col], config[col] = _show_column(series, kind or column_kind(series.rename(str(col))), title, lang)
    return shown, config


def with_name_en(frame: pd.DataFrame, source: pd.DataFrame | None = None) -> pd.DataFrame:
    """``frame`` with the English account names of ``source`` (else the accounts in the viewer's scope), keyed by
    ``account_id``, for a view whose analytics kept only the Chinese ``name``. A row whose ``name`` is not that
    account's Chinese name (a contact's name beside an account id) gets none."""
    if "name_en" in frame or "account_id" not in frame or "name" not in frame:
        return frame
    if source is None:
        from kam_ui.account_components import accounts_in_scope  # cached two minutes; imported late (no cycle)

        source = accounts_in_scope()
    if "name_en" not in source:
        return frame
    known = source.drop_duplicates("account_id").set_index("account_id")
    english = frame["account_id"].map(known["name_en"])
    same = frame["name"].eq(frame["account_id"].map(known["name"])) if "name" in known else True
    return frame.assign(name_en=english.where(same))


def show_table(
    frame: pd.DataFrame,
    labels: Mapping[str, str] | None = None,
    kinds: Mapping[str, str] | None = None,
    key: str | None = None,
    height: int | str = "auto",
    extra_config: Mapping[str, object] | None = None,
) -> None:
    """``st.dataframe`` of :func:`table_view` without the index (``extra_config`` adds or replaces columns' config)."""
    shown, config = table_view(frame, labels, kinds)
    config |= dict(extra_config or {})
    st.dataframe(shown, column_config=config, hide_index=True, width="stretch", height=height, key=key)


def show_matrix(
    matrix: pd.DataFrame,
    row_title: str,
    row_labels: Mapping[object, str],
    column_labels: Mapping[object, str],
    kind: str = COUNT,
    key: str | None = None,
) -> None:
    """A cross table (migration matrix, size × tier): its rows and columns by their names, its cells of one
    kind; the row names form the first column, headed ``row_title``."""
    lang = current_lang()
    body = matrix.copy()
    body.columns = [column_labels.get(c, str(c)) for c in matrix.columns]
    body.insert(0, "_rows", [row_labels.get(r, missing_word(lang) if _is_missing(r) else str(r)) for r in matrix.index])
    labels = {"_rows": row_title} | {c: c for c in body.columns[1:]}
    show_table(body.reset_index(drop=True), labels, dict.fromkeys(body.columns[1:], kind), key=key)
