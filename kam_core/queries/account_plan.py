"""SQL reads for the account plan and archive (客户档案) and the settlement analysis of one account.

Every read is bounded to the viewer's scope (``Scope.account_clause``) and aggregated in the database
(GROUP BY), never by loading order lines into pandas.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, and_, case, func, select

from kam_core.db.schema import (
    account,
    account_plan_item,
    consignment_stock,
    credit_terms,
    order_header,
    order_line,
    sellout,
)
from kam_core.db.sqlfn import month_key
from kam_core.scope import DIRECTOR, Scope

SUB_COLUMNS = ["account_id", "name", "name_en", "tier_code", "status", "net_sales", "cases", "orders", "last_order"]


def _frame(conn: Connection, stmt, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=columns)


def _net():
    return order_line.c.qty_cases * (order_line.c.invoice_price - order_line.c.off_invoice_disc)


def _sales_of_children(parent_id: str, start: dt.date, end: dt.date, scope: Scope):
    """Per direct sub-account of ``parent_id`` in scope: net sales, cases, orders, last order in the window."""
    o = (
        select(
            order_header.c.account_id,
            func.sum(_net()).label("net_sales"),
            func.sum(order_line.c.qty_cases).label("cases"),
            func.count(func.distinct(order_header.c.order_id)).label("orders"),
            func.max(order_header.c.order_date).label("last_order"),
        )
        .select_from(order_header.join(order_line, order_line.c.order_id == order_header.c.order_id))
        .where(order_header.c.order_date >= start, order_header.c.order_date <= end)
        .group_by(order_header.c.account_id)
        .subquery()
    )
    return (
        select(
            account.c.account_id,
            account.c.name,
            account.c.name_en,
            account.c.tier_code,
            account.c.status,
            func.coalesce(o.c.net_sales, 0.0).label("net_sales"),
            func.coalesce(o.c.cases, 0.0).label("cases"),
            func.coalesce(o.c.orders, 0).label("orders"),
            o.c.last_order,
        )
        .outerjoin(o, o.c.account_id == account.c.account_id)
        .where(account.c.parent_account_id == parent_id, scope.account_clause())
    )


def fetch_sub_distributors(
    conn: Connection, parent_id: str, start: dt.date, end: dt.date, scope: Scope = DIRECTOR
) -> tuple[pd.DataFrame, dict]:
    """The accounts ``parent_id`` supplies (二批 under a 一批) with their sales, and the totals.

    Parameters
    ----------
    conn
        Open connection.
    parent_id
        The distributor.
    start, end
        The window (inclusive order dates).
    scope
        The viewer's scope: sub-accounts outside it are counted (``hidden``) but not shown.

    Returns
    -------
    (pandas.DataFrame, dict)
        One row per sub-account (:data:`SUB_COLUMNS`, by net sales, largest first) and the totals
        ``count, ordering, net_sales, cases, orders, hidden``, each summed by the database.
    """
    rows_q = _sales_of_children(parent_id, start, end, scope).subquery()
    rows = _frame(conn, select(rows_q).order_by(rows_q.c.net_sales.desc(), rows_q.c.account_id), SUB_COLUMNS)
    total = (
        conn.execute(
            select(
                func.count().label("count"),
                func.coalesce(func.sum(case((rows_q.c.orders > 0, 1), else_=0)), 0).label("ordering"),
                func.coalesce(func.sum(rows_q.c.net_sales), 0.0).label("net_sales"),
                func.coalesce(func.sum(rows_q.c.cases), 0.0).label("cases"),
                func.coalesce(func.sum(rows_q.c.orders), 0).label("orders"),
            )
        )
        .mappings()
        .one()
    )
    every = conn.execute(select(func.count()).where(account.c.parent_account_id == parent_id)).scalar_one()
    totals = {k: float(v) if k in ("net_sales", "cases") else int(v) for k, v in total.items()}
    totals["hidden"] = int(every) - totals["count"]
    return rows, totals


def fetch_sell_through(conn: Connection, account_id: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Per month of the window: cases reported sold (``sellout``) and our month-end stock on a consignment
    shelf (``consignment_stock``), both summed over SKUs by the database.

    Returns columns ``month`` (YYYY-MM), ``sellout_cases`` and ``consigned_cases`` (NaN where not reported).
    """
    so_month = month_key(sellout.c.period)
    so = _frame(
        conn,
        select(so_month.label("month"), func.sum(sellout.c.qty_cases).label("sellout_cases"))
        .where(sellout.c.account_id == account_id, sellout.c.period >= start.replace(day=1), sellout.c.period <= end)
        .group_by(so_month),
        ["month", "sellout_cases"],
    )
    cs_month = month_key(consignment_stock.c.snap_date)
    cs = _frame(
        conn,
        select(cs_month.label("month"), func.sum(consignment_stock.c.qty_cases).label("consigned_cases"))
        .where(
            consignment_stock.c.account_id == account_id,
            consignment_stock.c.snap_date >= start.replace(day=1),
            consignment_stock.c.snap_date <= end,
        )
        .group_by(cs_month),
        ["month", "consigned_cases"],
    )
    return so.merge(cs, on="month", how="outer").sort_values("month").reset_index(drop=True)


def fetch_terms_for(conn: Connection, ids: list[str], as_of: dt.date, scope: Scope = DIRECTOR) -> pd.DataFrame:
    """The credit-terms row in force at ``as_of`` for each of ``ids`` the viewer may see (none: no row)."""
    ct = credit_terms
    latest = (
        select(ct.c.account_id, func.max(ct.c.valid_from).label("vf"))
        .where(ct.c.valid_from <= as_of, ct.c.account_id.in_(ids), scope.account_clause(ct.c.account_id))
        .group_by(ct.c.account_id)
        .subquery()
    )
    cols = ["account_id", "settlement_mode", "payment_terms_days", "statement_cycle", "deduction_rate"]
    stmt = select(*[ct.c[c] for c in cols], ct.c.deposit_amount).select_from(
        ct.join(latest, and_(latest.c.account_id == ct.c.account_id, latest.c.vf == ct.c.valid_from))
    )
    return _frame(conn, stmt, [*cols, "deposit_amount"])


def fetch_plan_items(conn: Connection, account_id: str) -> pd.DataFrame:
    """The plan items of one account (the caller has checked the account is in scope), due first."""
    cols = [c.name for c in account_plan_item.c]
    stmt = (
        select(account_plan_item)
        .where(account_plan_item.c.account_id == account_id)
        .order_by(account_plan_item.c.kind, account_plan_item.c.due_date, account_plan_item.c.plan_item_id)
    )
    return _frame(conn, stmt, cols)
