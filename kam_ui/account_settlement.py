"""The settlement-modes tab of the account card: cash, 赊销, 代销实结 and 流水倒扣 compared at equal volume
(kam_core.analytics.settlement; docs/methods_settlement.md)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kam_core.analytics.params import DEFAULT_PARAMS
from kam_core.analytics.settlement import SettlementTerms, compare_settlement
from kam_core.analytics.settlement_inputs import account_months, account_terms
from kam_core.figures.settlement import figure_settlement_flows
from kam_core.i18n import format_number, format_pct
from kam_core.io.column_kinds import COUNT, MONEY_WHOLE
from kam_core.profile import AccountProfile
from kam_core.queries.account_plan import fetch_sell_through
from kam_ui import data
from kam_ui.lang import current_lang, lbl, tr, tr_text
from kam_ui.tables import MONTH, show_table

SUMMARY_MONEY = (
    "revenue",
    "cash_in",
    "avg_receivable",
    "peak_receivable",
    "financing_cost",
    "expected_credit_loss",
    "consignment_cost",
    "fees",
    "npv",
    "npv_vs_cash",
)
MONTHS = 12


def _months(p: AccountProfile) -> tuple[pd.DataFrame, str]:
    monthly = p.monthly.tail(MONTHS)
    first = pd.Period(monthly["month"].iloc[0], freq="M") - 1  # the opening consigned stock is the month before
    last = pd.Period(monthly["month"].iloc[-1], freq="M")
    with data.engine().connect() as conn:
        through = fetch_sell_through(conn, p.account_id, first.start_time.date(), last.end_time.date())
    return account_months(p.monthly, through, MONTHS)


def _cogs_ratio(p: AccountProfile) -> float | None:
    m = p.monthly.tail(MONTHS)
    sales = float(m["net_sales"].sum())
    if sales <= 0 or float(m.get("uncosted_sales", pd.Series([0.0])).fillna(0).sum()) > 0:
        return None  # without full cost data the default ratio is used (docs/methods_settlement.md)
    return 1.0 - float(m["gross_profit"].sum()) / sales


def _inputs(key: str) -> dict:
    c1, c2, c3 = st.columns(3)
    rate = c1.number_input(
        tr("account.settle.rate"), 0.0, 50.0, DEFAULT_PARAMS.financing_rate * 100, 0.5, key=f"{key}_rate"
    )
    pd_pct = c2.number_input(
        tr("account.settle.pd"), 0.0, 100.0, SettlementTerms().pd_annual * 100, 0.5, key=f"{key}_pd"
    )
    shelf = c3.number_input(
        tr("account.settle.shelf_days"), 0.0, 365.0, SettlementTerms().shelf_days, 1.0, key=f"{key}_shelf"
    )
    return {"rate": rate / 100, "pd_annual": pd_pct / 100, "shelf_days": shelf}


def summary_table(summary: pd.DataFrame, marked: str | None, mark_key: str, key: str) -> None:
    """The per-mode summary with translated headers; ``marked`` (the current or chosen mode) is flagged."""
    shown = summary.copy()
    shown["mode"] = [lbl("settlement", m) + (f" {tr(mark_key)}" if m == marked else "") for m in shown["mode"]]
    shown = shown[["mode", *SUMMARY_MONEY[:4], "cash_delay_days", "dso_days", *SUMMARY_MONEY[4:]]]
    kinds = dict.fromkeys(SUMMARY_MONEY, MONEY_WHOLE) | {"cash_delay_days": COUNT, "dso_days": COUNT}
    show_table(shown, {c: tr_text(f"account.settle.{c}") for c in shown.columns}, kinds, key=key)


def monthly_table(schedule: pd.DataFrame, key: str) -> None:
    """Month by month, per mode: cash in and the receivable at month end (the figures behind the charts)."""
    with st.expander(tr("account.settle.monthly_table")):
        wide = schedule.pivot_table(
            index="month", columns="mode", values=["cash_in", "receivable_end"], aggfunc="sum", sort=False
        )
        wide.columns = [f"{tr_text('account.settle.' + v)} · {lbl('settlement', m)}" for v, m in wide.columns]
        wide = wide.reset_index()
        labels = {c: c for c in wide.columns} | {"month": tr_text("account.settle.month")}
        kinds = dict.fromkeys(wide.columns[1:], MONEY_WHOLE) | {"month": MONTH}
        show_table(wide, labels, kinds, key=key)


def charts(schedule: pd.DataFrame, key: str) -> None:
    """Monthly cash in and month-end receivables, one line per mode, and the table behind them."""
    left, right = st.columns(2)
    for col, column, title in ((left, "cash_in", "monthly"), (right, "receivable_end", "receivable")):
        with col:
            st.markdown(f"**{tr(f'account.settle.{title}')}**")
            st.plotly_chart(
                figure_settlement_flows(schedule, current_lang(), column),
                width="stretch",
                config={"displaylogo": False},
                key=f"{key}_{column}",
            )
    monthly_table(schedule, f"{key}_table")


def settlement_section(p: AccountProfile) -> None:
    """Compare the four modes on the account's last 12 months of deliveries, at its own terms."""
    st.markdown(f"**{tr('account.settle.heading')}**")
    if p.monthly.empty or float(p.monthly.tail(MONTHS)["net_sales"].clip(lower=0).sum()) <= 0:
        st.info(tr("account.settle.no_sales"), icon=":material/info:")
        return
    overrides = _inputs(f"acct_settle_{p.account_id}")
    months, source = _months(p)
    current = p.current_terms or {}
    terms = account_terms(current, p.invoices, _cogs_ratio(p), overrides["rate"], overrides)
    deposit = float(current.get("deposit_amount") or 0.0)
    schedule, summary = compare_settlement(months[["month", "shipped_value", "sold_value"]], terms, deposit)
    lang = current_lang()
    mode = current.get("settlement_mode")
    st.caption(
        tr(
            "account.settle.caption",
            months=len(months),
            mode=lbl("settlement", mode) if mode else "—",
            terms=format_number(terms.terms_days, lang),
            cycle=format_number(terms.cycle_days, lang),
            deduction=format_pct(terms.deduction_rate, lang),
            dbt=format_number(terms.dbt_days, lang),
            rate=format_pct(terms.rate, lang),
            pd=format_pct(terms.pd_annual, lang),
            lgd=format_pct(terms.lgd, lang),
        )
    )
    st.caption(tr(f"account.settle.source_{source}", days=format_number(terms.shelf_days, lang)))
    summary_table(summary, mode, "account.settle.current", key=f"acct_settle_table_{p.account_id}")
    charts(schedule, f"acct_settle_{p.account_id}")
