"""The import panel: upload, preview, validated import and the row-level error report."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from kam_core.errors import UserError
from kam_core.i18n.markup import escape_markdown
from kam_core.permissions import OutOfScope, importable_by
from kam_ui.auth import describe
from kam_ui.data import engine, viewer_identity, viewer_scope
from kam_ui.lang import current_lang, tr

PREVIEW_ROWS = 20


def _save_upload(upload) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="kam_upload_"))
    path = folder / Path(upload.name).name  # keep the name: the error report names the file
    path.write_bytes(upload.getvalue())
    return path


def show_import_panel() -> None:
    """Upload a CSV/XLSX for one table, preview it, import it atomically, show problems per cell."""
    try:
        from kam_core.io.imports import import_table
        from kam_core.io.readers import read_table_file
        from kam_core.io.results import ImportValidationError
        from kam_core.io.validation import IMPORTABLE
    except ImportError as exc:
        st.info(tr("data.import_unavailable", error=str(exc)), icon=":material/info:")
        return
    st.caption(tr("data.import_caption"))
    scope = viewer_scope()
    tables = importable_by(scope, IMPORTABLE)  # kam_core refuses the others anyway
    if not tables:
        st.info(tr("writes.no_tables"), icon=":material/lock:")
        return
    if not scope.is_director:
        st.caption(tr("writes.import_scope_caption", scope=describe(scope, current_lang()), n=len(tables)))
    table = st.selectbox(tr("data.table"), tables, key="import_table")
    upload = st.file_uploader(tr("data.file"), type=["csv", "txt", "tsv", "xlsx", "xlsm"], key="import_file")
    if upload is None:
        return
    path = _save_upload(upload)
    try:
        raw = read_table_file(path)
    except UserError as exc:
        st.error(tr("data.unreadable", error=str(exc)), icon=":material/error:")
        return
    st.caption(tr("data.preview", n=min(PREVIEW_ROWS, len(raw.frame)), total=len(raw.frame)))
    st.dataframe(raw.frame.head(PREVIEW_ROWS), hide_index=True, width="stretch")
    if st.button(tr("data.run_import", table=table), type="primary", icon=":material/upload:"):
        try:
            result = import_table(engine(), path, table, user=viewer_identity(), scope=scope)
        except (ImportValidationError, OutOfScope) as exc:
            key = "writes.refused" if isinstance(exc, OutOfScope) else "data.rejected"
            st.error(tr(key, n=len(exc.problems)), icon=":material/error:")
            st.dataframe(pd.DataFrame([p.__dict__ for p in exc.problems]), hide_index=True, width="stretch")
        except UserError as exc:
            st.error(escape_markdown(exc), icon=":material/error:")
        else:
            st.cache_data.clear()  # the scorecard and dimensions must see the new rows
            st.cache_resource.clear()
            st.success(tr("data.imported", summary=result.summary()), icon=":material/check_circle:")
