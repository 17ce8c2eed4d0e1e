"""``export --what NAME --format csv|xlsx --out FILE``: scoped, injection-safe exports.

Every table with an account (``account`` itself, tables with ``account_id`` or another reference
to ``account``, ``order_line`` through its header, ``ar_payment`` through its invoice) is
filtered by the viewer's :class:`~kam_core.scope.Scope`; housekeeping tables (users, audit and
import logs, saved scenarios) are for directors only.

Every cell goes through :mod:`kam_core.io.cells`, the one flattening and formula-neutralising step
shared with the CLI and the dashboard's downloads: lists and dicts become text, text that could run as
a formula (= + - @ tab CR) is written as text (a leading ``'`` in CSV, a text cell in XLSX), numbers are
never touched. CSV is UTF-8 with a BOM so Excel shows Chinese text correctly, with CRLF line ends.
XLSX is written by :mod:`kam_core.io.xlsx` (styled header, frozen, number formats per column kind).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, Table, select

from kam_core.db.engine import db_errors
from kam_core.db.schema import account, ar_invoice, ar_payment, metadata, order_header, order_line
from kam_core.errors import UserError
from kam_core.io.cells import FORMULA_PREFIXES, frame_to_csv_bytes, neutralise_formula
from kam_core.io.xlsx import EXCEL_MAX_ROWS, frames_to_xlsx
from kam_core.scope import DIRECTOR, Scope

DIRECTOR_ONLY = ("app_user", "audit_log", "import_log", "scenario_run")
FORMATS = ("csv", "xlsx")
__all__ = [
    "EXCEL_MAX_ROWS",
    "FORMULA_PREFIXES",
    "export",
    "frame_to_csv_bytes",
    "frames_to_xlsx",
    "neutralise_formula",
    "read_table",
    "scoped_select",
]


def _account_link(table: Table):
    """(join target, join condition, account column) that puts ``table`` under an account, or None."""
    if table is account:
        return None, None, account.c.account_id
    if table is order_line:
        return order_header, order_header.c.order_id == order_line.c.order_id, order_header.c.account_id
    if table is ar_payment:
        return ar_invoice, ar_invoice.c.invoice_id == ar_payment.c.invoice_id, ar_invoice.c.account_id
    if "account_id" in table.c:
        return None, None, table.c.account_id
    for col in table.c:
        if any(fk.column is account.c.account_id for fk in col.foreign_keys):
            return None, None, col
    return None, None, None


def scoped_select(table: Table, scope: Scope = DIRECTOR):
    """``SELECT * FROM table`` limited to the accounts ``scope`` may see, in primary-key order."""
    if table.name in DIRECTOR_ONLY and not scope.is_director:
        raise UserError(f"only a director may export {table.name}")
    join, on, col = _account_link(table)
    stmt = select(table)
    if join is not None:
        stmt = stmt.select_from(table.join(join, on))
    if col is not None and not scope.is_director:
        stmt = stmt.where(scope.account_clause(col))
    return stmt.order_by(*table.primary_key.columns)


def read_table(engine: Engine, name: str, scope: Scope = DIRECTOR) -> pd.DataFrame:
    """One table as the viewer may see it."""
    table = metadata.tables.get(name)
    if table is None:
        raise UserError(
            f"unknown table {name!r}; tables: {', '.join(sorted(metadata.tables))}, or 'scorecard', or 'all'"
        )
    with db_errors(), engine.connect() as conn:
        result = conn.execute(scoped_select(table, scope))
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def _scorecard(engine: Engine, scope: Scope) -> pd.DataFrame:
    try:
        from kam_core.analytics.scorecard import scorecard_columns
        from kam_core.queries.scorecard import compute_scorecard
    except ImportError:
        raise UserError("scorecard not available") from None
    return scorecard_columns(compute_scorecard(engine, scope=scope))


def export(engine: Engine, what: str, fmt: str, out: Path | str, scope: Scope = DIRECTOR) -> int:
    """Write ``what`` (a table, ``'scorecard'`` or ``'all'``) as ``fmt`` to ``out``; returns rows written.

    Raises
    ------
    UserError
        Unknown table or format, ``all`` as CSV, a table the viewer may not export, an unwritable path.
    """
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r}; expected csv or xlsx")
    if what == "all":
        if fmt != "xlsx":
            raise UserError("--what all writes one sheet per table: use --format xlsx")
        names = [t.name for t in metadata.sorted_tables if scope.is_director or t.name not in DIRECTOR_ONLY]
        frames = {name: read_table(engine, name, scope) for name in names}
    elif what == "scorecard":
        frames = {"scorecard": _scorecard(engine, scope)}
    else:
        frames = {what: read_table(engine, what, scope)}
    data = frames_to_xlsx(frames) if fmt == "xlsx" else frame_to_csv_bytes(next(iter(frames.values())))
    out = Path(out)
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror}") from None
    return sum(len(df) for df in frames.values())
