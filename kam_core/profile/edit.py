"""Edits to the account card: validated, transactional, checked per field and audited.

Every edit names ``seen_mark``, the newest audit id when the editor opened the form (:func:`edit_mark`).
In one transaction it first bumps ``account.version`` (the first statement, so on SQLite it takes the
write lock before any read, and on PostgreSQL the row lock serialises writers of the account). Adding
a record (a visit, a survey answer, a contact, a plan item) never conflicts with anything. Changing
fields (basic data, capabilities, a contact, a plan item) is refused only for a *real* conflict: a
field being changed that someone else changed to another value after ``seen_mark`` (an ``audit_log``
row on the same record and field); the refusal names both values, who and when, and writes nothing.
So a visit logged by one person no longer blocks another person's capability edit. Then it writes the
change and one ``audit_log`` row per field. Validation runs before the transaction opens.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Connection, Engine, delete, insert, select, update

from kam_core.db.schema import (
    CONTACT_LEVELS,
    account,
    account_capability,
    account_contact,
    audit_log,
    survey_response,
    visit,
)
from kam_core.errors import UserError
from kam_core.permissions import check_action
from kam_core.profile import validate as v
from kam_core.profile.conflicts import (  # noqa: F401  (re-exported: kam_core.profile, kam_core.profile.plan)
    ConcurrentEditError,
    FieldConflict,
    _conflicts_raise,
    _text,
    check_fields,
    edit_mark,
)
from kam_core.profile.read import AccountNotFound
from kam_core.scope import DIRECTOR, Scope


class _NoChange(Exception):
    """Raised inside the transaction to roll back an edit that changes nothing."""


Work = Callable[[Connection], list[dict]]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def audit_row(table: str, key: str, action: str, field: str | None = None, old=None, new=None) -> dict:
    """One audit entry (changed_by/changed_at are stamped when the edit commits)."""
    return {
        "table_name": table,
        "record_key": key[:80],
        "action": action,
        "field": field,
        "old_value": _text(old),
        "new_value": _text(new),
    }


def lock_account(conn: Connection, account_id: str, scope: Scope) -> int:
    """Bump the account's change counter first (every write to an account starts here): on SQLite it takes the write lock before any read, on
    PostgreSQL the row lock serialises writers of this account, so the field check below sees every commit."""
    bumped = conn.execute(
        update(account)
        .where(account.c.account_id == account_id, scope.account_clause())
        .values(version=account.c.version + 1)
    ).rowcount
    if bumped != 1:
        raise AccountNotFound(f"account: {account_id!r} is not an account you can edit")
    return int(conn.execute(select(account.c.version).where(account.c.account_id == account_id)).scalar_one())


def _locked_edit(engine: Engine, account_id: str, user: str, scope: Scope, work: Work) -> int:
    """Run ``work`` in one transaction holding the account's lock; returns the account's version after it.

    ``work`` raises :class:`ConcurrentEditError` (from :func:`check_fields`) to roll back on a real conflict.
    """
    check_action(scope, "account_card")  # every role; the account itself must be in scope (below)
    user = v.to_text(user, "user", 64)
    try:
        with engine.begin() as conn:
            version = lock_account(conn, account_id, scope)
            rows = work(conn)
            if not rows:
                raise _NoChange
            stamp = _now()
            conn.execute(insert(audit_log), [{**r, "changed_by": user, "changed_at": stamp} for r in rows])
    except _NoChange:
        return version - 1
    return version


def add_visit(
    engine: Engine,
    account_id: str,
    seen_mark: int,
    user: str,
    values: dict,
    scope: Scope = DIRECTOR,
    today: dt.date | None = None,
) -> int:
    """Record a visit (date not in the future, duration 1-600 min, contact level from the list).

    Returns
    -------
    int
        The account's new version.

    Raises
    ------
    UserError
        A field is invalid (nothing is written).
    ConcurrentEditError
        Never for an addition (a new visit conflicts with nothing); field edits raise it when a field
        being changed was changed by someone else after ``seen_mark`` (:func:`edit_mark`).
    """
    row = v.clean_visit(values, today or dt.date.today())
    return _insert_visit(engine, account_id, seen_mark, user, row, scope)


def add_negotiation_note(
    engine: Engine,
    account_id: str,
    seen_mark: int,
    user: str,
    values: dict,
    scope: Scope = DIRECTOR,
    today: dt.date | None = None,
) -> int:
    """Record a negotiation (a visit of type ``negotiation`` with a required note); returns the new version."""
    row = v.clean_visit({"duration_min": 60, **values}, today or dt.date.today(), negotiation=True)
    return _insert_visit(engine, account_id, seen_mark, user, row, scope)


def _insert_visit(engine: Engine, account_id: str, seen_mark: int, user: str, row: dict, scope: Scope) -> int:
    def work(conn: Connection) -> list[dict]:
        rep = (
            row["rep_id"]
            or conn.execute(select(account.c.owner_rep_id).where(account.c.account_id == account_id)).scalar()
        )
        new = {**row, "account_id": account_id, "rep_id": rep, "created_by": user}
        visit_id = conn.execute(insert(visit).values(**new).returning(visit.c.visit_id)).scalar_one()
        key = f"{account_id}:{visit_id}"
        return [
            audit_row("visit", key, "insert", name, None, new[name])
            for name in ("visit_date", "visit_type", "duration_min", "contact_level", "note")
            if new[name]
        ]

    return _locked_edit(engine, account_id, user, scope, work)


def add_survey_response(
    engine: Engine,
    account_id: str,
    seen_mark: int,
    user: str,
    values: dict,
    scope: Scope = DIRECTOR,
    today: dt.date | None = None,
) -> int:
    """Record a satisfaction response (NPS 0-10 and/or CSAT 1-5); returns the new version."""
    row = v.clean_survey(values, today or dt.date.today())

    def work(conn: Connection) -> list[dict]:
        rid = conn.execute(
            insert(survey_response).values(account_id=account_id, **row).returning(survey_response.c.response_id)
        ).scalar_one()
        return [
            audit_row("survey_response", f"{account_id}:{rid}", "insert", name, None, row[name])
            for name in ("response_date", "respondent_role", "nps_0_10", "csat_1_5", "comment")
            if row[name] is not None
        ]

    return _locked_edit(engine, account_id, user, scope, work)


def _contact_row(conn: Connection, account_id: str, contact_id: int) -> dict:
    old = (
        conn.execute(
            select(account_contact).where(
                account_contact.c.contact_id == contact_id, account_contact.c.account_id == account_id
            )
        )
        .mappings()
        .first()
    )
    if old is None:
        raise UserError(f"contact_id: {contact_id!r} is not a contact of account {account_id}")
    return dict(old)


def upsert_contact(
    engine: Engine,
    account_id: str,
    seen_mark: int,
    user: str,
    values: dict,
    scope: Scope = DIRECTOR,
    today: dt.date | None = None,
) -> int:
    """Add a contact, or change one when ``values['contact_id']`` is set; returns the new version.

    A change may give only the fields the user changed (the others stay as they are now, so a field someone
    else changed meanwhile is not overwritten with the stale value the form still showed).
    """
    contact_id = values.get("contact_id")
    contact_id = (
        None if contact_id in (None, "") else int(v.to_number(contact_id, "contact_id", 1, 2**31, integer=True))
    )
    if contact_id is None:
        row = v.clean_contact(values, today or dt.date.today())
    else:  # name and level are required of a new contact only; fill them to validate, then keep what was given
        given = [k for k in values if k != "contact_id"]
        row = v.clean_contact({"name": "-", "level": CONTACT_LEVELS[0], **values}, today or dt.date.today())
        row = {k: val for k, val in row.items() if k in given}

    def work(conn: Connection) -> list[dict]:
        if contact_id is None:
            new_id = conn.execute(
                insert(account_contact).values(account_id=account_id, **row).returning(account_contact.c.contact_id)
            ).scalar_one()
            return [
                audit_row("account_contact", f"{account_id}:{new_id}", "insert", name, None, row[name])
                for name in row
                if row[name] is not None
            ]
        old = _contact_row(conn, account_id, contact_id)
        changed = {k: val for k, val in row.items() if _text(old[k]) != _text(val)}
        _conflicts_raise(
            account_id, check_fields(conn, "account_contact", f"{account_id}:{contact_id}", seen_mark, changed)
        )
        if changed:
            conn.execute(update(account_contact).where(account_contact.c.contact_id == contact_id).values(**changed))
        return [
            audit_row("account_contact", f"{account_id}:{contact_id}", "update", k, old[k], val)
            for k, val in changed.items()
        ]

    return _locked_edit(engine, account_id, user, scope, work)


def delete_contact(
    engine: Engine, account_id: str, seen_mark: int, user: str, contact_id: int, scope: Scope = DIRECTOR
) -> int:
    """Remove a contact (its last values are kept in the audit trail); returns the new version."""
    contact_id = int(v.to_number(contact_id, "contact_id", 1, 2**31, integer=True))

    def work(conn: Connection) -> list[dict]:
        old = _contact_row(conn, account_id, contact_id)
        conn.execute(delete(account_contact).where(account_contact.c.contact_id == contact_id))
        return [
            audit_row("account_contact", f"{account_id}:{contact_id}", "delete", k, old[k], None)
            for k in ("name", "level", "role", "phone", "authority", "personality", "hobbies", "email")
            if old[k] is not None
        ]

    return _locked_edit(engine, account_id, user, scope, work)


def update_capabilities(
    engine: Engine,
    account_id: str,
    seen_mark: int,
    user: str,
    values: dict,
    scope: Scope = DIRECTOR,
    today: dt.date | None = None,
) -> int:
    """Record an assessment of the six capabilities dated today (a new row keeps the history).

    Fields left blank keep the previous assessment's value. Returns the new version.
    """
    today = today or dt.date.today()
    row = v.clean_capabilities(values)

    def work(conn: Connection) -> list[dict]:
        found = (
            conn.execute(
                select(account_capability)
                .where(account_capability.c.account_id == account_id)
                .order_by(account_capability.c.assessed_on.desc())
                .limit(1)
            )
            .mappings()
            .first()
        )
        prev = dict(found) if found else {}
        merged = {k: (val if val is not None else prev.get(k)) for k, val in row.items()}
        changed = {k: val for k, val in merged.items() if _text(prev.get(k)) != _text(val)}
        given = {k: val for k, val in changed.items() if row[k] is not None}  # blanks keep, never conflict
        _conflicts_raise(
            account_id, check_fields(conn, "account_capability", f"{account_id}:", seen_mark, given, prefix=True)
        )
        if not changed:
            return []
        key = {"account_id": account_id, "assessed_on": today}
        if prev.get("assessed_on") == today:
            conn.execute(
                update(account_capability)
                .where(account_capability.c.account_id == account_id, account_capability.c.assessed_on == today)
                .values(**merged)
            )
        else:
            conn.execute(insert(account_capability).values(**key, **merged))
        return [
            audit_row(
                "account_capability",
                f"{account_id}:{today.isoformat()}",
                "update" if prev else "insert",
                k,
                prev.get(k),
                val,
            )
            for k, val in changed.items()
        ]

    return _locked_edit(engine, account_id, user, scope, work)


def update_account_fields(
    engine: Engine,
    account_id: str,
    seen_mark: int,
    user: str,
    fields: dict,
    scope: Scope = DIRECTOR,
    today: dt.date | None = None,
) -> int:
    """Change basic account data (name, status, contract, size, flags); one audit row per changed field.

    Returns the new version, or the current one unchanged when no value differs.
    """
    row = v.clean_account_fields(fields, today or dt.date.today())

    def work(conn: Connection) -> list[dict]:
        old = (
            conn.execute(select(*[account.c[k] for k in row]).where(account.c.account_id == account_id))
            .mappings()
            .one()
        )
        changed = {k: val for k, val in row.items() if _text(old[k]) != _text(val)}
        _conflicts_raise(account_id, check_fields(conn, "account", account_id, seen_mark, changed))
        if changed:
            conn.execute(update(account).where(account.c.account_id == account_id).values(**changed))
        return [audit_row("account", account_id, "update", k, old[k], val) for k, val in changed.items()]

    return _locked_edit(engine, account_id, user, scope, work)
