"""Writing the generated tables: refuse or clear an existing database, then insert parents before children."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from sqlalchemy import Boolean, Connection, Date, DateTime, Sequence, Table, delete, func, inspect, select, text

from kam_core.db.bulk import bulk_insert
from kam_core.db.schema import account, metadata
from kam_core.errors import UserError

KEEP = {"app_user"}  # who may sign in is configuration, not demo data


def existing_accounts(conn: Connection) -> int:
    if "account" not in inspect(conn).get_table_names():
        return 0
    # .all(), not .scalar(): DuckDB keeps an unfinished result otherwise and refuses the next bulk insert
    return int(conn.execute(select(func.count()).select_from(account)).all()[0][0] or 0)


def clear_or_refuse(conn: Connection, replace: bool, url: str) -> None:
    """Raise UserError if the database holds accounts and ``replace`` is False; else delete every data row,
    children before parents, inside the caller's transaction."""
    n = existing_accounts(conn)
    if n and not replace:
        raise UserError(f"The database {url} already holds {n} accounts; pass --replace to overwrite")
    if not n and not replace:
        return
    for table in reversed(metadata.sorted_tables):
        if table.name not in KEEP:
            if table.name == "account":
                conn.execute(account.update().values(parent_account_id=None))
            conn.execute(delete(table))


def insert_all(conn: Connection, tables: Mapping[str, pd.DataFrame]) -> dict[str, int]:
    """Insert each frame into the table of the same name, in foreign-key order. Returns rows per table."""
    counts = {}
    sqlite = conn.dialect.name == "sqlite"
    for table in metadata.sorted_tables:
        df = tables.get(table.name)
        if df is not None and len(df):
            if sqlite:
                counts[table.name] = _sqlite_insert(conn, table, df)
            else:
                counts[table.name] = bulk_insert(conn, table, _with_serial_ids(conn, table, df))
    unknown = set(tables) - {t.name for t in metadata.sorted_tables}
    if unknown:
        raise ValueError(f"generated tables not in the schema: {sorted(unknown)}")
    return counts


def _with_serial_ids(conn: Connection, table: Table, df: pd.DataFrame) -> pd.DataFrame:
    """Event tables have integer ids from a named sequence. PostgreSQL's COPY and DuckDB's insert-from-frame
    do not fire it, so draw the ids from the sequence first (which also keeps it ahead of the data)."""
    pk = list(table.primary_key.columns)
    if len(pk) != 1 or pk[0].name in df.columns or not isinstance(pk[0].default, Sequence):
        return df
    seq = pk[0].default.name
    rows_sql = "generate_series(1, :n)" if conn.dialect.name == "postgresql" else "range(:n)"
    ids = sorted(r[0] for r in conn.execute(text(f"SELECT nextval('{seq}') FROM {rows_sql}"), {"n": len(df)}).all())
    return df.assign(**{pk[0].name: ids})


def _sqlite_insert(conn: Connection, table: Table, df: pd.DataFrame) -> int:
    """SQLite: the driver's executemany on plain tuples, with dates written exactly as SQLAlchemy stores them
    ('YYYY-MM-DD', 'YYYY-MM-DD HH:MM:SS.ffffff') and booleans as 0/1. About 3x faster than
    bulk_insert's per-row bind processing on a million order lines; same connection and transaction."""
    out = df.copy()
    for name in out.columns:
        col_type = table.c[name].type
        if isinstance(col_type, DateTime):
            out[name] = pd.to_datetime(out[name]).dt.strftime("%Y-%m-%d %H:%M:%S.%f")
        elif isinstance(col_type, Date):
            out[name] = pd.to_datetime(out[name]).dt.strftime("%Y-%m-%d")
        elif isinstance(col_type, Boolean):
            out[name] = out[name].map({True: 1, False: 0})
    rows = list(out.astype(object).where(out.notna(), None).itertuples(index=False, name=None))
    cols = ", ".join(f'"{c}"' for c in out.columns)
    marks = ", ".join("?" for _ in out.columns)
    for start in range(0, len(rows), 100_000):
        conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({cols}) VALUES ({marks})', rows[start:start + 100_000])
    return len(rows)
