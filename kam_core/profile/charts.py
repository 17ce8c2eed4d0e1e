"""Figures of the account card (pure: a DataFrame in, a plotly figure out)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kam_core.i18n import t


def figure_monthly_trend(monthly: pd.DataFrame, lang: str) -> go.Figure:
    """Cases per month (bars, left axis) and net sales (line, right axis).

    Parameters
    ----------
    monthly
        ``month`` (YYYY-MM), ``cases``, ``net_sales`` as from :func:`kam_core.profile.load_profile`.
    lang
        ``zh`` or ``en`` for the axis titles.
    """
    for col in ("month", "cases", "net_sales"):
        if col not in monthly:
            raise ValueError(f"Required column {col} missing")
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=monthly["month"],
            y=monthly["cases"],
            name=t("col.volume_cases", lang),
            marker_color="#9fb8d9",
            hovertemplate="%{x}: %{y:,.0f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=monthly["month"],
            y=monthly["net_sales"],
            name=t("col.net_sales", lang),
            yaxis="y2",
            mode="lines+markers",
            line={"color": "#1f5fa8", "width": 2},
            hovertemplate="%{x}: ¥%{y:,.0f}<extra></extra>",
        )
    )
    fig.update_layout(
        template="plotly_white",
        height=320,
        margin={"l": 50, "r": 50, "t": 30, "b": 40},
        legend={"orientation": "h", "y": 1.12},
        yaxis={"title": t("col.volume_cases", lang)},
        yaxis2={"title": t("col.net_sales", lang), "overlaying": "y", "side": "right", "showgrid": False},
    )
    return fig
