"""Assigning an account's owner (rep): scoped, transactional, attributed (issue #14).

A director may hand any account to any active rep; a manager only an account in their region to a
rep of their region (kam_core.scope.Scope.rep_clause), because handing it to a rep elsewhere would
show it to that rep; a rep may not reassign at all. In one transaction the account's owner and
version change, the open ``account_owner_history`` row is closed and a new one opened, and one
``audit_log`` row names who changed it, from whom to whom. A refusal writes nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Engine, insert, select, update

from kam_core.db.schema import account, account_owner_history, audit_log, sales_rep
from kam_core.errors import NotAuthorised, UserError
from kam_core.permissions import check_action
from kam_core.profile.edit import lock_account
from kam_core.profile.read import AccountNotFound
from kam_core.scope import Scope


class _Unchanged(Exception):
    """Raised inside the transaction to roll back the version bump of a no-op assignment."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _check_rep(conn: Connection, rep_id: str, scope: Scope, today: dt.date) -> None:
    row = conn.execute(select(sales_rep.c.rep_id, sales_rep.c.active_to).where(sales_rep.c.rep_id == rep_id)).first()
    if row is None:
        raise UserError(f"rep_id: {rep_id!r} is not a rep; nothing was written")
    if row.active_to is not None and row.active_to < today:
        raise UserError(f"rep_id: {rep_id!r} left on {row.active_to.isoformat()}; nothing was written")
    allowed = conn.execute(select(sales_rep.c.rep_id).where(sales_rep.c.rep_id == rep_id, scope.rep_clause())).first()
    if allowed is None:
        raise NotAuthorised(
            f"{scope} may not hand an account to rep {rep_id}: not a rep of your region; nothing was written"
        )


def _history(conn: Connection, account_id: str, old: str | None, new: str, today: dt.date) -> None:
    """Close the open history rows and open the new owner's (reopened if they already held it today)."""
    h = account_owner_history
    conn.execute(
        update(h).where(h.c.account_id == account_id, h.c.valid_to.is_(None), h.c.rep_id != new).values(valid_to=today)
    )
    same_day = conn.execute(
        update(h).where(h.c.account_id == account_id, h.c.rep_id == new, h.c.valid_from == today).values(valid_to=None)
    ).rowcount
    if not same_day:
        conn.execute(insert(h).values(account_id=account_id, rep_id=new, valid_from=today, valid_to=None))


def assign_owner(
    engine: Engine, account_id: str, rep_id: str, user: str, scope: Scope, today: dt.date | None = None
) -> bool:
    """Make ``rep_id`` the owner of ``account_id``; returns False when they already own it (nothing written).

    Parameters
    ----------
    engine
        The database.
    account_id, rep_id
        The account and its new owner.
    user
        Who assigns (the signed-in e-mail), written to ``audit_log.changed_by``.
    scope
        The viewer's scope: a director anything, a manager within their region, a rep never.
    today
        The date the new ownership starts (default: today).

    Raises
    ------
    NotAuthorised
        A rep; a manager with an account or a rep outside their region.
    UserError
        An unknown account or rep, a rep who has left, or no user named.
    """
    check_action(scope, "assign_owner")
    today = today or dt.date.today()
    user = (user or "").strip()[:64]
    if not user:
        raise UserError("user: nobody is signed in; nothing was written")
    try:
        _write(engine, account_id, rep_id, user, scope, today)
    except _Unchanged:
        return False
    return True


def _write(engine: Engine, account_id: str, rep_id: str, user: str, scope: Scope, today: dt.date) -> None:
    with engine.begin() as conn:
        try:  # the write first, as every card edit: the lock before any read; not found or out of scope
            lock_account(conn, account_id, scope)
        except AccountNotFound:
            exists = conn.execute(select(account.c.account_id).where(account.c.account_id == account_id)).first()
            if exists is None:
                raise UserError(f"account_id: {account_id!r} is not an account; nothing was written") from None
            raise NotAuthorised(
                f"{scope} may not reassign account {account_id}: outside your region; nothing was written"
            ) from None
        old = conn.execute(select(account.c.owner_rep_id).where(account.c.account_id == account_id)).scalar()
        _check_rep(conn, rep_id, scope, today)
        if old == rep_id:
            raise _Unchanged  # the version bump is rolled back too
        conn.execute(update(account).where(account.c.account_id == account_id).values(owner_rep_id=rep_id))
        _history(conn, account_id, old, rep_id, today)
        conn.execute(
            insert(audit_log).values(
                changed_at=_now(),
                changed_by=user,
                table_name="account",
                record_key=account_id,
                action="update",
                field="owner_rep_id",
                old_value=old,
                new_value=rep_id,
            )
        )


__all__ = ["assign_owner"]
