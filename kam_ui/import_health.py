"""The Data page's per-import data health: what each import found, in the user's language."""

from __future__ import annotations

import re

import streamlit as st

from kam_core.i18n import format_date
from kam_core.io.import_health import describe_import, recent_import_health
from kam_ui.components import empty_state
from kam_ui.data import engine
from kam_ui.lang import current_lang, tr

_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~$])")


def _plain(text: str) -> str:
    """Text shown as itself (a file name such as ``a_b*.csv`` is not markdown)."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def show_import_health(limit: int = 10) -> None:
    """The latest ``limit`` imports, newest first (open), each as the sentences of its data-health record."""
    st.subheader(tr("import_health.title"))
    st.caption(tr("import_health.caption"))
    items = recent_import_health(engine(), limit)
    if not items:
        empty_state("import_health.none")
        return
    lang = current_lang()
    for i, item in enumerate(items):
        at = item["imported_at"]
        when = f"{format_date(at.date(), lang)} {at:%H:%M}" if at is not None else "–"
        with st.expander(_plain(tr("import_health.heading", when=when, file=item["file_name"])), expanded=i == 0):
            lines = describe_import(item["record"], lang)
            st.markdown("\n".join(f"- {_plain(s)}" for s in lines) if lines else _plain(tr("import_health.no_record")))
