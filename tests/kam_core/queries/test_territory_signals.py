"""S1 code scans and S7 ship-tos counted per (account, region) before the territory match give the counts of the
statements they replaced (kept here) and of pandas: literal scans and orders inside, below, outside and without a
region, an account without territory, a scan type that does not count, mid-month windows; and the demo."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import and_, case, func, select

from kam_core.analytics.window import Window
from kam_core.db import schema as s
from kam_core.db.schema import code_scan, order_header
from kam_core.db.sqlfn import authorised_regions, has_territory
from kam_core.queries import metrics
from kam_core.queries.diversion_signals import fetch_scan_signal, fetch_shipto_signal
from tests.kam_core.queries.test_metrics_sql import with_defaults

D = dt.date


def _old_scan(conn, w: Window) -> pd.DataFrame:
    """S1 before: one join row per scan."""
    cs, auth = code_scan, authorised_regions()
    t0, t1 = dt.datetime.combine(w.start, dt.time()), dt.datetime.combine(w.end + dt.timedelta(days=1), dt.time())
    outside = and_(cs.c.scan_region_id.is_not(None), auth.c.region_id.is_(None))
    stmt = (
        select(
            cs.c.shipped_account_id.label("account_id"),
            func.count().label("n_scans"),
            func.sum(case((outside, 1), else_=0)).label("n_scans_out"),
        )
        .select_from(
            cs.outerjoin(
                auth, and_(auth.c.account_id == cs.c.shipped_account_id, auth.c.region_id == cs.c.scan_region_id)
            )
        )
        .where(
            cs.c.scan_type.in_(("terminal", "consumer")),
            cs.c.scan_time >= t0,
            cs.c.scan_time < t1,
            has_territory(cs.c.shipped_account_id),
        )
        .group_by(cs.c.shipped_account_id)
    )
    return metrics._frame(conn, stmt)


def _old_shipto(conn, w: Window) -> pd.DataFrame:
    """S7 before: one join row per order."""
    oh, auth = order_header, authorised_regions()
    stmt = (
        select(
            oh.c.account_id,
            func.count().label("n_shipto"),
            func.sum(case((auth.c.region_id.is_(None), 1), else_=0)).label("n_shipto_out"),
        )
        .select_from(
            oh.outerjoin(auth, and_(auth.c.account_id == oh.c.account_id, auth.c.region_id == oh.c.ship_to_region_id))
        )
        .where(
            oh.c.order_date.between(w.start, w.end), oh.c.ship_to_region_id.is_not(None), has_territory(oh.c.account_id)
        )
        .group_by(oh.c.account_id)
    )
    return metrics._frame(conn, stmt)


REGIONS = [("R", None, "R"), ("RS", "R", "R/RS"), ("RSS", "RS", "R/RS/RSS"), ("Q", None, "Q"), ("QS", "Q", "Q/QS")]
# (account, date, ship-to region): X's territory is RS (and RSS below it); Y's is Q; Z has none
ORDERS = [
    ("X", D(2026, 3, 1), "RS"),
    ("X", D(2026, 3, 15), "RSS"),
    ("X", D(2026, 3, 16), "QS"),
    ("X", D(2026, 3, 16), "QS"),
    ("X", D(2026, 4, 30), "R"),  # above the territory: outside
    ("X", D(2026, 5, 2), None),
    ("Y", D(2026, 3, 20), "QS"),
    ("Y", D(2026, 4, 1), "RS"),
    ("Z", D(2026, 3, 20), "RS"),
]
# (account, time, region, type)
SCANS = [
    ("X", dt.datetime(2026, 3, 14, 23, 59), "RSS", "terminal"),
    ("X", dt.datetime(2026, 3, 15, 0, 0), "QS", "consumer"),
    ("X", dt.datetime(2026, 3, 15, 8, 0), "QS", "terminal"),
    ("X", dt.datetime(2026, 3, 16, 8, 0), None, "terminal"),  # no region: counted, never outside
    ("X", dt.datetime(2026, 4, 2, 8, 0), "R", "terminal"),
    ("X", dt.datetime(2026, 4, 2, 9, 0), "QS", "dealer_in"),  # not a terminal or consumer scan
    ("Y", dt.datetime(2026, 4, 30, 23, 0), "RS", "consumer"),
    ("Z", dt.datetime(2026, 3, 20, 8, 0), "QS", "terminal"),  # no territory: no row
]
WINDOWS = [
    Window(D(2026, 3, 15), D(2026, 4, 30)),
    Window(D(2026, 1, 1), D(2026, 12, 31)),
    Window(D(2026, 3, 16), D(2026, 3, 16)),
]


@pytest.fixture
def literal(db_engine):
    f = pd.DataFrame
    regions = f(REGIONS, columns=["region_id", "parent_id", "path"])
    regions = regions.assign(level="region", code=regions["region_id"], name_zh=regions["region_id"], name_en="r")
    accounts = f(
        {"account_id": ["X", "Y", "Z"], "name": "a", "tier_code": "DIST", "region_id": "R", "status": "active"}
    )
    heads = f(ORDERS, columns=["account_id", "order_date", "ship_to_region_id"])
    heads = heads.assign(order_id=[f"O{i}" for i in range(len(heads))])
    scans = f(SCANS, columns=["shipped_account_id", "scan_time", "scan_region_id", "scan_type"])
    scans = scans.assign(code=[f"c{i}" for i in range(len(scans))])
    rows = [
        (s.region, regions),
        (s.channel_tier, f({"tier_code": ["DIST"], "name_zh": ["一批"], "name_en": ["D"], "level_in_chain": [1]})),
        (s.account, accounts),
        (
            s.account_territory,
            f({"account_id": ["X", "Y"], "region_id": ["RS", "Q"], "valid_from": [D(2020, 1, 1)] * 2}),
        ),
        (s.order_header, heads),
        (s.code_scan, scans),
    ]
    with db_engine.begin() as conn:
        for table, df in rows:
            records = with_defaults(table, df).astype(object).to_dict("records")
            conn.execute(table.insert(), [{k: None if pd.isna(v) else v for k, v in r.items()} for r in records])
    return db_engine


def _truth(w: Window) -> tuple[pd.DataFrame, pd.DataFrame]:
    """pandas: the authorised regions are the territory and the regions whose path starts with its path + '/'."""
    paths = {r: p for r, _, p in REGIONS}
    terr = {"X": "RS", "Y": "Q"}
    ok = {a: {r for r, p in paths.items() if p == paths[t] or p.startswith(paths[t] + "/")} for a, t in terr.items()}
    o = pd.DataFrame(ORDERS, columns=["a", "d", "r"])
    o = o[(o["d"] >= w.start) & (o["d"] <= w.end) & o["r"].notna() & o["a"].isin(list(terr))]
    o = o.assign(out=[r not in ok[a] for a, r in zip(o["a"], o["r"], strict=True)])
    sc = pd.DataFrame(SCANS, columns=["a", "t", "r", "k"])
    sc = sc[sc["k"].isin(["terminal", "consumer"]) & (sc["t"].dt.date >= w.start) & (sc["t"].dt.date <= w.end)]
    sc = sc[sc["a"].isin(list(terr))]
    sc = sc.assign(out=[pd.notna(r) and r not in ok[a] for a, r in zip(sc["a"], sc["r"], strict=True)])
    shipto = o.groupby("a").agg(n_shipto=("out", "size"), n_shipto_out=("out", "sum"))
    scan = sc.groupby("a").agg(n_scans=("out", "size"), n_scans_out=("out", "sum"))
    return shipto, scan


@pytest.mark.parametrize("w", WINDOWS, ids=lambda w: f"{w.start}..{w.end}")
def test_territory_signals_equal_the_old_statements_and_pandas(literal, w):
    with literal.connect() as conn:
        scan, shipto = fetch_scan_signal(conn, w), fetch_shipto_signal(conn, w)
        pd.testing.assert_frame_equal(scan.sort_index(), _old_scan(conn, w).sort_index())
        pd.testing.assert_frame_equal(shipto.sort_index(), _old_shipto(conn, w).sort_index())
    want_shipto, want_scan = _truth(w)
    assert shipto.astype(int).to_dict("index") == want_shipto.astype(int).to_dict("index")
    assert scan.astype(int).to_dict("index") == want_scan.astype(int).to_dict("index")
    if w == WINDOWS[0]:
        # ship-tos RSS (inside), QS twice and R (outside); scans QS twice and R outside, the one without a region not
        assert shipto.loc["X"].tolist() == [4, 3] and scan.loc["X"].tolist() == [4, 3]


@pytest.mark.parametrize("demo", ["demo_engine", "duck_demo"])
def test_territory_signals_on_the_demo_equal_the_old_statements(request, demo):
    engine = request.getfixturevalue(demo)
    with engine.connect() as conn:
        end = conn.execute(select(func.max(order_header.c.order_date))).scalar()
        end = pd.Timestamp(end).date()
        for w in (
            Window((pd.Timestamp(end) - pd.DateOffset(months=12)).date() + dt.timedelta(days=1), end),
            Window(end - dt.timedelta(days=200), end - dt.timedelta(days=13)),
        ):
            scan, shipto = fetch_scan_signal(conn, w), fetch_shipto_signal(conn, w)
            assert scan["n_scans_out"].sum() > 0 and shipto["n_shipto"].sum() > 0
            pd.testing.assert_frame_equal(scan.sort_index(), _old_scan(conn, w).sort_index())
            pd.testing.assert_frame_equal(shipto.sort_index(), _old_shipto(conn, w).sort_index())
