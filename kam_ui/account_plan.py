"""The account-plan tab (客户档案) of the account card, and the sub-distributor roll-up of the overview.

Plan items (the account's goals, our objectives, strategy, loyalty actions) are added and changed with
the card's save pattern (kam_ui.account_forms: checked against the version the user saw, scoped,
audited). After an item's due date the observed scorecard value is shown against its target.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from kam_core.db.schema import LOYALTY_ACTIONS, PLAN_KINDS, PLAN_STATUSES
from kam_core.i18n import format_date, format_money, format_number
from kam_core.io.column_kinds import NUMBER
from kam_core.profile import AccountProfile
from kam_core.profile.plan import FIELDS, TARGET_METRICS, add_plan_item, check_plan_effects, load_plan, update_plan_item
from kam_core.queries.account_plan import fetch_sub_distributors
from kam_ui import data
from kam_ui.account_components import table
from kam_ui.account_forms import _opened, _save, conflict_choice, form_prefix
from kam_ui.lang import current_lang, tr, tr_fn, tr_text
from kam_ui.tables import CODE, show_table

_CODES = {
    "kind": "account.plan_kind.",
    "status": "account.plan_status.",
    "action_type": "account.plan_action.",
    "target_metric": "account.metric.",
    "effect": "account.plan_effect.",
}
SHOWN = [
    "kind",
    "action_type",
    "title",
    "owner",
    "status",
    "due_date",
    "target_metric",
    "target_value",
    "observed",
    "effect",
]


def _observer(account_id: str):
    """``observe(metric, due)``: the account's scorecard value for the 12 months to ``due`` (cached)."""
    url, scope = data.db_url(), str(data.viewer_scope())

    def observe(metric: str, due: dt.date) -> float | None:
        view = data.shared_bundle(url, None, due, scope, data.data_fingerprint(url))
        row = view.scorecard.loc[view.scorecard["account_id"] == account_id]
        if row.empty or metric not in row:
            return None
        value = row[metric].iloc[0]
        return None if value is None or pd.isna(value) else float(value)

    return observe


def _plan_table(items: pd.DataFrame, key: str) -> None:
    shown = items[[c for c in SHOWN if c in items]]
    codes = {c: CODE + prefix.rstrip(".") for c, prefix in _CODES.items() if c in shown}
    figures = {c: NUMBER for c in ("target_value", "observed") if c in shown}  # the unit depends on the metric
    show_table(shown, {c: tr_text(f"account.plan.{c}") for c in shown.columns}, codes | figures, key=key)


def _item_widgets(pre: str, row: dict) -> None:
    """The fields of one plan item (prefilled from ``row``)."""
    c1, c2, c3 = st.columns(3)
    kind = row.get("kind") or "objective"
    c1.selectbox(
        tr("account.plan.kind"), PLAN_KINDS, PLAN_KINDS.index(kind), format_func=tr_fn(_CODES["kind"]), key=pre + "kind"
    )
    act = row.get("action_type")
    c2.selectbox(
        tr("account.plan.action_type"),
        LOYALTY_ACTIONS,
        LOYALTY_ACTIONS.index(act) if act in LOYALTY_ACTIONS else None,
        format_func=tr_fn(_CODES["action_type"]),
        key=pre + "action_type",
    )
    status = row.get("status") or "planned"
    c3.selectbox(
        tr("account.plan.status"),
        PLAN_STATUSES,
        PLAN_STATUSES.index(status),
        format_func=tr_fn(_CODES["status"]),
        key=pre + "status",
    )
    st.text_input(tr("account.plan.title"), row.get("title") or "", key=pre + "title", max_chars=200)
    st.text_area(tr("account.plan.detail"), row.get("detail") or "", key=pre + "detail", height=68)
    c1, c2, c3, c4 = st.columns(4)
    c1.text_input(tr("account.plan.owner"), row.get("owner") or "", key=pre + "owner")
    metric = row.get("target_metric")
    c2.selectbox(
        tr("account.plan.target_metric"),
        TARGET_METRICS,
        TARGET_METRICS.index(metric) if metric in TARGET_METRICS else None,
        format_func=tr_fn(_CODES["target_metric"]),
        key=pre + "target_metric",
    )
    value = row.get("target_value")
    c3.number_input(
        tr("account.plan.target_value"),
        value=None if value is None or pd.isna(value) else float(value),
        key=pre + "target_value",
    )
    due = row.get("due_date")
    c4.date_input(
        tr("account.plan.due_date"),
        None if due is None or pd.isna(due) else pd.Timestamp(due).date(),
        key=pre + "due_date",
    )


def _values(pre: str):
    return lambda: {n: st.session_state.get(pre + n) for n in FIELDS}


def add_form(p: AccountProfile) -> None:
    pre = f"acct_plan_new_{p.account_id}_"
    with st.form(key=f"form_plan_new_{p.account_id}", clear_on_submit=False):
        st.markdown(f"**{tr('account.plan.add')}**")
        _item_widgets(pre, {})
        st.form_submit_button(
            tr("account.field.save"),
            icon=":material/add_task:",
            on_click=_save,
            args=(add_plan_item, p.account_id, _values(pre)),
        )


def edit_form(p: AccountProfile, items: pd.DataFrame) -> None:
    if items.empty:
        return
    by_id = items.set_index("plan_item_id")
    kind = tr_fn(_CODES["kind"])
    chosen = st.selectbox(
        tr("account.plan.pick"),
        [int(i) for i in by_id.index],
        key=f"acct_plan_sel_{p.account_id}",
        format_func=lambda i: f"{kind(by_id.loc[i, 'kind'])} · {by_id.loc[i, 'title']}",
    )
    form = f"form_plan_edit_{p.account_id}_{chosen}"
    pre = form_prefix(form, f"acct_plan_{p.account_id}_{chosen}_")
    row = by_id.loc[chosen].to_dict()
    build = _values(pre)
    # the values the widgets show, as the widgets hold them: a save sends only the fields the user changed,
    # so a field someone else changed meanwhile merges, and the same field is a conflict with both values
    _opened(form, p.account_id, pre, _shown_values(row))
    conflict_choice(form)
    with st.form(key=form):
        st.markdown(f"**{tr('account.plan.edit')}**")
        _item_widgets(pre, row)
        st.form_submit_button(
            tr("account.field.save"),
            icon=":material/save:",
            on_click=_save,
            args=(update_plan_item, p.account_id, lambda: {**build(), "plan_item_id": chosen}, form, pre),
        )


def _shown_values(row: dict) -> dict:
    """A plan item's fields as :func:`_item_widgets` prefills them (blank text, no NaN, a date for the due date)."""
    out = {n: row.get(n) for n in FIELDS}
    for n, val in out.items():
        if val is not None and not isinstance(val, str) and pd.isna(val):
            out[n] = None
    out["kind"], out["status"] = out["kind"] or "objective", out["status"] or "planned"
    out["title"], out["detail"], out["owner"] = (out[n] or "" for n in ("title", "detail", "owner"))
    due = out["due_date"]
    out["due_date"] = None if due is None else pd.Timestamp(due).date()
    out["target_value"] = None if out["target_value"] is None else float(out["target_value"])
    return out


def plan_section(p: AccountProfile) -> None:
    """Goals, objectives and strategy; loyalty actions; the effect check; add and edit forms; the history."""
    items = load_plan(data.engine(), p.account_id, data.viewer_scope())
    dims = data.dimensions()
    if not items.empty:
        with st.spinner():
            items = check_plan_effects(items, _observer(p.account_id), dt.date.today(), dims.last_date)
    st.markdown(f"**{tr('account.plan.heading')}**")
    plans = items[items["kind"] != "action"] if not items.empty else items
    actions = items[items["kind"] == "action"] if not items.empty else items
    if plans.empty:
        st.caption(tr("account.plan.none"))
    else:
        _plan_table(plans, key=f"acct_plan_goals_{p.account_id}")
    st.markdown(f"**{tr('account.plan.loyalty_heading')}**")
    if actions.empty:
        st.caption(tr("account.plan.none"))
    else:
        _plan_table(actions, key=f"acct_plan_actions_{p.account_id}")
    _effects(items)
    add_form(p)
    edit_form(p, items)
    with st.expander(tr("account.plan.history")):
        hist = p.history[p.history["table_name"] == "account_plan_item"] if not p.history.empty else p.history
        table(hist, key=f"acct_plan_hist_{p.account_id}")


def _effects(items: pd.DataFrame) -> None:
    st.markdown(f"**{tr('account.plan.effect_heading')}**")
    targeted = items[items["effect"] != "none"] if not items.empty else items
    if targeted.empty:
        st.caption(tr("account.plan.no_targets"))
        return
    st.caption(tr("account.plan.effect_caption"))
    lang = current_lang()
    for r in targeted.itertuples():
        metric = tr(f"account.metric.{r.target_metric}")
        money = r.target_metric in ("net_sales", "gross_profit", "net_profit")
        fmt = (lambda x: format_money(x, lang)) if money else (lambda x: format_number(x, lang, 2))
        observed = fmt(r.observed) if pd.notna(r.observed) else "—"
        icon = {"met": ":material/check_circle:", "missed": ":material/cancel:"}.get(r.effect, ":material/schedule:")
        st.markdown(
            f"{icon} **{tr_text('account.plan_effect.' + r.effect)}** · {metric}: {observed} / {fmt(r.target_value)}"
            f" · {format_date(pd.Timestamp(r.due_date).date(), lang)}"
        )


def sub_distributors(p: AccountProfile) -> None:
    """The accounts this one supplies, with their sales over the last 12 months of data and the totals."""
    st.markdown(f"**{tr('account.subs.heading')}**")
    end = data.dimensions().last_date or dt.date.today()
    start = (pd.Timestamp(end) - pd.DateOffset(months=12) + pd.Timedelta(days=1)).date()
    with data.engine().connect() as conn:
        rows, totals = fetch_sub_distributors(conn, p.account_id, start, end, data.viewer_scope())
    if totals["count"] == 0 and totals["hidden"] == 0:
        st.caption(tr("account.subs.none"))
        return
    lang = current_lang()
    st.caption(tr("account.subs.window", start=format_date(start, lang), end=format_date(end, lang)))
    tiles = (
        ("count", format_number(totals["count"], lang)),
        ("ordering", format_number(totals["ordering"], lang)),
        ("net_sales", format_money(totals["net_sales"], lang)),
        ("cases", format_number(totals["cases"], lang)),
    )
    for col, (name, value) in zip(st.columns(4), tiles, strict=True):
        col.metric(tr(f"account.subs.{name}"), value, border=True)
    if totals["hidden"]:
        st.caption(tr("account.subs.hidden", n=totals["hidden"]))
    table(rows, key=f"acct_subs_roll_{p.account_id}", kinds={"tier_code": CODE + "channel"})  # names in lang
