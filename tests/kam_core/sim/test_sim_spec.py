"""Scenario JSON: every bad field named by its path, defaults, round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kam_core.errors import UserError
from kam_core.sim import PROGRAM_TYPES, load_scenario, scenario_to_dict

ROOT = Path(__file__).resolve().parents[3]
PERIOD = {"start": "2026-06-01", "end": "2026-08-31"}


def problems(raw) -> str:
    with pytest.raises(UserError) as info:
        load_scenario(raw)
    return str(info.value)


def test_a_bad_tier_is_named_by_its_json_path():
    msg = problems(
        {
            "period": PERIOD,
            "programs": [
                {"type": "per_case", "amount_per_case": 1},
                {"type": "retro_tiered", "tiers": [{"from": "abc", "rate_per_case": 2}]},
            ],
        }
    )
    assert "programs[1].tiers[0].from must be a number ≥ 0, got 'abc'" in msg


def test_every_problem_is_reported_at_once():
    msg = problems(
        {
            "period": {"start": "2026-06-01"},
            "draws": -1,
            "response": "wild",
            "accounts": {"channel": ["PUB"]},
            "programs": [
                {"type": "per_case"},
                {"type": "bottle_cap", "redemption_rate": 1.5, "prize_value_per_case": 1},
            ],
        }
    )
    for fragment in (
        "period.end is required",
        "draws must be a whole number ≥ 0",
        "response must be one of none, elastic",
        "accounts.channel[0] must be one of DIST",
        "programs[0].amount_per_case is required",
        "programs[1].redemption_rate must be a number ≥ 0 and ≤ 1, got 1.5",
    ):
        assert fragment in msg


def test_an_unknown_program_type_lists_the_allowed_ones():
    msg = problems({"period": PERIOD, "programs": [{"type": "lottery"}]})
    assert "programs[0].type must be one of " + ", ".join(PROGRAM_TYPES) in msg


@pytest.mark.parametrize(
    "program, fragment",
    [
        (
            {"type": "retro_tiered", "tiers": [{"from": 10, "rate_per_case": 1}, {"from": 5, "rate_per_case": 2}]},
            "programs[0].tiers[1].from must be greater than the previous tier's from (10)",
        ),
        (
            {"type": "retro_tiered", "tiers": [{"from": 0, "rate_per_case": 1}, {"from": 5, "rate_pct": 2}]},
            "programs[0].tiers must all use the same rate key",
        ),
        ({"type": "incremental_tiered", "tiers": []}, "programs[0].tiers must be a non-empty list"),
        (
            {"type": "threshold", "threshold": 100},
            "programs[0] needs exactly one of rate_per_case or rate_pct or fixed_amount",
        ),
        ({"type": "empty_exchange", "empties_per_free_case": 1, "return_rate": 1}, "must be greater than return_rate"),
        (
            {"type": "cash_discount", "discount_pct": 2, "discount_days": 30, "net_days": 10},
            "programs[0].net_days must be greater than discount_days (30)",
        ),
        ({"type": "per_case", "amount_per_cse": 3}, "programs[0].amount_per_cse is not a known field"),
        ({"type": "retro_tiered", "tiers": [{"from": 0, "rate_pct": 150}]}, "rate_pct must be a number ≥ 0 and ≤ 100"),
    ],
    ids=[
        "descending-tiers",
        "mixed-rate-keys",
        "no-tiers",
        "threshold-without-rate",
        "empties-n-le-r",
        "net-before-discount",
        "typo",
        "pct-over-100",
    ],
)
def test_program_fields_are_checked(program, fragment):
    assert fragment in problems({"period": PERIOD, "programs": [program]})


def test_files_not_found_or_not_json_are_user_errors(tmp_path):
    assert "not found" in problems(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{oops", encoding="utf-8")
    assert "not valid JSON" in problems(bad)
    arr = tmp_path / "arr.json"
    arr.write_text("[]", encoding="utf-8")
    assert "must hold a JSON object" in problems(arr)


def test_defaults_are_applied():
    s = load_scenario({"period": PERIOD, "programs": [{"type": "bottle_cap", "prize_value_per_case": 2}]})
    assert (s.response, s.draws, s.seed, s.name) == ("none", 0, 7, "scenario")
    p = s.programs[0]
    assert (p.period, p.payout, p.options["redemption_rate"], p.options["prize"]) == ("scenario", "cash", 1.0, "cash")


@pytest.mark.parametrize("name", ["summer_push.json", "q3_distributor_tiers.json", "ka_growth_contest.json"])
def test_example_scenarios_load_and_round_trip(name):
    s = load_scenario(ROOT / "data" / "scenarios" / name)
    d = scenario_to_dict(s)
    assert load_scenario(json.loads(json.dumps(d))) == s


def test_the_design_example_keeps_its_meaning():
    s = load_scenario(ROOT / "data" / "scenarios" / "summer_push.json")
    assert s.case_price == 24.0 and s.accounts.channel == ("DIST",)
    assert [p.type for p in s.programs] == ["per_case", "retro_tiered", "bottle_cap", "empty_exchange"]
    assert [(t.lower, t.rate, t.unit) for t in s.programs[1].tiers] == [
        (1000, 2.0, "per_case"),
        (3000, 4.0, "per_case"),
    ]


def test_a_cash_cap_prize_by_win_rate_needs_the_prize_cost():
    msg = problems({"period": PERIOD, "programs": [{"type": "bottle_cap", "win_rate": 0.1}]})
    assert "programs[0].prize_cost is required" in msg
    s = load_scenario({"period": PERIOD, "programs": [{"type": "bottle_cap", "win_rate": 0.1, "prize_cost": 2.0}]})
    assert s.programs[0].options["prize_cost"] == 2.0
