"""Rules of the ``sales_target`` import beyond the schema (docs/methods_comparisons.md §2).

The generic import (:mod:`kam_core.io.imports`) checks types, references and lengths; this module adds
what a target row must also satisfy, checks a manager's rows against their scope (a target may name a
region or a rep, not only an account) and matches rows to stored targets by their natural key
(the one key given and the month), so importing the same file twice updates instead of duplicating.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, select

from kam_core.db.schema import account, region, sales_rep, sales_target
from kam_core.io.results import Problem
from kam_core.scope import Scope

TABLE = "sales_target"
KEYS = ("account_id", "region_code", "rep_id")
VALUES = ("target_net_sales", "target_cases")


def _given(typed: pd.DataFrame, col: str) -> pd.Series:
    return typed[col].notna() if col in typed else pd.Series(False, index=typed.index)


def row_problems(file: str, raw: pd.DataFrame, typed: pd.DataFrame) -> list[Problem]:
    """Every target row names exactly one key, a month's first day and at least one non-negative target.

    Rows are numbered as in the file (header = row 1); a repeat of a (key, month) names the first row.
    """
    out: list[Problem] = []
    cell = lambda i, c: "" if c not in raw else str(raw.at[i, c])  # noqa: E731
    n_keys = sum(_given(typed, k).astype(int) for k in KEYS)
    for i in typed.index[n_keys != 1]:
        shown = " | ".join(f"{k}={cell(i, k)}" for k in KEYS if k in raw and cell(i, k))
        out.append(Problem(file, int(i) + 2, "account_id", shown, "exactly one of account_id, region_code, rep_id"))
    if "month" in typed:
        month = pd.to_datetime(typed["month"], errors="coerce")
        for i in typed.index[month.notna() & (month.dt.day != 1)]:
            out.append(Problem(file, int(i) + 2, "month", cell(i, "month"), "the first day of a month (2026-01-01)"))
    if not any(v in typed for v in VALUES):
        return out + [Problem(file, 1, "target_net_sales", "", "a target_net_sales or target_cases column")]
    for v in VALUES:
        if v in typed:
            num = pd.to_numeric(typed[v], errors="coerce")
            for i in typed.index[num < 0]:
                out.append(Problem(file, int(i) + 2, v, cell(i, v), "a target of 0 or more"))
    no_value = ~pd.concat([_given(typed, v) for v in VALUES], axis=1).any(axis=1)
    for i in typed.index[no_value]:
        out.append(Problem(file, int(i) + 2, "target_net_sales", "", "a target_net_sales or target_cases value"))
    return out + _repeats(file, raw, typed)


def _natural(rec, col_of=None) -> tuple:
    get = rec.get if col_of is None else (lambda k: rec[k])
    return tuple(get(k) for k in (*KEYS, "month"))


def _repeats(file: str, raw: pd.DataFrame, typed: pd.DataFrame) -> list[Problem]:
    cols = [c for c in (*KEYS, "month") if c in typed]
    frame = typed[cols].astype(object).where(typed[cols].notna(), "")
    first: dict[tuple, int] = {}
    out = []
    for i, row in zip(frame.index, frame.itertuples(index=False), strict=True):
        key = tuple(row)
        if key in first:
            shown = " | ".join(str(raw.at[i, c]) for c in cols if str(raw.at[i, c]).strip())
            out.append(
                Problem(file, int(i) + 2, "month", shown, f"one target per key and month; also on row {first[key]}")
            )
        else:
            first[key] = int(i) + 2
    return out


def attach_ids(conn: Connection, records: list[dict]) -> list[dict]:
    """Rows whose (key, month) is already stored take that target's id, so the import updates it."""
    if not records or any(r.get("sales_target_id") is not None for r in records):
        return records
    months = sorted({r["month"] for r in records if r.get("month") is not None})
    stored = {}
    for start in range(0, len(months), 500):
        q = select(sales_target).where(sales_target.c.month.in_(months[start : start + 500]))
        for row in conn.execute(q).mappings():
            stored[_natural(row, True)] = row["sales_target_id"]
    out = []
    for r in records:
        sid = stored.get(tuple(r.get(k) for k in (*KEYS, "month")))
        out.append({**r, "sales_target_id": sid} if sid is not None else r)
    return out


def scope_problems(conn: Connection, scope: Scope, records: list[dict], rows: list[int], file: str) -> list[Problem]:
    """A manager's (or rep's) target rows: the account, region or rep must be within their scope."""
    if scope.is_director:
        return []
    ok = {
        "account_id": {a for (a,) in conn.execute(select(account.c.account_id).where(scope.account_clause()))},
        "region_code": {c for (c,) in conn.execute(select(region.c.code).where(scope.region_clause()))},
        "rep_id": {r for (r,) in conn.execute(select(sales_rep.c.rep_id).where(scope.rep_clause()))},
    }
    what = {"account_id": "an account", "region_code": "a region", "rep_id": "a rep"}
    return [
        Problem(file, row, k, str(rec[k]), f"{what[k]} in your scope")
        for rec, row in zip(records, rows, strict=True)
        for k in KEYS
        if rec.get(k) is not None and rec[k] not in ok[k]
    ]
