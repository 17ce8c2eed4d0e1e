"""Overview: KPIs vs the same period last year (or the previous period), targets, pyramid, movers, what changed."""

import streamlit as st

from kam_core.figures.tiers import build_pyramid
from kam_core.i18n import format_date
from kam_core.views import compute_changes, compute_movers
from kam_core.vocab import PYRAMID_TIERS
from kam_ui import current_lang, lbl, tr, trn_fn
from kam_ui.compare import comparison_bundle, comparison_mode, view_attainment, window
from kam_ui.components import downloads, empty_state, show_figure
from kam_ui.data import dimensions, filtered
from kam_ui.overview import no_sales, show_changes, show_comparison, show_kpis, show_movers
from kam_ui.page import load_page_data

st.header(tr("overview.title"))
page = load_page_data()
if page is not None and not page.empty and not no_sales(page):
    lang = current_lang()
    mode = comparison_mode("overview")
    mode_text = tr(f"yoy.mode.{mode}")
    start, end = window(page.filters, mode) or (None, None)
    cmp_bundle = comparison_bundle(page.filters, mode)
    before = filtered(cmp_bundle.scorecard, page.filters) if cmp_bundle is not None else None
    fmt = {"start": format_date(start, lang), "end": format_date(end, lang), "mode": mode_text}
    if before is not None:
        st.caption(tr("yoy.compare_caption", **fmt))
    else:
        first = dimensions().first_date
        st.caption(tr("yoy.no_comparison", first=format_date(first, lang), **fmt))
    show_kpis(page.rows, before)
    w = page.bundle.window
    att, any_targets = view_attainment(page.filters, page.rows, w.start, w.end)
    show_comparison(page.rows, before, mode, att, any_targets)

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
        st.subheader(tr("yoy.movers", mode=mode_text))
        movers = compute_movers(before if before is not None else page.rows.iloc[0:0], page.rows)
        show_movers(movers, mode, page.rows)

    st.subheader(tr("overview.changes"))
    if before is not None:
        st.caption(tr("yoy.changes_caption", **fmt))
        changes = compute_changes(before, page.rows)
        if changes.empty:
            empty_state("yoy.no_changes", mode=mode_text)
        else:
            show_changes(changes, page.rows)
        downloads({"movers": movers, "changes": changes}, "overview", key="ov_dl")
    else:
        empty_state("yoy.no_comparison", first=format_date(dimensions().first_date, lang), **fmt)
