"""Store scorecard labels and metrics as auditable snapshots (docs/METHODS.md §7 outputs).

A snapshot is keyed by account and as-of date (and params_hash for labels); storing the same keys again
replaces the earlier rows in one transaction, so re-running a month-end job is idempotent.
"""

from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import Engine, delete

from kam_core.analytics.params import Params
from kam_core.db.bulk import bulk_insert
from kam_core.db.schema import account_metrics_snapshot, classification_snapshot

METHOD = "scorecard/v1: pyramid=ncp, abc=net_sales, value_type=prototype-kmeans, hvll=hybrid"
MODEL_VERSION = "1"


def _json(values) -> str | None:
    if isinstance(values, list | tuple):
        return json.dumps(list(values), ensure_ascii=False)
    return None


def _labels(sc: pd.DataFrame, params_hash: str, as_of) -> pd.DataFrame:
    g = sc.reindex(
        columns=[
            "value_type",
            "value_type_confidence",
            "value_type_reasons",
            "credit_grade",
            "credit_limit_suggested",
            "diversion_evidence",
        ]
    )
    return pd.DataFrame(
        {
            "account_id": sc["account_id"],
            "as_of": as_of,
            "params_hash": params_hash,
            "rackham_type": g["value_type"],
            "rackham_conf": g["value_type_confidence"],
            "rackham_reasons": g["value_type_reasons"].map(_json),
            "pyramid_tier": sc["pyramid_tier"],
            "size_tier": sc["size_tier"],
            "abc_class": sc["abc_class"],
            "hvll_flag": sc["high_volume_low_loyalty"].astype(bool),
            "diversion_score": sc["diversion_score"],
            "diversion_evidence": g["diversion_evidence"].map(_json),
            "credit_grade": g["credit_grade"],
            "suggested_limit": g["credit_limit_suggested"],
            "method": METHOD,
            "model_version": MODEL_VERSION,
        }
    )


def _metrics(sc: pd.DataFrame, params_hash: str, as_of) -> pd.DataFrame:
    g = sc.reindex(columns=["tenure_years", "sow", "regularity", "churn_prob", "clv_model", "dso", "dbt"])
    return pd.DataFrame(
        {
            "account_id": sc["account_id"],
            "as_of": as_of,
            "net_sales": sc["net_sales"],
            "gp": sc["gross_profit"],
            "cts": sc["cost_to_serve"],
            "ncp": sc["net_profit"],
            "tenure_y": g["tenure_years"],
            "sow": g["sow"],
            "regularity": g["regularity"],
            "loyalty_index": sc["loyalty_score"],
            "churn_prob": g["churn_prob"],
            "clv": sc["clv"],
            "clv_model": g["clv_model"],
            "dso": g["dso"],
            "dbt": g["dbt"],
            "params_hash": params_hash,
        }
    )


def store_snapshot(engine: Engine, scorecard: pd.DataFrame, params: Params | None = None, as_of=None) -> int:
    """Write the scorecard's labels and metrics for its as-of date; returns the number of accounts stored.

    ``as_of`` defaults to the scorecard's ``as_of`` column (set by compute_scorecard).
    """
    if scorecard.empty:
        return 0
    if as_of is None:
        if "as_of" not in scorecard:
            raise ValueError("Required column as_of missing (or pass as_of=)")
        as_of = scorecard["as_of"].iloc[0]
    as_of = pd.Timestamp(as_of).date()
    h = (params or Params()).params_hash
    ids = list(scorecard["account_id"])
    with engine.begin() as conn:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            conn.execute(
                delete(classification_snapshot).where(
                    classification_snapshot.c.as_of == as_of,
                    classification_snapshot.c.params_hash == h,
                    classification_snapshot.c.account_id.in_(chunk),
                )
            )
            conn.execute(
                delete(account_metrics_snapshot).where(
                    account_metrics_snapshot.c.as_of == as_of, account_metrics_snapshot.c.account_id.in_(chunk)
                )
            )
        bulk_insert(conn, classification_snapshot, _labels(scorecard, h, as_of))
        bulk_insert(conn, account_metrics_snapshot, _metrics(scorecard, h, as_of))
    return len(ids)
