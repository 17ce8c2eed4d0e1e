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
from kam_core.db import account_month, order_days, schema
from kam_core.queries import activity, capability, credit_terms, diversion_signals, metrics, money, month_facts


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


def _fetch_all(conn, w: Window, p: Params) -> tuple[list[pd.DataFrame], pd.DataFrame]:
    days = order_days.is_current(conn)  # the per-day pre-aggregate, unless the order tables changed since
    if days and account_month.in_step(conn):  # whole months per account, edge months per day (same groups)
        facts = month_facts.fetch_line_facts(conn, w, diversion.late_ranges(w))
    else:
        facts = metrics.fetch_line_facts(conn, w, diversion.late_ranges(w), from_days=days)
    totals, monthly, cur = metrics.split_line_facts(facts)
    chasing = diversion.compute_quarter_chasing(cur, diversion_signals.fetch_rebate_thresholds(conn, w), w)
    return [
        totals,
        chasing,
        metrics.fetch_order_rhythm(conn, w, from_days=days),
        metrics.fetch_uncosted_sales(conn, w),
        activity.fetch_visits(conn, w, p.rep_cost_per_min),
        activity.fetch_service(conn, w, p.service_cost_per_min),
        activity.fetch_contact_levels(conn, w),
        activity.fetch_surveys(conn, w),
        activity.fetch_competitors(conn, w),
        activity.fetch_co_investment(conn, w),
        activity.fetch_category_volume(conn, w),
        money.fetch_fees_rebates_promos(conn, w),
        money.fetch_receivables(conn, w),
        credit_terms.fetch_credit_terms(conn, w.end),
        diversion_signals.fetch_scan_signal(conn, w),
        diversion_signals.fetch_shipto_signal(conn, w),
        diversion_signals.fetch_price_signal(conn, w),
        diversion_signals.fetch_sellout_signal(conn, w, p.s3_ratio, days),
        diversion_signals.fetch_capability_signal(conn, w),
        capability.fetch_capabilities(conn, w.end),
    ], monthly


def gather_inputs(engine: Engine, w: Window, p: Params) -> Inputs:
    """Run every aggregate query for window ``w`` and join the results onto the scored accounts."""
    available = check_available(engine)
    with engine.connect() as conn:
        accounts = metrics.fetch_accounts(conn, w.end)
        parts, monthly = _fetch_all(conn, w, p)
    frame = accounts
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
