"""A tiny brewer for the simulator: literal monthly orders whose baselines can be computed by hand.

Accounts (period tested: 2026-06..2026-08, history 2024-06..2026-05)
- D1 DIST, area R01A (under R01), rep REP1: 100 cases/month until 2025-05, then 110/month.
  Baseline = same months LY (110 × 3 = 330) × trend (330 + 1)/(300 + 1) → 362.8970…
- D2 DIST, R02, rep REP2: 200 cases in Jun–Aug, 100 otherwise, both years → 600, trend 1.
- D3 DIST, R01, rep REP1, new: 50 cases/month from 2026-03 → run-rate × seasonal index of D1 + D2.
- K1 KA, R01A, rep REP1: 50 cases/month, plus a postage (service) line that must be ignored.
- L1 DIST, R01, lost: 80 cases/month; left out unless selected by id.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import insert

from kam_core.db.bulk import bulk_insert
from kam_core.db.schema import (
    account,
    channel_tier,
    order_header,
    order_line,
    price_list,
    product,
    rebate_program,
    rebate_settlement,
    region,
    sales_rep,
)

MONTHS = [p.strftime("%Y-%m") for p in pd.period_range("2024-06", "2026-05", freq="M")]


def _cases(acc: str, ym: str) -> float:
    month = int(ym[5:7])
    if acc == "D1":
        return 100.0 if ym <= "2025-05" else 110.0
    if acc == "D2":
        return 200.0 if month in (6, 7, 8) else 100.0
    if acc == "D3":
        return 50.0 if ym >= "2026-03" else 0.0
    if acc == "K1":
        return 50.0
    return 80.0  # L1


def _orders():
    heads, lines = [], []
    for acc in ("D1", "D2", "D3", "K1", "L1"):
        price, cogs = (31.0, 16.0) if acc == "K1" else (28.0, 15.0)
        for ym in MONTHS:
            q = _cases(acc, ym)
            if q <= 0:
                continue
            oid = f"{acc}-{ym}"
            heads.append({"order_id": oid, "account_id": acc, "order_date": dt.date.fromisoformat(f"{ym}-15")})
            lines.append(
                {
                    "order_id": oid,
                    "line_no": 1,
                    "sku_id": "SKU1",
                    "qty_cases": q,
                    "list_price": price + 2,
                    "invoice_price": price,
                    "off_invoice_disc": 0.0,
                    "cogs_per_case": cogs,
                }
            )
            if acc == "K1":  # freight billed as a product line: not beer, not volume
                lines.append(
                    {
                        "order_id": oid,
                        "line_no": 2,
                        "sku_id": "POST",
                        "qty_cases": 1000.0,
                        "list_price": 10.0,
                        "invoice_price": 10.0,
                        "off_invoice_disc": 0.0,
                        "cogs_per_case": 0.0,
                    }
                )
    return pd.DataFrame(heads), pd.DataFrame(lines)


def seed_sim_db(engine) -> None:
    f = pd.DataFrame
    heads, lines = _orders()
    tables = [
        (
            region,
            f(
                [
                    {
                        "region_id": "R01",
                        "level": "region",
                        "code": "R01",
                        "name_zh": "东",
                        "name_en": "East",
                        "path": "R01",
                    },
                    {
                        "region_id": "R01A",
                        "parent_id": "R01",
                        "level": "area",
                        "code": "R01A",
                        "name_zh": "东A",
                        "name_en": "East A",
                        "path": "R01/R01A",
                    },
                    {
                        "region_id": "R02",
                        "level": "region",
                        "code": "R02",
                        "name_zh": "北",
                        "name_en": "North",
                        "path": "R02",
                    },
                ]
            ),
        ),
        (
            channel_tier,
            f(
                [
                    {"tier_code": c, "name_zh": c, "name_en": c, "level_in_chain": i}
                    for i, c in enumerate(["DIST", "WHS2", "KA", "RETAIL", "ONPREM"], start=1)
                ]
            ),
        ),
        (
            sales_rep,
            f(
                [
                    {"rep_id": "REP1", "name": "张", "home_region_id": "R01", "hourly_cost": 60.0},
                    {"rep_id": "REP2", "name": "李", "home_region_id": "R02", "hourly_cost": 60.0},
                ]
            ),
        ),
        (
            account,
            f(
                [
                    {
                        "account_id": a,
                        "name": a,
                        "tier_code": t,
                        "region_id": r,
                        "owner_rep_id": rep,
                        "status": s,
                        "outlets_served": o,
                    }
                    for a, t, r, rep, s, o in [
                        ("D1", "DIST", "R01A", "REP1", "active", 40),
                        ("D2", "DIST", "R02", "REP2", "active", 30),
                        ("D3", "DIST", "R01", "REP1", "active", 10),
                        ("K1", "KA", "R01A", "REP1", "active", 3),
                        ("L1", "DIST", "R01", "REP1", "lost", 5),
                    ]
                ]
            ),
        ),
        (
            product,
            f(
                [
                    {"sku_id": "SKU1", "name": "啤酒", "std_cogs_per_case": 15.0, "is_service": False},
                    {"sku_id": "POST", "name": "运费", "std_cogs_per_case": 0.0, "is_service": True},
                ]
            ),
        ),
        (
            price_list,
            f(
                [
                    {
                        "sku_id": "SKU1",
                        "tier_code": "DIST",
                        "valid_from": dt.date(2024, 1, 1),
                        "list_price": 30.0,
                        "floor_price": 26.0,
                    },
                    {
                        "sku_id": "SKU1",
                        "tier_code": "KA",
                        "valid_from": dt.date(2024, 1, 1),
                        "list_price": 33.0,
                        "floor_price": 29.0,
                    },
                ]
            ),
        ),
        (order_header, heads),
        (order_line, lines),
        (
            rebate_program,
            f(
                [
                    {
                        "program_id": "RP1",
                        "name": "summer tiers",
                        "type": "retro_tiered",
                        "valid_from": dt.date(2026, 6, 1),
                        "valid_to": dt.date(2026, 8, 31),
                    }
                ]
            ),
        ),
    ]
    settlements = [  # an interim payment this summer, and last year's (outside the period)
        {
            "program_id": "RP1",
            "account_id": "D1",
            "period": "2026-06",
            "actual_basis": 120.0,
            "actual_rebate": 200.0,
            "paid_date": dt.date(2026, 7, 5),
            "interim": True,
            "form": "credit_note",
        },
        {
            "program_id": "RP1",
            "account_id": "D1",
            "period": "2025",
            "actual_basis": 1.0,
            "actual_rebate": 999.0,
            "paid_date": dt.date(2025, 7, 5),
            "interim": True,
            "form": "credit_note",
        },
    ]
    with engine.begin() as conn:
        for table, df in tables:
            bulk_insert(conn, table, _with_defaults(table, df))
        # COPY on PostgreSQL does not draw ids from a Sequence: event rows go through a plain INSERT
        conn.execute(insert(rebate_settlement), settlements)


def _with_defaults(table, df: pd.DataFrame) -> pd.DataFrame:
    """PostgreSQL COPY skips client-side defaults: write them out (and fill gaps in given columns)."""
    out = df.copy()
    for col in table.c:
        if col.default is not None and col.default.is_scalar:
            out[col.name] = out[col.name].fillna(col.default.arg) if col.name in out else col.default.arg
    return out


@pytest.fixture
def sim_engine(db_engine):
    """The tiny brewer on SQLite (and PostgreSQL when configured)."""
    seed_sim_db(db_engine)
    return db_engine


@pytest.fixture
def sim_sqlite(sqlite_engine):
    seed_sim_db(sqlite_engine)
    return sqlite_engine


@pytest.fixture
def seed_sim():
    """The seeding function, for engines the shared fixtures do not cover (DuckDB)."""
    return seed_sim_db
