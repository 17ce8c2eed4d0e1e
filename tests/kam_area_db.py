"""A hand-made brewer with a full region tree (大区 > 片区 > 社区 > 街道) and small-retail accounts,
for the area key accounts and follow-up tests (issue #14). Literal rows, so tests can state exact answers.

R1 华东 > A1 上海 > C1 浦东 (S1, S2), C2 徐汇 (S3), C3 静安 (S4); R1 > A2 杭州 > C4 西湖 (S5).
Monthly cases Jan-Jun 2026 at 28 yuan: r1 20 (S1), r2 10 (S1), r3 3 (S2), r4 16 (S3), d1 DIST 100 (S3),
r5 RETAIL none (S4: C3 has no retail sales), k1 KA 30 (S4), r6 7 cases once on 28 June (S5, no owner).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from kam_core.db.schema import (
    account,
    channel_tier,
    order_header,
    order_line,
    product,
    promotion,
    region,
    sales_rep,
    visit,
)

AS_OF = dt.date(2026, 6, 30)
TREE = [  # id, parent, level, zh, en
    ("R1", None, "region", "华东", "East"),
    ("A1", "R1", "area", "上海", "Shanghai"),
    ("A2", "R1", "area", "杭州", "Hangzhou"),
    ("C1", "A1", "community", "浦东", "Pudong"),
    ("C2", "A1", "community", "徐汇", "Xuhui"),
    ("C3", "A1", "community", "静安", "Jing'an"),
    ("C4", "A2", "community", "西湖", "Xihu"),
    ("S1", "C1", "street", "陆家嘴", "Lujiazui"),
    ("S2", "C1", "street", "花木", "Huamu"),
    ("S3", "C2", "street", "天平", "Tianping"),
    ("S4", "C3", "street", "南京西路", "West Nanjing Rd"),
    ("S5", "C4", "street", "北山", "Beishan"),
]
ACCOUNTS = [  # id, tier, street, owner, monthly cases
    ("r1", "RETAIL", "S1", "REP1", 20),
    ("r2", "RETAIL", "S1", "REP1", 10),
    ("r3", "RETAIL", "S2", "REP1", 3),
    ("r4", "RETAIL", "S3", "REP1", 16),
    ("d1", "DIST", "S3", "REP1", 100),
    ("r5", "RETAIL", "S4", "REP1", 0),
    ("k1", "KA", "S4", "REP1", 30),
    ("r6", "RETAIL", "S5", None, 0),
]


def _paths() -> dict[str, str]:
    parent = {r[0]: r[1] for r in TREE}
    out = {}
    for rid in parent:
        chain, node = [], rid
        while node:
            chain.append(node)
            node = parent[node]
        out[rid] = "/".join(reversed(chain))
    return out


def _orders() -> tuple[list[dict], list[dict]]:
    heads, lines = [], []
    rows = [(a, dt.date(2026, m, 10), c) for a, _, _, _, c in ACCOUNTS if c for m in range(1, 7)]
    rows += [("r6", dt.date(2026, 6, 28), 7), ("d1", AS_OF, 50)]
    for i, (acc, day, cases) in enumerate(rows):
        oid = f"O{i:04d}"
        heads.append({"order_id": oid, "account_id": acc, "order_date": day, "source": "manual"})
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
    return heads, lines


def seed_area(engine) -> None:
    """Fill an empty schema with the area brewer."""
    paths = _paths()
    heads, lines = _orders()
    tiers = [("DIST", "一批商", "Distributor"), ("WHS2", "二批商", "Wholesaler"), ("KA", "KA卖场", "Key account")]
    tiers += [("RETAIL", "小终端", "Retail"), ("ONPREM", "餐饮", "On-premise")]
    rows = [
        (
            region,
            [
                {"region_id": r, "parent_id": p, "level": lv, "code": r, "name_zh": z, "name_en": e, "path": paths[r]}
                for r, p, lv, z, e in TREE
            ],
        ),
        (
            channel_tier,
            [
                {"tier_code": c, "name_zh": z, "name_en": e, "level_in_chain": i}
                for i, (c, z, e) in enumerate(tiers, start=1)
            ],
        ),
        (
            sales_rep,
            [
                {"rep_id": "REP1", "name": "张三", "name_en": "Zhang San", "home_region_id": "A1"},
                {"rep_id": "REP2", "name": "李四", "name_en": "Li Si", "home_region_id": "A2"},
                {"rep_id": "REP3", "name": "王五", "name_en": "Wang Wu", "home_region_id": "C1"},
            ],
        ),
        (
            account,
            [
                {
                    "account_id": a,
                    "name": f"{a.upper()}店",
                    "name_en": f"Shop {a.upper()}",
                    "tier_code": t,
                    "region_id": s,
                    "owner_rep_id": o,
                    "status": "active",
                    "first_order_date": dt.date(2026, 6, 28) if a == "r6" else dt.date(2025, 1, 10),
                }
                for a, t, s, o, _ in ACCOUNTS
            ],
        ),
        (
            product,
            [
                {
                    "sku_id": "SKU1",
                    "name": "纯生500ml",
                    "name_en": "Draft 500ml",
                    "brand": "Ours",
                    "std_cogs_per_case": 18.0,
                    "launch_date": None,  # every row names the same columns (one executemany)
                },
                {
                    "sku_id": "SKU2",
                    "name": "白啤330ml",
                    "name_en": "Wheat 330ml",
                    "brand": "Ours",
                    "std_cogs_per_case": 20.0,
                    "launch_date": dt.date(2026, 7, 10),
                },
            ],
        ),
        (order_header, heads),
        (order_line, lines),
        (
            promotion,
            [
                {
                    "promo_id": "P1",
                    "name": "夏日畅饮",
                    "mechanic": "tpr",
                    "start_date": dt.date(2026, 7, 5),
                    "end_date": dt.date(2026, 7, 31),
                    "tier_code": "RETAIL",
                    "region_id": "A1",
                },
            ],
        ),
        (
            visit,
            [
                {"account_id": "r1", "rep_id": "REP1", "visit_date": dt.date(2026, 6, 25), "visit_type": "order"},
                {"account_id": "d1", "rep_id": "REP1", "visit_date": dt.date(2026, 6, 29), "visit_type": "order"},
            ],
        ),
    ]
    with engine.begin() as conn:
        for table, records in rows:
            conn.execute(insert(table), records)


def area_sqlite_url(path) -> str:
    """A SQLite file at ``path`` with the schema and the area brewer; its URL (engine disposed)."""
    from kam_core.db import ensure_schema, get_engine

    url = f"sqlite:///{path}"
    engine = get_engine(url)
    ensure_schema(engine)
    seed_area(engine)
    engine.dispose()
    return url
