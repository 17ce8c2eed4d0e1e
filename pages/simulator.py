"""Simulator: /simulator?scenario=ID — build, run, save, reopen and compare rebate/promotion scenarios."""

import streamlit as st

from kam_ui import data
from kam_ui import simulator_components as builder
from kam_ui import simulator_results as results
from kam_ui import simulator_settlement as settlement
from kam_ui.account_components import accounts_in_scope
from kam_ui.account_forms import editor_name
from kam_ui.filters import current_filters, share_url
from kam_ui.lang import tr

st.title(tr("sim.title"))
sim = results.sim_api()
if sim is None:
    st.stop()

engine, dims, filters = data.engine(), data.dimensions(), current_filters()
saved = sim.list_saved(engine, data.viewer_scope(), data.viewer_identity())
run_id = results.saved_picker(saved)
results.upload_json(sim, builder.seed_form)
results.show_flash()
if run_id is not None:
    results.open_saved(sim, run_id, builder.seed_form)

with st.container(border=True):
    st.markdown(f"**{tr('sim.section.basics')}**")
    scenario = builder.basics(dims.last_date)
    with st.expander(tr("sim.section.accounts")):
        accounts, volumes = builder.selection(dims.regions, accounts_in_scope(), filters.channel, filters.region)
    st.markdown(f"**{tr('sim.section.programs')}**")
    programs = builder.programs_editor()
    with st.expander(tr("sim.settle.heading")):
        settle = settlement.inputs()
    scenario_json = {**scenario, "accounts": accounts, "volumes": volumes, "programs": programs}
    if settle is not None:  # optional key, kept with the scenario (kam_ui.simulator_settlement)
        scenario_json["settlement"] = settle
    if st.button(tr("sim.run"), type="primary", icon=":material/play_arrow:", key="sim_run"):
        results.run_from_form(sim, scenario_json)

results.show_last(sim, editor_name(), lambda extra: share_url(filters, extra))
settlement.section(st.session_state.get(results.LAST_KEY))
st.divider()
results.compare(sim, saved)
