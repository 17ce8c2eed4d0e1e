"""ABC classes per channel tier (the value-type figures are in :mod:`kam_core.figures.value_types`)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kam_core.figures import readable
from kam_core.i18n.markup import escape_hover
from kam_core.vocab import ABC_CLASSES, ABC_COLORS


def build_abc_bars(df: pd.DataFrame, channel_labels: dict[str, str], title: str, y_title: str) -> go.Figure:
    """Stacked bars: accounts per channel tier split by ABC class (needs channel and abc_class)."""
    tab = pd.crosstab(df["channel"], df["abc_class"]).reindex(columns=list(ABC_CLASSES), fill_value=0)
    x = [escape_hover(channel_labels.get(c, c)) for c in tab.index]
    codes = [escape_hover(c) for c in tab.index]
    fig = go.Figure(
        [
            # the channel code per bar (escaped as hover text is): a click filters the channel (kam_ui/drill.py)
            go.Bar(name=cls, x=x, y=tab[cls].tolist(), customdata=codes, marker={"color": ABC_COLORS[cls]})
            for cls in ABC_CLASSES
        ]
    )
    fig.update_layout(barmode="stack", title=title, yaxis_title=y_title, legend={"orientation": "h"})
    return readable(fig)
