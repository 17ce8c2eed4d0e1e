"""The Streamlit layer: filter sidebar bound to the URL, cached loaders, small components.

The only package besides ``app.py`` and ``pages/`` that imports streamlit. Pages call these
helpers and ``kam_core``; they hold no SQL and no model fitting.
"""

from kam_ui.filters import current_filters, render_sidebar, share_url
from kam_ui.frame import leave_pages_folder_mode
from kam_ui.lang import current_lang, lbl, tr, trn, trn_fn

leave_pages_folder_mode()  # pages import kam_ui first: a deep link must still go through app.py

__all__ = ["current_filters", "current_lang", "lbl", "render_sidebar", "share_url", "tr", "trn", "trn_fn"]
