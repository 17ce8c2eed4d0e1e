"""Make every request run through app.py, even a deep link that arrives first after a server start.

Streamlit 1.67 treats a ``pages/`` folder next to the main script as an old-style multipage app until
some run reaches ``st.navigation`` (which switches the whole process to the new mode). Until then, a
shared link such as ``/risk?channel=KA`` runs ``pages/risk.py`` alone: no frame, no sidebar, no
filters. Every page imports kam_ui first, so this check runs before the page does anything: in that
old mode it switches to the new mode and reruns, and the rerun goes through app.py and st.navigation,
which opens the same page with the same query.
"""

from __future__ import annotations

import streamlit as st


def leave_pages_folder_mode() -> None:
    """If this run is an old-style ``pages/`` run, switch to st.navigation mode and rerun (no-op otherwise)."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
        from streamlit.runtime.scriptrunner import get_script_run_ctx
    except ImportError:  # a future Streamlit without the old mode
        return
    if get_script_run_ctx() is None or not PagesManager.uses_pages_directory:
        return
    PagesManager.uses_pages_directory = False
    st.rerun()
