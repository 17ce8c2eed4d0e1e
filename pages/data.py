"""Data: import with preview and row-level errors, export of the current view, data health."""

import streamlit as st

from kam_core.analytics.inputs import describe_health
from kam_core.views.health import compute_row_counts, list_recent_imports
from kam_ui import current_lang, tr, trn
from kam_ui.admin import show_table_export, show_users
from kam_ui.components import downloads, empty_state
from kam_ui.data import engine, viewer_identity, viewer_scope
from kam_ui.import_health import show_import_health
from kam_ui.importer import show_import_panel, show_recent_imports, show_row_counts
from kam_ui.page import READY_KEY, load_page_data

st.header(tr("data.title"))
tab_import, tab_export, tab_health, tab_users = st.tabs(
    [tr("data.import"), tr("data.export"), tr("data.health"), tr("admin.users")]
)
with tab_import:
    show_import_panel()
page = load_page_data(show_caption=False) if st.session_state.get(READY_KEY) else None
with tab_export:
    if page is None or page.empty:
        empty_state("common.no_rows")
    else:
        from kam_core.analytics.scorecard import scorecard_columns

        table = scorecard_columns(page.rows)
        st.caption(trn("plural.data.export_caption", len(table)))
        downloads({"scorecard": table}, "kam_scorecard", key="data_dl")
    show_table_export()
with tab_health:
    if page is not None:
        st.subheader(tr("data.missing_inputs"))
        notes = describe_health(page.bundle.health, current_lang())
        for note in notes:
            st.markdown(f"- {note}")
        if not notes:
            st.caption(tr("data.no_missing"))
    left, right = st.columns(2)
    with left:
        st.subheader(tr("data.row_counts"))
        if not viewer_scope().is_director:
            st.caption(tr("writes.counts_scoped"))
        counts = compute_row_counts(engine(), scope=viewer_scope())
        show_row_counts(counts)
    with right:
        st.subheader(tr("data.last_imports"))
        if not viewer_scope().is_director:
            st.caption(tr("writes.imports_own"))
        imports = list_recent_imports(engine(), scope=viewer_scope(), user=viewer_identity())
        if imports.empty:
            empty_state("data.no_imports")
        else:
            show_recent_imports(imports)
    show_import_health()
with tab_users:
    show_users()
