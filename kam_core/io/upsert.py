"""Writing a validated table frame: upsert by primary key, self-references in order, audit rows.

Semantics (documented in :mod:`kam_core.io.imports`):

- Tables with a business key (``account_id``, ``sku_id``, composite keys such as
  ``price_list(sku_id, tier_code, valid_from)``): a row whose key exists updates the columns the
  file has (other columns keep their values); a new key is inserted (missing columns take their
  defaults). Rows whose values are all unchanged are counted, not written.
- Tables with a serial id (visit, service_event, ...): a row without the id is a new record; a
  row with the id updates that existing record (an unknown id is a validation problem).
- Account data (the account table and every table with an ``account_id``) writes ``audit_log``
  rows: ``record_key`` is the account id, or ``ACCOUNT_ID:rest-of-key`` for child records,
  which is what the profile card's history reads.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Sequence, and_, bindparam, select, update

from kam_core.db.bulk import bulk_insert
from kam_core.db.schema import audit_log
from kam_core.io.validation import BATCH, TableSpec


def _py(value):
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):  # None, NaN, NA and NaT
        return None
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() else value.to_pydatetime()
    return value.item() if hasattr(value, "item") else value


def frame_records(df: pd.DataFrame, spec: TableSpec) -> list[dict]:
    """Rows as dicts of plain Python values (dates as ``date``, NA as None)."""
    cols = {c: [_py(v) for v in df[c].tolist()] for c in df.columns}
    for c, values in cols.items():
        if spec.columns[c].kind == "date":
            cols[c] = [v.date() if isinstance(v, dt.datetime) else v for v in values]
    return [dict(zip(cols, row, strict=True)) for row in zip(*cols.values(), strict=True)] if cols else []


def _key_of(record: Mapping, key: tuple[str, ...]) -> tuple:
    return tuple(record[k] for k in key)


def existing_rows(conn: Connection, spec: TableSpec, records: list[dict], key: tuple[str, ...]) -> dict[tuple, dict]:
    """The rows already in the table for the keys in ``records`` (looked up in batches)."""
    first = spec.table.c[key[0]]
    values = sorted({r[key[0]] for r in records if r.get(key[0]) is not None}, key=str)
    found: dict[tuple, dict] = {}
    for start in range(0, len(values), BATCH):
        rows = conn.execute(select(spec.table).where(first.in_(values[start : start + BATCH]))).mappings()
        for row in rows:
            found[_key_of(row, key)] = dict(row)
    return found


def self_ref_levels(spec: TableSpec, records: list[dict], existing: set) -> tuple[list[list[dict]], list[dict]]:
    """New rows grouped so that a parent in the same file is inserted before its children.

    Returns the levels and the rows whose parent chain loops back on itself (never insertable).
    """
    self_cols = [c.name for c in spec.columns.values() if c.ref and c.ref[0] == spec.name and c.name != spec.serial]
    if not self_cols or len(spec.key) != 1:
        return [records], []
    pk = spec.key[0]
    placed, todo = set(existing), list(records)
    levels: list[list[dict]] = []
    while todo:
        ready = [r for r in todo if all(r.get(c) is None or r[c] in placed for c in self_cols)]
        if not ready:
            return levels, todo
        levels.append(ready)
        placed.update(r[pk] for r in ready)
        ready_ids = {id(r) for r in ready}
        todo = [r for r in todo if id(r) not in ready_ids]
    return levels, []


def column_defaults(table) -> dict:
    """Scalar Python-side defaults: bulk COPY on PostgreSQL does not apply them, so rows carry them."""
    return {
        c.name: c.default.arg
        for c in table.c
        if c.default is not None and not isinstance(c.default, Sequence) and not callable(c.default.arg)
    }


def insert_rows(conn: Connection, spec: TableSpec, levels: list[list[dict]]) -> int:
    """Insert new rows level by level (missing columns take their defaults); serial ids come from the database."""
    n, defaults = 0, column_defaults(spec.table)
    for level in levels:
        if not level:
            continue
        level = [{**defaults, **r} for r in level]
        if spec.serial:
            rows = [{k: v for k, v in r.items() if k != spec.serial} for r in level]
            conn.execute(spec.table.insert(), rows)
        else:
            bulk_insert(conn, spec.table, pd.DataFrame(level))
        n += len(level)
    return n


def update_rows(conn: Connection, spec: TableSpec, changes: list[tuple[dict, dict]], key: tuple[str, ...]) -> int:
    """Apply ``(new, old)`` pairs; the account table's optimistic-lock version is bumped."""
    if not changes:
        return 0
    cols = [c for c in changes[0][0] if c not in key]
    if not cols:
        return 0
    where = and_(*(spec.table.c[k] == bindparam(f"_k_{k}") for k in key))
    values: dict[str, Any] = {c: bindparam(c) for c in cols}
    if "version" in spec.table.c:
        values["version"] = spec.table.c.version + 1
    params = [{**{c: new[c] for c in cols}, **{f"_k_{k}": new[k] for k in key}} for new, _ in changes]
    conn.execute(update(spec.table).where(where).values(values), params)
    return len(changes)


def cell_text(value) -> str | None:
    value = _py(value)
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def audit_rows(
    spec: TableSpec, inserted: list[dict], changes: list[tuple[dict, dict]], user: str, now: dt.datetime
) -> list[dict]:
    """audit_log rows for account data: one per inserted record, one per changed field."""
    if spec.name != "account" and "account_id" not in spec.table.c:
        return []
    rest = [k for k in spec.key if k != "account_id"]

    def record_key(r: dict) -> str:
        parts = [str(cell_text(r.get(k))) for k in rest if r.get(k) is not None]
        return ":".join([str(r.get("account_id")), *parts])[:80]

    base = {"changed_at": now, "changed_by": user, "table_name": spec.name}
    rows = [
        {
            **base,
            "record_key": record_key(r),
            "action": "insert",
            "field": None,
            "old_value": None,
            "new_value": json.dumps({k: cell_text(v) for k, v in r.items() if v is not None}, ensure_ascii=False),
        }
        for r in inserted
    ]
    for new, old in changes:
        for col in new:
            if col not in spec.key and cell_text(new[col]) != cell_text(old.get(col)):
                rows.append(
                    {
                        **base,
                        "record_key": record_key(new),
                        "action": "update",
                        "field": col[:40],
                        "old_value": cell_text(old.get(col)),
                        "new_value": cell_text(new[col]),
                    }
                )
    return rows


def write_audit(conn: Connection, rows: list[dict]) -> None:
    """Insert audit rows (executemany, so the database assigns audit ids on every engine)."""
    for start in range(0, len(rows), 20_000):
        conn.execute(audit_log.insert(), rows[start : start + 20_000])
