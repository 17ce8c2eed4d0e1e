"""Data health for the Data page: rows per table and the latest imports (SQL GROUP BY in the database)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, select

from kam_core.db.schema import import_log, metadata, order_header
from kam_core.scope import DIRECTOR, Scope

HEALTH_TABLES = (
    "region",
    "sales_rep",
    "account",
    "product",
    "price_list",
    "order_header",
    "order_line",
    "visit",
    "service_event",
    "survey_response",
    "account_competitor",
    "account_category_volume",
    "code_scan",
    "market_price_check",
    "rebate_program",
    "rebate_settlement",
    "promotion",
    "ar_invoice",
    "credit_terms",
    "ka_fee",
    "co_investment",
    "account_contact",
)


def _count_query(name: str, scope: Scope):
    """Rows of ``name`` a viewer may count, or None: a manager or rep counts only account data in scope."""
    table = metadata.tables.get(name)
    if table is None:
        return None
    query = select(func.count()).select_from(table)
    if scope.is_director:
        return query
    if name == "order_line":
        return query.join(order_header).where(scope.account_clause(order_header.c.account_id))
    if "account_id" in table.c:
        return query.where(scope.account_clause(table.c.account_id))
    return None  # company-wide tables (regions, reps, products, programs...): directors only


def compute_row_counts(
    engine: Engine, tables: tuple[str, ...] = HEALTH_TABLES, scope: Scope = DIRECTOR
) -> pd.DataFrame:
    """One row per table: ``table`` and ``rows`` (tables missing from the schema are skipped).

    A manager or rep gets only the tables of account data, counted within their scope.
    """
    rows = []
    with engine.connect() as conn:
        for name in tables:
            if (query := _count_query(name, scope)) is not None:
                rows.append({"table": name, "rows": int(conn.execute(query).scalar() or 0)})
    return pd.DataFrame(rows, columns=["table", "rows"])


def list_recent_imports(
    engine: Engine, limit: int = 10, scope: Scope = DIRECTOR, user: str | None = None
) -> pd.DataFrame:
    """The latest ``limit`` imports from ``import_log``, newest first; a manager or rep sees only their own."""
    cols = ["imported_at", "imported_by", "file_name", "target", "rows_read", "rows_written", "rows_rejected"]
    query = select(*[import_log.c[c] for c in cols]).order_by(import_log.c.imported_at.desc()).limit(limit)
    if not scope.is_director:
        query = query.where(import_log.c.imported_by == (user or ""))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=cols)


def compute_data_fingerprint(engine: Engine) -> str:
    """A short text that changes when the data behind the scorecard changes (orders, accounts, visits,
    service events, imports, and every write to a table the scorecard reads: :mod:`kam_core.db.table_versions`,
    so a card edit of contacts or capabilities is seen too); a cache key for results persisted across restarts."""
    import hashlib

    from kam_core.db.schema import account, order_header, service_event, table_version, visit
    from kam_core.db.table_versions import ready

    with engine.connect() as conn:
        parts = [
            *conn.execute(select(func.count(), func.max(order_header.c.order_date)).select_from(order_header)).one(),
            *conn.execute(select(func.count(), func.sum(account.c.version)).select_from(account)).one(),
            conn.execute(select(func.count()).select_from(visit)).scalar(),
            conn.execute(select(func.count()).select_from(service_event)).scalar(),
            conn.execute(select(func.max(import_log.c.import_id))).scalar(),
        ]
        if ready(conn):  # a database before migration 0009 has no versions
            from kam_core.queries.input_parts import PARTS

            read = sorted({t for part in PARTS for t in part.tables})  # what the scorecard reads (not app_user)
            c = table_version.c
            rows = conn.execute(select(c.name, c.version).where(c.name.in_(read)).order_by(c.name)).all()
            parts.append(hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()[:16])
    return "|".join("" if p is None else str(p) for p in parts)
