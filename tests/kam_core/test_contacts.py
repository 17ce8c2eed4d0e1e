"""Recording contacts and closing follow-ups (issue #14 item 7) on the literal area brewer."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select

from kam_core.analytics.follow_ups import list_open_follow_ups
from kam_core.contacts import record_contact
from kam_core.db.schema import audit_log, contact_log
from kam_core.errors import NotAuthorised, UserError
from kam_core.queries.follow_ups import fetch_follow_up_inputs
from kam_core.scope import DIRECTOR, Scope
from tests.kam_area_db import ACCOUNTS, AS_OF, seed_area


@pytest.fixture
def engine(db_engine):
    seed_area(db_engine)
    return db_engine


def _open(engine, scope=DIRECTOR) -> pd.DataFrame:
    with engine.connect() as conn:
        inputs = fetch_follow_up_inputs(conn, scope, AS_OF)
    ids = pd.DataFrame({"account_id": [a for a, *_ in ACCOUNTS]})
    accounts = ids.merge(inputs.dates, on="account_id", how="left").assign(
        channel=lambda d: d["account_id"].map({"d1": "DIST", "k1": "KA"}).fillna("RETAIL"),
        region_path=lambda d: d["account_id"].map({"r6": "R1/A2/C4/S5"}).fillna("R1/A1/C1/S1"),
        pyramid_tier="iron",
        first_order_date=lambda d: d["account_id"].map({"r6": dt.date(2026, 6, 28)}).fillna(dt.date(2026, 1, 10)),
        key_account=lambda d: d["account_id"].isin(["r1", "r4"]),
    )
    return list_open_follow_ups(
        accounts, AS_OF, inputs.promotions, inputs.products, inputs.enrolled, inputs.closed
    ).set_index(["account_id", "task"])


def _counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(contact_log)).scalar(),
            conn.execute(select(func.count()).select_from(audit_log)).scalar(),
        )


def test_the_reads_give_first_order_last_contact_and_the_open_invitations(engine):
    with engine.connect() as conn:
        inputs = fetch_follow_up_inputs(conn, DIRECTOR, AS_OF)
    dates = inputs.dates.set_index("account_id")
    assert "r5" not in dates.index  # never contacted, never surveyed
    assert pd.Timestamp(dates.loc["r1", "last_contact_date"]) == pd.Timestamp(2026, 6, 25)
    assert inputs.promotions["promo_id"].tolist() == ["P1"] and inputs.products["sku_id"].tolist() == ["SKU2"]
    tasks = _open(engine)
    assert tasks.loc[("r6", "greeting"), "due"] == dt.date(2026, 6, 30)
    assert ("r1", "invite_promo:P1") not in tasks.index  # visited on 25 June, after the invitation opened (21 June)
    assert ("r2", "invite_promo:P1") in tasks.index and ("d1", "invite_promo:P1") not in tasks.index
    assert ("r4", "invite_product:SKU2") in tasks.index


def test_closing_a_follow_up_by_a_call_removes_it_and_is_attributed(engine):
    values = {
        "contact_type": "call",
        "contact_date": AS_OF,
        "task": "greeting",
        "due_date": "2026-06-30",
        "note": "欢迎",
    }
    cid = record_contact(engine, "r6", values, "rep@brewer.cn", DIRECTOR, today=AS_OF)
    assert ("r6", "greeting") not in _open(engine).index
    with engine.connect() as conn:
        row = conn.execute(select(contact_log).where(contact_log.c.contact_log_id == cid)).mappings().one()
        audits = conn.execute(select(audit_log.c.field, audit_log.c.changed_by)).all()
    assert (row["contact_type"], row["task"], row["due_date"], row["created_by"]) == (
        "call",
        "greeting",
        AS_OF,
        "rep@brewer.cn",
    )
    assert {f for f, _ in audits} == {"contact_type", "contact_date", "task", "due_date", "note"}
    assert {who for _, who in audits} == {"rep@brewer.cn"}


def test_a_plain_gift_counts_as_the_contact_of_every_task_it_follows(engine):
    assert ("r2", "invite_promo:P1") in _open(engine).index
    record_contact(engine, "r2", {"contact_type": "gift", "contact_date": AS_OF}, "m@brewer.cn", DIRECTOR, today=AS_OF)
    assert ("r2", "invite_promo:P1") not in _open(engine).index


@pytest.mark.parametrize(
    ("scope", "acc", "values", "error", "message"),
    [
        (Scope("rep", "REP2"), "r1", {"contact_type": "call"}, NotAuthorised, "outside your scope"),
        (Scope("manager", "A2"), "r1", {"contact_type": "call"}, NotAuthorised, "outside your scope"),
        (DIRECTOR, "r1", {"contact_type": "fax"}, UserError, "contact_type: 'fax'"),
        (DIRECTOR, "r1", {"contact_type": "call", "contact_date": "2026-07-09"}, UserError, "must be between"),
        (DIRECTOR, "r1", {"contact_type": "call", "task": "greeting"}, UserError, "naming both"),
        (DIRECTOR, "r1", {"contact_type": "call", "task": "drop table", "due_date": "2026-06-30"}, UserError, "task"),
    ],
    ids=["rep-other-account", "manager-elsewhere", "type", "future", "task-without-due", "bad-task"],
)
def test_a_refused_contact_says_why_and_writes_nothing(engine, scope, acc, values, error, message):
    before = _counts(engine)
    with pytest.raises(error, match=message):
        record_contact(engine, acc, values, "x@brewer.cn", scope, today=AS_OF)
    assert _counts(engine) == before


def test_a_follow_up_closed_twice_is_refused_the_second_time(engine):
    values = {"contact_type": "email", "task": "greeting", "due_date": "2026-06-30"}
    record_contact(engine, "r6", values, "a@brewer.cn", DIRECTOR, today=AS_OF)
    before = _counts(engine)
    with pytest.raises(UserError, match="already closed by a@brewer.cn"):
        record_contact(engine, "r6", values, "b@brewer.cn", DIRECTOR, today=AS_OF)
    assert _counts(engine) == before
