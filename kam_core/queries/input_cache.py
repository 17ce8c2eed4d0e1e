"""Stored scorecard input parts (table ``input_part``): a write re-reads only the parts whose tables changed.

Each part of :data:`kam_core.queries.input_parts.PARTS` is stored, as Parquet (no pickle), under a key that
digests the part's name, the window, the settings, the code version (:func:`scorecard_store.code_version`),
the state of the pre-aggregates and the version of every table the part reads
(:func:`kam_core.db.table_versions.read_versions`). A stored part is only ever read for exactly the data
it was computed from, so the frame gathered from stored and fresh parts equals the frame of a full
re-read (docs/methods_account_month.md, targeted recompute).

The versions are read before any part: a write that commits between the two can only make a part newer
than its key (it is re-read next time), never older.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from kam_core.db import account_month, order_days
from kam_core.db.schema import input_part
from kam_core.db.table_versions import read_versions, ready
from kam_core.queries.input_parts import PARTS, Context, Part
from kam_core.queries.scorecard_store import _frame, _parquet, code_version

KEEP = 4_000  # rows kept (newest): ~200 windows of 21 parts


@dataclass
class Fetched:
    """The parts of one window by name, and which were read from the database (not from the store)."""

    frames: dict[str, pd.DataFrame]
    read: list[str]
    pending: list[tuple[str, str, pd.DataFrame]] = field(default_factory=list)  # (key, part, frame) to store


def part_key(part: Part, ctx: Context, versions: dict[str, str]) -> str:
    """The key of one stored part: every input of its frame, digested."""
    items = [
        part.name,
        str(ctx.w.start),
        str(ctx.w.end),
        ctx.p.params_hash,
        code_version(),
        f"days={ctx.days},months={ctx.months}",
        *(f"{t}={versions[t]}" for t in sorted(set(part.tables))),
    ]
    return hashlib.sha256("\x1f".join(items).encode()).hexdigest()


def fetch_parts(conn: Connection, ctx: Context, parts: tuple[Part, ...] = PARTS, use_store: bool = True) -> Fetched:
    """Every part of ``parts`` for the window: from the store where its key is there, else from its queries.

    Parameters
    ----------
    conn
        Reads the versions, the stored parts and the parts' queries.
    ctx
        Window, settings and the pre-aggregates' state.
    use_store
        False: read every part from its queries (the full recompute; nothing is stored either).
    """
    out = Fetched({}, [])
    if not use_store or not ready(conn):  # a database before migration 0009 has no store
        for part in parts:
            out.frames[part.name] = part.fetch(conn, ctx)
            out.read.append(part.name)
        return out
    versions = read_versions(conn, {t for part in parts for t in part.tables})
    keys = {part.name: part_key(part, ctx, versions) for part in parts}
    c = input_part.c
    stored = dict(conn.execute(select(c.key, c.data).where(c.key.in_(list(keys.values())))).all())
    for part in parts:
        key = keys[part.name]
        if key in stored:
            out.frames[part.name] = _frame(stored[key])
            continue
        frame = part.fetch(conn, ctx)
        out.frames[part.name] = frame
        out.read.append(part.name)
        out.pending.append((key, part.name, frame))
    return out


def context(conn: Connection, w, p) -> Context:
    """The window's context with the pre-aggregates' state as it is now."""
    days = order_days.is_current(conn)  # the per-day pre-aggregate, unless the order tables changed since
    return Context(w, p, days, days and account_month.in_step(conn))


def save_parts(engine: Engine, ctx: Context, pending: list[tuple[str, str, pd.DataFrame]]) -> None:
    """Store the freshly read parts (one transaction) and drop all but the newest :data:`KEEP` rows."""
    if not pending:
        return
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = [
        {
            "key": k,
            "part": name,
            "window_start": ctx.w.start,
            "window_end": ctx.w.end,
            "computed_at": now,
            "data": _parquet(frame),
        }
        for k, name, frame in pending
    ]
    c = input_part.c
    try:
        with engine.begin() as conn:
            conn.execute(delete(input_part).where(c.key.in_([r["key"] for r in rows])))
            conn.execute(insert(input_part), rows)
            # the same part of the same window under older versions is never read again
            conn.execute(
                delete(input_part).where(
                    c.part.in_([r["part"] for r in rows]),
                    c.window_start == ctx.w.start,
                    c.window_end == ctx.w.end,
                    c.key.not_in([r["key"] for r in rows]),
                )
            )
            newest = select(c.key).order_by(c.computed_at.desc()).limit(KEEP).scalar_subquery()
            conn.execute(delete(input_part).where(c.key.not_in(newest)))
    except IntegrityError:  # another server stored the same keys at the same moment: its rows are as good
        pass
