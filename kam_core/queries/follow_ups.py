"""Reads for the follow-up cadence (kam_core.analytics.follow_ups), aggregated in SQL and scoped to the viewer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, func, select, union_all

from kam_core.db.schema import (
    contact_log,
    product,
    promotion,
    promotion_account,
    region,
    survey_response,
    visit,
)
from kam_core.scope import Scope

PROMO_COLS = ("promo_id", "name", "start_date", "end_date", "tier_code", "region_path")


@dataclass(frozen=True)
class FollowUpInputs:
    """What the follow-up rules read besides the scorecard: per-account dates, promotions, launches, closures."""

    dates: pd.DataFrame  # account_id, last_contact_date, last_survey_date (the first order is the scorecard's)
    promotions: pd.DataFrame  # PROMO_COLS
    products: pd.DataFrame  # sku_id, name, launch_date
    enrolled: pd.DataFrame  # promo_id, account_id
    closed: pd.DataFrame  # account_id, task, due_date


def _df(conn: Connection, stmt, cols) -> pd.DataFrame:
    return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=list(cols))


def _by_account(conn: Connection, stmt, col: str) -> pd.Series:
    frame = _df(conn, stmt, ("account_id", col))
    return frame.set_index("account_id")[col]


def _dates(conn: Connection, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    contacts = union_all(
        select(visit.c.account_id, visit.c.visit_date.label("d")).where(visit.c.visit_date <= as_of),
        select(contact_log.c.account_id, contact_log.c.contact_date.label("d")).where(
            contact_log.c.contact_date <= as_of
        ),
    ).subquery()
    last = select(contacts.c.account_id, func.max(contacts.c.d).label("d")).where(
        scope.account_clause(contacts.c.account_id)
    )
    sr = survey_response
    survey = select(sr.c.account_id, func.max(sr.c.response_date).label("d")).where(
        sr.c.response_date <= as_of, scope.account_clause(sr.c.account_id)
    )
    parts = {
        "last_contact_date": last.group_by(contacts.c.account_id),
        "last_survey_date": survey.group_by(sr.c.account_id),
    }
    out = pd.concat({name: _by_account(conn, stmt, "d") for name, stmt in parts.items()}, axis=1)
    out.index.name = "account_id"
    return out.reset_index()


def fetch_follow_up_inputs(conn: Connection, scope: Scope, as_of: dt.date, horizon_days: int = 120) -> FollowUpInputs:
    """The inputs of :func:`kam_core.analytics.follow_ups.list_open_follow_ups` on ``as_of``.

    Promotions running or starting within ``horizon_days`` and products launched within ``horizon_days``
    before or after ``as_of`` are read (the rules keep only those whose invitation window is open).
    """
    lo, hi = as_of - dt.timedelta(days=horizon_days), as_of + dt.timedelta(days=horizon_days)
    promos = _df(
        conn,
        select(
            promotion.c.promo_id,
            promotion.c.name,
            promotion.c.start_date,
            promotion.c.end_date,
            promotion.c.tier_code,
            region.c.path.label("region_path"),
        )
        .select_from(promotion.outerjoin(region, region.c.region_id == promotion.c.region_id))
        .where(promotion.c.start_date <= hi, promotion.c.end_date >= as_of)
        .order_by(promotion.c.start_date, promotion.c.promo_id),
        PROMO_COLS,
    )
    products = _df(
        conn,
        select(product.c.sku_id, product.c.name, product.c.launch_date)
        .where(product.c.launch_date.between(lo, hi))
        .order_by(product.c.launch_date, product.c.sku_id),
        ("sku_id", "name", "launch_date"),
    )
    pa = promotion_account
    enrolled = _df(
        conn,
        select(pa.c.promo_id, pa.c.account_id).where(
            pa.c.promo_id.in_(list(promos["promo_id"])), scope.account_clause(pa.c.account_id)
        ),
        ("promo_id", "account_id"),
    )
    cl = contact_log
    closed = _df(
        conn,
        select(cl.c.account_id, cl.c.task, cl.c.due_date).where(
            cl.c.task.is_not(None), cl.c.due_date >= lo, scope.account_clause(cl.c.account_id)
        ),
        ("account_id", "task", "due_date"),
    )
    return FollowUpInputs(_dates(conn, scope, as_of), promos, products, enrolled, closed)
