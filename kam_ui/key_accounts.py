"""Segments page blocks: ABC per channel tier on a chosen basis, and the key / potential key account list."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kam_core.analytics.params import DEFAULT_PARAMS
from kam_core.figures.segments import build_abc_bars
from kam_core.i18n import format_number, format_pct
from kam_core.views import compute_abc_summary
from kam_core.views.key_accounts import (
    ABC_COLUMNS,
    DEFAULT_ABC_BASIS,
    count_key_accounts,
    label_abc_reasons,
    select_key_accounts,
)
from kam_ui.components import account_table, show_figure
from kam_ui.lang import current_lang, lbl, tr, tr_fn, tr_text


def abc_basis_control() -> str:
    """The ABC basis radio (sales, cases, profit); a page-level widget, not bound to the URL."""
    basis = st.radio(
        tr("segments.abc_basis"),
        list(ABC_COLUMNS),
        index=list(ABC_COLUMNS).index(DEFAULT_ABC_BASIS),
        format_func=tr_fn("abc_basis."),
        horizontal=True,
        help=tr("segments.abc_basis_help"),
        key="abc_basis",
    )
    return basis if basis in ABC_COLUMNS else DEFAULT_ABC_BASIS


def _reason_text(row: pd.Series, pct: str) -> str:
    if row["abc_reason"] == "low_frequency":
        cut = format_number(row.get("abc_days_cut"), current_lang(), 1)
        return tr_text("abc_reason.low_frequency", pct=pct, cut=cut)
    return tr_text(f"abc_reason.{row['abc_reason']}")


def abc_section(rows: pd.DataFrame) -> pd.DataFrame:
    """ABC per channel tier on the chosen basis: Pareto captions, bars, the accounts the frequency rule made C."""
    lang = current_lang()
    basis = abc_basis_control()
    column, value = ABC_COLUMNS[basis]
    basis_word = tr_text(f"abc_basis.{basis}")
    abc = compute_abc_summary(rows, column, value)
    for _, r in abc.iterrows():
        name = tr("segments.all_channels") if r["channel"] == "all" else lbl("channel", r["channel"])
        share, part = format_pct(r["a_account_share"], lang), format_pct(r["a_sales_share"], lang)
        st.caption(tr("segments.abc_pareto_basis", channel=name, share=share, value=part, basis=basis_word))
    shown = rows.join(label_abc_reasons(rows, basis))
    if basis == "profit" and shown["abc_reason"].eq("no_cost").any():
        st.caption(tr("segments.abc_profit_no_cost", n=int(shown["abc_reason"].eq("no_cost").sum())))
    show_figure(
        lambda: build_abc_bars(
            shown[shown["abc_shown"].notna()].assign(abc_class=shown["abc_shown"]),
            {c: lbl("channel", c) for c in rows["channel"].unique()},
            tr("segments.abc_by", basis=basis_word),
            tr("col.count"),
        ),
        "abc",
        key="seg_abc",
        drill="channel",  # a clicked bar filters its channel
    )
    low = shown[shown["abc_reason"].eq("low_frequency")]
    if not low.empty:
        pct = f"{DEFAULT_PARAMS.abc_min_days_pct * 100:.0f}"
        st.caption(tr("segments.abc_low_frequency", n=len(low), pct=pct))
        low = low.assign(abc_reason=low.apply(_reason_text, axis=1, pct=pct), abc_class=low["abc_shown"])
        account_table(
            low.sort_values(["order_days_window", "account_id"]),
            ["name", "channel", "order_days_window", "abc_class", "abc_reason"],
            key="seg_abc_low",
            height=240,
        )
    return abc


def key_section(rows: pd.DataFrame) -> pd.DataFrame:
    """The key (80/80 union) and potential key accounts with the criterion that made each key."""
    st.caption(tr("segments.key_rule", cap=format_number(DEFAULT_PARAMS.potential_capability_min, current_lang())))
    c = count_key_accounts(rows)
    st.caption(tr("segments.key_counts", n=c.key, sales=c.by_sales_only, profit=c.by_profit_only, both=c.by_both))
    if c.no_cost:
        st.caption(tr("segments.key_no_cost", n=c.no_cost))
    if c.no_capability:
        st.caption(tr("segments.key_no_capability", n=c.no_capability, total=c.accounts))
    key = select_key_accounts(rows)
    is_key = key["key_account"].fillna(False).astype(bool)
    key = key.assign(
        key_kind=is_key.map({True: tr_text("segments.is_key"), False: tr_text("segments.is_potential")}),
        key_basis=[tr_text(f"key_basis.{b}") if isinstance(b, str) else "" for b in key["key_basis"]],
    )
    account_table(
        key,
        ["name", "key_kind", "key_basis", "channel", "region", "net_sales", "net_profit", "abc_class", "value_type"],
        money=["net_sales", "net_profit"],
        key="seg_key",
        height=360,
    )
    return key
