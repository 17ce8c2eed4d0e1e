"""Profit by pyramid tier and the loss-making accounts as bars (the review pack; docs/METHODS.md §2.1, §3.3).

The lead tier (net customer profit ≤ 0) is where money is lost; a number alone hides how much each account
loses, so both figures draw it as bars in the tier colours of :data:`kam_core.vocab.PYRAMID_COLORS`.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kam_core.figures import Layout, readable
from kam_core.i18n.markup import escape_hover
from kam_core.vocab import PYRAMID_COLORS, PYRAMID_TIERS

MAX_LOSS_BARS = 15


def build_tier_profit_bars(
    df: pd.DataFrame,
    labels: dict[str, str] | None = None,
    title: str = "Net customer profit per tier",
    y_label: str = "net customer profit (¥)",
    layout: Layout = None,
) -> go.Figure:
    """One bar per pyramid tier: the sum of ``net_profit`` of its accounts (lead below zero), in tier colours.

    ``df`` needs pyramid_tier and net_profit; tiers without accounts show a zero bar. ``layout`` is applied last.
    """
    labels = labels or {}
    sums = df.groupby("pyramid_tier")["net_profit"].sum().reindex(list(PYRAMID_TIERS), fill_value=0.0)
    counts = df["pyramid_tier"].value_counts().reindex(list(PYRAMID_TIERS), fill_value=0)
    fig = go.Figure(
        go.Bar(
            x=[labels.get(t, t) for t in PYRAMID_TIERS],
            y=sums.to_list(),
            marker={"color": [PYRAMID_COLORS[t] for t in PYRAMID_TIERS]},
            customdata=counts.to_numpy(),
            texttemplate="¥%{y:,.3s}",  # the lead bar is tiny beside platinum: its amount is written
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}: ¥%{y:,.0f} (%{customdata:,})<extra></extra>",
        )
    )
    fig.add_hline(y=0, line_color="#666")
    fig.update_layout(title=title, yaxis={"title": y_label, "tickprefix": "¥", "tickformat": ",.0f"}, showlegend=False)
    return readable(fig, layout)


def build_loss_bars(
    df: pd.DataFrame,
    title: str = "Loss-making accounts",
    x_label: str = "net customer profit (¥)",
    limit: int = MAX_LOSS_BARS,
    layout: Layout = None,
) -> go.Figure:
    """Horizontal bars of the ``limit`` accounts with the most negative ``net_profit`` (the largest loss on top).

    ``df`` needs name and net_profit (names already in the reader's language); accounts with profit ≥ 0 are
    left out. The bars are the lead tier's colour. ``layout`` is applied last.
    """
    loss = df[df["net_profit"] < 0].nsmallest(limit, "net_profit").iloc[::-1]
    names = loss["name"].astype(str)
    if "account_id" in loss:  # two accounts of one name would share a bar on a category axis
        twin = names.duplicated(keep=False)
        names = names.where(~twin, names + " · " + loss["account_id"].astype(str))
    fig = go.Figure(
        go.Bar(
            x=loss["net_profit"].to_list(),
            y=[escape_hover(n) for n in names],
            orientation="h",
            marker={"color": PYRAMID_COLORS["lead"]},
            hovertemplate="%{y}: ¥%{x:,.0f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        xaxis={"title": x_label, "tickprefix": "¥", "tickformat": ",.0f"},
        yaxis={"automargin": True},
        showlegend=False,
    )
    return readable(fig, layout)
