"""The scorecard recovers the demo generator's planted truth (a seed nobody tuned on).

Only this test (and bench/bench_truth.py) reads demo_truth; the analytics never do.
"""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

from kam_core.queries.scorecard import compute_scorecard

SEED, ACCOUNTS, MONTHS = 29, 600, 24


@pytest.fixture(scope="module")
def scored(demo_factory):
    engine = demo_factory(ACCOUNTS, MONTHS, SEED)
    sc = compute_scorecard(engine)
    with engine.connect() as conn:
        truth = pd.read_sql(
            text(
                "SELECT account_id, value_type AS truth_type, high_volume_low_loyalty AS truth_hvll,"
                " diverter AS truth_diverter FROM demo_truth"
            ),
            conn,
        )
    return sc.merge(truth, on="account_id", how="left")


def _precision_recall(pred: pd.Series, truth: pd.Series) -> tuple[float, float]:
    pred, truth = pred.fillna(False).astype(bool), truth.fillna(False).astype(bool)
    tp = int((pred & truth).sum())
    return tp / max(int(pred.sum()), 1), tp / max(int(truth.sum()), 1)


def test_value_types_of_typed_accounts_are_at_least_90_percent_right(scored):
    typed = scored[scored["truth_type"].notna()]
    assert len(typed) >= 50
    accuracy = (typed["value_type"] == typed["truth_type"]).mean()
    assert accuracy >= 0.90, f"value-type accuracy {accuracy:.3f} on {len(typed)} typed accounts"


def test_high_volume_low_loyalty_recall_reaches_0_8(scored):
    _, recall = _precision_recall(scored["high_volume_low_loyalty"], scored["truth_hvll"])
    assert recall >= 0.8, f"HVLL recall {recall:.2f}"


def test_high_volume_low_loyalty_precision_reaches_0_8(scored):
    precision, _ = _precision_recall(scored["high_volume_low_loyalty"], scored["truth_hvll"])
    assert precision >= 0.8, f"HVLL precision {precision:.2f}"


def test_diversion_recall_reaches_0_7_at_precision_0_5(scored):
    precision, recall = _precision_recall(scored["diversion_flag"], scored["truth_diverter"])
    assert recall >= 0.7 and precision >= 0.5, f"diversion precision {precision:.2f}, recall {recall:.2f}"
