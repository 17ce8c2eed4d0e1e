"""Sign-in identities mapped to a role and scope (docs/DESIGN.md §6), managed by a director.

The dashboard signs people in with Streamlit's ``st.login`` (OIDC) when configured; the e-mail of the
identity is looked up here. Anyone signed in but not listed sees nothing. Without sign-in configured
the embedded default runs as one local director.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
from sqlalchemy import Engine, delete, insert, select, update

from kam_core.db.schema import app_user, audit_log, region, sales_rep
from kam_core.errors import NotAuthorised, UserError
from kam_core.permissions import check_action
from kam_core.scope import ROLES, Scope

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,120}\.[^@\s]{2,}$")


__all__ = ["NotAuthorised", "check_action", "delete_user", "list_users", "save_user", "scope_for_identity"]


def list_users(engine: Engine) -> pd.DataFrame:
    """All users with their role and scope id, sorted by e-mail."""
    with engine.connect() as conn:
        rows = conn.execute(select(app_user).order_by(app_user.c.email)).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in app_user.c])


def scope_for_identity(engine: Engine, email: str | None) -> Scope | None:
    """The scope of a signed-in identity, or None if the e-mail is not a known user."""
    if not email:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            select(app_user.c.role, app_user.c.scope_id).where(app_user.c.email == email.strip().lower())
        ).first()
    if row is None:
        return None
    return Scope(row.role, row.scope_id or "*")


def _validate(engine: Engine, email: str, role: str, scope_id: str | None) -> tuple[str, str | None]:
    email = (email or "").strip().lower()
    if not _EMAIL.match(email):
        raise UserError(f"email: {email!r} is not an e-mail address")
    if role not in ROLES:
        raise UserError(f"role: {role!r} is not one of {', '.join(ROLES)}")
    if role == "director":
        return email, None
    if not scope_id:
        raise UserError(f"scope_id: a {role} needs {'a region code' if role == 'manager' else 'a rep id'}")
    table, col = (region, region.c.code) if role == "manager" else (sales_rep, sales_rep.c.rep_id)
    with engine.connect() as conn:
        if conn.execute(select(col).where(col == scope_id)).first() is None:
            raise UserError(f"scope_id: {scope_id!r} is not a known {'region code' if role == 'manager' else 'rep id'}")
    return email, scope_id


def save_user(
    engine: Engine,
    actor: Scope,
    email: str,
    role: str,
    scope_id: str | None = None,
    display_name: str | None = None,
    actor_name: str = "local",
) -> None:
    """Add or change a user; directors only. Written with an audit row in one transaction.

    Raises
    ------
    NotAuthorised
        If ``actor`` is not a director.
    UserError
        If the e-mail, role or scope id is not valid.
    """
    check_action(actor, "users")
    email, scope_id = _validate(engine, email, role, scope_id)
    values = {"role": role, "scope_id": scope_id, "display_name": display_name}
    with engine.begin() as conn:
        old = conn.execute(select(app_user).where(app_user.c.email == email)).mappings().first()
        if old is None:
            conn.execute(insert(app_user).values(email=email, **values))
        else:
            conn.execute(update(app_user).where(app_user.c.email == email).values(**values))
        conn.execute(
            insert(audit_log).values(
                changed_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                changed_by=actor_name,
                table_name="app_user",
                record_key=email,
                action="insert" if old is None else "update",
                field="role",
                old_value=None if old is None else f"{old['role']}:{old['scope_id'] or '*'}",
                new_value=f"{role}:{scope_id or '*'}",
            )
        )


def delete_user(engine: Engine, actor: Scope, email: str, actor_name: str = "local") -> None:
    """Remove a user; directors only."""
    check_action(actor, "users")
    email = (email or "").strip().lower()
    with engine.begin() as conn:
        gone = conn.execute(delete(app_user).where(app_user.c.email == email)).rowcount
        if not gone:
            raise UserError(f"email: no user {email!r}")
        conn.execute(
            insert(audit_log).values(
                changed_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                changed_by=actor_name,
                table_name="app_user",
                record_key=email,
                action="delete",
            )
        )
