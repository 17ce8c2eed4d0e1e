"""Drill-down: Streamlit's Plotly selection payload → what the click does, and card links that keep the view.

AppTest cannot click a Plotly chart, so the mapping is tested with literal payloads in the shape
``st.plotly_chart(..., on_select=...)`` stores (``{"selection": {"points": [...], ...}}``), and with the
``customdata`` the real figure builders put on their points.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

from kam_core.figures.risk import build_loyalty_quadrant
from kam_core.figures.segments import build_abc_bars
from kam_core.figures.tiers import build_pyramid
from kam_core.figures.value_types import build_value_type_map
from kam_core.filters import Filters
from kam_ui.drill import Drill, card_link_for, card_query, selection_action


def _event(*points: dict) -> dict:
    return {"selection": {"points": list(points), "point_indices": list(range(len(points))), "box": [], "lasso": []}}


def _click(fig, trace: int, point: int) -> dict:
    """The payload Streamlit sends for a click on ``point`` of ``trace`` (customdata as the browser has it)."""
    data = fig.data[trace].customdata
    custom = data[point].tolist() if hasattr(data[point], "tolist") else data[point]
    return _event({"curve_number": trace, "point_number": point, "point_index": point, "customdata": custom})


def test_a_clicked_account_point_opens_that_account():
    event = _event({"curve_number": 1, "point_index": 0, "x": 0.1, "y": 0.9, "customdata": ["A0042", "Alpha"]})
    assert selection_action(event, "account") == Drill("A0042")


def test_a_clicked_tier_bar_sets_the_tier_filter():
    event = _event({"curve_number": 0, "point_index": 1, "customdata": ["gold", 12]})
    assert selection_action(event, "tier") == Drill("gold", "tier")


def test_a_clicked_abc_bar_sets_the_channel_filter():
    assert selection_action(_event({"point_index": 0, "customdata": "KA"}), "channel") == Drill("KA", "channel")


@pytest.mark.parametrize(
    "event",
    [
        None,
        {},
        _event(),  # a click on empty space deselects
        {"selection": {"points": [], "point_indices": [], "box": [{"x": [0, 1], "y": [0, 1]}], "lasso": []}},
        _event({"point_index": 0}),  # a trace without customdata (the quadrant lines, the whale curve)
        _event({"point_index": 0, "customdata": []}),
        _event({"point_index": 0, "customdata": [None, 3]}),
    ],
)
def test_no_point_with_a_code_drills_nowhere(event):
    assert selection_action(event, "account") is None
    assert selection_action(event, "tier") is None


def test_a_filter_takes_only_codes_it_knows():
    assert selection_action(_event({"customdata": ["diamond", 3]}), "tier") is None
    assert selection_action(_event({"customdata": ["gold", 3]}), "channel") is None
    # the first point with a known code counts
    event = _event({"customdata": ["diamond", 1]}, {"customdata": ["iron", 4]}, {"customdata": ["gold", 2]})
    assert selection_action(event, "tier") == Drill("iron", "tier")


def test_the_state_object_streamlit_returns_is_read_by_attribute_too():
    state = SimpleNamespace(selection=SimpleNamespace(points=[{"customdata": ["A7", "x"]}]))
    assert selection_action(state, "account") == Drill("A7")


ROWS = pd.DataFrame(
    {
        "account_id": ["A1", "B<2>&3"],
        "name": ["Alpha", "<b>Beta</b>"],
        "loyalty_pct": [0.1, 0.9],
        "volume_pct": [0.95, 0.2],
        "high_volume_low_loyalty": [True, False],
        "value_type": ["intrinsic", None],
        "p_intrinsic": [0.7, 0.3],
        "p_extrinsic": [0.2, 0.3],
        "p_strategic": [0.1, 0.4],
        "channel": ["KA", "DIST"],
        "abc_class": ["A", "C"],
    }
)


def test_the_real_quadrant_points_carry_the_raw_account_id_back():
    fig = build_loyalty_quadrant(ROWS)  # trace 0 = others (B<2>&3), trace 1 = flagged (A1)
    assert selection_action(_click(fig, 0, 0), "account") == Drill("B<2>&3")  # escaped for hover, raw for the card
    assert selection_action(_click(fig, 1, 0), "account") == Drill("A1")


def test_the_real_value_type_map_points_carry_the_account_id():
    fig = build_value_type_map(ROWS, {"intrinsic": "I"}, "t", ("a", "b", "c"), "untyped")
    ids = {selection_action(_click(fig, i, 0), "account").value for i in range(len(fig.data))}
    assert ids == {"A1", "B<2>&3"}


def test_the_real_pyramid_bars_carry_their_tier():
    fig = build_pyramid(pd.Series({"lead": 5, "gold": 3}))
    assert [selection_action(_click(fig, 0, i), "tier").value for i in range(4)] == ["platinum", "gold", "iron", "lead"]
    assert [c[1] for c in fig.data[0].customdata] == [0, 3, 0, 5]  # the hover's count is still there


def test_the_real_abc_bars_carry_their_channel():
    fig = build_abc_bars(ROWS, {"KA": "Key accounts", "DIST": "Distributors"}, "t", "n")
    assert [selection_action(_click(fig, 0, i), "channel").value for i in range(2)] == ["DIST", "KA"]


def test_a_card_link_keeps_language_and_every_filter():
    filters = Filters(
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 6, 30),
        lang="en",
        channel=("KA",),
        tier=("gold", "iron"),
        rep=("R1",),
    )
    link = card_link_for("A 1&2", filters)
    parts = urlsplit(link)
    assert parts.path == "account" and link.startswith("account?account=A+1%262&lang=en&")
    query = parse_qs(parts.query)
    assert query == {
        "account": ["A 1&2"],
        "lang": ["en"],
        "start": ["2026-01-01"],
        "end": ["2026-06-30"],
        "channel": ["KA"],
        "rep": ["R1"],
        "tier": ["gold", "iron"],
    }
    back, notices = Filters.from_query({k: v for k, v in query.items() if k != "account"})
    assert back == filters and not notices  # the card's sidebar rebuilds the very same view


def test_without_filters_the_link_is_account_and_language_only():
    assert card_link_for("A001", Filters(lang="zh")) == "account?account=A001&lang=zh"
    assert card_query("A001", Filters(lang="zh")) == {"account": ["A001"], "lang": ["zh"]}
