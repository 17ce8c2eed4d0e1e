"""A tiny, hand-made brewer database (3 accounts, 2 reps, 2 regions) for profile, report and page tests.

Literal rows, so a test can state exact expectations without the demo generator.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import insert

from kam_core.db.schema import (
    account,
    account_capability,
    account_competitor,
    account_contact,
    ar_invoice,
    ar_payment,
    channel_tier,
    competitor_brand,
    credit_terms,
    order_header,
    order_line,
    product,
    region,
    sales_rep,
    survey_response,
    visit,
)

TODAY = dt.date(2026, 6, 30)


def _orders(history: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    heads, lines = [], []
    rows = [
        (a, dt.date(2026, m, 10), c)
        for a, base in (("A001", 1000), ("A002", 300), ("A003", 500))
        for m, c in zip(range(1, 7), [base, base + 50, base + 100, base, base - 50, base + 200], strict=True)
    ]
    if history:  # a year before at 90 %, so that a baseline has the same months a year back
        rows += [
            (a, dt.date(2025, m, 10), round(0.9 * c))
            for a, base in (("A001", 1000), ("A002", 300), ("A003", 500))
            for m, c in zip(range(1, 13), [base] * 12, strict=True)
        ]
    for i, (acc, day, cases) in enumerate(rows):
        oid = f"O{i:04d}"
        heads.append(
            {
                "order_id": oid,
                "account_id": acc,
                "order_date": day,
                "rep_id": "REP002" if acc == "A003" else "REP001",
                "source": "manual",
            }
        )
        lines.append(
            {
                "order_id": oid,
                "line_no": 1,
                "sku_id": "SKU1",
                "qty_cases": float(cases),
                "list_price": 30.0,
                "invoice_price": 28.0,
                "off_invoice_disc": 0.0,
                "cogs_per_case": 18.0,
            }
        )
    return pd.DataFrame(heads), pd.DataFrame(lines)


def seed_tiny(engine, history: bool = False) -> None:
    """Fill an empty schema with the tiny brewer (``history``: add 2025 orders as well)."""
    f = pd.DataFrame
    heads, lines = _orders(history)
    tables = [
        (
            region,
            f(
                [
                    {
                        "region_id": "R01",
                        "level": "region",
                        "code": "R01",
                        "name_zh": "华东",
                        "name_en": "East",
                        "path": "R01",
                    },
                    {
                        "region_id": "R02",
                        "level": "region",
                        "code": "R02",
                        "name_zh": "华北",
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
                    {"tier_code": c, "name_zh": z, "name_en": e, "level_in_chain": i}
                    for i, (c, z, e) in enumerate(
                        [
                            ("DIST", "一批商", "Distributor"),
                            ("WHS2", "二批商", "Wholesaler"),
                            ("KA", "KA卖场", "Key account"),
                            ("RETAIL", "小终端", "Retail"),
                            ("ONPREM", "餐饮", "On-premise"),
                        ],
                        start=1,
                    )
                ]
            ),
        ),
        (
            sales_rep,
            f(
                [
                    {
                        "rep_id": "REP001",
                        "name": "张三",
                        "name_en": "Zhang San",
                        "home_region_id": "R01",
                        "hourly_cost": 60.0,
                    },
                    {
                        "rep_id": "REP002",
                        "name": "李四",
                        "name_en": "Li Si",
                        "home_region_id": "R02",
                        "hourly_cost": 60.0,
                    },
                ]
            ),
        ),
        (
            account,
            f(
                [
                    {
                        "account_id": "A001",
                        "name": "杭州一批",
                        "name_en": "Hangzhou Dist",
                        "tier_code": "DIST",
                        "region_id": "R01",
                        "owner_rep_id": "REP001",
                        "status": "active",
                        "outlets_served": 120,
                        "first_order_date": dt.date(2020, 1, 5),
                    },
                    {
                        "account_id": "A002",
                        "name": "余杭二批",
                        "name_en": "Yuhang Wholesale",
                        "tier_code": "WHS2",
                        "parent_account_id": "A001",
                        "region_id": "R01",
                        "owner_rep_id": "REP001",
                        "status": "active",
                    },
                    {
                        "account_id": "A003",
                        "name": "北京卖场",
                        "name_en": "Beijing Mart",
                        "tier_code": "KA",
                        "region_id": "R02",
                        "owner_rep_id": "REP002",
                        "status": "active",
                    },
                ]
            ),
        ),
        (
            product,
            f(
                [
                    {
                        "sku_id": "SKU1",
                        "name": "纯生500ml",
                        "name_en": "Draft 500ml",
                        "brand": "Ours",
                        "std_cogs_per_case": 18.0,
                    }
                ]
            ),
        ),
        (order_header, heads),
        (order_line, lines),
        (
            account_capability,
            f(
                [
                    {
                        "account_id": "A001",
                        "assessed_on": dt.date(2026, 1, 15),
                        "sub_distributors": 8,
                        "terminals": 300,
                        "portfolio_complementarity": 4,
                        "loyalty_rating": 3,
                        "capital_rmb": 2_000_000.0,
                        "staff": 25,
                        "vehicles": 6,
                    }
                ]
            ),
        ),
        (
            account_contact,
            f(
                [
                    {"account_id": "A001", "level": "owner", "name": "王老板", "role": "老板", "phone": "13800000000"},
                    {"account_id": "A001", "level": "buyer", "name": "赵采购", "role": "采购"},
                ]
            ),
        ),
        (
            visit,
            f(
                [
                    {
                        "account_id": "A001",
                        "rep_id": "REP001",
                        "visit_date": dt.date(2026, 5, 20),
                        "visit_type": "order",
                        "duration_min": 40.0,
                    },
                    {
                        "account_id": "A001",
                        "rep_id": "REP001",
                        "visit_date": dt.date(2026, 6, 2),
                        "visit_type": "negotiation",
                        "duration_min": 90.0,
                        "note": "Q3 rebate tiers agreed in principle",
                    },
                ]
            ),
        ),
        (
            survey_response,
            f(
                [
                    {
                        "account_id": "A001",
                        "respondent_role": "owner",
                        "response_date": dt.date(2026, 3, 1),
                        "nps_0_10": 8,
                        "csat_1_5": 4,
                    }
                ]
            ),
        ),
        (competitor_brand, f([{"brand_id": "B1", "name": "雪花", "name_en": "Snow", "owner_company": "CR"}])),
        (
            account_competitor,
            f(
                [
                    {
                        "account_id": "A001",
                        "brand_id": "B1",
                        "observed_date": dt.date(2026, 4, 1),
                        "est_volume_share": 0.3,
                        "source": "visit",
                    }
                ]
            ),
        ),
        (
            credit_terms,
            f(
                [
                    {
                        "account_id": "A001",
                        "valid_from": dt.date(2025, 1, 1),
                        "settlement_mode": "credit",
                        "payment_terms_days": 30,
                        "statement_cycle": "monthly",
                        "credit_limit": 500_000.0,
                    }
                ]
            ),
        ),
        (
            ar_invoice,
            f(
                [
                    {
                        "invoice_id": "I1",
                        "account_id": "A001",
                        "invoice_date": dt.date(2026, 4, 10),
                        "due_date": dt.date(2026, 5, 10),
                        "amount": 28_000.0,
                    },
                    {
                        "invoice_id": "I2",
                        "account_id": "A001",
                        "invoice_date": dt.date(2026, 5, 10),
                        "due_date": dt.date(2026, 6, 9),
                        "amount": 26_600.0,
                    },
                ]
            ),
        ),
        (
            ar_payment,
            f(
                [
                    {"invoice_id": "I1", "pay_date": dt.date(2026, 5, 8), "amount": 28_000.0},
                    {"invoice_id": "I2", "pay_date": dt.date(2026, 6, 1), "amount": 10_000.0},
                ]
            ),
        ),
    ]
    # Core inserts (not COPY) so that client-side defaults and id sequences apply on every engine
    with engine.begin() as conn:
        for table, df in tables:
            conn.execute(insert(table), df.astype(object).where(df.notna(), None).to_dict("records"))


def tiny_sqlite_url(path, history: bool = False) -> str:
    """A SQLite database file at ``path`` with the schema and the tiny brewer; its URL (engine disposed)."""
    from kam_core.db import ensure_schema, get_engine

    url = f"sqlite:///{path}"
    engine = get_engine(url)
    ensure_schema(engine)
    seed_tiny(engine, history)
    engine.dispose()
    return url
