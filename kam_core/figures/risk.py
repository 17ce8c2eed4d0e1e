"""Volume × loyalty quadrant with the high-volume / low-loyalty accounts highlighted."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kam_core.figures import TEXT_PX, Layout, readable
from kam_core.i18n.markup import escape_hover
from kam_core.vocab import FLAGGED_COLOR, OTHERS_COLOR


def build_loyalty_quadrant(
    df: pd.DataFrame,
    hv_pct: float = 0.80,
    ll_pct: float = 0.40,
    title: str = "Volume × loyalty",
    x_label: str = "loyalty percentile in channel",
    y_label: str = "volume percentile in channel",
    flagged_name: str = "high volume, low loyalty",
    others_name: str = "other accounts",
    quadrant_names: tuple[str, ...] = ("True friends", "Butterflies", "Barnacles", "Strangers"),
    layout: Layout = None,
) -> go.Figure:
    """Scatter of loyalty percentile (x) vs volume percentile (y); flagged accounts drawn as a second trace.

    ``df`` needs account_id, name, loyalty_pct, volume_pct and high_volume_low_loyalty.
    Quadrant names follow Reinartz & Kumar (the order of :data:`kam_core.vocab.QUADRANTS`): high/high, high
    volume/low loyalty, low/high, low/low. ``layout`` is applied last.
    """
    flagged = df["high_volume_low_loyalty"].fillna(False).astype(bool)
    fig = go.Figure()
    for mask, name, color, size in (
        (~flagged, others_name, OTHERS_COLOR, 7),
        (flagged, flagged_name, FLAGGED_COLOR, 12),
    ):
        part = df[mask]
        fig.add_trace(
            go.Scatter(
                x=part["loyalty_pct"],
                y=part["volume_pct"],
                mode="markers",
                name=name,
                marker={"color": color, "size": size},
                customdata=part[["account_id", "name"]].map(escape_hover),
                hovertemplate="%{customdata[0]} %{customdata[1]}<extra></extra>",
            )
        )
    fig.add_hline(y=hv_pct, line_dash="dash")
    fig.add_vline(x=ll_pct, line_dash="dash")
    # the top names sit above the plot (the flagged corner is full of points), the bottom ones in their corners;
    # each anchored inward and broken before its explanation, so the two names of a row never overlap
    spots: tuple[tuple[float, float, str, str], ...] = (
        (1.0, 1.0, "right", "bottom"),
        (0.0, 1.0, "left", "bottom"),
        (1.0, 0.0, "right", "bottom"),
        (0.0, 0.0, "left", "bottom"),
    )
    for (x, y, xanchor, yanchor), text in zip(spots, quadrant_names, strict=True):
        fig.add_annotation(
            x=x,
            y=y,
            xref="paper",
            yref="paper",
            xanchor=xanchor,
            yanchor=yanchor,
            text=_two_lines(text),
            showarrow=False,
            align="right" if xanchor == "right" else "left",
            font={"size": TEXT_PX, "color": "#444"},
            bgcolor="rgba(255,255,255,0.75)",
        )
    fig.update_layout(
        title=title,
        xaxis={"title": x_label, "range": [0, 1.02]},
        yaxis={"title": y_label, "range": [0, 1.02]},
        legend={"orientation": "h", "y": -0.2},  # below the plot: off the points and the corner names
        margin={"t": 90},
    )
    return readable(fig, layout)


def _two_lines(text: str) -> str:
    """ "Butterflies (high volume, not loyal)" → name, line break, explanation (either language's bracket)."""
    for bracket in (" (", "（", "("):
        head, sep, tail = text.partition(bracket)
        if sep and head:
            return f"{head}<br>{sep.strip()}{tail}"
    return text
