"""The Plan page on the literal area brewer (issue #14): area key accounts at a chosen level, owner
assignment from the page, the communities with none, the follow-ups and closing one."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kam_core.db import get_engine
from kam_core.db.schema import account, audit_log, contact_log
from kam_core.i18n import t
from kam_core.i18n.markup import shown_text
from tests.kam_area_db import area_sqlite_url

pytest.importorskip("streamlit.testing.v1")
from streamlit.testing.v1 import AppTest  # noqa: E402


@pytest.fixture
def plan(tmp_path, launcher, monkeypatch):
    """The Plan page in English, local director mode, on a fresh copy of the area brewer."""
    url = area_sqlite_url(tmp_path / "area.db")
    monkeypatch.setenv("KAM_DATABASE_URL", url)
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    at = AppTest.from_file(launcher, default_timeout=180)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("p/plan.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at, get_engine(url)


TABLES = {  # AppTest shows a table's frame with its column names (the labels are column configuration)
    "area_keys": {"area_name", "sales_share", "owner"},
    "area_missing": {"area_name", "status", "key_names"},
    "plan_follow": {"task_text", "opens", "due"},
}


def _frame(at: AppTest, table: str):
    return next(d.value for d in at.dataframe if TABLES[table] <= set(d.value.columns))


def _markdown(at: AppTest) -> list[str]:
    return [shown_text(m.value) for m in at.markdown]


def test_the_plan_page_shows_its_sections_in_order(plan):
    at, _ = plan
    heads = [s.value for s in at.subheader]
    want = ["plan.budget", "area.title", "plan.cadence", "plan.overdue", "plan.followups"]
    assert [h for h in heads if h in {t(k, "en") for k in want}] == [t(k, "en") for k in want]
    assert not at.error, [e.value for e in at.error]


def test_every_community_gets_its_key_accounts_and_the_one_without_retail_sales_is_listed(plan):
    at, _ = plan
    assert at.segmented_control(key="area_level").value == "community"
    keys = _frame(at, "area_keys")
    got = keys.groupby("area_name")["name"].agg(list).to_dict()
    # 浦东 C1: r1 3,360, r2 1,680 (90 % of 5,544), r3 504 out; 徐汇 C2: r4 (d1 is a distributor); 西湖 C4: r6
    assert got == {"Pudong": ["Shop R1", "Shop R2"], "Xuhui": ["Shop R4"], "Xihu": ["Shop R6"]}
    assert keys.set_index("name").loc["Shop R6", "owner"] == t("area.no_owner", "en")
    missing = _frame(at, "area_missing").set_index("area_name")["status"].to_dict()
    assert missing == {"Jing'an": t("area.status_no_sales", "en"), "Xihu": t("area.status_unowned", "en")}
    assert _frame(at, "area_missing").set_index("area_name").loc["Xihu", "key_names"] == "Shop R6"  # in English
    assert t("area.table", "en", n=4, areas=3, level=t("area.level_community", "en")) in _markdown(at)


def test_choosing_the_area_level_regroups_the_key_accounts(plan):
    at, _ = plan
    at.segmented_control(key="area_level").set_value("area").run()
    assert not at.exception, [e.value for e in at.exception]
    keys = _frame(at, "area_keys")
    got = keys.groupby("area_name")["name"].agg(list).to_dict()
    assert got == {"Shanghai": ["Shop R1", "Shop R4", "Shop R2"], "Hangzhou": ["Shop R6"]}
    assert "Jing'an" not in set(_frame(at, "area_missing")["area_name"])


def test_assigning_an_owner_on_the_page_writes_it_with_the_viewer_in_the_audit(plan):
    at, engine = plan
    at.selectbox(key="area_acc").set_value("r6")
    at.selectbox(key="area_rep").set_value("REP2")
    next(b for b in at.button if b.label == t("area.assign_button", "en")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [shown_text(s.value) for s in at.success] == [t("area.assigned", "en", account="r6")]
    with engine.connect() as conn:
        assert conn.execute(select(account.c.owner_rep_id).where(account.c.account_id == "r6")).scalar() == "REP2"
        assert conn.execute(select(audit_log.c.changed_by, audit_log.c.new_value)).all() == [("local-director", "REP2")]
    assert "Xihu" not in set(_frame(at, "area_missing")["area_name"])  # now owned


def test_the_follow_ups_list_the_new_accounts_greeting_and_closing_it_removes_it(plan):
    at, engine = plan
    tasks = _frame(at, "plan_follow")
    task_col, name_col = "task_text", "name"
    greeting = t("followup.greeting", "en")
    assert greeting in set(tasks.loc[tasks[name_col] == "Shop R6", task_col])
    invite = t("followup.invite_promo", "en", name="夏日畅饮")
    assert set(tasks.loc[tasks[task_col] == invite, name_col]) == {"Shop R2", "Shop R3", "Shop R4", "Shop R5"}
    options = at.selectbox(key="fu_pick").options
    pick = next(i for i, o in enumerate(options) if o.startswith(f"Shop R6 · {greeting}"))
    at.selectbox(key="fu_pick").set_value(pick)
    at.selectbox(key="fu_type").set_value("call")
    next(b for b in at.button if b.label == t("followup.close_button", "en")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [shown_text(s.value) for s in at.success] == [t("followup.closed", "en", task=greeting)]
    tasks = _frame(at, "plan_follow")
    assert greeting not in set(tasks.loc[tasks[name_col] == "Shop R6", task_col])
    with engine.connect() as conn:
        rows = conn.execute(select(contact_log.c.account_id, contact_log.c.contact_type, contact_log.c.task)).all()
    assert rows == [("r6", "call", "greeting")]


AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x" * 32,
    "client_id": "id",
    "client_secret": "secret",
    "server_metadata_url": "https://login.example.com/.well-known/openid-configuration",
}


def _signed_in(tmp_path, launcher, monkeypatch, email: str, role: str, scope_id: str | None):
    from kam_core.scope import DIRECTOR
    from kam_core.users import save_user

    url = area_sqlite_url(tmp_path / "area.db")
    save_user(get_engine(url), DIRECTOR, email, role, scope_id)
    monkeypatch.setenv("KAM_DATABASE_URL", url)
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    at = AppTest.from_file(launcher, default_timeout=180)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": email, "name": role}
    at.run()
    at.switch_page("p/plan.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at, get_engine(url)


def test_a_manager_assigns_only_within_their_region_and_is_named_in_the_audit(tmp_path, launcher, monkeypatch):
    at, engine = _signed_in(tmp_path, launcher, monkeypatch, "boss.sh@brewer.cn", "manager", "A1")
    offered = set(at.selectbox(key="area_acc").options)
    assert offered == {"Pudong · Shop R1", "Pudong · Shop R2", "Xuhui · Shop R4"}  # 杭州's r6 is not offered
    assert set(at.selectbox(key="area_rep").options) == {"Zhang San", "Wang Wu"}  # 杭州's 李四 is not offered
    at.selectbox(key="area_acc").set_value("r2")
    at.selectbox(key="area_rep").set_value("REP3")
    next(b for b in at.button if b.label == t("area.assign_button", "en")).click().run()
    assert [shown_text(s.value) for s in at.success] == [t("area.assigned", "en", account="r2")]
    with engine.connect() as conn:
        written = select(audit_log.c.changed_by, audit_log.c.old_value, audit_log.c.new_value)
        assert conn.execute(written.where(audit_log.c.table_name == "account")).all() == [
            ("boss.sh@brewer.cn", "REP1", "REP3")
        ]


def test_a_rep_sees_their_key_accounts_but_no_assignment_form(tmp_path, launcher, monkeypatch):
    at, engine = _signed_in(tmp_path, launcher, monkeypatch, "zhang@brewer.cn", "rep", "REP1")
    assert t("area.rep_cannot_assign", "en") in [shown_text(c.value) for c in at.caption]
    assert not [s for s in at.selectbox if s.key == "area_acc"]
    keys = _frame(at, "area_keys")
    assert "Shop R6" not in set(keys["name"])  # not theirs
    with engine.connect() as conn:
        assert conn.execute(select(audit_log).where(audit_log.c.table_name == "account")).all() == []


def test_a_region_filter_keeps_the_nodes_inside_it_and_the_ones_above_it(plan):
    at, _ = plan
    at.multiselect(key="region").set_value(["C1"]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert set(_frame(at, "area_keys")["area_name"]) == {"Pudong"}
    at.multiselect(key="region").set_value(["S1"]).run()
    at.segmented_control(key="area_level").set_value("street").run()
    assert set(_frame(at, "area_keys")["area_name"]) == {"Lujiazui"}
    at.segmented_control(key="area_level").set_value("region").run()
    assert set(_frame(at, "area_keys")["area_name"]) == {"East"}  # the region above the picked street
