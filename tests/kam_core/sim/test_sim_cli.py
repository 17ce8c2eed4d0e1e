"""``python -m kam_core simulate``: the docs/DESIGN.md §4 example through the CLI, on a tiny database and the demo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kam_core.sim import load_scenario, run_scenario

ROOT = Path(__file__).resolve().parents[3]
SCENARIOS = ROOT / "data" / "scenarios"


def simulate(path, db_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kam_core", "simulate", str(path), "--format", "json", "--db", db_url],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )


def test_the_design_example_runs_through_the_cli_and_prints_the_contract_keys(sim_sqlite):
    res = simulate(SCENARIOS / "summer_push.json", str(sim_sqlite.url))
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert {"totals", "accounts", "per_case", "scenario", "seed", "draws"} <= set(out)
    assert {
        "baseline_cases",
        "scenario_cases",
        "rebate_cost",
        "promotion_cost",
        "our_gross_profit",
        "incremental_profit",
        "roi",
    } <= set(out["totals"])
    assert {a["account_id"] for a in out["accounts"]} == {"D1", "D2", "D3"}  # DIST only, lost L1 out
    assert {
        "account_id",
        "baseline_cases",
        "scenario_cases",
        "rebate",
        "promotion_cost",
        "net_price_per_case",
        "below_floor",
    } <= set(out["accounts"][0])
    # D2: 600 cases is below the first tier (1,000 cases): the retroactive tier pays nothing
    d2 = [t for t in out["trace"] if t["account_id"] == "D2" and t["type"] == "retro_tiered"][0]
    assert d2["entitlement"] == 0.0
    assert any("ACCOUNT_ID" in w for w in out["warnings"])


def test_a_bad_scenario_file_exits_one_naming_the_field_without_a_traceback(sim_sqlite, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "period": {"start": "2026-06-01", "end": "2026-08-31"},
                "programs": [{"type": "retro_tiered", "tiers": [{"from": "abc", "rate_per_case": 2}]}],
            }
        ),
        encoding="utf-8",
    )
    res = simulate(bad, str(sim_sqlite.url))
    assert res.returncode == 1
    assert "programs[0].tiers[0].from must be a number ≥ 0, got 'abc'" in res.stderr
    assert "Traceback" not in res.stderr


@pytest.mark.parametrize("name", ["summer_push.json", "q3_distributor_tiers.json", "ka_growth_contest.json"])
def test_example_scenarios_run_on_the_demo_brewer(demo_engine, name):
    scenario = load_scenario(SCENARIOS / name)
    r = run_scenario(demo_engine, scenario)
    t = r["totals"]
    assert t["accounts"] > 0 and t["baseline_cases"] > 0
    assert t["trade_spend"] == pytest.approx(t["rebate_cost"] + t["promotion_cost"])
    if scenario.draws:
        assert t["p10"] <= t["p50"] <= t["p90"]
    json.dumps(r, allow_nan=False)
