"""Pure calculators (kam_core.sim.programs): hand-checked numbers from docs/METHODS.md §5.1–5.2 and invariants."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kam_core.sim import programs as calc

# METHODS §5.1 check: tiers 0 / 2 % / 4 % / 6 % from 0 / 1,000 / 3,000 / 6,000 cases, ¥100 a case
LOWERS, RATES_PCT, PRICE = [0, 1000, 3000, 6000], [0.0, 2.0, 4.0, 6.0], 100.0


def _rmb(fn, cases):
    conv = calc.rate_conversion("cases", "pct", PRICE)  # 2 % of ¥100 = ¥2 per case per "2"
    return float(fn(np.array([float(cases)]), LOWERS, RATES_PCT)[0] * conv)


@pytest.mark.parametrize(
    "cases, retro, incremental",
    [
        (0, 0.0, 0.0),
        (999, 0.0, 0.0),  # below tier 2: the 0 % tier
        (1000, 2000.0, 0.0),  # retro: 2 % × 1,000 × 100 — the suction jump; marginal: nothing above 1,000 yet
        (1001, 2002.0, 2.0),  # incremental: 2 % × 1 case × 100
        (2999, 5998.0, 3998.0),  # retro 2 % × 299,900 ; incr 2 % × 1,999 × 100
        (3000, 12000.0, 4000.0),  # retro 4 % × 300,000 ; incr 2 % × 2,000 × 100
        (5999, 23996.0, 15996.0),  # retro 4 % × 599,900 ; incr 4,000 + 4 % × 2,999 × 100
        (6000, 36000.0, 16000.0),  # retro 6 % × 600,000 ; incr 4,000 + 12,000
        (7000, 42000.0, 22000.0),  # METHODS: ¥42,000 vs ¥22,000
    ],
    ids=["zero", "999", "1000", "1001", "2999", "3000", "5999", "6000", "7000"],
)
def test_retroactive_and_incremental_tiers_at_and_around_every_boundary(cases, retro, incremental):
    assert _rmb(calc.retro_tiered, cases) == pytest.approx(retro)
    assert _rmb(calc.incremental_tiered, cases) == pytest.approx(incremental)


def test_tier_index_is_minus_one_below_the_first_tier_and_counts_bounds_reached():
    assert calc.tier_index(np.array([99.0, 100.0, 250.0, 1e9]), [100, 200]).tolist() == [-1, 0, 1, 1]
    many = list(range(0, 1000, 100))  # > 6 tiers takes the binary-search path
    assert calc.tier_index(np.array([50.0, 100.0, 999.0]), many).tolist() == [0, 1, 9]


def test_rate_per_case_on_a_net_sales_basis_converts_through_the_price():
    # ¥1 per case on a sales basis: ¥24,000 of sales at ¥24 a case = 1,000 cases → ¥1,000
    conv = calc.rate_conversion("net_sales", "per_case", 24.0)
    assert float(calc.retro_tiered(np.array([24000.0]), [0.0], [1.0])[0] * conv) == pytest.approx(1000.0)


def test_threshold_pays_on_all_units_only_from_the_threshold():
    out = calc.threshold(np.array([999.0, 1000.0]), 1000.0, rate=1.5)
    assert out.tolist() == [0.0, 1500.0]
    assert calc.threshold(np.array([999.0, 1000.0]), 1000.0, fixed_amount=800.0).tolist() == [0.0, 800.0]


def test_growth_rebate_for_a_new_account_never_divides_by_zero():
    basis = np.array([1200.0, 1050.0, 600.0, 600.0, 0.0])
    ref = np.array([1000.0, 1000.0, np.nan, 500.0, 0.0])  # 3rd: new, no target; 4th: new with target 500
    eligible = np.array([True, True, False, True, False])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a division by zero would warn
        out = calc.growth(basis, ref, eligible, min_growth=0.10, rate=1.0)
        incr = calc.growth(basis, ref, eligible, min_growth=0.10, rate=1.0, on="increment")
    assert out.tolist() == [1200.0, 0.0, 0.0, 600.0, 0.0]  # +20 % pays, +5 % does not
    assert incr.tolist() == [200.0, 0.0, 0.0, 100.0, 0.0]


def test_cash_discount_and_its_implied_annual_cost():
    assert float(calc.cash_discount(10000.0, 2.0, 0.5)) == pytest.approx(100.0)  # 2 % of the half paid early
    assert calc.implied_annual_cost(2.0, 10, 30) == pytest.approx(0.3724, abs=1e-4)  # METHODS: 2/10 net 30 → 37.2 %
    with pytest.raises(ValueError, match="net_days"):
        calc.implied_annual_cost(2.0, 30, 30)


def test_contest_pays_the_top_n_by_volume_ties_to_the_first_listed():
    vol = np.array([[50.0, 80.0, 80.0, 10.0], [0.0, 0.0, 5.0, 0.0]])
    out = calc.contest(vol, [1000.0, 500.0, 200.0])
    assert out[0].tolist() == [200.0, 1000.0, 500.0, 0.0]
    assert out[1].tolist() == [0.0, 0.0, 1000.0, 0.0]  # no volume, no prize


def test_free_goods_compound_as_a_geometric_series():
    # bottle caps: p = .15, ρ = .7 → pρ/(1 − pρ) = .105/.895 = 0.1173 (METHODS §5.2)
    assert float(calc.free_goods_per_case(0.15 * 0.7, compounded=True)) == pytest.approx(0.11732, abs=1e-5)
    assert float(calc.free_goods_per_case(0.15 * 0.7, compounded=False)) == pytest.approx(0.105)
    # empties N = 4: r = 1 → 1/3 (not the naive 1/4); r = .6 → .6/3.4 = 0.176
    assert float(calc.empty_exchange_free_cases(4, 1.0, compounded=True)) == pytest.approx(1 / 3)
    assert float(calc.empty_exchange_free_cases(4, 1.0, compounded=False)) == pytest.approx(0.25)
    assert float(calc.empty_exchange_free_cases(4, 0.6, compounded=True)) == pytest.approx(0.17647, abs=1e-5)


@pytest.mark.parametrize(
    "entitlement, interim, clawback, final, cost",
    [
        (2000.0, 500.0, False, 1500.0, 2000.0),  # ordinary true-up
        (1000.0, 1500.0, False, 0.0, 1500.0),  # overpaid, no clawback: floor at 0, the excess is spent
        (1000.0, 1500.0, True, -500.0, 1000.0),  # overpaid, clawback: 500 recovered, cost = entitlement
        (0.0, 0.0, False, 0.0, 0.0),
    ],
    ids=["true-up", "overpaid-floor", "overpaid-clawback", "nothing"],
)
def test_interim_settlements_are_netted_at_true_up(entitlement, interim, clawback, final, cost):
    got_final, got_cost = calc.settle_interim(np.array([entitlement]), np.array([interim]), clawback)
    assert (float(got_final[0]), float(got_cost[0])) == (final, cost)


def test_free_goods_payout_costs_cogs_and_cash_costs_face_value():
    assert float(calc.payout_cost(240.0, "free_goods", 24.0, 15.0)) == pytest.approx(150.0)  # 10 cases at COGS
    assert float(calc.payout_cost(240.0, "credit_note", 24.0, 15.0)) == 240.0
    with pytest.raises(ValueError):
        calc.payout_cost(1.0, "voucher", 1.0, 1.0)


tiers = (
    st.lists(st.tuples(st.floats(1, 5000), st.floats(0, 20)), min_size=1, max_size=5)
    .map(lambda ts: ([0.0] + sorted({round(lo, 3) for lo, _ in ts}), None))
    .flatmap(lambda lt: st.tuples(st.just(lt[0]), st.lists(st.floats(0, 20), min_size=len(lt[0]), max_size=len(lt[0]))))
)


@settings(max_examples=80, deadline=None)
@given(tiers, st.lists(st.floats(0, 20000), min_size=2, max_size=30))
def test_incremental_rebate_never_decreases_with_volume(tier_def, volumes):
    lowers, rates = tier_def
    b = np.sort(np.array(volumes))
    r = calc.incremental_tiered(b, lowers, rates)
    assert np.all(np.diff(r) >= -1e-6)


@settings(max_examples=80, deadline=None)
@given(tiers, st.lists(st.floats(0, 20000), min_size=1, max_size=30), st.floats(0, 10000))
def test_caps_are_respected_for_every_account(tier_def, volumes, cap):
    lowers, rates = tier_def
    b = np.array(volumes)
    for fn in (calc.retro_tiered, calc.incremental_tiered):
        capped = calc.apply_cap(fn(b, lowers, rates), cap)
        assert np.all(capped <= cap + 1e-9)
        assert np.all(capped >= 0)
