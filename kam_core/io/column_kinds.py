"""What kind of figure each exported column holds (money, share, count, date…): one place for every writer.

A spreadsheet shows ``188022.92`` as ``¥188,023`` only if the writer knows the column is money; that
knowledge lives here, not at the call sites. A column's kind comes from, in order:

1. the database schema, for a sheet that is a table of :mod:`kam_core.db.schema` (``Date`` → date,
   ``DateTime`` → date and time, ``Integer`` → count (an integer id: a plain number), ``Boolean`` → flag,
   strings → text), with the
   figures the schema stores as ``Float`` told apart by the declarations below (a ``Float`` price is
   money, a ``Float`` quantity is cases);
2. the declarations below, by the column's exact name: the scorecard (docs/DESIGN.md §4), the simulator's
   result tables and the page tables use one name for one figure across the product (``net_sales`` is
   whole yuan wherever it appears, ``churn_prob`` a share);
3. the frame's own dtype for anything else: integers are counts, datetimes dates, booleans flags,
   other numbers plain numbers (no format, so a z-score keeps its digits), everything else text.

The kinds only choose a cell's *display* format; values are written exactly as computed.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Boolean, Date, DateTime, Integer, String, Text

MONEY = "money"  # ¥ with two decimals: prices and amounts per case
MONEY_WHOLE = "money_whole"  # whole yuan: totals over a period (cents are noise in a sum of ¥1.2M)
SHARE = "share"  # a fraction 0..1 shown as a percentage
COUNT = "count"  # counts and cases: grouped integers
DATE = "date"
DATETIME = "datetime"
BOOL = "bool"
NUMBER = "number"  # any other figure: Excel's General format
TEXT = "text"
KINDS = (MONEY, MONEY_WHOLE, SHARE, COUNT, DATE, DATETIME, BOOL, NUMBER, TEXT)

_DECLARED: dict[str, tuple[str, ...]] = {
    MONEY: (
        "list_price",
        "invoice_price",
        "floor_price",
        "off_invoice_disc",
        "cogs_per_case",
        "std_cogs_per_case",
        "deposit_per_case",
        "hourly_cost",
        "case_price",
        "net_price_per_case",
        "incentive_per_case",
        "incentive_per_case_compounded",
        "amount_per_case",
        "rate_per_case",
        "prize_value_per_case",
        "value_per_case",
    ),
    MONEY_WHOLE: (
        "net_sales",
        "gross_sales",
        "gross_profit",
        "net_profit",
        "cost_to_serve",
        "clv",
        "cogs",
        "cum_profit",
        "ly_net_sales",
        "invoiced",
        "amount",
        "delivery_cost",
        "free_goods_cost",
        "promo_spend",
        "promo_fixed_fees",
        "rebates",
        "rebates_settled",
        "redemption_cost",
        "ka_fees",
        "co_invest_ours",
        "co_invest_theirs",
        "contact_cost",
        "visit_cost",
        "financing_cost",
        "service_direct_cost",
        "service_minute_cost",
        "credit_cap",
        "credit_limit",
        "credit_limit_suggested",
        "credit_need",
        "deposit_amount",
        "avg_ar",
        "annual_turnover_all_brands",
        "tangible_net_worth",
        "capital_rmb",
        "budget",
        "rebate",
        "promotion_cost",
        "incremental_profit",
        "extra_rebate_if_reached",
        "accrued",
        "cash_cost",
    ),
    SHARE: (
        "value_type_confidence",
        "value_type_evidence_share",
        "value_type_imputed_share",
        "churn_prob",
        "loyalty_pct",
        "volume_pct",
        "late_share",
        "overdue_ratio",
        "cost_coverage",
        "exclusivity",
        "sow",
        "p_alive",
        "p_extrinsic",
        "p_intrinsic",
        "p_strategic",
        "p_next_tier",
        "s1_share",
        "s4_share",
        "s7_share",
        "deduction_rate",
        "redemption_rate",
        "return_rate",
        "rate_pct",
        "pr_exclusivity",
        "pr_frequency",
        "pr_recency",
        "pr_regularity",
        "pr_satisfaction",
        "pr_sow",
        "pr_tenure_years",
    ),
    COUNT: (
        "volume_cases",
        "ly_volume_cases",
        "category_cases",
        "qty_cases",
        "free_qty_cases",
        "pos_cases",
        "promo_cases",
        "premium_cases",
        "baseline_cases",
        "scenario_cases",
        "gap_cases",
        "warehouse_capacity_cases",
        "outlets_served",
        "n_orders",
        "n_visits",
        "n_scans",
        "n_scans_out",
        "n_shipto",
        "n_shipto_out",
        "n_responses",
        "n_below_floor",
        "n_price_checks",
        "orders",
        "sales_orders",
        "lines",
        "diversion_signals",
        "order_days_ever",
        "order_days_window",
        "order_weeks_ever",
        "order_weeks_window",
        "visit_minutes",
        "service_minutes",
    ),
}
COLUMN_KINDS: dict[str, str] = {col: kind for kind, cols in _DECLARED.items() for col in cols}

_FIGURE_KINDS = (MONEY, MONEY_WHOLE, SHARE, COUNT)


def _schema_kind(column) -> str | None:
    """The kind a schema column's SQL type fixes; None for ``Float`` (the declarations tell)."""
    sql_type = column.type
    if isinstance(sql_type, Boolean):
        return BOOL
    if isinstance(sql_type, DateTime):
        return DATETIME
    if isinstance(sql_type, Date):
        return DATE
    if isinstance(sql_type, Integer):
        is_id = column.foreign_keys or (column.primary_key and column.name.endswith("_id"))
        return NUMBER if is_id else COUNT  # an id is a label: 1234, not 1,234
    if isinstance(sql_type, String | Text):
        return TEXT
    return None


def _dtype_kind(series: pd.Series) -> str:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return BOOL
    if pd.api.types.is_datetime64_any_dtype(dtype):
        times = series.dropna()
        return DATE if times.empty or (times == times.dt.normalize()).all() else DATETIME
    if pd.api.types.is_integer_dtype(dtype):
        return COUNT
    if pd.api.types.is_numeric_dtype(dtype):
        return NUMBER
    values = series.dropna()
    if not values.empty and values.map(lambda v: isinstance(v, dt.date)).all():
        has_time = values.map(lambda v: isinstance(v, dt.datetime) and v.time() != dt.time(0)).any()
        return DATETIME if has_time else DATE
    return TEXT


def column_kind(series: pd.Series, table: str | None = None) -> str:
    """The kind of one column (rules in the module docstring).

    Parameters
    ----------
    series
        The column; its name is looked up in the schema table and the declarations.
    table
        The sheet's name: when it is a schema table, that table's column types come first.

    Examples
    --------
    >>> column_kind(pd.Series([1.5], name="net_sales")), column_kind(pd.Series([3], name="anything"))
    ('money_whole', 'count')
    """
    from kam_core.db.schema import metadata

    name = str(series.name)
    schema_table = metadata.tables.get(table) if table else None
    if schema_table is not None and name in schema_table.c:
        kind = _schema_kind(schema_table.c[name])
        if kind is not None:
            return kind
    declared = COLUMN_KINDS.get(name)
    numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)
    if declared is not None and (numeric or series.dropna().empty or series.dtype == object):
        return declared
    return _dtype_kind(series)


def column_kinds(df: pd.DataFrame, table: str | None = None) -> dict[str, str]:
    """Column name → kind for every column of ``df`` (see :func:`column_kind`)."""
    return {str(col): column_kind(df[col].rename(str(col)), table) for col in df.columns}
