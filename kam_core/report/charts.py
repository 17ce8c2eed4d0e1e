"""Plotly figures for the review pack, built from the filtered scorecard (pure functions)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kam_core.i18n import label, t
from kam_core.i18n.markup import escape_hover

TIERS = ("platinum", "gold", "iron", "lead")
TYPES = ("strategic", "extrinsic", "intrinsic")
_COLOURS = {"platinum": "#5b6b7f", "gold": "#c9a227", "iron": "#8c8c8c", "lead": "#4a4a4a"}


def _layout(fig: go.Figure, title: str) -> go.Figure:
    fig.update_layout(
        title=title, template="plotly_white", height=360, margin={"l": 60, "r": 20, "t": 50, "b": 50}, showlegend=False
    )
    return fig


def figure_pyramid(scorecard: pd.DataFrame, lang: str) -> go.Figure:
    """Net profit (bars) and account count (text) per pyramid tier, top tier first."""
    grouped = scorecard.groupby("pyramid_tier")["net_profit"].agg(["sum", "count"]).reindex(TIERS).fillna(0)
    names = [label("pyramid_tier", tier, lang) for tier in TIERS]
    fig = go.Figure(
        go.Bar(
            x=grouped["sum"],
            y=names,
            orientation="h",
            marker_color=[_COLOURS[tier] for tier in TIERS],
            text=[f"{int(n)}" for n in grouped["count"]],
            textposition="auto",
            hovertemplate="%{y}: %{x:,.0f}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, t("report.chart.pyramid", lang))


def figure_whale(curve: pd.DataFrame, lang: str) -> go.Figure:
    """Cumulative share of profit against share of accounts, most profitable first."""
    x = [0.0, *curve["x"].tolist()]
    y = [0.0, *curve["y"].tolist()]
    fig = go.Figure(
        go.Scatter(
            x=x,
            y=y,
            mode="lines",
            line={"width": 3, "color": "#1f5fa8"},
            hovertemplate="%{x:.0%} → %{y:.0%}<extra></extra>",
        )
    )
    fig.add_hline(y=1.0, line_dash="dot", line_color="#999")
    fig.update_xaxes(title=t("report.chart.whale_x", lang), tickformat=".0%")
    fig.update_yaxes(title=t("report.chart.whale_y", lang), tickformat=".0%")
    return _layout(fig, t("report.chart.whale", lang))


def figure_value_types(scorecard: pd.DataFrame, lang: str) -> go.Figure:
    """Number of accounts per Rackham value type (untyped accounts counted separately)."""
    types = scorecard["value_type"].fillna("untyped")
    counts = types.value_counts().reindex([*TYPES, "untyped"]).fillna(0)
    fig = go.Figure(
        go.Bar(
            x=[label("value_type", v, lang) for v in counts.index],
            y=counts.values,
            marker_color=["#2e7d32", "#1f5fa8", "#c77700", "#9e9e9e"],
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
    )
    fig.update_yaxes(title=t("report.chart.accounts", lang))
    return _layout(fig, t("report.chart.value_types", lang))


def figure_volume_loyalty(scorecard: pd.DataFrame, lang: str) -> go.Figure:
    """Net sales against loyalty score; high-volume, low-loyalty accounts in red."""
    risky = scorecard["high_volume_low_loyalty"].fillna(False).astype(bool)
    fig = go.Figure()
    for flag, colour in ((False, "#1f5fa8"), (True, "#c62828")):
        part = scorecard[risky == flag]
        fig.add_trace(
            go.Scatter(
                x=part["net_sales"],
                y=part["loyalty_score"],
                mode="markers",
                marker={"color": colour, "size": 7, "opacity": 0.7},
                text=(part["account_id"].astype(str) + " " + part["name"].astype(str)).map(escape_hover),
                hovertemplate="%{text}<br>%{x:,.0f} · %{y:.2f}<extra></extra>",
            )
        )
    fig.update_xaxes(title=t("report.chart.loyalty_x", lang), type="log")
    fig.update_yaxes(title=t("col.loyalty_score", lang))
    return _layout(fig, t("report.chart.loyalty", lang))
