"""The latest assessment of the six capabilities per account (table account_capability), read in SQL.

The index built from them is pure analytics: :mod:`kam_core.analytics.capability`.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, func, select

from kam_core.analytics.capability import CAPABILITIES
from kam_core.db.schema import account_capability


def fetch_capabilities(conn: Connection, end) -> pd.DataFrame:
    """The latest capability assessment on or before ``end`` per account (one row per assessed account).

    One GROUP BY-sized read: a window function picks the newest assessment; blank fields stay NaN.
    Columns: the :data:`CAPABILITIES`, prefixed ``cap_``, and ``cap_assessed_on``; indexed by account_id.
    """
    cap = account_capability
    ranked = (
        select(
            cap.c.account_id,
            cap.c.assessed_on,
            *[cap.c[c] for c in CAPABILITIES],
            func.row_number().over(partition_by=cap.c.account_id, order_by=cap.c.assessed_on.desc()).label("rn"),
        )
        .where(cap.c.assessed_on <= end)
        .subquery("cap_latest")
    )
    stmt = select(ranked.c.account_id, ranked.c.assessed_on, *[ranked.c[c] for c in CAPABILITIES]).where(
        ranked.c.rn == 1
    )
    rows = conn.execute(stmt).all()
    cols = ["account_id", "cap_assessed_on", *[f"cap_{c}" for c in CAPABILITIES]]
    df = pd.DataFrame([tuple(r) for r in rows], columns=cols)
    for c in CAPABILITIES:
        df[f"cap_{c}"] = pd.to_numeric(df[f"cap_{c}"], errors="coerce").astype(float)
    return df.set_index("account_id")
