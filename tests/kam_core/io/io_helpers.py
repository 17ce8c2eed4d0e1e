"""Small shared helpers for the import/export tests: reference rows, row counts, file writers."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import Engine, func, insert, select

from kam_core.db.schema import channel_tier, metadata, region, sales_rep

TIERS = [
    ("DIST", "一批商", "Distributor", 1),
    ("KA", "KA卖场", "Key account retail", 2),
    ("RETAIL", "小终端", "Small retail", 3),
]
REGIONS = [
    ("R01", None, "region", "R01", "华东", "East", "R01"),
    ("R01A", "R01", "area", "R01A", "上海", "Shanghai", "R01/R01A"),
    ("R02", None, "region", "R02", "华南", "South", "R02"),
]
REPS = [("REP1", "王一", "R01A"), ("REP2", "李二", "R02")]


def seed_reference(engine: Engine) -> None:
    """Tiers DIST/KA/RETAIL, regions R01 > R01A and R02, reps REP1 (R01A) and REP2 (R02)."""
    with engine.begin() as conn:
        conn.execute(
            insert(channel_tier),
            [dict(zip(("tier_code", "name_zh", "name_en", "level_in_chain"), t, strict=True)) for t in TIERS],
        )
        conn.execute(
            insert(region),
            [
                dict(zip(("region_id", "parent_id", "level", "code", "name_zh", "name_en", "path"), r, strict=True))
                for r in REGIONS
            ],
        )
        conn.execute(
            insert(sales_rep), [{"rep_id": r, "name": n, "home_region_id": h, "hourly_cost": 60.0} for r, n, h in REPS]
        )


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows in every table of the schema."""
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in metadata.sorted_tables}


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list], sheet: str = "Sheet1") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path
