"""The Data page's per-import data health: what each import found, in the user's language."""

from __future__ import annotations

import streamlit as st

from kam_core.i18n import format_date
from kam_core.i18n.markup import escape_markdown
from kam_core.io.import_health import describe_import, recent_import_health
from kam_ui.components import empty_state
from kam_ui.data import engine, viewer_identity, viewer_scope
from kam_ui.lang import current_lang, tr, tr_text


def show_import_health(limit: int = 10) -> None:
    """The latest ``limit`` imports, newest first (open), each as the sentences of its data-health record."""
    st.subheader(tr("import_health.title"))
    st.caption(tr("import_health.caption"))
    items = recent_import_health(engine(), limit, viewer_scope(), viewer_identity())
    if not items:
        empty_state("import_health.none")
        return
    lang = current_lang()
    for i, item in enumerate(items):
        at = item["imported_at"]
        when = f"{format_date(at.date(), lang)} {at:%H:%M}" if at is not None else "–"
        heading = tr_text("import_health.heading", when=when, file=item["file_name"])
        with st.expander(escape_markdown(heading), expanded=i == 0):  # a file name such as a_b*.csv is text
            lines = describe_import(item["record"], lang)
            st.markdown(
                "\n".join(f"- {escape_markdown(s)}" for s in lines)
                if lines
                else escape_markdown(tr_text("import_health.no_record"))
            )
