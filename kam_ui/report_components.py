"""The review-pack download button: the current filtered view as one self-contained HTML file.

The pack is built only when the button is clicked (deferred ``data`` callable), from the scorecard
the pages already cached for this period and scope.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kam_core.filters import Filters
from kam_ui import data
from kam_ui.lang import tr


def pack_bytes(filters: Filters) -> bytes:
    """The review pack of ``filters`` for the current viewer, in the filters' language.

    Built from the scorecard bundle the pages already cached (``kam_ui.data.bundle``), so a click
    costs only the HTML rendering; not cached itself, so it always matches the current data.
    """
    from kam_core.report import build_review_pack

    tz = st.context.timezone  # the viewer's browser zone (None in tests: the pack prints Asia/Shanghai)
    return build_review_pack(
        data.engine(), filters, data.viewer_scope(), filters.lang, bundle=data.bundle(filters), tz=tz
    )


def review_pack_button(filters: Filters, key: str = "review_pack", container=None) -> None:
    """A download button (sidebar by default) for the review pack of the current filtered view.

    Parameters
    ----------
    filters
        The current Filters (from the sidebar).
    key
        Widget key, if the button is placed more than once.
    container
        Where to draw it (default ``st.sidebar``).
    """
    where = container if container is not None else st.sidebar
    name = f"kam-review-{dt.date.today().isoformat()}-{filters.lang}.html"
    where.download_button(
        tr("report.button"),
        data=lambda: pack_bytes(filters),
        file_name=name,
        mime="text/html",
        icon=":material/summarize:",
        help=tr("report.button_help"),
        key=key,
        on_click="ignore",
        width="stretch",
    )
