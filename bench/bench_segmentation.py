"""Benchmark: value-type segmentation of 100,000 synthetic accounts across 5 channel tiers (budget < 3 s).

Run: ``python bench/bench_segmentation.py [--accounts N] [--repeat R]``. Prints the best of R runs with the
default 50-refit bootstrap and without it (n_bootstrap=0), and the share of planted types recovered.
"""

from __future__ import annotations

import argparse
import os
import time

from kam_core.analytics.prototypes import simulate_value_features
from kam_core.analytics.segmentation import label_value_types

TIERS = ("DIST", "WHS2", "KA", "RETAIL", "ONPREM")
BUDGET_S = 3.0


def _best_time(features, repeat: int, **kwargs) -> tuple[float, float, object]:
    """Best wall time and best process CPU time (all threads) of ``repeat`` runs: the machine is shared, so
    CPU time shows the work when other jobs stretch the wall clock."""
    best, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = label_value_types(features, **kwargs)
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best, best_cpu, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--noise", type=float, default=0.8)
    parser.add_argument("--load", action="store_true", help="print the 1-minute load average first")
    args = parser.parse_args(argv)
    if args.load:
        print(f"load average (1 min): {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    features, truth = simulate_value_features(args.accounts, tiers=TIERS, noise=args.noise, seed=7)
    for label, kwargs in (("with bootstrap (50 refits)", {}), ("without bootstrap", {"n_bootstrap": 0})):
        seconds, cpu, result = _best_time(features, args.repeat, **kwargs)
        recovered = (result.labels.set_index("account_id")["value_type"] == truth).mean()
        verdict = "OK" if seconds < BUDGET_S else "OVER BUDGET"
        print(
            f"{args.accounts:,} accounts, {len(TIERS)} tiers, {label}: {seconds:.2f} s wall, {cpu:.2f} s CPU "
            f"(budget {BUDGET_S:.0f} s, {verdict}); recovered {recovered:.1%}; "
            f"mean bootstrap ARI {result.per_tier['bootstrap_ari'].mean():.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
