"""Fast, transactional bulk inserts of a DataFrame, the fastest way each engine offers.

SQLite: the driver's executemany on plain tuples (SQLAlchemy's per-row bind processing costs more
than SQLite itself at a million rows). PostgreSQL: COPY through psycopg 3. DuckDB: insert from a
registered DataFrame (its executemany is row by row and far too slow). All run on the caller's
connection, so they commit or roll back with the caller's transaction. None of these paths fires
SQLAlchemy's column defaults, so scalar defaults and sequence ids are filled here first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Connection, Date, DateTime, Integer, Table

from kam_core.db.table_versions import touch

SQLITE_BATCH = 50_000  # rows of tuples held at once: bounded memory
DUCKDB_BATCH = 1_000_000


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
    """Add what SQLAlchemy's executemany would have supplied: scalar Python defaults and sequence ids."""
    out = df
    for col in table.c:
        if col.name in out.columns or col.default is None:
            continue
        if col.default.is_scalar:
            out = out.assign(**{col.name: getattr(col.default, "arg")})  # noqa: B009 - ScalarElementColumnDefault
        elif col.default.is_sequence and conn.dialect.supports_sequences:
            # .all(): DuckDB keeps an unfinished result after .scalar() and refuses the next insert
            ids = conn.exec_driver_sql(
                f"SELECT nextval('{getattr(col.default, 'name')}') FROM generate_series(1, {len(out)})"  # noqa: B009
            ).all()
            out = out.assign(**{col.name: sorted(r[0] for r in ids)})
    return out


def _records(df: pd.DataFrame) -> list[dict]:
    obj = df.astype(object).where(df.notna(), None)
    return obj.to_dict("records")


def _sqlite_columns(table: Table, part: pd.DataFrame) -> list[list]:
    """Columns as SQLAlchemy stores them on SQLite: dates as ISO text, booleans as 0/1."""
    columns = []
    for name in part.columns:
        values, col_type = part[name], table.c[name].type
        if isinstance(col_type, DateTime):
            values = pd.to_datetime(values).dt.strftime("%Y-%m-%d %H:%M:%S.%f")
        elif isinstance(col_type, Date):
            values = pd.to_datetime(values).dt.strftime("%Y-%m-%d")
        elif isinstance(col_type, Boolean):
            values = values.map({True: 1, False: 0})
        columns.append(values.astype(object).where(values.notna(), None).tolist())
    return columns


def bulk_insert(conn: Connection, table: Table, df: pd.DataFrame) -> int:
    """Insert every row of ``df`` into ``table`` on ``conn`` (inside the caller's transaction).

    Parameters
    ----------
    conn
        An open SQLAlchemy connection, usually from ``engine.begin()``.
    table
        The target table; ``df`` columns must be a subset of its columns.
    df
        Rows to insert. NaN/NaT become NULL; datetime columns going to DATE become dates; columns left
        out get their scalar default, and serial ids their next sequence values.

    Returns
    -------
    int
        Number of rows inserted.
    """
    if df.empty:
        return 0
    touch(conn, [table.name])  # the paths below bypass SQLAlchemy's execute, so its listener would miss them
    df = _with_defaults(conn, table, _prepared(table, df))
    cols = list(df.columns)
    col_sql = ", ".join(f'"{c}"' for c in cols)
    dialect = conn.dialect.name
    raw: Any = conn.connection.driver_connection  # the DBAPI connection of this transaction
    if dialect == "duckdb":
        view = f"_bulk_{table.name}"
        for start in range(0, len(df), DUCKDB_BATCH):
            raw.register(view, df.iloc[start : start + DUCKDB_BATCH])
            try:
                raw.execute(f'INSERT INTO "{table.name}" ({col_sql}) SELECT {col_sql} FROM {view}')
            finally:
                raw.unregister(view)
    elif dialect == "postgresql":
        with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({col_sql}) FROM STDIN') as copy:
            for row in _records(df):
                copy.write_row([_native(v) for v in row.values()])
    elif dialect == "sqlite":
        sql = f'INSERT INTO "{table.name}" ({col_sql}) VALUES ({", ".join("?" * len(cols))})'
        for start in range(0, len(df), SQLITE_BATCH):
            conn.exec_driver_sql(
                sql, list(zip(*_sqlite_columns(table, df.iloc[start : start + SQLITE_BATCH]), strict=True))
            )
    else:
        for start in range(0, len(df), SQLITE_BATCH):
            conn.execute(table.insert(), _records(df.iloc[start : start + SQLITE_BATCH]))
    return len(df)


def _native(v):
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, dt.date):
        return v
    return v


def refresh_statistics(conn: Connection, tables: Iterable[str]) -> None:
    """PostgreSQL: ANALYZE the tables a bulk write just filled, in the caller's transaction (it sees the rows).

    Until autovacuum samples a freshly filled table, a minute or more later, the planner takes it for nearly
    empty: a scorecard run right after a demo build or an import then planned the diversion signals as a nested
    loop of every code scan over every authorised (account, region) pair (7 minutes instead of 0.4 s at 8,000
    accounts). SQLite and DuckDB: nothing (DuckDB keeps its statistics as it writes; SQLite's planner is left
    with the heuristics the queries were tuned for).
    """
    names = sorted(set(tables))
    if conn.dialect.name == "postgresql" and names:
        preparer = conn.dialect.identifier_preparer
        conn.exec_driver_sql("ANALYZE " + ", ".join(preparer.quote(n) for n in names))
