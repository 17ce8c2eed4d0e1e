"""Benchmark: the scorecard against the demo generator's planted truth, for several seeds.

Run: ``python bench/bench_truth.py [--accounts 2000] [--months 24] [--seeds 101 202 303]``.
Prints, per seed: value-type accuracy on typed accounts, HVLL precision/recall, diversion precision/recall,
and the scorecard time. Targets: accuracy ≥ 0.90; HVLL precision and recall ≥ 0.8; diversion recall ≥ 0.7 at
precision ≥ 0.5. Only this script (never kam_core.analytics) reads the truth table.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kam_core.db import ensure_schema, get_engine  # noqa: E402
from kam_core.queries.scorecard import compute_scorecard  # noqa: E402

TARGETS = {
    "value_type_accuracy": 0.90,
    "hvll_precision": 0.8,
    "hvll_recall": 0.8,
    "diversion_precision": 0.5,
    "diversion_recall": 0.7,
}


def _pr(pred: pd.Series, truth: pd.Series) -> tuple[float, float]:
    tp = int((pred & truth).sum())
    precision = tp / int(pred.sum()) if pred.sum() else float("nan")
    recall = tp / int(truth.sum()) if truth.sum() else float("nan")
    return precision, recall


def score_against_truth(scorecard: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float]:
    """Accuracy / precision / recall of the scorecard's labels against the planted truth."""
    m = scorecard.merge(truth, on="account_id", suffixes=("", "_truth"))
    typed = m[m["value_type_truth"].notna()]
    hv_p, hv_r = _pr(m["high_volume_low_loyalty"].astype(bool), m["high_volume_low_loyalty_truth"].astype(bool))
    dv_p, dv_r = _pr(m["diversion_flag"].astype(bool), m["diverter"].astype(bool))
    return {
        "typed": len(typed),
        "value_type_accuracy": float((typed["value_type"] == typed["value_type_truth"]).mean()),
        "hvll_true": int(m["high_volume_low_loyalty_truth"].sum()),
        "hvll_precision": hv_p,
        "hvll_recall": hv_r,
        "diverters": int(m["diverter"].sum()),
        "diversion_precision": dv_p,
        "diversion_recall": dv_r,
    }


def run_seed(accounts: int, months: int, seed: int, workdir: Path) -> dict[str, float]:
    from kam_core.demo import generate

    engine = get_engine(f"sqlite:///{workdir / f'truth_{seed}.db'}")
    ensure_schema(engine)
    t0 = time.perf_counter()
    generate(engine, accounts=accounts, months=months, seed=seed, replace=True)
    t1 = time.perf_counter()
    sc = compute_scorecard(engine)
    t2 = time.perf_counter()
    with engine.connect() as conn:
        truth = pd.read_sql(
            text("SELECT account_id, value_type, high_volume_low_loyalty, diverter FROM demo_truth"), conn
        )
    truth = truth.rename(
        columns={"value_type": "value_type_truth", "high_volume_low_loyalty": "high_volume_low_loyalty_truth"}
    )
    engine.dispose()
    return {
        "seed": seed,
        "generate_s": round(t1 - t0, 1),
        "scorecard_s": round(t2 - t1, 1),
        **score_against_truth(sc, truth),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seeds", type=int, nargs="+", default=[101, 202, 303])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        rows = [run_seed(args.accounts, args.months, s, Path(tmp)) for s in args.seeds]
    df = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.precision", 3):
        print(df.to_string(index=False))
    ok = all((df[k] >= v).all() for k, v in TARGETS.items())
    print("targets:", ", ".join(f"{k} ≥ {v}" for k, v in TARGETS.items()), "→", "MET" if ok else "NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
