"""Engines for SQLite, PostgreSQL and DuckDB, and creating or upgrading the schema."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, NoSuchModuleError, OperationalError

from kam_core.config import PROJECT_ROOT, resolve_db_url
from kam_core.db.schema import metadata
from kam_core.errors import DatabaseUnavailable, UserError

ALEMBIC_DIR = PROJECT_ROOT / "kam_core" / "db" / "migrations"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")  # readers (the dashboard) do not block an import
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def get_engine(url: str | None = None) -> Engine:
    """Create an engine for ``url`` (resolved per docs/DESIGN.md §3 when None).

    Raises
    ------
    UserError
        If the URL is malformed or names a driver that is not installed.
    """
    url = resolve_db_url(url)
    try:
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        kwargs: dict = {}
        if url.startswith("postgresql"):
            kwargs["pool_pre_ping"] = True  # a restarted server does not leave dead connections
        engine = create_engine(url, **kwargs)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise UserError(f"Cannot use database URL {url!r}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(ALEMBIC_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def ensure_schema(engine: Engine) -> None:
    """Create the schema on an empty database, or migrate an existing one to the newest revision."""
    try:
        tables = set(inspect(engine).get_table_names())
    except OperationalError as exc:
        raise DatabaseUnavailable(f"Cannot reach the database: {exc.orig}") from None
    if "account" in tables and _stored_revision(engine, tables) == head_revision():
        return  # already at the newest revision: no Alembic import or environment (a restart opens faster)
    from alembic import command

    cfg = alembic_config(engine)
    if "account" not in tables:
        metadata.create_all(engine)
        command.stamp(cfg, "head")
    else:
        command.upgrade(cfg, "head")
    from kam_core.db import (
        account_month,
        order_days,  # the per-day pre-aggregate of the order lines; built once here
    )

    with engine.begin() as conn:  # new schema: stamp the empty table; upgraded: build it from the order lines
        if not order_days.is_current(conn):
            order_days.refresh(conn)  # and account_month
        elif not account_month.in_step(conn):
            account_month.refresh(conn)


_REVISION_LINE = re.compile(r"""^(down_revision|revision)\s*(?::[^=]*)?=\s*['"]?([\w-]+|None)['"]?\s*$""", re.M)


def head_revision() -> str | None:
    """The newest migration, read from the files of ``migrations/versions`` without importing Alembic.

    The one revision no other migration names as its ``down_revision``; None if that is not exactly one
    (then :func:`ensure_schema` lets Alembic decide). A test checks it against Alembic's own answer.
    """
    revisions, parents = set(), set()
    for path in (ALEMBIC_DIR / "versions").glob("*.py"):
        found: dict[str, str] = {
            m.group(1): m.group(2) for m in _REVISION_LINE.finditer(path.read_text(encoding="utf-8"))
        }
        if "revision" in found:
            revisions.add(found["revision"])
            parents.add(found.get("down_revision"))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _stored_revision(engine: Engine, tables: set[str]) -> str | None:
    """The revision stamped in ``alembic_version`` (None when the table is missing or empty)."""
    if "alembic_version" not in tables:
        return None
    from sqlalchemy import text

    with engine.connect() as conn:
        rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return rows[0] if len(rows) == 1 else None


def has_data(engine: Engine) -> bool:
    """True if the schema exists and holds at least one account."""
    from sqlalchemy import func, select

    from kam_core.db.schema import account

    try:
        if "account" not in inspect(engine).get_table_names():
            return False
        with engine.connect() as conn:
            return bool(conn.execute(select(func.count()).select_from(account)).scalar())
    except OperationalError as exc:
        raise DatabaseUnavailable(f"Cannot reach the database: {exc.orig}") from None


@contextmanager
def db_errors() -> Iterator[None]:
    """Turn a lost or unreachable database into :class:`DatabaseUnavailable` with a plain message.

    Connection-level failures only (server down, network, disconnect); SQL errors still raise as bugs.
    """
    try:
        yield
    except (OperationalError, InterfaceError) as exc:
        raise DatabaseUnavailable(f"Cannot reach the database: {str(exc.orig).strip().splitlines()[0]}") from None
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise DatabaseUnavailable("The connection to the database was lost; try again in a moment.") from None
        raise


def ping(engine: Engine) -> None:
    """Raise :class:`DatabaseUnavailable` unless a trivial query succeeds."""
    from sqlalchemy import text

    with db_errors(), engine.connect() as conn:
        conn.execute(text("SELECT 1"))
