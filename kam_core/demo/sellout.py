"""Sell-out reports (distributor outflow, KA point of sale) and month-end stock of distributors.

Honest reporters' sell-out tracks sell-in (a little below, as stock builds); diverters report only what
left through their authorised outlets, so their sell-in runs 1.25-1.4x their reported sell-out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kam_core.demo.season import History


def _monthly_sku(
    acc: pd.DataFrame, lines: pd.DataFrame, line_account: np.ndarray, line_day: np.ndarray, h: History, mask: np.ndarray
) -> pd.DataFrame:
    m = mask[line_account]
    month = (h.start + pd.to_timedelta(line_day[m], unit="D")).to_period("M").to_timestamp()
    df = pd.DataFrame(
        {
            "a": line_account[m],
            "sku_id": lines["sku_id"].to_numpy()[m],
            "period": month,
            "qty": lines["qty_cases"].to_numpy()[m],
        }
    )
    return df.groupby(["a", "sku_id", "period"], as_index=False)["qty"].sum()


def sellout_and_stock(
    rng: np.random.Generator,
    acc: pd.DataFrame,
    lines: pd.DataFrame,
    line_account: np.ndarray,
    line_day: np.ndarray,
    h: History,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``sellout`` for DIST (outflow reports) and KA (POS) and ``inventory_snapshot`` at distributors."""
    reporting = acc["tier"].isin(["DIST", "KA"]).to_numpy()
    g = _monthly_sku(acc, lines, line_account, line_day, h, reporting)
    g = g[g["qty"] > 0]
    div = acc["diverter"].to_numpy()[g["a"].to_numpy()]
    ratio = np.where(div, rng.uniform(0.71, 0.8, len(g)), rng.uniform(0.93, 1.02, len(g)))
    source = np.where(acc["tier"].to_numpy()[g["a"].to_numpy()] == "KA", "pos", "outflow_report")
    sell = pd.DataFrame(
        {
            "account_id": acc["account_id"].to_numpy()[g["a"].to_numpy()],
            "sku_id": g["sku_id"].to_numpy(),
            "period": g["period"].to_numpy(),
            "qty_cases": np.round(g["qty"].to_numpy() * ratio),
            "source": source,
        }
    )
    dist = g[acc["tier"].to_numpy()[g["a"].to_numpy()] == "DIST"]
    snap = dist["period"] + pd.offsets.MonthEnd(0)
    keep = (snap <= h.end).to_numpy()
    stock = pd.DataFrame(
        {
            "account_id": acc["account_id"].to_numpy()[dist["a"].to_numpy()][keep],
            "sku_id": dist["sku_id"].to_numpy()[keep],
            "snap_date": snap.to_numpy()[keep],
            "qty_cases": np.round(dist["qty"].to_numpy()[keep] * rng.uniform(0.3, 0.6, keep.sum())),
        }
    )
    return sell, stock
