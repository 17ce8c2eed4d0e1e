"""The import panel: upload, preview, validated import and the row-level error report."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from kam_core.errors import UserError
from kam_core.i18n.markup import escape_markdown
from kam_core.io.column_kinds import COUNT, TEXT
from kam_core.io.import_health import describe_import, table_record
from kam_core.permissions import NotAuthorised, OutOfScope, check_action, importable_by
from kam_ui.account_components import forget_accounts
from kam_ui.auth import describe
from kam_ui.data import data_changed, engine, store_default_views, viewer_identity, viewer_scope
from kam_ui.erp_importer import show_erp_import, show_problems
from kam_ui.lang import current_lang, lbl, lbl_fn, tr, tr_fn, tr_text
from kam_ui.tables import CODE, show_table

PREVIEW_ROWS = 20
COPY_BLOCK = 1 << 20
UPLOADS_KEY = "import_uploads"  # upload id -> its temporary file


def _save_upload(upload) -> Path:
    """The upload written once to a temporary file (streamed, not copied into memory again), reused on reruns."""
    saved = st.session_state.setdefault(UPLOADS_KEY, {})
    key = getattr(upload, "file_id", None) or f"{upload.name}:{upload.size}"
    if key in saved and Path(saved[key]).is_file():
        return Path(saved[key])
    folder = Path(tempfile.mkdtemp(prefix="kam_upload_"))
    path = folder / Path(upload.name).name  # keep the name: the error report names the file
    upload.seek(0)
    with open(path, "wb") as fh:
        shutil.copyfileobj(upload, fh, COPY_BLOCK)
    saved[key] = str(path)
    return path


def _preview(path: Path) -> pd.DataFrame:
    """The first rows only: the file is read in full once, by the import."""
    from kam_core.io.readers import iter_chunks

    _, frames, _ = iter_chunks(path, PREVIEW_ROWS)
    try:
        return next(frames, pd.DataFrame())
    finally:
        frames.close()


def _may_import_erp(scope) -> bool:
    try:
        check_action(scope, "import-transactions")
    except NotAuthorised:
        return False
    return True


def show_import_panel() -> None:
    """Upload a CSV/XLSX for one table, preview it, import it atomically, show problems per cell."""
    try:
        from kam_core.io.imports import import_table
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
    erp = _may_import_erp(scope)
    kind = st.radio(
        tr("erp_import.kind"),
        ("erp", "table") if erp else ("table",),
        format_func=tr_fn("erp_import.kind_"),
        horizontal=True,
        key="import_kind",
    )
    table = None
    if kind == "table":
        table = st.selectbox(tr("data.table"), tables, format_func=lbl_fn("table"), key="import_table")
    upload = st.file_uploader(tr("data.file"), type=["csv", "txt", "tsv", "xlsx", "xlsm"], key="import_file")
    if upload is None:
        return
    path = _save_upload(upload)
    try:
        head = _preview(path)
    except UserError as exc:
        st.error(tr("data.unreadable", error=str(exc)), icon=":material/error:")
        return
    st.caption(tr("import_health.preview_head", n=len(head)))
    st.dataframe(head, hide_index=True, width="stretch")
    if table is None:
        show_erp_import(path, head)
        return
    if st.button(tr("data.run_import", table=lbl("table", table)), type="primary", icon=":material/upload:"):
        try:
            result = import_table(engine(), path, table, user=viewer_identity(), scope=scope)
        except (ImportValidationError, OutOfScope) as exc:
            key = "writes.refused" if isinstance(exc, OutOfScope) else "data.rejected"
            st.error(tr(key, n=len(exc.problems)), icon=":material/error:")
            show_problems(exc.problems)
        except UserError as exc:
            st.error(escape_markdown(exc), icon=":material/error:")
        else:
            data_changed()  # the scorecard and dimensions must see the new rows (the engine's pool stays)
            with st.spinner(tr("perf.storing_views")):
                store_default_views()  # the Overview (here or on any server) then opens from the stored result
            forget_accounts()
            st.success(tr("erp_import.done"), icon=":material/check_circle:")
            st.markdown(
                "\n".join(
                    f"- {escape_markdown(s)}"
                    for s in describe_import(result.details or table_record(result), current_lang())
                )
            )


def _browser_timezone() -> str:
    """The viewer's time zone as the browser reports it (UTC when there is no browser, as in tests)."""
    try:
        zone = st.context.timezone
    except Exception:  # noqa: BLE001 - no browser context
        zone = None
    return zone or "UTC"


def show_row_counts(counts: pd.DataFrame) -> None:
    """Rows per table, the tables named in words."""
    labels = {"table": tr_text("data.col_table"), "rows": tr_text("data.col_rows")}
    shown = counts[["table", "rows"]].rename(columns=labels)  # the frame's own columns read as the headers
    kinds = {labels["table"]: CODE + "table", labels["rows"]: COUNT}
    show_table(shown, {c: c for c in shown.columns}, kinds, key="data_counts")


def show_recent_imports(imports: pd.DataFrame) -> None:
    """The latest imports with labelled columns: when (local time), who, which file, into what, how many rows."""
    names = {c: tr_text(f"imports_table.{c}") for c in imports.columns}
    stamps = pd.to_datetime(imports["imported_at"]).dt.tz_localize("UTC")  # import_log keeps UTC
    shown = imports.assign(imported_at=stamps.dt.tz_convert(_browser_timezone()).dt.strftime("%Y-%m-%d %H:%M"))
    kinds = {names["target"]: CODE + "table", names["imported_at"]: TEXT}
    shown = shown.rename(columns=names)  # the frame's own columns read as the headers
    show_table(shown, {c: c for c in shown.columns}, kinds, key="data_imports")
