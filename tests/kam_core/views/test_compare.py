"""Same period last year and attainment of targets, checked against pandas sums of the literal tiny orders."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from kam_tiny_db import _orders, seed_tiny
from sqlalchemy import insert

from kam_core.db.schema import sales_target
from kam_core.filters import Filters
from kam_core.queries import scorecard_store
from kam_core.queries.targets import fetch_month_actuals, fetch_targets
from kam_core.scope import DIRECTOR, Scope
from kam_core.views.compare import attainment, choose_targets, comparison_window, pct_change


def _truth() -> pd.DataFrame:
    """The tiny brewer's order lines as plain rows: account, date, net sales, cases."""
    heads, lines = _orders(history=True)
    f = heads.merge(lines, on="order_id")
    return pd.DataFrame(
        {
            "account_id": f["account_id"],
            "day": pd.to_datetime(f["order_date"]),
            "net_sales": f["qty_cases"] * f["invoice_price"],
            "cases": f["qty_cases"],
            "region": f["account_id"].map({"A001": "R01", "A002": "R01", "A003": "R02"}),
        }
    )


def _between(frame: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    return frame[(frame["day"] >= start) & (frame["day"] <= end)]


@pytest.mark.parametrize(
    ("start", "end", "mode", "expected"),
    [
        ("2026-01-01", "2026-06-30", "last_year", ("2025-01-01", "2025-06-30")),
        ("2024-03-01", "2025-02-28", "last_year", ("2023-03-01", "2024-02-28")),
        ("2024-02-29", "2024-03-31", "last_year", ("2023-02-28", "2023-03-31")),
        ("2026-01-01", "2026-06-30", "previous", ("2025-07-04", "2025-12-31")),
    ],
)
def test_the_comparison_window(start, end, mode, expected):
    d = dt.date.fromisoformat  # "previous": 181 days (1 Jan to 30 Jun 2026) ending 31 Dec
    assert comparison_window(d(start), d(end), mode) == (d(expected[0]), d(expected[1]))


def test_the_same_period_last_year_matches_a_pandas_sum_of_the_orders(sqlite_engine):
    seed_tiny(sqlite_engine, history=True)
    now = scorecard_store.scorecard_view(sqlite_engine, as_of=dt.date(2026, 6, 30), since=dt.date(2026, 1, 1))
    start, end = comparison_window(dt.date(2026, 1, 1), dt.date(2026, 6, 30), "last_year")
    before = scorecard_store.scorecard_view(sqlite_engine, as_of=end, since=start)
    truth = _truth()
    cur, ly = _between(truth, "2026-01-01", "2026-06-30"), _between(truth, "2025-01-01", "2025-06-30")
    assert before.scorecard["net_sales"].sum() == pytest.approx(ly["net_sales"].sum())
    assert before.scorecard["volume_cases"].sum() == pytest.approx(ly["cases"].sum())
    got = pct_change(now.scorecard["net_sales"].sum(), before.scorecard["net_sales"].sum())
    assert got == pytest.approx(cur["net_sales"].sum() / ly["net_sales"].sum() - 1)
    per_account = before.scorecard.set_index("account_id")["net_sales"].sort_index()
    assert per_account.to_dict() == pytest.approx(ly.groupby("account_id")["net_sales"].sum().to_dict())


TARGETS = [
    {"account_id": "A001", "month": dt.date(2026, 1, 1), "target_net_sales": 25_000.0, "target_cases": 900.0},
    {"account_id": "A001", "month": dt.date(2026, 2, 1), "target_net_sales": 30_000.0, "target_cases": 1_000.0},
    {"region_code": "R01", "month": dt.date(2026, 1, 1), "target_net_sales": 40_000.0, "target_cases": None},
    {"region_code": "R02", "month": dt.date(2026, 1, 1), "target_net_sales": 12_000.0, "target_cases": None},
    {"region_code": "R01", "month": dt.date(2026, 2, 1), "target_net_sales": 45_000.0, "target_cases": None},
    {"rep_id": "REP002", "month": dt.date(2026, 3, 1), "target_net_sales": 16_000.0, "target_cases": 600.0},
]


def _rows(engine) -> pd.DataFrame:
    return scorecard_store.scorecard_view(engine, as_of=dt.date(2026, 6, 30), since=dt.date(2026, 1, 1)).scorecard


def _attain(engine, rows: pd.DataFrame, filters: Filters, scope: Scope = DIRECTOR):
    with engine.connect() as conn:
        targets = fetch_targets(conn, dt.date(2026, 1, 1), dt.date(2026, 6, 30), scope)
        level, chosen = choose_targets(targets, rows, filters)
        actuals = fetch_month_actuals(conn, sorted(set(chosen["month"])), scope)
    return attainment(level, chosen, actuals, rows)


@pytest.fixture
def targeted(db_engine):
    seed_tiny(db_engine, history=True)
    full = [{"account_id": None, "region_code": None, "rep_id": None, **r} for r in TARGETS]
    with db_engine.begin() as conn:
        conn.execute(insert(sales_target), full)
    return db_engine


def test_account_targets_count_each_accounts_own_months(targeted):
    truth = _between(_truth(), "2026-01-01", "2026-02-28")
    a001 = truth[truth["account_id"] == "A001"]
    att = _attain(targeted, _rows(targeted), Filters())
    assert (att.level, att.n_accounts, att.n_view) == ("account", 1, 3)
    assert att.net_sales_pct == pytest.approx(a001["net_sales"].sum() / 55_000.0)
    assert att.cases_pct == pytest.approx(a001["cases"].sum() / 1_900.0)


def test_region_targets_measure_a_view_filtered_by_region_over_the_months_every_region_has(targeted):
    truth = _truth()
    rows = _rows(targeted)
    r02 = rows[rows["region"] == "R02"]  # A003 only: no account target
    att = _attain(targeted, r02, Filters(region=("R02",)))
    jan = _between(truth, "2026-01-01", "2026-01-31")
    assert att.level == "region" and att.months == (dt.date(2026, 1, 1),)
    assert att.net_sales_pct == pytest.approx(jan[jan["region"] == "R02"]["net_sales"].sum() / 12_000.0)
    assert att.cases_pct is None  # no case target: not 0 %


def test_rep_targets_measure_a_view_filtered_by_rep_and_no_level_fits_a_channel_filter(targeted):
    truth = _between(_truth(), "2026-03-01", "2026-03-31")
    rows = _rows(targeted)
    rep2 = rows[rows["rep"] == "REP002"]
    att = _attain(targeted, rep2, Filters(rep=("REP002",)))
    assert att.level == "rep"
    assert att.net_sales_pct == pytest.approx(truth[truth["account_id"] == "A003"]["net_sales"].sum() / 16_000.0)
    assert _attain(targeted, rep2, Filters(rep=("REP002",), channel=("KA",))) is None
