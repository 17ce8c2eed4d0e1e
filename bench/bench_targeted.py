"""CPU seconds of the scorecard after a one-row visit import and a one-line ERP import: targeted (stored input
parts, docs/methods_account_month.md) against the full re-read, on a copy of a demo database.

    python bench/bench_targeted.py sqlite:////tmp/targeted.db [--full-only]

``--full-only``: no ``use_store`` argument (run from a checkout without the input store, e.g. main).
"""

from __future__ import annotations

import argparse
import inspect
import tempfile
import time
from pathlib import Path

from kam_core.db import get_engine
from kam_core.io.imports import import_table
from kam_core.io.transactions import import_transactions
from kam_core.queries.scorecard import compute_scorecard_bundle

VISIT = "account_id,rep_id,visit_date,visit_type,duration_min\n{acc},{rep},{day},order,35\n"
ERP = "invoice,date,account_id,account_name,sku,product_name,quantity,unit_price,unit_cost\nBENCH-{n},{day},{acc},x,{sku},x,3,50,30\n"


def _timed(engine, **kwargs) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    compute_scorecard_bundle(engine, **kwargs)
    return time.process_time() - cpu, time.perf_counter() - wall


def _sample(engine) -> tuple[str, str, str, str]:
    with engine.connect() as conn:
        acc, rep, day = conn.exec_driver_sql(
            "SELECT account_id, rep_id, max(order_date) FROM order_header WHERE rep_id IS NOT NULL GROUP BY account_id, rep_id LIMIT 1"
        ).one()
        sku = conn.exec_driver_sql("SELECT sku_id FROM product WHERE is_service = 0 LIMIT 1").scalar_one()
    return acc, rep, str(day)[:10], sku


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--full-only", action="store_true")
    args = ap.parse_args()
    engine = get_engine(args.url)
    modes = [{}] if args.full_only else [{"use_store": False}, {}]
    assert args.full_only or "use_store" in inspect.signature(compute_scorecard_bundle).parameters
    acc, rep, day, sku = _sample(engine)
    tmp = Path(tempfile.mkdtemp())
    compute_scorecard_bundle(engine)  # warm: imports, stored parts
    for n, kwargs in enumerate(modes * 2):
        label = "full" if kwargs.get("use_store") is False or args.full_only else "targeted"
        path = tmp / f"v{n}.csv"
        path.write_text(VISIT.format(acc=acc, rep=rep, day=day), encoding="utf-8")
        import_table(engine, path, "visit")
        cpu, wall = _timed(engine, **kwargs)
        print(f"after 1-row visit import   {label:8s} cpu {cpu:6.2f} s  wall {wall:6.2f} s")
    for n, kwargs in enumerate(modes):
        label = "full" if kwargs.get("use_store") is False or args.full_only else "targeted"
        path = tmp / f"e{n}.csv"
        path.write_text(ERP.format(n=n, acc=acc, day=day, sku=sku), encoding="utf-8")
        import_transactions(engine, path, {})
        cpu, wall = _timed(engine, **kwargs)
        print(f"after 1-line ERP import    {label:8s} cpu {cpu:6.2f} s  wall {wall:6.2f} s")


if __name__ == "__main__":
    main()
