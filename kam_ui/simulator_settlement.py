"""The settlement section of the Simulator: the scenario's accounts and volumes under each settlement mode.

The choice is part of the scenario JSON as the optional key ``settlement`` (kept by kam_core.sim.spec as
an extra key, so saved and shared scenarios reopen with it): a mode (``"settlement": "consignment"``) or
an object ``{"mode": ..., "terms_days": ..., "rate": ...}`` (docs/methods_settlement.md §Simulator).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from kam_core.analytics.params import DEFAULT_PARAMS
from kam_core.analytics.settlement import MODES
from kam_core.analytics.settlement_inputs import compare_scenario_settlement, parse_scenario_settlement
from kam_core.i18n import format_number
from kam_core.queries.account_plan import fetch_terms_for
from kam_ui import data
from kam_ui.account_settlement import charts, summary_table
from kam_ui.lang import lbl_fn, tr

MODE_KEY = "sim_settle_mode"
DAYS_KEY = "sim_settle_terms"
RATE_KEY = "sim_settle_rate"
KEEP = "keep"


def seed(scenario: dict) -> None:
    """Pour a scenario's ``settlement`` key into the widgets (call before they are drawn)."""
    try:
        mode, over = parse_scenario_settlement(scenario.get("settlement"))
    except ValueError:
        mode, over = None, {}
    st.session_state[MODE_KEY] = mode or KEEP
    st.session_state[DAYS_KEY] = over.get("terms_days")
    st.session_state[RATE_KEY] = over.get("rate", DEFAULT_PARAMS.financing_rate) * 100


def inputs() -> dict | None:
    """The mode, terms and rate widgets; returns the scenario's ``settlement`` value (None: not set)."""
    st.session_state.setdefault(MODE_KEY, KEEP)
    st.session_state.setdefault(DAYS_KEY, None)
    st.session_state.setdefault(RATE_KEY, DEFAULT_PARAMS.financing_rate * 100)
    label = lbl_fn("settlement")
    keep = tr("sim.settle.keep")
    c1, c2, c3 = st.columns(3)
    mode = c1.selectbox(
        tr("sim.settle.mode"), (KEEP, *MODES), format_func=lambda m: keep if m == KEEP else label(m), key=MODE_KEY
    )
    days = c2.number_input(tr("sim.settle.terms_days"), 0.0, 365.0, step=15.0, key=DAYS_KEY)
    rate = c3.number_input(tr("account.settle.rate"), 0.0, 50.0, step=0.5, key=RATE_KEY)
    out: dict = {} if mode == KEEP else {"mode": mode}
    if days is not None:
        out["terms_days"] = float(days)
    if abs(rate / 100 - DEFAULT_PARAMS.financing_rate) > 1e-12:
        out["rate"] = rate / 100
    if not out:
        return None
    return mode if set(out) == {"mode"} else out


def section(last: dict | None) -> None:
    """The comparison for the last run's accounts (their scenario cases at the case price)."""
    st.markdown(f"**{tr('sim.settle.heading')}**")
    if not last or not (last.get("result") or {}).get("accounts"):
        st.caption(tr("sim.settle.run_first"))
        return
    scenario, rows = last["scenario"], last["result"]["accounts"]
    try:
        mode, over = parse_scenario_settlement(scenario.get("settlement"))
    except ValueError as exc:
        st.error(tr("sim.settle.invalid", error=str(exc)), icon=":material/error:")
        return
    accounts = pd.DataFrame(rows)[["account_id", "scenario_cases", "price_per_case", "cogs_per_case"]]
    period = scenario["period"]
    start, end = dt.date.fromisoformat(period["start"]), dt.date.fromisoformat(period["end"])
    with data.engine().connect() as conn:
        terms = fetch_terms_for(conn, list(accounts["account_id"]), start, data.viewer_scope())
    rate = over.get("rate", DEFAULT_PARAMS.financing_rate)
    schedule, summary = compare_scenario_settlement(accounts, terms, start, end, rate, over)
    st.caption(tr("sim.settle.caption"))
    months = len(pd.period_range(start, end, freq="M"))
    st.caption(tr("sim.settle.accounts", n=format_number(len(accounts)), months=months))
    summary = summary.assign(mode=summary["mode"].astype(object))
    summary_table(_label_current(summary), mode, "account.settle.chosen", key="sim_settle_table")
    charts(schedule[schedule["mode"] != "current"], "sim_settle")


def _label_current(summary: pd.DataFrame) -> pd.DataFrame:
    """Row ``current`` (each account at its own mode today) is shown under its own name."""
    out = summary.copy()
    out["mode"] = out["mode"].replace({"current": tr("sim.settle.keep")})
    return out
