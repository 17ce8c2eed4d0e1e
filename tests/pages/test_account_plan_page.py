"""The account card's plan, settlement and sub-distributor sections, and the Simulator's settlement section,
in zh and en, on the tiny brewer."""

import datetime as dt
import json
from pathlib import Path

import pytest
from kam_tiny_db import seed_tiny, tiny_sqlite_url
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from kam_core.db import ensure_schema, get_engine
from kam_core.db.schema import account_plan_item, audit_log
from kam_core.i18n.markup import shown_text
from kam_core.scope import Scope

ROOT = Path(__file__).resolve().parents[2]
CARD, SIM = str(ROOT / "pages" / "account.py"), str(ROOT / "pages" / "simulator.py")
TABS = {"zh": ("结算方式对比", "客户档案与计划"), "en": ("Settlement modes", "Account plan")}
CREDIT_NOW = {"zh": "赊销 （当前）", "en": "Credit terms (current)"}


@pytest.fixture
def tiny_url(tmp_path, monkeypatch):
    url = tiny_sqlite_url(tmp_path / "kam.db")
    monkeypatch.setenv("KAM_DATABASE_URL", url)
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    return url


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_card(account_id: str) -> AppTest:
    at = AppTest.from_file(CARD, default_timeout=90)
    at.query_params["account"] = account_id
    return ok(at.run())


TABLES = {  # AppTest does not expose a table's key: tell them by their columns
    "settlement": {"mode", "npv_vs_cash"},
    "plan": {"title", "effect"},
    "history": {"table_name", "record_key"},
    "contacts": {"authority", "email"},
}


def frame(at: AppTest, kind: str, last: bool = False):
    found = [d.value for d in at.dataframe if TABLES[kind] <= set(d.value.columns)]
    assert found, f"no {kind} table"
    return found[-1] if last else found[0]


def submit(at: AppTest, form: str) -> AppTest:
    buttons = [b for b in at.button if form in str(b.id) or form in str(getattr(b, "form_id", ""))]
    assert buttons, f"no submit button in {form}"
    return ok(buttons[0].click().run())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_card_shows_settlement_plan_and_sub_distributors_in_both_languages(tiny_url, monkeypatch, lang):
    monkeypatch.setenv("KAM_DEFAULT_LANG", lang)
    at = open_card("A001")
    labels = [t.label for t in at.tabs]
    assert all(name in labels for name in TABS[lang])
    modes = frame(at, "settlement")
    assert len(modes) == 4 and CREDIT_NOW[lang] in set(modes.iloc[:, 0])
    metrics = {m.label: m.value for m in at.metric}
    count = {"zh": "下游客户数", "en": "Sub-accounts"}[lang]
    total = {"zh": "下游净销售额合计", "en": "Their net sales, total"}[lang]
    assert metrics[count] == "1"  # A002 余杭二批
    assert metrics[total] in ("¥5.9万", "¥58.8K")  # 300+350+400+300+250+500 cases × ¥28 in the 12 months
    texts = " ".join(shown_text(c.value) for c in at.caption)
    assumed = {"zh": "假定货物在到货 20 天后售出", "en": "assumed to sell 20 days after delivery"}[lang]
    assert assumed in texts


def test_a_plan_item_added_and_moved_through_the_forms_is_saved_audited_and_checked(tiny_url):
    at = open_card("A001")
    pre = "acct_plan_new_A001_"
    at.selectbox(key=pre + "kind").set_value("action")
    at.selectbox(key=pre + "action_type").set_value("senior_visit")
    at.text_input(key=pre + "title").set_value("总经理拜访 GM visit")
    at.text_input(key=pre + "owner").set_value("张三")
    at.selectbox(key=pre + "target_metric").set_value("volume_cases")
    at.number_input(key=pre + "target_value").set_value(7000.0)
    at.date_input(key=pre + "due_date").set_value(dt.date(2026, 6, 10))
    submit(at, "form_plan_new_A001")
    assert "Saved (version 2)" in at.success[0].value
    actions = frame(at, "plan", last=True)
    assert actions.iloc[0]["title"] == "总经理拜访 GM visit" and actions.iloc[0]["action_type"] == "Senior-level visit"
    # due 2026-06-10 (the last order date), past today: observed 6,300 cases against 7,000 → missed
    assert actions.iloc[0]["observed"] == 6300.0 and actions.iloc[0]["effect"] == "Missed"
    assert any("Missed" in shown_text(m.value) for m in at.markdown)
    with get_engine(tiny_url).connect() as conn:
        item = conn.execute(select(account_plan_item.c.plan_item_id)).scalar_one()
    edit = f"acct_plan_A001_{item}_"
    at.selectbox(key=edit + "status").set_value("done")
    submit(at, f"form_plan_edit_A001_{item}")
    assert "Saved (version 3)" in at.success[0].value
    with get_engine(tiny_url).connect() as conn:
        assert conn.execute(select(account_plan_item.c.status)).scalar_one() == "done"
        changes = conn.execute(
            select(audit_log.c.field, audit_log.c.new_value, audit_log.c.changed_by).where(
                audit_log.c.table_name == "account_plan_item", audit_log.c.action == "update"
            )
        ).all()
    assert changes == [("status", "done", "local-director")]
    assert "account_plan_item" in set(frame(at, "history")["table_name"])


def test_an_invalid_plan_item_shows_the_field_and_saves_nothing(tiny_url):
    at = open_card("A001")
    pre = "acct_plan_new_A001_"
    at.selectbox(key=pre + "kind").set_value("action")
    at.text_input(key=pre + "title").set_value("no type given")
    submit(at, "form_plan_new_A001")
    assert "action_type" in shown_text(at.error[0].value)
    with get_engine(tiny_url).connect() as conn:
        assert conn.execute(select(account_plan_item)).all() == []


def test_a_contact_saved_with_authority_and_email_shows_in_the_contacts_table(tiny_url):
    at = open_card("A001")
    pre = "acct_contact_A001_0_"
    at.text_input(key=pre + "name").set_value("钱总")
    at.selectbox(key=pre + "level").set_value("exec")
    at.selectbox(key=pre + "authority").set_value("decision_maker")
    at.text_input(key=pre + "email").set_value("qian@mart.cn")
    at.text_input(key=pre + "hobbies").set_value("高尔夫")
    submit(at, "form_contact_A001_0")
    contacts = frame(at, "contacts")
    row = contacts[contacts.iloc[:, 0] == "钱总"].iloc[0]
    assert "Decision maker" in set(row) and "qian@mart.cn" in set(row) and "高尔夫" in set(row)


def test_a_rep_sees_only_their_sub_accounts_and_cannot_plan_for_another_reps_account(tiny_url, monkeypatch):
    monkeypatch.setattr("kam_ui.data.viewer_scope", lambda: Scope("rep", "REP002"))
    at = open_card("A001")
    assert "A001 was not found" in at.warning[0].value and not at.tabs
    at = open_card("A003")
    assert any(t.label == "Account plan" for t in at.tabs)


@pytest.fixture
def sim_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    engine = get_engine(url)
    ensure_schema(engine)
    seed_tiny(engine, history=True)
    engine.dispose()
    monkeypatch.setenv("KAM_DATABASE_URL", url)
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    return url


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_simulator_compares_settlement_modes_for_the_scenario(sim_url, monkeypatch, lang):
    monkeypatch.setenv("KAM_DEFAULT_LANG", lang)
    at = ok(AppTest.from_file(SIM, default_timeout=120).run())
    at.date_input(key="sim_start").set_value(dt.date(2026, 7, 1))
    at.date_input(key="sim_end").set_value(dt.date(2026, 9, 30))
    at.selectbox(key="sim_settle_mode").set_value("consignment")
    at.number_input(key="sim_settle_rate").set_value(6.0)
    ok(at.run())
    ok(at.button(key="sim_run").click().run())
    table = frame(at, "settlement")
    chosen = {"zh": "代销实结 （方案）", "en": "Consignment (scenario)"}[lang]
    current = {"zh": "各客户现行方式", "en": "Each account's current mode"}[lang]
    assert chosen in set(table.iloc[:, 0]) and current in set(table.iloc[:, 0]) and len(table) == 5
    scenario = at.session_state["_sim_last"]["scenario"]
    assert scenario["settlement"] == {"mode": "consignment", "rate": 0.06}
    json.dumps(scenario)  # still plain JSON


def test_a_scenario_with_a_settlement_key_reopens_with_it(sim_url):
    from kam_ui import simulator_settlement

    at = ok(AppTest.from_file(SIM, default_timeout=120).run())
    assert at.selectbox(key="sim_settle_mode").value == simulator_settlement.KEEP
    assert any("Run the scenario" in shown_text(c.value) for c in at.caption)
