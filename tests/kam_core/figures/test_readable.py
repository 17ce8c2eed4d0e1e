"""Every chart is readable on a projector (issue #15): ticks and legend ≥ 14 px, axis titles ≥ 15 px, titles
≥ 18 px, set by the one helper kam_core.figures.readable; tiers keep the colours of kam_core.vocab; the tier
migration Sankey names its counts and colours each flow by the tier it came from."""

import numpy as np
import pandas as pd
import pytest

from kam_core.analytics.explain import TypeMap
from kam_core.figures.profit import build_loss_bars, build_tier_profit_bars
from kam_core.figures.risk import build_loyalty_quadrant
from kam_core.figures.segments import build_abc_bars
from kam_core.figures.settlement import figure_settlement_flows
from kam_core.figures.tiers import build_migration_sankey, build_pyramid, build_size_tiers, build_whale_curve
from kam_core.figures.value_types import build_centroid_heatmap, build_type_map, build_value_type_map
from kam_core.report.scenario_charts import figure_profit_bands, figure_spend_and_profit, summarise_results
from kam_core.vocab import PYRAMID_COLORS, PYRAMID_TIERS, VALUE_TYPE_FEATURES

ROWS = pd.DataFrame(
    {
        "account_id": ["A1", "A2", "A3", "A4"],
        "name": ["甲", "乙", "丙", "乙"],
        "channel": ["KA", "KA", "DIST", "DIST"],
        "size_tier": ["vip", "small", "major", "small"],
        "abc_class": ["A", "C", "B", "C"],
        "pyramid_tier": ["platinum", "lead", "gold", "lead"],
        "net_profit": [9000.0, -1500.0, 4000.0, -300.0],
        "loyalty_pct": [0.1, 0.9, 0.5, 0.3],
        "volume_pct": [0.95, 0.2, 0.5, 0.4],
        "high_volume_low_loyalty": [True, False, False, False],
        "value_type": ["intrinsic", "strategic", None, "extrinsic"],
        "p_intrinsic": [0.7, 0.1, 0.34, 0.2],
        "p_extrinsic": [0.2, 0.1, 0.33, 0.6],
        "p_strategic": [0.1, 0.8, 0.33, 0.2],
    }
)
MATRIX = pd.DataFrame([[2, 1], [0, 3]], index=["gold", "new"], columns=["gold", "lead"])


def _type_map() -> TypeMap:
    points = pd.DataFrame(
        {
            "account_id": ["A1", "A2"],
            "tier_code": ["KA", "KA"],
            "value_type": ["intrinsic", "strategic"],
            "value_type_confidence": [0.9, 0.4],
            "low_confidence": [False, True],
            "pc1": [0.1, -0.5],
            "pc2": [0.3, 0.2],
        }
    )
    protos = pd.DataFrame({"value_type": ["intrinsic"], "pc1": [1.0], "pc2": [0.0]})
    cent = pd.DataFrame({"tier_code": ["KA"], "value_type": ["strategic"], "pc1": [0.0], "pc2": [1.0]})
    return TypeMap(points=points, prototypes=protos, centroids=cent, explained=(0.4, 0.2))


def _centroids() -> pd.DataFrame:
    rows = [
        {"tier_code": "KA", "value_type": v, "feature": f, "mean_z": 0.5, "centroid_z": 0.4, "prototype_z": 1.0}
        for v in ("intrinsic", "extrinsic", "strategic")
        for f in VALUE_TYPE_FEATURES
    ]
    return pd.DataFrame(rows)


SUMMARY = summarise_results(
    [{"totals": {"incremental_profit": 100.0, "rebate_cost": 50.0, "p10": 10.0, "p50": 90.0, "p90": 150.0}}], ["s"]
)
SCHEDULE = pd.DataFrame({"mode": ["cash", "credit"], "month": ["2026-01", "2026-01"], "cash_in": [100.0, 50.0]})
BUILDERS = {
    "pyramid": lambda: build_pyramid(ROWS["pyramid_tier"].value_counts()),
    "size_tiers": lambda: build_size_tiers(ROWS),
    "whale": lambda: build_whale_curve(pd.DataFrame({"x": [0.5, 1.0], "y": [0.9, 1.0]}), 0.9),
    "sankey": lambda: build_migration_sankey(MATRIX),
    "quadrant": lambda: build_loyalty_quadrant(ROWS),
    "abc": lambda: build_abc_bars(ROWS, {}, "t", "n"),
    "ternary": lambda: build_value_type_map(ROWS, {}, "t", ("a", "b", "c"), "untyped"),
    "type_map": lambda: build_type_map(_type_map(), "t"),
    "heatmap": lambda: build_centroid_heatmap(_centroids(), "KA", "t"),
    "settlement": lambda: figure_settlement_flows(SCHEDULE, "en"),
    "tier_profit": lambda: build_tier_profit_bars(ROWS),
    "loss": lambda: build_loss_bars(ROWS),
    "bands": lambda: figure_profit_bands(SUMMARY, "en"),
    "spend": lambda: figure_spend_and_profit(SUMMARY, "en"),
}


def _axes(fig):
    lay = fig.layout
    names = [k for k in lay.to_plotly_json() if k.startswith(("xaxis", "yaxis"))]
    axes = [lay[k] for k in names]
    if any(tr.type == "scatterternary" for tr in fig.data):
        axes += [lay.ternary.aaxis, lay.ternary.baxis, lay.ternary.caxis]
    return axes


@pytest.mark.parametrize("name", list(BUILDERS))
def test_every_builder_sets_projector_readable_text_sizes(name):
    fig = BUILDERS[name]()
    lay = fig.layout
    assert lay.font.size >= 14 and lay.legend.font.size >= 14 and lay.hoverlabel.font.size >= 14
    assert lay.title.font.size >= 18
    axes = _axes(fig)
    assert axes, "a chart without axes would not be checked"
    for axis in axes:
        assert axis.tickfont.size >= 14 and axis.title.font.size >= 15
    for note in lay.annotations:
        assert note.font.size >= 14
    for trace in fig.data:  # text drawn on the chart (funnel counts, Sankey labels, heat-map cells)
        font = getattr(trace, "textfont", None)
        if font is not None and font.size is not None:
            assert font.size >= 14


def test_the_quadrant_names_sit_apart_on_their_own_corners_not_on_the_points():
    fig = build_loyalty_quadrant(ROWS, quadrant_names=("True friends (a)", "Butterflies (b)", "Barnacles", "X"))
    notes = fig.layout.annotations
    assert {(n.x, n.y) for n in notes} == {(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)}
    assert all(n.xref == "paper" and n.yref == "paper" for n in notes)
    assert notes[0].xanchor == "right" and notes[1].xanchor == "left"  # anchored inward: the top two never meet
    assert notes[0].text == "True friends<br>(a)" and notes[2].text == "Barnacles"
    assert all(tr.mode == "markers" for tr in fig.data)  # names in the hover, no text under the points


def test_the_whale_callout_is_offset_from_the_curve():
    note = BUILDERS["whale"]().layout.annotations[0]
    assert note.showarrow and (note.ax, note.ay) != (0, 0) and note.bgcolor


def test_the_sankey_labels_name_each_tier_with_its_count_and_colour_links_by_source_tier():
    fig = build_migration_sankey(MATRIX, labels={"gold": "Gold", "new": "New", "lead": "Lead"})
    node, link = fig.data[0].node, fig.data[0].link
    # counts: row sums on the left (gold 3, new 3), column sums on the right (gold 2, lead 4)
    assert list(node.label) == ["Gold (before) · 3", "New (before) · 3", "Gold (now) · 2", "Lead (now) · 4"]
    assert fig.data[0].textfont.size >= 14
    gold = PYRAMID_COLORS["gold"].lstrip("#")
    gold_rgba = f"rgba({int(gold[:2], 16)},{int(gold[2:4], 16)},{int(gold[4:], 16)},0.45)"
    assert list(link.source) == [0, 0, 1] and list(link.value) == [2, 1, 3]
    assert list(link.color) == [gold_rgba, gold_rgba, "rgba(187,187,187,0.45)"]


def test_profit_bars_use_the_tier_colours_and_sum_each_tier():
    fig = build_tier_profit_bars(ROWS)
    assert list(fig.data[0].marker.color) == [PYRAMID_COLORS[t] for t in PYRAMID_TIERS]
    expected = ROWS.groupby("pyramid_tier")["net_profit"].sum().reindex(list(PYRAMID_TIERS), fill_value=0.0)
    assert np.allclose(fig.data[0].y, expected.to_numpy())
    assert fig.layout.yaxis.tickprefix == "¥"


def test_loss_bars_show_only_the_losses_largest_on_top_in_the_lead_colour():
    fig = build_loss_bars(ROWS)
    bar = fig.data[0]
    assert list(bar.x) == [-300.0, -1500.0]  # plotly draws the last category on top: the largest loss
    assert list(bar.y) == ["乙 · A4", "乙 · A2"]  # a shared name gets its id, so the two bars stay apart
    assert bar.marker.color == PYRAMID_COLORS["lead"] and fig.layout.xaxis.tickprefix == "¥"


def test_settlement_axis_is_in_yuan():
    assert BUILDERS["settlement"]().layout.yaxis.tickprefix == "¥"
