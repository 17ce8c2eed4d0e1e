"""Overview: KPIs vs the previous period, concentration, pyramid snapshot, movers, what changed."""

import streamlit as st

from kam_core.figures.tiers import build_pyramid
from kam_core.i18n import format_date
from kam_core.views import compute_changes, compute_movers
from kam_core.vocab import PYRAMID_TIERS
from kam_ui import current_lang, lbl, tr, trn_fn
from kam_ui.components import downloads, empty_state, show_figure
from kam_ui.data import filtered, previous_bundle, previous_period
from kam_ui.overview import no_sales, show_changes, show_kpis, show_movers
from kam_ui.page import load_page_data

st.header(tr("overview.title"))
page = load_page_data()
if page is not None and not page.empty and not no_sales(page):
    prev_bundle = previous_bundle(page.filters)
    before = filtered(prev_bundle.scorecard, page.filters) if prev_bundle is not None else None
    show_kpis(page.rows, before)
    if before is None:
        st.caption(tr("overview.no_previous"))

    left, right = st.columns([2, 3])
    with left:
        counts = page.rows["pyramid_tier"].value_counts()
        labels = {tier: lbl("pyramid_tier", tier) for tier in PYRAMID_TIERS}
        show_figure(
            lambda: build_pyramid(
                counts, title=tr("overview.pyramid"), labels=labels, value_text=trn_fn("count.accounts")
            ),
            "pyramid",
            key="ov_pyramid",
            drill="tier",  # a clicked tier filters the view
        )
    with right:
        st.subheader(tr("overview.movers"))
        movers = compute_movers(before if before is not None else page.rows.iloc[0:0], page.rows)
        show_movers(movers)

    st.subheader(tr("overview.changes"))
    if before is not None:
        start, end = previous_period(page.filters) or (None, None)
        lang = current_lang()
        st.caption(tr("overview.changes_caption", start=format_date(start, lang), end=format_date(end, lang)))
        changes = compute_changes(before, page.rows)
        if changes.empty:
            empty_state("overview.no_changes")
        else:
            show_changes(changes)
        downloads({"movers": movers, "changes": changes}, "overview", key="ov_dl")
    else:
        empty_state("overview.no_previous")
