"""The per-account-month facts: equal to the order lines (independent pandas on literal rows, mid-month windows,
credit notes, service lines, quarter-end days), the same line facts as the per-day path for any window, and kept
current by every write path in the same transaction."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import insert, select

from kam_core.analytics import diversion
from kam_core.analytics.window import Window
from kam_core.db import account_month as am
from kam_core.db import ensure_schema, get_engine, order_days
from kam_core.db.schema import account_month, order_header, order_line, product
from kam_core.demo import generate
from kam_core.io.transactions import import_transactions, parse_mapping
from kam_core.queries import metrics, month_facts
from kam_core.queries.scorecard import compute_scorecard_bundle
from tests.kam_core.io.io_helpers import write_csv
from tests.kam_tiny_db import seed_tiny

# (order id, account, date, is_return, [(sku, qty, invoice price, cogs, promo id)])
EXTRA = [
    ("X01", "A001", dt.date(2026, 3, 25), False, [("SKU1", 40, 27.0, 18.0, None), ("SKU2", 5, 60.0, 30.0, None)]),
    ("X02", "A001", dt.date(2026, 3, 31), False, [("SKU1", 12, 28.0, 18.0, None)]),
    ("X03", "A001", dt.date(2026, 3, 21), False, [("SKU1", 8, 28.0, 18.0, None)]),  # not late: 22nd is first
    ("X04", "A001", dt.date(2026, 6, 21), False, [("SKU2", 3, 61.0, 30.0, None)]),  # late: June has 30 days
    ("X05", "A001", dt.date(2026, 6, 20), False, [("SKU1", 9, 28.0, 18.0, None)]),
    ("X06", "A002", dt.date(2026, 2, 15), True, [("SKU1", -20, 28.0, 18.0, None)]),  # a credit note
    ("X07", "A003", dt.date(2026, 4, 14), False, [("SKU1", 30, 28.0, 18.0, None), ("SVC", 1, 50.0, 0.0, None)]),
    ("X08", "A003", dt.date(2026, 4, 15), False, [("SVC", 1, 50.0, 0.0, None)]),  # only a service line
    ("X09", "A001", dt.date(2025, 3, 28), False, [("SKU1", 50, 26.0, 18.0, None)]),  # last year, late day
    ("X10", "A002", dt.date(2025, 7, 1), False, [("SKU1", 15, 29.0, 18.0, None)]),
    ("X11", "A003", dt.date(2025, 12, 31), False, [("SKU1", 11, 28.0, 18.0, None)]),
    ("X12", "A003", dt.date(2025, 12, 22), False, [("SKU2", 2, 59.0, 30.0, None)]),  # December: 22nd is late
]


@pytest.fixture
def tiny(db_engine):
    """The tiny brewer plus literal orders on quarter-end days, a credit note, service lines, last year."""
    seed_tiny(db_engine)
    with db_engine.begin() as conn:
        conn.execute(
            insert(product),
            [
                {"sku_id": "SKU2", "name": "精酿", "brand": "Ours", "segment": "premium", "std_cogs_per_case": 30.0},
                {"sku_id": "SVC", "name": "运费", "brand": "", "segment": "mainstream", "std_cogs_per_case": None},
            ],
        )
        conn.execute(product.update().where(product.c.sku_id == "SVC").values(is_service=True))
        for oid, acc, day, ret, lines in EXTRA:
            conn.execute(
                insert(order_header).values(
                    order_id=oid, account_id=acc, order_date=day, is_return=ret, delivery_cost=5.0, source="manual"
                )
            )
            for n, (sku, qty, price, cogs, promo) in enumerate(lines, start=1):
                conn.execute(
                    insert(order_line).values(
                        order_id=oid,
                        line_no=n,
                        sku_id=sku,
                        qty_cases=float(qty),
                        list_price=price + 2,
                        invoice_price=price,
                        off_invoice_disc=0.0,
                        cogs_per_case=cogs,
                        promo_id=promo,
                    )
                )
        order_days.refresh(conn)
    return db_engine


def _truth(engine) -> pd.DataFrame:
    """account_month from the order lines, in pandas (independent of the SQL)."""
    with engine.connect() as conn:
        heads = pd.DataFrame(conn.execute(select(order_header)).mappings().all())
        lines = pd.DataFrame(conn.execute(select(order_line)).mappings().all())
        prods = pd.DataFrame(conn.execute(select(product)).mappings().all())
    heads["order_date"] = pd.to_datetime(heads["order_date"])
    heads["month"] = heads["order_date"].dt.strftime("%Y-%m")
    d = heads["order_date"]
    last = d.dt.days_in_month
    heads["late"] = (d.dt.month.isin([3, 6, 9, 12]) & (d.dt.day > last - 10)).astype(int)
    keys = ["account_id", "month", "late"]
    per_head = heads.assign(sales=~heads["is_return"].astype(bool)).groupby(keys)
    out = pd.DataFrame(
        {
            "days": per_head["order_date"].nunique(),
            "orders": per_head.size(),
            "sales_orders": per_head["sales"].sum(),
            "delivery_cost": per_head["delivery_cost"].sum(),
        }
    )
    goods = lines.merge(prods[["sku_id", "segment", "is_service"]], on="sku_id")
    goods = goods[~goods["is_service"].astype(bool)].merge(heads[["order_id", *keys]], on="order_id")
    q = goods["qty_cases"]
    goods = goods.assign(
        lines=1,
        net_sales=q * goods["invoice_price"],
        gross_sales=q * goods["list_price"],
        cogs=q * goods["cogs_per_case"],
        volume_cases=q,
        pos_cases=q.where(q > 0, 0.0),
        promo_cases=q.where((q > 0) & goods["promo_id"].notna(), 0.0),
        premium_cases=q.where((q > 0) & goods["segment"].eq("premium"), 0.0),
        free_goods_cost=goods["free_qty_cases"] * goods["cogs_per_case"],
    )
    sums = goods.groupby(keys)[["lines", *am.SUMS[4:]]].sum()
    out = out.join(sums, how="left").fillna(0.0)
    return out.reset_index().sort_values(keys).reset_index(drop=True)


def _stored(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = pd.DataFrame(conn.execute(select(account_month)).mappings().all())
    return rows.sort_values(["account_id", "month", "late"]).reset_index(drop=True)


def test_late_days_are_the_diversion_late_ranges():
    w = Window(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    marked = {a + dt.timedelta(days=i) for a, b in diversion.late_ranges(w) for i in range((b - a).days + 1)}
    days = pd.date_range(w.start, w.end).date
    assert {d for d in days if am.is_late(d)} == marked
    assert am.LATE_DAYS == 10


def test_account_month_equals_the_order_lines(tiny):
    with tiny.connect() as conn:
        assert order_days.is_current(conn) and am.in_step(conn)
    got, want = _stored(tiny), _truth(tiny)
    assert got[["account_id", "month", "late"]].values.tolist() == want[["account_id", "month", "late"]].values.tolist()
    for col in ["days", "orders", "sales_orders", "lines"]:
        assert got[col].astype(int).tolist() == want[col].astype(int).tolist(), col
    for col in ["delivery_cost", *am.SUMS[4:]]:
        assert got[col].to_numpy() == pytest.approx(want[col].to_numpy(), abs=0.005), col
    march = got.set_index(["account_id", "month", "late"]).loc[("A001", "2026-03")]
    assert march.loc[1, "net_sales"] == pytest.approx(40 * 27 + 5 * 60 + 12 * 28)  # 25th and 31st
    assert march.loc[1, "premium_cases"] == 5
    assert march.loc[0, "net_sales"] == pytest.approx(8 * 28 + 1100 * 28)  # 21st and the tiny brewer's 10th
    credit = got.set_index(["account_id", "month"]).loc[("A002", "2026-02")]
    assert (credit["net_sales"], credit["pos_cases"], credit["sales_orders"]) == (pytest.approx(350 * 28 - 560), 350, 1)
    svc = got.set_index(["account_id", "month"]).loc[("A003", "2026-04")]
    assert (svc["orders"], svc["lines"], svc["net_sales"]) == (3, 2, pytest.approx(500 * 28 + 30 * 28))


WINDOWS = [
    Window(dt.date(2026, 1, 15), dt.date(2026, 6, 14)),  # mid-month at both ends
    Window(dt.date(2025, 7, 1), dt.date(2026, 6, 30)),  # whole months
    Window(dt.date(2026, 3, 25), dt.date(2026, 6, 30)),  # starts inside a late range
    Window(dt.date(2025, 6, 21), dt.date(2026, 3, 24)),  # ends inside one
    Window(dt.date(2024, 12, 10), dt.date(2026, 6, 20)),  # longer than a year: the windows overlap
]


def _norm(facts: pd.DataFrame) -> pd.DataFrame:
    keys = ["account_id", "span", "month", "late"]
    return facts.astype({"late": int}).sort_values(keys).reset_index(drop=True)[[*keys, *metrics.SUMS]]


@pytest.mark.parametrize("w", WINDOWS, ids=lambda w: f"{w.start}..{w.end}")
def test_line_facts_from_months_equal_the_order_lines_for_any_window(tiny, w):
    late = diversion.late_ranges(w)
    with tiny.connect() as conn:
        fast = _norm(month_facts.fetch_line_facts(conn, w, late))
        lines = _norm(metrics.fetch_line_facts(conn, w, late, from_days=False))
    assert fast[["account_id", "span", "month", "late"]].values.tolist() == (
        lines[["account_id", "span", "month", "late"]].values.tolist()
    )
    for col in metrics.SUMS:
        assert fast[col].to_numpy() == pytest.approx(lines[col].to_numpy(), abs=0.005), col
    # and against pandas on the lines: the window's net sales per account
    truth = _truth_window_sales(tiny, w)
    got = fast[fast["span"] == "cur"].groupby("account_id")["net_sales"].sum()
    assert got.reindex(truth.index).to_numpy() == pytest.approx(truth.to_numpy(), abs=0.005)


def _truth_window_sales(engine, w: Window) -> pd.Series:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                order_header.c.account_id, order_header.c.order_date, order_line.c.qty_cases, order_line.c.invoice_price
            )
            .select_from(order_line.join(order_header, order_header.c.order_id == order_line.c.order_id))
            .where(order_line.c.sku_id != "SVC")
        ).all()
    df = pd.DataFrame(rows, columns=["account_id", "order_date", "qty", "price"])
    df = df[(df["order_date"] >= w.start) & (df["order_date"] <= w.end)]
    return (df["qty"] * df["price"]).groupby(df["account_id"]).sum()


def test_month_plan_splits_whole_and_edge_months():
    cur, last, edges = month_facts.plan_months(WINDOWS[0])
    assert cur == ["2026-02", "2026-03", "2026-04", "2026-05"]
    assert last == ["2025-02", "2025-03", "2025-04", "2025-05"]
    assert [a.isoformat() for a, _ in edges] == ["2025-01-01", "2025-06-01", "2026-01-01", "2026-06-01"]


def _assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    a, b = a.set_index("account_id").sort_index(), b.set_index("account_id").sort_index()
    assert list(a.columns) == list(b.columns) and a.index.equals(b.index)
    for col in a.columns:
        if pd.api.types.is_float_dtype(a[col]):
            assert a[col].to_numpy() == pytest.approx(b[col].to_numpy(), rel=1e-9, abs=1e-6, nan_ok=True), col
        else:
            assert a[col].astype(str).tolist() == b[col].astype(str).tolist(), col


@pytest.mark.parametrize("since,as_of", [(None, None), ("2025-02-14", "2026-01-13")])
def test_the_demo_scorecard_is_the_same_from_months_and_from_days(demo_engine, monkeypatch, since, as_of):
    fast = compute_scorecard_bundle(demo_engine, as_of=as_of, since=since)
    monkeypatch.setattr(am, "in_step", lambda conn: False)  # the per-day path of before
    slow = compute_scorecard_bundle(demo_engine, as_of=as_of, since=since)
    assert fast.scorecard["net_sales"].sum() > 0
    _assert_same(fast.scorecard, slow.scorecard)
    _assert_same(fast.features, slow.features)


def _rebuilt(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        tx = conn.begin()
        am.refresh(conn)
        rows = pd.DataFrame(conn.execute(select(account_month)).mappings().all())
        tx.rollback()
    return rows.sort_values(["account_id", "month", "late"]).reset_index(drop=True)


MAP = parse_mapping(
    "invoice=单据号,date=日期,account_id=客户编码,account_name=客户名称,channel=渠道,"
    "sku=物料编码,product_name=物料名称,quantity=数量,unit_price=单价,unit_cost=成本"
)


def test_write_paths_keep_the_months_in_step(tmp_path):
    engine = get_engine(f"sqlite:///{tmp_path / 'w.db'}")
    ensure_schema(engine)
    generate(engine, accounts=40, months=14, seed=3)  # the demo generator
    with engine.connect() as conn:
        assert am.in_step(conn)
        aid, last = conn.execute(
            select(order_header.c.account_id, order_header.c.order_date).order_by(order_header.c.order_date.desc())
        ).first()
    before = _stored(engine)
    csv = write_csv(
        tmp_path / "erp.csv",
        "单据号,日期,客户编码,客户名称,渠道,物料编码,物料名称,数量,单价,成本\n"
        f"Z1,{last:%Y-%m-%d},{aid},x,一批商,SKU-NEW,新品,7,40,20\n",
    )
    import_transactions(engine, csv, MAP)  # import-transactions: only its account's months rebuilt
    after = _stored(engine)
    with engine.connect() as conn:
        assert am.in_step(conn)
    pd.testing.assert_frame_equal(after, _rebuilt(engine), check_exact=False, rtol=1e-12)
    month = f"{last:%Y-%m}"
    grew = after.set_index(["account_id", "month"]).loc[(aid, month), "net_sales"].sum()
    was = before.set_index(["account_id", "month"]).loc[(aid, month), "net_sales"].sum()
    assert grew == pytest.approx(was + 280.0)
