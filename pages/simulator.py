"""Simulator (minimal frame version; the full scenario builder replaces this file)."""

from pathlib import Path

import streamlit as st

from kam_ui import tr
from kam_ui.components import empty_state
from kam_ui.data import engine, viewer_scope

st.header(tr("nav.simulator"))
path = Path(__file__).resolve().parent.parent / "data" / "scenarios" / "summer_push.json"
try:
    from kam_core.sim.scenario import load_scenario, run_scenario
except ImportError:
    load_scenario = None
if load_scenario is None or not path.exists():
    empty_state("minimal.simulator_missing")
else:
    st.caption(tr("minimal.simulator_intro", name=path.name))
    result = run_scenario(engine(), load_scenario(path), scope=viewer_scope())
    st.json(result["totals"])
