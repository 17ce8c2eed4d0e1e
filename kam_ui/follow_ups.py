"""Plan page block: the open follow-ups (kam_core.analytics.follow_ups) and the form that closes one."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from kam_core.analytics.follow_ups import DEFAULT_RULES, list_open_follow_ups
from kam_core.analytics.holidays import YEARS
from kam_core.contacts import record_contact
from kam_core.db.schema import CONTACT_TYPES
from kam_core.errors import UserError
from kam_core.i18n import format_date, local_names
from kam_core.queries.follow_ups import FollowUpInputs, fetch_follow_up_inputs
from kam_core.scope import Scope
from kam_ui import data
from kam_ui.components import account_table, empty_state
from kam_ui.lang import current_lang, lbl, tr, tr_fn, tr_text

FLASH_KEY = "_followup_flash"
TYPE_KEY, DATE_KEY, NOTE_KEY, PICK_KEY, FORM_KEY = "fu_type", "fu_date", "fu_note", "fu_pick", "followup_close"
CARD_COLS = ["account_id", "channel", "region_path", "pyramid_tier", "key_account"]


@st.cache_data(ttl=60, max_entries=8, show_spinner=False)
def load_inputs(url: str, scope_text: str, as_of: dt.date, fingerprint: str) -> FollowUpInputs:
    """Dates, promotions, launches and closed follow-ups (cleared after every contact recorded here)."""
    with data.engine_for(url).connect() as conn:
        return fetch_follow_up_inputs(conn, Scope.parse(scope_text), as_of)


def task_text(kind: str, subject: object) -> str:
    """A follow-up in words (plain text: a table cell or a select option)."""
    if kind == "holiday":
        return tr_text("followup.holiday", festival=tr_text(f"festival.{subject}"))
    if kind in ("invite_promo", "invite_product"):
        return tr_text(f"followup.{kind}", name=subject)
    return tr_text(f"followup.{kind}")


def open_follow_ups(rows: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The open follow-ups of the filtered accounts on ``as_of``, with the account name and the task in words."""
    url = data.db_url()
    inputs = load_inputs(url, str(data.viewer_scope()), as_of, data.data_fingerprint(url))
    accounts = rows[CARD_COLS].merge(inputs.dates, on="account_id", how="left")
    # the first order on or before the period's end, from the scorecard's order-day aggregate; else the account's
    first = pd.to_datetime(rows["first_order_ever"], errors="coerce") if "first_order_ever" in rows else None
    fallback = pd.to_datetime(rows["first_order_date"], errors="coerce")
    accounts["first_order_date"] = (fallback if first is None else first.fillna(fallback)).to_numpy()
    tasks = list_open_follow_ups(
        accounts, as_of, inputs.promotions, inputs.products, inputs.enrolled, inputs.closed, DEFAULT_RULES
    )
    names = rows.set_index("account_id")
    tasks = tasks.join(names[["name", "name_en"]], on="account_id")
    tasks["task_text"] = [task_text(k, s) for k, s in zip(tasks["kind"], tasks["subject"], strict=True)]
    return tasks


def _close(task: pd.Series | None) -> None:
    if task is None:
        st.session_state[FLASH_KEY] = ("error", tr("followup.pick"))
        return
    values = {
        "contact_type": st.session_state.get(TYPE_KEY),
        "contact_date": st.session_state.get(DATE_KEY),
        "task": task["task"],
        "due_date": task["due"],
        "note": st.session_state.get(NOTE_KEY),
    }
    try:
        record_contact(data.engine(), task["account_id"], values, data.viewer_identity(), data.viewer_scope())
    except UserError as exc:
        st.session_state[FLASH_KEY] = ("error", tr("followup.refused", error=str(exc)))
        return
    load_inputs.clear()
    st.session_state[FLASH_KEY] = ("success", tr("followup.closed", task=task["task_text"]))


def _close_form(tasks: pd.DataFrame) -> None:
    labels = [
        f"{n} · {t} · {format_date(d, current_lang())}"
        for n, t, d in zip(local_names(tasks, current_lang()), tasks["task_text"], tasks["due"], strict=True)
    ]
    with st.form(FORM_KEY, border=True):
        st.markdown(tr("followup.close"))
        pick = st.selectbox(tr("followup.task"), range(len(tasks)), format_func=labels.__getitem__, key=PICK_KEY)
        left, mid = st.columns(2)
        left.selectbox(tr("followup.type"), CONTACT_TYPES, format_func=tr_fn("contact_type."), key=TYPE_KEY)
        mid.date_input(tr("followup.date"), value=dt.date.today(), max_value=dt.date.today(), key=DATE_KEY)
        st.text_input(tr("followup.note"), max_chars=2000, key=NOTE_KEY)
        if st.form_submit_button(tr("followup.close_button"), icon=":material/task_alt:"):
            _close(None if pick is None else tasks.iloc[int(pick)])
            st.rerun()


def follow_ups(rows: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The block: the cadence in words, the open follow-ups (most overdue first) and the closing form."""
    st.caption(tr("followup.caption", date=format_date(as_of, current_lang())))
    st.markdown(
        "  \n".join(
            tr("followup.cadence_rule", tier=lbl("pyramid_tier", t), days=d) for t, d in DEFAULT_RULES.contact_days
        )
    )
    if not YEARS[0] <= as_of.year <= YEARS[1]:
        st.warning(tr("followup.no_festivals", first=YEARS[0], last=YEARS[1]), icon=":material/event_busy:")
    outcome = st.session_state.pop(FLASH_KEY, None)
    if outcome:
        (st.success if outcome[0] == "success" else st.error)(outcome[1], icon=":material/info:")
    tasks = open_follow_ups(rows, as_of)
    if tasks.empty:
        empty_state("followup.none")
        return tasks
    overdue = int((tasks["overdue_days"] > 0).sum())
    st.markdown(tr("followup.count", n=len(tasks), overdue=overdue))
    account_table(tasks, ["name", "task_text", "opens", "due", "overdue_days"], key="plan_follow", height=360)
    _close_form(tasks.head(500))  # the most overdue first; a select of thousands is unusable
    return tasks
