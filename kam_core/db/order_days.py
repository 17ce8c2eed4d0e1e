"""The per-(account, order day) pre-aggregate of the order lines (table ``order_day``).

The scorecard's passes over the order lines (totals, last year, monthly series, quarter-end buying, order
rhythm, sell-in for S3) group by account and by something derived from the order date: span, month, late-
in-quarter flag, distinct order days. Summing the lines per account and day first loses nothing those need,
and the line-level tests that cost most (the tier's floor price on the order date, premium or newly
launched SKU, service SKU) are done once, when the table is built, instead of on every scorecard. Those sums
are :func:`line_sums`, the one SUM over the order lines: the table is that statement grouped per account and
day, and the scorecard's fallback on the order lines groups the same statement by its own keys.

Every write path of kam_core that changes what the table is built from (demo generator, ERP import, table
imports of orders, products, price lists or accounts) calls :func:`refresh` in its own transaction, so the
table commits or rolls back with the data. ``aggregate_state`` records the row counts of ``order_header`` and
``order_line`` it was built from; :func:`is_current` compares them, and the scorecard reads the order lines
directly (same figures, slower) when they differ — a database written by other means until
``python -m kam_core refresh-aggregates`` runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Connection, Integer, and_, case, cast, delete, exists, func, insert, literal, or_, select

from kam_core.db import case_factor
from kam_core.db.bulk import refresh_statistics
from kam_core.db.schema import account, aggregate_state, order_day, order_header, order_line, price_list, product

NAME = "order_day"
FULL_REFRESH_ABOVE = 5_000  # more accounts than this: rebuild the whole table (one statement, no IN lists)
_CHUNK = 500  # accounts per IN list (bound parameters stay far below every driver's limit)
LINE_SUMS = (
    "net_sales",
    "gross_sales",
    "cogs",
    "volume_cases",
    "pos_cases",
    "promo_cases",
    "premium_cases",
    "free_goods_cost",
)
PREMIUM_SEGMENTS = ("premium", "super_premium")


def new_product_clause(conn: Connection, start: dt.date | None):
    """True when the line's SKU was launched within 12 months before the order date.

    Built from the (few) products with a launch date (since 366 days before ``start``, or all when None)
    as explicit date ranges, which keeps the date arithmetic in Python.
    """
    query = select(product.c.sku_id, product.c.launch_date).where(product.c.launch_date.is_not(None))
    if start is not None:
        query = query.where(product.c.launch_date >= start - dt.timedelta(days=366))
    rows = conn.execute(query).all()
    if not rows:
        return literal(False)
    parts = []
    for sku_id, launch in rows:
        launch = pd.Timestamp(launch).date()
        until = (pd.Timestamp(launch) + pd.DateOffset(months=12)).date()
        parts.append(and_(order_line.c.sku_id == sku_id, order_header.c.order_date.between(launch, until)))
    return or_(*parts)


def floor_breach():
    """EXISTS: the invoice price is at or below the floor price of the account's tier on the order date."""
    return exists(
        select(literal(1)).where(
            and_(
                price_list.c.sku_id == order_line.c.sku_id,
                price_list.c.tier_code == account.c.tier_code,
                price_list.c.valid_from <= order_header.c.order_date,
                or_(price_list.c.valid_to.is_(None), price_list.c.valid_to >= order_header.c.order_date),
                order_line.c.invoice_price <= price_list.c.floor_price,
            )
        )
    )


def highest_floor():
    """Per SKU and tier, the highest floor price ever listed: one row per pair, so joining it adds no rows.

    ``invoice_price <= max_floor`` is necessary for :func:`floor_breach`; testing it first spares the
    correlated EXISTS on almost every line (PostgreSQL ran it as a scan of price_list per line).
    """
    return (
        select(price_list.c.sku_id, price_list.c.tier_code, func.max(price_list.c.floor_price).label("max_floor"))
        .group_by(price_list.c.sku_id, price_list.c.tier_code)
        .subquery("highest_floor")
    )


def line_joins():
    return (
        order_line.join(order_header, order_header.c.order_id == order_line.c.order_id)
        .join(account, account.c.account_id == order_header.c.account_id)
        .join(product, product.c.sku_id == order_line.c.sku_id)
    )


def line_sums(conn: Connection, keys: list, where: list, launch_since: dt.date | None = None, lines: bool = False):
    """The one SUM over the order lines: per account and ``keys``, the goods lines' money and case sums.

    Service lines are left out; a line is promotional when it carries a promotion or is invoiced at or below
    the floor price of the account's tier on the order date, premium when its SKU is of a premium segment or
    was launched within 12 months before the order. Both :func:`refresh` (per account and order day) and the
    scorecard's fallback on the order lines (:func:`kam_core.queries.metrics.line_facts_statement`) group
    this statement, so the two give the same figures.

    Parameters
    ----------
    conn
        Reads the products with a launch date (:func:`new_product_clause`).
    keys
        Labelled expressions to group by after ``order_header.account_id``.
    where
        Further conditions on the lines (besides "not a service SKU").
    launch_since
        Only launches since 366 days before this date can make a line "new" (None: every launch).
    lines
        Also count the goods lines (column ``lines``).
    """
    qty, pos = order_line.c.qty_cases, order_line.c.qty_cases > 0
    cq = qty * case_factor.case_factor_sql()  # cases: case-equivalents; money stays qty × price
    floor = highest_floor()
    promo = or_(
        order_line.c.promo_id.is_not(None),
        and_(order_line.c.invoice_price <= floor.c.max_floor, floor_breach()),
    )
    premium = or_(product.c.segment.in_(PREMIUM_SEGMENTS), new_product_clause(conn, launch_since))
    return (
        select(
            order_header.c.account_id,
            *keys,
            *([func.count().label("lines")] if lines else []),
            func.sum(qty * order_line.c.invoice_price).label("net_sales"),
            func.sum(qty * order_line.c.list_price).label("gross_sales"),
            func.sum(qty * order_line.c.cogs_per_case).label("cogs"),
            func.sum(cq).label("volume_cases"),
            func.sum(case((pos, cq), else_=0.0)).label("pos_cases"),
            func.sum(case((and_(pos, promo), cq), else_=0.0)).label("promo_cases"),
            func.sum(case((and_(pos, premium), cq), else_=0.0)).label("premium_cases"),
            func.sum(order_line.c.free_qty_cases * order_line.c.cogs_per_case).label("free_goods_cost"),
        )
        .select_from(
            line_joins().outerjoin(
                floor, and_(floor.c.sku_id == order_line.c.sku_id, floor.c.tier_code == account.c.tier_code)
            )
        )
        .where(product.c.is_service.is_(False), *where)
        .group_by(order_header.c.account_id, *keys)
    )


def _lines_per_day(conn: Connection, accounts=None):
    """Per account and order day: the goods lines' count and :func:`line_sums` (the promotion and premium
    tests depend on the line and its date only)."""
    where = [] if accounts is None else [order_header.c.account_id.in_(accounts)]
    return line_sums(conn, [order_header.c.order_date], where, lines=True).subquery("line_day")


def _select_days(conn: Connection, accounts=None):
    """The rows of ``order_day`` (for ``accounts``, or all): headers per day, left-joined to the line sums."""
    oh = order_header
    heads = select(
        oh.c.account_id,
        oh.c.order_date,
        func.count().label("orders"),
        func.sum(case((oh.c.is_return.is_(False), 1), else_=0)).label("sales_orders"),
        func.sum(oh.c.delivery_cost).label("delivery_cost"),
    ).group_by(oh.c.account_id, oh.c.order_date)
    if accounts is not None:
        heads = heads.where(oh.c.account_id.in_(accounts))
    head = heads.subquery("head_day")
    lines = _lines_per_day(conn, accounts)
    zero = literal(0.0)
    return select(
        head.c.account_id,
        head.c.order_date,
        cast(head.c.orders, Integer),
        cast(head.c.sales_orders, Integer),
        head.c.delivery_cost,
        cast(func.coalesce(lines.c.lines, 0), Integer),
        *[func.coalesce(lines.c[name], zero) for name in LINE_SUMS],
    ).select_from(
        head.outerjoin(lines, and_(lines.c.account_id == head.c.account_id, lines.c.order_date == head.c.order_date))
    )


DAY_SUMS = ("orders", "sales_orders", "delivery_cost", "lines", *LINE_SUMS)  # per account and day; summed by month
_COLUMNS = ["account_id", "order_date", *DAY_SUMS]


def _source_counts(conn: Connection) -> tuple[int, int]:
    return (
        conn.execute(select(func.count()).select_from(order_header)).scalar_one(),
        conn.execute(select(func.count()).select_from(order_line)).scalar_one(),
    )


# the tables order_day is built from: a write to any of them refreshes it (account: the tier picks the floor price)
SOURCES = ("order_header", "order_line", "product", "price_list", "account")


def refresh(conn: Connection, accounts: Iterable[str] | None = None, current_before: bool = False) -> None:
    """Rebuild ``order_day`` inside the caller's transaction and stamp the state.

    ``accounts``: only those accounts' rows (their whole history) changed. That partial rebuild is done only
    when ``current_before`` (the caller checked :func:`is_current` before writing; otherwise other accounts'
    rows may be stale too) and for at most :data:`FULL_REFRESH_ABOVE` accounts; else the whole table.
    """
    from kam_core.db import account_month  # built from this table's DAY_SUMS (imported here: no cycle)

    ids = None if accounts is None or not current_before else sorted(set(accounts))
    months_in_step = account_month.in_step(conn)  # the monthly facts were built from order_day as it was
    if ids is None or len(ids) > FULL_REFRESH_ABOVE:
        ids = None
        if conn.dialect.name == "duckdb":
            # DuckDB: committing a DELETE of every row plus their reinsertion made its checkpoint rewrite both
            # (commit 60 s of a 85 s rebuild at 2.4M rows); a new table commits in 5 s (16 s in all). Other
            # connections keep reading the old table until the commit, as with a DELETE.
            order_day.drop(conn)
            order_day.create(conn)
        else:  # PostgreSQL: a DELETE leaves readers the old rows; DROP or TRUNCATE would block them to the commit
            conn.execute(delete(order_day))
        conn.execute(insert(order_day).from_select(_COLUMNS, _select_days(conn)))
        refresh_statistics(conn, ["order_day"])  # PostgreSQL: fresh planner statistics for the refilled table
    else:
        for start in range(0, len(ids), _CHUNK):
            part = ids[start : start + _CHUNK]
            conn.execute(delete(order_day).where(order_day.c.account_id.in_(part)))
            conn.execute(insert(order_day).from_select(_COLUMNS, _select_days(conn, part)))
    headers, lines = _source_counts(conn)
    conn.execute(delete(aggregate_state).where(aggregate_state.c.name == NAME))
    conn.execute(
        insert(aggregate_state).values(
            name=NAME, built_at=dt.datetime.now(dt.UTC).replace(tzinfo=None), order_headers=headers, order_lines=lines
        )
    )
    account_month.refresh(conn, ids if months_in_step else None)  # one level up, in the same transaction


def is_current(conn: Connection) -> bool:
    """True when ``order_day`` was built from the order tables as they are (same row counts)."""
    row = conn.execute(
        select(aggregate_state.c.order_headers, aggregate_state.c.order_lines).where(aggregate_state.c.name == NAME)
    ).first()
    return row is not None and tuple(row) == _source_counts(conn)
