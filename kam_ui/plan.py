"""Plan blocks: the budget allocation fragment (area key accounts: kam_ui.area_keys; follow-ups: kam_ui.follow_ups)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kam_core.analytics.allocation import allocate_service_budget
from kam_core.analytics.params import DEFAULT_PARAMS
from kam_ui.components import account_table, empty_state
from kam_ui.errors import guarded
from kam_ui.lang import tr


@st.fragment
@guarded  # a fragment rerun does not pass through app.py's guard
def budget_allocation(rows: pd.DataFrame) -> pd.DataFrame | None:
    """Budget and weight sliders; only this fragment reruns when they move."""
    st.caption(tr("plan.budget_caption"))
    default_total = float(round(0.01 * max(rows["net_sales"].clip(lower=0).sum(), 0.0), -3))
    total = st.number_input(tr("plan.total"), min_value=0.0, value=default_total, step=10_000.0, key="plan_total")
    w0 = DEFAULT_PARAMS.allocation_weights
    cols = st.columns(3)
    weights = tuple(
        col.slider(tr(f"plan.w_{name}"), 0.0, 1.0, float(w), 0.05, key=f"plan_w_{name}")
        for col, name, w in zip(cols, ("loyalty", "sales", "profit"), w0, strict=True)
    )
    if sum(weights) <= 0:
        st.warning(tr("plan.weights_zero"), icon=":material/warning:")
        return None
    if not rows["key_account"].any():
        empty_state("plan.no_key")
        return None
    alloc = allocate_service_budget(rows, total, weights, key_only=True)
    account_table(alloc, ["name", "channel", "budget"], money=["budget"], key="plan_alloc", height=320)
    return alloc
