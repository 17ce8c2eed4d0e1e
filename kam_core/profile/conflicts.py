"""Field-level conflicts of account-card edits: what the editor saw (an audit mark) and what changed since.

An editor's ``seen_mark`` is the newest ``audit_log`` id when the form opened (:func:`edit_mark`). A field
being saved is a real conflict when an audit row newer than the mark changed the same field of the same
record to a different value; then :class:`ConcurrentEditError` names each field with both values, who and
when. Every write path of the card and of data imports writes audit rows, so the trail is complete.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select

from kam_core.db.schema import audit_log
from kam_core.errors import UserError


def _text(value) -> str | None:
    """A value as audit text: dates ISO, whole floats without ``.0`` (so 120 and 120.0 compare equal)."""
    if value is None:
        return None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class FieldConflict:
    """One field someone else changed after the editor opened the form, with both values."""

    table: str
    record_key: str
    field: str
    theirs: str | None  # the value they saved (audit text)
    yours: str | None  # the value this editor entered (audit text)
    changed_by: str | None
    changed_at: dt.datetime | None
    audit_id: int


class ConcurrentEditError(UserError):
    """Fields the editor changed were also changed by someone else since the form was opened.

    Nothing is written. ``conflicts`` names each field with their value and yours; ``latest_mark`` is the
    audit id to pass as ``seen_mark`` to save yours over theirs knowingly.
    """

    def __init__(self, account_id: str, conflicts: list[FieldConflict]):
        self.account_id, self.conflicts = account_id, conflicts
        self.latest_mark = max(c.audit_id for c in conflicts)
        first = conflicts[0]
        self.changed_by, self.changed_at = first.changed_by, first.changed_at
        parts = [
            f"{c.field} changed by {c.changed_by or 'someone'} at "
            f"{c.changed_at.strftime('%Y-%m-%d %H:%M:%S') if c.changed_at else 'an unknown time'} UTC "
            f"to {c.theirs!r} (you entered {c.yours!r})"
            for c in conflicts
        ]
        super().__init__(f"account {account_id}: {'; '.join(parts)} after you opened it; nothing was saved")


def edit_mark(engine_or_conn: Engine | Connection) -> int:
    """The newest audit id: what an editor has "seen" when a form opens (pass it as ``seen_mark``).

    Read it *before* reading the card, so a change committed in between counts as unseen (a conflict is
    reported rather than an edit silently overwritten).
    """
    stmt = select(func.coalesce(func.max(audit_log.c.audit_id), 0))
    if isinstance(engine_or_conn, Connection):
        return int(engine_or_conn.execute(stmt).scalar_one())
    with engine_or_conn.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def check_fields(
    conn: Connection, table: str, key: str, seen_mark: int, values: dict, *, prefix: bool = False
) -> list[FieldConflict]:
    """Fields of ``values`` that someone changed (an audit row newer than ``seen_mark``) to another value.

    ``prefix`` matches every record whose key starts with ``key`` (capability assessments are one record per
    date; a newer assessment of the same field is the same field). A field changed to the very value entered
    is no conflict.
    """
    if not values:
        return []
    where = audit_log.c.record_key.startswith(key, autoescape=True) if prefix else audit_log.c.record_key == key
    rows = conn.execute(
        select(audit_log)
        .where(
            audit_log.c.table_name == table,
            where,
            audit_log.c.audit_id > int(seen_mark),
            audit_log.c.field.in_(list(values)),
        )
        .order_by(audit_log.c.audit_id.desc())
    ).mappings()
    latest: dict[str, dict] = {}
    for r in rows:
        latest.setdefault(r["field"], dict(r))
    return [
        FieldConflict(
            table, key, f, r["new_value"], _text(values[f]), r["changed_by"], r["changed_at"], int(r["audit_id"])
        )
        for f, r in latest.items()
        if r["new_value"] != _text(values[f])
    ]


def _conflicts_raise(account_id: str, conflicts: list[FieldConflict]) -> None:
    if conflicts:
        raise ConcurrentEditError(account_id, conflicts)
