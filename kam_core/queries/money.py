"""Per-account money outside the invoice: KA fees, rebates, promotion spend, receivables and payments."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, and_, case, func, or_, select

from kam_core.analytics.window import Window
from kam_core.db.schema import (
    ar_invoice,
    ar_payment,
    ka_fee,
    promotion,
    promotion_account,
    rebate_settlement,
    redemption,
)
from kam_core.db.sqlfn import day_number
from kam_core.queries.metrics import _frame


def _lit_day(d) -> float:
    return float((pd.Timestamp(d) - pd.Timestamp("1970-01-01")).days)


def fetch_fees_rebates_promos(conn: Connection, w: Window) -> pd.DataFrame:
    """KA fees, rebates settled (by paid date) and promotion spend (redemptions + fixed fees) in the window.

    Rebates are counted when settled (``rebate_settlement.paid_date`` in the window, interim payments
    included); accruals are a month-end estimate of the same money and are not added on top.
    """
    fees = (
        select(ka_fee.c.account_id, func.sum(ka_fee.c.amount).label("ka_fees"))
        .where(ka_fee.c.fee_date.between(w.start, w.end))
        .group_by(ka_fee.c.account_id)
    )
    rebates = (
        select(rebate_settlement.c.account_id, func.sum(rebate_settlement.c.actual_rebate).label("rebates_settled"))
        .where(rebate_settlement.c.paid_date.between(w.start, w.end))
        .group_by(rebate_settlement.c.account_id)
    )
    redeem = (
        select(redemption.c.account_id, func.sum(redemption.c.cost).label("redemption_cost"))
        .where(redemption.c.redeem_date.between(w.start, w.end))
        .group_by(redemption.c.account_id)
    )
    fixed = (
        select(promotion_account.c.account_id, func.sum(promotion_account.c.fixed_fee).label("promo_fixed_fees"))
        .select_from(promotion_account.join(promotion, promotion.c.promo_id == promotion_account.c.promo_id))
        .where(promotion.c.start_date <= w.end, promotion.c.end_date >= w.start)
        .group_by(promotion_account.c.account_id)
    )
    out = _frame(conn, fees).join(_frame(conn, rebates), how="outer")
    return out.join(_frame(conn, redeem), how="outer").join(_frame(conn, fixed), how="outer")


def _paid_per_invoice(as_of):
    pay = ar_payment
    ok = and_(pay.c.bounced.is_(False), pay.c.pay_date <= as_of)
    return (
        select(
            pay.c.invoice_id,
            func.sum(case((ok, pay.c.amount), else_=0.0)).label("paid"),
            func.max(case((ok, pay.c.pay_date), else_=None)).label("last_pay"),
            func.sum(case((and_(pay.c.bounced.is_(True), pay.c.pay_date <= as_of), 1), else_=0)).label("bounced"),
        )
        .group_by(pay.c.invoice_id)
        .subquery()
    )


def fetch_receivables(conn: Connection, w: Window) -> pd.DataFrame:
    """Average receivable over the window and credit behaviour per account.

    An invoice is outstanding from its date until its last good payment (or until ``as_of`` when not paid in
    full); the average AR is Σ amount × overlapping days ÷ window days. DBT is the payment-weighted days
    beyond the due date of invoices closed in the window; late share and max days past due cover the
    invoices due in the window.
    """
    inv, paid = ar_invoice, _paid_per_invoice(w.end)
    start, end = _lit_day(w.start), _lit_day(w.end) + 1
    open_from = day_number(inv.c.invoice_date)
    closed = and_(func.coalesce(paid.c.paid, 0.0) >= inv.c.amount - 0.005, paid.c.last_pay.is_not(None))
    open_to = case((closed, day_number(paid.c.last_pay)), else_=end)
    lo = case((open_from > start, open_from), else_=start)
    hi = case((open_to < end, open_to), else_=end)
    overlap = case((hi > lo, hi - lo), else_=0.0)
    due = day_number(inv.c.due_date)
    late_days = case((closed, day_number(paid.c.last_pay) - due), else_=end - 1 - due)  # open: days late at as_of
    due_in_w = inv.c.due_date.between(w.start, w.end)
    closed_in_w = and_(closed, paid.c.last_pay.between(w.start, w.end))
    pos_late = case((late_days > 0, late_days), else_=0.0)
    stmt = (
        select(
            inv.c.account_id,
            (func.sum(inv.c.amount * overlap) / float(w.days)).label("avg_ar"),
            func.sum(case((closed_in_w, inv.c.amount * pos_late), else_=0.0)).label("dbt_wsum"),
            func.sum(case((closed_in_w, inv.c.amount), else_=0.0)).label("dbt_w"),
            func.max(case((due_in_w, late_days), else_=None)).label("max_days_past_due"),
            func.sum(case((due_in_w, 1), else_=0)).label("n_invoices_due"),
            func.sum(case((and_(due_in_w, late_days > 0), 1), else_=0)).label("n_late"),
            func.sum(func.coalesce(paid.c.bounced, 0)).label("bounced"),
            func.sum(case((inv.c.invoice_date.between(w.start, w.end), inv.c.amount), else_=0.0)).label("invoiced"),
        )
        .select_from(inv.outerjoin(paid, paid.c.invoice_id == inv.c.invoice_id))
        .where(inv.c.invoice_date <= w.end, or_(~closed, paid.c.last_pay >= w.start))
        .group_by(inv.c.account_id)
    )
    df = _frame(conn, stmt)
    df["dbt"] = df["dbt_wsum"] / df["dbt_w"].where(df["dbt_w"] > 0)
    df["late_share"] = df["n_late"] / df["n_invoices_due"].where(df["n_invoices_due"] > 0)
    return df[["avg_ar", "dbt", "max_days_past_due", "late_share", "bounced", "invoiced"]]
