"""``import FILE --table NAME``: validated, atomic import of one reference or account-data table.

Order of work:

1. Read the file as text (CSV in UTF-8/UTF-8-BOM/GBK, or XLSX: the sheet named after the table,
   else the first sheet).
2. Check the header against the table (unknown columns, key columns missing; other required
   columns only for rows that add a new key, so an update-only file may carry just a few columns).
3. Parse every column into its type and validate everything with pandera (NOT NULL, value lists,
   ranges, string lengths, references to existing rows, duplicate keys within the file). If
   anything is wrong, :class:`ImportValidationError` lists every bad cell and nothing is written.
4. In one transaction: upsert (see :mod:`kam_core.io.upsert`: existing keys are updated with the
   columns the file has, new keys inserted; serial-id tables insert rows without an id and update
   rows with one), audit rows for account data, and one ``import_log`` row.

Validation runs inside the same transaction as the writes, so references checked are the ones
the rows are written against.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Connection, Engine

from kam_core.db import order_days
from kam_core.db.bulk import refresh_statistics
from kam_core.db.engine import db_errors
from kam_core.db.schema import import_log
from kam_core.io import import_health, targets
from kam_core.io.readers import blank_rows, read_table_file
from kam_core.io.results import ImportResult, ImportValidationError, Problem
from kam_core.io.upsert import (
    audit_rows,
    cell_text,
    existing_rows,
    frame_records,
    insert_rows,
    self_ref_levels,
    update_rows,
    write_audit,
)
from kam_core.io.validation import (
    TableSpec,
    duplicate_key_problems,
    header_problems,
    load_known,
    missing_column_problems,
    missing_columns,
    parse_frame,
    schema_problems,
    table_spec,
)
from kam_core.permissions import OutOfScope, check_import, check_rows
from kam_core.scope import DIRECTOR, Scope


def import_table(
    engine: Engine, path: Path | str, table: str, user: str = "cli", scope: Scope = DIRECTOR
) -> ImportResult:
    """Validate ``path`` completely, then upsert it into ``table`` in one transaction.

    Parameters
    ----------
    engine
        Target database (schema already created).
    path
        A .csv (UTF-8, UTF-8 with BOM or GBK) or .xlsx file with a header row of column names.
    table
        An importable table name (see :data:`kam_core.io.validation.IMPORTABLE`).
    user
        Who imports; written to ``import_log.imported_by`` and ``audit_log.changed_by``.
    scope
        The viewer: the table must be one their role may import, and every row must lie in their
        scope (:mod:`kam_core.permissions`).

    Returns
    -------
    ImportResult
        Rows read, inserted, updated and unchanged.

    Raises
    ------
    ImportValidationError
        Any bad cell, with every problem listed; nothing is written.
    NotAuthorised
        The viewer may not import the table, or rows lie outside their scope; nothing is written.
    UserError
        Unknown table, unreadable file.
    """
    path = Path(path)
    spec = table_spec(table)
    check_import(scope, spec.name)  # before the file is even read
    raw = read_table_file(path, sheet=table).frame
    file = path.name
    if problems := header_problems(file, list(raw.columns), spec):
        raise ImportValidationError(path, problems)
    raw = raw[~blank_rows(raw).to_numpy()]
    typed, problems = parse_frame(file, raw, spec)
    with db_errors(), engine.begin() as conn:
        days_current = spec.name in order_days.SOURCES and order_days.is_current(conn)
        known = load_known(conn, spec, typed)
        problems += schema_problems(file, raw, typed, spec, known, problems)
        problems += duplicate_key_problems(file, raw, typed, spec)
        if spec.name == targets.TABLE:  # one key per row, first of the month, targets >= 0
            problems += targets.row_problems(file, raw, typed)
        if problems:
            raise ImportValidationError(path, problems)
        records = frame_records(typed, spec)
        rows = [int(i) + 2 for i in raw.index]
        if spec.name == targets.TABLE:  # a target may name a region or a rep, not only an account
            if out := targets.scope_problems(conn, scope, records, rows, file):
                raise OutOfScope(file, scope, out)
            records = targets.attach_ids(conn, records)
        else:
            check_rows(conn, scope, spec, records, rows, file)
        counts = _write(conn, spec, records, path, raw.index, user)
        refresh_statistics(conn, [spec.name])  # PostgreSQL: the planner sees the imported rows at once
        if spec.name in order_days.SOURCES:  # the per-day pre-aggregate commits (or not) with the rows
            accounts = [r["account_id"] for r in records] if spec.name == "account" else None
            order_days.refresh(conn, accounts, days_current)
        result = ImportResult(file=file, target=table, rows_read=len(raw), **counts)
        _log(conn, result, user)
    return result


def _write(conn: Connection, spec: TableSpec, records: list[dict], path: Path, index, user: str) -> dict:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if spec.serial:
        key: tuple[str, ...] = (spec.serial,)
        new = [r for r in records if r.get(spec.serial) is None]
        with_id = [r for r in records if r.get(spec.serial) is not None]
    else:
        key, new, with_id = spec.key, [], []
    old = existing_rows(conn, spec, with_id if spec.serial else records, key)
    changes, unchanged = [], 0
    for r in with_id if spec.serial else records:
        before = old.get(tuple(r[k] for k in key))
        if before is None:
            new.append(r)
        elif any(_differs(r[c], before.get(c)) for c in r if c not in key):
            changes.append((r, before))
        else:
            unchanged += 1
    if new and (missing := missing_columns(spec, list(records[0]))):
        row_of = {id(r): int(i) + 2 for i, r in zip(index, records, strict=True)}
        raise ImportValidationError(
            path, missing_column_problems(path.name, spec, missing, [row_of[id(r)] for r in new])
        )
    if spec.name == "account":
        new = [{**r, "created_source": "import"} for r in new]
    levels, looping = self_ref_levels(spec, new, {k[0] for k in old} if len(key) == 1 else set())
    if looping:
        row_of = {r[key[0]]: int(i) + 2 for i, r in zip(index, records, strict=True)}
        raise ImportValidationError(
            path,
            [
                Problem(
                    path.name,
                    row_of.get(r[key[0]], 0),
                    key[0],
                    str(r.get(key[0])),
                    "a parent that is not, through its own parents, this row again (the references loop)",
                )
                for r in looping
            ],
        )
    inserted = insert_rows(conn, spec, levels)
    updated = update_rows(conn, spec, changes, key)
    write_audit(conn, audit_rows(spec, new, changes, user, now))
    return {"inserted": inserted, "updated": updated, "unchanged": unchanged}


def _differs(new, old) -> bool:
    return cell_text(new) != cell_text(old)


def _log(conn: Connection, result: ImportResult, user: str) -> None:
    conn.execute(
        import_log.insert().values(
            imported_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            imported_by=user,
            file_name=result.file[:255],
            target=result.target,
            rows_read=result.rows_read,
            rows_written=result.rows_written,
            rows_skipped=result.unchanged,
            rows_rejected=0,
            summary=result.summary(),
            details=import_health.dumps(import_health.table_record(result)),
        )
    )
