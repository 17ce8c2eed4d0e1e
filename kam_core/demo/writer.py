"""Writing the generated tables: refuse or clear an existing database, then insert parents before children."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from sqlalchemy import Connection, delete, func, inspect, select

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
    for table in metadata.sorted_tables:
        df = tables.get(table.name)
        if df is not None and len(df):
            counts[table.name] = bulk_insert(conn, table, df)
    unknown = set(tables) - {t.name for t in metadata.sorted_tables}
    if unknown:
        raise ValueError(f"generated tables not in the schema: {sorted(unknown)}")
    return counts
