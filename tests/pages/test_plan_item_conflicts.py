"""The account card's plan-item edit form when someone else edited the same item: merge, or both values in words."""

import datetime as dt
from pathlib import Path

import pytest
from kam_tiny_db import TODAY, tiny_sqlite_url
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from kam_core.db import get_engine
from kam_core.db.schema import account_plan_item
from kam_core.i18n.markup import shown_text
from kam_core.profile import edit_mark
from kam_core.profile.plan import add_plan_item, update_plan_item

CARD = str(Path(__file__).resolve().parents[2] / "pages" / "account.py")
ITEM = {"kind": "objective", "title": "JBP", "owner": "张三", "status": "planned", "due_date": dt.date(2026, 9, 30)}


@pytest.fixture
def engine(tmp_path, monkeypatch):
    url = tiny_sqlite_url(tmp_path / "kam.db")
    monkeypatch.setenv("KAM_DATABASE_URL", url)
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    eng = get_engine(url)
    add_plan_item(eng, "A001", edit_mark(eng), "lead", ITEM, today=TODAY)
    return eng


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _open() -> tuple[AppTest, int, str]:
    at = AppTest.from_file(CARD, default_timeout=90)
    at.query_params["account"] = "A001"
    ok(at.run())
    item = int(at.selectbox(key="acct_plan_sel_A001").value)
    return at, item, f"acct_plan_A001_{item}_"


def _submit(at: AppTest, item: int) -> AppTest:
    form = f"form_plan_edit_A001_{item}"
    (button,) = [b for b in at.button if form in str(getattr(b, "form_id", ""))]
    return ok(button.click().run())


def _row(engine, item: int) -> dict:
    with engine.connect() as conn:
        q = select(account_plan_item).where(account_plan_item.c.plan_item_id == item)
        return dict(conn.execute(q).mappings().one())


def test_an_unrelated_change_made_meanwhile_merges(engine):
    at, item, pre = _open()
    update_plan_item(engine, "A001", edit_mark(engine), "bob", {"plan_item_id": item, "status": "done"}, today=TODAY)
    at.text_input(key=pre + "owner").set_value("李四")
    _submit(at, item)
    assert not at.warning and at.success
    row = _row(engine, item)
    assert (row["status"], row["owner"]) == ("done", "李四")  # bob's status kept, the typed owner saved


def test_the_same_field_shows_both_values_and_save_mine_writes_the_typed_value(engine):
    at, item, pre = _open()
    update_plan_item(engine, "A001", edit_mark(engine), "bob", {"plan_item_id": item, "owner": "王五"}, today=TODAY)
    at.text_input(key=pre + "owner").set_value("李四")
    _submit(at, item)
    shown = shown_text(at.warning[0].value)
    assert "bob changed Owner to 王五 at" in shown and "you entered 李四" in shown
    assert _row(engine, item)["owner"] == "王五"  # nothing written
    at.run()  # the typed value survives a rerun
    assert at.text_input(key=pre + "owner").value == "李四" and at.warning
    ok(at.button(key=f"form_plan_edit_A001_{item}_save_mine").click().run())
    assert not at.warning and at.success
    assert _row(engine, item)["owner"] == "李四"


def test_keep_theirs_reloads_the_form_with_their_value_and_writes_nothing(engine):
    at, item, pre = _open()
    bob = {"plan_item_id": item, "status": "dropped"}
    update_plan_item(engine, "A001", edit_mark(engine), "bob", bob, today=TODAY)
    at.selectbox(key=pre + "status").set_value("in_progress")
    at.text_input(key=pre + "title").set_value("JBP 2027")
    _submit(at, item)
    shown = shown_text(at.warning[0].value)
    assert "bob changed Status to Dropped" in shown and "you entered In progress" in shown
    ok(at.button(key=f"form_plan_edit_A001_{item}_keep_theirs").click().run())
    pre = pre + "g1_"  # the reloaded form's widgets are new (new keys), so the browser shows their values
    assert not at.warning and at.selectbox(key=pre + "status").value == "dropped"
    assert at.text_input(key=pre + "title").value == "JBP"
    row = _row(engine, item)
    assert (row["status"], row["title"]) == ("dropped", "JBP")


def test_the_conflict_is_in_chinese_for_a_chinese_user(engine, monkeypatch):
    monkeypatch.setenv("KAM_DEFAULT_LANG", "zh")
    at, item, pre = _open()
    update_plan_item(engine, "A001", edit_mark(engine), "bob", {"plan_item_id": item, "owner": "王五"}, today=TODAY)
    at.text_input(key=pre + "owner").set_value("李四")
    _submit(at, item)
    shown = shown_text(at.warning[0].value)
    assert "bob 在" in shown and "把负责人改成了 王五" in shown and "你填的是 李四" in shown
