"""The order rhythm (one window pass, no COUNT(DISTINCT)) equals the statement it replaced and an independent pandas
computation: literal order days around week and month edges, same-day orders, credit notes, mid-month windows;
and the whole demo database, from the order headers and from the per-day pre-aggregate."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import and_, case, distinct, func, insert, select

from kam_core.analytics.window import Window
from kam_core.db import ensure_schema, get_engine, order_days
from kam_core.db.schema import order_day, order_header
from kam_core.db.sqlfn import day_number, week_number
from kam_core.queries import metrics
from tests.kam_tiny_db import seed_tiny

# (order id, account, date, is_return): 2026-01-05 is a Monday, 1970-01-01 a Thursday (week_number's weeks start
# on Thursdays: 2026-01-01, 01-08, 01-15 …)
ORDERS = [
    ("R01", "A001", dt.date(2025, 12, 30), False),
    ("R02", "A001", dt.date(2026, 1, 7), False),  # same week as 2026-01-01 … 01-07
    ("R03", "A001", dt.date(2026, 1, 8), False),  # next week
    ("R04", "A001", dt.date(2026, 1, 8), False),  # a second order the same day
    ("R05", "A001", dt.date(2026, 1, 20), True),  # a credit note only: not an order day
    ("R06", "A001", dt.date(2026, 2, 14), False),
    ("R07", "A001", dt.date(2026, 2, 16), False),
    ("R08", "A002", dt.date(2026, 1, 15), False),  # the day before a window starting 01-16, the same week
    ("R09", "A002", dt.date(2026, 1, 16), False),
    ("R10", "A002", dt.date(2026, 4, 30), False),
    ("R11", "A003", dt.date(2026, 3, 1), True),  # only credit notes in the windows
]

WINDOWS = [
    Window(dt.date(2026, 1, 16), dt.date(2026, 6, 14)),  # mid-month at both ends, starts mid-week
    Window(dt.date(2026, 1, 1), dt.date(2026, 6, 30)),  # whole months
    Window(dt.date(2025, 7, 1), dt.date(2026, 1, 8)),  # ends on a day with two orders
    Window(dt.date(2026, 2, 15), dt.date(2026, 2, 15)),  # one day, no order day in it
]


def _old_day_statement(w: Window, from_days: bool):
    """The per-account statement of order days before this change (COUNT(DISTINCT) of weeks), kept as reference."""
    oh, od = order_header, order_day
    if from_days:
        days = select(od.c.account_id, od.c.order_date).where(od.c.order_date <= w.end, od.c.sales_orders > 0)
    else:
        days = (
            select(oh.c.account_id, oh.c.order_date)
            .where(oh.c.order_date <= w.end, oh.c.is_return.is_(False))
            .distinct()
        )
    day = days.subquery()
    dn = day_number(day.c.order_date)
    per_day = select(
        day.c.account_id,
        day.c.order_date,
        week_number(day.c.order_date).label("wk"),
        (dn - func.lag(dn).over(partition_by=day.c.account_id, order_by=day.c.order_date)).label("gap"),
        func.lag(day.c.order_date).over(partition_by=day.c.account_id, order_by=day.c.order_date).label("prev"),
    ).subquery()
    d = per_day.c
    in_w = d.order_date >= w.start
    gap = case((and_(in_w, d.prev >= w.start), d.gap), else_=None)
    return select(
        d.account_id,
        func.min(d.order_date).label("first_order_ever"),
        func.max(d.order_date).label("last_order_ever"),
        func.count().label("order_days_ever"),
        func.count(distinct(d.wk)).label("order_weeks_ever"),
        func.count(distinct(case((in_w, d.wk), else_=None))).label("order_weeks_window"),
        func.count(case((in_w, 1), else_=None)).label("order_days_window"),
        func.count(gap).label("n_gaps"),
        func.sum(gap).label("gap_sum"),
        func.sum(gap * gap).label("gap_sq"),
    ).group_by(d.account_id)


def _old_rhythm(conn, w: Window, from_days: bool) -> pd.DataFrame:
    """The old fetch: the old day statement joined to today's per-order statement (unchanged)."""
    new = metrics.fetch_order_rhythm(conn, w, from_days=from_days)
    old = metrics._frame(conn, _old_day_statement(w, from_days))
    return old.join(new[["n_orders", "first_order_in_window", "last_order_date", "delivery_cost"]], how="outer")


def _truth(w: Window) -> pd.DataFrame:
    """Independent pandas on the literal orders (the tiny brewer's own orders added)."""
    from tests.kam_tiny_db import _orders

    heads = _orders()[0][["account_id", "order_date"]].assign(is_return=False)
    extra = pd.DataFrame(ORDERS, columns=["order_id", "account_id", "order_date", "is_return"])
    heads = pd.concat([heads, extra[["account_id", "order_date", "is_return"]]], ignore_index=True)
    days = heads[~heads["is_return"] & (heads["order_date"] <= w.end)].drop_duplicates(["account_id", "order_date"])
    days = days.sort_values(["account_id", "order_date"])
    num = days["order_date"].map(lambda d: (d - dt.date(1970, 1, 1)).days)
    days = days.assign(dn=num, wk=num // 7, in_w=days["order_date"] >= w.start)
    rows = {}
    for acc, g in days.groupby("account_id"):
        win = g[g["in_w"]]
        gaps = win["dn"].diff().dropna()
        rows[acc] = {
            "order_days_ever": len(g),
            "order_weeks_ever": g["wk"].nunique(),
            "order_weeks_window": win["wk"].nunique(),
            "order_days_window": len(win),
            "n_gaps": len(gaps),
            "gap_sum": gaps.sum() if len(gaps) else None,
            "gap_sq": (gaps**2).sum() if len(gaps) else None,
        }
    return pd.DataFrame.from_dict(rows, orient="index").sort_index()


def _seed(engine):
    seed_tiny(engine)
    with engine.begin() as conn:
        for oid, acc, day, ret in ORDERS:
            conn.execute(
                insert(order_header).values(
                    order_id=oid, account_id=acc, order_date=day, is_return=ret, delivery_cost=4.0, source="manual"
                )
            )
        order_days.refresh(conn)
    return engine


@pytest.fixture
def orders(db_engine):
    return _seed(db_engine)


@pytest.fixture(scope="module")
def duck_orders(tmp_path_factory):
    pytest.importorskip("duckdb_engine")
    engine = get_engine(f"duckdb:///{tmp_path_factory.mktemp('rhythm') / 'kam.duckdb'}")
    ensure_schema(engine)
    yield _seed(engine)
    engine.dispose()


@pytest.mark.parametrize("w", WINDOWS, ids=lambda w: f"{w.start}..{w.end}")
@pytest.mark.parametrize("from_days", [False, True], ids=["headers", "order_day"])
def test_order_rhythm_equals_the_old_statement_and_pandas(orders, w, from_days):
    _check(orders, w, from_days)


@pytest.mark.parametrize("w", WINDOWS, ids=lambda w: f"{w.start}..{w.end}")
@pytest.mark.parametrize("from_days", [False, True], ids=["headers", "order_day"])
def test_order_rhythm_on_duckdb_equals_the_old_statement_and_pandas(duck_orders, w, from_days):
    _check(duck_orders, w, from_days)


def _check(engine, w: Window, from_days: bool) -> None:
    with engine.connect() as conn:
        assert order_days.is_current(conn)
        got = metrics.fetch_order_rhythm(conn, w, from_days=from_days)
        old = _old_rhythm(conn, w, from_days)
    pd.testing.assert_frame_equal(got.sort_index(), old.sort_index())
    truth = _truth(w)
    cols = list(truth.columns)
    mine = got.loc[truth.index, cols].astype(float)
    pd.testing.assert_frame_equal(mine, truth.astype(float), check_names=False)
    if w.start == dt.date(2026, 1, 16):  # A002 (the tiny brewer's orders on the 10th of January … June, and ours):
        # 01-10 in the week of 01-08; 01-15 (before the window) and 01-16 one week; then 02-10 … 06-10 and 04-30
        a002 = got.loc["A002"]
        assert (a002["order_weeks_ever"], a002["order_weeks_window"], a002["order_days_window"]) == (8, 7, 7)
        assert (a002["n_gaps"], a002["gap_sum"]) == (6, (dt.date(2026, 6, 10) - dt.date(2026, 1, 16)).days)


@pytest.mark.parametrize("since,as_of", [(None, None), (dt.date(2025, 2, 14), dt.date(2026, 1, 13))])
def test_order_rhythm_on_the_demo_equals_the_old_statement(demo_engine, since, as_of):
    with demo_engine.connect() as conn:
        end = as_of or conn.execute(select(func.max(order_header.c.order_date))).scalar()
        w = Window(since or (pd.Timestamp(end) - pd.DateOffset(months=12) + pd.Timedelta(days=1)).date(), end)
        for from_days in (False, True):
            got = metrics.fetch_order_rhythm(conn, w, from_days=from_days)
            assert got["order_weeks_window"].sum() > 0
            pd.testing.assert_frame_equal(got.sort_index(), _old_rhythm(conn, w, from_days).sort_index())
