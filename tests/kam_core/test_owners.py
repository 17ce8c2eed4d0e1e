"""Assigning an account's owner (issue #14 item 3): scoped, attributed, transactional."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from kam_core.db.schema import account, account_owner_history, audit_log
from kam_core.errors import NotAuthorised, UserError
from kam_core.owners import assign_owner
from kam_core.scope import DIRECTOR, Scope
from tests.kam_area_db import seed_area

DAY = dt.date(2026, 7, 1)
MANAGER_A1 = Scope("manager", "A1")  # 上海: communities C1-C3; REP1 and REP3 are based there, REP2 in 杭州


@pytest.fixture
def engine(db_engine):
    seed_area(db_engine)
    return db_engine


def _state(engine) -> tuple:
    with engine.connect() as conn:
        owners = dict(conn.execute(select(account.c.account_id, account.c.owner_rep_id)).all())
        versions = dict(conn.execute(select(account.c.account_id, account.c.version)).all())
        audits = conn.execute(select(func.count()).select_from(audit_log)).scalar()
        history = conn.execute(select(func.count()).select_from(account_owner_history)).scalar()
    return owners, versions, audits, history


def test_a_manager_assigns_an_account_of_their_region_to_a_rep_of_it_with_audit_and_history(engine):
    assert assign_owner(engine, "r2", "REP3", "boss@brewer.cn", MANAGER_A1, today=DAY)
    owners, versions, _, _ = _state(engine)
    assert owners["r2"] == "REP3" and versions["r2"] == 2
    with engine.connect() as conn:
        audit = conn.execute(select(audit_log)).mappings().one()
        history = conn.execute(select(account_owner_history).order_by(account_owner_history.c.rep_id)).mappings().all()
    assert (audit["changed_by"], audit["table_name"], audit["record_key"], audit["field"]) == (
        "boss@brewer.cn",
        "account",
        "r2",
        "owner_rep_id",
    )
    assert (audit["old_value"], audit["new_value"], audit["action"]) == ("REP1", "REP3", "update")
    assert [(h["rep_id"], h["valid_from"], h["valid_to"]) for h in history] == [("REP3", DAY, None)]


def test_reassigning_closes_the_previous_owners_history_row(engine):
    assign_owner(engine, "r6", "REP2", "d", DIRECTOR, today=DAY)
    assign_owner(engine, "r6", "REP1", "d", DIRECTOR, today=DAY + dt.timedelta(days=3))
    with engine.connect() as conn:
        rows = conn.execute(
            select(account_owner_history.c.rep_id, account_owner_history.c.valid_to).order_by(
                account_owner_history.c.valid_from
            )
        ).all()
    assert [tuple(r) for r in rows] == [("REP2", DAY + dt.timedelta(days=3)), ("REP1", None)]


def test_assigning_the_current_owner_writes_nothing(engine):
    before = _state(engine)
    assert assign_owner(engine, "r1", "REP1", "d", DIRECTOR, today=DAY) is False
    assert _state(engine) == before


@pytest.mark.parametrize(
    ("scope", "acc", "rep", "error", "message"),
    [
        (Scope("rep", "REP1"), "r1", "REP3", NotAuthorised, "may not assign account owners"),
        (MANAGER_A1, "r6", "REP1", NotAuthorised, "outside your region"),
        (MANAGER_A1, "r1", "REP2", NotAuthorised, "not a rep of your region"),
        (DIRECTOR, "nope", "REP1", UserError, "'nope' is not an account"),
        (DIRECTOR, "r1", "REP9", UserError, "'REP9' is not a rep"),
    ],
    ids=["rep", "manager-account-elsewhere", "manager-rep-elsewhere", "unknown-account", "unknown-rep"],
)
def test_a_refused_assignment_says_why_and_writes_nothing(engine, scope, acc, rep, error, message):
    before = _state(engine)
    with pytest.raises(error, match=message):
        assign_owner(engine, acc, rep, "someone@brewer.cn", scope, today=DAY)
    assert _state(engine) == before
