"""Diversion signals S3 (sell-in / sell-out gap with the stock-build check) and S6 (growth without coverage)
on tiny literal databases and frames, on SQLite, PostgreSQL (when configured) and DuckDB."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from kam_core.analytics.diversion import (
    SIGNALS,
    complete_months,
    describe_evidence,
    flag_diversion,
)
from kam_core.analytics.params import Params
from kam_core.analytics.window import Window
from kam_core.db import ensure_schema, get_engine, order_days
from kam_core.db import schema as s
from kam_core.db.bulk import bulk_insert
from kam_core.queries.diversion_signals import fetch_capability_signal, fetch_sellout_signal

D = dt.date
P = Params()
H1 = Window(D(2026, 1, 1), D(2026, 6, 30))  # six complete months
MONTHS = [D(2026, m, 1) for m in range(1, 7)]


def _sell_in(account_id: str, cases: list[float], sku: str = "P1") -> list[dict]:
    return [
        {"account_id": account_id, "day": D(2026, m, 12), "sku_id": sku, "qty": q}
        for m, q in zip(range(1, 7), cases, strict=True)
    ]


def _seed(engine) -> None:
    """Accounts (all DIST):
    D1 buys 130/month, reports sell-out 100/month, no stock data        → 6 months over 1.2: S3
    D2 buys 100/month (+ a 1,000-case freight line), reports 98          → honest
    D3 buys 130, reports 100, month-end stock rises by 30 every month    → the gap is stock build: no S3
    D4 buys 130 in one month only (100 otherwise), reports 100           → 1 month: below 2, no S3
    D5 buys 130, reports no sell-out                                     → not measurable (no row)
    D6 buys 130 in Feb and Mar, reports 100; stock rises 30 in Feb only,
       and a second, earlier snapshot in Mar must not count              → 1 month (Mar): no S3
    """
    f = pd.DataFrame
    ids = ["D1", "D2", "D3", "D4", "D5", "D6"]
    buys = (
        _sell_in("D1", [130.0] * 6)
        + _sell_in("D2", [100.0] * 6)
        + _sell_in("D3", [130.0] * 6)
        + _sell_in("D4", [100, 100, 130, 100, 100, 100])
        + _sell_in("D5", [130.0] * 6)
        + _sell_in("D6", [100, 130, 130, 100, 100, 100])
        + [{"account_id": "D2", "day": D(2026, 3, 20), "sku_id": "FRT", "qty": 1000.0}]
    )
    buys = f(buys)
    buys["order_id"] = [f"O{i:03d}" for i in range(len(buys))]
    heads = buys.rename(columns={"day": "order_date"})[["order_id", "account_id", "order_date"]]
    lines = buys.assign(line_no=1, qty_cases=buys["qty"], list_price=20.0, invoice_price=18.0, cogs_per_case=10.0)
    out = [
        {"account_id": a, "sku_id": "P1", "period": m, "qty_cases": q, "source": "outflow_report"}
        for a, q in (("D1", 100.0), ("D2", 98.0), ("D3", 100.0), ("D4", 100.0), ("D6", 100.0))
        for m in MONTHS
    ]
    stock = [{"account_id": "D3", "sku_id": "P1", "snap_date": D(2025, 12, 31), "qty_cases": 100.0}]
    stock += [
        {
            "account_id": "D3",
            "sku_id": "P1",
            "snap_date": (pd.Timestamp(m) + pd.offsets.MonthEnd(0)).date(),
            "qty_cases": 100.0 + 30 * (i + 1),
        }
        for i, m in enumerate(MONTHS)
    ]
    stock += [
        {"account_id": "D6", "sku_id": "P1", "snap_date": d, "qty_cases": q}
        for d, q in ((D(2026, 1, 31), 50.0), (D(2026, 2, 28), 80.0), (D(2026, 3, 15), 200.0), (D(2026, 3, 31), 80.0))
    ]
    caps = [
        ("C1", D(2025, 1, 1), 45, 5),
        ("C1", D(2026, 1, 1), 46, 5),  # 50 → 51: flat (+2%)
        ("C2", D(2025, 1, 1), 45, 5),
        ("C2", D(2026, 1, 1), 65, 5),  # 50 → 70: growing
        ("C3", D(2026, 1, 1), 45, 5),  # one assessment: no history
        ("C4", D(2024, 6, 1), 10, 0),
        ("C4", D(2025, 1, 1), 50, None),  # in force at the start: 50
        ("C4", D(2026, 1, 1), 50, None),
        ("C4", D(2026, 9, 1), 99, 1),  # after the end: ignored
        ("C5", D(2025, 10, 1), 20, 0),
        ("C5", D(2026, 3, 1), 20, 0),
    ]  # onboarded in the window
    rows = [
        (
            s.region,
            f(
                {
                    "region_id": ["R1"],
                    "level": ["region"],
                    "code": ["R1"],
                    "path": ["R1"],
                    "name_zh": ["R1"],
                    "name_en": ["R1"],
                }
            ),
        ),
        (s.channel_tier, f({"tier_code": ["DIST"], "name_zh": ["一批"], "name_en": ["D"], "level_in_chain": [1]})),
        (s.product, f({"sku_id": ["P1", "FRT"], "name": ["beer", "freight"], "is_service": [False, True]})),
        (
            s.account,
            f(
                {
                    "account_id": ids + ["C1", "C2", "C3", "C4", "C5"],
                    "name": "n",
                    "tier_code": "DIST",
                    "region_id": "R1",
                    "status": "active",
                }
            ),
        ),
        (s.order_header, heads),
        (
            s.order_line,
            lines[["order_id", "line_no", "sku_id", "qty_cases", "list_price", "invoice_price", "cogs_per_case"]],
        ),
        (s.sellout, f(out)),
        (s.inventory_snapshot, f(stock)),
        (s.account_capability, f(caps, columns=["account_id", "assessed_on", "terminals", "sub_distributors"])),
    ]
    with engine.begin() as conn:
        for table, df in rows:
            for col in table.columns:  # scalar Python-side defaults (PostgreSQL's COPY does not apply them)
                if col.name not in df and col.default is not None and col.default.is_scalar:
                    df[col.name] = col.default.arg
            bulk_insert(conn, table, df)


def _check_s3(engine) -> None:
    with engine.begin() as conn:  # the per-day pre-aggregate too, for the second pass
        order_days.refresh(conn)
    for from_days in (False, True):
        _check_s3_from(engine, from_days)


def _check_s3_from(engine, from_days: bool) -> None:
    """Sell-in from the order lines, or from the per-day pre-aggregate: the same answers."""
    with engine.connect() as conn:
        s3 = fetch_sellout_signal(conn, H1, P.s3_ratio, from_days)
    assert sorted(s3.index) == ["D1", "D2", "D3", "D4", "D6"]  # D5 reports no sell-out
    assert s3.loc["D1", "s3_ratio"] == pytest.approx(1.3) and s3.loc["D1", "s3_months"] == 6
    assert s3.loc["D1", "s3_report_months"] == 6
    assert s3.loc["D2", "s3_ratio"] == pytest.approx(100 / 98) and s3.loc["D2", "s3_months"] == 0  # no freight
    assert s3.loc["D3", "s3_ratio"] == pytest.approx(1.3) and s3.loc["D3", "s3_months"] == 0  # stock build
    assert s3.loc["D4", "s3_months"] == 1
    assert s3.loc["D6", "s3_months"] == 1  # Feb covered by +30 of stock; Mar's last snapshot (80) did not rise
    hits = flag_diversion(_frame(s3.reindex(["D1", "D2", "D3", "D4", "D5", "D6"])), P)
    s3_hit = hits["diversion_evidence_items"].map(lambda items: [i["signal"] for i in items] == ["S3"])
    assert s3_hit.to_dict() == {"D1": True, "D2": False, "D3": False, "D4": False, "D5": False, "D6": False}
    assert np.isnan(hits.loc["D5", "s3_ratio"])
    # with one month fewer in the window D1 still has five months over the threshold
    with engine.connect() as conn:
        part = fetch_sellout_signal(conn, Window(D(2026, 1, 15), D(2026, 6, 30)), P.s3_ratio, from_days)
    assert part.loc["D1", "s3_report_months"] == 5 and part.loc["D1", "s3_months"] == 5


def _check_s6(engine) -> None:
    with engine.connect() as conn:
        cap = fetch_capability_signal(conn, Window(D(2025, 7, 1), D(2026, 6, 30)))
    assert cap.loc["C1", "s6_outlets_change"] == pytest.approx(0.02)
    assert cap.loc["C2", "s6_outlets_change"] == pytest.approx(0.4)
    assert np.isnan(cap.loc["C3", "s6_outlets_change"])
    assert cap.loc["C4", "s6_outlets_start"] == 50 and cap.loc["C4", "s6_outlets_change"] == pytest.approx(0.0)
    assert cap.loc["C5", "s6_outlets_change"] == pytest.approx(0.0)
    assert "D1" not in cap.index


def _frame(extra: pd.DataFrame) -> pd.DataFrame:
    """Accounts with nothing but the ``extra`` signal columns out of the ordinary."""
    return pd.DataFrame(
        {
            "channel": "DIST",
            "volume_cases": 100.0,
            "outlets_served": 10,
            "n_scans": 0,
            "n_scans_out": 0,
            "n_shipto": 10,
            "n_shipto_out": 0,
            "n_below_floor": 0,
            "s4_share": 0.0,
            "ly_volume_cases": 100.0,
            "tenure_years": 5.0,
        },
        index=extra.index,
    ).join(extra)


def test_s3_and_s6_inputs_on_sqlite_and_postgresql(db_engine):
    _seed(db_engine)
    _check_s3(db_engine)
    _check_s6(db_engine)


def test_s3_and_s6_inputs_on_duckdb(tmp_path):
    pytest.importorskip("duckdb_engine")
    engine = get_engine(f"duckdb:///{tmp_path / 'kam.duckdb'}")
    ensure_schema(engine)
    _seed(engine)
    _check_s3(engine)
    _check_s6(engine)
    engine.dispose()


def test_complete_months_leave_out_partial_edges():
    assert [m for m, *_ in complete_months(Window(D(2025, 7, 15), D(2026, 1, 31)))] == [
        "2025-08",
        "2025-09",
        "2025-10",
        "2025-11",
        "2025-12",
        "2026-01",
    ]
    assert complete_months(Window(D(2026, 1, 2), D(2026, 1, 30))) == []


def _growth_frame(**over) -> pd.DataFrame:
    """Ten distributors growing 0 %, 10 %, … 90 % vs last year; outlets flat for all."""
    ids = [f"G{i}" for i in range(10)]
    df = pd.DataFrame(
        {
            "channel": "DIST",
            "volume_cases": [100.0 * (1 + i / 10) for i in range(10)],
            "ly_volume_cases": 100.0,
            "tenure_years": 5.0,
            "outlets_served": 10,
            "s6_outlets_change": 0.0,
        },
        index=ids,
    )
    for col, values in over.items():
        df[col] = values
    return df


def _s6(out: pd.DataFrame) -> list[str]:
    return [a for a, items in out["diversion_evidence_items"].items() if any(i["signal"] == "S6" for i in items)]


def test_s6_needs_top_growth_and_flat_outlets():
    out = flag_diversion(_growth_frame(), P)
    assert _s6(out) == ["G9"]  # 90 % growth is the channel's p90 (81 %) or above; the rest below
    assert out.loc["G9", "s6_growth"] == pytest.approx(0.9)
    assert out.loc["G9", "diversion_evidence_items"] == [{"signal": "S6", "growth": pytest.approx(0.9), "outlets": 0.0}]
    assert not out.loc["G9", "diversion_flag"]  # one signal (weight 1) opens no investigation
    assert out.loc["G9", "diversion_score"] >= 1
    growing = [0.0] * 9 + [0.3]  # the top grower added 30 % outlets: its growth is covered
    assert _s6(flag_diversion(_growth_frame(s6_outlets_change=growing), P)) == []
    edge = [0.0] * 9 + [-0.05]  # ±5 % still counts as flat
    assert _s6(flag_diversion(_growth_frame(s6_outlets_change=edge), P)) == ["G9"]
    unknown = [0.0] * 9 + [np.nan]  # no capability history: no signal
    assert _s6(flag_diversion(_growth_frame(s6_outlets_change=unknown), P)) == []


def test_s6_leaves_out_new_and_small_distributors():
    young = [5.0] * 9 + [1.0]  # the top grower is a year old: its last year was a ramp-up
    out = flag_diversion(_growth_frame(tenure_years=young), P)
    assert np.isnan(out.loc["G9", "s6_growth"]) and _s6(out) == ["G8"]  # p90 among the other nine
    tiny = [100.0] * 9 + [20.0]
    out = flag_diversion(_growth_frame(ly_volume_cases=tiny, volume_cases=[100.0] * 9 + [200.0]), P)
    assert "G9" not in _s6(out)
    shrinking = _growth_frame(volume_cases=[100.0 * (1 - i / 20) for i in range(10)])
    assert _s6(flag_diversion(shrinking, P)) == []  # the channel's p90 of a shrinking channel is no growth


def test_s3_and_s6_weights_and_evidence_in_both_languages():
    weights = dict(P.diversion_weights)
    assert {s: weights[s] for s in SIGNALS} == {"S1": 3, "S2": 1, "S3": 2, "S4": 2, "S5": 3, "S6": 1, "S7": 3}
    df = _growth_frame(s3_ratio=[1.0] * 9 + [1.314], s3_months=[0] * 9 + [3])
    out = flag_diversion(df, P)
    g9 = out.loc["G9"]
    assert g9["diversion_flag"] and g9["diversion_signals"] == 2
    assert 3 <= g9["diversion_score"] < 4  # S3 (2) + S6 (1) + the anomaly rank (< 1)
    assert g9["diversion_evidence"] == [
        "S3 sell-in 1.31× reported sell-out; 3 month(s) over the threshold without stock build",
        "S6 volume +90% vs last year, among the fastest growers of the channel, while outlets served changed +0%",
    ]
    assert describe_evidence(g9["diversion_evidence_items"], "zh") == [
        "S3 进货量是申报出货量的 1.31 倍，其中 3 个月超出阈值且未见库存增加",
        "S6 销量同比 +90%，居渠道增长前列，而服务网点数仅变化 +0%",
    ]
    one_month = flag_diversion(df.assign(s3_months=[0] * 9 + [1]), P)
    assert one_month.loc["G9", "diversion_signals"] == 1  # one month over 1.2 is not the S3 pattern


def test_scorecard_carries_s3_evidence_from_the_database(sqlite_engine):
    from kam_core.queries.scorecard import compute_scorecard_bundle

    _seed(sqlite_engine)
    bundle = compute_scorecard_bundle(sqlite_engine, as_of="2026-06-30", since="2026-01-01")
    sc = bundle.scorecard.set_index("account_id")
    assert {"signal": "S3", "in_out": pytest.approx(1.3), "months": 6} in sc.loc["D1", "diversion_evidence_items"]
    assert all(i["signal"] != "S3" for i in sc.loc["D3", "diversion_evidence_items"])
    assert "sellout" not in bundle.missing_inputs and "capability_history" not in bundle.missing_inputs
