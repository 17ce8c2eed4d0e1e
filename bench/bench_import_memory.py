"""Benchmark: peak memory of an ERP import against file size (issue #13 item 7: < 4x the file, flat).

Generates real-shaped ERP exports of two sizes (default 20 MB and 80 MB) in a temporary folder: many
customers and products with long names, date-times, a fifth of the lines without a customer, repeat
scans (identical lines) and a few invoice numbers reused by another customer. Each is imported with
``--rejects`` into a fresh SQLite database by the CLI in a child process; the child's own peak RSS
(``ru_maxrss`` from ``os.wait4``) is printed next to the file size, and next to the peak of a child
that only starts Python, loads the importer and creates the schema (the fixed part).

    python bench/bench_import_memory.py [--sizes 20,80] [--keep DIR]

2026-12-03, SQLite, 2 shared cores (the fixed part is 153 MB):
    before (100k-line chunks, a Problem per refused line, 64 MB SQLite cache): 20.6 MB -> 333 MB, 82.5 MB -> 454 MB
    after (50k-line chunks, rejects worded chunk by chunk, 32 MB cache, hashes freed before pass 2):
    20.6 MB -> 278 MB (13.5x: the fixed part dominates), 82.5 MB -> 312 MB (3.8x)
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
BYTES_PER_LINE = 98  # of the generated lines, measured; sizes are approximate
MAPPING = (
    "invoice=InvoiceNo,date=InvoiceDate,account_id=CustomerID,sku=StockCode,product_name=Description,"
    "quantity=Quantity,unit_price=UnitPrice,region=Country"
)


def generate(path: Path, megabytes: float, seed: int = 11) -> None:
    """Write about ``megabytes`` MB of invoice lines to ``path`` (UTF-8), written in blocks."""
    rng = np.random.default_rng(seed)
    lines = int(megabytes * 1e6 / BYTES_PER_LINE)
    names = np.array(
        [
            f"{w} GIFT BOX DESIGN {i:05d} WITH RIBBON"
            for i, w in enumerate(rng.choice(["RED", "BLUE", "VINTAGE", "WHITE HANGING", "PAPER"], 4000))
        ]
    )
    per_invoice = rng.integers(1, 40, size=lines // 10 + 1)
    inv = np.repeat(np.arange(len(per_invoice)), per_invoice)[:lines]
    n_inv = int(inv[-1]) + 1
    inv_cust = rng.integers(10000, 10000 + 8000, n_inv).astype(str).astype(object)
    inv_cust[rng.random(n_inv) < 0.2] = ""  # guests: no customer (refused, written to the rejects file)
    minutes = np.sort(rng.integers(0, 365 * 24 * 60, n_inv))
    when = pd.to_datetime("2025-01-01") + pd.to_timedelta(minutes, unit="min")
    sku = rng.integers(0, len(names), lines)
    repeat = rng.random(lines) < 0.01  # a repeat scan: the line before, once more
    sku[1:][repeat[1:]] = sku[:-1][repeat[1:]]
    qty = rng.integers(1, 48, lines)
    qty[repeat] = np.r_[qty[0], qty[:-1]][repeat]
    invoice_no = (500000 + inv).astype(str).astype(object)
    cust = inv_cust[inv]
    clash = (rng.random(n_inv) < 0.001)[inv] & (cust != "")  # a reused invoice number: another customer
    cust[clash] = "99999"
    frame = pd.DataFrame(
        {
            "InvoiceNo": invoice_no,
            "StockCode": np.char.add("S", sku.astype(str)),
            "Description": names[sku],
            "Quantity": qty,
            "InvoiceDate": when[inv].strftime("%Y-%m-%d %H:%M:%S"),
            "UnitPrice": np.round(0.5 + sku % 97 / 10, 2),
            "CustomerID": cust,
            "Country": "United Kingdom",
        }
    )
    for start in range(0, lines, 200_000):
        frame.iloc[start : start + 200_000].to_csv(path, index=False, mode="a" if start else "w", header=not start)


def peak(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child alone (``os.wait4``: its own ``ru_maxrss``)."""
    with tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"failed: {' '.join(cmd)}\n{err.read()}")
        return time.perf_counter() - t0, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="20,80", help="file sizes in MB, comma-separated (default 20,80)")
    ap.add_argument("--keep", type=Path, help="folder to keep the files in")
    ap.add_argument("--generate-only", type=Path, metavar="CSV", help=argparse.SUPPRESS)
    ap.add_argument("--mb", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.generate_only:
        generate(args.generate_only, args.mb)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        base_db = f"sqlite:///{folder / 'base.db'}"
        _, base = peak(
            [
                sys.executable,
                "-c",
                "import sys; from kam_core.io import transactions; "
                "from kam_core.db import ensure_schema, get_engine; ensure_schema(get_engine(sys.argv[1]))",
                base_db,
            ]
        )
        print(f"python + importer + schema alone: peak {base:.0f} MB")
        for mb in (float(s) for s in args.sizes.split(",")):
            csv_path, db_path = folder / f"erp_{mb:g}mb.csv", folder / f"erp_{mb:g}mb.db"
            db_path.unlink(missing_ok=True)
            # generated in a child: a process keeps its peak RSS across fork+exec
            subprocess.run(
                [sys.executable, __file__, "--generate-only", str(csv_path), "--mb", str(mb)], cwd=ROOT, check=True
            )
            size = csv_path.stat().st_size / 1e6
            wall, rss = peak(
                [
                    sys.executable,
                    "-m",
                    "kam_core",
                    "import-transactions",
                    str(csv_path),
                    "--map",
                    MAPPING,
                    "--rejects",
                    str(folder / "rejects.csv"),
                    "--db",
                    f"sqlite:///{db_path}",
                ]
            )
            print(
                f"{size:6.1f} MB file: import {wall:5.1f}s, peak RSS {rss:5.0f} MB = {rss / size:.1f}x the file "
                f"({(rss - base) / size:.1f}x above the fixed {base:.0f} MB)"
            )


if __name__ == "__main__":
    main()
