"""Pyramid: customer pyramid, whale curve with the top-20% callout, tier migration, size × profit tiers."""

import pandas as pd
import streamlit as st

from kam_core.analytics.tiers import compute_tier_migration, compute_whale_curve
from kam_core.figures.tiers import build_migration_sankey, build_pyramid, build_size_tiers, build_whale_curve
from kam_core.i18n import format_date, format_money, format_pct
from kam_core.vocab import PYRAMID_TIERS, SIZE_TIERS
from kam_ui import current_lang, lbl, tr, trn_fn
from kam_ui.compare import comparison_bundle, comparison_mode, window
from kam_ui.components import Kpi, account_table, downloads, empty_state, kpi_row, show_figure
from kam_ui.data import dimensions, filtered
from kam_ui.honest import costed, costed_tiers
from kam_ui.lang import tr_text
from kam_ui.page import load_page_data
from kam_ui.tables import show_matrix

st.header(tr("pyramid.title"))
page = load_page_data()
if page is not None and not page.empty:
    rows, lang = page.rows, current_lang()
    tiers = PYRAMID_TIERS
    labels = {t: lbl("pyramid_tier", t) for t in tiers} | {"new": tr("pyramid.new"), "gone": tr("pyramid.gone")}
    curve, whale = compute_whale_curve(costed(rows), "net_profit")  # accounts without cost data have no profit
    kpi_row(
        [
            Kpi(tr("pyramid.whale_kpi_top20"), format_pct(whale.top20_share, lang, 0)),
            Kpi(tr("pyramid.whale_kpi_peak"), format_pct(whale.peak_share, lang, 0)),
            Kpi(tr("pyramid.whale_kpi_negative"), format_pct(whale.share_negative, lang)),
            Kpi(tr("pyramid.whale_kpi_tail"), format_money(whale.tail_loss, lang)),
        ],
        per_row=4,
    )
    left, right = st.columns(2)
    with left:
        show_figure(
            lambda: build_pyramid(
                rows["pyramid_tier"].value_counts(), tr("pyramid.pyramid"), labels, value_text=trn_fn("count.accounts")
            ),
            "pyramid",
            key="py_pyramid",
            drill="tier",  # a clicked tier filters the view
        )
    with right:
        show_figure(
            lambda: build_whale_curve(
                curve,
                whale.top20_share,
                tr("pyramid.whale"),
                tr("pyramid.whale_x"),
                tr("pyramid.whale_y" if whale.relative else "pyramid.whale_y_abs"),
                tr("pyramid.whale_callout"),
            ),
            "whale",
            key="py_whale",
        )
        if not whale.relative:
            st.caption(tr("pyramid.whale_negative_total"))

    st.subheader(tr("pyramid.migration"))
    mode = comparison_mode("pyramid")  # the same choice (and window) as the Overview's
    start, end = window(page.filters, mode) or (None, None)
    fmt = {"mode": tr(f"yoy.mode.{mode}"), "start": format_date(start, lang), "end": format_date(end, lang)}
    prev = comparison_bundle(page.filters, mode)
    if prev is None:
        empty_state("yoy.no_comparison", first=format_date(dimensions().first_date, lang), **fmt)
    else:
        st.caption(tr("yoy.migration_caption", **fmt))
        before, after = costed_tiers(filtered(prev.scorecard, page.filters), rows)  # no tier ≠ "gone"
        matrix = compute_tier_migration(before, after)
        show_figure(
            lambda: build_migration_sankey(
                matrix, tr("pyramid.migration"), tr("pyramid.before_suffix"), tr("pyramid.after_suffix"), labels
            ),
            "sankey",
            key="py_sankey",
        )
        st.caption(tr("pyramid.migration_table"))
        names = {t: lbl("pyramid_tier", t) for t in tiers} | {
            "new": tr_text("pyramid.new"),
            "gone": tr_text("pyramid.gone"),
        }
        show_matrix(matrix, tr_text("tables.migration_rows"), names, names, key="py_migration")

    st.subheader(tr("pyramid.size"))
    sizes = {s: lbl("size_tier", s) for s in SIZE_TIERS}
    show_figure(
        lambda: build_size_tiers(
            rows.assign(channel=rows["channel"].map(lambda c: lbl("channel", c))),
            tr("pyramid.size"),
            tr("pyramid.size_x"),
            tr("col.count"),
            sizes,
        ),
        "size_tiers",
        key="py_size",
    )
    st.caption(tr("pyramid.crosstab"))
    cross = pd.crosstab(rows["size_tier"], rows["pyramid_tier"]).reindex(
        index=list(sizes), columns=list(tiers), fill_value=0
    )
    show_matrix(cross, tr_text("tables.size_rows"), sizes, labels, key="py_cross")
    st.subheader(tr("pyramid.vip_lead"))
    vip_lead = rows[(rows["size_tier"] == "vip") & (rows["pyramid_tier"] == "lead")]
    if vip_lead.empty:
        empty_state("pyramid.no_vip_lead")
    else:
        account_table(
            vip_lead,
            ["name", "channel", "net_sales", "cost_to_serve", "net_profit"],
            money=["net_sales", "cost_to_serve", "net_profit"],
            key="py_vip_lead",
        )
    downloads({"whale_curve": curve, "size_x_profit": cross.reset_index()}, "pyramid", key="py_dl")
