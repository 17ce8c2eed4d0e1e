"""The page-level comparison (same period last year, or the previous period) and the view's targets.

The comparison window's scorecard comes from the same cached and stored path as the period's own
(:func:`kam_ui.data.view` → ``scorecard_store``), with the shifted window (docs/methods_comparisons.md); the
background precompute stores it with its window (docs/methods_period.md).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from kam_core.filters import Filters
from kam_core.queries import targets as target_queries
from kam_core.scope import Scope
from kam_core.views.compare import MODES, Attainment, attainment, choose_targets, comparison_window
from kam_ui import data
from kam_ui.lang import tr

STORE = "_kam_compare"  # survives page switches (a widget's own key is dropped when its page is left)


def comparison_mode(page: str) -> str:
    """The comparison radio of ``page`` (shared by all pages of the session); "last_year" by default."""
    current = st.session_state.get(STORE, MODES[0])
    labels = {m: tr(f"yoy.mode.{m}") for m in MODES}  # fixed in this run's language (AppTest formats later)
    mode = st.radio(
        tr("yoy.compare_label"),
        MODES,
        index=MODES.index(current) if current in MODES else 0,
        format_func=labels.__getitem__,
        horizontal=True,
        key=f"compare_{page}",
    )
    st.session_state[STORE] = mode
    return mode


def window(filters: Filters, mode: str) -> tuple[dt.date, dt.date] | None:
    return comparison_window(filters.start, filters.end, mode)


def comparison_bundle(filters: Filters, mode: str):
    """The scorecard bundle of the comparison window, or None when the data start after that window ends."""
    period = window(filters, mode)
    dims = data.dimensions()
    if period is None or dims.first_date is None or period[1] < dims.first_date:
        return None
    return data.view(period[0], period[1])


@st.cache_data(ttl=300, max_entries=16, show_spinner=False)
def _targets(url: str, start: dt.date, end: dt.date, scope_text: str, fingerprint: str) -> pd.DataFrame:
    with data.engine_for(url).connect() as conn:
        return target_queries.fetch_targets(conn, start, end, Scope.parse(scope_text))


@st.cache_data(ttl=300, max_entries=16, show_spinner=False)
def _actuals(url: str, months: tuple[dt.date, ...], scope_text: str, fingerprint: str) -> pd.DataFrame:
    with data.engine_for(url).connect() as conn:
        return target_queries.fetch_month_actuals(conn, list(months), Scope.parse(scope_text))


def view_attainment(
    filters: Filters, rows: pd.DataFrame, start: dt.date, end: dt.date
) -> tuple[Attainment | None, bool]:
    """The view's attainment, and whether any targets at all exist for the window in the viewer's scope."""
    url, scope = data.db_url(), str(data.viewer_scope())
    fingerprint = data.data_fingerprint(url)
    targets = _targets(url, start, end, scope, fingerprint)
    level, chosen = choose_targets(targets, rows, filters)
    if not level:
        return None, not targets.empty
    actuals = _actuals(url, tuple(sorted(set(chosen["month"]))), scope, fingerprint)
    return attainment(level, chosen, actuals, rows), True
