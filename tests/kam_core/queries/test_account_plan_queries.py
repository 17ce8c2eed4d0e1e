"""The sub-distributor roll-up and the sell-through reads, against an independent pandas sum."""

import datetime as dt

import pandas as pd
import pytest
from kam_tiny_db import seed_tiny
from sqlalchemy import insert, select

from kam_core.db.schema import account, consignment_stock, order_header, order_line, sellout
from kam_core.queries.account_plan import fetch_sell_through, fetch_sub_distributors, fetch_terms_for
from kam_core.scope import DIRECTOR, Scope

START, END = dt.date(2026, 1, 1), dt.date(2026, 6, 30)


@pytest.fixture
def chain(db_engine):
    """The tiny brewer plus two more 二批 under A001 (one owned by REP002, one that never ordered), orders
    outside the window, and a 终端 under A002 (a grandchild, not a direct sub-account)."""
    seed_tiny(db_engine)
    new = [
        ("A004", "WHS2", "A001", "REP001"),
        ("A005", "WHS2", "A001", "REP002"),
        ("A006", "WHS2", "A001", "REP001"),
        ("A007", "RETAIL", "A002", "REP001"),
    ]
    heads, lines = [], []
    orders = [("A004", dt.date(2026, 2, 3), 70.0, 26.0), ("A004", dt.date(2025, 12, 31), 999.0, 26.0)]
    orders += [("A005", dt.date(2026, 3, 9), 40.0, 27.5), ("A007", dt.date(2026, 4, 1), 5.0, 30.0)]
    orders += [("A004", dt.date(2026, 5, 5), 30.0, 25.0)]
    for i, (acc, day, cases, price) in enumerate(orders):
        heads.append({"order_id": f"X{i}", "account_id": acc, "order_date": day, "source": "manual"})
        lines.append(
            {
                "order_id": f"X{i}",
                "line_no": 1,
                "sku_id": "SKU1",
                "qty_cases": cases,
                "list_price": 30.0,
                "invoice_price": price,
                "off_invoice_disc": 1.0,
                "cogs_per_case": 18.0,
            }
        )
    with db_engine.begin() as conn:
        conn.execute(
            insert(account),
            [
                {
                    "account_id": a,
                    "name": f"{a} 二批",
                    "tier_code": tier,
                    "parent_account_id": parent,
                    "region_id": "R01" if rep == "REP001" else "R02",
                    "owner_rep_id": rep,
                    "status": "active",
                }
                for a, tier, parent, rep in new
            ],
        )
        conn.execute(insert(order_header), heads)
        conn.execute(insert(order_line), lines)
    return db_engine


def independent(engine, parent: str, visible: set[str] | None = None) -> pd.DataFrame:
    """Read raw rows and sum in pandas (the tiny data is small enough to load whole)."""
    with engine.connect() as conn:
        acc = pd.DataFrame(conn.execute(select(account.c.account_id, account.c.parent_account_id)).mappings().all())
        h = pd.DataFrame(conn.execute(select(order_header)).mappings().all())
        lines = pd.DataFrame(conn.execute(select(order_line)).mappings().all())
    kids = acc.loc[acc["parent_account_id"] == parent, "account_id"]
    kids = kids[kids.isin(visible)] if visible is not None else kids
    o = lines.merge(h, on="order_id")
    o = o[o["account_id"].isin(kids) & (o["order_date"] >= START) & (o["order_date"] <= END)]
    o = o.assign(net=o["qty_cases"] * (o["invoice_price"] - o["off_invoice_disc"]))
    g = o.groupby("account_id").agg(
        net_sales=("net", "sum"), cases=("qty_cases", "sum"), orders=("order_id", "nunique")
    )
    return g.reindex(kids).fillna(0.0)


def test_the_rollup_matches_an_independent_pandas_sum(chain):
    with chain.connect() as conn:
        rows, totals = fetch_sub_distributors(conn, "A001", START, END, DIRECTOR)
    expected = independent(chain, "A001")
    got = rows.set_index("account_id").loc[expected.index]
    assert set(rows["account_id"]) == {"A002", "A004", "A005", "A006"}  # not the grandchild A007
    pd.testing.assert_series_equal(got["net_sales"].astype(float), expected["net_sales"], check_names=False)
    pd.testing.assert_series_equal(got["cases"].astype(float), expected["cases"], check_names=False)
    assert got["orders"].astype(int).tolist() == expected["orders"].astype(int).tolist()
    assert totals["count"] == 4 and totals["ordering"] == 3 and totals["hidden"] == 0
    assert totals["net_sales"] == pytest.approx(expected["net_sales"].sum())
    assert totals["cases"] == pytest.approx(expected["cases"].sum())
    # A004: 70 × 25 + 30 × 24 (the 2025 order is outside the window)
    assert got.loc["A004", "net_sales"] == pytest.approx(70 * 25 + 30 * 24)
    assert rows["net_sales"].is_monotonic_decreasing


def test_the_rollup_counts_but_does_not_show_sub_accounts_outside_the_scope(chain):
    rep = Scope.parse("rep:REP001")
    with chain.connect() as conn:
        rows, totals = fetch_sub_distributors(conn, "A001", START, END, rep)
    assert set(rows["account_id"]) == {"A002", "A004", "A006"}
    assert totals["hidden"] == 1 and totals["count"] == 3
    expected = independent(chain, "A001", {"A002", "A004", "A006"})
    assert totals["net_sales"] == pytest.approx(expected["net_sales"].sum())


def test_an_account_that_supplies_nobody_has_an_empty_rollup(chain):
    with chain.connect() as conn:
        rows, totals = fetch_sub_distributors(conn, "A003", START, END)
    assert rows.empty and totals == {
        "count": 0,
        "ordering": 0,
        "net_sales": 0.0,
        "cases": 0.0,
        "orders": 0,
        "hidden": 0,
    }


def test_sell_through_is_summed_over_skus_per_month(db_engine):
    seed_tiny(db_engine)
    with db_engine.begin() as conn:
        conn.execute(
            insert(sellout),
            [
                {
                    "account_id": "A003",
                    "sku_id": "SKU1",
                    "period": dt.date(2026, 5, 1),
                    "qty_cases": 40.0,
                    "source": "pos",
                },
            ],
        )
        conn.execute(
            insert(consignment_stock),
            [
                {"account_id": "A003", "sku_id": "SKU1", "snap_date": dt.date(2026, 4, 30), "qty_cases": 12.0},
                {"account_id": "A003", "sku_id": "SKU1", "snap_date": dt.date(2026, 5, 31), "qty_cases": 8.0},
            ],
        )
    with db_engine.connect() as conn:
        got = fetch_sell_through(conn, "A003", dt.date(2026, 4, 1), dt.date(2026, 6, 30))
        mine = fetch_terms_for(conn, ["A001", "A003"], END, Scope.parse("rep:REP001"))
        other = fetch_terms_for(conn, ["A001", "A003"], END, Scope.parse("rep:REP002"))
    assert got["month"].tolist() == ["2026-04", "2026-05"]
    assert got["consigned_cases"].tolist() == [12.0, 8.0]
    assert pd.isna(got["sellout_cases"].iloc[0]) and got["sellout_cases"].iloc[1] == 40.0
    assert mine["account_id"].tolist() == ["A001"] and mine["settlement_mode"].tolist() == ["credit"]
    assert other.empty  # A001's terms are not REP002's to read
