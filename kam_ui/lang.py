"""The current language and ``tr()``: the catalogue's ``t()`` bound to it."""

from __future__ import annotations

import os
from collections.abc import Callable
from numbers import Number

import streamlit as st

from kam_core.i18n import label, t, tn
from kam_core.i18n.markup import escape_markdown

LANG_KEY = "lang"  # the widget key, which is also the URL parameter name (public contract)


def default_lang() -> str:
    """``KAM_DEFAULT_LANG`` if set, else the browser's language (zh unless it asks for something else)."""
    forced = os.environ.get("KAM_DEFAULT_LANG", "").strip().lower()
    if forced in ("zh", "en"):
        return forced
    try:
        locale = (st.context.locale or "").lower()
    except Exception:  # noqa: BLE001 - no browser context (bare script, tests): fall back
        locale = ""
    return "en" if locale and not locale.startswith("zh") else "zh"


def current_lang() -> str:
    """The language chosen in the sidebar (bound to ``?lang=``), else the default."""
    value = st.session_state.get(LANG_KEY)
    if value in ("zh", "en"):
        return value
    linked = st.query_params.get(LANG_KEY)  # a link's ?lang= before the bound radio has registered
    return linked if linked in ("zh", "en") else default_lang()


def md_args(fmt: dict[str, object]) -> dict[str, object]:
    """Format values made safe for markdown: names, notes, link values and error messages are escaped
    (kam_core.i18n.markup); numbers stay numbers so that ``{share:.0%}`` still formats."""
    return {k: v if v is None or isinstance(v, Number) else escape_markdown(v) for k, v in fmt.items()}


def tr(key: str, **fmt: object) -> str:
    """``t(key, current language, **fmt)`` for markdown places (st.markdown, captions, alerts, toasts,
    headers, metric/tab/expander/widget labels, help): the template's markdown stays, the values are
    escaped, so a hostile account name or link parameter shows as text, never as a link or an image."""
    return t(key, current_lang(), **md_args(fmt))


def tr_text(key: str, **fmt: object) -> str:
    """``t(key, current language, **fmt)`` with the values as they are, for plain-text places that do
    not render markdown (table cells, selectbox options, chart labels, file names)."""
    return t(key, current_lang(), **fmt)


def trn(key: str, n: float | int, /, **fmt: object) -> str:
    """The count text ``tn(key, n, current language, **fmt)`` ("1 account", "2 accounts") for markdown
    places, the values escaped as in :func:`tr`."""
    return tn(key, n, current_lang(), **md_args(fmt))


def trn_text(key: str, n: float | int, /, **fmt: object) -> str:
    """:func:`trn` with the values as they are, for plain-text places (chart labels, table cells)."""
    return tn(key, n, current_lang(), **fmt)


def lbl(kind: str, code: object) -> str:
    """The display name of a code in the current language (``lbl("channel", "KA")``)."""
    return label(kind, code, current_lang())


# Widget ``format_func``s bind the language when the widget is drawn: Streamlit (and its AppTest) may
# call them later, outside the script run, where ``current_lang()`` would fall back to the default and
# the formatted value would no longer match the drawn options.
def lbl_fn(kind: str) -> Callable[[object], str]:
    """``format_func`` that shows a code's display name in the language of this run."""
    lang = current_lang()
    return lambda code: label(kind, code, lang)


def trn_fn(key: str) -> Callable[[float | int], str]:
    """A function of a count that writes the count text ``key`` in the language of this run (chart labels)."""
    lang = current_lang()
    return lambda n: tn(key, n, lang)


def tr_fn(prefix: str) -> Callable[[object], str]:
    """``format_func`` that shows ``t(prefix + value)`` in the language of this run."""
    lang = current_lang()
    return lambda value: t(f"{prefix}{value}", lang)
