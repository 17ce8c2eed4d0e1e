"""Rackham value types (docs/METHODS.md §1.2): labelling, exact reasons, small tiers, determinism, degenerate input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

from kam_core.analytics.explain import (
    build_reasons,
    compute_membership,
    compute_percentiles,
    decompose_margin,
    fit_surrogate_tree,
    format_reason,
)
from kam_core.analytics.prototypes import simulate_value_features
from kam_core.analytics.segmentation import (
    DEFAULT_PROTOTYPES,
    FEATURES,
    LABEL_COLUMNS,
    VALUE_TYPES,
    Prototypes,
    ValueFeatureScaler,
    label_value_types,
    label_with_hysteresis,
    summarise_type_changes,
)
from kam_core.analytics.value_model import adjusted_rand_index, lloyd_from

COLUMNS = ["account_id", "tier_code", *FEATURES]
PROTO = DEFAULT_PROTOTYPES.as_frame()


def _frame(rows: list[list]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def _prototype_rows(tier: str = "KA", prefix: str = "A") -> list[list]:
    """One account sitting on each prototype, in raw units equal to z (no log features differ in sign)."""
    return [[f"{prefix}{i}", tier, *PROTO.loc[t].tolist()] for i, t in enumerate(VALUE_TYPES)]


@pytest.fixture(scope="module")
def synthetic():
    features, truth = simulate_value_features(600, noise=0.6, seed=5)
    return features, truth, label_value_types(features, n_bootstrap=10)


# --- accuracy on planted types ----------------------------------------------------------------------------------


def test_kmeans_with_hungarian_recovers_at_least_95_percent_of_600_synthetic_accounts(synthetic):
    features, truth, result = synthetic
    recovered = (result.labels.set_index("account_id")["value_type"] == truth).mean()
    assert recovered >= 0.95
    assert set(result.labels["method"]) == {"kmeans+hungarian"}


def test_diagnostics_report_clear_separation_a_stable_bootstrap_and_a_faithful_surrogate_tree(synthetic):
    tier = synthetic[2].per_tier.iloc[0]
    assert tier["silhouette"] > 0.15 and not tier["weak_separation"]
    assert tier["bootstrap_ari"] > 0.9
    assert tier["surrogate_fidelity"] > 0.85
    assert "|---" in tier["surrogate_tree"] and any(f in tier["surrogate_tree"] for f in FEATURES)
    assert tier[[f"n_{t}" for t in VALUE_TYPES]].sum() == tier["n"] == 600


def test_features_without_any_type_structure_are_flagged_as_weak_and_unstable():
    rng = np.random.default_rng(0)
    noise = pd.DataFrame(np.abs(rng.normal(size=(300, len(FEATURES)))), columns=list(FEATURES))
    features = noise.assign(account_id=[f"A{i:03d}" for i in range(300)], tier_code="KA")
    result = label_value_types(features, n_bootstrap=10)
    tier = result.per_tier.iloc[0]
    assert tier["weak_separation"] and tier["silhouette"] < 0.15
    assert tier["bootstrap_ari"] < 0.6
    assert result.labels["low_confidence"].mean() > 0.8


def test_recovery_is_per_tier_even_when_tiers_differ_in_level_and_spread():
    features, truth = simulate_value_features(900, tiers=("DIST", "KA", "RETAIL"), noise=0.6, seed=8)
    result = label_value_types(features, n_bootstrap=0)
    labels = result.labels.set_index("account_id")
    for tier, part in labels.groupby("tier_code"):
        assert (part["value_type"] == truth[part.index]).mean() >= 0.93, tier


# --- the output frame -----------------------------------------------------------------------------------------


def test_labels_have_one_row_per_account_sorted_with_the_documented_columns(synthetic):
    features, _, result = synthetic
    labels = result.labels
    assert list(labels.columns) == LABEL_COLUMNS
    assert labels["account_id"].tolist() == sorted(features["account_id"])
    assert labels["value_type"].isin(VALUE_TYPES).all() and labels["runner_up"].isin(VALUE_TYPES).all()
    assert (labels["value_type"] != labels["runner_up"]).all()
    proba = labels[[f"p_{t}" for t in VALUE_TYPES]].to_numpy()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(labels["value_type_confidence"], proba.max(axis=1))
    assert (labels["low_confidence"] == (labels["value_type_confidence"] < 0.6)).all()
    assert result.prototypes_version == "2026.1" and len(result.params_hash) == 12


def test_reasons_are_at_most_three_sentences_matching_their_items_and_pointing_at_the_assigned_type(synthetic):
    labels = synthetic[2].labels
    for _, row in labels.iterrows():
        assert 1 <= len(row["reasons"]) <= 3 and len(row["reasons"]) == len(row["reason_items"])
        assert row["reasons"] == [format_reason(item, "KA") for item in row["reason_items"]]
        assert all(item["toward"] == row["value_type"] and item["delta"] > 0 for item in row["reason_items"])
        deltas = [item["delta"] for item in row["reason_items"]]
        assert deltas == sorted(deltas, reverse=True)


def test_reason_percentiles_are_within_tier_ranks_of_the_feature(synthetic):
    features, _, result = synthetic
    row = result.labels.iloc[0]
    item = row["reason_items"][0]
    column = features.set_index("account_id")[item["feature"]]
    rank = (column < column[row["account_id"]]).mean() * 100
    assert abs(item["percentile"] - rank) <= 100 / len(column) + 0.1


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("en", "promo_share at the 91st percentile of KA accounts (z=+1.4) → intrinsic"),
        ("zh", "促销进货占比位于KA卖场渠道内第91百分位（z=+1.4）→ 内在价值型（看价格）"),
    ],
    ids=["english", "chinese"],
)
def test_a_reason_item_reads_as_a_short_sentence_in_either_language(lang, expected):
    item = {
        "feature": "promo_share",
        "percentile": 91.2,
        "z": 1.38,
        "delta": 2.0,
        "toward": "intrinsic",
        "imputed": False,
    }
    assert format_reason(item, "KA", lang) == expected


# --- the exact explanation ------------------------------------------------------------------------------------


def test_the_margin_decomposition_sums_exactly_to_the_margin():
    rng = np.random.default_rng(3)
    z, centroids = rng.normal(size=(200, 11)), rng.normal(size=(3, 11))
    m = compute_membership(z, centroids)
    delta = decompose_margin(z, centroids, m["assigned"], m["runner_up"])
    np.testing.assert_allclose(delta.sum(axis=1), m["margin"], rtol=1e-12, atol=1e-12)
    assert (m["margin"] >= 0).all()
    np.testing.assert_array_equal(m["assigned"], m["d2"].argmin(axis=1))


def test_labels_are_the_nearest_centroid_so_the_margin_is_never_negative(synthetic):
    labels = synthetic[2].labels
    assert (labels["margin"] >= 0).all()
    assert (labels.loc[labels["margin"] > 1, "value_type_confidence"] > 1 / 3).all()


# --- small tiers ----------------------------------------------------------------------------------------------


def test_a_tier_below_min_cluster_n_uses_the_nearest_prototype_with_the_same_reasons():
    features, truth = simulate_value_features(25, noise=0.3, seed=4)
    result = label_value_types(features, min_cluster_n=30, n_bootstrap=5)
    labels = result.labels.set_index("account_id")
    assert set(labels["method"]) == {"nearest_prototype"}
    assert (labels["value_type"] == truth).mean() >= 0.8
    profile = result.centroids.pivot(index="value_type", columns="feature", values="centroid_z")
    np.testing.assert_allclose(profile.loc[list(VALUE_TYPES), list(FEATURES)], PROTO)
    assert "nearest prototype" in result.per_tier["notes"].iloc[0][0]
    assert labels["reasons"].map(len).min() >= 1


def test_small_and_large_tiers_in_one_call_each_get_their_own_method():
    big, _ = simulate_value_features(200, tiers=("DIST",), seed=1)
    small = _frame(_prototype_rows("KA", "K"))
    result = label_value_types(pd.concat([big, small], ignore_index=True), n_bootstrap=0)
    methods = result.per_tier.set_index("tier_code")["method"]
    assert methods.to_dict() == {"DIST": "kmeans+hungarian", "KA": "nearest_prototype"}
    assert len(result.labels) == 203


def test_a_tier_missing_a_type_reports_no_accounts_of_that_type():
    rows = [[f"A{i}", "RETAIL", *PROTO.loc["intrinsic" if i % 2 else "extrinsic"].tolist()] for i in range(10)]
    tier = label_value_types(_frame(rows), n_bootstrap=0).per_tier.iloc[0]
    absent = [t for t in VALUE_TYPES if tier[f"n_{t}"] == 0]
    assert len(absent) == 1  # two profiles → two types; which two is relative to the tier (z-scores)
    assert f"no accounts of type {absent[0]}" in tier["notes"]


# --- determinism and order invariance -------------------------------------------------------------------------


def _comparable(result) -> pd.DataFrame:
    return result.labels.drop(columns=["reason_items"]).assign(reasons=result.labels["reasons"].map(tuple))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), n=st.integers(0, 90), order_seed=st.integers(0, 2**16))
def test_labels_are_deterministic_and_do_not_depend_on_row_order(seed, n, order_seed):
    features, _ = simulate_value_features(n, tiers=("DIST", "KA"), noise=0.8, seed=seed)
    shuffled = features.sample(frac=1.0, random_state=order_seed)
    first = label_value_types(features, n_bootstrap=3, min_cluster_n=20)
    again = label_value_types(shuffled, n_bootstrap=3, min_cluster_n=20)
    pd.testing.assert_frame_equal(_comparable(first), _comparable(again))
    pd.testing.assert_frame_equal(first.per_tier, again.per_tier)
    assert first.params_hash == again.params_hash


def test_the_caller_s_frame_is_not_mutated():
    features, _ = simulate_value_features(60, seed=2)
    features.loc[0, "promo_share"] = np.nan
    before = features.copy()
    label_value_types(features, n_bootstrap=2)
    pd.testing.assert_frame_equal(features, before)


def test_params_hash_changes_with_the_settings_and_the_prototypes():
    features, _ = simulate_value_features(40, seed=2)
    base = label_value_types(features, n_bootstrap=0).params_hash
    assert label_value_types(features, n_bootstrap=0, min_cluster_n=10).params_hash != base
    shifted = Prototypes(
        version="test",
        matrix=tuple(tuple(v + 0.1 for v in row) for row in PROTO.to_numpy()),
        rules_en=DEFAULT_PROTOTYPES.rules_en,
        rules_zh=DEFAULT_PROTOTYPES.rules_zh,
    )
    other = label_value_types(features, shifted, n_bootstrap=0)
    assert other.params_hash != base and other.prototypes_version == "test"


# --- degenerate input -----------------------------------------------------------------------------------------


def test_an_empty_frame_gives_empty_labels_with_the_documented_columns():
    result = label_value_types(_frame([]))
    assert result.labels.empty and list(result.labels.columns) == LABEL_COLUMNS
    assert result.per_tier.empty and result.centroids.empty and result.z.empty


def test_one_account_gets_a_low_confidence_label_without_reasons_and_no_exception():
    result = label_value_types(_frame([["A1", "KA", *range(11)]]))
    row = result.labels.iloc[0]
    assert row["value_type"] in VALUE_TYPES and row["low_confidence"]
    assert row["value_type_confidence"] == pytest.approx(1 / 3) and row["reasons"] == [] and row["margin"] == 0
    assert result.per_tier["method"].iloc[0] == "nearest_prototype"
    assert np.isnan(result.per_tier["bootstrap_ari"].iloc[0])


@pytest.mark.parametrize("column_value", [1.0, np.nan], ids=["constant_column", "all_missing_column"])
def test_a_constant_or_all_missing_column_is_neutral(column_value):
    features, truth = simulate_value_features(120, noise=0.5, seed=6)
    features["tenure_years"] = column_value
    result = label_value_types(features, n_bootstrap=0)
    assert (result.z["tenure_years"] == 0).all()
    assert (result.labels.set_index("account_id")["value_type"] == truth).mean() >= 0.9
    if np.isnan(column_value):
        assert result.labels["imputed_share"].eq(1 / 11).all()
        assert any("tenure_years" in n and "ignored" in n for n in result.per_tier["notes"].iloc[0])


def test_a_column_without_spread_in_a_small_tier_does_not_favour_any_type():
    features, _ = simulate_value_features(20, noise=0.8, seed=4)
    flat = ["competitor_brands", "service_min_per_10k", "advice_events"]
    features[flat] = np.nan
    features["data_sharing"] = 1.0
    result = label_value_types(features, n_bootstrap=0)
    used = PROTO.copy()
    used[[*flat, "data_sharing"]] = 0.0
    d2 = ((result.z.to_numpy()[:, None, :] - used.to_numpy()[None]) ** 2).sum(axis=2)
    assert result.labels["value_type"].tolist() == [VALUE_TYPES[i] for i in d2.argmin(axis=1)]
    notes = " ".join(result.per_tier["notes"].iloc[0])
    assert all(f in notes for f in [*flat, "data_sharing"])


def test_identical_accounts_fall_back_to_the_prototypes_without_warnings(recwarn):
    result = label_value_types(_frame([[f"A{i}", "KA", *[1.0] * 11] for i in range(40)]), n_bootstrap=3)
    assert set(result.labels["method"]) == {"nearest_prototype"}
    assert result.labels["low_confidence"].all()
    assert not [w for w in recwarn if "cluster" in str(w.message).lower()]


def test_missing_and_infinite_values_are_imputed_and_shown_as_such():
    features, _ = simulate_value_features(80, seed=9)
    features.loc[:9, "price_sensitivity"] = np.nan
    features.loc[10, "service_min_per_10k"] = np.inf
    features["promo_share"] = features["promo_share"].astype(object)
    features.loc[11, "promo_share"] = None
    labels = label_value_types(features, n_bootstrap=0).labels.set_index("account_id")
    assert labels.loc[features.loc[0, "account_id"], "imputed_share"] == pytest.approx(1 / 11)
    assert labels.loc[features.loc[10, "account_id"], "imputed_share"] == pytest.approx(1 / 11)
    imputed_items = [it for items in labels["reason_items"] for it in items if it["imputed"]]
    assert all(it["percentile"] is None for it in imputed_items)


def test_a_missing_tier_code_forms_its_own_group():
    rows = _prototype_rows("KA") + [["Z1", None, *PROTO.loc["strategic"].tolist()]]
    result = label_value_types(_frame(rows), n_bootstrap=0)
    assert "(none)" in set(result.per_tier["tier_code"])
    assert len(result.labels) == 4


@pytest.mark.parametrize(
    "broken, message",
    [
        (lambda f: f.drop(columns=["premium_mix"]), "Required column premium_mix missing"),
        (lambda f: pd.concat([f, f.iloc[:1]]), "account_id must be unique"),
        (lambda f: f.assign(exclusivity="high"), "Feature column exclusivity must be numeric"),
    ],
    ids=["missing_feature_column", "repeated_account", "text_in_a_feature"],
)
def test_bad_input_raises_a_value_error_naming_the_problem(broken, message):
    with pytest.raises(ValueError, match=message):
        label_value_types(broken(_frame(_prototype_rows())))


def test_bad_options_raise_a_value_error():
    with pytest.raises(ValueError, match="init must be"):
        label_value_types(_frame(_prototype_rows()), init="kmeans++")


# --- building blocks ------------------------------------------------------------------------------------------


def test_the_scaler_standardises_like_standard_scaler_after_log_and_clipping():
    features, _ = simulate_value_features(300, seed=1)
    x = features[list(FEATURES)].to_numpy()
    scaler = ValueFeatureScaler().fit(x)
    z = scaler.transform(x)
    assert (x[:, 2] > 0).any() and scaler.lower_[2] <= scaler.upper_[2]
    clipped = np.clip(x, scaler.lower_, scaler.upper_)
    logged = clipped.copy()
    for j, f in enumerate(FEATURES):
        if f in ("competitor_brands", "service_min_per_10k", "advice_events", "contact_levels", "tenure_years"):
            logged[:, j] = np.log1p(clipped[:, j])
    np.testing.assert_allclose(z, StandardScaler().fit_transform(logged), atol=1e-9)
    assert z.max() <= (np.log1p(x.max(axis=0)).max() + 10)


def test_winsorizing_clips_an_outlier_but_not_a_rare_data_sharing_flag():
    x = np.tile(np.arange(200, dtype=float)[:, None], (1, 11)) / 200
    x[0, 0] = 1e6
    x[:, 10] = 0.0
    x[1, 10] = 1.0
    z = ValueFeatureScaler().fit_transform(x)
    assert z[0, 0] < 2.0
    assert z[1, 10] > 10


def test_numpy_lloyd_matches_sklearn_kmeans_seeded_from_the_prototypes():
    features, _ = simulate_value_features(500, noise=1.0, seed=12)
    z = ValueFeatureScaler().fit_transform(features[list(FEATURES)].to_numpy())
    protos = DEFAULT_PROTOTYPES.as_array()
    ours = lloyd_from(z, protos)
    theirs = KMeans(n_clusters=3, init=protos, n_init=1).fit(z).cluster_centers_
    np.testing.assert_allclose(ours, theirs, atol=1e-8)


def test_random_init_agrees_with_prototype_init_on_clear_data(synthetic):
    features, _, seeded = synthetic
    random = label_value_types(features, init="random", n_bootstrap=0)
    assert adjusted_rand_score(seeded.labels["value_type"], random.labels["value_type"]) > 0.95


def test_prototypes_validate_their_shape_and_carry_rules_in_two_languages():
    assert set(DEFAULT_PROTOTYPES.rules("en")) == set(VALUE_TYPES)
    assert "价格" in DEFAULT_PROTOTYPES.rules("zh")["intrinsic"]
    with pytest.raises(ValueError, match="shape"):
        Prototypes(version="bad", matrix=((1.0,),), rules_en=("a",) * 3, rules_zh=("b",) * 3)


@pytest.mark.parametrize("n", [1, 2, 5, 40, 500], ids=lambda n: f"{n}_accounts")
def test_the_fast_adjusted_rand_index_equals_sklearn_s(n):
    rng = np.random.default_rng(n)
    for _ in range(20):
        a = rng.integers(0, 3, n)
        b = np.where(rng.random(n) < 0.7, a, rng.integers(0, 3, n))
        assert adjusted_rand_index(a, b) == pytest.approx(adjusted_rand_score(a, b), abs=1e-12)


def test_vectorised_reason_sentences_equal_format_reason_for_every_item_including_imputed_ones():
    rng = np.random.default_rng(0)
    z = np.round(rng.normal(size=(3000, len(FEATURES))) * 1.3, 3)
    z[:5] = -0.0
    centroids = DEFAULT_PROTOTYPES.as_array()
    m = compute_membership(z, centroids)
    delta = decompose_margin(z, centroids, m["assigned"], m["runner_up"])
    missing = rng.random(z.shape) < 0.05
    reasons, items = build_reasons(delta, z, compute_percentiles(z), missing, m["assigned"], "WHS2")
    texts, flat = [r for row in reasons for r in row], [it for row in items for it in row]
    assert texts == [format_reason(it, "WHS2") for it in flat]
    assert any(it["imputed"] for it in flat)
    zero = [t for t, it in zip(texts, flat, strict=True) if it["z"] == 0]
    assert zero and all("(z=+0.0)" in t for t in zero)


def test_the_scaler_follows_sklearn_conventions_and_keeps_feature_names_with_pandas_output():
    features, _ = simulate_value_features(50, seed=1)
    scaler = ValueFeatureScaler(lower=0.05).set_output(transform="pandas")
    out = scaler.fit_transform(features[list(FEATURES)])
    assert list(out.columns) == list(FEATURES) and scaler.get_params() == {"lower": 0.05, "upper": 0.99}
    assert hasattr(scaler, "mean_") and not hasattr(ValueFeatureScaler(), "mean_")


def test_the_surrogate_tree_fitted_on_a_sample_names_the_types_and_scores_fidelity_on_every_account(synthetic):
    _, _, result = synthetic
    z = result.z.to_numpy()
    assigned = result.labels["value_type"].map({t: i for i, t in enumerate(VALUE_TYPES)}).to_numpy()
    text, fidelity = fit_surrogate_tree(z, assigned, max_fit=150)
    assert all(f"class: {t}" in text for t in VALUE_TYPES)
    assert 0.8 < fidelity <= 1.0
    assert fit_surrogate_tree(z[:5], np.zeros(5, dtype=int)) == ("|--- class: intrinsic\n", 1.0)


# --- label history --------------------------------------------------------------------------------------------

HISTORY = pd.DataFrame(
    {
        "account_id": ["A"] * 6 + ["B"] * 3,
        "as_of": pd.to_datetime(
            [
                "2026-01-31",
                "2026-02-28",
                "2026-03-31",
                "2026-04-30",
                "2026-05-31",
                "2026-06-30",
                "2026-01-31",
                "2026-02-28",
                "2026-03-31",
            ]
        ),
        "value_type": [
            "intrinsic",
            "extrinsic",
            "intrinsic",
            "extrinsic",
            "extrinsic",
            None,
            "strategic",
            "extrinsic",
            "extrinsic",
        ],
    }
)


@pytest.mark.parametrize(
    "hold, held_a, held_b",
    [
        (2, ["intrinsic"] * 4 + ["extrinsic"] * 2, ["strategic", "strategic", "extrinsic"]),
        (
            1,
            ["intrinsic", "extrinsic", "intrinsic", "extrinsic", "extrinsic", "extrinsic"],
            ["strategic", "extrinsic", "extrinsic"],
        ),
    ],
    ids=["two_month_hold", "no_hold"],
)
def test_a_type_change_is_held_until_it_persists_for_hold_snapshots(hold, held_a, held_b):
    out = label_with_hysteresis(HISTORY.sample(frac=1.0, random_state=3), hold=hold)
    assert out.loc[out["account_id"] == "A", "value_type"].tolist() == held_a
    assert out.loc[out["account_id"] == "B", "value_type"].tolist() == held_b
    switches = [sum(a != b for a, b in zip(held[:-1], held[1:], strict=True)) for held in (held_a, held_b)]
    assert out["changed"].sum() == sum(switches)


def test_the_share_of_changed_types_compares_accounts_typed_in_both_snapshots():
    before = pd.DataFrame({"account_id": ["A", "B", "C"], "value_type": ["intrinsic", "strategic", None]})
    now = pd.DataFrame(
        {"account_id": ["A", "B", "C", "D"], "value_type": ["intrinsic", "extrinsic", "extrinsic", "strategic"]}
    )
    summary = summarise_type_changes(before, now)
    assert summary["n_compared"] == 2 and summary["share_changed"] == 0.5
    assert summary["transitions"].loc["strategic", "extrinsic"] == 1
    assert summary["transitions"].to_numpy().sum() == 2
