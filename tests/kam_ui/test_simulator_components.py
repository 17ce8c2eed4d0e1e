"""The scenario form round-trips: a scenario poured into the form comes back out as the same scenario."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from kam_core.sim.scenario import load_scenario, scenario_to_dict

DESIGN_EXAMPLE = {
    "name": "summer push",
    "accounts": {"channel": ["DIST"], "region": [], "ids": []},
    "period": {"start": "2026-06-01", "end": "2026-08-31"},
    "case_price": 24.0,
    "volumes": {"AC00001": 1000.0},
    "response": "elastic",
    "draws": 200,
    "seed": 7,
    "programs": [
        {"type": "per_case", "amount_per_case": 3.0},
        {
            "type": "retro_tiered",
            "basis": "cases",
            "period": "quarter",
            "cap_amount": 50000.0,
            "tiers": [{"from": 1000, "rate_per_case": 2.0}, {"from": 3000, "rate_per_case": 4.0}],
        },
        {"type": "threshold", "basis": "net_sales", "threshold": 100000.0, "rate_pct": 1.5},
        {"type": "contest", "prizes": [5000, 3000]},
        {"type": "bottle_cap", "prize_value_per_case": 6.0, "redemption_rate": 1.0},
        {"type": "empty_exchange", "empties_per_free_case": 4, "return_rate": 1.0},
    ],
}


def _form_script():
    import datetime as dt
    import json

    import pandas as pd
    import streamlit as st

    from kam_ui import simulator_components as builder

    if "seeded" not in st.session_state:
        builder.seed_form(json.loads(st.session_state["incoming"]))
        st.session_state["seeded"] = True
    regions = pd.DataFrame({"code": ["R01"], "name_zh": ["华东"]})
    accounts = pd.DataFrame({"account_id": ["AC00001"], "name": ["上海一批"]})
    scenario = builder.basics(dt.date(2026, 5, 31))
    chosen, volumes = builder.selection(regions, accounts)
    st.session_state["out"] = json.dumps(
        {**scenario, "accounts": chosen, "volumes": volumes, "programs": builder.programs_editor()}
    )


@pytest.fixture
def form(monkeypatch):
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    at = AppTest.from_function(_form_script, default_timeout=30)
    # the page pours in what load_saved/load_scenario give back, i.e. the normalised JSON
    at.session_state["incoming"] = json.dumps(scenario_to_dict(load_scenario(DESIGN_EXAMPLE)))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_seeded_form_gives_back_the_same_scenario(form):
    assert load_scenario(json.loads(form.session_state["out"])) == load_scenario(DESIGN_EXAMPLE)


def test_editing_a_tier_rate_in_the_form_changes_only_that_program(form):
    uid = form.session_state["sim_programs"][0]["uid"]
    form.number_input(key=f"sim_p{uid}_amount_per_case").set_value(5.0).run()
    out = load_scenario(json.loads(form.session_state["out"]))
    assert out.programs[0].options["amount_per_case"] == 5.0
    assert out.programs[1:] == load_scenario(DESIGN_EXAMPLE).programs[1:]


def test_removing_a_program_drops_it(form):
    remove = [b for b in form.button if b.key and b.key.endswith("_remove")]
    remove[-1].click().run()
    out = load_scenario(json.loads(form.session_state["out"]))
    assert [p.type for p in out.programs] == ["per_case", "retro_tiered", "threshold", "contest", "bottle_cap"]


def _warnings_script():
    import streamlit as st

    from kam_ui.simulator_results import show_warnings

    show_warnings(st.session_state["result"])


def test_baseline_fallback_notices_show_in_the_readers_language_and_only_once(monkeypatch):
    from kam_core.sim.baseline import describe_notices

    notices = [{"code": "fallback", "accounts": 3}, {"code": "flat", "accounts": 3}]
    monkeypatch.setenv("KAM_DEFAULT_LANG", "zh")
    at = AppTest.from_function(_warnings_script, default_timeout=30)
    at.session_state["result"] = {
        "notices": notices,
        "warnings": ["no price_list rows", *describe_notices(notices, "en")],
    }
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    from kam_core.i18n.markup import shown_text

    shown = [shown_text(w.value) for w in at.warning]  # other warnings may quote values: escaped markdown
    assert shown == [*describe_notices(notices, "zh"), "no price_list rows"]
    assert shown[0].startswith("3 个客户没有上一年同月的历史")
