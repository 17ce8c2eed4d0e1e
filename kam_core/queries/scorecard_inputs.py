"""Gather every per-account input of the scorecard from the database into one frame (one row per account).

Also reports which inputs the database holds at all (:data:`kam_core.analytics.inputs.INPUTS`), so an
ERP-only database (orders only) degrades gracefully and the dashboard can say what is missing.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, literal, select

from kam_core.analytics import diversion
from kam_core.analytics.inputs import INPUTS, Inputs
from kam_core.analytics.params import Params
from kam_core.analytics.window import Window
from kam_core.db import order_days, schema
from kam_core.queries import input_cache, metrics
from kam_core.queries.input_parts import PARTS


def check_available(engine: Engine) -> dict[str, bool]:
    """Which optional inputs have at least one row."""
    out = {}
    with engine.connect() as conn:
        for name, tables in INPUTS.items():
            out[name] = any(
                conn.execute(select(literal(1)).select_from(schema.metadata.tables[t]).limit(1)).first() is not None
                for t in tables
            )
    return out


def _parts_in_order(frames: dict[str, pd.DataFrame], w: Window) -> tuple[list[pd.DataFrame], pd.DataFrame]:
    """The parts as the scorecard joins them (line facts split into totals, months and quarter-end buying)."""
    totals, monthly, cur = metrics.split_line_facts(frames["line_facts"])
    chasing = diversion.compute_quarter_chasing(cur, frames["rebate_thresholds"], w)
    skip = {"accounts", "line_facts", "rebate_thresholds"}
    return [totals, chasing, *(frames[part.name] for part in PARTS if part.name not in skip)], monthly


def gather_inputs(engine: Engine, w: Window, p: Params, use_store: bool = True) -> Inputs:
    """Read every aggregate for window ``w`` and join the results onto the scored accounts.

    ``use_store``: reuse the stored parts whose tables did not change since (:mod:`kam_core.queries.input_cache`,
    the same frame); False reads every part from its queries.
    """
    available = check_available(engine)
    with engine.connect() as conn:
        ctx = input_cache.context(conn, w, p)
        fetched = input_cache.fetch_parts(conn, ctx, use_store=use_store)
    if use_store:
        input_cache.save_parts(engine, ctx, fetched.pending)
    parts, monthly = _parts_in_order(fetched.frames, w)
    frame = fetched.frames["accounts"]
    for part in parts:
        part = part[~part.index.duplicated()]
        frame = frame.join(part.reindex(frame.index), how="left")
    frame = frame.rename_axis("account_id")
    _fill_observed_zeros(frame, available)
    return Inputs(frame=frame, monthly=monthly[monthly["account_id"].isin(frame.index)], available=available)


_ZERO_WHEN_SOURCE = {
    "visits": ("n_visits", "visit_minutes", "visit_cost", "advice_visits"),
    "service_events": ("service_direct_cost", "service_minutes", "service_minute_cost", "advice_service_events"),
    "competitors": ("competitor_brands",),
    "rebates": ("rebates_settled",),
    "promotions": ("redemption_cost", "promo_fixed_fees"),
    "ka_fees": ("ka_fees",),
    "receivables": ("avg_ar", "bounced", "invoiced"),
}


def _fill_observed_zeros(frame: pd.DataFrame, available: dict[str, bool]) -> None:
    """Where a source exists but has no row for an account, the true value is 0 (not unknown)."""
    for name, cols in _ZERO_WHEN_SOURCE.items():
        for col in cols:
            if col in frame and available.get(name):
                frame[col] = frame[col].fillna(0)
    # counts of what the order tables hold: an account without a sales order (a credit note only) has 0
    for col in (
        *order_days.LINE_SUMS,
        "n_orders",
        "delivery_cost",
        "ly_net_sales",
        "ly_volume_cases",
        "uncosted_sales",
        "uncosted_lines",
        "order_days_ever",
        "order_weeks_ever",
        "order_days_window",
        "order_weeks_window",
    ):
        frame[col] = frame[col].fillna(0)
    if available.get("visits") or available.get("contacts"):
        frame["contact_levels"] = frame["contact_levels"].fillna(0)
