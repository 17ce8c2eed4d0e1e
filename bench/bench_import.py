"""Benchmark: import a 1,000,000-line ERP CSV (docs/DESIGN.md §7: < 30 s, memory bounded).

Generates a realistic ERP export (≈2,000 customers, 12 SKUs, one year, Chinese headers, about 4
lines per invoice, a few returns) in a temporary folder, imports it into a fresh SQLite database
through the CLI in a subprocess, then imports it again (every line already imported). Prints
lines/s, CPU seconds and the import process's peak memory (its own ``ru_maxrss``).

    python bench/bench_import.py [--lines 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
MAPPING = (
    "invoice=单据号,date=开票日期,account_id=客户编码,account_name=客户名称,channel=渠道,"
    "sku=物料编码,product_name=物料名称,quantity=数量,unit_price=含税单价,unit_cost=成本单价"
)
SKUS = [(f"SKU{i:02d}", f"啤酒{i:02d} 500ml*12", 30.0 + 3 * i, 20.0 + 2 * i) for i in range(12)]
CHANNELS = np.array(["一批商", "二批商", "KA卖场", "小终端", "餐饮"])


def generate(path: Path, lines: int, accounts: int = 2000, seed: int = 7) -> None:
    """Write ``lines`` invoice lines to ``path`` (UTF-8 with BOM, as Excel saves 'CSV UTF-8')."""
    rng = np.random.default_rng(seed)
    lines_per_invoice = rng.integers(1, 8, size=lines // 2 + 1)
    inv_of_line = np.repeat(np.arange(len(lines_per_invoice)), lines_per_invoice)[:lines]
    n_inv = int(inv_of_line[-1]) + 1
    inv_acct = rng.integers(0, accounts, n_inv)
    inv_day = np.sort(rng.integers(0, 365, n_inv))
    sku = rng.integers(0, len(SKUS), lines)
    qty = rng.integers(1, 200, lines).astype(float)
    returns = rng.random(n_inv) < 0.02
    qty[returns[inv_of_line]] *= -1
    price = np.array([s[2] for s in SKUS])[sku]
    cost = np.array([s[3] for s in SKUS])[sku]
    acct = inv_acct[inv_of_line]
    dates = (np.datetime64("2025-07-01") + inv_day[inv_of_line]).astype("datetime64[D]")
    frame = pd.DataFrame(
        {
            "单据号": np.char.add("FP", np.char.zfill(inv_of_line.astype(str), 8)),
            "行号": pd.Series(inv_of_line).groupby(inv_of_line).cumcount().to_numpy() + 1,  # ERP line number
            "开票日期": pd.to_datetime(dates).strftime("%Y/%m/%d"),
            "客户编码": np.char.add("KH", np.char.zfill(acct.astype(str), 5)),
            "客户名称": np.char.add("客户", acct.astype(str)),
            "渠道": CHANNELS[acct % len(CHANNELS)],
            "物料编码": np.array([s[0] for s in SKUS])[sku],
            "物料名称": np.array([s[1] for s in SKUS])[sku],
            "数量": qty,
            "含税单价": price,
            "成本单价": cost,
        }
    )
    frame.to_csv(path, index=False, encoding="utf-8-sig")


def run(db: str, csv_path: Path) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds and peak memory (MB) of one CLI import, measured on that child alone.

    CPU time shows the work even when other jobs share the cores; ``os.wait4`` gives the child's own
    ``ru_maxrss`` (RUSAGE_CHILDREN would report the largest of all children so far); the CSV is
    generated in its own child so that the parent stays small (peak RSS survives fork+exec).
    """
    cmd = [sys.executable, "-m", "kam_core", "import-transactions", str(csv_path), "--map", MAPPING, "--db", db]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"import failed ({proc.returncode}):\n{err.read()}")
        return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--keep", type=Path, help="folder to keep the CSV and database in")
    ap.add_argument("--generate-only", type=Path, metavar="CSV", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.generate_only:
        generate(args.generate_only, args.lines)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        csv_path, db_path = folder / "erp.csv", folder / "kam.db"
        db_path.unlink(missing_ok=True)
        t0 = time.perf_counter()
        # in a child: Linux keeps a process's peak RSS across fork+exec, so a big parent would
        # inflate every measured child's ru_maxrss
        subprocess.run(
            [sys.executable, __file__, "--generate-only", str(csv_path), "--lines", str(args.lines)],
            cwd=ROOT,
            check=True,
        )
        print(
            f"generated {args.lines:,} lines ({csv_path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f}s"
        )
        db = f"sqlite:///{db_path}"
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "kam_core", "init", "--db", db], cwd=ROOT, check=True, capture_output=True
        )
        print(f"CLI start-up and schema: {time.perf_counter() - t0:.1f}s")
        first, cpu, peak, out = run(db, csv_path)
        print(out.strip())
        print(
            f"first import: {first:.1f}s wall ({cpu:.1f}s CPU), {args.lines / first:,.0f} lines/s, "
            f"peak memory {peak:.0f} MB"
        )
        again, cpu, peak, out = run(db, csv_path)
        print(out.strip().splitlines()[0])
        print(
            f"re-import (all skipped): {again:.1f}s wall ({cpu:.1f}s CPU), {args.lines / again:,.0f} lines/s, "
            f"peak memory {peak:.0f} MB"
        )
        print(
            f"database {db_path.stat().st_size / 1e6:.0f} MB; budget 1M lines < 30 s: "
            f"{'met' if args.lines < 1_000_000 or first < 30 else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
