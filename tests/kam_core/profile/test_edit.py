import datetime as dt
import threading

import pytest
from kam_tiny_db import TODAY
from sqlalchemy import func, select

from kam_core.db.schema import account, account_capability, account_contact, audit_log, survey_response, visit
from kam_core.errors import UserError
from kam_core.profile import (
    AccountNotFound,
    ConcurrentEditError,
    add_negotiation_note,
    add_survey_response,
    add_visit,
    delete_contact,
    load_profile,
    update_account_fields,
    update_capabilities,
    upsert_contact,
)
from kam_core.scope import Scope

TABLES = (account, account_capability, account_contact, audit_log, survey_response, visit)


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar() for t in TABLES}


def version(engine, account_id="A001") -> int:
    with engine.connect() as conn:
        return conn.execute(select(account.c.version).where(account.c.account_id == account_id)).scalar()


def audit_rows(engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(audit_log).order_by(audit_log.c.audit_id)).mappings()]


GOOD_VISIT = {
    "visit_date": dt.date(2026, 6, 20),
    "visit_type": "training",
    "duration_min": 45,
    "contact_level": "buyer",
}


@pytest.mark.parametrize(
    "edit, values, field",
    [
        (add_visit, {**GOOD_VISIT, "visit_date": dt.date(2026, 7, 1)}, "visit_date"),
        (add_visit, {**GOOD_VISIT, "duration_min": 0}, "duration_min"),
        (add_visit, {**GOOD_VISIT, "duration_min": 601}, "duration_min"),
        (add_visit, {**GOOD_VISIT, "contact_level": "cousin"}, "contact_level"),
        (add_negotiation_note, {"visit_date": dt.date(2026, 6, 1), "note": "  "}, "note"),
        (add_survey_response, {"respondent_role": "owner", "response_date": TODAY, "nps_0_10": 11}, "nps_0_10"),
        (upsert_contact, {"name": "钱", "level": "boss"}, "level"),
        (upsert_contact, {"name": "钱", "level": "buyer", "phone": "call me"}, "phone"),
        (update_capabilities, {"loyalty_rating": 6}, "loyalty_rating"),
        (update_capabilities, {"terminals": 2.5}, "terminals"),
        (update_account_fields, {"status": "sleeping"}, "status"),
        (update_account_fields, {"owner_rep_id": "REP002"}, "owner_rep_id"),
    ],
    ids=[
        "future-visit",
        "zero-duration",
        "too-long",
        "bad-contact-level",
        "empty-negotiation-note",
        "nps-11",
        "bad-level",
        "bad-phone",
        "loyalty-6",
        "fractional-terminals",
        "bad-status",
        "owner-not-editable",
    ],
)
def test_a_failing_validation_names_the_field_and_writes_nothing(tiny_engine, edit, values, field):
    before = counts(tiny_engine)
    with pytest.raises(UserError, match=field):
        edit(tiny_engine, "A001", 1, "alice", values, today=TODAY)
    assert counts(tiny_engine) == before
    assert version(tiny_engine) == 1


def test_a_failure_inside_the_transaction_rolls_back_the_version_bump(tiny_engine):
    before = counts(tiny_engine)
    with pytest.raises(UserError, match="contact_id"):
        upsert_contact(tiny_engine, "A001", 1, "alice", {"contact_id": 999, "name": "x", "level": "buyer"}, today=TODAY)
    assert counts(tiny_engine) == before and version(tiny_engine) == 1


def test_every_edit_bumps_the_version_and_writes_audit_rows(tiny_engine):
    v = add_visit(tiny_engine, "A001", 1, "alice", GOOD_VISIT, today=TODAY)
    v = add_negotiation_note(
        tiny_engine, "A001", v, "bob", {"visit_date": TODAY, "note": "asked for 2% more"}, today=TODAY
    )
    v = upsert_contact(
        tiny_engine, "A001", v, "alice", {"name": "钱经理", "level": "exec", "phone": "+86 10 1234"}, today=TODAY
    )
    p = load_profile(tiny_engine, "A001", today=TODAY)
    cid = int(p.contacts.loc[p.contacts["name"] == "钱经理", "contact_id"].iloc[0])
    v = upsert_contact(
        tiny_engine, "A001", v, "alice", {"contact_id": cid, "name": "钱总", "level": "exec"}, today=TODAY
    )
    v = delete_contact(tiny_engine, "A001", v, "carol", cid)
    v = update_capabilities(tiny_engine, "A001", v, "alice", {"loyalty_rating": 4, "staff": 30}, today=TODAY)
    v = add_survey_response(
        tiny_engine,
        "A001",
        v,
        "alice",
        {"respondent_role": "owner", "response_date": TODAY, "nps_0_10": 9},
        today=TODAY,
    )
    v = update_account_fields(tiny_engine, "A001", v, "dave", {"status": "signed", "outlets_served": 150}, today=TODAY)
    assert v == 9 == version(tiny_engine)
    rows = audit_rows(tiny_engine)
    tables = {r["table_name"] for r in rows}
    assert tables == {"visit", "account_contact", "account_capability", "survey_response", "account"}
    assert all(r["changed_by"] and r["changed_at"] and r["record_key"].startswith("A001") for r in rows)
    renamed = [r for r in rows if r["action"] == "update" and r["field"] == "name"]
    assert [(r["old_value"], r["new_value"]) for r in renamed] == [("钱经理", "钱总")]
    assert {(r["field"], r["old_value"], r["new_value"]) for r in rows if r["table_name"] == "account"} == {
        ("status", "active", "signed"),
        ("outlets_served", "120", "150"),
    }
    caps = load_profile(tiny_engine, "A001", today=TODAY).capabilities
    assert caps["loyalty_rating"] == 4 and caps["sub_distributors"] == 8  # blanks keep the last assessment
    history = load_profile(tiny_engine, "A001", today=TODAY).history
    assert len(history) == len(rows) and history.iloc[0]["changed_by"] == "dave"


def test_a_stale_version_is_refused_with_who_changed_it_and_when(tiny_engine):
    update_account_fields(tiny_engine, "A001", 1, "bob", {"phone": "0571-1234"}, today=TODAY)
    before = counts(tiny_engine)
    with pytest.raises(ConcurrentEditError, match="changed by bob at 20") as err:
        update_account_fields(tiny_engine, "A001", 1, "alice", {"phone": "0571-9999"}, today=TODAY)
    assert err.value.current == 2 and err.value.changed_by == "bob"
    assert counts(tiny_engine) == before
    assert load_profile(tiny_engine, "A001").basic["phone"] == "0571-1234"


def test_an_edit_that_changes_nothing_keeps_the_version(tiny_engine):
    assert update_account_fields(tiny_engine, "A001", 1, "alice", {"status": "active"}, today=TODAY) == 1
    assert version(tiny_engine) == 1 and audit_rows(tiny_engine) == []


def test_a_rep_cannot_edit_another_reps_account(tiny_engine):
    before = counts(tiny_engine)
    with pytest.raises(AccountNotFound):
        add_visit(tiny_engine, "A003", 1, "rep1", GOOD_VISIT, scope=Scope("rep", "REP001"), today=TODAY)
    assert counts(tiny_engine) == before
    assert add_visit(tiny_engine, "A001", 1, "rep1", GOOD_VISIT, scope=Scope("rep", "REP001"), today=TODAY) == 2


def _increment(engine, user: str, attempts: list[int]) -> None:
    while True:
        p = load_profile(engine, "A001")
        attempts.append(1)
        try:
            update_account_fields(
                engine, "A001", p.version, user, {"outlets_served": int(p.basic["outlets_served"]) + 1}, today=TODAY
            )
            return
        except ConcurrentEditError:
            continue


def test_parallel_writers_with_retry_lose_no_update(tiny_engine):
    writers, per_writer = 4, 5
    attempts: list[int] = []
    start = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)

    def run(i: int) -> None:
        for _ in range(per_writer):
            _increment(tiny_engine, f"user{i}", attempts)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    n = writers * per_writer
    p = load_profile(tiny_engine, "A001")
    assert p.basic["outlets_served"] == 120 + n
    assert p.version == 1 + n
    rows = audit_rows(tiny_engine)
    assert len(rows) == n
    assert sorted(int(r["new_value"]) for r in rows) == list(range(121, 121 + n))
    assert {r["changed_by"] for r in rows} == {f"user{i}" for i in range(writers)}
    assert all(r["changed_at"] >= start for r in rows)
    assert len(attempts) >= n


def test_edits_and_conflicts_also_work_on_duckdb(tmp_path):
    pytest.importorskip("duckdb_engine")
    from kam_tiny_db import seed_tiny

    from kam_core.db import ensure_schema, get_engine

    engine = get_engine(f"duckdb:///{tmp_path / 'kam.duckdb'}")
    ensure_schema(engine)
    seed_tiny(engine)
    v = add_visit(engine, "A001", 1, "alice", GOOD_VISIT, today=TODAY)
    v = update_account_fields(engine, "A001", v, "alice", {"outlets_served": 121}, today=TODAY)
    with pytest.raises(ConcurrentEditError, match="changed by alice"):
        update_account_fields(engine, "A001", 1, "bob", {"outlets_served": 122}, today=TODAY)
    p = load_profile(engine, "A001", today=TODAY)
    assert (v, p.version, p.basic["outlets_served"]) == (3, 3, 121)
    assert len(p.history) == len(audit_rows(engine)) == 5  # 4 visit fields + 1 account field
    engine.dispose()
