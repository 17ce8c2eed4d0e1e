"""``import-transactions FILE --map field=COLUMN,...``: ERP invoice lines -> accounts, products, orders.

One row of the file is one invoice line. Fields: ``invoice, date, account_id, sku, quantity,
unit_price`` (required) and ``account_name, product_name, unit_cost, channel, region, case_factor``
(optional); a field that is not mapped uses a column of the same name if the file has one. ``case_factor``
is the number of cases in one unit of the quantity (1 for cases, 1/6 for litres against a 6 L case): new
products get that pack size (:mod:`kam_core.db.case_factor`); without it they get none and their raw
quantity counts as cases, which the scorecard's data health says.

What becomes of a line
    - order_header ``ERP-<invoice>`` (account, date, ``source='erp'``; ``is_return`` when every
      line of the invoice has a negative quantity); order_line with ``line_no`` in file order
      within the invoice, ``list_price = invoice_price = unit_price`` and ``cogs_per_case`` =
      unit_cost, else the product's standard cost, else 0 (counted in the summary; the scorecard reads
      such a line as "cost unknown", see kam_core.analytics.cost_basis).
    - Unknown customers become accounts (``created_source='erp'``, status active, tier from the
      ``channel`` column - a code such as KA or a name such as 二批商 - on the first line of the
      customer that names one, else ``default_tier``, RETAIL unless chosen; the summary says how
      many new accounts had no channel; region set when the value is a known region id or code).
      Unknown SKUs become products (standard cost from the first unit_cost seen). Existing
      accounts and products are not changed: the ERP is not their master.
    - Negative quantities are returns or credit notes: imported as negative lines, so they net
      against sales.
    - Service lines (postage, freight, 运费, 邮费 ... recognised by SKU or product name, or a
      product already marked ``is_service``) are imported on products with ``is_service = true``
      (analytics leave them out of case volumes); they may have a zero price. They are counted.
    - A goods line at price 0 is free goods (买十赠一, samples): imported as free cases
      (``qty_cases`` 0, ``free_qty_cases`` = quantity, with its cost), so it is neither volume nor sales
      and its cost is promotion spend (``free_goods_cost``). Counted in the summary.

Repeat lines: a line that copies an earlier line cell for cell is a repeat scan in real ERP and
POS exports (a customer buying the same thing twice on one invoice), so it is imported and counted
as a "possible duplicate" (count and value in the summary and the data-health record);
``dedupe="exact"`` (``--dedupe exact``) refuses them instead (the first copy is kept).

Refused lines (reasons in :data:`kam_core.io.erp_lines.REASONS`): no invoice, no customer, no
product code, unreadable date or number, zero quantity, negative
price or cost, quantity, price or cost beyond 1e9, unknown channel, codes too long, exact
duplicates (only with ``dedupe="exact"``), and lines whose invoice already appeared for another
customer or date, in this file (the message names the row that first used it, in any chunk) or in
an earlier import (appending would book them to the stored order's customer). Without ``rejects``
any refused line refuses the whole file (ImportValidationError lists every one); with ``rejects``
the valid lines are imported and every refused line is written, unchanged, with its row number and
reason, to that file (CSV UTF-8 with BOM).

Data health: every import stores a record of what it found (lines read, imported, refused per
reason, possible duplicates, reused invoices, accounts put in the default tier, lines without cost,
products created, service lines, returns) in ``import_log.details``; see
:mod:`kam_core.io.import_health`.

Idempotent re-import (keying)
    ``order_line.source_key`` = sha1 hex[:32] of the normalised line: invoice, account id, ISO
    date, sku, quantity and unit price as floats, and the occurrence index of identical content
    within the invoice (0 for the first, 1 for a second identical line ...). A line whose key is
    already stored is skipped and counted as "already imported", so importing the same file twice,
    or an overlapping later export, doubles nothing. New lines of an invoice already stored are
    appended after its last line number.

Scale: the file is read in chunks of :data:`CHUNK_LINES` lines twice: pass 1 checks every line
and keeps ~34 bytes per line (reason code, two hashes, small integer ids; with ``rejects`` no
message per bad line: the rejects file words them again chunk by chunk); pass 2 writes in one
transaction with :func:`kam_core.db.bulk.bulk_insert`. Memory grows with the number of lines (a
few bytes each), invoices and customers, not with the text of the file
(``bench/bench_import_memory.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, select

from kam_core.db.engine import db_errors
from kam_core.db.schema import channel_tier
from kam_core.errors import UserError
from kam_core.io.erp_lines import FIELDS, REQUIRED
from kam_core.io.erp_pass import CHUNK_LINES, check_file
from kam_core.io.erp_write import STANDARD_TIERS, write_file
from kam_core.io.readers import iter_chunks
from kam_core.io.results import ImportResult, ImportValidationError
from kam_core.permissions import check_transactions
from kam_core.scope import DIRECTOR, Scope

__all__ = ["CHUNK_LINES", "DEDUPE", "FIELDS", "check_tier", "import_transactions", "parse_mapping", "resolve_columns"]
DEDUPE = ("none", "exact")
Progress = Callable[[str, int, int | None], None]  # stage, lines done in it, lines in the file (None at first)


def parse_mapping(text: str | None) -> dict[str, str]:
    """Parse ``"invoice=单据号,date=日期,..."`` into ``{"invoice": "单据号", ...}``.

    Raises
    ------
    UserError
        A pair without ``=`` or with an empty side, an unknown field, or a field given twice.
    """
    mapping: dict[str, str] = {}
    if not text or not text.strip():
        return mapping
    for pair in text.replace("，", ",").split(","):
        if not pair.strip():
            continue
        field, sep, column = pair.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not field or not column:
            raise UserError(f"--map: malformed pair {pair.strip()!r}; expected field=COLUMN, e.g. invoice=单据号")
        if field not in FIELDS:
            raise UserError(f"--map: unknown field {field!r}; fields are {', '.join(FIELDS)}")
        if field in mapping:
            raise UserError(f"--map: field {field!r} is given twice")
        mapping[field] = column
    return mapping


def resolve_columns(mapping: dict[str, str], header: list[str], file: str) -> dict[str, str | None]:
    """The file column of every field: as mapped, else a column named like the field, else None."""
    cols: dict[str, str | None] = {}
    for field in FIELDS:
        column = mapping.get(field)
        if column is not None and column not in header:
            raise UserError(
                f"{file}: column {column!r} (mapped to {field}) is not in the file; "
                f"its columns are: {', '.join(header)}"
            )
        cols[field] = column or (field if field in header else None)
    missing = [f for f in REQUIRED if cols[f] is None]
    if missing:
        raise UserError(
            f"{file}: no column for required field(s) {', '.join(missing)}; map them with "
            f"--map {missing[0]}=COLUMN (the file's columns are: {', '.join(header)})"
        )
    return cols


def import_transactions(
    engine: Engine,
    path: Path | str,
    mapping: dict[str, str],
    rejects: Path | str | None = None,
    user: str = "cli",
    chunk_lines: int = CHUNK_LINES,
    dedupe: str = "none",
    default_tier: str = "RETAIL",
    scope: Scope = DIRECTOR,
    progress: Progress | None = None,
) -> ImportResult:
    """Import ERP invoice lines from ``path`` (CSV or XLSX) through ``mapping``.

    Parameters
    ----------
    engine
        Target database (schema created).
    path
        The ERP export, one row per invoice line, with a header row.
    mapping
        Field -> column name (see :func:`parse_mapping`); unmapped fields use a same-named column.
    rejects
        If given, keep the valid lines and write refused lines with row number and reason here.
    user
        Who imports (``import_log.imported_by``, ``audit_log.changed_by``).
    chunk_lines
        Lines per chunk (memory bound).
    dedupe
        ``"none"`` (default): a line that repeats an earlier line cell for cell is imported (a repeat
        scan is a real purchase) and counted as a possible duplicate; ``"exact"``: it is refused.
    default_tier
        Tier code of new accounts without a channel (no channel column, or an empty cell).
    scope
        The viewer: directors import anything, managers only customers in their region (a new
        customer only with a region in it), reps no ERP files (:mod:`kam_core.permissions`).
    progress
        Called after each chunk with the stage (``"scope"``: managers only, ``"check"``, ``"write"``; the
        file is read once per stage), the lines done in that stage, and the file's line count (None until
        one full read has counted them).

    Returns
    -------
    ImportResult
        Lines read, inserted, already imported, refused per reason, accounts and products created;
        ``details`` is the data-health record stored in ``import_log.details``.

    Raises
    ------
    ImportValidationError
        Without ``rejects``, when any line is refused (every bad line is listed); nothing is written.
    NotAuthorised
        A rep, or a manager's file with customers outside their region; nothing is written.
    UserError
        Unreadable file, missing or unknown columns, bad mapping, unknown ``dedupe`` or tier code.
    """
    path = Path(path)
    if dedupe not in DEDUPE:
        raise UserError(f"--dedupe: unknown rule {dedupe!r}; expected one of {', '.join(DEDUPE)}")
    header, _, _ = iter_chunks(path, chunk_lines)
    cols = resolve_columns(mapping, header, path.name)

    total: list[int | None] = [None]

    def chunks(stage: str):
        done = 0
        for frame in iter_chunks(path, chunk_lines)[1]:
            yield frame
            done += len(frame)
            if progress is not None:
                progress(stage, done, total[0])
        total[0] = done

    with db_errors():
        check_transactions(engine, scope, chunks("scope"), cols, path.name)  # who may import which customers
        default_tier = check_tier(engine, default_tier)
        state = check_file(engine, chunks("check"), cols, path.name, dedupe, keep_problems=rejects is None)
        if state.n_rejected and rejects is None:
            raise ImportValidationError(path, state.problems)
        started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        return write_file(
            engine,
            chunks("write"),
            cols,
            path,
            header,
            state,
            Path(rejects) if rejects else None,
            user,
            started,
            default_tier,
        )


def check_tier(engine: Engine, code: str) -> str:
    """``code`` (any case) as a known tier code: one of the five standard tiers or a stored channel tier.

    Raises
    ------
    UserError
        The code is not a known tier; the message lists the known codes.
    """
    with engine.connect() as conn:
        known = sorted(set(STANDARD_TIERS) | set(conn.execute(select(channel_tier.c.tier_code)).scalars()))
    found = {k.upper(): k for k in known}.get(str(code).strip().upper())
    if found is None:
        raise UserError(f"--default-tier: unknown tier code {code!r}; expected one of {', '.join(known)}")
    return found
