"""The Simulator form's defaults (issue #15 item 9): a fresh run shows P10/P50/P90 bands at once, bottle caps and
empty-case returns start from docs/METHODS.md §5.2's realistic rates (not 100%), accounts are picked by name in
the reader's language; a scenario JSON without ``draws`` still means 0 draws."""

from pathlib import Path

import pytest
from kam_tiny_db import seed_tiny
from streamlit.testing.v1 import AppTest

from kam_core.db import ensure_schema, get_engine
from kam_core.profile.read import list_accounts
from kam_core.sim import spec

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "simulator.py")


@pytest.fixture
def tiny_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'kam.db'}"
    engine = get_engine(url)
    ensure_schema(engine)
    seed_tiny(engine, history=True)
    engine.dispose()
    monkeypatch.setenv("KAM_DATABASE_URL", url)
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    return url


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _add(at: AppTest, ptype: str) -> None:
    at.selectbox(key="sim_new_type").set_value(ptype)
    ok(at.button(key=next(b.key for b in at.button if b.label == "Add program")).click().run())


def test_a_fresh_run_shows_uncertainty_bands_without_touching_the_form(tiny_url):
    at = ok(AppTest.from_file(PAGE, default_timeout=120).run())
    assert at.number_input(key="sim_draws").value == 500 == spec.FORM_DRAWS
    ok(at.button(key="sim_run").click().run())
    labels = {m.label for m in at.metric}
    assert {"Incremental profit P10", "Incremental profit P50", "Incremental profit P90"} <= labels


def test_redemption_and_return_rates_start_from_the_methods_values(tiny_url):
    at = ok(AppTest.from_file(PAGE, default_timeout=120).run())
    _add(at, "bottle_cap")
    _add(at, "empty_exchange")
    rates = {
        n.key.split("_", 2)[-1]: n.value for n in at.number_input if n.key.endswith(("redemption_rate", "return_rate"))
    }
    assert rates == {"redemption_rate": 0.7, "return_rate": 0.6}


def test_the_account_picker_shows_names_in_the_language_not_ids(tiny_url):
    accounts = list_accounts(get_engine(tiny_url))
    at = ok(AppTest.from_file(PAGE, default_timeout=120).run())
    options = at.multiselect(key="sim_ids").options
    english = accounts["name_en"].where(accounts["name_en"].notna(), accounts["name"])
    assert sorted(options) == sorted(english)
    assert not set(options) & set(accounts["account_id"])  # no option is an id
    assert not any(a in o for o in options for a in accounts["account_id"])


def test_a_scenario_json_without_draws_or_rates_keeps_its_meaning_in_the_form(tiny_url):
    import json

    scenario = {
        "name": "old file",
        "period": {"start": "2026-07-01", "end": "2026-09-30"},
        "programs": [{"type": "bottle_cap", "prize_value_per_case": 6.0}],
    }
    at = AppTest.from_string(
        f"""
import json, streamlit as st
from kam_ui import simulator_components as b
if "seeded" not in st.session_state:
    b.seed_form(json.loads({json.dumps(json.dumps(scenario))}))
    st.session_state["seeded"] = True
b.basics(None)
b.programs_editor()
""",
        default_timeout=60,
    )
    ok(at.run())
    assert at.number_input(key="sim_draws").value == 0
    assert [n.value for n in at.number_input if n.key.endswith("redemption_rate")] == [spec.JSON_REDEMPTION_RATE]
