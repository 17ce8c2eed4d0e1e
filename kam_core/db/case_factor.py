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
  (:func:`kam_core.queries.volume_health.fetch_volume_health`), together with products whose name or quantity
  per line says they are obviously not counted in cases.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, literal

from kam_core.db.schema import product

STANDARD_CASE_LITERS = 6.0  # 标箱: 12 × 500 ml, the schema's default liters_per_case
LOOSE_PACK = "other"


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


def quantity_in_cases(qty, factor=None):
    """``qty × factor`` as a SQL expression (the factor of :func:`case_factor_sql` by default)."""
    return qty * (case_factor_sql() if factor is None else factor)


__all__ = [
    "LOOSE_PACK",
    "STANDARD_CASE_LITERS",
    "case_factor",
    "case_factor_sql",
    "master_for_factor",
    "quantity_in_cases",
]
