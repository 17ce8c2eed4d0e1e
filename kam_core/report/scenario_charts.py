"""Comparison of what-if scenarios: a summary frame and its figures (pure functions).

The summary is read from each result's ``totals`` (docs/DESIGN.md §4), so it works for a fresh run and
for a saved one alike; the P10/P50/P90 band exists only for runs with Monte Carlo draws.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from kam_core.figures import readable
from kam_core.i18n import t
from kam_core.i18n.markup import escape_hover

SUMMARY_COLUMNS = [
    "scenario",
    "accounts",
    "baseline_cases",
    "scenario_cases",
    "incremental_cases",
    "rebate_cost",
    "promotion_cost",
    "trade_spend",
    "our_gross_profit",
    "incremental_profit",
    "roi",
    "p10",
    "p50",
    "p90",
    "accounts_below_floor",
]


def summarise_results(results: Sequence[dict], labels: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per result with its totals (missing figures are NaN); ``labels`` name the rows.

    Raises
    ------
    ValueError
        If a result has no ``totals``.
    """
    rows = []
    for i, result in enumerate(results):
        totals = result.get("totals")
        if not isinstance(totals, dict):
            raise ValueError(f"Result {i} has no totals")
        name = labels[i] if labels else (result.get("scenario") or {}).get("name", f"#{i + 1}")
        rows.append({"scenario": name, **{c: totals.get(c) for c in SUMMARY_COLUMNS[1:]}})
    out = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    numeric = SUMMARY_COLUMNS[1:]
    out[numeric] = out[numeric].apply(pd.to_numeric, errors="coerce")
    return out


def _names(frame: pd.DataFrame) -> pd.Series:
    """Scenario names for axis ticks and hover labels (Plotly renders a subset of HTML in them)."""
    return frame["scenario"].map(escape_hover)


def figure_profit_bands(summary: pd.DataFrame, lang: str) -> go.Figure:
    """Incremental profit per scenario: the plain run as a bar, P10–P90 as an error band around P50."""
    fig = go.Figure(
        go.Bar(
            x=_names(summary),
            y=summary["incremental_profit"],
            name=t("sim.col.incremental_profit", lang),
            marker_color="#9fb8d9",
            hovertemplate="%{x}: ¥%{y:,.0f}<extra></extra>",
        )
    )
    band = summary.dropna(subset=["p10", "p50", "p90"])
    if not band.empty:
        fig.add_trace(
            go.Scatter(
                x=_names(band),
                y=band["p50"],
                mode="markers",
                name="P50 (P10–P90)",
                marker={"color": "#1f5fa8", "size": 11, "symbol": "diamond"},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": band["p90"] - band["p50"],
                    "arrayminus": band["p50"] - band["p10"],
                    "thickness": 2,
                    "width": 8,
                },
                hovertemplate="%{x}: P50 ¥%{y:,.0f}<extra></extra>",
            )
        )
    fig.add_hline(y=0, line_color="#666")
    fig.update_layout(
        title=t("sim.chart.bands", lang),
        template="plotly_white",
        height=360,
        yaxis={"title": t("sim.col.incremental_profit", lang), "tickprefix": "¥"},
        margin={"t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.15},
    )
    return readable(fig)


def figure_spend_and_profit(summary: pd.DataFrame, lang: str) -> go.Figure:
    """Rebate cost and promotion cost (stacked) beside incremental profit, per scenario."""
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=_names(summary),
            y=summary["rebate_cost"],
            name=t("sim.col.rebate_cost", lang),
            offsetgroup="cost",
            marker_color="#c77700",
        )
    )
    fig.add_trace(
        go.Bar(
            x=_names(summary),
            y=summary["promotion_cost"],
            name=t("sim.col.promotion_cost", lang),
            offsetgroup="cost",
            base=summary["rebate_cost"].fillna(0),
            marker_color="#e0a84f",
        )
    )
    fig.add_trace(
        go.Bar(
            x=_names(summary),
            y=summary["incremental_profit"],
            name=t("sim.col.incremental_profit", lang),
            offsetgroup="profit",
            marker_color="#2e7d32",
        )
    )
    fig.update_layout(
        title=t("sim.chart.spend", lang),
        template="plotly_white",
        height=360,
        barmode="group",
        yaxis={"title": "¥", "tickprefix": "¥"},
        margin={"t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.15},
    )
    return readable(fig)
