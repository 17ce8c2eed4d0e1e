"""Reads for the area key accounts (kam_core.analytics.area_keys): the region tree and the assignable reps."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, or_, select

from kam_core.db.schema import region, sales_rep
from kam_core.scope import Scope

TREE_COLS = ("region_id", "parent_id", "level", "code", "name_zh", "name_en", "path")
BATCH = 900  # below SQLite's bound-parameter limit


def _rows(conn: Connection, stmt, cols) -> pd.DataFrame:
    return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=list(cols))


def fetch_region_tree(conn: Connection, scope: Scope) -> pd.DataFrame:
    """The regions the viewer may list (kam_core.scope) and every ancestor of them.

    A rep lists only the streets of their own accounts; the communities and areas above those are
    added so that the rep's accounts can be grouped at any level (their names show nothing more).
    """
    cols = [region.c[c] for c in TREE_COLS]
    seen = _rows(conn, select(*cols).where(scope.region_clause()).order_by(region.c.path), TREE_COLS)
    missing = set(seen["parent_id"].dropna()) - set(seen["region_id"])
    frames = [seen]
    while missing:  # one level up per round: at most the depth of the tree (4)
        ids = sorted(missing)
        up = pd.concat(
            [
                _rows(conn, select(*cols).where(region.c.region_id.in_(ids[i : i + BATCH])), TREE_COLS)
                for i in range(0, len(ids), BATCH)
            ],
            ignore_index=True,
        )
        frames.append(up)
        known = set().union(*(set(f["region_id"]) for f in frames))
        missing = set(up["parent_id"].dropna()) - known
    tree = pd.concat(frames, ignore_index=True).drop_duplicates("region_id")
    return tree.sort_values("path").reset_index(drop=True)


def fetch_assignable_reps(conn: Connection, scope: Scope, today: dt.date) -> pd.DataFrame:
    """Active reps (``active_to`` empty or not past) the viewer may list: ``rep_id``, ``name``, ``name_en``."""
    stmt = (
        select(sales_rep.c.rep_id, sales_rep.c.name, sales_rep.c.name_en)
        .where(scope.rep_clause(), or_(sales_rep.c.active_to.is_(None), sales_rep.c.active_to >= today))
        .order_by(sales_rep.c.rep_id)
    )
    return _rows(conn, stmt, ("rep_id", "name", "name_en"))
