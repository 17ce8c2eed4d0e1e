"""Account card (资料卡): /account?account=ID — profile, editable sections and history."""

import streamlit as st

from kam_ui import account_components as card
from kam_ui import account_forms as forms
from kam_ui import account_plan as plan
from kam_ui import account_settlement as settlement
from kam_ui.lang import tr

st.title(tr("account.title"))
account_id = card.pick_account()
if account_id is None:
    st.info(tr("account.pick"), icon=":material/search:")
    st.stop()

forms.show_flash()
profile = card.load_card(account_id)
if profile is None:
    st.stop()

card.header(profile)
st.caption(tr("account.editor", user=forms.editor_name()))
tabs = st.tabs(
    [
        tr(f"account.tab.{name}")
        for name in (
            "overview",
            "capabilities",
            "contacts",
            "visits",
            "satisfaction",
            "credit",
            "settlement",
            "plan",
            "history",
        )
    ]
)
with tabs[0]:
    card.overview_section(profile)
    forms.basic_form(profile)
with tabs[1]:
    card.capabilities_view(profile)
    forms.capabilities_form(profile)
with tabs[2]:
    card.table(
        profile.contacts,
        ["name", "level", "authority", "role", "phone", "email", "personality", "hobbies", "since"],
        key="acct_contacts",
    )
    forms.contacts_form(profile)
with tabs[3]:
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{tr('account.section.visits')}**")
        card.table(
            profile.visits,
            ["visit_date", "visit_type", "duration_min", "contact_level", "advice_given", "note", "created_by"],
            key="acct_visits",
        )
        forms.visit_form(profile)
    with right:
        st.markdown(f"**{tr('account.section.negotiations')}**")
        card.table(
            profile.negotiations, ["visit_date", "duration_min", "contact_level", "note", "created_by"], key="acct_negs"
        )
        forms.visit_form(profile, negotiation=True)
with tabs[4]:
    card.satisfaction_view(profile)
    forms.survey_form(profile)
with tabs[5]:
    card.credit_view(profile)
with tabs[6]:
    settlement.settlement_section(profile)
with tabs[7]:
    plan.plan_section(profile)
with tabs[8]:
    card.history_view(profile)
