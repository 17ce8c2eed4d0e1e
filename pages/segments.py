"""Segments: value-type map and profiles, typing rules, per-account reasons, ABC per channel, key accounts."""

import streamlit as st

from kam_core.analytics.prototypes import DEFAULT_PROTOTYPES, FEATURES
from kam_core.figures.value_types import build_value_type_map
from kam_core.i18n import format_pct
from kam_core.io.column_kinds import COUNT, MONEY_WHOLE, SHARE
from kam_core.views import compute_type_profiles
from kam_core.vocab import VALUE_TYPES
from kam_ui import current_lang, lbl, tr
from kam_ui.components import account_table, downloads, empty_state, explain_reasons, show_figure
from kam_ui.honest import show_untyped
from kam_ui.key_accounts import abc_section, key_section
from kam_ui.lang import tr_text
from kam_ui.page import load_page_data
from kam_ui.tables import show_table

PROFILE_KINDS = {  # shares as %, money in whole yuan; medians of counts and scores keep two decimals
    "accounts": COUNT,
    "sales_share": SHARE,
    "median_net_sales": MONEY_WHOLE,
    "median_net_profit": MONEY_WHOLE,
    "mean_confidence": SHARE,
    "promo_share": SHARE,
    "premium_mix": SHARE,
    "co_invest_ratio": SHARE,
}

st.header(tr("segments.title"))
page = load_page_data()
if page is not None and not page.empty:
    rows, lang = page.rows, current_lang()
    typed = rows[rows["value_type"].notna()]
    left, right = st.columns([3, 2])
    with left:
        show_figure(
            lambda: build_value_type_map(
                rows,
                {v: lbl("value_type", v) for v in VALUE_TYPES},
                tr("segments.map"),
                (tr("segments.axis_intrinsic"), tr("segments.axis_extrinsic"), tr("segments.axis_strategic")),
                lbl("value_type", "untyped"),
            ),
            "value_types",
            key="seg_map",
            drill="account",  # a clicked account opens its card
        )
    with right:
        st.subheader(tr("segments.rules"))
        for vtype, rule in DEFAULT_PROTOTYPES.rules(lang).items():
            st.markdown(f"**{lbl('value_type', vtype)}** — {rule}")
        st.caption(tr("segments.rules_caption", version=DEFAULT_PROTOTYPES.version, floor=format_pct(0.6, lang, 0)))

    st.subheader(tr("segments.profiles"))
    if typed.empty:
        empty_state("segments.no_types")
    else:
        profiles = compute_type_profiles(rows, page.bundle.features)
        labels = {c: tr_text(f"segments.profile_col.{c}") for c in profiles.columns[:6]} | {
            f: lbl("feature", f) for f in FEATURES
        }
        show_table(profiles, labels, PROFILE_KINDS, key="seg_profiles")
        st.subheader(tr("segments.accounts"))
        typed = explain_reasons(typed)  # the scorecard's reasons are English: rebuilt in the UI language
        account_table(
            typed.sort_values("value_type_confidence", ascending=False),
            ["name", "channel", "value_type", "value_type_confidence", "value_type_reasons"],
            pct=["value_type_confidence"],
            key="seg_accounts",
            height=360,
        )
    show_untyped(rows)  # accounts without enough evidence are listed as such, not dropped

    st.subheader(tr("segments.abc"))
    abc = abc_section(rows)

    st.subheader(tr("segments.key"))
    key = key_section(rows)
    downloads({"key_accounts": key, "abc": abc, "types": typed}, "segments", key="seg_dl")
