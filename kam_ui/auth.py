"""Who is looking: Streamlit sign-in (OIDC via ``st.login``) when configured, else one local director.

Sign-in is on when ``.streamlit/secrets.toml`` has an ``[auth]`` section. The identity's e-mail is looked up
in the users table (kam_core.users); an unlisted identity sees nothing. The viewer's Scope is then applied
by kam_core to every query, export and simulation.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from sqlalchemy import Engine

from kam_core.i18n import t
from kam_core.i18n.markup import escape_markdown
from kam_core.scope import DIRECTOR, Scope
from kam_core.users import list_users, scope_for_identity

LOCAL_IDENTITY = "local-director"  # who writes in the embedded single-user mode (audit and import logs)


@dataclass(frozen=True)
class Viewer:
    scope: Scope
    name: str
    signed_in: bool  # False: the embedded single local director
    email: str = LOCAL_IDENTITY  # written to audit_log.changed_by, import_log.imported_by, scenario_run.created_by


def sign_in_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets.toml at all
        return False
    except Exception:  # noqa: BLE001 - a malformed secrets file must not take the app down
        return False


def describe(scope: Scope, lang: str) -> str:
    """The viewer's scope in words, e.g. "Manager: region R01 and below"."""
    return t(f"auth.role_{scope.role}", lang, id=scope.scope_id)


def current_viewer(engine: Engine, lang: str) -> Viewer:
    """Return the viewer, or stop the script with a sign-in prompt / a no-access notice."""
    if not sign_in_configured():
        return Viewer(DIRECTOR, "local", signed_in=False, email=LOCAL_IDENTITY)
    identity = st.user.to_dict()  # to_dict: AppTest and older sessions carry no is_logged_in attribute
    if not identity.get("is_logged_in"):
        st.title(t("auth.sign_in_title", lang))
        st.write(t("auth.sign_in_body", lang))
        st.button(t("auth.sign_in", lang), on_click=st.login, icon=":material/login:")
        st.stop()
    email = str(identity.get("email") or "").strip().lower()
    scope = scope_for_identity(engine, email)
    if scope is None:
        st.warning(t("auth.not_listed", lang, email=escape_markdown(email or "?")))
        if list_users(engine).empty:  # nobody could ever add anyone from here: say how to start
            st.info(t("writes.no_users_yet", lang), icon=":material/key:")
        st.button(t("auth.sign_out", lang), on_click=st.logout)
        st.stop()
    return Viewer(scope, str(identity.get("name") or email), signed_in=True, email=email)


def sidebar_viewer(viewer: Viewer, lang: str) -> None:
    """Say in the sidebar who is looking and what they can see."""
    if not viewer.signed_in:
        st.sidebar.caption(t("app.scope_director_local", lang))
        return
    st.sidebar.caption(
        t(
            "auth.signed_in_as",
            lang,
            name=escape_markdown(viewer.name),
            scope=escape_markdown(describe(viewer.scope, lang)),
        )
    )
    st.sidebar.button(t("auth.sign_out", lang), on_click=st.logout, icon=":material/logout:")
