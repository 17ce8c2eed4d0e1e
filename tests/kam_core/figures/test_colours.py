"""A tier or type is drawn in the same colour by every chart (issue #15): the colours of kam_core.vocab."""

import pandas as pd

from kam_core.figures.risk import build_loyalty_quadrant
from kam_core.figures.segments import build_abc_bars
from kam_core.figures.tiers import build_migration_sankey, build_pyramid, build_size_tiers
from kam_core.vocab import ABC_COLORS, FLAGGED_COLOR, PYRAMID_COLORS, SIZE_COLORS

ROWS = pd.DataFrame(
    {
        "account_id": ["A1", "A2", "A3"],
        "name": ["a", "b", "c"],
        "channel": ["KA", "KA", "DIST"],
        "size_tier": ["vip", "small", "major"],
        "abc_class": ["A", "C", "B"],
        "loyalty_pct": [0.1, 0.9, 0.5],
        "volume_pct": [0.95, 0.2, 0.5],
        "high_volume_low_loyalty": [True, False, False],
    }
)


def test_size_tiers_are_stacked_in_their_own_colours():
    fig = build_size_tiers(ROWS)
    assert [(tr.name, tr.marker.color) for tr in fig.data] == list(SIZE_COLORS.items())


def test_the_sankey_colours_each_tier_as_the_pyramid_does_and_new_accounts_grey():
    matrix = pd.DataFrame([[2, 1], [0, 3]], index=["gold", "new"], columns=["gold", "lead"])
    fig = build_migration_sankey(matrix)
    assert list(fig.data[0].node.color) == [PYRAMID_COLORS["gold"], "#bbbbbb", PYRAMID_COLORS["gold"], "#c0392b"]
    pyramid = build_pyramid(pd.Series({"gold": 1}))
    assert pyramid.data[0].marker.color[1] == fig.data[0].node.color[0]


def test_abc_bars_and_flagged_accounts_use_the_vocabulary_colours():
    assert [tr.marker.color for tr in build_abc_bars(ROWS, {}, "t", "n").data] == list(ABC_COLORS.values())
    assert build_loyalty_quadrant(ROWS).data[1].marker.color == FLAGGED_COLOR


def test_a_layout_tweak_is_applied_last():
    fig = build_loyalty_quadrant(ROWS, layout={"height": 333, "title": {"text": "pack"}})
    assert fig.layout.height == 333 and fig.layout.title.text == "pack"
