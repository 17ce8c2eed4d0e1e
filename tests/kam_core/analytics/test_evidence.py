"""Value-type evidence share, evidence-adjusted confidence and the insufficient-evidence status on tiny arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kam_core.analytics.cost_basis import compute_cost_basis, withhold_profit
from kam_core.analytics.evidence import (
    INSUFFICIENT,
    TYPED,
    adjust_confidence,
    compute_evidence_share,
    informative_features,
    type_status,
)
from kam_core.analytics.prototypes import FEATURES
from kam_core.analytics.segmentation import label_value_types


def test_a_feature_counts_as_evidence_only_when_observed_and_varying_in_the_tier():
    missing = np.array([[False, True, False, True], [False, False, False, True], [False, False, False, True]])
    z = np.array([[1.0, 0.0, 0.0, 0.0], [-1.0, 0.5, 0.0, 0.0], [0.0, -0.5, 0.0, 0.0]])
    assert informative_features(missing, z).tolist() == [True, True, False, False]
    np.testing.assert_allclose(compute_evidence_share(missing, z), [1 / 4, 2 / 4, 2 / 4])


def test_a_single_account_counts_its_observed_features_as_evidence():
    share = compute_evidence_share(np.array([[False, True]]), np.zeros((1, 2)))
    assert share.tolist() == [0.5]


def test_confidence_keeps_the_membership_with_full_evidence_and_is_a_third_without():
    p = np.array([0.97, 0.97, 0.97, 0.5])
    e = np.array([1.0, 2 / 11, 0.0, 0.5])
    expected = 1 / 3 + (p - 1 / 3) * e
    np.testing.assert_allclose(adjust_confidence(p, e), expected)
    assert adjust_confidence(p, e)[0] == pytest.approx(0.97) and adjust_confidence(p, e)[2] == pytest.approx(1 / 3)


def test_an_account_below_half_the_evidence_is_insufficient_evidence():
    assert type_status(np.array([0.5, 6 / 11, 5 / 11, 0.0])).tolist() == [TYPED, TYPED, INSUFFICIENT, INSUFFICIENT]


def test_label_value_types_leaves_accounts_with_mostly_constant_inputs_untyped():
    rng = np.random.default_rng(3)
    n = 40
    frame = pd.DataFrame({f: 0.0 for f in FEATURES}, index=range(n))
    frame["tenure_years"] = rng.uniform(0.1, 3, n)  # the only feature that varies
    frame["price_sensitivity"] = np.nan
    frame = frame.assign(account_id=[f"U{i:02d}" for i in range(n)], tier_code="RETAIL")
    labels = label_value_types(frame, n_bootstrap=0).labels
    assert labels["value_type"].isna().all() and labels["status"].eq(INSUFFICIENT).all()
    np.testing.assert_allclose(labels["evidence_share"], 1 / 11)
    p_max = labels[["p_intrinsic", "p_extrinsic", "p_strategic"]].max(axis=1)
    np.testing.assert_allclose(labels["value_type_confidence"], 1 / 3 + (p_max - 1 / 3) / 11)
    assert labels["reasons"].map(len).eq(0).all() and labels["low_confidence"].all()


def test_cost_basis_is_known_partial_or_none_by_the_share_of_sales_with_a_cost():
    out = compute_cost_basis(
        pd.Series([100.0, 100.0, 100.0, 0.0, -10.0]),
        pd.Series([0.0, 50.0, 51.0, 0.0, -10.0]),
        pd.Series([0, 2, 2, 0, 1]),
    )
    assert out["cost_basis"].tolist() == ["known", "partial", "none", "known", "none"]
    np.testing.assert_allclose(out["cost_coverage"], [1.0, 0.5, 0.49, 1.0, 0.0])


def test_withheld_profit_figures_become_null_only_where_the_cost_basis_is_none():
    df = pd.DataFrame(
        {
            "cost_basis": ["known", "none"],
            "gross_profit": [5.0, 9.0],
            "pyramid_tier": ["gold", "iron"],
            "key_account_profit": [True, True],
            "net_sales": [10.0, 9.0],
        }
    )
    out = withhold_profit(df)
    assert out["gross_profit"].tolist()[0] == 5.0 and np.isnan(out["gross_profit"].tolist()[1])
    assert out["pyramid_tier"].tolist() == ["gold", None] and out["key_account_profit"].tolist() == [True, None]
    assert out["net_sales"].tolist() == [10.0, 9.0]
