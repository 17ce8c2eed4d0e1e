"""The Simulator page on a tiny database with a year of history: build, run, save, reopen, compare."""

import datetime as dt
from pathlib import Path

import pytest
from kam_tiny_db import seed_tiny
from streamlit.testing.v1 import AppTest

from kam_core.db import ensure_schema, get_engine
from kam_core.i18n.markup import shown_text

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


def open_page(scenario: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=90)
    if scenario is not None:
        at.query_params["scenario"] = scenario
    return ok(at.run())


def fill_basics(at: AppTest, name: str = "summer push") -> None:
    at.text_input(key="sim_name").set_value(name)
    at.date_input(key="sim_start").set_value(dt.date(2026, 7, 1))
    at.date_input(key="sim_end").set_value(dt.date(2026, 9, 30))
    at.checkbox(key="sim_price_on").check()
    ok(at.run())
    at.number_input(key="sim_price").set_value(30.0)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def run(at: AppTest) -> AppTest:
    return ok(at.button(key="sim_run").click().run())


def saved_runs(url: str) -> list[str]:
    from kam_core.sim.scenario import list_saved

    return list(list_saved(get_engine(url))["name"])


def test_the_page_renders_with_a_default_scenario(tiny_url):
    at = open_page()
    assert at.title[0].value == "Rebate and promotion simulator"
    assert at.button(key="sim_run") is not None
    assert any("Run simulation" in c.value for c in at.caption)


def test_a_scenario_run_through_the_form_produces_results(tiny_url):
    at = open_page()
    fill_basics(at)
    run(at)
    m = metrics(at)
    assert at.subheader[0].value == "Result: summer push"
    assert m["Baseline cases"] != "0 cases" and m["Trade spend"] != "¥0"
    # ¥3 per case on every case: first-round incentive per case is exactly ¥3
    assert m["Incentive per case (first round)"] == "¥3.00"
    assert at.get("download_button")


def test_a_tiered_program_added_in_the_form_is_simulated_with_draws(tiny_url):
    at = open_page()
    fill_basics(at)
    at.selectbox(key="sim_new_type").set_value("retro_tiered")
    ok(at.button(key=next(b.key for b in at.button if b.label == "Add program")).click().run())
    assert len(at.expander) >= 3  # accounts, per-case, retro tiered
    at.number_input(key="sim_draws").set_value(200)
    run(at)
    m = metrics(at)
    assert {"Incremental profit P10", "Incremental profit P50", "Incremental profit P90"} <= set(m)


def test_an_impossible_period_names_the_field(tiny_url):
    at = open_page()
    fill_basics(at)
    at.date_input(key="sim_end").set_value(dt.date(2026, 6, 1))
    run(at)
    assert "period.end" in shown_text(at.error[0].value)  # escaped markdown (issue #13.2)
    assert not [s for s in at.subheader if s.value.startswith("Result")]


def test_a_saved_scenario_reopens_from_its_link(tiny_url):
    at = open_page()
    fill_basics(at, "autumn test")
    run(at)
    ok(at.button(key="sim_save").click().run())
    assert saved_runs(tiny_url) == ["autumn test"]
    run_id = at.session_state["scenario"]
    assert at.text_input(key="scenario").value == run_id
    assert any(f"#{run_id}" in s.value for s in at.success)

    again = open_page(run_id)
    assert again.text_input(key="sim_name").value == "autumn test"
    assert again.date_input(key="sim_start").value == dt.date(2026, 7, 1)
    assert again.subheader[0].value == "Result: autumn test"
    assert metrics(again)["Trade spend"] == metrics(at)["Trade spend"]


def test_an_unknown_scenario_link_gives_a_notice(tiny_url):
    at = open_page("999")
    assert "no saved scenario 999" in at.warning[0].value


def test_two_saved_scenarios_compare_with_charts_and_a_table(tiny_url):
    from kam_core.sim.scenario import load_scenario, run_scenario, save_scenario

    engine = get_engine(tiny_url)
    ids = []
    for amount in (2.0, 4.0):
        s = load_scenario(
            {
                "name": f"¥{amount:g}/case",
                "period": {"start": "2026-07-01", "end": "2026-09-30"},
                "case_price": 30.0,
                "draws": 100,
                "programs": [{"type": "per_case", "amount_per_case": amount}],
            }
        )
        ids.append(save_scenario(engine, s, run_scenario(engine, s), "tester"))
    at = open_page()
    at.multiselect(key="sim_compare").set_value(ids)
    ok(at.run())
    assert len(at.get("plotly_chart")) == 2
    table = at.dataframe[-1].value  # labelled and formatted (tests/pages/test_simulator_tables.py checks the words)
    assert table.loc["Rebate cost"].iloc[2].endswith("(+100.0%)")  # ¥4 a case costs twice ¥2 a case


def test_the_trace_shows_the_picked_account_only(tiny_url):
    at = open_page()
    fill_basics(at)
    run(at)
    options = at.selectbox(key="sim_trace_account").options
    assert len(options) >= 2
    assert options[:2] == ["Hangzhou Dist", "Yuhang Wholesale"]  # picked by name (A001, A002), not by id
    for account_id, name in (("A001", "Hangzhou Dist"), ("A002", "Yuhang Wholesale")):
        ok(at.selectbox(key="sim_trace_account").set_value(account_id).run())
        traces = [d.value for d in at.dataframe if {"Name", "Program", "Earned"} <= set(d.value.columns)]
        assert len(traces) == 1 and set(traces[0]["Name"]) == {name}  # the account by name, not its id
