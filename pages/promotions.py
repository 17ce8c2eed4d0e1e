"""Promotions: /promotions — a past promotion's observed uplift against controls, cost, ROI and the what-if's
prediction beside it (docs/methods_post_event.md)."""

import streamlit as st

from kam_ui import promotions
from kam_ui.lang import tr

st.title(tr("promo.title"))
st.caption(tr("promo.intro"))
promo_id = promotions.pick_promotion()
if promo_id is not None:
    promotions.show_review(promo_id)
