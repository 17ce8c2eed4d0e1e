"""Pure plotly figure builders (no streamlit): DataFrame in, ``go.Figure`` out.

One builder per chart, used by the pages and the review pack alike. Titles and labels are arguments so each
caller passes translated text; colours come from :mod:`kam_core.vocab` so a tier looks the same everywhere.
The optional ``layout`` argument is applied last (the review pack's fixed height, margins and template).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Layout = Mapping[str, Any] | None

# Projector-readable sizes in px (issue #15): a chart is read from the back of a meeting room
TICK_PX, LEGEND_PX, AXIS_TITLE_PX, TITLE_PX, TEXT_PX = 14, 14, 15, 18, 14


def readable(fig, layout: Layout = None):
    """Apply the shared projector-readable text sizes to ``fig`` (every builder ends with this), then ``layout``.

    Tick labels and legend ≥ 14 px, axis titles ≥ 15 px, the title ≥ 18 px, annotations and hover text 14 px;
    ternary axes get the same. ``layout`` (the review pack's fixed size and template) is applied last.
    Returns the figure.
    """
    axis = {"tickfont": {"size": TICK_PX}, "title": {"font": {"size": AXIS_TITLE_PX}}}
    fig.update_layout(
        font={"size": TICK_PX},
        title={"font": {"size": TITLE_PX}},
        legend={"font": {"size": LEGEND_PX}},
        hoverlabel={"font": {"size": TEXT_PX}},
    )
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis)
    if fig.layout.ternary is not None and any(tr.type == "scatterternary" for tr in fig.data):
        fig.update_layout(ternary={k: axis for k in ("aaxis", "baxis", "caxis")})
    for note in fig.layout.annotations:
        if note.font.size is None or note.font.size < TEXT_PX:
            note.font.size = TEXT_PX
    return fig.update_layout(**(layout or {}))
