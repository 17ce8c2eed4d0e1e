"""Run a scenario end to end: database → book → plain run → Monte Carlo → result (docs/DESIGN.md §4).

The scenario reader and the saved-run store live beside this module; their public names are
re-exported here because the CLI and the Simulator page import from ``kam_core.sim.scenario``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from kam_core.scope import DIRECTOR, Scope
from kam_core.sim.book import BookContext, build_book
from kam_core.sim.economics import compute_account_economics, compute_per_case, compute_totals
from kam_core.sim.model import Book, central_draws, evaluate
from kam_core.sim.montecarlo import _tier_program, simulate_draws
from kam_core.sim.response import ResponseParams
from kam_core.sim.spec import Scenario, load_scenario, scenario_to_dict
from kam_core.sim.store import compare_scenarios, list_saved, load_saved, result_to_frames, save_scenario
from kam_core.sim.trace import compute_accrual, compute_trace, compute_watchlist

__all__ = [
    "Scenario",
    "load_scenario",
    "scenario_to_dict",
    "run_scenario",
    "simulate_book",
    "compare_scenarios",
    "save_scenario",
    "load_saved",
    "list_saved",
    "result_to_frames",
]

Progress = Callable[[float, str], None]


def run_scenario(
    engine: Engine,
    scenario: Scenario,
    scope: Scope = DIRECTOR,
    progress: Progress | None = None,
    baseline: tuple[Book, BookContext] | None = None,
) -> dict:
    """Run ``scenario`` over the accounts ``scope`` may see and return the JSON-ready result.

    Parameters
    ----------
    engine
        Database with order history, accounts, price lists.
    scenario
        From :func:`load_scenario`.
    scope
        The viewer's scope; applied in SQL, so no account outside it is ever read.
    progress
        Optional ``callable(fraction, message)``; called while loading and per Monte Carlo chunk.
    baseline
        A ``(book, context)`` from :func:`kam_core.sim.book.build_book` to reuse (the Simulator
        page caches it while the user edits programs; it must come from the same selection,
        period and scope). Interim payments are read for the program_ids the book was built with.

    Returns
    -------
    dict
        Keys ``scenario, totals, accounts, per_case, trace, accrual, watchlist, seed, draws,
        elapsed_ms, warnings, notices, assumptions, value_type_source, scope`` (see the package docstring).

    Raises
    ------
    UserError
        Unknown region code, or no account in scope matches the selection.
    """
    t0 = time.perf_counter()
    if progress:
        progress(0.0, "loading history")
    book, ctx = baseline if baseline is not None else build_book(engine, scenario, scope)
    if progress:
        progress(0.1, "computing")
    result = simulate_book(book, scenario, ctx.monthly, progress=progress)
    result["warnings"] = list(ctx.warnings) + result["warnings"]
    result["notices"] = list(ctx.notices)  # the baseline fallbacks as items (the page writes them in its language)
    result["value_type_source"] = ctx.value_type_source
    result["scope"] = str(scope)
    result["elapsed_ms"] = round((time.perf_counter() - t0) * 1000.0, 1)
    return result


def simulate_book(
    book: Book, scenario: Scenario, monthly: pd.DataFrame | None = None, progress: Progress | None = None
) -> dict:
    """The database-free part of :func:`run_scenario`: plain run, Monte Carlo, trace, accrual, watchlist."""
    t0 = time.perf_counter()
    monthly = pd.DataFrame(columns=["account_id", "ym", "cases"]) if monthly is None else monthly
    plain = evaluate(book, scenario, central_draws(book, scenario))
    accounts = compute_account_economics(book, scenario, plain)
    totals = compute_totals(accounts)
    tiered = _tier_program(scenario)
    tier_target = None
    if tiered is not None:
        tier_target = np.asarray(plain.programs[tiered].tier)[0].astype(int)
        accounts["tier_reached"] = tier_target
    mc = None
    if scenario.draws > 0:
        mc = simulate_draws(book, scenario, tier_target, progress=_scaled(progress))
        totals.update(mc.quantiles())
        accounts["expected_rebate"] = mc.rebate_value
        if mc.p_tier_reached is not None:
            accounts["p_tier_reached"] = mc.p_tier_reached
            accounts["p_next_tier"] = mc.p_next_tier
    else:
        accounts["expected_rebate"] = accounts["rebate"]
    expected = float(mc.rebate_value.sum()) if mc is not None else None
    result = {
        "scenario": scenario_to_dict(scenario),
        "totals": totals,
        "accounts": _records(accounts),
        "per_case": compute_per_case(book, scenario, plain, accounts),
        "trace": compute_trace(book, scenario, plain),
        "accrual": compute_accrual(book, scenario, plain, monthly, expected),
        "watchlist": compute_watchlist(book, scenario, plain, None if mc is None else mc.p_next_tier),
        "seed": scenario.seed,
        "draws": scenario.draws,
        "assumptions": _clean(asdict(ResponseParams.from_assumptions(scenario.assumptions))),
        "warnings": [],
        "elapsed_ms": round((time.perf_counter() - t0) * 1000.0, 1),
    }
    if progress:
        progress(1.0, "done")
    return _clean(result)


def _scaled(progress: Progress | None) -> Progress | None:
    if progress is None:
        return None
    return lambda f, msg: progress(0.1 + 0.85 * f, msg)


def _records(df: pd.DataFrame) -> list[dict]:
    return df.astype(object).where(df.notna(), None).to_dict("records")


def _clean(obj):
    """Plain JSON: numpy scalars → Python, NaN/inf → None (json.dumps would write NaN, which is not JSON)."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj
