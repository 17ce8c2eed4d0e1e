"""Fast, transactional bulk inserts of a DataFrame, the fastest way each engine offers.

SQLite: executemany. PostgreSQL: COPY through psycopg 3. DuckDB: insert from a registered
DataFrame (its executemany is row by row and far too slow). All run on the caller's
connection, so they commit or roll back with the caller's transaction.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Date, DateTime, Integer, Table

CHUNK_ROWS = 50_000


def _prepared(table: Table, df: pd.DataFrame) -> pd.DataFrame:
    unknown = [c for c in df.columns if c not in table.c]
    if unknown:
        raise ValueError(f"Columns {unknown} are not in table {table.name}")
    out = df.copy()
    for name in out.columns:
        col_type = table.c[name].type
        if isinstance(col_type, Date) and not isinstance(col_type, DateTime):
            out[name] = pd.to_datetime(out[name]).dt.date
        elif isinstance(col_type, Integer) and out[name].dtype.kind == "f":
            out[name] = out[name].astype("Int64")  # NaN made it float; COPY wants "1", not "1.0"
    return out


def _with_defaults(conn: Connection, table: Table, df: pd.DataFrame) -> pd.DataFrame:
    """Add what executemany would have supplied: scalar Python-side defaults and sequence ids.

    COPY (PostgreSQL) and INSERT ... SELECT (DuckDB) bypass SQLAlchemy's column defaults, so a
    missing NOT NULL column with a default, or a serial id, must be filled here.
    """
    out = df
    for col in table.c:
        if col.name in out.columns:
            continue
        if col.default is not None and col.default.is_scalar:
            out = out.assign(**{col.name: col.default.arg})
        elif col.default is not None and col.default.is_sequence and conn.dialect.supports_sequences:
            seq = col.default.name
            ids = conn.exec_driver_sql(f"SELECT nextval('{seq}') FROM generate_series(1, {len(out)})").scalars().all()
            out = out.assign(**{col.name: ids})
    return out


def _records(df: pd.DataFrame) -> list[dict]:
    obj = df.astype(object).where(df.notna(), None)
    return obj.to_dict("records")


def bulk_insert(conn: Connection, table: Table, df: pd.DataFrame) -> int:
    """Insert every row of ``df`` into ``table`` on ``conn`` (inside the caller's transaction).

    Parameters
    ----------
    conn
        An open SQLAlchemy connection, usually from ``engine.begin()``.
    table
        The target table; ``df`` columns must be a subset of its columns.
    df
        Rows to insert. NaN/NaT become NULL; datetime columns going to DATE become dates.

    Returns
    -------
    int
        Number of rows inserted.
    """
    if df.empty:
        return 0
    df = _prepared(table, df)
    if conn.dialect.name in ("postgresql", "duckdb"):
        df = _with_defaults(conn, table, df)
    cols = list(df.columns)
    dialect = conn.dialect.name
    if dialect == "duckdb":
        raw = conn.connection.driver_connection
        view = f"_bulk_{table.name}"
        col_sql = ", ".join(f'"{c}"' for c in cols)
        for start in range(0, len(df), 1_000_000):
            part = df.iloc[start:start + 1_000_000]
            raw.register(view, part)
            try:
                raw.execute(f'INSERT INTO "{table.name}" ({col_sql}) SELECT {col_sql} FROM {view}')
            finally:
                raw.unregister(view)
    elif dialect == "postgresql":
        raw = conn.connection.driver_connection
        col_sql = ", ".join(f'"{c}"' for c in cols)
        with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({col_sql}) FROM STDIN') as copy:
            for row in _records(df):
                copy.write_row([_native(v) for v in row.values()])
    else:
        for start in range(0, len(df), CHUNK_ROWS):
            conn.execute(table.insert(), _records(df.iloc[start:start + CHUNK_ROWS]))
    return len(df)


def _native(v):
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, dt.date):
        return v
    return v
