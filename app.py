"""The dashboard frame: page config, language, shared filter sidebar bound to the URL, navigation."""

from pathlib import Path

import streamlit as st

from kam_ui import data
from kam_ui.auth import current_viewer, sidebar_viewer
from kam_ui.bootstrap import ensure_database
from kam_ui.errors import apply_error_details, configure_logging, page_guard
from kam_ui.filters import STATE_KEY, render_share_link, render_sidebar
from kam_ui.lang import current_lang, tr
from kam_ui.page import READY_KEY
from kam_ui.report_components import review_pack_button

st.set_page_config(page_title="KAM", page_icon=":material/sports_bar:", layout="wide")

# Navigation first: on a fresh clone the demo build below takes a while, and the sidebar should
# already show the real pages (not Streamlit's plain listing of the pages/ folder).
PAGES = Path(__file__).resolve().parent / "pages"
page = lambda name, icon, path, **kw: st.Page(  # noqa: E731
    PAGES / f"{name}.py", title=tr(f"nav.{name}"), icon=f":material/{icon}:", url_path=path, **kw
)
pg = st.navigation(
    {
        tr("nav.section_analysis"): [
            page("overview", "dashboard", "overview", default=True),
            page("segments", "category", "segments"),
            page("pyramid", "change_history", "pyramid"),
            page("risk", "warning", "risk"),
        ],
        tr("nav.section_action"): [
            page("simulator", "calculate", "simulator"),
            page("promotions", "campaign", "promotions"),
            page("account", "badge", "account"),
            page("plan", "event_available", "plan"),
            page("data", "database", "data"),
        ],
    }
)
configure_logging()
apply_error_details()
with page_guard():  # a database outage or a bug anywhere below: a localised message, logged, no raw error
    ready = ensure_database(data.engine(), data.db_url())
    st.session_state[READY_KEY] = ready
    viewer = current_viewer(data.engine(), current_lang())  # stops here with a sign-in prompt if needed
    st.session_state[data.VIEWER_KEY] = viewer
    if ready:
        filters = render_sidebar(data.dimensions())
    else:
        st.session_state.pop(STATE_KEY, None)
        filters = None

    if filters is not None:
        render_share_link(filters)
        review_pack_button(filters)
    sidebar_viewer(viewer, current_lang())
    pg.run()
