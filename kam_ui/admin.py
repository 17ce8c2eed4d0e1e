"""Data page pieces for directors and exporters: scoped multi-table Excel export, user management."""

from __future__ import annotations

import streamlit as st

from kam_core.db.schema import metadata
from kam_core.errors import UserError
from kam_core.i18n.markup import escape_markdown
from kam_core.io.exports import DIRECTOR_ONLY, read_table
from kam_core.scope import ROLES
from kam_core.users import delete_user, list_users, save_user
from kam_ui import data
from kam_ui.auth import sign_in_configured
from kam_ui.components import downloads, empty_state
from kam_ui.lang import lbl_fn, tr, tr_text
from kam_ui.tables import scope_names, show_table

USER_FORM = "user_form"
DEFAULT_TABLES = ["account", "account_contact", "visit", "credit_terms"]


def show_table_export() -> None:
    """Pick tables; download them as one workbook (a sheet per table), limited to the viewer's scope."""
    scope = data.viewer_scope()
    names = sorted(n for n in metadata.tables if scope.is_director or n not in DIRECTOR_ONLY)
    st.subheader(tr("admin.tables_heading"))
    picked = st.multiselect(tr("admin.tables_pick"), names, default=DEFAULT_TABLES, key="export_tables")
    if not picked:
        empty_state("admin.tables_empty")
        return
    frames = {name: read_table(data.engine(), name, scope) for name in picked}
    downloads(frames, "kam_tables", key="tables_dl")


def show_users() -> None:
    """List, add, change and delete users (directors only); every change is audited."""
    scope = data.viewer_scope()
    if not scope.is_director:
        empty_state("admin.users_director_only")
        return
    if not sign_in_configured():
        st.caption(tr("admin.users_local_mode"))
    actor = data.viewer_identity()
    with st.form(key=USER_FORM, clear_on_submit=False):
        email = st.text_input(tr("admin.email"), key="user_email")
        role = st.selectbox(tr("admin.role"), ROLES, format_func=lbl_fn("role"), key="user_role")
        scope_id = st.text_input(tr("admin.scope_id"), key="user_scope")
        name = st.text_input(tr("admin.display_name"), key="user_name")
        save, remove = st.columns(2)
        do_save = save.form_submit_button(tr("admin.save"), icon=":material/person_add:")
        do_delete = remove.form_submit_button(tr("admin.delete"), icon=":material/person_remove:")
    try:
        if do_save:
            save_user(data.engine(), scope, email, role, scope_id.strip() or None, name.strip() or None, actor)
            st.success(tr("admin.saved", email=email.strip().lower()))
        elif do_delete:
            delete_user(data.engine(), scope, email, actor)
            st.success(tr("admin.deleted", email=email.strip().lower()))
    except UserError as exc:
        st.error(escape_markdown(exc))
    users = list_users(data.engine())
    if users.empty:
        empty_state("admin.users_none")
    else:
        labels = {c: tr_text(f"admin.{c}") for c in users.columns} | {"scope_id": tr_text("tables.user_scope")}
        show_table(users.assign(scope_id=users["scope_id"].map(_scope_name)), labels, key="admin_users")


def _scope_name(scope_id: object) -> object:
    """A manager's region or a rep by name, the code beside it (the form asks for the code)."""
    if not isinstance(scope_id, str) or not scope_id:
        return None
    name = scope_names().get(scope_id)
    return f"{name} ({scope_id})" if name and name != scope_id else scope_id
