"""Gather every per-account input of the scorecard from the database into one frame (one row per account).

Also reports which inputs the database holds at all, so an ERP-only database (orders only) degrades
gracefully and the dashboard can say what is missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, literal, select

from kam_core.analytics import activity, case_units, credit, diversion, metrics, money, order_days
from kam_core.analytics.params import Params
from kam_core.analytics.window import Window
from kam_core.db import account_month, schema
from kam_core.i18n import t
from kam_core.queries import month_facts

# input name → the tables that feed it. What each input is called and what is lost without it are in the
# catalogue (analytics.input.<name>, analytics.input_lost.<name>, zh and en).
INPUTS = {
    "visits": ("visit",),
    "service_events": ("service_event",),
    "contacts": ("account_contact",),
    "surveys": ("survey_response",),
    "competitors": ("account_competitor",),
    "category_volume": ("account_category_volume",),
    "co_investment": ("co_investment",),
    "receivables": ("ar_invoice",),
    "rebates": ("rebate_settlement",),
    "promotions": ("redemption", "promotion_account"),
    "ka_fees": ("ka_fee",),
    "code_scans": ("code_scan",),
    "territories": ("account_territory",),
    "price_checks": ("market_price_check",),
    "rebate_tiers": ("rebate_enrollment",),
    "sellout": ("sellout",),
    "inventory": ("inventory_snapshot",),
    "capability_history": ("account_capability",),
    "credit_terms": ("credit_terms",),
}


@dataclass(frozen=True)
class Inputs:
    """Everything fetched for one window: per-account frame, monthly rows and data availability."""

    frame: pd.DataFrame
    monthly: pd.DataFrame
    available: dict[str, bool]

    @property
    def missing(self) -> list[str]:
        return [name for name, ok in self.available.items() if not ok]


def health_items(missing: Iterable[str], no_accounts: bool = False) -> list[dict]:
    """The data-health notes as structured items: ``{"code": "no_accounts"}`` first when the database has no
    account with orders, then ``{"code": "missing_input", "input": name}`` per missing input."""
    items = [{"code": "no_accounts"}] if no_accounts else []
    return items + [{"code": "missing_input", "input": name} for name in missing]


def describe_health(items: object, lang: str = "zh") -> list[str]:
    """Data-health items as sentences in ``lang`` (zh or en): which inputs are missing and what is lost.

    Examples
    --------
    >>> describe_health([{"code": "missing_input", "input": "surveys"}], "en")
    ['No surveys data: satisfaction (NPS) in the loyalty score not available.']
    """
    if not isinstance(items, list | tuple):
        return []
    out = []
    for item in items:
        code = item.get("code") if isinstance(item, dict) else None
        if code == "no_accounts":
            out.append(t("analytics.health.no_accounts", lang))
        elif code in case_units.HEALTH_CODES:
            out.append(case_units.describe_volume_item(item, lang))
        elif code in _COUNTED:
            out.append(_counted(item, lang))
        elif code == "missing_input":
            name = str(item.get("input"))
            known = name in INPUTS
            out.append(
                t(
                    "analytics.health.missing_input",
                    lang,
                    input=t(f"analytics.input.{name}", lang) if known else name.replace("_", " "),
                    lost=t(f"analytics.input_lost.{name}", lang) if known else "–",
                )
            )
        elif code == "clv_fallback":
            from kam_core.analytics.clv import describe_clv_item

            out.append(describe_clv_item(item, lang))
    return out


_COUNTED = {
    "cost_unknown": "honest.health.cost_unknown",
    "one_tier_from_erp": "honest.health.one_tier_from_erp",
    "insufficient_evidence": "honest.health.insufficient_evidence",
}


def _counted(item: dict, lang: str) -> str:
    """A health item with counts (cost data, one tier, value-type evidence) as a sentence."""
    fmt = {k: v for k, v in item.items() if k != "code"}
    if "min" in fmt or "min_coverage" in fmt:
        fmt["min"] = f"{float(fmt.pop('min_coverage', fmt.get('min'))):.0%}"
    key = _COUNTED[item["code"]]
    if item["code"] == "cost_unknown" and not (item.get("none") and item.get("partial")):  # say only what applies
        key += "_partial_only" if not item.get("none") else "_none_only"
    return t(key, lang, **fmt)


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
    chasing = diversion.compute_quarter_chasing(cur, diversion.fetch_rebate_thresholds(conn, w), w)
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
        credit.fetch_credit_terms(conn, w.end),
        diversion.fetch_scan_signal(conn, w),
        diversion.fetch_shipto_signal(conn, w),
        diversion.fetch_price_signal(conn, w),
        diversion.fetch_sellout_signal(conn, w, p.s3_ratio, days),
        diversion.fetch_capability_signal(conn, w),
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
        "net_sales",
        "gross_sales",
        "cogs",
        "volume_cases",
        "pos_cases",
        "promo_cases",
        "premium_cases",
        "free_goods_cost",
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
