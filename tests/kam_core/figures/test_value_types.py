"""Value-type figures: the PCA type map and the centroid profile heat-map, checked on fig.data / fig.layout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kam_core.analytics.explain import compute_type_map
from kam_core.analytics.prototypes import DEFAULT_PROTOTYPES, FEATURES, VALUE_TYPES, simulate_value_features
from kam_core.analytics.segmentation import label_value_types
from kam_core.figures.value_types import TYPE_COLORS, build_centroid_heatmap, build_type_map

ZH = {"intrinsic": "内在价值型", "extrinsic": "外在价值型", "strategic": "战略价值型"}


@pytest.fixture(scope="module")
def result():
    features, _ = simulate_value_features(300, tiers=("DIST", "KA"), noise=0.6, seed=3)
    return label_value_types(features, n_bootstrap=0)


def _map(result, **kwargs):
    return compute_type_map(result.z, result.labels, DEFAULT_PROTOTYPES.as_array(), result.centroids, **kwargs)


def test_type_map_draws_one_trace_per_type_then_prototypes_then_centroids(result):
    fig = build_type_map(
        _map(result, tier_code="KA"), title="价值类型图", type_labels=ZH, prototype_name="原型", centroid_name="中心"
    )
    assert [t.name for t in fig.data] == [*ZH.values(), "原型", "中心"]
    assert [t.marker.color for t in fig.data[:3]] == [TYPE_COLORS[t] for t in VALUE_TYPES]
    assert fig.data[3].marker.symbol == "star" and list(fig.data[3].text) == list(ZH.values())
    assert len(fig.data[4].x) == 3  # one tier → three typing centroids
    n_ka = (result.labels["tier_code"] == "KA").sum()
    assert sum(len(t.x) for t in fig.data[:3]) == n_ka
    assert fig.layout.title.text == "价值类型图"


def test_type_map_axis_titles_carry_the_explained_variance(result):
    tm = _map(result)
    fig = build_type_map(tm, title="t", axis_titles=("PC1 {share:.0%}", "PC2 {share:.0%}"))
    assert fig.layout.xaxis.title.text == f"PC1 {tm.explained[0]:.0%}"
    assert tm.explained[0] >= tm.explained[1] > 0


def test_type_map_draws_low_confidence_accounts_faint(result):
    tm = _map(result)
    fig = build_type_map(tm, title="t")
    for trace, vtype in zip(fig.data[:3], VALUE_TYPES, strict=True):
        low = tm.points.loc[tm.points["value_type"] == vtype, "low_confidence"].to_numpy()
        np.testing.assert_array_equal(np.asarray(trace.marker.opacity) < 0.5, low)


def test_type_map_samples_at_most_max_points_reproducibly(result):
    first, again = _map(result, max_points=50), _map(result, max_points=50)
    assert len(first.points) == 50
    pd.testing.assert_frame_equal(first.points, again.points)


def test_type_map_of_an_empty_result_is_an_empty_figure_without_error():
    empty = label_value_types(pd.DataFrame(columns=["account_id", "tier_code", *FEATURES]))
    fig = build_type_map(_map(empty), title="t")
    assert len(fig.data) == 0


def test_heatmap_shows_types_by_features_in_z_units_centred_on_zero(result):
    fig = build_centroid_heatmap(
        result.centroids, "KA", title="画像", type_labels=ZH, feature_labels={"promo_share": "促销进货占比"}
    )
    heat = fig.data[0]
    assert heat.type == "heatmap" and list(heat.y) == list(ZH.values())
    assert heat.x[0] == "促销进货占比" and list(heat.x[1:]) == list(FEATURES[1:])
    z = np.asarray(heat.z, dtype=float)
    assert z.shape == (3, len(FEATURES)) and heat.zmid == 0 and heat.zmax == -heat.zmin >= np.nanmax(abs(z))
    ka = result.centroids[result.centroids["tier_code"] == "KA"]
    expected = ka.set_index(["value_type", "feature"])["mean_z"]
    assert z[0, 0] == pytest.approx(expected[("intrinsic", "promo_share")])
    assert z[0, 0] > 0 > z[2, 0]  # intrinsic buys on promotion, strategic does not
    np.testing.assert_allclose(np.asarray(heat.customdata, dtype=float), DEFAULT_PROTOTYPES.as_array())
    assert fig.layout.title.text == "画像"


def test_heatmap_can_show_the_typing_centroids_and_rejects_other_values(result):
    fig = build_centroid_heatmap(result.centroids, "DIST", title="t", value="centroid_z")
    dist = result.centroids[result.centroids["tier_code"] == "DIST"]
    assert np.asarray(fig.data[0].z, dtype=float)[1, 3] == pytest.approx(
        dist.set_index(["value_type", "feature"])["centroid_z"][("extrinsic", "service_min_per_10k")]
    )
    with pytest.raises(ValueError, match="value must be"):
        build_centroid_heatmap(result.centroids, "DIST", title="t", value="z")
