"""Figure builders: checked on fig.data and fig.layout."""

from __future__ import annotations

import pandas as pd

from kam_core.analytics.tiers import compute_tier_migration, compute_whale_curve
from kam_core.figures.risk import build_loyalty_quadrant
from kam_core.figures.tiers import build_migration_sankey, build_pyramid, build_size_tiers, build_whale_curve


def test_pyramid_puts_platinum_on_top_and_widens_toward_lead():
    fig = build_pyramid(
        pd.Series({"lead": 5, "gold": 3, "platinum": 1}), title="客户金字塔", labels={"platinum": "铂金"}
    )
    trace = fig.data[0]
    assert trace.type == "funnel" and list(trace.y) == ["铂金", "gold", "iron", "lead"]
    assert list(trace.x) == sorted(trace.x) and [c[1] for c in trace.customdata] == [1, 3, 0, 5]
    assert [c[0] for c in trace.customdata] == ["platinum", "gold", "iron", "lead"]  # the drill-down code
    assert fig.layout.title.text == "客户金字塔"


def test_whale_curve_annotates_the_top_20_percent_share():
    df = pd.DataFrame({"account_id": list("abcdefghij"), "net_profit": [150.0, 50, 20, 10, 0, 0, 0, -10, -20, -100]})
    curve, s = compute_whale_curve(df)
    fig = build_whale_curve(curve, s.top20_share, annotation="前20%客户贡献{share:.0%}利润")
    assert fig.layout.annotations[0].text == "前20%客户贡献200%利润"
    assert fig.data[0].x[0] == 0.0 and len(fig.data[0].x) == 11
    assert fig.layout.yaxis.tickformat == ".0%"


def test_whale_curve_plots_rmb_when_total_profit_is_negative():
    df = pd.DataFrame({"account_id": ["a", "b"], "net_profit": [10.0, -30.0]})
    curve, s = compute_whale_curve(df)
    fig = build_whale_curve(curve, s.top20_share)
    assert not fig.layout.annotations and fig.layout.yaxis.tickformat == ",.0f"


def test_quadrant_draws_flagged_accounts_as_their_own_trace():
    df = pd.DataFrame(
        {
            "account_id": ["a", "b", "c"],
            "name": ["x", "y", "z"],
            "loyalty_pct": [0.1, 0.9, 0.5],
            "volume_pct": [0.95, 0.9, 0.2],
            "high_volume_low_loyalty": [True, False, False],
        }
    )
    fig = build_loyalty_quadrant(df, flagged_name="高量低忠诚")
    assert [t.name for t in fig.data] == ["other accounts", "高量低忠诚"]
    assert list(fig.data[1].x) == [0.1] and len(fig.layout.annotations) == 4


def test_migration_sankey_links_match_the_matrix():
    m = compute_tier_migration(
        pd.Series({"a": "gold", "b": "gold", "c": "lead"}), pd.Series({"a": "platinum", "b": "gold", "c": "lead"})
    )
    fig = build_migration_sankey(m)
    link = fig.data[0].link
    assert sum(link.value) == 3 and len(link.source) == 3
    assert fig.data[0].node.label[0] == "gold (before) · 2"


def test_size_tiers_stack_per_channel():
    df = pd.DataFrame({"channel": ["KA", "KA", "DIST"], "size_tier": ["vip", "small", "small"]})
    fig = build_size_tiers(df)
    assert [t.name for t in fig.data] == ["vip", "major", "ordinary", "small"]
    assert fig.layout.barmode == "stack"
    small = next(t for t in fig.data if t.name == "small")
    assert dict(zip(small.x, small.y, strict=True)) == {"DIST": 1, "KA": 1}
