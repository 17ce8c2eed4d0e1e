"""Account plan items: create, edit, status; validation; scope refusal; audit; the effect check."""

import datetime as dt

import pandas as pd
import pytest
from kam_tiny_db import TODAY
from sqlalchemy import func, select

from kam_core.db.schema import account, account_contact, account_plan_item, audit_log
from kam_core.errors import UserError
from kam_core.profile import AccountNotFound, edit_mark, load_profile, upsert_contact
from kam_core.profile.plan import (
    add_plan_item,
    check_plan_effects,
    load_plan,
    set_plan_status,
    update_plan_item,
)
from kam_core.scope import Scope

REP1, REP2 = Scope.parse("rep:REP001"), Scope.parse("rep:REP002")
TRIAL = {
    "kind": "action",
    "action_type": "new_product_trial",
    "title": "新品试销 / trial the new lager first",
    "owner": "张三",
    "target_metric": "volume_cases",
    "target_value": 6000,
    "due_date": dt.date(2026, 6, 30),
}


def counts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(t)).scalar()
            for t in (account_plan_item, audit_log, account_contact)
        )


def version(engine, account_id="A001") -> int:
    with engine.connect() as conn:
        return conn.execute(select(account.c.version).where(account.c.account_id == account_id)).scalar()


def audit(engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(audit_log).order_by(audit_log.c.audit_id)).mappings()]


def test_a_rep_adds_a_loyalty_action_to_their_account_and_it_is_audited(tiny_engine):
    v = add_plan_item(tiny_engine, "A001", 1, "zhang@brew.cn", TRIAL, scope=REP1, today=TODAY)
    assert v == 2 == version(tiny_engine)
    items = load_plan(tiny_engine, "A001", REP1)
    assert len(items) == 1
    row = items.iloc[0]
    assert (row["kind"], row["action_type"], row["status"], row["owner"]) == (
        "action",
        "new_product_trial",
        "planned",
        "张三",
    )
    assert row["created_by"] == "zhang@brew.cn"
    rows = audit(tiny_engine)
    key = f"A001:plan:{int(row['plan_item_id'])}"
    assert {r["record_key"] for r in rows} == {key}
    assert {r["field"] for r in rows} == {
        "kind",
        "action_type",
        "title",
        "owner",
        "status",
        "target_metric",
        "target_value",
        "due_date",
    }
    assert all(r["changed_by"] == "zhang@brew.cn" and r["action"] == "insert" for r in rows)
    history = load_profile(tiny_engine, "A001", today=TODAY).history
    assert (history["table_name"] == "account_plan_item").sum() == len(rows)


def test_status_and_owner_changes_write_one_audit_row_per_changed_field(tiny_engine):
    v = add_plan_item(tiny_engine, "A001", 1, "alice", TRIAL, today=TODAY)
    item = int(load_plan(tiny_engine, "A001").iloc[0]["plan_item_id"])
    before = len(audit(tiny_engine))
    v = set_plan_status(
        tiny_engine, "A001", edit_mark(tiny_engine), "bob", {"plan_item_id": item, "status": "in_progress"}, today=TODAY
    )
    v = update_plan_item(
        tiny_engine,
        "A001",
        edit_mark(tiny_engine),
        "bob",
        {"plan_item_id": item, "status": "done", "owner": "李四", "title": TRIAL["title"]},
        today=TODAY,
    )
    assert v == 4
    changes = [(r["field"], r["old_value"], r["new_value"], r["action"]) for r in audit(tiny_engine)[before:]]
    assert changes == [
        ("status", "planned", "in_progress", "update"),
        ("status", "in_progress", "done", "update"),
        ("owner", "张三", "李四", "update"),
    ]
    assert load_plan(tiny_engine, "A001").iloc[0]["status"] == "done"
    assert (
        update_plan_item(tiny_engine, "A001", edit_mark(tiny_engine), "bob", {"plan_item_id": item, "status": "done"})
        == v
    )


def test_a_rep_editing_another_reps_account_is_refused_and_nothing_is_written(tiny_engine):
    before = counts(tiny_engine)
    with pytest.raises(AccountNotFound, match="A003"):
        add_plan_item(tiny_engine, "A003", 1, "zhang", TRIAL, scope=REP1, today=TODAY)
    v = add_plan_item(tiny_engine, "A003", 1, "li", TRIAL, scope=REP2, today=TODAY)
    item = int(load_plan(tiny_engine, "A003", REP2).iloc[0]["plan_item_id"])
    mid = counts(tiny_engine)
    with pytest.raises(AccountNotFound):
        set_plan_status(tiny_engine, "A003", v, "zhang", {"plan_item_id": item, "status": "dropped"}, scope=REP1)
    with pytest.raises(AccountNotFound):
        load_plan(tiny_engine, "A003", REP1)
    assert counts(tiny_engine) == mid and mid[0] == before[0] + 1
    assert version(tiny_engine, "A003") == v
    assert load_plan(tiny_engine, "A003", REP2).iloc[0]["status"] == "planned"


def test_a_plan_item_added_by_one_person_does_not_block_another_and_a_same_field_change_does(tiny_engine):
    from kam_core.profile import ConcurrentEditError, edit_mark

    mark = edit_mark(tiny_engine)  # alice opens the card
    add_plan_item(tiny_engine, "A001", mark, "bob", TRIAL, today=TODAY)  # bob adds an item
    assert add_plan_item(tiny_engine, "A001", mark, "alice", {**TRIAL, "title": "second"}, today=TODAY) == 3
    items = load_plan(tiny_engine, "A001")
    first = int(items.loc[items["title"] == TRIAL["title"], "plan_item_id"].iloc[0])
    mark = edit_mark(tiny_engine)  # both open the card again
    set_plan_status(tiny_engine, "A001", mark, "bob", {"plan_item_id": first, "status": "done"}, today=TODAY)
    before = counts(tiny_engine)
    with pytest.raises(ConcurrentEditError, match="bob") as err:
        set_plan_status(tiny_engine, "A001", mark, "alice", {"plan_item_id": first, "status": "dropped"}, today=TODAY)
    c = err.value.conflicts[0]
    assert (c.field, c.theirs, c.yours, c.changed_by) == ("status", "done", "dropped", "bob")
    assert counts(tiny_engine) == before and version(tiny_engine) == 4


def test_an_item_of_another_account_cannot_be_changed_through_this_one(tiny_engine):
    add_plan_item(tiny_engine, "A003", 1, "li", TRIAL, today=TODAY)
    item = int(load_plan(tiny_engine, "A003").iloc[0]["plan_item_id"])
    before = counts(tiny_engine)
    with pytest.raises(UserError, match=f"plan_item_id: {item} is not a plan item of account A001"):
        set_plan_status(tiny_engine, "A001", 1, "zhang", {"plan_item_id": item, "status": "done"})
    assert counts(tiny_engine) == before and version(tiny_engine) == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"kind": "wish"}, "kind"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"status": "maybe"}, "status"),
        ({"action_type": None}, "action_type"),
        ({"kind": "strategy"}, "action_type"),
        ({"target_metric": "happiness"}, "target_metric"),
        ({"target_value": "lots"}, "target_value"),
        ({"due_date": None}, "due_date"),
        ({"due_date": "30/06/2026"}, "due_date"),
        ({"colour": "red"}, "colour"),
    ],
    ids=[
        "unknown-kind",
        "no-title",
        "long-title",
        "unknown-status",
        "action-without-type",
        "type-on-a-strategy",
        "unknown-metric",
        "text-target",
        "target-without-due-date",
        "bad-date",
        "unknown-field",
    ],
)
def test_invalid_items_are_refused_naming_the_field_and_nothing_is_written(tiny_engine, change, field):
    before = counts(tiny_engine)
    with pytest.raises(UserError, match=field):
        add_plan_item(tiny_engine, "A001", 1, "alice", {**TRIAL, **change}, today=TODAY)
    assert counts(tiny_engine) == before and version(tiny_engine) == 1


def test_an_edit_that_would_break_the_target_is_refused(tiny_engine):
    v = add_plan_item(tiny_engine, "A001", 1, "alice", TRIAL, today=TODAY)
    item = int(load_plan(tiny_engine, "A001").iloc[0]["plan_item_id"])
    with pytest.raises(UserError, match="due_date"):
        update_plan_item(tiny_engine, "A001", v, "alice", {"plan_item_id": item, "due_date": None}, today=TODAY)
    assert version(tiny_engine) == v


def test_contacts_keep_authority_personality_hobbies_and_email(tiny_engine):
    values = {
        "name": "钱总",
        "level": "exec",
        "authority": "decision_maker",
        "personality": "稳重，重数据",
        "hobbies": "高尔夫",
        "email": "qian@mart.cn",
    }
    upsert_contact(tiny_engine, "A001", 1, "alice", values, today=TODAY)
    c = load_profile(tiny_engine, "A001").contacts.set_index("name").loc["钱总"]
    assert (c["authority"], c["personality"], c["hobbies"], c["email"]) == (
        "decision_maker",
        "稳重，重数据",
        "高尔夫",
        "qian@mart.cn",
    )
    before = counts(tiny_engine)
    for bad, field in (({"authority": "boss"}, "authority"), ({"email": "qian at mart"}, "email")):
        with pytest.raises(UserError, match=field):
            upsert_contact(tiny_engine, "A001", 2, "alice", {**values, **bad}, today=TODAY)
    assert counts(tiny_engine) == before


def _items(**over) -> pd.DataFrame:
    base = {"target_metric": "net_sales", "target_value": 100.0, "due_date": dt.date(2026, 3, 31), "status": "done"}
    return pd.DataFrame([{**base, **over}])


@pytest.mark.parametrize(
    "over, observed, effect",
    [
        ({}, 120.0, "met"),
        ({}, 80.0, "missed"),
        ({"target_metric": "dso", "target_value": 45.0}, 40.0, "met"),
        ({"target_metric": "dso", "target_value": 45.0}, 50.0, "missed"),
        ({"due_date": dt.date(2026, 9, 30)}, None, "pending"),
        ({"due_date": dt.date(2026, 6, 20)}, None, "awaiting_data"),
        ({"status": "dropped"}, None, "dropped"),
        ({"target_metric": None, "target_value": None, "due_date": None}, None, "none"),
    ],
    ids=["met", "missed", "lower-is-better-met", "lower-is-better-missed", "not-due", "no-data-yet", "dropped", "none"],
)
def test_the_effect_check_compares_the_observed_value_after_the_due_date(over, observed, effect):
    asked = []

    def observe(metric, due):
        asked.append((metric, due))
        return 120.0 if metric == "net_sales" and observed == 120.0 else observed

    out = check_plan_effects(_items(**over), observe, TODAY, data_end=dt.date(2026, 6, 10))
    assert out["effect"].iloc[0] == effect
    if effect in ("met", "missed"):
        assert out["observed"].iloc[0] == observed and asked == [
            (out["target_metric"].iloc[0], out["due_date"].iloc[0])
        ]
    else:
        assert asked == [] and pd.isna(out["observed"].iloc[0])


def test_the_effect_check_reads_the_real_scorecard_after_the_due_date(tiny_engine):
    from kam_core.queries.scorecard import compute_scorecard

    add_plan_item(tiny_engine, "A001", 1, "alice", {**TRIAL, "due_date": dt.date(2026, 6, 10)}, today=TODAY)

    def observe(metric, due):
        sc = compute_scorecard(tiny_engine, as_of=due)
        return float(sc.set_index("account_id").loc["A001", metric])

    out = check_plan_effects(load_plan(tiny_engine, "A001"), observe, TODAY, dt.date(2026, 6, 10))
    # A001 ordered 1000, 1050, 1100, 1000, 950, 1200 cases from January to June 2026
    assert out["observed"].iloc[0] == 6300.0 and out["effect"].iloc[0] == "met"
