"""Case-equivalents: the factor that turns a product's line quantity into cases (docs/methods_volume_cases.md).

Every volume of the analytics ("cases": scorecard volume, HVLL's volume side, volume tiers, the simulator's
baselines) is ``Σ order_line.qty_cases × case factor``. Money is never converted (``qty × price`` stays).

The factor comes from the product master, without a column of its own (no migration):

- **Beer in cases** (``pack`` bottle, can or keg, ``liters_per_case`` > 0): the quantity is in the product's
  cases, factor **1**. This is what the demo and every product with a pack size hold, so their figures are
  unchanged (a 20 L keg or a 24 × 330 ml case counts as one case, as before).
- **Loose units** (``pack = 'other'`` and ``liters_per_case`` > 0): the quantity is in the product's own unit
  (a litre of fuel, a bottle, a kilo), and ``liters_per_case`` holds the litres of one such unit;
  factor = ``liters_per_case / STANDARD_CASE_LITERS`` (a standard case, 标箱, is 12 × 500 ml = 6 L). A product
  sold by the litre therefore counts 1/6 case per litre.
- **No pack size** (``liters_per_case`` ≤ 0, e.g. a product an ERP import created without ``case_factor``):
  the raw quantity is used as cases (factor 1), and the scorecard's data health says so with counts
  (:func:`fetch_volume_health`), together with products whose name or quantity per line says they are
  obviously not counted in cases.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from sqlalchemy import Connection, and_, case, func, literal, select

from kam_core.db.schema import order_line, product
from kam_core.i18n import t

STANDARD_CASE_LITERS = 6.0  # 标箱: 12 × 500 ml, the schema's default liters_per_case
LOOSE_PACK = "other"
# a product without pack size whose mean quantity per line is this many times the median product's (more than
# an order of magnitude) is probably not counted in cases; a product with a pack size is trusted on size
SIZE_RATIO = 20.0
# a unit of measure in a name (not a pack size such as "20L桶" or "1.5升": no digit just before it)
UNIT_PATTERN = re.compile(
    r"(?<![a-z0-9.])(l|ltr|litres?|liters?|kg|kgs|kilos?|units?|pcs|pieces?|gallons?)(?![a-z])"
    r"|(?<![0-9.])(升|公升|千克|公斤|吨|加仑)|按(瓶|个|支|罐|件)|散装",
    re.I,
)
HEALTH_CODES = ("no_pack_size", "odd_unit")


def case_factor_sql():
    """SQL expression on ``product``: cases per unit of ``order_line.qty_cases`` (see the module docstring)."""
    loose = and_(product.c.pack == LOOSE_PACK, product.c.liters_per_case > 0)
    return case((loose, product.c.liters_per_case / STANDARD_CASE_LITERS), else_=literal(1.0))


def case_factor(pack: pd.Series, liters_per_case: pd.Series) -> pd.Series:
    """The same factor for product rows in pandas (``pack``, ``liters_per_case``)."""
    liters = pd.to_numeric(liters_per_case, errors="coerce").fillna(0.0)
    loose = pack.astype(str).eq(LOOSE_PACK) & (liters > 0)
    return pd.Series(np.where(loose, liters / STANDARD_CASE_LITERS, 1.0), index=pack.index)


def master_for_factor(factor: float | None) -> dict:
    """Product-master values that encode ``factor`` (cases per unit of quantity; None: unknown).

    A factor of 1 is a product sold in cases (``liters_per_case`` = the standard case's litres); another
    factor is a loose unit (``pack`` other, ``liters_per_case`` = factor × 6 L); None leaves the pack size
    unknown (``liters_per_case`` 0: raw quantity, with a data-health note).
    """
    if factor is None or not factor == factor or factor <= 0:
        return {"pack": "bottle", "units_per_case": 12, "liters_per_case": 0.0}
    if factor == 1.0:
        return {"pack": "bottle", "units_per_case": 12, "liters_per_case": STANDARD_CASE_LITERS}
    return {"pack": LOOSE_PACK, "units_per_case": 1, "liters_per_case": float(factor) * STANDARD_CASE_LITERS}


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


def describe_volume_item(item: dict, lang: str = "zh") -> str:
    """One item of :func:`fetch_volume_health` as a sentence in ``lang`` (zh or en).

    Examples
    --------
    >>> describe_volume_item({"code": "no_pack_size", "products": 2, "share": 0.9875}, "en")
    '2 products (98.8% of quantity) have no pack size: raw quantity used as cases.'
    """
    code = item.get("code")
    if code == "no_pack_size":
        return t("volume.health.no_pack_size", lang, products=int(item["products"]), share=f"{item['share']:.1%}")
    key = "volume.health.odd_unit_name" if item.get("reason") == "name" else "volume.health.odd_unit_size"
    ratio = item.get("ratio")
    return t(
        key,
        lang,
        sku=item.get("sku", ""),
        name=item.get("name", ""),
        share=f"{item.get('share', 0.0):.1%}",
        ratio="–" if ratio is None else f"{ratio:g}",
    )


def quantity_in_cases(qty, factor=None):
    """``qty × factor`` as a SQL expression (the factor of :func:`case_factor_sql` by default)."""
    return qty * (case_factor_sql() if factor is None else factor)


__all__ = [
    "STANDARD_CASE_LITERS",
    "case_factor",
    "case_factor_sql",
    "describe_volume_item",
    "fetch_volume_health",
    "master_for_factor",
    "quantity_in_cases",
]
