"""Edit forms of the account card. Each save runs in a submit callback, before the page re-reads the
card. A form remembers what the user saw when its widgets were created (the newest audit id and the values
shown); the basic and capability forms send only the fields the user changed, and kam_core checks each
against changes made since (kam_core.profile.edit). So a visit logged by someone else never blocks a save;
the same field changed by someone else is a real conflict: both values are shown in plain words
(kam_ui.account_conflict), the typed values stay in the form, and the user keeps theirs or saves their own.
Validation messages from kam_core name the field and the value.
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Callable

import pandas as pd
import streamlit as st

from kam_core.db.schema import ACCOUNT_STATUSES, CONTACT_AUTHORITIES, CONTACT_LEVELS, VISIT_TYPES
from kam_core.errors import UserError
from kam_core.profile import (
    AccountProfile,
    ConcurrentEditError,
    add_negotiation_note,
    add_survey_response,
    add_visit,
    delete_contact,
    update_account_fields,
    update_capabilities,
    upsert_contact,
)
from kam_core.profile.read import CAPABILITY_FIELDS
from kam_ui import data
from kam_ui.account_components import SEEN_VERSION_KEY, seen_mark
from kam_ui.account_conflict import conflict_text
from kam_ui.lang import tr, tr_fn

FLASH_KEY = "_acct_flash"
OPEN_KEY = "_acct_open"  # form key -> {"mark", "base", "prefix"}: what the user saw when the form opened
CONFLICT_KEY = "_acct_conflict"  # form key -> the refused save (edit, values, conflicts, latest mark)
GEN_KEY = "_acct_form_gen"  # form key -> how many times the form was reset (its widgets' keys carry it)
_INT_CAPS = {"sub_distributors", "terminals", "portfolio_complementarity", "loyalty_rating", "staff", "vehicles"}


def editor_name() -> str:
    """The signed-in e-mail, or "local-director" in the embedded single-user mode (kam_ui.data.viewer_identity)."""
    return data.viewer_identity()


def show_flash() -> None:
    """The outcome of the last save (success, validation error or conflict), shown once."""
    outcome = st.session_state.pop(FLASH_KEY, None)
    if outcome:
        kind, text = outcome
        {"success": st.success, "error": st.error, "conflict": st.warning}[kind](
            text,
            icon={
                "success": ":material/check_circle:",
                "error": ":material/error:",
                "conflict": ":material/sync_problem:",
            }[kind],
        )


def _norm(value) -> object:
    """A form or card value compared as the user sees it (blank = None, 3 == 3.0, True == 1)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, numbers.Number) and not isinstance(value, bool) and pd.isna(value):
        return None
    if isinstance(value, bool | numbers.Number):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _opened(form: str, account_id: str, prefix: str, base: dict | None) -> None:
    """Remember the mark and the values shown when the form's widgets are (re)created, not on every run:
    a widget keeps its value across runs, so the mark must be as old as what the widget shows."""
    if not any(k.startswith(prefix) for k in st.session_state):
        st.session_state.setdefault(OPEN_KEY, {})[form] = {"mark": seen_mark(account_id), "base": base}


def form_prefix(form: str, base: str) -> str:
    """The widget-key prefix of ``form``: ``base``, then a new one after each reset.

    The browser keeps what a keyed widget showed when only its default changes, so a form reset after a save
    (or "Keep theirs") would go on showing the old values while its remembered base holds the new ones: the
    next save would send an old value as a change and overwrite someone else's edit without a conflict. New
    keys make new widgets, drawn from the card as it is now.
    """
    gen = st.session_state.get(GEN_KEY, {}).get(form, 0)
    return base if gen == 0 else f"{base}g{gen}_"


def _reset(form: str, prefix: str) -> None:
    """Forget the form: its widgets are recreated (new keys) from the card as it is now, with a new mark."""
    for key in [k for k in st.session_state if str(k).startswith(prefix)]:
        del st.session_state[key]
    gens = st.session_state.setdefault(GEN_KEY, {})
    gens[form] = gens.get(form, 0) + 1
    st.session_state.get(OPEN_KEY, {}).pop(form, None)
    st.session_state.get(CONFLICT_KEY, {}).pop(form, None)


def _save(edit: Callable, account_id: str, build: Callable[[], object], form: str | None = None, prefix: str = ""):
    """Submit callback. With ``form`` (opened by :func:`_opened`) the form's mark is used and, when it
    remembered the values shown, only the fields the user changed are sent."""
    opened = st.session_state.get(OPEN_KEY, {}).get(form) if form else None
    mark = opened["mark"] if opened else seen_mark(account_id)
    values = build()
    if opened and opened["base"] is not None:
        values = {k: x for k, x in values.items() if _norm(x) != _norm(opened["base"].get(k))}
        if not set(values) - {"contact_id", "plan_item_id"}:
            st.session_state[FLASH_KEY] = ("success", tr("account.nothing_changed"))
            return
    _run(edit, account_id, mark, values, form, prefix)


def _run(edit: Callable, account_id: str, mark: int, values, form: str | None, prefix: str) -> None:
    version = st.session_state.get(SEEN_VERSION_KEY, {}).get(account_id)
    try:
        new = edit(data.engine(), account_id, mark, editor_name(), values, scope=data.viewer_scope())
    except ConcurrentEditError as exc:
        if form:  # shown by the form with the choice; the typed values stay in its widgets
            pending = {"edit": edit, "account_id": account_id, "values": values, "prefix": prefix}
            st.session_state.setdefault(CONFLICT_KEY, {})[form] = {
                **pending,
                "conflicts": exc.conflicts,
                "latest": exc.latest_mark,
            }
        else:
            st.session_state[FLASH_KEY] = ("conflict", conflict_text(exc.conflicts))
    except UserError as exc:
        st.session_state[FLASH_KEY] = ("error", tr("account.invalid", error=str(exc)))
    else:
        text = tr("account.saved", version=new) if new != version else tr("account.nothing_changed")
        st.session_state[FLASH_KEY] = ("success", text)
        if form and form in st.session_state.get(OPEN_KEY, {}):
            _reset(form, prefix)


def _keep_theirs(form: str, prefix: str) -> None:
    _reset(form, prefix)
    st.session_state[FLASH_KEY] = ("success", tr("account.edits.kept_theirs"))


def _save_mine(form: str) -> None:
    """Save the refused values over the changes the user has now seen (the conflict's latest mark)."""
    p = st.session_state.get(CONFLICT_KEY, {}).pop(form, None)
    if p:
        _run(p["edit"], p["account_id"], p["latest"], p["values"], form, p["prefix"])


def conflict_choice(form: str) -> None:
    """Above a form: the pending conflict in plain words, with "keep theirs" and "save mine"."""
    p = st.session_state.get(CONFLICT_KEY, {}).get(form)
    if not p:
        return
    st.warning(conflict_text(p["conflicts"]), icon=":material/sync_problem:")
    left, right = st.columns(2)
    left.button(
        tr("account.edits.keep_theirs"),
        key=f"{form}_keep_theirs",
        icon=":material/undo:",
        on_click=_keep_theirs,
        args=(form, p["prefix"]),
    )
    right.button(
        tr("account.edits.save_mine"),
        key=f"{form}_save_mine",
        icon=":material/save:",
        on_click=_save_mine,
        args=(form,),
    )


def _values(prefix: str, names: tuple[str, ...]) -> Callable[[], dict]:
    return lambda: {n: st.session_state.get(f"{prefix}{n}") for n in names}


def _label(kind: str, values: tuple[str, ...]) -> Callable[[str], str]:
    show = tr_fn(f"account.{kind}.")  # language bound now: Streamlit may format outside the run
    return lambda v: show(v) if v in values else "—"


def basic_form(p: AccountProfile) -> None:
    """Name, status, contact data, contract type, size and partnership flags."""
    form = f"form_basic_{p.account_id}"
    b, pre = p.basic, form_prefix(form, f"acct_basic_{p.account_id}_")
    names = (
        "name",
        "name_en",
        "status",
        "phone",
        "address",
        "contract_type",
        "outlets_served",
        "warehouse_capacity_cases",
        "exclusive_agreement",
        "data_sharing",
        "jbp_in_place",
    )
    shown = {n: b.get(n) for n in names}
    shown.update({f: bool(b.get(f)) for f in ("exclusive_agreement", "data_sharing", "jbp_in_place")})
    _opened(form, p.account_id, pre, shown)
    conflict_choice(form)
    with st.form(key=form):
        st.markdown(f"**{tr('account.section.edit_basic')}**")
        c1, c2, c3 = st.columns(3)
        c1.text_input(tr("account.field.name"), b["name"], key=pre + "name")
        c2.text_input(tr("account.field.name_en"), b.get("name_en") or "", key=pre + "name_en")
        c3.selectbox(
            tr("account.field.status"),
            ACCOUNT_STATUSES,
            ACCOUNT_STATUSES.index(b["status"]),
            format_func=_label("status", ACCOUNT_STATUSES),
            key=pre + "status",
        )
        c1.text_input(tr("account.field.phone"), b.get("phone") or "", key=pre + "phone")
        c2.text_input(tr("account.field.address"), b.get("address") or "", key=pre + "address")
        kinds = ("contractual", "noncontractual")
        c3.selectbox(
            tr("account.field.contract_type"),
            kinds,
            kinds.index(b["contract_type"]),
            format_func=_label("contract", kinds),
            key=pre + "contract_type",
        )
        c1.number_input(
            tr("account.field.outlets_served"), value=_int(b.get("outlets_served")), step=1, key=pre + "outlets_served"
        )
        c2.number_input(
            tr("account.field.warehouse_capacity_cases"),
            value=_num(b.get("warehouse_capacity_cases")),
            key=pre + "warehouse_capacity_cases",
        )
        for col, flag in zip((c1, c2, c3), ("exclusive_agreement", "data_sharing", "jbp_in_place"), strict=True):
            col.checkbox(tr(f"account.field.{flag}"), bool(b.get(flag)), key=pre + flag)
        st.form_submit_button(
            tr("account.field.save"),
            icon=":material/save:",
            on_click=_save,
            args=(update_account_fields, p.account_id, _values(pre, names), form, pre),
        )


def _str(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _int(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def capabilities_form(p: AccountProfile) -> None:
    """A new assessment dated today; blank fields keep the last assessment's value."""
    form = f"form_cap_{p.account_id}"
    pre = form_prefix(form, f"acct_cap_{p.account_id}_")
    names = (*CAPABILITY_FIELDS, "note")
    _opened(form, p.account_id, pre, {n: p.capabilities.get(n) for n in names})
    conflict_choice(form)
    with st.form(key=form):
        st.markdown(f"**{tr('account.section.edit_capabilities')}**")
        cols = st.columns(4)
        for i, name in enumerate(CAPABILITY_FIELDS):
            current = p.capabilities.get(name)
            if name in _INT_CAPS:
                cols[i % 4].number_input(tr(f"account.field.{name}"), value=_int(current), step=1, key=pre + name)
            else:
                cols[i % 4].number_input(tr(f"account.field.{name}"), value=_num(current), step=10000.0, key=pre + name)
        st.text_area(tr("account.field.note"), p.capabilities.get("note") or "", key=pre + "note", height=68)
        st.form_submit_button(
            tr("account.field.save"),
            icon=":material/save:",
            on_click=_save,
            args=(update_capabilities, p.account_id, _values(pre, names), form, pre),
        )


def _contact_label(contacts: pd.DataFrame) -> Callable[[int], str]:
    new, level = tr("account.field.new_contact"), tr_fn("account.level.")
    return lambda i: new if i == 0 else f"{contacts.loc[i, 'name']} · {level(contacts.loc[i, 'level'])}"


def contacts_form(p: AccountProfile) -> None:
    """Pick a contact (or "new"), edit it in a form; delete the picked one with its own button."""
    contacts = p.contacts.set_index("contact_id") if not p.contacts.empty else pd.DataFrame()
    options = [0, *[int(i) for i in contacts.index]]
    chosen = st.selectbox(
        tr("account.field.contact"),
        options,
        key=f"acct_contact_sel_{p.account_id}",
        format_func=_contact_label(contacts),
    )
    row = contacts.loc[chosen].to_dict() if chosen else {}
    form = f"form_contact_{p.account_id}_{chosen}"
    pre = form_prefix(form, f"acct_contact_{p.account_id}_{chosen}_")
    names = ("name", "level", "role", "phone", "authority", "email", "personality", "hobbies")
    shown = {n: (row.get(n) or ("buyer" if n == "level" else None)) for n in names} if chosen else None
    _opened(form, p.account_id, pre, shown)  # a new contact is sent whole; a change sends what was changed
    conflict_choice(form)
    with st.form(key=form):
        st.markdown(f"**{tr('account.section.edit_contact')}**")
        c1, c2 = st.columns(2)
        c1.text_input(tr("account.field.name"), row.get("name") or "", key=pre + "name")
        level = row.get("level") or "buyer"
        c2.selectbox(
            tr("account.field.level"),
            CONTACT_LEVELS,
            CONTACT_LEVELS.index(level),
            format_func=_label("level", CONTACT_LEVELS),
            key=pre + "level",
        )
        c1.text_input(tr("account.field.role"), row.get("role") or "", key=pre + "role")
        c2.text_input(tr("account.field.phone"), row.get("phone") or "", key=pre + "phone")
        authority = row.get("authority")
        c1.selectbox(
            tr("account.field.authority"),
            CONTACT_AUTHORITIES,
            CONTACT_AUTHORITIES.index(authority) if authority in CONTACT_AUTHORITIES else None,
            format_func=_label("authority", CONTACT_AUTHORITIES),
            key=pre + "authority",
        )
        c2.text_input(tr("account.field.email"), _str(row.get("email")), key=pre + "email")
        c1.text_input(tr("account.field.personality"), _str(row.get("personality")), key=pre + "personality")
        c2.text_input(tr("account.field.hobbies"), _str(row.get("hobbies")), key=pre + "hobbies")
        build = _values(pre, names)
        st.form_submit_button(
            tr("account.field.save"),
            icon=":material/save:",
            on_click=_save,
            args=(upsert_contact, p.account_id, lambda: {**build(), "contact_id": chosen or None}, form, pre),
        )
    if chosen:
        st.button(
            tr("account.field.delete_contact"),
            icon=":material/delete:",
            key=f"acct_contact_del_{chosen}",
            on_click=_save,
            args=(delete_contact, p.account_id, lambda: chosen),
        )


def visit_form(p: AccountProfile, negotiation: bool = False) -> None:
    """Record a visit, or a negotiation (type fixed, note required)."""
    kind = "neg" if negotiation else "visit"
    pre = f"acct_{kind}_{p.account_id}_"
    with st.form(key=f"form_{kind}_{p.account_id}"):
        st.markdown(f"**{tr('account.section.add_negotiation' if negotiation else 'account.section.add_visit')}**")
        c1, c2, c3 = st.columns(3)
        c1.date_input(tr("account.field.visit_date"), dt.date.today(), key=pre + "visit_date")
        types = tuple(v for v in VISIT_TYPES if v != "negotiation")
        if not negotiation:
            c2.selectbox(
                tr("account.field.visit_type"), types, format_func=_label("visit_type", types), key=pre + "visit_type"
            )
        c3.number_input(
            tr("account.field.duration_min"), value=60 if negotiation else 30, step=5, key=pre + "duration_min"
        )
        c1.selectbox(
            tr("account.field.contact_level"),
            CONTACT_LEVELS,
            index=None,
            format_func=_label("level", CONTACT_LEVELS),
            key=pre + "contact_level",
        )
        if not negotiation:
            c2.number_input(tr("account.field.travel_min"), value=0, step=5, key=pre + "travel_min")
            c3.checkbox(tr("account.field.advice_given"), key=pre + "advice_given")
        st.text_area(
            tr("account.field.negotiation_note" if negotiation else "account.field.note"), key=pre + "note", height=90
        )
        names = ("visit_date", "duration_min", "contact_level", "note") + (
            () if negotiation else ("visit_type", "travel_min", "advice_given")
        )
        st.form_submit_button(
            tr("account.field.save"),
            icon=":material/save:",
            on_click=_save,
            args=(add_negotiation_note if negotiation else add_visit, p.account_id, _values(pre, names)),
        )


def survey_form(p: AccountProfile) -> None:
    """Record an NPS (0-10) and/or CSAT (1-5) response."""
    pre = f"acct_survey_{p.account_id}_"
    with st.form(key=f"form_survey_{p.account_id}"):
        st.markdown(f"**{tr('account.section.add_survey')}**")
        c1, c2, c3, c4 = st.columns(4)
        c1.date_input(tr("account.field.response_date"), dt.date.today(), key=pre + "response_date")
        c2.selectbox(
            tr("account.field.respondent_role"),
            CONTACT_LEVELS,
            format_func=_label("level", CONTACT_LEVELS),
            key=pre + "respondent_role",
        )
        c3.number_input(tr("account.field.nps_0_10"), value=None, step=1, key=pre + "nps_0_10")
        c4.number_input(tr("account.field.csat_1_5"), value=None, step=1, key=pre + "csat_1_5")
        st.text_input(tr("account.field.comment"), key=pre + "comment")
        st.form_submit_button(
            tr("account.field.save"),
            icon=":material/save:",
            on_click=_save,
            args=(
                add_survey_response,
                p.account_id,
                _values(pre, ("response_date", "respondent_role", "nps_0_10", "csat_1_5", "comment")),
            ),
        )
