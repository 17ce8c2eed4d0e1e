"""Validation of a table file against the SQLAlchemy schema, with pandera, before anything is written.

The rules come from :mod:`kam_core.db.schema` so they never drift from the database: column
types, NOT NULL, string lengths, ``CHECK (col IN (...))`` value lists, ``CHECK`` ranges
(``nps_0_10`` 0-10), primary keys (no duplicates within the file) and foreign keys (the value
must exist in the database or, for a self-reference such as ``region.parent_id``, in the file).
Every failure becomes a :class:`~kam_core.io.results.Problem` naming row, column, value and
what was expected; all rows are checked, not just the first bad one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    Sequence,
    String,
    Table,
    select,
)

from kam_core.db import schema
from kam_core.io.parsing import PARSERS
from kam_core.io.results import Problem

IMPORTABLE = (
    "region",
    "sales_rep",
    "channel_tier",
    "tier_threshold",
    "account",
    "account_contact",
    "account_capability",
    "account_territory",
    "account_owner_history",
    "product",
    "price_list",
    "visit",
    "service_event",
    "survey_response",
    "competitor_brand",
    "account_competitor",
    "credit_terms",
    "ka_fee",
    "co_investment",
    "account_category_volume",
    "ar_invoice",
    "ar_payment",
    "promotion",
    "promotion_account",
    "rebate_program",
    "rebate_tier",
    "rebate_enrollment",
    "rebate_settlement",
    "redemption",
    "sellout",
    "inventory_snapshot",
    "consignment_stock",
    "activity_rate",
    "code_scan",
    "market_price_check",
    "sales_target",
)
# Managed by the application, never taken from a file.
MANAGED = {("account", "version"), ("account", "created_source")}
# Domain ranges that the schema states only in comments.
EXTRA_RANGES = {
    ("account_capability", "portfolio_complementarity"): (1, 5),
    ("account_capability", "loyalty_rating"): (1, 5),
    ("account_competitor", "est_volume_share"): (0, 1),
    ("account_category_volume", "confidence"): (0, 1),
    ("promotion", "win_prob"): (0, 1),
}
_IN = re.compile(r"^\s*(\w+)\s+IN\s*\((.*)\)\s*$", re.S)
_RANGE = re.compile(r"(\w+)\s*>=\s*(-?[\d.]+)\s+AND\s+\1\s*<=\s*(-?[\d.]+)")
BATCH = 2000


@dataclass(frozen=True)
class ColumnSpec:
    """What one column of a table accepts."""

    name: str
    kind: str  # str | int | float | bool | date | datetime
    nullable: bool
    required: bool  # must appear in the header
    default: object = None
    max_length: int | None = None
    allowed: tuple[str, ...] | None = None
    low: float | None = None
    high: float | None = None
    ref: tuple[str, str] | None = None  # (table, column) it must exist in


@dataclass(frozen=True)
class TableSpec:
    """The importable columns of a table, its key and its serial id column (if any)."""

    table: Table
    columns: dict[str, ColumnSpec]
    key: tuple[str, ...]
    serial: str | None

    @property
    def name(self) -> str:
        return self.table.name


def _kind(col) -> str:
    t = col.type
    if isinstance(t, DateTime):
        return "datetime"
    if isinstance(t, Date):
        return "date"
    if isinstance(t, Boolean):
        return "bool"
    if isinstance(t, Integer):
        return "int"
    if isinstance(t, Float):
        return "float"
    return "str"


def _checks(table: Table) -> tuple[dict, dict]:
    allowed, ranges = {}, {}
    for con in table.constraints:
        if not isinstance(con, CheckConstraint):
            continue
        text = str(con.sqltext)
        if m := _IN.match(text):
            allowed[m.group(1)] = tuple(v.strip().strip("'") for v in m.group(2).split(","))
        for m in _RANGE.finditer(text):
            ranges[m.group(1)] = (float(m.group(2)), float(m.group(3)))
    return allowed, ranges


def table_spec(name: str) -> TableSpec:
    """The :class:`TableSpec` of an importable table, derived from the schema."""
    from kam_core.errors import UserError

    if name not in IMPORTABLE:
        raise UserError(
            f"table {name!r} cannot be imported; importable tables: {', '.join(IMPORTABLE)} "
            "(order lines come in through import-transactions)"
        )
    table = schema.metadata.tables[name]
    allowed, ranges = _checks(table)
    serial = next((c.name for c in table.primary_key.columns if isinstance(c.default, Sequence)), None)
    specs = {}
    for col in table.columns:
        if (name, col.name) in MANAGED:
            continue
        default = (
            None if col.default is None or isinstance(col.default, Sequence) else getattr(col.default, "arg", None)
        )
        lo, hi = ranges.get(col.name) or EXTRA_RANGES.get((name, col.name)) or (None, None)
        fk = next(iter(col.foreign_keys), None)
        specs[col.name] = ColumnSpec(
            name=col.name,
            kind=_kind(col),
            nullable=col.nullable or default is not None,
            required=not col.nullable and default is None and col.name != serial,
            default=default,
            max_length=getattr(col.type, "length", None) if isinstance(col.type, String) else None,
            allowed=allowed.get(col.name),
            low=lo,
            high=hi,
            ref=(fk.column.table.name, fk.column.name) if fk is not None else None,
        )
    if serial:  # an id in the file names an existing row to update
        specs[serial] = ColumnSpec(serial, "int", nullable=True, required=False, ref=(name, serial))
    key = tuple(c.name for c in table.primary_key.columns)
    return TableSpec(table, specs, key, serial)


def header_problems(file: str, header: list[str], spec: TableSpec) -> list[Problem]:
    """Unknown columns and a missing key column, reported on row 1.

    Other required columns may be left out of a file that only updates existing rows (say
    ``account_id,owner_rep_id`` to reassign reps); :func:`missing_column_problems` names the new rows
    that would need them.
    """
    known = ", ".join(spec.columns)
    out = [Problem(file, 1, c, c, f"a column of table {spec.name} ({known})") for c in header if c not in spec.columns]
    out += [
        Problem(file, 1, k, "", f"key column {k!r} in the header")
        for k in spec.key
        if k != spec.serial and k not in header
    ]
    return out


def missing_columns(spec: TableSpec, header: list[str]) -> list[str]:
    """Required columns (no default) that the header leaves out."""
    return [c.name for c in spec.columns.values() if c.required and c.name not in header]


def missing_column_problems(file: str, spec: TableSpec, missing: list[str], new_rows: list[int]) -> list[Problem]:
    """A new row (its key is not in the database) needs every required column."""
    return [
        Problem(file, row, col, "", f"a value: this row adds a new {spec.name}, so column {col!r} is required")
        for row in new_rows
        for col in missing
    ]


def parse_frame(file: str, raw: pd.DataFrame, spec: TableSpec) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse each text column into its type; cells that do not parse become problems (and NA)."""
    typed, problems = {}, []
    for name in raw.columns:
        col = spec.columns[name]
        parser, expected = PARSERS[col.kind]
        values, bad = parser(raw[name])
        if col.default is not None:  # an empty cell takes the column's default
            values = values.where(values.notna() | bad, col.default)
        typed[name] = values
        for idx in raw.index[bad.to_numpy()]:
            problems.append(Problem(file, int(idx) + 2, name, raw.at[idx, name], expected))
    return pd.DataFrame(typed, index=raw.index), problems


def load_known(conn: Connection, spec: TableSpec, typed: pd.DataFrame) -> dict[str, set]:
    """For each referencing column, the referenced values that exist (database, or this file for self-references)."""
    known = {}
    for col in spec.columns.values():
        if col.ref is None or col.name not in typed:
            continue
        ref_table, ref_col = col.ref
        target = schema.metadata.tables[ref_table].c[ref_col]
        values = [v.item() if hasattr(v, "item") else v for v in typed[col.name].dropna().unique()]
        found: set = set()
        for start in range(0, len(values), BATCH):
            part = values[start : start + BATCH]
            found.update(conn.execute(select(target).where(target.in_(part))).scalars())
        if ref_table == spec.name and col.name != spec.serial and ref_col in typed:
            found.update(typed[ref_col].dropna().unique())
        known[col.name] = found
    return known


def _column_checks(col: ColumnSpec, known: dict[str, set], table: str) -> list[pa.Check]:
    checks = []
    if col.allowed:
        allowed = list(col.allowed)
        checks.append(pa.Check(lambda s: s.isin(allowed), name=f"one of: {', '.join(allowed)}"))
    if col.low is not None:
        lo, hi = col.low, col.high
        checks.append(pa.Check(lambda s: (s >= lo) & (s <= hi), name=f"a number from {lo:g} to {hi:g}"))
    if col.max_length:
        n = col.max_length
        checks.append(pa.Check(lambda s: s.str.len() <= n, name=f"at most {n} characters"))
    if col.name in known and col.ref is not None:
        found, (t, c) = known[col.name], col.ref
        where = "in the database or in this file" if t == table and c != col.name else "in the database"
        checks.append(pa.Check(lambda s: s.isin(found), name=f"an existing {t}.{c} ({where})"))
    return checks


def build_schema(spec: TableSpec, columns: list[str], known: dict[str, set]) -> pa.DataFrameSchema:
    """A pandera schema for the parsed frame: nullability, value lists, ranges, lengths, references."""
    return pa.DataFrameSchema(
        {
            name: pa.Column(
                None,
                checks=_column_checks(spec.columns[name], known, spec.name),
                nullable=spec.columns[name].nullable,
                required=True,
            )
            for name in columns
        },
        strict=False,
        coerce=False,
    )


def _expected(check: str, column: str) -> str:
    if check == "not_nullable":
        return f"a value ({column} is required)"
    return check


def schema_problems(
    file: str, raw: pd.DataFrame, typed: pd.DataFrame, spec: TableSpec, known: dict[str, set], already: list[Problem]
) -> list[Problem]:
    """Run the pandera schema lazily and turn every failure case into a problem (once per cell)."""
    try:
        build_schema(spec, list(typed.columns), known).validate(typed, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    seen = {(p.row, p.column) for p in already}
    out = []
    for case in cases.itertuples(index=False):
        if pd.isna(case.index) or case.column not in raw.columns:
            continue
        idx = int(case.index)
        if (idx + 2, case.column) in seen:
            continue
        seen.add((idx + 2, case.column))
        out.append(Problem(file, idx + 2, case.column, raw.at[idx, case.column], _expected(case.check, case.column)))
    return out


def duplicate_key_problems(file: str, raw: pd.DataFrame, typed: pd.DataFrame, spec: TableSpec) -> list[Problem]:
    """A primary key given twice in the file: every repeat names the row it repeats."""
    key = [k for k in spec.key if k in typed.columns]
    if not key or (spec.serial and key == [spec.serial] and typed[spec.serial].isna().all()):
        return []
    frame = typed[key].dropna()
    dup = frame.duplicated(keep="first")
    if not dup.any():
        return []
    first = frame.reset_index().groupby(key, dropna=True)["index"].transform("min")
    first.index = frame.index
    label = ", ".join(key)
    return [
        Problem(
            file,
            int(i) + 2,
            key[-1],
            " | ".join(str(raw.at[i, k]) for k in key),
            f"a unique ({label}); the same key is already on row {int(first[i]) + 2}",
        )
        for i in frame.index[dup.to_numpy()]
    ]
