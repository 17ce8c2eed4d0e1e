"""Benchmark: Monte Carlo what-if, 10,000 accounts × 1,000 draws (budget < 2 s, docs/DESIGN.md §7).

Run: ``python bench/bench_montecarlo.py [--accounts 10000] [--draws 1000] [--repeat 3]``.
Synthetic baseline arrays (no database): lognormal baselines across the five channels, the
docs/DESIGN.md scenario's programs (per-case, retroactive tiers, bottle caps, 4-for-1 empties) plus
a growth rebate and a display fee. Prints the best of ``--repeat`` runs of the Monte Carlo
alone, for response ``none`` and ``elastic``, and whether each met the budget.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kam_core.sim.model import make_book  # noqa: E402
from kam_core.sim.montecarlo import simulate_draws  # noqa: E402
from kam_core.sim.spec import CHANNELS, load_scenario  # noqa: E402

BUDGET_S = 2.0


def synthetic_book(n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    base = rng.lognormal(6.0, 1.0, n)
    months = ("2026-06", "2026-07", "2026-08")
    return make_book(
        [f"A{i:06d}" for i in range(n)],
        rng.choice(CHANNELS, n),
        rng.uniform(40, 60, n),
        rng.uniform(25, 32, n),
        base,
        floor=36.0,
        baseline_ly=base * rng.lognormal(-0.05, 0.2, n),
        outlets=rng.integers(1, 30, n),
        baseline_cv=rng.uniform(0.05, 0.3, n),
        months=months,
    )


def scenario(response: str, draws: int):
    return load_scenario(
        {
            "name": f"bench {response}",
            "period": {"start": "2026-06-01", "end": "2026-08-31"},
            "response": response,
            "draws": draws,
            "seed": 7,
            "programs": [
                {"type": "per_case", "amount_per_case": 1.0},
                {
                    "type": "retro_tiered",
                    "basis": "cases",
                    "tiers": [{"from": 500, "rate_per_case": 1.0}, {"from": 1500, "rate_per_case": 2.0}],
                },
                {"type": "growth", "min_growth": 0.1, "rate_pct": 2.0},
                {"type": "bottle_cap", "prize_value_per_case": 2.0, "redemption_rate": 0.7},
                {"type": "empty_exchange", "empties_per_free_case": 24, "return_rate": 0.8},
                {"type": "display_fee", "amount_per_account": 500.0},
            ],
        }
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=10_000)
    ap.add_argument("--draws", type=int, default=1_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    book = synthetic_book(args.accounts)
    tiers = np.ones(args.accounts, dtype=int)
    ok = True
    for response in ("none", "elastic"):
        sc = scenario(response, args.draws)
        best, summary = float("inf"), None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            summary = simulate_draws(book, sc, tiers)
            best = min(best, time.perf_counter() - t0)
        q = summary.quantiles()
        met = best < BUDGET_S
        ok &= met
        print(
            f"response={response:8s} {args.accounts:,} accounts x {args.draws:,} draws: {best:.3f} s "
            f"({'within' if met else 'OVER'} the {BUDGET_S:.0f} s budget)  "
            f"incremental profit P10/P50/P90 = {q['p10']:,.0f} / {q['p50']:,.0f} / {q['p90']:,.0f}, "
            f"P(ROI<0) = {q['p_roi_negative']:.3f}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
