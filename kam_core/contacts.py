"""Recording a contact and closing a follow-up (issue #14): validated, scoped, transactional, attributed.

A contact (visit, call, message, e-mail, gift) goes to ``contact_log``; naming a follow-up ``task`` and
its ``due_date`` closes it, so the Plan page no longer lists it as open or overdue. Everyone may
record contacts on the accounts they see (a rep: their own; a manager: their region's), as they
record visits; one ``audit_log`` row per written field names who did it. A refusal writes nothing.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Engine, insert, select

from kam_core.analytics.follow_ups import KINDS
from kam_core.db.schema import CONTACT_TYPES, account, audit_log, contact_log
from kam_core.errors import NotAuthorised, UserError
from kam_core.permissions import check_action
from kam_core.scope import Scope

_TASK = re.compile(r"^(greeting|survey|contact|holiday:[a-z_]+:\d{4}|invite_promo:[^\s:]+|invite_product:[^\s:]+)$")
EARLIEST = dt.date(2000, 1, 1)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _as_date(value, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise UserError(f"{field}: {value!r} is not a date (expected YYYY-MM-DD); nothing was written") from None


def _clean(values: dict, today: dt.date) -> dict:
    kind = values.get("contact_type")
    if kind not in CONTACT_TYPES:
        raise UserError(f"contact_type: {kind!r} is not one of {', '.join(CONTACT_TYPES)}; nothing was written")
    day = _as_date(values.get("contact_date", today), "contact_date")
    if not EARLIEST <= day <= today:
        raise UserError(
            f"contact_date: {day.isoformat()} must be between {EARLIEST} and today ({today}); nothing was written"
        )
    task, due = values.get("task") or None, values.get("due_date")
    if task is not None and (not _TASK.match(str(task)) or len(str(task)) > 48):
        raise UserError(f"task: {task!r} is not a follow-up ({', '.join(KINDS)}); nothing was written")
    if (task is None) != (due in (None, "")):
        raise UserError(
            "task and due_date: a follow-up is closed by naming both, a plain contact by neither; nothing was written"
        )
    note = (values.get("note") or "").strip() or None
    if note is not None and len(note) > 2000:
        raise UserError(f"note: {len(note)} characters, at most 2000; nothing was written")
    return {
        "contact_type": kind,
        "contact_date": day,
        "task": task,
        "due_date": None if task is None else _as_date(due, "due_date"),
        "note": note,
    }


def record_contact(
    engine: Engine, account_id: str, values: dict, user: str, scope: Scope, today: dt.date | None = None
) -> int:
    """Write one contact, closing the follow-up it names; returns the new ``contact_log_id``.

    Parameters
    ----------
    engine
        The database.
    account_id
        The account contacted.
    values
        ``contact_type`` (:data:`kam_core.db.schema.CONTACT_TYPES`), ``contact_date`` (default today, not in the
        future), optional ``note``, and ``task`` with ``due_date`` to close that follow-up.
    user
        Who records it (the signed-in e-mail).
    scope
        The viewer's scope; the account must be in it.

    Raises
    ------
    UserError
        A field is invalid, the account is unknown, or the follow-up was already closed.
    NotAuthorised
        The account is outside the viewer's scope.
    """
    check_action(scope, "account_card")
    today = today or dt.date.today()
    row = _clean(values, today)
    user = (user or "").strip()[:64]
    if not user:
        raise UserError("user: nobody is signed in; nothing was written")
    with engine.begin() as conn:
        owner = conn.execute(
            select(account.c.owner_rep_id).where(account.c.account_id == account_id, scope.account_clause())
        ).first()
        if owner is None:
            if conn.execute(select(account.c.account_id).where(account.c.account_id == account_id)).first() is None:
                raise UserError(f"account_id: {account_id!r} is not an account; nothing was written")
            raise NotAuthorised(
                f"{scope} may not record contacts of account {account_id}: outside your scope; nothing was written"
            )
        if row["task"] is not None:
            _refuse_closed_twice(conn, account_id, row)
        rep = scope.scope_id if scope.role == "rep" else owner.owner_rep_id
        new = {**row, "account_id": account_id, "rep_id": rep, "created_by": user, "created_at": _now()}
        cid = conn.execute(insert(contact_log).values(**new).returning(contact_log.c.contact_log_id)).scalar_one()
        conn.execute(insert(audit_log), _audit_rows(row, f"{account_id}:{cid}", user))
    return int(cid)


def _audit_rows(row: dict, key: str, user: str) -> list[dict]:
    """One audit entry per written field of the contact."""
    stamp = _now()
    return [
        {
            "changed_at": stamp,
            "changed_by": user,
            "table_name": "contact_log",
            "record_key": key,
            "action": "insert",
            "field": f,
            "old_value": None,
            "new_value": str(row[f]),
        }
        for f in ("contact_type", "contact_date", "task", "due_date", "note")
        if row[f] is not None
    ]


def _refuse_closed_twice(conn, account_id: str, row: dict) -> None:
    done = conn.execute(
        select(contact_log.c.created_by, contact_log.c.created_at).where(
            contact_log.c.account_id == account_id,
            contact_log.c.task == row["task"],
            contact_log.c.due_date == row["due_date"],
        )
    ).first()
    if done is not None:
        raise UserError(
            f"task {row['task']} (due {row['due_date']}) of account {account_id} was already closed by "
            f"{done.created_by} at {done.created_at:%Y-%m-%d %H:%M}; nothing was written"
        )
