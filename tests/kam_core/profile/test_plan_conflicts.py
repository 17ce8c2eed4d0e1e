"""Two people edit the same plan item: unrelated fields merge, the same field is a conflict with both values."""

import datetime as dt

import pytest
from kam_tiny_db import TODAY
from sqlalchemy import select

from kam_core.db.schema import account_plan_item, audit_log
from kam_core.profile import ConcurrentEditError, edit_mark
from kam_core.profile.plan import add_plan_item, update_plan_item

ITEM = {
    "kind": "objective",
    "title": "JBP 签约 / sign the JBP",
    "owner": "张三",
    "status": "planned",
    "due_date": dt.date(2026, 9, 30),
}


def _item(engine, item_id: int) -> dict:
    with engine.connect() as conn:
        row = conn.execute(select(account_plan_item).where(account_plan_item.c.plan_item_id == item_id)).mappings()
        return dict(row.one())


def _updates(engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(
            select(audit_log.c.field, audit_log.c.new_value, audit_log.c.changed_by)
            .where(audit_log.c.table_name == "account_plan_item", audit_log.c.action == "update")
            .order_by(audit_log.c.audit_id)
        ).all()


@pytest.fixture
def item_id(tiny_engine) -> int:
    add_plan_item(tiny_engine, "A001", edit_mark(tiny_engine), "lead", ITEM, today=TODAY)
    with tiny_engine.connect() as conn:
        return int(conn.execute(select(account_plan_item.c.plan_item_id)).scalar_one())


def test_two_writers_changing_different_fields_both_land(tiny_engine, item_id):
    mark = edit_mark(tiny_engine)  # alice and bob open the same item
    update_plan_item(tiny_engine, "A001", mark, "bob", {"plan_item_id": item_id, "status": "in_progress"}, today=TODAY)
    update_plan_item(tiny_engine, "A001", mark, "alice", {"plan_item_id": item_id, "owner": "李四"}, today=TODAY)
    row = _item(tiny_engine, item_id)
    assert (row["status"], row["owner"], row["title"]) == ("in_progress", "李四", ITEM["title"])
    assert _updates(tiny_engine) == [("status", "in_progress", "bob"), ("owner", "李四", "alice")]


def test_the_same_field_is_refused_with_both_values_then_saved_knowingly(tiny_engine, item_id):
    mark = edit_mark(tiny_engine)
    bob = {"plan_item_id": item_id, "due_date": dt.date(2026, 10, 15)}
    update_plan_item(tiny_engine, "A001", mark, "bob", bob, today=TODAY)
    mine = {"plan_item_id": item_id, "due_date": dt.date(2026, 11, 1), "owner": "王五"}
    with pytest.raises(ConcurrentEditError) as err:
        update_plan_item(tiny_engine, "A001", mark, "alice", mine, today=TODAY)
    (c,) = err.value.conflicts  # the owner is no conflict: only bob's date is
    assert (c.field, c.theirs, c.yours, c.changed_by) == ("due_date", "2026-10-15", "2026-11-01", "bob")
    row = _item(tiny_engine, item_id)
    assert (row["due_date"], row["owner"]) == (dt.date(2026, 10, 15), "张三")  # nothing of alice's was written
    update_plan_item(tiny_engine, "A001", err.value.latest_mark, "alice", mine, today=TODAY)  # "save mine"
    row = _item(tiny_engine, item_id)
    assert (row["due_date"], row["owner"]) == (dt.date(2026, 11, 1), "王五")
    assert _updates(tiny_engine)[-2:] == [("due_date", "2026-11-01", "alice"), ("owner", "王五", "alice")]


def test_the_same_value_entered_by_both_is_no_conflict(tiny_engine, item_id):
    mark = edit_mark(tiny_engine)
    update_plan_item(tiny_engine, "A001", mark, "bob", {"plan_item_id": item_id, "status": "done"}, today=TODAY)
    update_plan_item(tiny_engine, "A001", mark, "alice", {"plan_item_id": item_id, "status": "done"}, today=TODAY)
    assert _item(tiny_engine, item_id)["status"] == "done"
