"""Accounts in the Simulator form by name: the label of each account in the reader's language and the volume
override table, where an account is picked by name and kept by id (the scenario JSON, docs/DESIGN.md §4)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kam_core.i18n import local_names
from kam_ui.lang import current_lang, tr


def volumes_editor(names: dict[str, str], gen: int, initial: pd.DataFrame | None) -> dict[str, float]:
    """Per-account volume overrides, the account picked by name; returns {account_id: cases}.

    ``gen`` versions the editor's key (it bumps when a scenario is loaded) and ``initial`` holds the loaded rows
    (account_id, cases). An id the viewer's list does not know (a loaded scenario's) stays as typed, so load_scenario names it.
    """
    if initial is None:
        initial = pd.DataFrame({"account_id": pd.Series(dtype=str), "cases": pd.Series(dtype=float)})
    shown = pd.DataFrame({"account": initial["account_id"].map(lambda i: names.get(i, i)), "cases": initial["cases"]})
    ids = {label: i for i, label in names.items()}
    options = list(names.values()) + [a for a in shown["account"] if a not in ids]
    edited = st.data_editor(
        shown.astype({"account": str}),
        key=f"sim_volumes_{gen}",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            "account": st.column_config.SelectboxColumn(tr("col.name"), options=options),
            "cases": st.column_config.NumberColumn(tr("col.volume_cases"), min_value=0.0),
        },
    )
    return {
        ids.get(r.account.strip(), r.account.strip()): r.cases
        for r in edited.itertuples()
        if isinstance(r.account, str) and r.account.strip() and pd.notna(r.cases)
    }


def account_labels(accounts: pd.DataFrame) -> dict[str, str]:
    """Account id → its name in the reader's language (English name where there is one); the id is added only
    to names two accounts share, so a picker never shows two identical entries."""
    if accounts.empty:
        return {}
    shown = pd.Series(list(local_names(accounts, current_lang())), index=accounts.index).fillna(accounts["account_id"])
    twin = shown.duplicated(keep=False)
    shown = shown.where(~twin, shown + " · " + accounts["account_id"])
    return dict(zip(accounts["account_id"], shown, strict=True))
