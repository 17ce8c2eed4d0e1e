"""Time each part of the scorecard's inputs (``gather_inputs``) on one database: wall and process CPU per fetch.

    python bench/profile_inputs.py duckdb:////tmp/s20k.duckdb [--repeat 2]

Every ``fetch_*`` of the query modules that ``kam_core.queries.scorecard_inputs`` calls is wrapped, and so are
the line-fact split and quarter-end chasing; the rest of ``gather_inputs`` (its joins and the monthly filter) is
printed as "joins and filter". CPU seconds are the process's (all threads: DuckDB works in this process; a
PostgreSQL server's work shows in wall seconds only).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _instrument(spent: dict[str, list[float]]) -> None:
    from kam_core.analytics import diversion
    from kam_core.queries import activity, capability, credit_terms, diversion_signals, metrics, money, month_facts
    from kam_core.queries import scorecard_inputs as si

    def wrap(owner, name: str, key: str) -> None:
        inner = getattr(owner, name)

        def wrapper(*args, **kwargs):
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                return inner(*args, **kwargs)
            finally:
                cell = spent.setdefault(key, [0.0, 0.0])
                cell[0] += time.perf_counter() - t0
                cell[1] += time.process_time() - c0

        setattr(owner, name, wrapper)

    for mod in (activity, capability, credit_terms, diversion_signals, money):
        for name in [n for n in dir(mod) if n.startswith("fetch_")]:
            wrap(mod, name, name.removeprefix("fetch_"))
    wrap(month_facts, "fetch_line_facts", "line_facts")
    for name in ("fetch_line_facts", "fetch_order_rhythm", "fetch_uncosted_sales", "fetch_accounts"):
        wrap(metrics, name, name.removeprefix("fetch_"))
    wrap(metrics, "split_line_facts", "split_line_facts (pandas)")
    wrap(diversion, "compute_quarter_chasing", "quarter_chasing (pandas)")
    wrap(si, "gather_inputs", "TOTAL gather_inputs")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("url")
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args(argv)
    from kam_core.analytics.params import DEFAULT_PARAMS
    from kam_core.db import get_engine
    from kam_core.queries import scorecard_inputs
    from kam_core.queries.window import resolve_window

    spent: dict[str, list[float]] = {}
    _instrument(spent)
    engine = get_engine(a.url)
    w = resolve_window(engine, None, None, 12)
    best: dict[str, list[float]] | None = None
    for _ in range(a.repeat):
        spent.clear()
        scorecard_inputs.gather_inputs(engine, w, DEFAULT_PARAMS)
        run = {k: list(v) for k, v in spent.items()}
        if best is None or run["TOTAL gather_inputs"][0] < best["TOTAL gather_inputs"][0]:
            best = run
    assert best is not None
    total = best.pop("TOTAL gather_inputs")
    # split and chasing run inside _fetch_all, not inside a fetch: every wrapped part is disjoint
    parts = sum(v[0] for v in best.values())
    print(f"{'part':34} {'wall s':>8} {'CPU s':>8}")
    for key, (wall, cpu) in sorted(best.items(), key=lambda kv: -kv[1][0]):
        print(f"{key:34} {wall:8.2f} {cpu:8.2f}")
    print(f"{'joins and filter (rest)':34} {total[0] - parts:8.2f}")
    print(f"{'TOTAL gather_inputs':34} {total[0]:8.2f} {total[1]:8.2f}   (window {w.start} … {w.end})")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
