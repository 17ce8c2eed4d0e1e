"""run_scenario against a database: baselines from history, scope, selection, interim settlements, saved runs."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import insert

from kam_core.db.schema import classification_snapshot
from kam_core.errors import UserError
from kam_core.scope import Scope
from kam_core.sim import (
    compare_scenarios,
    list_saved,
    load_saved,
    load_scenario,
    result_to_frames,
    run_scenario,
    save_scenario,
)
from kam_core.sim.baseline import compute_baseline
from kam_core.sim.book import build_book

PERIOD = {"start": "2026-06-01", "end": "2026-08-31"}
CONTRACT_TOTALS = {
    "baseline_cases",
    "scenario_cases",
    "rebate_cost",
    "promotion_cost",
    "our_gross_profit",
    "incremental_profit",
    "roi",
}
CONTRACT_ACCOUNT = {
    "account_id",
    "baseline_cases",
    "scenario_cases",
    "rebate",
    "promotion_cost",
    "net_price_per_case",
    "below_floor",
}


def scen(**kw):
    return load_scenario({"period": PERIOD, **kw})


def by_id(result):
    return {a["account_id"]: a for a in result["accounts"]}


def test_baseline_is_last_years_months_times_trend_with_seasonality(sim_engine):
    acc = by_id(run_scenario(sim_engine, scen()))
    assert set(acc) == {"D1", "D2", "D3", "K1"}  # L1 is lost
    # D1: 3 × 110 × (330 + 1)/(300 + 1)
    assert acc["D1"]["baseline_cases"] == pytest.approx(330 * 331 / 301)
    assert acc["D2"]["baseline_cases"] == pytest.approx(600.0)  # summer months at 200, trend 1
    # D3 is new: run-rate 50 × the seasonal index of the other DIST accounts with 12 months (D1 + D2: 310 in
    # Jun–Aug 2025 against 210 in its trailing months Mar–May 2026); D3 itself is not in its own index
    assert acc["D3"]["baseline_cases"] == pytest.approx(3 * 50 * 310 / 210)
    assert acc["K1"]["baseline_cases"] == pytest.approx(150.0)  # postage lines are not beer
    assert acc["K1"]["price_per_case"] == 31.0 and acc["K1"]["floor_price"] == 29.0
    assert acc["D1"]["cogs_per_case"] == 15.0


def test_chinese_new_year_moves_last_years_volume_to_this_years_cny_month(sim_engine):
    # through the database: D2 sold 100 in both January and February, so nothing moves
    book, ctx = build_book(sim_engine, load_scenario({"period": {"start": "2026-01-01", "end": "2026-02-28"}}))
    assert ctx.baseline.loc["D2", ["2026-01", "2026-02"]].tolist() == pytest.approx([100.0, 100.0])
    monthly = pd.DataFrame(
        {
            "account_id": ["X"] * 4,
            "ym": ["2025-01", "2025-02", "2025-10", "2024-10"],
            "cases": [300.0, 100.0, 150.0, 150.0],
            "sales": 0.0,
            "cogs": 0.0,
        }
    )
    base = compute_baseline(
        monthly, pd.Index(["X"]), pd.Series({"X": "DIST"}), dt.date(2026, 1, 1), dt.date(2026, 2, 28)
    )
    # CNY 2025 fell in January (300 of 400); in 2026 it falls in February, which gets the 300
    assert base.loc["X", "2026-02"] > base.loc["X", "2026-01"]
    assert base.loc["X", "2026-02"] / base.loc["X", "2026-01"] == pytest.approx(3.0)


@pytest.mark.parametrize(
    "scope, expected",
    [
        ("manager:R01", {"D1", "D3", "K1"}),  # R01A is below R01
        ("rep:REP2", {"D2"}),
        ("director:*", {"D1", "D2", "D3", "K1"}),
    ],
    ids=["manager", "rep", "director"],
)
def test_a_scenario_never_reaches_outside_the_viewers_scope(sim_engine, scope, expected):
    r = run_scenario(sim_engine, scen(accounts={"ids": []}), scope=Scope.parse(scope))
    assert {a["account_id"] for a in r["accounts"]} == expected
    assert r["scope"] == scope


def test_selection_by_region_includes_everything_below_and_ids_can_name_a_lost_account(sim_engine):
    r = run_scenario(sim_engine, scen(accounts={"region": ["R01"], "channel": ["DIST"]}))
    assert {a["account_id"] for a in r["accounts"]} == {"D1", "D3"}
    r = run_scenario(sim_engine, scen(accounts={"ids": ["L1", "D2"]}))
    assert {a["account_id"] for a in r["accounts"]} == {"D2", "L1"}
    with pytest.raises(UserError, match="No account in your scope"):
        run_scenario(sim_engine, scen(accounts={"ids": ["D2"]}), scope=Scope.parse("manager:R01"))
    with pytest.raises(UserError, match=r"accounts.region\[0\] 'R99' is not a region code"):
        run_scenario(sim_engine, scen(accounts={"region": ["R99"]}))


def test_interim_settlements_from_the_database_are_netted(sim_engine):
    prog = {"type": "per_case", "amount_per_case": 1.0, "program_id": "RP1"}
    r = run_scenario(sim_engine, scen(accounts={"ids": ["D1"]}, programs=[prog]))
    t = r["trace"][0]
    # 362.90 cases × ¥1; the 2026-07 interim ¥200 is netted, last year's payment is not
    assert t["interim_paid"] == 200.0
    assert t["final_payout"] == pytest.approx(330 * 331 / 301 - 200.0)


def test_volumes_override_the_baseline_and_unknown_ids_warn(sim_engine):
    r = run_scenario(sim_engine, scen(volumes={"D1": 1000, "NOPE": 5}))
    assert by_id(r)["D1"]["baseline_cases"] == 1000.0
    assert any("NOPE" in w for w in r["warnings"])


def test_value_types_come_from_the_latest_classification(sim_engine):
    with sim_engine.begin() as conn:
        conn.execute(
            insert(classification_snapshot),
            [
                {"account_id": "D1", "as_of": dt.date(2026, 1, 31), "params_hash": "h", "rackham_type": "strategic"},
                {"account_id": "D1", "as_of": dt.date(2026, 4, 30), "params_hash": "h", "rackham_type": "intrinsic"},
            ],
        )
    book, ctx = build_book(sim_engine, scen())
    eps = dict(zip(book.account_id, book.elasticity, strict=True))
    assert ctx.value_type_source == "classification_snapshot"
    assert eps["D1"] == pytest.approx(-1.0 * 1.5) and eps["D2"] == pytest.approx(-1.0)


def test_accrual_uses_actual_months_once_they_are_in_the_data(sim_sqlite):
    prog = {"type": "per_case", "amount_per_case": 1.0}
    r = run_scenario(
        sim_sqlite,
        load_scenario(
            {"period": {"start": "2026-05-01", "end": "2026-07-31"}, "accounts": {"ids": ["K1"]}, "programs": [prog]}
        ),
    )
    sched = r["accrual"]["schedule"]
    assert [s["month"] for s in sched] == ["2026-05", "2026-06", "2026-07"]
    assert sched[0]["actual_cases"] == 50.0 and sched[1]["actual_cases"] is None
    assert sched[-1]["accrued_to_date"] == pytest.approx(r["accrual"]["expected_rebate"])
    assert sum(s["period_charge"] for s in sched) == pytest.approx(r["accrual"]["expected_rebate"])


def test_save_load_list_and_compare(sim_sqlite):
    a = scen(name="A", draws=50, response="elastic", programs=[{"type": "per_case", "amount_per_case": 1.0}])
    b = scen(name="B", draws=50, response="elastic", programs=[{"type": "per_case", "amount_per_case": 2.0}])
    ra, rb = run_scenario(sim_sqlite, a), run_scenario(sim_sqlite, b)
    json.dumps(ra, allow_nan=False)  # strict JSON
    run_id = save_scenario(sim_sqlite, a, ra, "kam@example.com")
    s2, r2 = load_saved(sim_sqlite, run_id)
    assert s2 == a and r2["totals"] == ra["totals"]
    # the creator, now a rep, still opens their run, but not the director-scope figures in it
    assert load_saved(sim_sqlite, run_id, Scope.parse("rep:REP2"), "kam@example.com")[1] is None
    listed = list_saved(sim_sqlite)
    assert listed.loc[0, "run_id"] == run_id and listed.loc[0, "name"] == "A"
    cmp = compare_scenarios([ra, rb])
    assert list(cmp.columns) == ["A", "B", "Δ B vs A"]
    assert cmp.loc["rebate_cost", "Δ B vs A"] == pytest.approx(
        rb["totals"]["rebate_cost"] - ra["totals"]["rebate_cost"]
    )
    with pytest.raises(UserError):
        compare_scenarios([ra])
    with pytest.raises(UserError, match="No saved scenario run"):
        load_saved(sim_sqlite, 9999)
    frames = result_to_frames(ra)
    assert set(frames) == {"totals", "per_case", "accounts", "trace", "watchlist", "accrual"}
    assert len(frames["accounts"]) == 4
    assert "step" not in frames["trace"] and frames["trace"]["explanation"].str.contains("¥").all()  # sentences


def test_result_has_the_contract_keys(sim_engine):
    r = run_scenario(
        sim_engine,
        load_scenario(
            {
                "period": PERIOD,
                "draws": 20,
                "programs": [{"type": "retro_tiered", "tiers": [{"from": 300, "rate_per_case": 1.0}]}],
            }
        ),
    )
    assert {
        "totals",
        "accounts",
        "per_case",
        "trace",
        "accrual",
        "watchlist",
        "scenario",
        "seed",
        "draws",
        "elapsed_ms",
    } <= set(r)
    assert CONTRACT_TOTALS | {"p10", "p50", "p90", "p_roi_negative"} <= set(r["totals"])
    assert CONTRACT_ACCOUNT | {"tier_reached", "p_tier_reached"} <= set(r["accounts"][0])
    assert {
        "incentive_per_case",
        "incentive_per_case_compounded",
        "net_price_per_case",
        "our_gp_per_case",
        "below_floor",
    } <= set(r["per_case"])


def test_a_cached_book_gives_the_same_result_without_touching_the_database(sim_sqlite):
    a = scen(draws=30, programs=[{"type": "per_case", "amount_per_case": 1.0}])
    cached = build_book(sim_sqlite, a)
    b = scen(draws=30, programs=[{"type": "per_case", "amount_per_case": 2.0}])
    fresh = run_scenario(sim_sqlite, b)
    seen = []
    reused = run_scenario(None, b, baseline=cached, progress=lambda f, m: seen.append((f, m)))  # no engine needed
    assert reused["totals"] == fresh["totals"]
    assert seen[0] == (0.0, "loading history") and seen[-1][0] == 1.0


def test_the_same_baselines_on_duckdb(tmp_path, seed_sim):
    from kam_core.db import ensure_schema, get_engine

    engine = get_engine(f"duckdb:///{tmp_path / 'sim.duckdb'}")
    ensure_schema(engine)
    seed_sim(engine)
    r = run_scenario(engine, scen(programs=[{"type": "per_case", "amount_per_case": 1.0, "program_id": "RP1"}]))
    acc = by_id(r)
    assert acc["D1"]["baseline_cases"] == pytest.approx(330 * 331 / 301)
    assert acc["D3"]["baseline_cases"] == pytest.approx(3 * 50 * 310 / 210)  # see the SQLite test above
    assert [t["interim_paid"] for t in r["trace"] if t["account_id"] == "D1"] == [200.0]
    engine.dispose()
