"""The data-health record of an import: what was found in the file, stored as JSON in ``import_log.details``.

A record is a plain dict. An ``int`` entry is a named count and becomes one sentence on the Data page
(catalogue key ``import_health.item.<name>``, count ``{n}``; zero counts are left out); a ``dict`` entry
holds named counts of one kind (``lines_refused``: ``import_health.refused.<reason>``); every other entry
(text, a float value, a flag) is a parameter the sentences may use, e.g. ``{default_tier}`` or
``{possible_duplicates_value}``. Adding an item is one line where it is counted and one catalogue entry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import Engine, select

from kam_core.db.schema import import_log
from kam_core.i18n import format_money, format_number, t, tn
from kam_core.scope import DIRECTOR, Scope

# reason code (kam_core.io.erp_lines.REASONS) -> name in the record and the catalogue
REASON_NAMES = {
    1: "no_invoice",
    2: "no_customer",
    3: "no_product",
    4: "bad_date",
    5: "bad_quantity",
    6: "zero_quantity",
    7: "bad_price",
    9: "bad_cost",
    10: "unknown_channel",
    11: "code_too_long",
    12: "exact_duplicate",
    13: "reused_invoice",
    14: "beyond_limit",
    15: "bad_case_factor",
    16: "unknown_promotion",
    17: "promotion_sku_scope",
}
ALWAYS = ("lines_read", "lines_imported")  # shown even when 0
MONEY = ("possible_duplicates_value",)
CASES = ("free_goods_cases",)
TIER = ("default_tier",)


def erp_record(state, counts: Mapping, reasons: Mapping[int, int], default_tier: str, channel_mapped: bool) -> dict:
    """The record of an ERP import from pass 1's state, pass 2's counters and the refusals per reason code."""
    return {
        "kind": "erp",
        "lines_read": int(state.n_lines - state.blank_lines),
        "lines_imported": int(counts.get("inserted", 0)),
        "lines_already_imported": int(counts.get("skipped", 0)),
        "lines_refused": {REASON_NAMES.get(c, f"reason_{c}"): int(n) for c, n in sorted(reasons.items())},
        "possible_duplicates": int(counts.get("possible_duplicates", 0)),
        "possible_duplicates_value": round(float(counts.get("possible_duplicates_value", 0.0)), 2),
        "reused_invoices": len(state.reused),
        "accounts_created": int(counts.get("accounts_created", 0)),
        "accounts_default_tier": int(counts.get("accounts_default_tier", 0)),
        "default_tier": default_tier,
        "no_channel_column": not channel_mapped,
        "products_created": int(counts.get("products_created", 0)),
        "lines_without_cost": int(counts.get("lines_without_cost", 0)),
        "service_lines": int(counts.get("service_lines", 0)),
        "free_goods_lines": int(counts.get("free_goods_lines", 0)),
        "free_goods_cases": round(float(counts.get("free_goods_cases", 0.0)), 2),
        "return_lines": int(counts.get("return_lines", 0)),
        "return_invoices": int(counts.get("return_invoices", 0)),
        "regions_not_found": int(counts.get("regions_not_found", 0)),
        "blank_lines": int(state.blank_lines),
        "dedupe": state.dedupe,
    }


def table_record(result) -> dict:
    """The record of a table import (kam_core.io.imports)."""
    return {
        "kind": "table",
        "lines_read": result.rows_read,
        "lines_imported": result.inserted,
        "rows_updated": result.updated,
        "rows_unchanged": result.unchanged,
    }


def erp_notices(record: Mapping, channel_column: str | None) -> list[str]:
    """English sentences the CLI summary shows about what the import assumed or let through."""
    out = []
    if n := record.get("accounts_default_tier"):
        tier = record.get("default_tier")
        if channel_column is None:
            out.append(
                f"{n} new account(s) had no channel and were put in tier {tier}; map a channel column with "
                "--map channel=COL or choose --default-tier"
            )
        else:
            out.append(
                f"{n} new account(s) had no channel (empty cells in column {channel_column!r}) and were put "
                f"in tier {tier}; fill the column or choose --default-tier"
            )
    if n := record.get("possible_duplicates"):
        out.append(
            f"{n} possible duplicate(s): line(s) that repeat an earlier line cell for cell, worth "
            f"¥{record.get('possible_duplicates_value', 0):,.2f}, were imported as purchases (repeat scans are "
            "real in ERP and POS exports); --dedupe exact refuses them"
        )
    if n := record.get("reused_invoices"):
        lines = record.get("lines_refused", {}).get("reused_invoice", 0)
        out.append(
            f"{n} invoice number(s) were used for another customer or date; their {lines} line(s) were "
            "refused (the rejects file names the row that first used each invoice)"
        )
    return out


def dumps(record: Mapping) -> str | None:
    return json.dumps(record, ensure_ascii=False, sort_keys=False) if record else None


def loads(text: str | None) -> dict:
    """The stored record; {} for none or unreadable JSON (an import logged before records existed)."""
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _params(record: Mapping, lang: str) -> dict[str, str]:
    out = {}
    for name, value in record.items():
        if name in MONEY:
            out[name] = format_money(value, lang, compact=False)
        elif name in CASES:
            out[name] = format_number(value, lang, 0 if float(value).is_integer() else 1)
        elif name in TIER:
            try:
                out[name] = t(f"channel.{value}", lang)
            except KeyError:  # a tier of the user's own: its code is its name
                out[name] = str(value)
        elif not isinstance(value, dict):
            out[name] = str(value)
    return out


def _sentence(key: str, fallback: str, lang: str, count: float, **fmt) -> str:
    """The sentence ``key`` for ``count`` (its singular or plural form where the catalogue has both)."""
    try:
        return tn(key, count, lang, **fmt)
    except KeyError:
        pass
    try:
        return t(key, lang, **fmt)
    except KeyError:  # an item added without its catalogue entry: still shown, in plain words
        return f"{fallback.replace('_', ' ')}: {fmt['n']}"


def describe_import(record: Mapping, lang: str = "zh") -> list[str]:
    """The record as sentences in ``lang`` (zh or en), one per non-zero count, in the record's order.

    Examples
    --------
    >>> describe_import({"lines_read": 3, "lines_imported": 2, "lines_refused": {"no_customer": 1}}, "en")
    ['3 lines read.', '2 lines imported.', '1 line refused: no customer.']
    """
    params = _params(record, lang)
    out = []
    for name, value in record.items():
        if isinstance(value, dict):
            out += [
                _sentence(f"import_health.refused.{sub}", sub, lang, n, **{**params, "n": format_number(n, lang)})
                for sub, n in value.items()
                if n
            ]
        elif isinstance(value, int) and not isinstance(value, bool) and (value or name in ALWAYS):
            key = name + ("_no_column" if name == "accounts_default_tier" and record.get("no_channel_column") else "")
            out.append(
                _sentence(f"import_health.item.{key}", name, lang, value, **{**params, "n": format_number(value, lang)})
            )
    return out


def recent_import_health(
    engine: Engine, limit: int = 10, scope: Scope = DIRECTOR, user: str | None = None
) -> list[dict]:
    """The latest ``limit`` imports, newest first: ``imported_at``, ``file_name``, ``record`` (a dict).

    A manager or rep sees only their own imports (as ``kam_core.views.health.list_recent_imports``): other
    people's file names and counts are not theirs to read.
    """
    query = (
        select(import_log.c.imported_at, import_log.c.file_name, import_log.c.details)
        .order_by(import_log.c.imported_at.desc(), import_log.c.import_id.desc())
        .limit(limit)
    )
    if not scope.is_director:
        query = query.where(import_log.c.imported_by == (user or ""))
    with engine.connect() as conn:
        return [
            {"imported_at": at, "file_name": name, "record": loads(details)}
            for at, name, details in conn.execute(query)
        ]
