"""Value-type figures (docs/METHODS.md §1.2), all value-type charts in one place. Pure plotly; every visible word
is an argument, colours are :data:`kam_core.vocab.VALUE_TYPE_COLORS`.

- :func:`build_value_type_map`: the soft membership (p_intrinsic, p_extrinsic, p_strategic) of each account
  on a ternary plot: how sure the typing is (the Segments page and the review pack);
- :func:`build_type_map`: where the accounts sit in feature space (PCA plane of the within-tier z-scores)
  against the prototypes and the typing centroids: why the types are where they are;
- :func:`build_centroid_heatmap`: the centroid z-score profile of one tier.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from kam_core.figures import TEXT_PX, TICK_PX, Layout, readable
from kam_core.i18n.markup import escape_hover
from kam_core.vocab import UNTYPED_COLOR, VALUE_TYPES
from kam_core.vocab import VALUE_TYPE_COLORS as TYPE_COLORS
from kam_core.vocab import VALUE_TYPE_FEATURES as FEATURES

if TYPE_CHECKING:  # explain imports scikit-learn and scipy: not needed to draw a map (the review pack, the simulator)
    from kam_core.analytics.explain import TypeMap

_PROBABILITIES = [f"p_{t}" for t in VALUE_TYPES]
_HOVER = "%{customdata[0]} · %{customdata[1]}<br>p = %{customdata[2]:.2f}<extra>%{fullData.name}</extra>"


def build_value_type_map(
    df: pd.DataFrame,
    labels: dict[str, str],
    title: str,
    axis_titles: tuple[str, ...],
    untyped_name: str,
    layout: Layout = None,
) -> go.Figure:
    """Ternary map: each account at (p_intrinsic, p_extrinsic, p_strategic), coloured by its type.

    ``df`` needs account_id, name, value_type and p_intrinsic/p_extrinsic/p_strategic; accounts without
    probabilities are left out. ``labels`` maps type words to display names (legend); ``layout`` is applied last.
    """
    missing = [c for c in [*_PROBABILITIES, "value_type", "account_id", "name"] if c not in df]
    if missing:
        raise ValueError(f"Required column {missing[0]} missing")
    data = df.dropna(subset=_PROBABILITIES)
    fig = go.Figure()
    for vtype in (*VALUE_TYPES, None):
        part = data[data["value_type"] == vtype] if vtype else data[~data["value_type"].isin(list(VALUE_TYPES))]
        if part.empty:
            continue
        name = untyped_name if vtype is None else labels.get(vtype, untyped_name)
        colour = UNTYPED_COLOR if vtype is None else TYPE_COLORS.get(vtype, UNTYPED_COLOR)
        fig.add_trace(
            go.Scatterternary(
                a=part["p_intrinsic"],
                b=part["p_extrinsic"],
                c=part["p_strategic"],
                mode="markers",
                name=name,
                marker={"color": colour, "size": 7, "opacity": 0.75},
                customdata=part[["account_id", "name"]].map(escape_hover),
                hovertemplate="%{customdata[0]} %{customdata[1]}<extra></extra>",
            )
        )
    axes = {f"{k}axis": {"title": axis_titles[i]} for i, k in enumerate("abc")}
    fig.update_layout(title=title, ternary=axes, legend={"orientation": "h"})
    return readable(fig, layout)


def build_type_map(
    type_map: TypeMap,
    title: str,
    type_labels: dict[str, str] | None = None,
    axis_titles: tuple[str, str] = ("component 1 ({share:.0%} of variance)", "component 2 ({share:.0%} of variance)"),
    prototype_name: str = "prototype",
    centroid_name: str = "typing centroid",
) -> go.Figure:
    """Scatter of accounts on the first two principal components, one trace per type.

    Low-confidence accounts are drawn faint. Prototypes are stars (one trace), the typing centroids of each
    tier are crosses (one trace, hidden when there are none). ``axis_titles`` may use ``{share}``.
    """
    names = {t: (type_labels or {}).get(t, t) for t in VALUE_TYPES}
    fig = go.Figure()
    pts = type_map.points
    for vtype in VALUE_TYPES:
        part = pts[pts["value_type"] == vtype]
        if part.empty:
            continue
        faint = part["low_confidence"].astype(bool)
        fig.add_trace(
            go.Scattergl(
                x=part["pc1"],
                y=part["pc2"],
                mode="markers",
                name=names[vtype],
                marker={"color": TYPE_COLORS[vtype], "size": 6, "opacity": faint.map({True: 0.3, False: 0.8}).tolist()},
                customdata=part[["account_id", "tier_code", "value_type_confidence"]]
                .assign(account_id=part["account_id"].map(escape_hover), tier_code=part["tier_code"].map(escape_hover))
                .to_numpy(),
                hovertemplate=_HOVER,
            )
        )
    protos = type_map.prototypes
    if len(protos):
        fig.add_trace(
            go.Scatter(
                x=protos["pc1"],
                y=protos["pc2"],
                mode="markers+text",
                name=prototype_name,
                text=[names[t] for t in protos["value_type"]],
                textposition="top center",  # three stars, above the marker: a label never hides a point
                textfont={"size": TEXT_PX},
                marker={
                    "symbol": "star",
                    "size": 18,
                    "color": [TYPE_COLORS[t] for t in protos["value_type"]],
                    "line": {"width": 1, "color": "black"},
                },
                hoverinfo="text",
            )
        )
    cent = type_map.centroids
    if len(cent):
        fig.add_trace(
            go.Scatter(
                x=cent["pc1"],
                y=cent["pc2"],
                mode="markers",
                name=centroid_name,
                marker={"symbol": "x", "size": 11, "color": [TYPE_COLORS[t] for t in cent["value_type"]]},
                text=[
                    f"{escape_hover(tier)} · {names[t]}"
                    for tier, t in zip(cent["tier_code"], cent["value_type"], strict=True)
                ],
                hoverinfo="text",
            )
        )
    share = type_map.explained
    fig.update_layout(
        title=title,
        legend={"orientation": "h"},
        xaxis={"title": axis_titles[0].format(share=share[0]), "zeroline": True},
        yaxis={"title": axis_titles[1].format(share=share[1]), "zeroline": True},
    )
    return readable(fig)


def build_centroid_heatmap(
    centroids: pd.DataFrame,
    tier_code: str,
    title: str,
    type_labels: dict[str, str] | None = None,
    feature_labels: dict[str, str] | None = None,
    value: str = "mean_z",
    colorbar_title: str = "z",
) -> go.Figure:
    """Heat-map types × features of one tier's profile in z-units (diverging, centred on 0), with the
    prototype value in the hover. ``value``: 'mean_z' (the accounts' average) or 'centroid_z' (typing)."""
    if value not in ("mean_z", "centroid_z"):
        raise ValueError(f"value must be 'mean_z' or 'centroid_z', not {value!r}")
    part = centroids[centroids["tier_code"] == tier_code]
    grid = part.pivot(index="value_type", columns="feature", values=value).reindex(
        index=list(VALUE_TYPES), columns=list(FEATURES)
    )
    proto = part.pivot(index="value_type", columns="feature", values="prototype_z").reindex(
        index=list(VALUE_TYPES), columns=list(FEATURES)
    )
    x = [(feature_labels or {}).get(f, f) for f in FEATURES]
    y = [(type_labels or {}).get(t, t) for t in VALUE_TYPES]
    limit = max(1.0, float(abs(grid).max().max())) if grid.notna().any().any() else 1.0
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=x,
            y=y,
            customdata=proto.to_numpy(),
            zmid=0,
            zmin=-limit,
            zmax=limit,
            colorscale="RdBu",
            reversescale=True,
            texttemplate="%{z:+.1f}",
            textfont={"size": TEXT_PX},
            colorbar={"title": {"text": colorbar_title}, "tickfont": {"size": TICK_PX}},
            hovertemplate="%{y} · %{x}<br>z = %{z:+.2f} (prototype %{customdata:+.1f})<extra></extra>",
        )
    )
    fig.update_layout(title=title, yaxis={"autorange": "reversed"}, xaxis={"tickangle": -35})
    return readable(fig)
