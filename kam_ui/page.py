"""What every analysis page starts with: the filters, the cached scorecard and the filtered rows."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from kam_core.filters import Filters
from kam_core.i18n import format_date
from kam_ui import data
from kam_ui.components import empty_state
from kam_ui.errors import DB_ERRORS, show_db_unavailable
from kam_ui.filters import current_filters
from kam_ui.honest import show_notices
from kam_ui.lang import current_lang, tr

READY_KEY = "_kam_ready"


@dataclass(frozen=True)
class PageData:
    """The filters, the scorecard bundle of the period, all rows in scope and the filtered rows."""

    filters: Filters
    bundle: object
    everyone: pd.DataFrame
    rows: pd.DataFrame

    @property
    def empty(self) -> bool:
        return self.rows.empty


def load_page_data(show_caption: bool = True) -> PageData | None:
    """Load the scorecard for the current filters; an empty state (never a crash) when there is none."""
    filters = current_filters()
    if not st.session_state.get(READY_KEY, False):
        empty_state("common.no_data")
        return None
    try:
        with st.spinner(tr("common.loading")):
            bundle = data.bundle(filters)
    except (ImportError, AttributeError) as exc:  # analytics not installed or mid-upgrade: say so, don't crash
        empty_state("common.analytics_missing", error=str(exc))
        return None
    except DB_ERRORS as exc:
        show_db_unavailable(exc)
        return None
    if bundle.scorecard.empty:
        empty_state("common.no_data")
        return None
    rows = data.filtered(bundle.scorecard, filters)
    if show_caption:
        w = bundle.window
        st.caption(
            tr(
                "filters.period_caption",
                start=format_date(w.start, current_lang()),
                end=format_date(w.end, current_lang()),
                days=w.days,
            )
            + " · "
            + tr("filters.matching", n=len(rows), total=len(bundle.scorecard))
        )
    show_notices(bundle.health)
    if rows.empty:
        empty_state("common.no_rows")
    return PageData(filters, bundle, bundle.scorecard, rows)
