"""Settlement-mode figures (pure: the schedule of kam_core.analytics.settlement in, a plotly figure out)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kam_core.figures import readable
from kam_core.i18n import label, t

COLOURS = {"cash": "#2e7d32", "credit": "#1f5fa8", "consignment": "#c77c02", "turnover_deduction": "#8e44ad"}


def figure_settlement_flows(schedule: pd.DataFrame, lang: str, column: str = "cash_in") -> go.Figure:
    """One line per settlement mode of ``column`` (``cash_in`` or ``receivable_end``) by month.

    Parameters
    ----------
    schedule
        From :func:`kam_core.analytics.settlement.compute_settlement_schedule` (``mode, month`` and ``column``).
    lang
        ``zh`` or ``en`` for the names and the axis title.
    column
        Which monthly amount to draw.
    """
    for col in ("mode", "month", column):
        if col not in schedule:
            raise ValueError(f"Required column {col} missing")
    fig = go.Figure()
    for mode, g in schedule.groupby("mode", sort=False):
        fig.add_trace(
            go.Scatter(
                x=g["month"],
                y=g[column],
                name=label("settlement", mode, lang),
                mode="lines+markers",
                line={"color": COLOURS.get(mode, "#555555"), "width": 2},
                hovertemplate="%{x}: ¥%{y:,.0f}<extra></extra>",
            )
        )
    fig.update_layout(
        template="plotly_white",
        height=300,
        margin={"l": 50, "r": 20, "t": 30, "b": 40},
        legend={"orientation": "h", "y": 1.15},
        yaxis={
            "title": t(f"account.settle.{column}" if column == "cash_in" else "account.settle.receivable", lang),
            "tickprefix": "¥",
        },
    )
    return readable(fig)
