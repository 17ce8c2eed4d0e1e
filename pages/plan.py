"""Plan: service budget (weights in a fragment), small-retail key accounts per area, visit cadence, follow-ups."""

import streamlit as st

from kam_core.analytics.allocation import plan_visit_cadence
from kam_core.analytics.params import DEFAULT_PARAMS
from kam_ui import lbl, tr
from kam_ui.area_keys import area_key_accounts
from kam_ui.components import account_table, downloads, empty_state
from kam_ui.follow_ups import follow_ups
from kam_ui.page import load_page_data
from kam_ui.plan import budget_allocation

st.header(tr("plan.title"))
page = load_page_data()
if page is not None and not page.empty:
    rows, as_of = page.rows, page.bundle.window.end
    st.subheader(tr("plan.budget"))
    budget_allocation(rows)

    st.subheader(tr("area.title"))
    area_key_accounts(page.filters)

    st.subheader(tr("plan.cadence"))
    cadence = dict(DEFAULT_PARAMS.visit_cadence_days)
    st.markdown(
        "  \n".join(
            tr("plan.cadence_rule", tier=lbl("pyramid_tier", tier), days=days) for tier, days in cadence.items()
        )
    )
    visits = plan_visit_cadence(rows, as_of, cadence)
    overdue = visits[visits["overdue_days"] > 0]
    st.subheader(tr("plan.overdue"))
    if overdue.empty:
        empty_state("plan.no_overdue")
    else:
        account_table(
            overdue,
            ["name", "pyramid_tier", "last_visit_date", "next_visit_due", "overdue_days"],
            key="plan_overdue",
            height=360,
        )

    st.subheader(tr("plan.followups"))
    follow = follow_ups(rows, as_of)
    downloads({"visits": visits, "follow_ups": follow}, "plan", key="plan_dl")
