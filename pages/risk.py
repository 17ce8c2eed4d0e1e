"""Risk: volume × loyalty quadrant, high-volume-low-loyalty reasons, diversion queue, churn list."""

import streamlit as st

from kam_core.figures.risk import build_loyalty_quadrant
from kam_core.i18n import format_pct
from kam_core.vocab import QUADRANTS
from kam_ui import current_lang, tr
from kam_ui.components import account_table, downloads, empty_state, explain_reasons, show_figure
from kam_ui.page import load_page_data

CHURN_FLOOR = 0.30  # docs/METHODS.md §4.2: the model trigger for high-volume accounts

st.header(tr("risk.title"))
page = load_page_data()
if page is not None and not page.empty:
    rows = page.rows
    show_figure(
        lambda: build_loyalty_quadrant(
            rows,
            title=tr("risk.quadrant"),
            x_label=tr("risk.quadrant_x"),
            y_label=tr("risk.quadrant_y"),
            flagged_name=tr("risk.flagged"),
            others_name=tr("risk.others"),
            quadrant_names=tuple(tr(f"quadrant.{q}") for q in QUADRANTS),
        ),
        "quadrant",
        key="risk_quadrant",
        drill="account",  # a clicked account opens its card
    )

    # the reasons and the evidence are rebuilt in the page's language from the analytics' structured items
    hvll = explain_reasons(
        rows[rows["high_volume_low_loyalty"].fillna(False).astype(bool)].sort_values("hvll_severity", ascending=False)
    )
    diversion = explain_reasons(
        rows[rows["diversion_flag"].fillna(False).astype(bool)].sort_values("diversion_score", ascending=False)
    )
    churn = rows[rows["churn_prob"].fillna(0) >= CHURN_FLOOR].sort_values("churn_prob", ascending=False)
    tab_hvll, tab_div, tab_churn = st.tabs(
        [
            f"{tr('risk.tab_hvll')} ({len(hvll)})",
            f"{tr('risk.tab_diversion')} ({len(diversion)})",
            f"{tr('risk.tab_churn')} ({len(churn)})",
        ]
    )
    with tab_hvll:
        st.caption(tr("risk.hvll_caption"))
        if hvll.empty:
            empty_state("risk.no_hvll")
        else:
            account_table(
                hvll,
                ["name", "channel", "volume_cases", "loyalty_score", "hvll_severity", "hvll_reasons"],
                key="risk_hvll",
            )
    with tab_div:
        st.caption(tr("risk.diversion_caption"))
        if diversion.empty:
            empty_state("risk.no_diversion")
        else:
            account_table(
                diversion,
                ["name", "channel", "region", "diversion_score", "diversion_signals", "diversion_evidence"],
                key="risk_div",
            )
    with tab_churn:
        st.caption(tr("risk.churn_caption", floor=format_pct(CHURN_FLOOR, current_lang(), 0)))
        if churn.empty:
            empty_state("risk.no_churn")
        else:
            account_table(
                churn,
                ["name", "channel", "net_sales", "churn_prob", "last_order_date"],
                money=["net_sales"],
                pct=["churn_prob"],
                key="risk_churn",
            )
    downloads({"hvll": hvll, "diversion": diversion, "churn": churn}, "risk", key="risk_dl")
