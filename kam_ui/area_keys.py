"""Plan page block: small-retail key accounts per area at a chosen level, owner assignment, areas with none."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from kam_core.analytics.area_keys import (
    DEFAULT_COVERAGE,
    DEFAULT_MAX_PER_AREA,
    LEVELS,
    compute_area_key_accounts,
    summarise_areas,
)
from kam_core.errors import UserError
from kam_core.filters import Filters
from kam_core.i18n import local_names
from kam_core.io.column_kinds import COUNT, TEXT
from kam_core.owners import assign_owner
from kam_core.queries.area import fetch_assignable_reps, fetch_region_tree
from kam_core.scope import Scope
from kam_ui import data
from kam_ui.components import account_table, empty_state
from kam_ui.lang import current_lang, tr, tr_fn, tr_text
from kam_ui.tables import show_table

LEVEL_KEY = "area_level"
FLASH_KEY = "_area_flash"
FORM_KEY = "area_assign"


@st.cache_data(ttl=300, max_entries=8, show_spinner=False)
def load_tree(url: str, scope_text: str, fingerprint: str) -> pd.DataFrame:
    """The region tree the viewer may list, with the ancestors of it (kam_core.queries.area)."""
    with data.engine_for(url).connect() as conn:
        return fetch_region_tree(conn, Scope.parse(scope_text))


@st.cache_data(ttl=300, max_entries=8, show_spinner=False)
def load_reps(url: str, scope_text: str, fingerprint: str, today: dt.date) -> pd.DataFrame:
    """Reps the viewer may hand an account to."""
    with data.engine_for(url).connect() as conn:
        return fetch_assignable_reps(conn, Scope.parse(scope_text), today)


@st.cache_data(ttl=300, max_entries=16, show_spinner=False)
def load_area_tables(
    url: str, start: dt.date | None, end: dt.date | None, scope_text: str, fingerprint: str, level: str, reps: tuple
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The region tree, the key accounts and the per-node summary of one period, scope and level (cached:
    a few hundred ms at 2,000 accounts, and the page reruns on every widget)."""
    everyone = data.shared_bundle(url, start, end, scope_text, fingerprint).scorecard
    tree = load_tree(url, scope_text, fingerprint)
    keys = compute_area_key_accounts(everyone, tree, level)
    return tree, keys, summarise_areas(keys, everyone, tree, level, dict(reps))


def _area_names(tree: pd.DataFrame) -> dict[str, str]:
    col = "name_en" if current_lang() == "en" else "name_zh"
    return dict(zip(tree["region_id"], tree[col].fillna(tree["name_zh"]), strict=True))


def _selected(tree: pd.DataFrame, summary: pd.DataFrame, regions: tuple[str, ...]) -> pd.DataFrame:
    """Keep the nodes inside (or above) the regions picked in the sidebar; all when none is picked."""
    if not regions:
        return summary
    path = dict(zip(tree["region_id"], tree["path"], strict=True))
    picked = tree.loc[tree["code"].isin(regions), "path"].tolist()

    def related(node: str) -> bool:
        p = path.get(node, "")
        return any(p == q or p.startswith(q + "/") or q.startswith(p + "/") for q in picked)

    # astype(bool): an empty object Series would select columns, not rows
    return summary[summary["area_id"].map(related).astype(bool)]


def _flash() -> None:
    outcome = st.session_state.pop(FLASH_KEY, None)
    if outcome:
        kind, text = outcome
        (st.success if kind == "success" else st.error)(text, icon=":material/info:")


def _assign(account_id: str, rep_id: str | None) -> None:
    if not rep_id:
        st.session_state[FLASH_KEY] = ("error", tr("area.pick_rep"))
        return
    try:
        changed = assign_owner(data.engine(), account_id, rep_id, data.viewer_identity(), data.viewer_scope())
    except UserError as exc:
        st.session_state[FLASH_KEY] = ("error", tr("area.refused", error=str(exc)))
        return
    data.data_changed()  # the owner is part of the scorecard: read it again
    st.session_state[FLASH_KEY] = ("success", tr("area.assigned" if changed else "area.unchanged", account=account_id))


def _assign_form(keys: pd.DataFrame, reps: pd.DataFrame) -> None:
    scope = data.viewer_scope()
    if scope.role == "rep":
        st.caption(tr("area.rep_cannot_assign"))
        return
    if keys.empty or reps.empty:
        return
    rep_label = dict(
        zip(reps["rep_id"], reps["name_en" if current_lang() == "en" else "name"].fillna(reps["name"]), strict=True)
    )
    acc_label = dict(zip(keys["account_id"], keys["area_name"] + " · " + keys["shown_name"], strict=True))
    with st.form(FORM_KEY, border=True):
        st.markdown(tr("area.assign"))
        left, right = st.columns(2)
        account_id = left.selectbox(tr("area.account"), list(acc_label), format_func=acc_label.get, key="area_acc")
        rep_id = right.selectbox(
            tr("area.owner"),
            list(rep_label),
            format_func=rep_label.get,
            index=None,
            placeholder=tr_text("area.pick_rep"),
            key="area_rep",
        )
        if st.form_submit_button(tr("area.assign_button"), icon=":material/person_add:"):
            _assign(account_id, rep_id)
            st.rerun()


def _missing_table(summary: pd.DataFrame, shown: pd.DataFrame, area_name: dict, level: str) -> None:
    """The nodes with no key account (no small-retail sales) or with a key account nobody owns."""
    missing = summary[summary["status"] != "ok"]
    st.markdown(tr("area.missing", n=len(missing), level=tr(f"area.level_{level}")))
    if missing.empty:
        empty_state("area.none_missing")
        return
    names = shown.groupby("area_id")["shown_name"].agg(lambda s: "、".join(map(str, s)))  # in the page's language
    cols = ["area_name", "status", "retail_accounts", "key_names"]
    table = missing.assign(
        area_name=missing["area_id"].map(area_name),
        status=missing["status"].map(tr_fn("area.status_")),
        key_names=missing["area_id"].map(names),  # none: shown as "—"
    )
    show_table(table[cols], kinds={"retail_accounts": COUNT, "area_name": TEXT, "status": TEXT}, key="area_missing")


def area_key_accounts(filters: Filters) -> None:
    """The block: level selector, key accounts per node with owners, the nodes with none, owner assignment."""
    st.caption(tr("area.caption", coverage=f"{DEFAULT_COVERAGE:.0%}", cap=DEFAULT_MAX_PER_AREA))
    _flash()
    level = (
        st.segmented_control(
            tr("area.level"), LEVELS, format_func=tr_fn("area.level_"), default="community", key=LEVEL_KEY
        )
        or "community"
    )
    url, scope_text = data.db_url(), str(data.viewer_scope())
    fingerprint = data.data_fingerprint(url)
    reps = load_reps(url, scope_text, fingerprint, dt.date.today())
    names = dict(
        zip(reps["rep_id"], reps["name_en" if current_lang() == "en" else "name"].fillna(reps["name"]), strict=True)
    )
    tree, keys, summary = load_area_tables(
        url, filters.start, filters.end, scope_text, fingerprint, level, tuple(sorted(names.items()))
    )
    summary = _selected(tree, summary, filters.region)
    keys = keys[keys["area_id"].isin(summary["area_id"])]
    area_name = _area_names(tree)
    if summary.empty:
        empty_state("area.no_areas", level=tr(f"area.level_{level}"))
        return
    shown = keys.assign(
        area_name=keys["area_id"].map(area_name),
        shown_name=local_names(keys, current_lang()),
        owner=keys["rep"].map(lambda r: names.get(r, r) if isinstance(r, str) else tr_text("area.no_owner")),
    )
    st.markdown(
        tr(
            "area.table",
            n=len(shown),
            areas=int((summary["status"] != "no_sales").sum()),
            level=tr(f"area.level_{level}"),
        )
    )
    account_table(
        shown,
        ["area_name", "name", "net_sales", "sales_share", "owner"],
        money=["net_sales"],
        pct=["sales_share"],
        key="area_keys",
        height=320,
    )
    _missing_table(summary, shown, area_name, level)
    _assign_form(shown, reps)
