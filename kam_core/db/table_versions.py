"""Per-table data versions (table ``table_version``): which tables changed since a stored result was computed.

Every INSERT, UPDATE or DELETE that SQLAlchemy executes (any engine, any write path: imports, card edits,
the demo generator, the aggregate refreshes) adds 1 to its table's row in ``table_version`` on the same
connection, inside the same transaction: the version commits or rolls back with the data. Bulk inserts that
bypass SQLAlchemy (PostgreSQL COPY, DuckDB's registered frames, SQLite's executemany on the driver) call
:func:`touch` themselves (:func:`kam_core.db.bulk.bulk_insert`).

:func:`read_versions` adds the row count of each table to its counter, so a row inserted or deleted by
other means (a SQL console) changes the version too; an in-place UPDATE by other means does not: run
call :func:`touch_all` after writing by hand. See
docs/methods_account_month.md (targeted recompute).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Connection, Engine, event, func, inspect, select
from sqlalchemy.sql.ddl import ExecutableDDLElement
from sqlalchemy.sql.dml import UpdateBase

from kam_core.db.schema import metadata, table_version

# what the versions describe must not version itself; stored results are not data; the two logs are written by
# almost every write and read by no stored result: versioning them would make every write transaction hold the
# same two rows (PostgreSQL row locks until the commit) and could order two writers' locks against each other
UNTRACKED = frozenset({"table_version", "input_part", "scorecard_store", "audit_log", "import_log"})
_READY: set[int] = set()  # engines known to have the table (an engine without it, an old schema, writes no version)


def ready(conn: Connection) -> bool:
    """True when the database has ``table_version`` (and ``input_part``: both come with migration 0009)."""
    engine_id = id(conn.engine)
    if engine_id in _READY:
        return True
    if inspect(conn).has_table("table_version"):
        _READY.add(engine_id)  # only a positive answer is kept: a migration may create the table later
        return True
    return False


def touch(conn: Connection, names: Iterable[str]) -> None:
    """Add 1 to the version of each table in ``names`` (inside the caller's transaction)."""
    names = [n for n in dict.fromkeys(names) if n not in UNTRACKED]
    if not names or not ready(conn):
        return
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    c = table_version.c
    for name in names:
        known = conn.execute(select(c.version).where(c.name == name)).first()
        if known is None:
            conn.execute(table_version.insert().values(name=name, version=1, changed_at=now))
        else:
            conn.execute(table_version.update().where(c.name == name).values(version=c.version + 1, changed_at=now))


@event.listens_for(Engine, "after_execute")
def _after_execute(conn, clauseelement, multiparams, params, execution_options, result) -> None:
    """Every DML statement SQLAlchemy runs on a table of the schema, on every engine: version its table."""
    if isinstance(clauseelement, UpdateBase):
        name = str(getattr(getattr(clauseelement, "table", None), "name", ""))
        if name in metadata.tables and name not in UNTRACKED:  # not Alembic's own alembic_version
            touch(conn, [name])
    elif isinstance(clauseelement, ExecutableDDLElement | str):  # a migration may drop the table: ask again
        _READY.discard(id(conn.engine))


@event.listens_for(table_version, "after_create")
def _seed(target, conn, **kw) -> None:
    """One row per table at version 0 when the table is created, so that :func:`touch` only ever updates a
    row (two first writes to a table at the same moment cannot both insert it)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = [{"name": n, "version": 0, "changed_at": now} for n in metadata.tables if n not in UNTRACKED]
    conn.execute(table_version.insert(), rows)


def touch_all(conn: Connection) -> None:
    """Version every table of the schema (after writes by other means)."""
    touch(conn, [t for t in metadata.tables if t not in UNTRACKED])


def read_versions(conn: Connection, names: Iterable[str]) -> dict[str, str]:
    """The version of each table in ``names``: ``"<counter>:<rows>"`` (counter 0 for a table never written
    since the versions exist; tables missing from the database are ``"-"``)."""
    names = sorted(set(names))
    counters: dict[str, int] = {}
    if ready(conn):
        c = table_version.c
        counters = dict(conn.execute(select(c.name, c.version).where(c.name.in_(names))).all())
    present = set(inspect(conn).get_table_names())
    out = {}
    for name in names:
        if name not in present:
            out[name] = "-"
            continue
        rows = conn.execute(select(func.count()).select_from(metadata.tables[name])).scalar_one()
        out[name] = f"{counters.get(name, 0)}:{rows}"
    return out
