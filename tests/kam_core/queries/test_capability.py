"""The latest capability assessment per account, read in SQL on SQLite and (if configured) PostgreSQL."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import insert

from kam_core.analytics.capability import CAPABILITIES
from kam_core.db import schema as s
from kam_core.queries.capability import fetch_capabilities


def _assessment(account_id: str, day: str, terminals: int | None, staff: int) -> dict:
    return {
        "account_id": account_id,
        "assessed_on": dt.date.fromisoformat(day),
        "sub_distributors": 2,
        "terminals": terminals,
        "portfolio_complementarity": 3,
        "loyalty_rating": 4,
        "capital_rmb": 1e6,
        "staff": staff,
    }


def test_the_latest_assessment_on_or_before_the_window_end_counts_and_blanks_stay_missing(db_engine):
    with db_engine.begin() as conn:
        conn.execute(
            insert(s.channel_tier).values(tier_code="DIST", name_zh="一批商", name_en="Distributor", level_in_chain=1)
        )
        conn.execute(insert(s.account), [{"account_id": a, "name": a, "tier_code": "DIST"} for a in ("A1", "A2", "A3")])
        conn.execute(
            insert(s.account_capability),
            [
                _assessment("A1", "2025-01-01", 100, 5),
                _assessment("A1", "2026-01-01", None, 7),  # the latest in force: terminals left blank
                _assessment("A1", "2026-09-01", 999, 99),  # after the window end: ignored
                _assessment("A2", "2026-07-01", 40, 3),
                _assessment("A3", "2026-08-01", 10, 1),  # assessed only after the window end: no row
            ],
        )
    with db_engine.connect() as conn:
        out = fetch_capabilities(conn, dt.date(2026, 6, 30) + dt.timedelta(days=31))  # window end 2026-07-31
    assert sorted(out.index) == ["A1", "A2"]
    assert list(out.columns) == ["cap_assessed_on", *[f"cap_{c}" for c in CAPABILITIES]]
    assert pd.Timestamp(out.loc["A1", "cap_assessed_on"]) == pd.Timestamp("2026-01-01")
    assert np.isnan(out.loc["A1", "cap_terminals"]) and out.loc["A1", "cap_staff"] == 7.0
    assert out.loc["A2", "cap_terminals"] == 40.0 and out.loc["A2", "cap_capital_rmb"] == 1e6
