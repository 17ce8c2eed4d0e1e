"""The scorecard's input parts: what each reads from the database (a registry) and how it is fetched.

Each :class:`Part` is one of the per-account frames :func:`kam_core.queries.scorecard_inputs.gather_inputs`
joins onto the scored accounts, with the tables its queries read. The tables of an optional input are those
of :data:`kam_core.analytics.inputs.INPUTS`; the rest are the order, account and reference tables the query
joins. A test runs every part on a small database and checks that the tables its SQL names are declared
here, so a query that starts reading another table cannot be served from a stale stored part.
:mod:`kam_core.queries.input_cache` stores the parts and re-reads only those whose tables changed
(docs/methods_account_month.md, targeted recompute).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection

from kam_core.analytics import diversion
from kam_core.analytics.inputs import INPUTS
from kam_core.analytics.params import Params
from kam_core.analytics.window import Window
from kam_core.db import order_days
from kam_core.queries import activity, capability, credit_terms, diversion_signals, metrics, money, month_facts

# the order lines and what the per-day and per-month pre-aggregates are built from (order_days.SOURCES)
ORDERS = ("order_header", "order_line", "order_day", "account_month", "aggregate_state", *order_days.SOURCES[2:])
ACCOUNTS = ("account", "region")


@dataclass(frozen=True)
class Context:
    """What a fetch needs besides the connection: the window, the settings and the pre-aggregates' state."""

    w: Window
    p: Params
    days: bool  # order_day is current (kam_core.db.order_days.is_current)
    months: bool  # account_month is in step with it


@dataclass(frozen=True)
class Part:
    """One input part: its name, the tables its queries read and the fetch that reads it."""

    name: str
    tables: tuple[str, ...]
    fetch: Callable[[Connection, Context], pd.DataFrame]


def _line_facts(conn: Connection, c: Context) -> pd.DataFrame:
    if c.days and c.months:  # whole months per account, edge months per day (same groups)
        return month_facts.fetch_line_facts(conn, c.w, diversion.late_ranges(c.w))
    return metrics.fetch_line_facts(conn, c.w, diversion.late_ranges(c.w), from_days=c.days)


def _inputs(*names: str) -> tuple[str, ...]:
    return tuple(t for n in names for t in INPUTS[n])


PARTS: tuple[Part, ...] = (
    Part("accounts", (*ACCOUNTS, "order_header"), lambda conn, c: metrics.fetch_accounts(conn, c.w.end)),
    Part("line_facts", ORDERS, _line_facts),
    Part(
        "rebate_thresholds",
        ("rebate_program", "rebate_tier", *_inputs("rebate_tiers")),
        lambda conn, c: diversion_signals.fetch_rebate_thresholds(conn, c.w),
    ),
    Part("order_rhythm", ORDERS, lambda conn, c: metrics.fetch_order_rhythm(conn, c.w, from_days=c.days)),
    Part("uncosted_sales", ORDERS, lambda conn, c: metrics.fetch_uncosted_sales(conn, c.w)),
    Part(
        "visits",
        (*_inputs("visits"), "activity_rate", "sales_rep"),
        lambda conn, c: activity.fetch_visits(conn, c.w, c.p.rep_cost_per_min),
    ),
    Part(
        "service",
        (*_inputs("service_events"), "activity_rate"),
        lambda conn, c: activity.fetch_service(conn, c.w, c.p.service_cost_per_min),
    ),
    Part("contact_levels", _inputs("visits", "contacts"), lambda conn, c: activity.fetch_contact_levels(conn, c.w)),
    Part("surveys", _inputs("surveys"), lambda conn, c: activity.fetch_surveys(conn, c.w)),
    Part(
        "competitors",
        (*_inputs("competitors"), "competitor_brand"),
        lambda conn, c: activity.fetch_competitors(conn, c.w),
    ),
    Part("co_investment", _inputs("co_investment"), lambda conn, c: activity.fetch_co_investment(conn, c.w)),
    Part(
        "category_volume",
        (*_inputs("category_volume"), *ORDERS),
        lambda conn, c: activity.fetch_category_volume(conn, c.w),
    ),
    Part(
        "fees_rebates_promos",
        (*_inputs("ka_fees", "rebates", "promotions"), "promotion", "rebate_program"),
        lambda conn, c: money.fetch_fees_rebates_promos(conn, c.w),
    ),
    Part("receivables", (*_inputs("receivables"), "ar_payment"), lambda conn, c: money.fetch_receivables(conn, c.w)),
    Part("credit_terms", _inputs("credit_terms"), lambda conn, c: credit_terms.fetch_credit_terms(conn, c.w.end)),
    Part(
        "scan_signal",
        _inputs("code_scans", "territories") + ACCOUNTS,
        lambda conn, c: diversion_signals.fetch_scan_signal(conn, c.w),
    ),
    Part(
        "shipto_signal",
        (*_inputs("territories"), *ORDERS, "region"),
        lambda conn, c: diversion_signals.fetch_shipto_signal(conn, c.w),
    ),
    Part(
        "price_signal",
        (*_inputs("price_checks"), *ACCOUNTS, "product", "price_list"),
        lambda conn, c: diversion_signals.fetch_price_signal(conn, c.w),
    ),
    Part(
        "sellout_signal",
        (*_inputs("sellout", "inventory"), *ORDERS),
        lambda conn, c: diversion_signals.fetch_sellout_signal(conn, c.w, c.p.s3_ratio, c.days),
    ),
    Part(
        "capability_signal",
        (*_inputs("capability_history"), *ACCOUNTS),
        lambda conn, c: diversion_signals.fetch_capability_signal(conn, c.w),
    ),
    Part("capabilities", _inputs("capability_history"), lambda conn, c: capability.fetch_capabilities(conn, c.w.end)),
)
