"""Figures for the customer pyramid, size tiers, whale curve and tier migration."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kam_core.figures import TEXT_PX, Layout, readable
from kam_core.vocab import PYRAMID_COLORS, SIZE_COLORS
from kam_core.vocab import PYRAMID_TIERS as PYRAMID_ORDER
from kam_core.vocab import SIZE_TIERS as SIZE_ORDER

NO_TIER_COLOR = "#bbbbbb"  # a Sankey node for accounts new in / gone from the tiers


def build_pyramid(
    counts: pd.Series,
    title: str = "Customer pyramid",
    labels: dict[str, str] | None = None,
    value_label: str = "accounts",
    value_text: Callable[[int], str] | None = None,
    layout: Layout = None,
) -> go.Figure:
    """A pyramid (funnel drawn centred, platinum on top) of account counts per tier.

    ``counts`` is indexed by tier word; missing tiers count 0. ``labels`` maps tier words to display text.
    ``value_text`` writes a tier's count ("1 account", "2 accounts": ``kam_ui.lang.trn_fn``); without it
    the count is followed by ``value_label``. ``layout`` is applied last (the review pack's static size).
    """
    labels = labels or {}
    c = counts.reindex(PYRAMID_ORDER, fill_value=0).astype(int)
    # widths grow toward the base so the shape reads as a pyramid whatever the counts are
    fig = go.Figure(
        go.Funnel(
            y=[labels.get(t, t) for t in PYRAMID_ORDER],
            x=[1, 2, 3, 4],
            text=[value_text(int(v)) if value_text else f"{v:,} {value_label}" for v in c],
            textinfo="text",
            textposition="inside",
            textfont={"size": TEXT_PX},
            marker={"color": [PYRAMID_COLORS[t] for t in PYRAMID_ORDER]},
            # [tier code, count]: the code first is the drill-down code (a click filters the tier, kam_ui/drill.py)
            customdata=[[t, int(v)] for t, v in c.items()],
            hovertemplate="%{y}: %{customdata[1]:,}<extra></extra>",
            connector={"visible": False},
        )
    )
    fig.update_layout(title=title, showlegend=False, xaxis={"visible": False})
    return readable(fig, layout)


def build_size_tiers(
    df: pd.DataFrame,
    title: str = "Size tiers",
    x_label: str = "channel",
    y_label: str = "accounts",
    labels: dict[str, str] | None = None,
) -> go.Figure:
    """Stacked bars of accounts per channel (x) and size tier (vip/major/ordinary/small).

    ``df`` needs channel and size_tier columns (one row per account).
    """
    labels = labels or {}
    tab = pd.crosstab(df["channel"], df["size_tier"]).reindex(columns=SIZE_ORDER, fill_value=0)
    fig = go.Figure(
        [
            go.Bar(name=labels.get(t, t), x=list(tab.index), y=tab[t].tolist(), marker={"color": SIZE_COLORS[t]})
            for t in SIZE_ORDER
        ]
    )
    fig.update_layout(barmode="stack", title=title, xaxis_title=x_label, yaxis_title=y_label)
    return readable(fig)


def build_whale_curve(
    curve: pd.DataFrame,
    top20_share: float | None,
    title: str = "Whale curve",
    x_label: str = "share of accounts",
    y_label: str = "cumulative share of profit",
    annotation: str = "top 20% give {share:.0%} of profit",
    layout: Layout = None,
) -> go.Figure:
    """Whale curve from :func:`kam_core.analytics.tiers.compute_whale_curve` with the top-20% annotation.

    When ``top20_share`` is None (total profit ≤ 0) the y axis is cumulative RMB, not a share. ``layout`` is
    applied last.
    """
    relative = top20_share is not None
    x = np.concatenate([[0.0], curve["x"].to_numpy(dtype=float)])
    y = np.concatenate([[0.0], curve["y"].to_numpy(dtype=float)])
    fig = go.Figure(go.Scatter(x=x, y=y, mode="lines", name=y_label, line={"width": 3}))
    fig.add_hline(y=1.0 if relative else 0.0, line_dash="dot")
    if relative and len(curve):
        k = min(len(curve) - 1, int(np.ceil(0.2 * len(curve))) - 1)
        fig.add_annotation(
            x=float(curve["x"].iloc[k]),
            y=float(curve["y"].iloc[k]),
            text=annotation.format(share=top20_share),
            showarrow=True,
            arrowhead=2,
            # the label sits below-right of the point, off the (concave) curve and the 100% line
            ax=60,
            ay=45,
            xanchor="left",
            bgcolor="rgba(255,255,255,0.85)",
        )
    fig.update_layout(
        title=title,
        xaxis={"title": x_label, "tickformat": ".0%"},
        yaxis={"title": y_label, "tickformat": ".0%" if relative else ",.0f", "tickprefix": "" if relative else "¥"},
        showlegend=False,
    )
    return readable(fig, layout)


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    return f"rgba({int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha})"


def build_migration_sankey(
    matrix: pd.DataFrame,
    title: str = "Tier migration",
    before_suffix: str = " (before)",
    after_suffix: str = " (now)",
    labels: dict[str, str] | None = None,
    layout: Layout = None,
) -> go.Figure:
    """Sankey of a movement matrix (rows = earlier tier, columns = tier now, cells = accounts).

    Each node is labelled with its tier, side and account count ("Gold (before) · 12"); nodes are drawn in the
    tier's colour of :data:`kam_core.vocab.PYRAMID_COLORS` (new / gone grey) and each link in its source tier's
    colour, translucent, so a flow reads as "where the earlier tier went". ``layout`` is applied last.
    """
    labels = labels or {}
    m = matrix.fillna(0).astype(int)
    left = [f"{labels.get(t, t)}{before_suffix} · {int(n):,}" for t, n in m.sum(axis=1).items()]
    right = [f"{labels.get(t, t)}{after_suffix} · {int(n):,}" for t, n in m.sum(axis=0).items()]
    codes = [*m.index, *m.columns]  # tiers keep their colour on both sides; new/gone are grey
    colours = [PYRAMID_COLORS.get(t, NO_TIER_COLOR) for t in codes]
    src, dst, val = [], [], []
    for i, row in enumerate(m.index):
        for j, col in enumerate(m.columns):
            v = int(m.loc[row, col])
            if v > 0:
                src.append(i)
                dst.append(len(left) + j)
                val.append(v)
    fig = go.Figure(
        go.Sankey(
            node={"label": left + right, "pad": 16, "thickness": 18, "color": colours},
            link={"source": src, "target": dst, "value": val, "color": [_rgba(colours[i], 0.45) for i in src]},
            textfont={"size": TEXT_PX},
        )
    )
    fig.update_layout(title=title)
    return readable(fig, layout)
