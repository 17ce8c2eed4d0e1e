"""Names in hover labels, trace text and axis ticks are HTML-escaped (issue #13.8): Plotly renders a
subset of HTML there (<b>, <a href>, <img> is dropped but tags still break the label)."""

from __future__ import annotations

import json

import pandas as pd

from kam_core.analytics.explain import TypeMap
from kam_core.figures.risk import build_loyalty_quadrant
from kam_core.figures.segments import build_abc_bars
from kam_core.figures.value_types import build_type_map, build_value_type_map
from kam_core.report.scenario_charts import figure_profit_bands, figure_spend_and_profit, summarise_results

EVIL = "<b>x</b><img src=x>"
SAFE = "&lt;b&gt;x&lt;/b&gt;&lt;img src=x&gt;"
ROWS = pd.DataFrame(
    {
        "account_id": ["A1", "<a href='http://evil.example'>A2</a>"],
        "name": [EVIL, "plain"],
        "loyalty_pct": [0.1, 0.9],
        "volume_pct": [0.95, 0.2],
        "high_volume_low_loyalty": [True, False],
        "value_type": ["intrinsic", "strategic"],
        "p_intrinsic": [0.7, 0.1],
        "p_extrinsic": [0.2, 0.1],
        "p_strategic": [0.1, 0.8],
        "channel": [EVIL, "KA"],
        "abc_class": ["A", "B"],
        "net_sales": [1000.0, 50.0],
        "loyalty_score": [0.2, 0.9],
    }
)


def _trace_values(fig) -> str:
    """Everything of the traces a browser would draw as text: customdata, text, x (ticks), names."""
    return json.dumps(
        [{k: tr.to_plotly_json().get(k) for k in ("customdata", "text", "x", "name")} for tr in fig.data],
        default=str,
        ensure_ascii=False,
    )


def _assert_escaped(fig) -> None:
    shown = _trace_values(fig)
    assert "<b>" not in shown and "<img" not in shown and "<a " not in shown, shown
    assert SAFE in shown or "&lt;a href=" in shown, shown


def test_the_loyalty_quadrant_escapes_account_names_and_ids():
    fig = build_loyalty_quadrant(ROWS)
    _assert_escaped(fig)
    assert SAFE in _trace_values(fig) and "&lt;a href=" in _trace_values(fig)


def test_the_value_type_map_escapes_account_names():
    _assert_escaped(build_value_type_map(ROWS, {"intrinsic": "I", "strategic": "S"}, "t", ("a", "b", "c"), "u"))


def test_abc_bars_escape_channel_labels_on_the_axis():
    _assert_escaped(build_abc_bars(ROWS, {}, "t", "n"))


def test_the_type_map_escapes_account_ids_and_channel_codes():
    points = pd.DataFrame(
        {
            "account_id": [EVIL],
            "tier_code": [EVIL],
            "value_type": ["intrinsic"],
            "value_type_confidence": [0.8],
            "low_confidence": [False],
            "pc1": [0.0],
            "pc2": [1.0],
        }
    )
    centroids = pd.DataFrame({"tier_code": [EVIL], "value_type": ["intrinsic"], "pc1": [0.1], "pc2": [0.2]})
    fig = build_type_map(
        TypeMap(points, pd.DataFrame(columns=["value_type", "pc1", "pc2"]), centroids, (0.5, 0.3)), title="t"
    )
    _assert_escaped(fig)
    assert fig.data[0].customdata[0][2] == 0.8  # the confidence stays a number for %{customdata[2]:.2f}


def test_scenario_charts_escape_scenario_names_on_the_axis_and_in_hover():
    results = [
        {
            "scenario": {"name": EVIL},
            "totals": {
                "incremental_profit": 1.0,
                "rebate_cost": 1.0,
                "promotion_cost": 0.0,
                "p10": 0.0,
                "p50": 1.0,
                "p90": 2.0,
            },
        }
    ]
    summary = summarise_results(results)
    assert summary.loc[0, "scenario"] == EVIL  # the summary keeps the name; only the figure escapes it
    _assert_escaped(figure_profit_bands(summary, "en"))
    _assert_escaped(figure_spend_and_profit(summary, "zh"))
