"""Exact per-account figures from a hand-made database, on SQLite, PostgreSQL (when configured) and DuckDB."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kam_core.analytics.window import Window
from kam_core.db import ensure_schema, get_engine, order_days
from kam_core.db import schema as s
from kam_core.db.bulk import bulk_insert
from kam_core.queries.diversion_signals import fetch_scan_signal, fetch_shipto_signal
from kam_core.queries.scorecard import compute_scorecard, compute_scorecard_bundle
from kam_core.scope import Scope

D = dt.date


def _rows() -> list[tuple]:
    f = pd.DataFrame
    regions = f(
        [
            ("R01", None, "region", "R01"),
            ("R01A", "R01", "area", "R01/R01A"),
            ("R01A1", "R01A", "street", "R01/R01A/R01A1"),
            ("R02", None, "region", "R02"),
            ("R02S", "R02", "street", "R02/R02S"),
        ],
        columns=["region_id", "parent_id", "level", "path"],
    )
    regions = regions.assign(code=regions["region_id"], name_zh=regions["region_id"], name_en=regions["region_id"])
    heads = f(
        [
            ("O0", "A1", D(2025, 1, 5), None),
            ("O1", "A1", D(2026, 1, 10), "R01A1"),
            ("O2", "A1", D(2026, 2, 10), None),
            ("O3", "A1", D(2026, 3, 12), "R02S"),
            ("O4", "A1", D(2026, 4, 11), None),
            ("O5", "A2", D(2026, 6, 1), None),
        ],
        columns=["order_id", "account_id", "order_date", "ship_to_region_id"],
    )
    heads["delivery_cost"] = [10.0, 10, 10, 10, 10, 0]
    lines = f(
        [
            ("O0", 1, "P1", 10, 18),
            ("O1", 1, "P1", 10, 18),
            ("O2", 1, "P2", 5, 40),
            ("O2", 2, "P1", 10, 15),
            ("O3", 1, "P3", 10, 20),
            ("O4", 1, "P1", 10, 18),
            ("O5", 1, "P1", 20, 20),
        ],
        columns=["order_id", "line_no", "sku_id", "qty_cases", "invoice_price"],
    )
    lines = lines.assign(
        list_price=lines["invoice_price"], cogs_per_case=lines["sku_id"].map({"P1": 10.0, "P2": 20.0, "P3": 10.0})
    )
    return [
        (s.region, regions),
        (
            s.channel_tier,
            f(
                {
                    "tier_code": ["DIST", "KA"],
                    "name_zh": ["一批", "KA"],
                    "name_en": ["D", "K"],
                    "level_in_chain": [1, 3],
                }
            ),
        ),
        (s.sales_rep, f({"rep_id": ["REP1"], "name": ["r"], "hourly_cost": [60.0]})),
        (
            s.product,
            f(
                {
                    "sku_id": ["P1", "P2", "P3"],
                    "name": ["a", "b", "c"],
                    "segment": ["mainstream", "premium", "mainstream"],
                    "launch_date": [None, None, D(2026, 3, 1)],
                }
            ),
        ),
        (
            s.price_list,
            f(
                {
                    "sku_id": ["P1", "P2", "P3", "P1"],
                    "tier_code": ["DIST"] * 3 + ["KA"],
                    "valid_from": [D(2020, 1, 1)] * 4,
                    "list_price": [20.0, 40, 20, 20],
                    "floor_price": [15.0, 30, 15, 15],
                }
            ),
        ),
        (
            s.account,
            f(
                {
                    "account_id": ["A1", "A2"],
                    "name": ["甲", "乙"],
                    "tier_code": ["DIST", "KA"],
                    "region_id": ["R01A1", "R02S"],
                    "owner_rep_id": ["REP1", None],
                    "status": "active",
                    "contract_start": [D(2024, 1, 1), None],
                    "exclusive_agreement": [False, True],
                }
            ),
        ),
        (s.order_header, heads),
        (s.order_line, lines),
        (
            s.visit,
            f(
                {
                    "account_id": ["A1"],
                    "rep_id": ["REP1"],
                    "visit_date": [D(2026, 5, 1)],
                    "visit_type": "training",
                    "duration_min": [50.0],
                    "travel_min": [10.0],
                    "contact_level": ["owner"],
                }
            ),
        ),
        (
            s.service_event,
            f(
                {
                    "account_id": ["A1"],
                    "event_date": [D(2026, 5, 2)],
                    "type": ["planogram"],
                    "direct_cost": [30.0],
                    "minutes": [30.0],
                }
            ),
        ),
        (s.ka_fee, f({"account_id": ["A2"], "fee_type": ["entry"], "fee_date": [D(2026, 6, 2)], "amount": [100.0]})),
        (
            s.rebate_program,
            f(
                {
                    "program_id": ["RB1"],
                    "name": ["q"],
                    "type": ["per_case"],
                    "valid_from": [D(2025, 1, 1)],
                    "valid_to": [D(2026, 12, 31)],
                }
            ),
        ),
        (
            s.rebate_settlement,
            f(
                {
                    "program_id": ["RB1"],
                    "account_id": ["A1"],
                    "period": ["2026Q1"],
                    "actual_basis": [45.0],
                    "actual_rebate": [25.0],
                    "paid_date": [D(2026, 4, 5)],
                }
            ),
        ),
        (
            s.promotion,
            f(
                {
                    "promo_id": ["PR1"],
                    "name": ["p"],
                    "mechanic": ["display"],
                    "start_date": [D(2026, 2, 1)],
                    "end_date": [D(2026, 2, 28)],
                }
            ),
        ),
        (s.promotion_account, f({"promo_id": ["PR1"], "account_id": ["A1"], "fixed_fee": [15.0]})),
        (
            s.redemption,
            f(
                {
                    "promo_id": ["PR1"],
                    "account_id": ["A1"],
                    "redeem_date": [D(2026, 2, 15)],
                    "units_redeemed": [10.0],
                    "cost": [5.0],
                }
            ),
        ),
        (
            s.ar_invoice,
            f(
                {
                    "invoice_id": ["I1", "I2"],
                    "account_id": ["A1", "A2"],
                    "invoice_date": [D(2026, 1, 10), D(2026, 6, 1)],
                    "due_date": [D(2026, 2, 9), D(2026, 6, 10)],
                    "amount": [180.0, 400.0],
                }
            ),
        ),
        (s.ar_payment, f({"invoice_id": ["I1"], "pay_date": [D(2026, 2, 19)], "amount": [180.0]})),
        (
            s.account_category_volume,
            f(
                {
                    "account_id": ["A1"],
                    "period": [D(2026, 1, 1)],
                    "total_beer_cases_est": [90.0],
                    "source": ["declared"],
                }
            ),
        ),
        (s.account_territory, f({"account_id": ["A1"], "region_id": ["R01"], "valid_from": [D(2020, 1, 1)]})),
    ]


def with_defaults(table, df: pd.DataFrame) -> pd.DataFrame:
    """Fill the columns' scalar Python-side defaults (COPY on PostgreSQL does not apply them)."""
    out = df.copy()
    for col in table.columns:
        if col.name in out or col.default is None:
            continue
        if col.default.is_sequence:  # COPY does not draw from the named sequence: number the rows
            out[col.name] = range(1, len(out) + 1)
        elif col.default.is_scalar:
            out[col.name] = col.default.arg
    return out


def seed_literal(engine) -> None:
    with engine.begin() as conn:
        for table, df in _rows():
            bulk_insert(conn, table, with_defaults(table, df))


def _check_exact(engine, pre_aggregate: bool = False) -> None:
    """``pre_aggregate``: the scorecard reads the per-day table (built after seeding) instead of the order
    lines (seeded by bulk insert, which does not build it: the state no longer matches the order tables)."""
    seed_literal(engine)
    if pre_aggregate:
        with engine.begin() as conn:
            order_days.refresh(conn)
    with engine.connect() as conn:
        assert order_days.is_current(conn) is pre_aggregate
    sc = compute_scorecard(engine, as_of="2026-06-30").set_index("account_id")
    a1, a2 = sc.loc["A1"], sc.loc["A2"]
    assert a1["net_sales"] == pytest.approx(910.0) and a1["gross_profit"] == pytest.approx(410.0)
    assert a1["volume_cases"] == pytest.approx(45.0)
    financing = 180 * 40 / 365 * 0.045
    assert a1["financing_cost"] == pytest.approx(financing)
    assert a1["cost_to_serve"] == pytest.approx(60 + 30 + 30 + 40 + financing)
    assert a1["rebates"] == pytest.approx(25.0) and a1["promo_spend"] == pytest.approx(20.0)
    assert a1["net_profit"] == pytest.approx(410 - 25 - 20 - (160 + financing))
    assert a1["regularity"] == pytest.approx(1 - pd.Series([31, 30, 30]).std() / (91 / 3))
    assert a1["sow"] == pytest.approx(45 / (90 * 365 / 365.25))
    assert a1["tenure_years"] == pytest.approx((D(2026, 6, 30) - D(2024, 1, 1)).days / 365.25)
    assert a1["growth"] == pytest.approx(910 / 180 - 1)
    assert a1["dbt"] == pytest.approx(10.0)
    assert a1["s7_share"] == pytest.approx(0.5)
    a2_financing = 400 * 30 / 365 * 0.045  # open since 1 June: 30 days to 30 June
    assert a2["net_profit"] == pytest.approx(200 - 100 - a2_financing) and a2["exclusivity"] == 1.0
    assert a2["max_days_past_due"] == pytest.approx(20) and a2["late_share"] == 1.0
    assert a2["dso"] == pytest.approx(400 * 30 / 365 / 400 * 365)
    assert a1["region"] == "R01" and a2["region"] == "R02"


def _check_features(engine) -> None:
    bundle = compute_scorecard_bundle(engine, as_of="2026-06-30")
    f = bundle.features.set_index("account_id").loc["A1"]
    assert f["promo_share"] == pytest.approx(10 / 45)
    assert f["premium_mix"] == pytest.approx(15 / 45)
    assert f["service_min_per_10k"] == pytest.approx(90 / (910 / 10_000))
    assert f["advice_events"] == pytest.approx(2 / (365 / 365.25))
    assert f["contact_levels"] == 1 and f["data_sharing"] == 0.0


def test_account_metrics_are_exact_on_sqlite_and_postgresql(db_engine):
    _check_exact(db_engine)
    _check_features(db_engine)


def test_account_metrics_are_exact_through_the_per_day_pre_aggregate(db_engine):
    _check_exact(db_engine, pre_aggregate=True)
    _check_features(db_engine)


@pytest.mark.parametrize("pre_aggregate", [False, True])
def test_account_metrics_are_exact_on_duckdb(tmp_path, pre_aggregate):
    pytest.importorskip("duckdb_engine")
    engine = get_engine(f"duckdb:///{tmp_path / 'kam.duckdb'}")
    ensure_schema(engine)
    _check_exact(engine, pre_aggregate)
    _check_features(engine)
    engine.dispose()


def test_scope_restricts_rows_but_not_the_ranking(sqlite_engine):
    seed_literal(sqlite_engine)
    everyone = compute_scorecard(sqlite_engine).set_index("account_id")
    mine = compute_scorecard(sqlite_engine, scope=Scope("manager", "R02")).set_index("account_id")
    assert list(mine.index) == ["A2"]
    assert mine.loc["A2", "pyramid_tier"] == everyone.loc["A2", "pyramid_tier"]
    assert list(compute_scorecard(sqlite_engine, scope=Scope("rep", "REP1"))["account_id"]) == ["A1"]


def test_since_and_as_of_bound_the_window(sqlite_engine):
    seed_literal(sqlite_engine)
    sc = compute_scorecard(sqlite_engine, as_of="2026-02-28", since="2026-02-01").set_index("account_id")
    assert sc.loc["A1", "net_sales"] == pytest.approx(350.0)
    assert str(sc.loc["A1", "as_of"]) == "2026-02-28"


def test_territory_checks_take_underscores_in_region_codes_literally(db_engine):
    """S1 and S7: a territory "A_1" covers "A_1" and the regions below it, not "AB1" (which LIKE 'A_1/%' matched)."""
    f = pd.DataFrame
    regions = f(
        [
            ("A_1", None, "region", "A_1"),
            ("A_1S", "A_1", "street", "A_1/A_1S"),
            ("AB1", None, "region", "AB1"),
            ("AB1S", "AB1", "street", "AB1/AB1S"),
        ],
        columns=["region_id", "parent_id", "level", "path"],
    )
    regions = regions.assign(code=regions["region_id"], name_zh=regions["region_id"], name_en=regions["region_id"])
    heads = f(
        {
            "order_id": ["O1", "O2", "O3"],
            "account_id": "X",
            "order_date": [D(2026, 3, 1)] * 3,
            "ship_to_region_id": ["A_1S", "AB1S", "A_1"],
        }
    )
    scans = f(
        {
            "code": ["c1", "c2", "c3", "c4"],
            "shipped_account_id": "X",
            "scan_type": "terminal",
            "scan_time": [dt.datetime(2026, 3, 2, 12)] * 4,
            "scan_region_id": ["A_1S", "AB1S", "AB1", None],
        }
    )
    rows = [
        (s.region, regions),
        (s.channel_tier, f({"tier_code": ["DIST"], "name_zh": ["一批"], "name_en": ["D"], "level_in_chain": [1]})),
        (
            s.account,
            f({"account_id": ["X"], "name": ["x"], "tier_code": ["DIST"], "region_id": ["A_1"], "status": ["active"]}),
        ),
        (s.account_territory, f({"account_id": ["X"], "region_id": ["A_1"], "valid_from": [D(2020, 1, 1)]})),
        (s.order_header, heads),
        (s.code_scan, scans),
    ]
    with db_engine.begin() as conn:
        for table, df in rows:
            bulk_insert(conn, table, with_defaults(table, df))
    w = Window(D(2026, 1, 1), D(2026, 6, 30))
    with db_engine.connect() as conn:
        shipto = fetch_shipto_signal(conn, w).loc["X"]
        scan = fetch_scan_signal(conn, w).loc["X"]
    assert (shipto["n_shipto"], shipto["n_shipto_out"]) == (3, 1)  # AB1S is outside
    assert (scan["n_scans"], scan["n_scans_out"]) == (4, 2)  # AB1S and AB1; a scan with no region is not counted out
