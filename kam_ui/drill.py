"""Drill-down: a clicked chart point opens the account card, a clicked bar sets a sidebar filter, and
every account row links to its card with the language and the filters kept.

The figures (kam_core/figures) put the drill code as the FIRST item of each point's ``customdata``, HTML-escaped
as all hover text is (:func:`kam_core.i18n.markup.escape_hover`): the account id on account charts (value-type
map, loyalty quadrant), the tier or channel code on bar charts (pyramid, ABC bars). :func:`selection_action` maps Streamlit's selection payload to what to do; it is
pure so it is tested with literal payloads (AppTest cannot click a Plotly chart).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Literal
from urllib.parse import urlencode

import streamlit as st

from kam_core.filters import CHANNELS, PYRAMID_TIERS, Filters

ACCOUNT_PAGE = Path(__file__).resolve().parents[1] / "pages" / "account.py"
_PENDING = "_kam_drill_account"  # an account clicked in a callback: the card opens on the rerun
Target = Literal["account", "tier", "channel"]
_FILTER_CODES: dict[str, tuple[str, ...]] = {"tier": tuple(PYRAMID_TIERS), "channel": tuple(CHANNELS)}


@dataclass(frozen=True)
class Drill:
    """What a click asks for: open ``account`` (param None) or set the filter ``param`` to ``[value]``."""

    value: str
    param: str | None = None


def _points(event: object) -> list:
    selection = event.get("selection") if isinstance(event, Mapping) else getattr(event, "selection", None)
    if selection is None:
        return []
    points = selection.get("points") if isinstance(selection, Mapping) else getattr(selection, "points", None)
    return list(points or [])


def _code(point: object) -> str | None:
    data = point.get("customdata") if isinstance(point, Mapping) else None
    if isinstance(data, list | tuple):
        data = data[0] if data else None
    return html.unescape(data) if isinstance(data, str) and data else None


def selection_action(event: object, target: Target) -> Drill | None:
    """The drill of a Plotly selection event (``st.plotly_chart(..., on_select=...)``'s state), or None.

    The first selected point counts; its code is the first item of its ``customdata`` (unescaped). A filter target
    accepts only the codes that filter knows (a stray trace such as a legend-less annotation drills
    nowhere); an account target takes any non-empty id (the card says when an id is unknown).

    >>> selection_action({"selection": {"points": [{"customdata": ["1 &amp; 2", "Alpha"]}]}}, "account")
    Drill(value='1 & 2', param=None)
    >>> selection_action({"selection": {"points": [{"customdata": ["gold", 3]}]}}, "tier")
    Drill(value='gold', param='tier')
    >>> selection_action({"selection": {"points": []}}, "tier") is None
    True
    """
    for point in _points(event):
        code = _code(point)
        if code is None:
            continue
        if target == "account":
            return Drill(code)
        if code in _FILTER_CODES.get(target, ()):
            return Drill(code, target)
    return None


def card_query(account_id: str, filters: Filters) -> dict[str, list[str]]:
    """The account card's query: the account, the language, then the filters' codes (docs/DESIGN.md §5)."""
    query = filters.to_query()
    return {"account": [account_id], "lang": query.pop("lang")} | query


def card_link_for(account_id: str, filters: Filters) -> str:
    """A relative link ``account?account=ID&lang=..&<filters>`` (a table's link column)."""
    return "account?" + urlencode(card_query(account_id, filters), doseq=True)


def _on_select(key: str, target: Target) -> None:
    """Selection callback: runs before the rerun, so the bound sidebar widget can still take the value."""
    action = selection_action(st.session_state.get(key), target)
    if action is None:
        return
    if action.param is None:
        st.session_state[_PENDING] = action.value  # st.switch_page is a no-op inside a callback
    else:
        st.session_state[action.param] = [action.value]


def drill_chart(figure: object, key: str, target: Target, config: dict | None = None) -> None:
    """Draw ``figure`` with click selection; a clicked account opens its card, a bar sets its filter."""
    pending = st.session_state.pop(_PENDING, None)
    if isinstance(pending, str):
        # Only the card's own parameter: lang and the filters are bound to the sidebar's widgets, which
        # Streamlit refuses to set here (docs/STYLE.md); those widgets keep their values across the switch
        # and write them back into the URL on the card's run, so the link still carries the whole view.
        st.switch_page(ACCOUNT_PAGE, query_params={"account": [pending]})
    st.plotly_chart(
        figure,
        width="stretch",
        key=key,
        config=config,
        on_select=partial(_on_select, key, target),
        selection_mode="points",
    )
