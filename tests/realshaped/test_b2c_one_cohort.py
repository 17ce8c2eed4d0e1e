"""A one-cohort B2C file (orders only: no visits, surveys, contacts...): value types are not invented."""

from __future__ import annotations

from pathlib import Path

import pytest

from kam_core.analytics.inputs import describe_health
from kam_core.io.transactions import import_transactions
from kam_core.queries.scorecard import compute_scorecard_bundle

FILE = Path(__file__).with_name("b2c_one_cohort_orders.csv")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    from kam_core.db import ensure_schema, get_engine

    engine = get_engine(f"sqlite:///{tmp_path_factory.mktemp('b2c') / 'kam.db'}")
    ensure_schema(engine)
    import_transactions(engine, FILE, {})
    yield compute_scorecard_bundle(engine)
    engine.dispose()


def test_no_account_of_an_orders_only_file_gets_a_value_type(bundle):
    sc = bundle.scorecard
    assert len(sc) == 40
    assert sc["value_type"].isna().all()
    assert sc["value_type_status"].eq("insufficient_evidence").all()
    assert sc["value_type_reasons"].map(len).eq(0).all()


def test_confidence_falls_to_near_a_third_when_most_inputs_are_imputed_or_constant(bundle):
    sc = bundle.scorecard
    # before: median softmax membership 0.970 with every account typed
    assert sc["value_type_confidence"].median() < 0.45
    assert sc["value_type_evidence_share"].max() <= 3 / 11 + 1e-12
    assert sc["value_type_imputed_share"].between(5 / 11 - 1e-12, 6 / 11 + 1e-12).all()
    assert sc["value_type_low_confidence"].all()


def test_the_data_health_counts_the_untyped_accounts_and_the_defaulted_tier(bundle):
    codes = {i["code"]: i for i in bundle.health}
    assert codes["insufficient_evidence"]["n"] == 40 and codes["insufficient_evidence"]["accounts"] == 40
    assert codes["one_tier_from_erp"]["tier"] == "RETAIL"
    assert "cost_unknown" not in codes  # every line of this file has a cost
    assert describe_health([codes["insufficient_evidence"]], "zh")[0].startswith("40 个客户")


def test_costed_b2c_accounts_keep_their_profit_figures(bundle):
    sc = bundle.scorecard
    assert sc["cost_basis"].eq("known").all() and sc["gross_profit"].notna().all()
    assert sc["cost_coverage"].eq(1.0).all()
