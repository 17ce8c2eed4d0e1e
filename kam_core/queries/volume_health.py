"""Data health of the quantity units: goods products without pack size or obviously not counted in cases.

Reads the product master and, only when a product could be off, one GROUP BY over the order lines
(:mod:`kam_core.db.case_factor` defines the factor; :mod:`kam_core.analytics.case_units` writes the items).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, select

from kam_core.db.case_factor import LOOSE_PACK, case_factor
from kam_core.db.schema import order_line, product

# a product without pack size whose mean quantity per line is this many times the median product's (more than
# an order of magnitude) is probably not counted in cases; a product with a pack size is trusted on size
SIZE_RATIO = 20.0
# a unit of measure in a name (not a pack size such as "20L桶" or "1.5升": no digit just before it)
UNIT_PATTERN = re.compile(
    r"(?<![a-z0-9.])(l|ltr|litres?|liters?|kg|kgs|kilos?|units?|pcs|pieces?|gallons?)(?![a-z])"
    r"|(?<![0-9.])(升|公升|千克|公斤|吨|加仑)|按(瓶|个|支|罐|件)|散装",
    re.I,
)


def _products(conn: Connection) -> pd.DataFrame:
    rows = conn.execute(
        select(product.c.sku_id, product.c.name, product.c.name_en, product.c.pack, product.c.liters_per_case).where(
            product.c.is_service.is_(False)
        )
    ).all()
    return pd.DataFrame(rows, columns=["sku_id", "name", "name_en", "pack", "liters"]).astype({"sku_id": str})


def _line_sizes(conn: Connection) -> pd.DataFrame:
    """Per goods product: lines and Σ|quantity| over all order lines (one GROUP BY in the database)."""
    stmt = select(
        order_line.c.sku_id, func.count().label("lines"), func.sum(func.abs(order_line.c.qty_cases)).label("qty")
    ).group_by(order_line.c.sku_id)
    df = pd.DataFrame(conn.execute(stmt).all(), columns=["sku_id", "lines", "qty"])
    return df.astype({"sku_id": str, "lines": int, "qty": float}).set_index("sku_id")


def fetch_volume_health(conn: Connection) -> list[dict]:
    """Data-health items about the quantity units of the goods products (empty when all look like cases).

    ``{"code": "no_pack_size", "products": N, "share": X}``: N products (X of the raw quantity) have no pack
    size, so their raw quantity counts as cases. ``{"code": "odd_unit", "sku", "name", "reason": "name" |
    "size", "ratio", "share"}``: a product still counted 1:1 whose name reads like a unit (litre, kg, units),
    or one without pack size whose quantity per line is at least :data:`SIZE_RATIO` times the median product's. The line query
    only runs when the product master has a product with no pack size, a loose unit or a unit-like name, so
    a database in cases (the demo) pays nothing.
    """
    prods = _products(conn)
    if prods.empty:
        return []
    prods["factor"] = case_factor(prods["pack"], prods["liters"]).to_numpy()
    unknown = pd.to_numeric(prods["liters"], errors="coerce").fillna(0.0).le(0).to_numpy()
    names = prods["name"].fillna("").astype(str) + " " + prods["name_en"].fillna("").astype(str)
    unit_named = names.map(lambda s: bool(UNIT_PATTERN.search(s))).to_numpy() & (prods["factor"] == 1.0).to_numpy()
    if not (unknown.any() or unit_named.any() or prods["pack"].eq(LOOSE_PACK).any()):
        return []
    sizes = _line_sizes(conn).reindex(prods["sku_id"]).fillna(0.0)
    qty, lines = sizes["qty"].to_numpy(), sizes["lines"].to_numpy()
    total = qty.sum()
    share = qty / total if total > 0 else np.zeros(len(qty))
    items = []
    if unknown.any():
        items.append({"code": "no_pack_size", "products": int(unknown.sum()), "share": float(share[unknown].sum())})
    per_line = np.where(lines > 0, qty / np.maximum(lines, 1), np.nan)
    median = float(np.nanmedian(per_line)) if np.isfinite(per_line).any() else np.nan
    ratio = per_line / median if median and median > 0 else np.full(len(qty), np.nan)
    big = (np.nan_to_num(ratio) >= SIZE_RATIO) & unknown
    for j in np.flatnonzero((unit_named | big) & (prods["factor"] == 1.0).to_numpy()):
        items.append(
            {
                "code": "odd_unit",
                "sku": prods["sku_id"].iat[j],
                "name": str(prods["name"].iat[j]),
                "reason": "name" if unit_named[j] else "size",
                "ratio": None if not np.isfinite(ratio[j]) else round(float(ratio[j]), 1),
                "share": float(share[j]),
            }
        )
    return items
