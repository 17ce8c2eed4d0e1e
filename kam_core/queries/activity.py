"""Per-account service, contact, survey and competition figures in the window, aggregated in SQL."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, and_, case, distinct, func, literal, or_, select, union_all

from kam_core.analytics.window import Window
from kam_core.db.schema import (
    account_category_volume,
    account_competitor,
    account_contact,
    activity_rate,
    co_investment,
    sales_rep,
    service_event,
    survey_response,
    visit,
)
from kam_core.db.sqlfn import day_number
from kam_core.queries.metrics import _frame

ADVICE_VISITS = ("training", "consulting")
ADVICE_EVENTS = ("training", "consulting", "planogram", "menu_engineering")
ROLE_WEIGHT_2X = ("owner", "buyer")


def fetch_visits(conn: Connection, w: Window, rep_cost_per_min: float) -> pd.DataFrame:
    """Visit minutes (incl. travel), their cost at the rep's hourly cost, advice visits, last visit date."""
    minutes = visit.c.duration_min + visit.c.travel_min
    per_min = func.coalesce(sales_rep.c.hourly_cost / 60.0, rep_cost_per_min)
    advice = or_(visit.c.visit_type.in_(ADVICE_VISITS), visit.c.advice_given.is_(True))
    stmt = (
        select(
            visit.c.account_id,
            func.count().label("n_visits"),
            func.sum(minutes).label("visit_minutes"),
            func.sum(minutes * per_min).label("visit_cost"),
            func.sum(case((advice, 1), else_=0)).label("advice_visits"),
            func.max(visit.c.visit_date).label("last_visit_date"),
        )
        .select_from(visit.outerjoin(sales_rep, sales_rep.c.rep_id == visit.c.rep_id))
        .where(visit.c.visit_date.between(w.start, w.end))
        .group_by(visit.c.account_id)
    )
    return _frame(conn, stmt)


def _service_rates(conn: Connection, w: Window, default: float):
    """Cost per minute by service type from ``activity_rate`` (latest valid), else ``default``."""
    rows = conn.execute(
        select(activity_rate.c.activity_type, activity_rate.c.cost_per_minute)
        .where(activity_rate.c.valid_from <= w.end)
        .order_by(activity_rate.c.valid_from)
    ).all()
    rates = {t: r for t, r in rows}
    fallback = rates.get("service", default)
    whens = [(service_event.c.type == t, r) for t, r in rates.items() if t != "service"]
    return case(*whens, else_=fallback) if whens else literal(fallback)


def fetch_service(conn: Connection, w: Window, cost_per_min: float) -> pd.DataFrame:
    """Service-event direct cost, minutes, minute cost and advice events per account."""
    se = service_event
    stmt = (
        select(
            se.c.account_id,
            func.sum(se.c.direct_cost).label("service_direct_cost"),
            func.sum(se.c.minutes).label("service_minutes"),
            func.sum(se.c.minutes * _service_rates(conn, w, cost_per_min)).label("service_minute_cost"),
            func.sum(case((se.c.type.in_(ADVICE_EVENTS), 1), else_=0)).label("advice_service_events"),
        )
        .where(se.c.event_date.between(w.start, w.end))
        .group_by(se.c.account_id)
    )
    return _frame(conn, stmt)


def fetch_contact_levels(conn: Connection, w: Window) -> pd.DataFrame:
    """Distinct contact levels: account contacts on file ∪ levels met on visits in the window."""
    levels = union_all(
        select(account_contact.c.account_id, account_contact.c.level.label("level")),
        select(visit.c.account_id, visit.c.contact_level.label("level")).where(
            visit.c.visit_date.between(w.start, w.end), visit.c.contact_level.is_not(None)
        ),
    ).subquery()
    stmt = select(levels.c.account_id, func.count(distinct(levels.c.level)).label("contact_levels")).group_by(
        levels.c.account_id
    )
    return _frame(conn, stmt)


def fetch_surveys(conn: Connection, w: Window) -> pd.DataFrame:
    """Role-weighted mean NPS score (0-10), NPS (% promoters − % detractors), CSAT and response count."""
    sr = survey_response
    wt = case((sr.c.respondent_role.in_(ROLE_WEIGHT_2X), 2.0), else_=1.0)
    has_nps = sr.c.nps_0_10.is_not(None)
    wn = case((has_nps, wt), else_=0.0)
    stmt = (
        select(
            sr.c.account_id,
            func.count().label("n_responses"),
            func.sum(wn).label("nps_weight"),
            func.sum(wn * sr.c.nps_0_10).label("nps_wsum"),
            func.sum(case((sr.c.nps_0_10 >= 9, wt), else_=0.0)).label("promoter_w"),
            func.sum(case((and_(has_nps, sr.c.nps_0_10 <= 6), wt), else_=0.0)).label("detractor_w"),
            func.avg(sr.c.csat_1_5).label("csat"),
        )
        .where(sr.c.response_date.between(w.start, w.end))
        .group_by(sr.c.account_id)
    )
    df = _frame(conn, stmt)
    weight = df["nps_weight"].where(df["nps_weight"] > 0)
    out = pd.DataFrame(index=df.index)
    out["n_responses"] = df["n_responses"]
    out["nps_score"] = df["nps_wsum"] / weight
    out["nps"] = 100.0 * (df["promoter_w"] - df["detractor_w"]) / weight
    out["csat"] = df["csat"].astype(float)
    return out


def fetch_competitors(conn: Connection, w: Window) -> pd.DataFrame:
    """Distinct competitor brands observed in the window, else at the last observation before it."""
    ac = account_competitor
    in_w = (
        select(ac.c.account_id, func.count(distinct(ac.c.brand_id)).label("competitor_brands"))
        .where(ac.c.observed_date.between(w.start, w.end))
        .group_by(ac.c.account_id)
    )
    last = (
        select(ac.c.account_id, func.max(ac.c.observed_date).label("d"))
        .where(ac.c.observed_date < w.start)
        .group_by(ac.c.account_id)
        .subquery()
    )
    before = (
        select(ac.c.account_id, func.count(distinct(ac.c.brand_id)).label("competitor_brands_before"))
        .select_from(ac.join(last, and_(last.c.account_id == ac.c.account_id, last.c.d == ac.c.observed_date)))
        .group_by(ac.c.account_id)
    )
    share = (
        select(ac.c.account_id, func.avg(ac.c.est_volume_share).label("competitor_share_obs"))
        .where(ac.c.observed_date.between(w.start, w.end))
        .group_by(ac.c.account_id)
    )
    df = _frame(conn, in_w).join(_frame(conn, before), how="outer").join(_frame(conn, share), how="left")
    df["competitor_brands"] = df["competitor_brands"].fillna(df["competitor_brands_before"])
    return df[["competitor_brands"]]


def fetch_co_investment(conn: Connection, w: Window) -> pd.DataFrame:
    """Co-investment amounts (theirs, ours) on rows overlapping the window."""
    ci = co_investment
    stmt = (
        select(
            ci.c.account_id,
            func.sum(ci.c.amount_theirs).label("co_invest_theirs"),
            func.sum(ci.c.amount_ours).label("co_invest_ours"),
        )
        .where(ci.c.start_date <= w.end, or_(ci.c.end_date.is_(None), ci.c.end_date >= w.start))
        .group_by(ci.c.account_id)
    )
    return _frame(conn, stmt)


def fetch_category_volume(conn: Connection, w: Window) -> pd.DataFrame:
    """Total beer cases (all brands) per account scaled to the window length, with its source.

    Rows with a period inside the window are averaged and scaled by their spacing: rows less than
    45 days apart are monthly figures, otherwise (or a single row) yearly figures. When no row falls
    in the window the last earlier row is used as a yearly figure.
    """
    acv = account_category_volume
    dn = day_number(acv.c.period)
    in_w = (
        select(
            acv.c.account_id,
            func.count().label("n_periods"),
            (func.max(dn) - func.min(dn)).label("span"),
            func.sum(acv.c.total_beer_cases_est).label("cat_sum"),
            func.max(acv.c.source).label("sow_source"),
        )
        .where(acv.c.period.between(w.start, w.end))
        .group_by(acv.c.account_id)
    )
    last = (
        select(acv.c.account_id, func.max(acv.c.period).label("p"))
        .where(acv.c.period < w.start)
        .group_by(acv.c.account_id)
        .subquery()
    )
    before = select(
        acv.c.account_id, acv.c.total_beer_cases_est.label("cat_before"), acv.c.source.label("source_before")
    ).select_from(acv.join(last, and_(last.c.account_id == acv.c.account_id, last.c.p == acv.c.period)))
    df = _frame(conn, in_w).join(_frame(conn, before), how="outer")
    months = w.days / 30.4375
    mean = df["cat_sum"] / df["n_periods"]
    spacing = df["span"].astype(float) / (df["n_periods"] - 1).where(df["n_periods"] > 1)
    is_monthly = spacing < 45
    df["category_cases"] = (mean * months).where(is_monthly, mean * w.days / 365.25)
    df["category_cases"] = df["category_cases"].fillna(df["cat_before"] * w.days / 365.25)
    df["sow_source"] = df["sow_source"].astype(object).fillna(df["source_before"].astype(object))
    return df[["category_cases", "sow_source"]]
