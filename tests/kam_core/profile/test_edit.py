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
    edit_mark,
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
        tiny_engine,
        "A001",
        edit_mark(tiny_engine),
        "bob",
        {"visit_date": TODAY, "note": "asked for 2% more"},
        today=TODAY,
    )
    v = upsert_contact(
        tiny_engine,
        "A001",
        edit_mark(tiny_engine),
        "alice",
        {"name": "钱经理", "level": "exec", "phone": "+86 10 1234"},
        today=TODAY,
    )
    p = load_profile(tiny_engine, "A001", today=TODAY)
    cid = int(p.contacts.loc[p.contacts["name"] == "钱经理", "contact_id"].iloc[0])
    v = upsert_contact(
        tiny_engine,
        "A001",
        edit_mark(tiny_engine),
        "alice",
        {"contact_id": cid, "name": "钱总", "level": "exec"},
        today=TODAY,
    )
    v = delete_contact(tiny_engine, "A001", edit_mark(tiny_engine), "carol", cid)
    v = update_capabilities(
        tiny_engine, "A001", edit_mark(tiny_engine), "alice", {"loyalty_rating": 4, "staff": 30}, today=TODAY
    )
    v = add_survey_response(
        tiny_engine,
        "A001",
        edit_mark(tiny_engine),
        "alice",
        {"respondent_role": "owner", "response_date": TODAY, "nps_0_10": 9},
        today=TODAY,
    )
    v = update_account_fields(
        tiny_engine, "A001", edit_mark(tiny_engine), "dave", {"status": "signed", "outlets_served": 150}, today=TODAY
    )
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


def test_a_visit_by_b_does_not_block_as_capability_edit(tiny_engine):
    mark = edit_mark(tiny_engine)  # A opens the card
    add_visit(tiny_engine, "A001", mark, "bob", GOOD_VISIT, today=TODAY)  # B logs a visit
    assert update_capabilities(tiny_engine, "A001", mark, "alice", {"staff": 31}, today=TODAY) == 3
    assert update_account_fields(tiny_engine, "A001", mark, "alice", {"phone": "0571-5555"}, today=TODAY) == 4
    p = load_profile(tiny_engine, "A001", today=TODAY)
    assert (p.capabilities["staff"], p.basic["phone"], len(p.visits)) == (31, "0571-5555", 2)


def test_the_same_field_changed_since_opening_is_a_conflict_with_both_values_and_nothing_written(tiny_engine):
    mark = edit_mark(tiny_engine)  # A opens the card
    update_account_fields(tiny_engine, "A001", mark, "bob", {"outlets_served": 130}, today=TODAY)  # B changes X
    before = counts(tiny_engine)
    with pytest.raises(ConcurrentEditError, match="outlets_served changed by bob at 20") as err:
        update_account_fields(tiny_engine, "A001", mark, "alice", {"outlets_served": 140}, today=TODAY)
    [c] = err.value.conflicts
    assert (c.table, c.field, c.theirs, c.yours, c.changed_by) == ("account", "outlets_served", "130", "140", "bob")
    assert c.changed_at is not None
    assert counts(tiny_engine) == before and version(tiny_engine) == 2
    assert load_profile(tiny_engine, "A001").basic["outlets_served"] == 130
    # A saves Y != X with the same stale mark: saved, B's X kept
    assert update_account_fields(tiny_engine, "A001", mark, "alice", {"phone": "0571-9999"}, today=TODAY) == 3
    basic = load_profile(tiny_engine, "A001").basic
    assert (basic["outlets_served"], basic["phone"]) == (130, "0571-9999")
    # A chooses to save theirs over B's: the conflict's latest mark acknowledges B's change
    assert (
        update_account_fields(tiny_engine, "A001", err.value.latest_mark, "alice", {"outlets_served": 140}, today=TODAY)
        == 4
    )
    assert load_profile(tiny_engine, "A001").basic["outlets_served"] == 140


def test_capability_conflicts_span_assessments_and_blanks_never_conflict(tiny_engine):
    mark = edit_mark(tiny_engine)
    update_capabilities(tiny_engine, "A001", mark, "bob", {"terminals": 500}, today=TODAY)
    with pytest.raises(ConcurrentEditError) as err:
        update_capabilities(tiny_engine, "A001", mark, "alice", {"terminals": 600, "staff": 40}, today=TODAY)
    assert [(c.field, c.theirs, c.yours) for c in err.value.conflicts] == [("terminals", "500", "600")]
    assert load_profile(tiny_engine, "A001", today=TODAY).capabilities["staff"] != 40
    # the same value as theirs is agreement, not a conflict; a blank terminals keeps theirs
    assert update_capabilities(tiny_engine, "A001", mark, "alice", {"terminals": 500, "staff": 40}, today=TODAY) == 3
    assert update_capabilities(tiny_engine, "A001", mark, "carol", {"vehicles": 9}, today=TODAY) == 4
    caps = load_profile(tiny_engine, "A001", today=TODAY).capabilities
    assert (caps["terminals"], caps["staff"], caps["vehicles"]) == (500, 40, 9)


def test_a_contact_field_changed_by_someone_else_conflicts_but_another_field_saves(tiny_engine):
    upsert_contact(tiny_engine, "A001", 0, "bob", {"name": "钱", "level": "buyer", "phone": "111-1111"}, today=TODAY)
    cid = int(load_profile(tiny_engine, "A001").contacts.query("name == '钱'")["contact_id"].iloc[0])
    mark = edit_mark(tiny_engine)
    base = {"contact_id": cid, "name": "钱", "level": "buyer", "phone": "111-1111"}
    upsert_contact(tiny_engine, "A001", mark, "bob", {**base, "phone": "222-2222"}, today=TODAY)
    with pytest.raises(ConcurrentEditError, match="phone"):
        upsert_contact(tiny_engine, "A001", mark, "alice", {**base, "phone": "333-3333"}, today=TODAY)
    assert upsert_contact(tiny_engine, "A001", mark, "alice", {**base, "phone": "222-2222", "role": "采购"}) == 4
    # a change giving only the changed field leaves the rest as it is now (bob's phone stays)
    assert upsert_contact(tiny_engine, "A001", mark, "carol", {"contact_id": cid, "hobbies": "钓鱼"}) == 5
    row = load_profile(tiny_engine, "A001").contacts.query(f"contact_id == {cid}").iloc[0]
    assert (row["name"], row["level"], row["phone"], row["role"], row["hobbies"]) == (
        "钱",
        "buyer",
        "222-2222",
        "采购",
        "钓鱼",
    )
    with pytest.raises(UserError, match="level"):
        upsert_contact(tiny_engine, "A001", mark, "carol", {"contact_id": cid, "level": "boss"})


def test_an_edit_that_changes_nothing_keeps_the_version(tiny_engine):
    assert update_account_fields(tiny_engine, "A001", 1, "alice", {"status": "active"}, today=TODAY) == 1
    assert version(tiny_engine) == 1 and audit_rows(tiny_engine) == []


def test_a_rep_cannot_edit_another_reps_account(tiny_engine):
    before = counts(tiny_engine)
    with pytest.raises(AccountNotFound):
        add_visit(tiny_engine, "A003", 1, "rep1", GOOD_VISIT, scope=Scope("rep", "REP001"), today=TODAY)
    assert counts(tiny_engine) == before
    assert add_visit(tiny_engine, "A001", 1, "rep1", GOOD_VISIT, scope=Scope("rep", "REP001"), today=TODAY) == 2


def _write(engine, user: str, value: int, attempts: list[int]) -> None:
    while True:
        mark = edit_mark(engine)  # opened the card
        attempts.append(1)
        try:
            update_account_fields(engine, "A001", mark, user, {"outlets_served": value}, today=TODAY)
            return
        except ConcurrentEditError:
            continue  # someone wrote the same field after the mark: reopen and save again


def test_parallel_writers_of_one_field_are_serialised_and_every_write_is_audited(tiny_engine):
    writers, per_writer = 4, 5
    attempts: list[int] = []
    start = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)

    def run(i: int) -> None:
        for j in range(per_writer):
            _write(tiny_engine, f"user{i}", 1000 + 10 * i + j, attempts)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    n = writers * per_writer
    p = load_profile(tiny_engine, "A001")
    rows = audit_rows(tiny_engine)
    assert len(rows) == n and p.version == 1 + n
    assert sorted(int(r["new_value"]) for r in rows) == sorted(1000 + 10 * i + j for i in range(4) for j in range(5))
    # the audit trail is a chain: each write's old value is the previous write's new value
    assert [r["old_value"] for r in rows] == ["120"] + [r["new_value"] for r in rows[:-1]]
    assert p.basic["outlets_served"] == int(rows[-1]["new_value"])
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
    mark = edit_mark(engine)
    v = add_visit(engine, "A001", mark, "alice", GOOD_VISIT, today=TODAY)
    v = update_account_fields(engine, "A001", mark, "alice", {"outlets_served": 121}, today=TODAY)
    with pytest.raises(ConcurrentEditError, match="changed by alice"):
        update_account_fields(engine, "A001", mark, "bob", {"outlets_served": 122}, today=TODAY)
    p = load_profile(engine, "A001", today=TODAY)
    assert (v, p.version, p.basic["outlets_served"]) == (3, 3, 121)
    assert len(p.history) == len(audit_rows(engine)) == 5  # 4 visit fields + 1 account field
    engine.dispose()
