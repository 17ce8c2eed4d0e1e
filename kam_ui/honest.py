"""Say missing inputs on the pages: profit figures without cost data, untyped accounts, one defaulted tier."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kam_core.analytics.inputs import describe_health
from kam_core.i18n import format_pct
from kam_ui.lang import current_lang, tr_text, trn

NOTICE_CODES = ("cost_unknown", "one_tier_from_erp", "insufficient_evidence")


def show_notices(health: object) -> None:
    """A warning per data-health item that changes what the page's figures mean (see NOTICE_CODES)."""
    if not isinstance(health, list | tuple):
        return
    items = [i for i in health if isinstance(i, dict) and i.get("code") in NOTICE_CODES]
    for text in describe_health(items, current_lang()):
        st.warning(text, icon=":material/warning:")


def costed(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows whose profit figures exist (cost basis known or partial)."""
    return rows[rows["cost_basis"].ne("none")] if "cost_basis" in rows else rows


def cost_word(basis: object, coverage: object = None) -> str | None:
    """``no cost data`` / ``partial cost data (80%)`` in the page language; None when the cost is known."""
    if basis == "none":
        return tr_text("honest.cost_basis.none")
    if basis == "partial":
        cov = format_pct(float(coverage), current_lang(), 0) if coverage is not None and pd.notna(coverage) else "–"
        return tr_text("honest.cost_basis.partial", coverage=cov)  # our own figure: no markup
    return None


def mark_missing(source: pd.DataFrame, shown: pd.DataFrame) -> pd.DataFrame:
    """``shown`` (a localised copy of ``source``) with withheld codes said in words: pyramid tier and profit
    ABC class as "no cost data", the value type of an untyped account as "insufficient evidence"."""
    if "cost_basis" in source:
        none = source["cost_basis"].eq("none").reindex(shown.index, fill_value=False)
        for col in ("pyramid_tier", "abc_class_profit"):
            if col in shown:
                shown[col] = shown[col].astype(object).mask(none, tr_text("honest.cost_basis.none"))
    if "value_type_status" in source and "value_type" in shown:
        weak = source["value_type_status"].eq("insufficient_evidence").reindex(shown.index, fill_value=False)
        shown["value_type"] = (
            shown["value_type"].astype(object).mask(weak, tr_text("honest.value_type_status.insufficient_evidence"))
        )
    return shown


def show_untyped(rows: pd.DataFrame) -> None:
    """The accounts left untyped for insufficient evidence, with their evidence and imputed shares."""
    from kam_ui.components import account_table

    if "value_type_status" not in rows:
        return
    weak = rows[rows["value_type_status"].eq("insufficient_evidence")]
    if weak.empty:
        return
    st.caption(trn("plural.honest.untyped_caption", len(weak)))
    account_table(
        weak,
        ["name", "channel", "value_type", "value_type_evidence_share", "value_type_imputed_share"],
        pct=["value_type_evidence_share", "value_type_imputed_share"],
        key="seg_untyped",
        height=240,
    )


def costed_tiers(before: pd.DataFrame, now: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Pyramid tiers of two periods for a migration matrix, without the accounts that lack cost data in either
    period (a missing tier would otherwise read as "new" or "gone")."""
    uncosted = set(before["account_id"]) - set(costed(before)["account_id"])
    uncosted |= set(now["account_id"]) - set(costed(now)["account_id"])
    pick = lambda df: df[~df["account_id"].isin(uncosted)].set_index("account_id")["pyramid_tier"]  # noqa: E731
    return pick(before), pick(now)
