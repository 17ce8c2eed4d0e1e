"""Value-type map (ternary plot of the type probabilities) and ABC classes per channel tier."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kam_core.i18n.markup import escape_hover

TYPE_COLORS = {"intrinsic": "#c0392b", "extrinsic": "#2e86c1", "strategic": "#1e8449"}
ABC_COLORS = {"A": "#1F5FA8", "B": "#7fa7d6", "C": "#d5dde8"}


def build_value_type_map(
    df: pd.DataFrame, labels: dict[str, str], title: str, axis_titles: tuple[str, str, str], untyped_name: str
) -> go.Figure:
    """Ternary map: each account at (p_intrinsic, p_extrinsic, p_strategic), coloured by its type.

    ``df`` needs account_id, name, value_type and p_intrinsic/p_extrinsic/p_strategic; accounts without
    probabilities are left out. ``labels`` maps type words to display names (legend).
    """
    need = ["p_intrinsic", "p_extrinsic", "p_strategic"]
    missing = [c for c in need + ["value_type", "account_id", "name"] if c not in df]
    if missing:
        raise ValueError(f"Required column {missing[0]} missing")
    data = df.dropna(subset=need)
    fig = go.Figure()
    for vtype in (*TYPE_COLORS, None):
        part = data[data["value_type"] == vtype] if vtype else data[~data["value_type"].isin(list(TYPE_COLORS))]
        if part.empty:
            continue
        fig.add_trace(
            go.Scatterternary(
                a=part["p_intrinsic"],
                b=part["p_extrinsic"],
                c=part["p_strategic"],
                mode="markers",
                name=labels.get(vtype, untyped_name) if vtype else untyped_name,
                marker={"color": TYPE_COLORS.get(vtype, "#95a5a6"), "size": 7, "opacity": 0.75},
                customdata=part[["account_id", "name"]].map(escape_hover),
                hovertemplate="%{customdata[0]} %{customdata[1]}<extra></extra>",
            )
        )
    fig.update_layout(
        title=title,
        ternary={
            "aaxis": {"title": axis_titles[0]},
            "baxis": {"title": axis_titles[1]},
            "caxis": {"title": axis_titles[2]},
        },
        legend={"orientation": "h"},
    )
    return fig


def build_abc_bars(df: pd.DataFrame, channel_labels: dict[str, str], title: str, y_title: str) -> go.Figure:
    """Stacked bars: accounts per channel tier split by ABC class (needs channel and abc_class)."""
    tab = pd.crosstab(df["channel"], df["abc_class"]).reindex(columns=["A", "B", "C"], fill_value=0)
    x = [escape_hover(channel_labels.get(c, c)) for c in tab.index]
    fig = go.Figure(
        [go.Bar(name=cls, x=x, y=tab[cls].tolist(), marker={"color": ABC_COLORS[cls]}) for cls in ("A", "B", "C")]
    )
    fig.update_layout(barmode="stack", title=title, yaxis_title=y_title, legend={"orientation": "h"})
    return fig
