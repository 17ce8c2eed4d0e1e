"""Benchmark the demo generator: time, order lines and database size per engine and size.

python bench/bench_generate.py                 # 2,000 x 24 and 10,000 x 24 on SQLite, 2,000 x 24 on DuckDB
python bench/bench_generate.py --quick         # 400 x 24 on SQLite only
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kam_core.db import ensure_schema, get_engine  # noqa: E402
from kam_core.demo import generate  # noqa: E402

RUNS = [("sqlite", 2_000, 24), ("sqlite", 10_000, 24), ("duckdb", 2_000, 24)]


def _size_mb(path: Path) -> float:
    files = [path, *path.parent.glob(path.name + "-*"), *path.parent.glob(path.name + ".wal")]
    return sum(f.stat().st_size for f in files if f.exists()) / 1e6


def bench(engine_name: str, accounts: int, months: int, seed: int = 7) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("demo.db" if engine_name == "sqlite" else "demo.duckdb")
        engine = get_engine(f"{engine_name}:///{path}")
        ensure_schema(engine)
        t0 = time.perf_counter()
        summary = generate(engine, accounts=accounts, months=months, seed=seed)
        seconds = time.perf_counter() - t0
        engine.dispose()
        return dict(
            engine=engine_name,
            size=f"{accounts:,} x {months}",
            seconds=seconds,
            lines=summary.order_lines,
            mb=_size_mb(path),
        )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="400 x 24 on SQLite only")
    args = p.parse_args()
    runs = [("sqlite", 400, 24)] if args.quick else RUNS
    print(f"{'engine':<8} {'accounts x months':>18} {'seconds':>8} {'order lines':>12} {'db MB':>8}")
    for engine_name, accounts, months in runs:
        r = bench(engine_name, accounts, months)
        print(f"{r['engine']:<8} {r['size']:>18} {r['seconds']:>8.1f} {r['lines']:>12,} {r['mb']:>8.1f}", flush=True)


if __name__ == "__main__":
    main()
