"""The review pack draws its charts with the pages' builders (kam_core.figures), in the pack's language and
with the tier colours of kam_core.vocab."""

import datetime as dt

import pandas as pd

from kam_core.i18n import label, t
from kam_core.report.pack import PACK_LAYOUT, PackView, build_pack_figures
from kam_core.vocab import PYRAMID_COLORS, PYRAMID_TIERS, VALUE_TYPE_COLORS

ROWS = pd.DataFrame(
    {
        "account_id": ["A1", "A2", "A3", "A4"],
        "name": ["甲", "乙", "丙", "丁"],
        "name_en": ["Alpha", "Beta", "Gamma", None],
        "pyramid_tier": ["gold", "lead", "gold", "platinum"],
        "value_type": ["intrinsic", "strategic", None, "intrinsic"],
        "p_intrinsic": [0.7, 0.1, 0.34, 0.8],
        "p_extrinsic": [0.2, 0.1, 0.33, 0.1],
        "p_strategic": [0.1, 0.8, 0.33, 0.1],
        "loyalty_pct": [0.1, 0.9, 0.5, 0.3],
        "volume_pct": [0.95, 0.2, 0.5, 0.9],
        "high_volume_low_loyalty": [True, False, False, True],
        "net_profit": [5000.0, -1200.0, 3000.0, 9000.0],
    }
)
CURVE = pd.DataFrame({"x": [0.25, 0.5, 0.75, 1.0], "y": [0.6, 0.9, 1.05, 1.0]})


def _figures(lang: str):
    view = PackView(ROWS, CURVE, 0.6, dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    return build_pack_figures(view, lang)


def test_the_pack_pyramid_counts_accounts_per_tier_in_the_vocabulary_colours():
    pyramid = _figures("en")[0]
    counts = ROWS["pyramid_tier"].value_counts()
    assert [c[1] for c in pyramid.data[0].customdata] == [int(counts.get(tier, 0)) for tier in PYRAMID_TIERS]
    assert list(pyramid.data[0].y) == [label("pyramid_tier", tier, "en") for tier in PYRAMID_TIERS]
    assert list(pyramid.data[0].marker.color) == [PYRAMID_COLORS[tier] for tier in PYRAMID_TIERS]
    assert pyramid.layout.title.text == t("report.chart.pyramid", "en")
    assert list(pyramid.data[0].text) == ["1 account", "2 accounts", "0 accounts", "1 account"]


def test_the_pack_charts_take_its_static_size_and_language():
    figures = _figures("zh")
    assert [f.layout.height for f in figures[:5]] == [PACK_LAYOUT["height"]] * 5
    assert figures[5].layout.height > PACK_LAYOUT["height"]  # the quadrant's names sit above the plot
    whale, _, _, types, quadrant = figures[1:]
    assert list(whale.data[0].y) == [0.0, *CURVE["y"]]
    assert whale.layout.annotations[0].text == "前 20% 客户贡献 60% 的利润"
    shown = {tr.name: tr.marker.color for tr in types.data}
    assert shown == {
        label("value_type", "intrinsic", "zh"): VALUE_TYPE_COLORS["intrinsic"],
        label("value_type", "strategic", "zh"): VALUE_TYPE_COLORS["strategic"],
        label("value_type", "untyped", "zh"): "#95a5a6",
    }
    flagged = quadrant.data[1]
    assert flagged.name == t("risk.flagged", "zh") and [c[0] for c in flagged.customdata] == ["A1", "A4"]


def test_the_english_pack_hovers_english_names_where_there_is_one():
    quadrant = _figures("en")[-1]
    assert [c[1] for c in quadrant.data[1].customdata] == ["Alpha", "丁"]


def test_an_empty_view_has_no_charts():
    view = PackView(ROWS.iloc[0:0], CURVE.iloc[0:0], None, dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert build_pack_figures(view, "en") == []
