"""The diversion (串货) signals read from the database, one GROUP BY query per signal (docs/METHODS.md §4.3).

S1 code scans, S3 sell-in vs reported sell-out by complete month with the month-end stock check, S5 price
leakage, S6 outlets served from the capability assessments, S7 ship-to mismatch, and the rebate thresholds S4
is measured against; :mod:`kam_core.analytics.diversion` turns them into the score, flag and evidence.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import (
    Connection,
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)

from kam_core.analytics.diversion import complete_months
from kam_core.analytics.window import Window
from kam_core.db import case_factor
from kam_core.db.schema import (
    account,
    account_capability,
    code_scan,
    inventory_snapshot,
    market_price_check,
    order_day,
    order_header,
    order_line,
    price_list,
    product,
    rebate_enrollment,
    rebate_program,
    rebate_tier,
    sellout,
)
from kam_core.db.sqlfn import authorised_regions, day_number, has_territory, month_key
from kam_core.queries.metrics import _frame


def fetch_scan_signal(conn: Connection, w: Window) -> pd.DataFrame:
    """S1: terminal/consumer code scans of the account's goods and how many were outside its territory.

    The scans are counted per (account, scan region) first and only those pairs are matched with the authorised
    regions: the same counts, with a join of a few rows per account instead of one per scan (docs/METHODS.md §4.3).
    """
    cs = code_scan
    t0 = dt.datetime.combine(w.start, dt.time())
    t1 = dt.datetime.combine(w.end + dt.timedelta(days=1), dt.time())
    pairs = (
        select(
            cs.c.shipped_account_id.label("account_id"), cs.c.scan_region_id.label("region_id"), func.count().label("n")
        )
        .where(cs.c.scan_type.in_(("terminal", "consumer")), cs.c.scan_time >= t0, cs.c.scan_time < t1)
        .group_by(cs.c.shipped_account_id, cs.c.scan_region_id)
        .subquery("scan_pair")
    )
    return _outside_counts(conn, pairs, "n_scans", "n_scans_out", outside_needs_region=True)


def _outside_counts(conn: Connection, pairs, n: str, n_out: str, outside_needs_region: bool) -> pd.DataFrame:
    """Per account with a territory: Σ n over its (account, region, n) ``pairs`` and over those outside it (no
    authorised pair; with ``outside_needs_region`` a NULL region is never outside)."""
    auth = authorised_regions()
    outside = auth.c.region_id.is_(None)
    if outside_needs_region:
        outside = and_(pairs.c.region_id.is_not(None), outside)
    stmt = (
        select(
            pairs.c.account_id,
            cast(func.sum(pairs.c.n), Integer).label(n),
            cast(func.sum(case((outside, pairs.c.n), else_=0)), Integer).label(n_out),
        )
        .select_from(
            pairs.outerjoin(auth, and_(auth.c.account_id == pairs.c.account_id, auth.c.region_id == pairs.c.region_id))
        )
        .where(has_territory(pairs.c.account_id))
        .group_by(pairs.c.account_id)
    )
    return _frame(conn, stmt)


def fetch_shipto_signal(conn: Connection, w: Window) -> pd.DataFrame:
    """S7: orders with a ship-to region and how many were outside the authorised territory (counted per
    (account, ship-to region) first, as the scans of :func:`fetch_scan_signal`)."""
    oh = order_header
    pairs = (
        select(oh.c.account_id, oh.c.ship_to_region_id.label("region_id"), func.count().label("n"))
        .where(oh.c.order_date.between(w.start, w.end), oh.c.ship_to_region_id.is_not(None))
        .group_by(oh.c.account_id, oh.c.ship_to_region_id)
        .subquery("shipto_pair")
    )
    return _outside_counts(conn, pairs, "n_shipto", "n_shipto_out", outside_needs_region=False)


def fetch_price_signal(conn: Connection, w: Window) -> pd.DataFrame:
    """S5: market price checks traced to the account with an observed price below the floor price."""
    mpc = market_price_check
    below = exists(
        select(literal(1)).where(
            and_(
                price_list.c.sku_id == mpc.c.sku_id,
                price_list.c.tier_code == account.c.tier_code,
                price_list.c.valid_from <= mpc.c.check_date,
                or_(price_list.c.valid_to.is_(None), price_list.c.valid_to >= mpc.c.check_date),
                mpc.c.observed_price < price_list.c.floor_price,
            )
        )
    )
    stmt = (
        select(
            mpc.c.traced_account_id.label("account_id"),
            func.count().label("n_price_checks"),
            func.sum(case((below, 1), else_=0)).label("n_below_floor"),
        )
        .select_from(mpc.join(account, account.c.account_id == mpc.c.traced_account_id))
        .where(mpc.c.check_date.between(w.start, w.end))
        .group_by(mpc.c.traced_account_id)
    )
    return _frame(conn, stmt)


def _month_table(months: list[tuple[str, str, dt.date, dt.date]]):
    """The window's complete months as a small inline table (m, prev), portable to every dialect."""
    rows = [
        select(cast(literal(m), String(7)).label("m"), cast(literal(prev), String(7)).label("prev"))
        for m, prev, _, _ in months
    ]
    return union_all(*rows).subquery("win_month") if len(rows) > 1 else rows[0].subquery("win_month")


def fetch_sellout_signal(conn: Connection, w: Window, ratio: float, from_days: bool = False) -> pd.DataFrame:
    """S3: sell-in vs reported sell-out per complete month of the window, with the month-end stock check.

    One statement. Per account and month with reported sell-out (``sellout``, > 0 cases): sell-in = cases on
    the order lines of the month (returns netted, service SKUs excluded); stock build = rise of the month-end
    stock (``inventory_snapshot``: each SKU's last snapshot of the month, summed) over the previous month-end,
    0 when either month-end is missing or stock fell. A month counts (``s3_months``) when the sell-in not
    explained by the stock build still exceeds ``ratio`` × sell-out: (sell-in − stock build) > ratio × sell-out.
    ``s3_ratio`` is the window's sell-in ÷ sell-out over the reported months; ``s3_report_months`` counts them.
    Accounts that report no sell-out get no row.
    """
    months = complete_months(w)
    if not months:
        return pd.DataFrame(columns=["s3_ratio", "s3_months", "s3_report_months"]).rename_axis("account_id")
    first, last = months[0][2], months[-1][3]
    before = (pd.Timestamp(first) - pd.DateOffset(months=1)).date()
    wm = _month_table(months)
    so_m = month_key(sellout.c.period)
    so = (
        select(sellout.c.account_id, so_m.label("m"), func.sum(sellout.c.qty_cases).label("qty"))
        .where(sellout.c.period.between(first, last))
        .group_by(sellout.c.account_id, so_m)
        .subquery("so")
    )
    reporters = select(sellout.c.account_id).where(sellout.c.period.between(first, last)).distinct()
    if from_days:  # the per-day pre-aggregate's cases are the same non-service lines' quantities
        d = order_day.c.order_date
        si_m = month_key(d)
        si = (
            select(order_day.c.account_id, si_m.label("m"), func.sum(order_day.c.volume_cases).label("qty"))
            .where(d.between(first, last), order_day.c.lines > 0, order_day.c.account_id.in_(reporters))
            .group_by(order_day.c.account_id, si_m)
            .subquery("si")
        )
    else:
        d = order_header.c.order_date
        si_m = month_key(d)
        si = (
            select(
                order_header.c.account_id,
                si_m.label("m"),
                func.sum(order_line.c.qty_cases * case_factor.case_factor_sql()).label("qty"),
            )
            .select_from(
                order_line.join(order_header, order_header.c.order_id == order_line.c.order_id).join(
                    product, product.c.sku_id == order_line.c.sku_id
                )
            )
            .where(
                d.between(first, last), product.c.is_service.is_(False), order_header.c.account_id.in_(reporters)
            )  # only accounts that report sell-out
            .group_by(order_header.c.account_id, si_m)
            .subquery("si")
        )
    inv = inventory_snapshot
    inv_m = month_key(inv.c.snap_date)
    latest = (
        select(
            inv.c.account_id,
            inv_m.label("m"),
            inv.c.qty_cases,
            func.row_number()
            .over(partition_by=(inv.c.account_id, inv.c.sku_id, inv_m), order_by=inv.c.snap_date.desc())
            .label("rn"),
        )
        .where(inv.c.snap_date.between(before, last))
        .subquery("inv_latest")
    )
    stock = (
        select(latest.c.account_id, latest.c.m, func.sum(latest.c.qty_cases).label("qty"))
        .where(latest.c.rn == 1)
        .group_by(latest.c.account_id, latest.c.m)
        .subquery("stock")
    )
    prev = stock.alias("stock_prev")
    rise = stock.c.qty - prev.c.qty
    build = case((rise > 0, rise), else_=0.0)  # NULL (a month-end missing) → no stock build
    sell_in = func.coalesce(si.c.qty, 0.0)
    per_month = (
        select(
            so.c.account_id,
            so.c.qty.label("sell_out"),
            sell_in.label("sell_in"),
            case(((sell_in - func.coalesce(build, 0.0)) > ratio * so.c.qty, 1), else_=0).label("hit"),
        )
        .select_from(
            so.join(wm, wm.c.m == so.c.m)
            .outerjoin(si, and_(si.c.account_id == so.c.account_id, si.c.m == so.c.m))
            .outerjoin(stock, and_(stock.c.account_id == so.c.account_id, stock.c.m == so.c.m))
            .outerjoin(prev, and_(prev.c.account_id == so.c.account_id, prev.c.m == wm.c.prev))
        )
        .where(so.c.qty > 0)
        .subquery("s3_month")
    )
    pm = per_month.c
    stmt = select(
        pm.account_id,
        (func.sum(pm.sell_in) / func.sum(pm.sell_out)).label("s3_ratio"),
        func.sum(pm.hit).label("s3_months"),
        func.count().label("s3_report_months"),
    ).group_by(pm.account_id)
    out = _frame(conn, stmt)
    out["s3_ratio"] = out["s3_ratio"].astype(float)
    return out


def fetch_capability_signal(conn: Connection, w: Window) -> pd.DataFrame:
    """S6 coverage: outlets served (terminals + sub-distributors) by the capability assessments in force at the
    window start and at its end.

    The start uses the latest assessment on or before the window start (else the first one in the window, as
    for a distributor onboarded during it); the end uses the latest on or before the window end (later ones
    are ignored). ``s6_outlets_change`` = outlets at the end ÷ outlets at the start − 1, NaN when both are the
    same assessment (no history) or the start count is 0.
    """
    cap = account_capability
    outlets = func.coalesce(cap.c.terminals, 0) + func.coalesce(cap.c.sub_distributors, 0)
    dn = day_number(cap.c.assessed_on)
    after_start = cap.c.assessed_on > w.start
    ranked = (
        select(
            cap.c.account_id,
            dn.label("day"),
            cast(outlets, Float).label("outlets"),
            func.row_number()
            .over(
                partition_by=cap.c.account_id,
                order_by=(case((after_start, 1), else_=0), case((after_start, dn), else_=-dn)),
            )
            .label("rs"),
            func.row_number().over(partition_by=cap.c.account_id, order_by=dn.desc()).label("re"),
        )
        .where(cap.c.assessed_on <= w.end, or_(cap.c.terminals.is_not(None), cap.c.sub_distributors.is_not(None)))
        .subquery("cap_ranked")
    )
    r = ranked.c
    ends = (
        select(
            r.account_id,
            func.max(case((r.rs == 1, r.outlets), else_=None)).label("s6_outlets_start"),
            func.max(case((r.re == 1, r.outlets), else_=None)).label("s6_outlets_end"),
            func.max(case((r.rs == 1, r.day), else_=None)).label("day_start"),
            func.max(case((r.re == 1, r.day), else_=None)).label("day_end"),
        )
        .where(or_(r.rs == 1, r.re == 1))
        .group_by(r.account_id)
        .subquery("cap_ends")
    )
    e = ends.c
    change = case(
        (and_(e.day_end > e.day_start, e.s6_outlets_start > 0), e.s6_outlets_end / e.s6_outlets_start - 1.0), else_=None
    )
    stmt = select(e.account_id, e.s6_outlets_start, e.s6_outlets_end, change.label("s6_outlets_change"))
    return _frame(conn, stmt).astype(float)


def fetch_rebate_thresholds(conn: Connection, w: Window) -> pd.DataFrame:
    """Lower bounds (> 0) of the quarterly rebate tiers each account is enrolled in."""
    stmt = (
        select(rebate_enrollment.c.account_id, rebate_program.c.basis, rebate_tier.c.lower_bound)
        .select_from(
            rebate_enrollment.join(rebate_program, rebate_program.c.program_id == rebate_enrollment.c.program_id).join(
                rebate_tier, rebate_tier.c.program_id == rebate_program.c.program_id
            )
        )
        .where(
            rebate_program.c.period == "quarter",
            rebate_tier.c.lower_bound > 0,
            rebate_program.c.valid_from <= w.end,
            rebate_program.c.valid_to >= w.start,
        )
    )
    return _frame(conn, stmt, index=None)
