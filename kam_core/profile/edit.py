"""Edits to the account card: validated, transactional, optimistically locked and audited.

Every edit names the account version the editor saw. In one transaction it first bumps
``account.version`` *only if* it still equals that version (the first statement, so on SQLite it
takes the write lock before any read, and on PostgreSQL the row lock serialises writers); zero rows
means someone else saved in between, and the edit is refused with who and when, instead of
silently overwriting their change. Then it writes the change and one ``audit_log`` row per field.
Validation runs before the transaction opens, so a refused edit writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Connection, Engine, delete, insert, select, update

from kam_core.db.schema import account, account_capability, account_contact, audit_log, survey_response, visit
from kam_core.errors import UserError
from kam_core.permissions import check_action
from kam_core.profile import validate as v
from kam_core.profile.read import AccountNotFound, last_change
from kam_core.scope import DIRECTOR, Scope


class ConcurrentEditError(UserError):
    """Someone saved the account after the editor loaded it; reload and apply the change again."""

    def __init__(
        self, account_id: str, expected: int, current: int, changed_by: str | None, changed_at: dt.datetime | None
    ):
        self.account_id, self.expected, self.current = account_id, expected, current
        self.changed_by, self.changed_at = changed_by, changed_at
        who = changed_by or "someone"
        when = changed_at.strftime("%Y-%m-%d %H:%M:%S") if changed_at else "an unknown time"
        super().__init__(
            f"account {account_id}: changed by {who} at {when} UTC after you opened it "
            f"(version {current}, you had {expected}); reload and apply your change again"
        )


class _NoChange(Exception):
    """Raised inside the transaction to roll back an edit that changes nothing."""


Work = Callable[[Connection], list[dict]]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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


def _refuse(conn: Connection, account_id: str, expected: int, scope: Scope) -> None:
    row = conn.execute(
        select(account.c.version).where(account.c.account_id == account_id, scope.account_clause())
    ).first()
    if row is None:
        raise AccountNotFound(f"account: {account_id!r} is not an account you can edit")
    last = last_change(conn, account_id) or {}
    raise ConcurrentEditError(account_id, expected, int(row.version), last.get("changed_by"), last.get("changed_at"))


def _locked_edit(engine: Engine, account_id: str, expected_version: int, user: str, scope: Scope, work: Work) -> int:
    """Run ``work`` in one transaction after claiming the version; returns the new version."""
    check_action(scope, "account_card")  # every role; the account itself must be in scope (below)
    user = v.to_text(user, "user", 64)
    expected = int(expected_version)
    try:
        with engine.begin() as conn:
            bumped = conn.execute(
                update(account)
                .where(account.c.account_id == account_id, account.c.version == expected, scope.account_clause())
                .values(version=account.c.version + 1)
            ).rowcount
            if bumped != 1:
                _refuse(conn, account_id, expected, scope)
            rows = work(conn)
            if not rows:
                raise _NoChange
            stamp = _now()
            conn.execute(insert(audit_log), [{**r, "changed_by": user, "changed_at": stamp} for r in rows])
    except _NoChange:
        return expected
    return expected + 1


def add_visit(
    engine: Engine,
    account_id: str,
    expected_version: int,
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
        The account changed since ``expected_version``.
    """
    row = v.clean_visit(values, today or dt.date.today())
    return _insert_visit(engine, account_id, expected_version, user, row, scope)


def add_negotiation_note(
    engine: Engine,
    account_id: str,
    expected_version: int,
    user: str,
    values: dict,
    scope: Scope = DIRECTOR,
    today: dt.date | None = None,
) -> int:
    """Record a negotiation (a visit of type ``negotiation`` with a required note); returns the new version."""
    row = v.clean_visit({"duration_min": 60, **values}, today or dt.date.today(), negotiation=True)
    return _insert_visit(engine, account_id, expected_version, user, row, scope)


def _insert_visit(engine: Engine, account_id: str, expected_version: int, user: str, row: dict, scope: Scope) -> int:
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

    return _locked_edit(engine, account_id, expected_version, user, scope, work)


def add_survey_response(
    engine: Engine,
    account_id: str,
    expected_version: int,
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

    return _locked_edit(engine, account_id, expected_version, user, scope, work)


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
    expected_version: int,
    user: str,
    values: dict,
    scope: Scope = DIRECTOR,
    today: dt.date | None = None,
) -> int:
    """Add a contact, or change one when ``values['contact_id']`` is set; returns the new version."""
    row = v.clean_contact(values, today or dt.date.today())
    contact_id = values.get("contact_id")
    contact_id = (
        None if contact_id in (None, "") else int(v.to_number(contact_id, "contact_id", 1, 2**31, integer=True))
    )

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
        if changed:
            conn.execute(update(account_contact).where(account_contact.c.contact_id == contact_id).values(**changed))
        return [
            audit_row("account_contact", f"{account_id}:{contact_id}", "update", k, old[k], val)
            for k, val in changed.items()
        ]

    return _locked_edit(engine, account_id, expected_version, user, scope, work)


def delete_contact(
    engine: Engine, account_id: str, expected_version: int, user: str, contact_id: int, scope: Scope = DIRECTOR
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

    return _locked_edit(engine, account_id, expected_version, user, scope, work)


def update_capabilities(
    engine: Engine,
    account_id: str,
    expected_version: int,
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

    return _locked_edit(engine, account_id, expected_version, user, scope, work)


def update_account_fields(
    engine: Engine,
    account_id: str,
    expected_version: int,
    user: str,
    fields: dict,
    scope: Scope = DIRECTOR,
    today: dt.date | None = None,
) -> int:
    """Change basic account data (name, status, contract, size, flags); one audit row per changed field.

    Returns the new version, or ``expected_version`` unchanged when no value differs.
    """
    row = v.clean_account_fields(fields, today or dt.date.today())

    def work(conn: Connection) -> list[dict]:
        old = (
            conn.execute(select(*[account.c[k] for k in row]).where(account.c.account_id == account_id))
            .mappings()
            .one()
        )
        changed = {k: val for k, val in row.items() if _text(old[k]) != _text(val)}
        if changed:
            conn.execute(update(account).where(account.c.account_id == account_id).values(**changed))
        return [audit_row("account", account_id, "update", k, old[k], val) for k, val in changed.items()]

    return _locked_edit(engine, account_id, expected_version, user, scope, work)
