"""The scenario model without a database: per-case economics, response, Monte Carlo, invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kam_core.sim import load_scenario, simulate_book
from kam_core.sim.model import make_book
from kam_core.sim.montecarlo import simulate_draws
from kam_core.sim.trace_text import step_text

PERIOD = {"start": "2026-06-01", "end": "2026-08-31"}
MONTHS = ("2026-06", "2026-07", "2026-08")
FIELD_EXAMPLE = [
    {"type": "per_case", "amount_per_case": 3.0},
    {"type": "bottle_cap", "prize_value_per_case": 6.0, "redemption_rate": 1.0},
    {"type": "empty_exchange", "empties_per_free_case": 4, "return_rate": 1.0},
]


def scen(programs, **kw):
    return load_scenario({"period": PERIOD, "programs": programs, **kw})


def book(baseline=(1000.0,), channel="DIST", price=24.0, cogs=15.0, **kw):
    ids = [f"A{i}" for i in range(len(baseline))]
    return make_book(ids, channel, price, cogs, list(baseline), months=MONTHS, **kw)


def test_field_example_is_15_first_round_and_17_compounded():
    # ¥3/case + ¥6/case cap prize + 4-for-1 empties on a ¥24 case: 3 + 6 + 24/4 = 15 ; 3 + 6 + 24·1/3 = 17
    r = simulate_book(book(), scen(FIELD_EXAMPLE, case_price=24.0))
    assert r["per_case"]["incentive_per_case"] == pytest.approx(15.0, abs=1e-9)
    assert r["per_case"]["incentive_per_case_compounded"] == pytest.approx(17.0, abs=1e-9)
    assert r["per_case"]["net_price_per_case"] == pytest.approx(24.0 - 17.0)
    # our cost: 3 + 6 + free cases 1/3 × COGS 15 = 14 a case; margin 24 − 15 − 14 = −5
    assert r["per_case"]["our_gp_per_case"] == pytest.approx(-5.0)
    assert r["per_case"]["below_floor"] is True  # net ¥7 is below COGS ¥15


def test_zero_programs_cost_nothing_and_change_nothing():
    r = simulate_book(book((500.0, 800.0)), scen([], response="elastic", draws=50))
    t = r["totals"]
    assert t["trade_spend"] == 0 and t["rebate_cost"] == 0 and t["promotion_cost"] == 0
    assert t["scenario_cases"] == pytest.approx(t["baseline_cases"])
    assert t["incremental_profit"] == pytest.approx(0.0)
    assert t["roi"] is None
    assert t["p10"] == pytest.approx(0.0) and t["p90"] == pytest.approx(0.0)


def test_response_none_keeps_volumes_fixed_and_elastic_lifts_intrinsic_accounts_more():
    progs = [{"type": "per_case", "amount_per_case": 2.4}]  # 10 % off a ¥24 case
    fixed = simulate_book(book((1000.0, 1000.0)), scen(progs))
    assert [a["scenario_cases"] for a in fixed["accounts"]] == [1000.0, 1000.0]
    elastic = simulate_book(
        book((1000.0, 1000.0)), scen(progs, response="elastic", value_types={"A0": "intrinsic", "A1": "strategic"})
    )
    # the book's elasticity is set from channel + value types when built from the database; here by hand:
    b = book((1000.0, 1000.0), elasticity=[-1.0 * 1.5, -1.0 * 0.5])
    typed = simulate_book(b, scen(progs, response="elastic"))
    q = [a["scenario_cases"] for a in typed["accounts"]]
    assert q[0] == pytest.approx(1000 * 0.9**-1.5)  # 1,171.3
    assert q[1] == pytest.approx(1000 * 0.9**-0.5)  # 1,054.1
    assert elastic["accounts"][0]["scenario_cases"] > 1000.0


def test_cannibalised_share_of_the_lift_is_not_incremental():
    progs = [{"type": "per_case", "amount_per_case": 2.4}]
    b = book((1000.0,), elasticity=[-2.0])
    r = simulate_book(b, scen(progs, response="elastic", assumptions={"cannibalisation": 0.4}))
    lift = 1000 * 0.9**-2.0 - 1000  # 234.57 cases
    assert r["accounts"][0]["incremental_cases"] == pytest.approx(lift * 0.6)
    # incremental profit = U·m − cost = 140.74 × 9 − 2.4 × 1,234.57
    assert r["totals"]["incremental_profit"] == pytest.approx(lift * 0.6 * 9 - 2.4 * (1000 + lift))


def test_threshold_chasing_pulls_volume_forward_and_it_is_not_incremental():
    progs = [{"type": "retro_tiered", "tiers": [{"from": 1000, "rate_per_case": 1.0}]}]
    b = book((900.0, 700.0), elasticity=[0.0, 0.0])  # no price response: only chasing moves volume
    r = simulate_book(b, scen(progs, response="elastic"))
    a0, a1 = r["accounts"]
    assert a0["scenario_cases"] == 1000.0 and a0["pull_forward_cases"] == 100.0  # 10 % below: chases
    assert a1["scenario_cases"] == 700.0 and a1["pull_forward_cases"] == 0.0  # 30 % below: does not
    assert a0["incremental_cases"] == 0.0
    assert a0["incremental_profit"] == pytest.approx(-1000.0)  # pays ¥1 on 1,000 cases, gains nothing
    assert r["watchlist"] == [] or all(w["account_id"] != "A0" for w in r["watchlist"])


def test_watchlist_lists_accounts_near_the_next_tier_with_the_suction_effect():
    progs = [
        {"type": "retro_tiered", "tiers": [{"from": 1000, "rate_per_case": 2.0}, {"from": 3000, "rate_per_case": 4.0}]}
    ]
    r = simulate_book(book((900.0, 2700.0, 500.0)), scen(progs))
    w = {x["account_id"]: x for x in r["watchlist"]}
    assert set(w) == {"A0", "A1"}  # 500 is 50 % below the first tier
    assert w["A0"]["gap_cases"] == 100.0 and w["A0"]["extra_rebate_if_reached"] == pytest.approx(2000.0)
    # at 3,000 retro pays 4 × 3,000 = 12,000 instead of 2 × 2,700 = 5,400
    assert w["A1"]["extra_rebate_if_reached"] == pytest.approx(12000.0 - 5400.0)


def test_caps_and_interim_payments_in_a_scenario():
    progs = [{"type": "per_case", "amount_per_case": 2.0, "cap_amount": 1500.0, "interim_paid": {"A0": 400.0}}]
    r = simulate_book(book((1000.0, 500.0)), scen(progs))
    tr = {t["account_id"]: t for t in r["trace"]}
    assert tr["A0"]["entitlement"] == 1500.0 and tr["A0"]["final_payout"] == 1100.0
    line = step_text(tr["A0"]["program"], tr["A0"]["step"], "en")
    assert "capped" in line and "interim paid" in line
    assert tr["A1"]["entitlement"] == 1000.0
    assert r["totals"]["rebate_cost"] == 2500.0


def test_free_goods_payout_costs_us_cogs_but_is_worth_the_price_to_the_account():
    progs = [{"type": "per_case", "amount_per_case": 2.4, "payout": "free_goods"}]
    a = simulate_book(book((1000.0,)), scen(progs))["accounts"][0]
    assert a["rebate"] == 2400.0 and a["rebate_cost"] == pytest.approx(1500.0)  # 100 free cases × ¥15


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0, 5000), min_size=1, max_size=8), st.sampled_from(["none", "elastic"]))
def test_totals_equal_the_sum_of_accounts(volumes, response):
    progs = [
        {"type": "retro_tiered", "tiers": [{"from": 1000, "rate_per_case": 1.0}]},
        {"type": "contest", "prizes": [500.0, 100.0]},
        {"type": "display_fee", "amount_per_account": 50.0},
        *FIELD_EXAMPLE,
    ]
    r = simulate_book(book(tuple(volumes)), scen(progs, response=response))
    for key in (
        "baseline_cases",
        "scenario_cases",
        "rebate_cost",
        "promotion_cost",
        "our_gross_profit",
        "incremental_profit",
    ):
        assert r["totals"][key] == pytest.approx(sum(a[key] for a in r["accounts"]), abs=1e-6)


MC_PROGS = [
    {"type": "retro_tiered", "tiers": [{"from": 1000, "rate_per_case": 2.0}]},
    {"type": "bottle_cap", "prize_value_per_case": 2.0, "redemption_rate": 0.7},
    {"type": "empty_exchange", "empties_per_free_case": 4, "return_rate": 0.8},
]


def _mc_book():
    rng = np.random.default_rng(3)
    return book(tuple(rng.uniform(500, 1500, 40)), price=40.0, cogs=25.0, baseline_cv=0.2)


def test_same_seed_gives_identical_results_and_quantiles_are_ordered():
    sc = scen(MC_PROGS, response="elastic", draws=300, seed=11)
    r1, r2 = simulate_book(_mc_book(), sc), simulate_book(_mc_book(), sc)
    r1.pop("elapsed_ms"), r2.pop("elapsed_ms")
    assert r1 == r2
    t = r1["totals"]
    assert t["p10"] <= t["p50"] <= t["p90"]
    assert t["p10"] < t["p90"]  # the draws do vary
    assert 0.0 <= t["p_roi_negative"] <= 1.0
    p = [a["p_tier_reached"] for a in r1["accounts"]]
    assert all(0.0 <= x <= 1.0 for x in p) and 0.0 < np.mean(p) < 1.0


def test_chunk_size_does_not_change_the_draws():
    sc = scen(MC_PROGS, response="elastic", draws=120, seed=5)
    b = _mc_book()
    a = simulate_draws(b, sc, chunk=120).incremental_profit
    c = simulate_draws(b, sc, chunk=7).incremental_profit
    np.testing.assert_allclose(a, c, rtol=1e-5)


def test_common_random_numbers_make_scenario_differences_tight():
    b = _mc_book()
    base = scen(MC_PROGS, response="elastic", draws=400, seed=21)
    more = scen([*MC_PROGS, {"type": "per_case", "amount_per_case": 1.0}], response="elastic", draws=400, seed=21)
    other_seed = scen([*MC_PROGS, {"type": "per_case", "amount_per_case": 1.0}], response="elastic", draws=400, seed=22)
    a = simulate_draws(b, base).incremental_profit
    crn = simulate_draws(b, more).incremental_profit - a
    indep = simulate_draws(b, other_seed).incremental_profit - a
    assert np.std(crn) < 0.25 * np.std(indep)


def test_quarterly_programs_settle_each_quarter_on_its_own_volume():
    # 1,200 cases over Jul–Dec, 200 a month: one settlement reaches the 1,000 tier, two quarters of 600 do not
    months = ("2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12")
    b = make_book(["A"], "DIST", 24.0, 15.0, [1200.0], months=months)
    tiers = [{"from": 1000, "rate_per_case": 1.0}]
    period = {"start": "2026-07-01", "end": "2026-12-31"}
    whole = simulate_book(b, load_scenario({"period": period, "programs": [{"type": "retro_tiered", "tiers": tiers}]}))
    quarterly = simulate_book(
        b,
        load_scenario({"period": period, "programs": [{"type": "retro_tiered", "tiers": tiers, "period": "quarter"}]}),
    )
    assert whole["totals"]["rebate"] == 1200.0
    assert quarterly["totals"]["rebate"] == 0.0
    monthly = simulate_book(
        b,
        load_scenario(
            {
                "period": period,
                "programs": [{"type": "threshold", "threshold": 150, "fixed_amount": 100.0, "period": "month"}],
            }
        ),
    )
    assert monthly["totals"]["rebate"] == 600.0  # 200 ≥ 150 in each of six months → 6 × ¥100


def test_growth_against_last_year_and_a_target_for_new_accounts():
    b = book((1100.0, 1040.0, 500.0, 700.0), baseline_ly=[1000.0, 1000.0, np.nan, np.nan])
    progs = [{"type": "growth", "min_growth": 0.05, "rate_per_case": 2.0, "on": "increment", "targets": {"A3": 600.0}}]
    r = simulate_book(b, scen(progs))
    # A0 +10 % → 2 × 100 ; A1 +4 % → 0 ; A2 new without a target → ineligible ; A3 700 vs its 600 → 2 × 100
    assert [a["rebate"] for a in r["accounts"]] == [200.0, 0.0, 0.0, 200.0]
    assert "not eligible" in step_text("growth", r["trace"][2]["step"], "en")
    progs[0]["new_account_target"] = 400.0  # A2 qualifies against 400 (+25 %); A3 keeps its own 600 (+16.7 %)
    r = simulate_book(b, scen(progs))
    assert [a["rebate"] for a in r["accounts"]] == [200.0, 0.0, 200.0, 200.0]
    text = [step_text(t["program"], t["step"], "en") for t in r["trace"]]
    assert "+10.0%" in text[0] and "needs ≥ +5%" in text[0]


def test_progress_is_reported_up_to_done():
    seen = []
    simulate_book(_mc_book(), scen(MC_PROGS, draws=600, seed=1), progress=lambda f, m: seen.append(f))
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 3


def test_free_bottle_caps_compound_in_value_and_cost_cogs():
    # p = .15 a bottle, ρ = .7: first round .105 free bottles a bottle, compounded .105/.895 = .11732
    progs = [{"type": "bottle_cap", "prize": "free_bottle", "win_rate": 0.15, "redemption_rate": 0.7}]
    r = simulate_book(book((1000.0,)), scen(progs))
    pc = r["per_case"]["breakdown"][0]
    assert pc["first_round_per_case"] == pytest.approx(24 * 0.105)
    assert pc["compounded_per_case"] == pytest.approx(24 * 0.105 / 0.895)
    assert pc["our_cost_per_case"] == pytest.approx(15 * 0.105 / 0.895)  # free goods at COGS, no handling fee


@settings(max_examples=20, deadline=None)
@given(st.lists(st.floats(0, 1e5), min_size=1, max_size=6), st.sampled_from(["none", "elastic"]), st.integers(0, 30))
def test_no_programs_means_no_cost_and_no_change_for_any_volumes(volumes, response, draws):
    r = simulate_book(book(tuple(volumes)), scen([], response=response, draws=draws))
    assert r["totals"]["trade_spend"] == 0.0
    assert r["totals"]["incremental_profit"] == pytest.approx(0.0, abs=1e-6)
    assert all(a["scenario_cases"] == a["baseline_cases"] for a in r["accounts"])


def test_cash_cap_prizes_from_win_rate_bottles_and_prize_cost():
    # 10 % of bottles win ¥2, 12 bottles a case, 70 % redeemed: 0.1 × 12 × 2 × 0.7 = ¥1.68 a case
    progs = [{"type": "bottle_cap", "win_rate": 0.1, "prize_cost": 2.0, "redemption_rate": 0.7}]
    a = simulate_book(book((1000.0,)), scen(progs))["accounts"][0]
    assert a["promotion_cost"] == pytest.approx(1680.0)


def test_the_linear_shortcut_for_expected_incentives_matches_the_full_calculation():
    # a cap no account reaches forces the full per-account path; the response must not change
    progs = [
        {"type": "per_case", "amount_per_case": 1.0},
        {"type": "cash_discount", "discount_pct": 2.0, "prompt_share": 0.5},
        {"type": "bottle_cap", "prize": "free_bottle", "win_rate": 0.1, "redemption_rate": 0.6},
        {"type": "bottle_cap", "win_rate": 0.1, "prize_cost": 1.0, "redemption_rate": 0.6},
        {"type": "empty_exchange", "empties_per_free_case": 6, "return_rate": 0.8},
    ]
    capped = [{**p, "cap_amount": 1e12} for p in progs]
    b = _mc_book()
    fast = simulate_draws(b, scen(progs, response="elastic", draws=40, seed=2))
    full = simulate_draws(b, scen(capped, response="elastic", draws=40, seed=2))
    np.testing.assert_allclose(fast.scenario_cases, full.scenario_cases, rtol=1e-5)
