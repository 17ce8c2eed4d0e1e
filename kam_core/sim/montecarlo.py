"""Monte Carlo over the scenario model with common random numbers (docs/METHODS.md §5.5).

Common random numbers: every uncertain input has its own random stream, keyed by the stored
seed and a fixed stream id (baseline noise, elasticity, chasing, and each bottle-cap/empty
program by its type and position among programs of that type). Two scenarios run with the same
seed over the same accounts therefore see identical baseline and elasticity draws, so the
difference of their results is due to the programs, not to simulation noise.

Uncertain inputs
    baseline volume     lognormal per account and draw, mean 1, relative sd = the account's CV
    elasticity          one multiplier per draw ``max(0, 1 + cv·z)`` (a parameter: shared by accounts)
    redemption/return   Beta(ρ̄·n_eff, (1−ρ̄)·n_eff) per draw, n_eff = 50 (docs/METHODS.md §8)
    win rate            Beta per draw with a large n_eff (printed on the caps)
    threshold chasing   Bernoulli(chase_prob) per account and draw

Draws are processed in chunks (float32 by default) so memory stays ``chunk × accounts``; the
random streams are filled row after row, so the chunk size does not change the numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kam_core.sim.model import Book, Draws, evaluate
from kam_core.sim.response import ResponseParams
from kam_core.sim.spec import PROGRAM_TYPES, Scenario

STREAM_VOLUME, STREAM_ELASTICITY, STREAM_CHASE = 0, 1, 2
CHUNK = 250


@dataclass(frozen=True)
class MonteCarloSummary:
    """Per-draw totals (length = draws) and per-account probabilities/means (length = accounts)."""

    incremental_profit: np.ndarray
    trade_spend: np.ndarray
    rebate_value: np.ndarray  # per account, mean over draws (expected rebate, for accruals)
    scenario_cases: np.ndarray  # per account, mean over draws
    p_tier_reached: np.ndarray | None
    p_next_tier: np.ndarray | None

    def quantiles(self) -> dict[str, float]:
        p10, p50, p90 = np.quantile(self.incremental_profit, [0.1, 0.5, 0.9])
        spend = self.trade_spend
        roi_neg = np.where(spend > 0, self.incremental_profit < 0, False)
        return {
            "p10": float(p10),
            "p50": float(p50),
            "p90": float(p90),
            "mean": float(self.incremental_profit.mean()),
            "p_roi_negative": float(roi_neg.mean()),
        }


def _stream(seed: int, stream_id: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(stream_id,))))


def program_stream_ids(scenario: Scenario) -> dict[int, int]:
    """Stable stream id per uncertain program: by type and its position among programs of that type."""
    seen: dict[str, int] = {}
    out = {}
    for i, p in enumerate(scenario.programs):
        k = seen.get(p.type, 0)
        seen[p.type] = k + 1
        out[i] = 100 + 100 * PROGRAM_TYPES.index(p.type) + k
    return out


def _beta_draws(u: np.ndarray, mean: float, n_eff: float) -> np.ndarray:
    """Beta(mean·n, (1−mean)·n) by inverse CDF of common uniforms; a mean of 0 or 1 is certain."""
    if mean <= 0.0 or mean >= 1.0:
        return np.full_like(u, mean)
    # imported here, not with the module: scipy.stats costs 1-3 s CPU, and opening a saved scenario's link
    # (kam_ui.simulator_results.open_saved) shows its stored result without drawing anything
    from scipy.stats import beta as beta_dist

    return beta_dist.ppf(u, mean * n_eff, (1.0 - mean) * n_eff).astype(u.dtype)


def _program_draws(scenario: Scenario, params: ResponseParams, seed: int, n: int, dtype):
    red, win = {}, {}
    ids = program_stream_ids(scenario)
    for i, p in enumerate(scenario.programs):
        if p.type not in ("bottle_cap", "empty_exchange"):
            continue
        rng = _stream(seed, ids[i])
        u = rng.random((n, 2)).astype(dtype)  # column 0 redemption, column 1 win rate
        rate = p.options["redemption_rate"] if p.type == "bottle_cap" else p.options["return_rate"]
        red[i] = _beta_draws(u[:, :1], rate, params.redemption_n_eff)
        if p.type == "bottle_cap":
            win[i] = _beta_draws(u[:, 1:], p.options.get("win_rate") or 0.0, params.win_rate_n_eff)
    return red, win


def simulate_draws(
    book: Book,
    scenario: Scenario,
    tier_target: np.ndarray | None = None,
    *,
    draws: int | None = None,
    seed: int | None = None,
    chunk: int = CHUNK,
    dtype=np.float32,
    progress: Callable[[float, str], None] | None = None,
) -> MonteCarloSummary:
    """Run ``draws`` passes of :func:`kam_core.sim.model.evaluate` and summarise them.

    Parameters
    ----------
    book, scenario
        Per-account inputs and the scenario (its ``draws``/``seed`` unless overridden).
    tier_target
        Tier (1-based, 0 = none) each account reaches in the plain run, for the first program
        with tiers; gives ``p_tier_reached`` (≥ that tier, or ≥ tier 1 when it reaches none) and
        ``p_next_tier``.
    progress
        Optional ``callable(fraction, message)`` called after each chunk.
    """
    n = scenario.draws if draws is None else draws
    seed = scenario.seed if seed is None else seed
    params = ResponseParams.from_assumptions(scenario.assumptions)
    red, win = _program_draws(scenario, params, seed, n, dtype)
    streams = [_stream(seed, s) for s in (STREAM_VOLUME, STREAM_ELASTICITY, STREAM_CHASE)]
    eps_mult = np.maximum(1.0 + params.elasticity_cv * streams[1].standard_normal((n, 1), dtype=dtype), 0.0)
    cv = book.baseline_cv.astype(dtype)
    margin = (book.price - book.cogs).astype(dtype)
    inc, spend = np.empty(n), np.empty(n)
    sums = {"rebate": np.zeros(book.n), "cases": np.zeros(book.n), "tier": np.zeros(book.n), "next": np.zeros(book.n)}
    rebates = [i for i, p in enumerate(scenario.programs) if p.is_rebate]
    tiered = _tier_program(scenario)
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        z = streams[0].standard_normal((hi - lo, book.n), dtype=dtype)
        u = streams[2].random((hi - lo, book.n), dtype=dtype)
        d = Draws(
            np.exp(cv * z - 0.5 * cv * cv),
            eps_mult[lo:hi],
            u < params.chase_prob,
            {k: v[lo:hi] for k, v in red.items()},
            {k: v[lo:hi] for k, v in win.items()},
        )
        out = evaluate(book, scenario, d, dtype=dtype)
        cost = sum((r.cost for r in out.programs), np.zeros_like(out.cases))
        inc[lo:hi] = (out.net_incremental * margin - cost).sum(axis=1, dtype=np.float64)
        spend[lo:hi] = cost.sum(axis=1, dtype=np.float64)
        sums["cases"] += out.cases.sum(axis=0, dtype=np.float64)
        for i in rebates:
            sums["rebate"] += out.programs[i].value.sum(axis=0, dtype=np.float64)
        if tiered is not None and tier_target is not None:
            t = out.programs[tiered].tier
            sums["tier"] += (t >= np.maximum(tier_target, 1)).sum(axis=0)
            sums["next"] += (t >= tier_target + 1).sum(axis=0)
        if progress is not None:
            progress(hi / n, f"{hi:,} of {n:,} draws")
    have_tiers = tiered is not None and tier_target is not None
    return MonteCarloSummary(
        inc,
        spend,
        sums["rebate"] / max(n, 1),
        sums["cases"] / max(n, 1),
        sums["tier"] / max(n, 1) if have_tiers else None,
        sums["next"] / max(n, 1) if have_tiers else None,
    )


def _tier_program(scenario: Scenario) -> int | None:
    """Position of the first program with tiers (tiered, threshold or growth), if any."""
    for i, p in enumerate(scenario.programs):
        if p.type in ("retro_tiered", "incremental_tiered", "threshold", "growth"):
            return i
    return None
