"""Benchmark: the account scorecard for 10,000 accounts × 24 months on SQLite (budget < 30 s).

Run: ``python bench/bench_scorecard.py [--accounts 10000] [--months 24] [--db PATH] [--repeat 1]``.
Builds the demo database once (kept at --db if given, so reruns skip generation), then times
``compute_scorecard`` (best of --repeat) and prints the time per stage of the build and the scorecard.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kam_core.db import ensure_schema, get_engine, has_data  # noqa: E402
from kam_core.db.schema import order_line  # noqa: E402
from kam_core.queries.scorecard import compute_scorecard  # noqa: E402

BUDGET_S = 30.0


def _engine(path: Path, accounts: int, months: int, seed: int):
    engine = get_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    if not has_data(engine):
        from kam_core.demo import generate

        t0 = time.perf_counter()
        generate(engine, accounts=accounts, months=months, seed=seed)
        print(f"generated {accounts} accounts x {months} months in {time.perf_counter() - t0:.1f} s")
    return engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        engine = _engine(args.db or Path(tmp) / "bench.db", args.accounts, args.months, args.seed)
        with engine.connect() as conn:
            lines = conn.execute(select(func.count()).select_from(order_line)).scalar()
        best, cpu = float("inf"), float("inf")
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            sc = compute_scorecard(engine)
            best = min(best, time.perf_counter() - t0)
            cpu = min(cpu, time.process_time() - c0)  # this process's CPU: what a quiet machine would take
        engine.dispose()
    print(
        f"scorecard: {len(sc)} accounts, {lines:,} order lines, {best:.1f} s wall, {cpu:.1f} s CPU"
        f" (budget < {BUDGET_S:.0f} s)"
        f" → {'OK' if best < BUDGET_S else 'OVER BUDGET'}"
    )
    return 0 if best < BUDGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
