"""What-if simulator for rebates and promotions, with uncertainty (docs/METHODS.md §5, docs/DESIGN.md §4).

Quick start (what the CLI and the Simulator page do)
----------------------------------------------------
>>> from kam_core.sim import load_scenario, run_scenario                      # doctest: +SKIP
>>> scenario = load_scenario("data/scenarios/summer_push.json")   # or a dict   # doctest: +SKIP
>>> result = run_scenario(engine, scenario, scope=scope, progress=cb)          # doctest: +SKIP
>>> result["totals"]["incremental_profit"], result["totals"].get("p10")        # doctest: +SKIP

Public API (all importable from ``kam_core.sim`` and ``kam_core.sim.scenario``)
----------------------------------------------------------------------------
``load_scenario(path_or_dict) -> Scenario``
    Checks every field and fills defaults. Bad input raises ``UserError`` whose message lists
    every problem by JSON path, one per line, e.g.
    ``programs[1].tiers[0].from must be a number ≥ 0, got 'abc'``. Show ``str(exc)`` as is.
``scenario_to_dict(scenario) -> dict``
    Plain JSON (defaults written out); ``load_scenario(scenario_to_dict(s)) == s``. Use it to
    put a scenario in a text area / download, or to change one field:
    ``d = scenario_to_dict(s); d["draws"] = 1000; s2 = load_scenario(d)``.
``run_scenario(engine, scenario, scope=DIRECTOR, progress=None, baseline=None) -> dict``
    JSON-serialisable result (below). ``progress(fraction, message)`` is called while loading
    and after every Monte Carlo chunk (wire it to ``st.progress``). ``baseline`` accepts a
    ``(book, context)`` from :func:`kam_core.sim.book.build_book` to skip the SQL when only
    the programs changed (same selection, period, scope and volumes).
``compare_scenarios(results) -> DataFrame``
    2–5 results: one row per metric (index ``metric``), one column per scenario name, then
    ``Δ <name> vs <first>`` columns. Use the same ``seed`` for all so the Δ is due to the
    programs (common random numbers).
``save_scenario(engine, scenario, result, user, scope) -> run_id`` / ``load_saved(engine, run_id, scope, user)``
    ``-> (Scenario, result | None)`` / ``list_saved(engine, scope, user) -> DataFrame`` (run_id, created_at,
    created_by, name, seed, n_draws, period_start, period_end; newest first). A manager or rep lists and
    opens only their own runs (``created_by == user``); a director every run. ``load_saved``
    returns ``None`` for the result when it was computed for a wider scope than the viewer's.
``result_to_frames(result) -> dict[str, DataFrame]``
    Sheets for an Excel download: totals, per_case, accounts, trace, watchlist, accrual.

Scenario JSON (docs/DESIGN.md §4; every key optional except ``period``)
-----------------------------------------------------------------
``name``; ``accounts`` {``channel``: [DIST, WHS2, KA, RETAIL, ONPREM], ``region``: [codes at any
level, everything below included], ``ids``: [...]} — empty lists mean everyone in the viewer's
scope (lost accounts only when listed by id); ``period`` {``start``, ``end``} ISO dates;
``case_price`` (RMB, else each account's recent invoice price, else its price list);
``volumes`` {account_id: cases} replaces that account's baseline; ``response`` ``none`` |
``elastic``; ``draws`` (0 = plain run only; 1,000 is plenty for the page; ≤ 100,000); ``seed``
(default 7); ``value_types`` {account_id: intrinsic|extrinsic|strategic} (else the latest
``classification_snapshot``, else channel defaults); ``assumptions`` overrides of
:class:`kam_core.sim.response.ResponseParams` (``elasticity`` {channel: ε ≤ 0},
``cannibalisation``, ``chase_window``, ``chase_prob``, ``baseline_cv``, ``elasticity_cv``,
``max_lift``, ``redemption_n_eff``, ``win_rate_n_eff``, ``*_multiplier``). Other top-level keys
are kept and echoed.

Programs (``programs`` list; every program also takes ``name``, ``period`` scenario | month |
quarter | year (settle per calendar sub-period; default: the whole scenario period),
``payout`` cash | credit_note | free_goods (free goods cost us COGS, are worth the price to
the account), ``cap_amount`` (per account), ``interim_paid`` {account_id: RMB} and/or
``program_id`` (reads interim ``rebate_settlement`` rows paid in the period), ``clawback``):

==================  ==============================================================================
type                fields (defaults)
==================  ==============================================================================
per_case            amount_per_case
retro_tiered        basis cases|net_sales, tiers [{from, rate_per_case | rate_pct}] (all units)
incremental_tiered  same keys; each rate applies to its own band only
threshold           basis, threshold, one of rate_per_case | rate_pct | fixed_amount (坎级)
growth              basis, min_growth (0.0), rate_per_case | rate_pct, on all|increment,
                    targets {account_id: basis}, new_account_target (new accounts without last
                    year: the target replaces last year; without one they are ineligible)
cash_discount       discount_pct, discount_days (10), net_days (30), prompt_share (1.0)
contest             prizes [first, second, …] by scenario volume
bottle_cap          prize_value_per_case, or win_rate (per bottle) + prize_cost + units_per_case
                    (12); redemption_rate (1.0); prize cash|free_bottle (free bottles compound)
empty_exchange      empties_per_free_case N, return_rate r (1.0), empty_value, handling_cost
display_fee         amount_per_account, amount_per_outlet (× account.outlets_served)
==================  ==============================================================================

``rate_pct`` is in percent (2 = 2 %). Rebate types (cost reported as ``rebate_cost``): per_case,
retro/incremental tiered, threshold, growth, cash_discount; the rest are promotions.
Interim netting: final payout = entitlement − interim paid. Without ``clawback`` (default) a
negative final payout is floored at 0 and the overpayment stays a cost; with ``clawback`` it
is recovered and the cost is the entitlement.

Result (``run_scenario``)
-------------------------
``totals``
    accounts, baseline_cases, scenario_cases, incremental_cases (net of cannibalisation and
    pull-forward), pull_forward_cases, rebate (value), rebate_cost, promotion_value,
    promotion_cost, trade_spend, baseline_gross_profit, our_gross_profit (after incentives),
    incremental_profit, roi (incremental_profit / trade_spend; None without spend),
    cost_per_incremental_case, spend_on_baseline_share, accounts_below_floor; with draws > 0
    also p10, p50, p90, mean (of incremental profit) and p_roi_negative. Every money/volume
    total equals the sum of the ``accounts`` rows.
``accounts``
    list of rows: account_id, channel, baseline_cases, scenario_cases, incremental_cases,
    pull_forward_cases, rebate, rebate_cost, promotion_value, promotion_cost, price_per_case,
    cogs_per_case, floor_price, incentive_per_case, net_price_per_case, our_gp_per_case,
    baseline_gross_profit, our_gross_profit, incremental_profit, roi, below_cost, below_floor
    (net price < floor price or < COGS), expected_rebate; with a tiered/threshold/growth
    program tier_reached (1-based, 0 = none, first such program), and with draws > 0
    p_tier_reached (P(at least that tier, or tier 1)) and p_next_tier.
``per_case``
    price_per_case, incentive_per_case (first round), incentive_per_case_compounded,
    net_price_per_case, cogs_per_case, floor_price, our_cost_per_case, our_gp_per_case,
    below_floor, accounts_below_floor, floor_guard (ids, first 100), breakdown (per program:
    first_round_per_case, compounded_per_case, our_cost_per_case).
``trace``
    rows account × program: basis_value, tier, tier_from, rate, entitlement, interim_paid,
    final_payout, value, our_cost, step (the arithmetic: inputs × rate = amount; kam_core.sim.trace_text
    writes it as a sentence a KAM can show the distributor, in zh or en; the Excel download has it in English).
``accrual``
    method (expected_value with draws, else most_likely), expected_rebate,
    most_likely_rebate, expected_basis_cases, effective_rate_per_case, schedule (month,
    expected_cases_to_date, actual_cases, accrued_to_date, period_charge).
``watchlist``
    accounts within 20 % below the next tier: account_id, program, current_tier,
    next_tier_from, gap, gap_cases, extra_rebate_if_reached, p_next_tier.
``scenario`` (echo, as :func:`scenario_to_dict`), ``seed``, ``draws``, ``elapsed_ms``,
``warnings`` (list of text to show), ``notices`` (baseline fallbacks as items ``{code, accounts}``;
:func:`kam_core.sim.baseline.describe_notices` writes them in zh or en, their English is also in
``warnings``), ``assumptions`` (resolved), ``value_type_source``,
``scope``.

Modules: :mod:`.programs` pure calculators; :mod:`.model` one vectorised pass;
:mod:`.response` volume response; :mod:`.montecarlo` draws with common random numbers;
:mod:`.economics` per-case/per-account economics and the floor guard; :mod:`.baseline` and
:mod:`.book` history from the database; :mod:`.trace` trace, accrual, watchlist;
:mod:`.spec` scenario reader; :mod:`.store` saved runs and comparison.
"""

from kam_core.sim.scenario import (
    compare_scenarios,
    list_saved,
    load_saved,
    load_scenario,
    result_to_frames,
    run_scenario,
    save_scenario,
    scenario_to_dict,
    simulate_book,
)
from kam_core.sim.spec import PROGRAM_TYPES, Program, Scenario, Selection, Tier

__all__ = [
    "PROGRAM_TYPES",
    "Program",
    "Scenario",
    "Selection",
    "Tier",
    "compare_scenarios",
    "list_saved",
    "load_saved",
    "load_scenario",
    "result_to_frames",
    "run_scenario",
    "save_scenario",
    "scenario_to_dict",
    "simulate_book",
]
