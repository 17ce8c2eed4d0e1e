"""Who may write what (issue #13): every permission rule, with hostile writes counted (tried/refused/landed).

Tiny literal org: regions R01 > R01A and R02; REP1 (R01A) owns A001, REP2 (R02) owns A002.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kam_core.db.schema import account, audit_log, credit_terms, import_log, metadata, visit
from kam_core.errors import NotAuthorised, UserError
from kam_core.io.imports import import_table
from kam_core.io.transactions import import_transactions, parse_mapping
from kam_core.permissions import OutOfScope, import_roles, importable_by
from kam_core.scope import DIRECTOR, Scope
from tests.hostile.tally import hostile_write
from tests.kam_core.io.io_helpers import seed_reference, write_csv

REP1, REP2 = Scope("rep", "REP1"), Scope("rep", "REP2")
EAST, SOUTH = Scope("manager", "R01"), Scope("manager", "R02")
ACCOUNTS = (
    "account_id,name,tier_code,region_id,owner_rep_id\nA001,城东一批商贸,DIST,R01A,REP1\nA002,好又多超市,KA,R02,REP2\n"
)
VISITS = "account_id,rep_id,visit_date,visit_type,duration_min\n"
TERMS = "account_id,valid_from,settlement_mode,payment_terms_days\n"
ERP_MAP = parse_mapping("")
ERP = "invoice,date,account_id,sku,quantity,unit_price,region\n"


@pytest.fixture
def org(db_engine, tmp_path):
    seed_reference(db_engine)
    import_table(db_engine, write_csv(tmp_path / "accounts.csv", ACCOUNTS), "account", user="boss@brewer.cn")
    return db_engine


def everything(engine):
    """Every row of every table: a refused write must leave all of it as it was."""

    def snap():
        with engine.connect() as conn:
            return {t.name: sorted(map(tuple, conn.execute(select(t))), key=str) for t in metadata.sorted_tables}

    return snap


def refused(engine, write, match: str | None = None) -> Exception:
    """Try a hostile write and assert it was refused with NotAuthorised-or-UserError and wrote nothing."""
    error = hostile_write(everything(engine), write, UserError)
    assert error is not None, "the write was not refused"
    if match:
        assert match in str(error), str(error)
    return error


def _column(engine, col, *where):
    with engine.connect() as conn:
        return list(conn.execute(select(col).where(*where)).scalars())


def test_a_rep_imports_visits_of_own_accounts_and_the_logs_carry_their_email(org, tmp_path):
    path = write_csv(tmp_path / "visits.csv", VISITS + "A001,REP1,2026-06-01,order,30\nA001,,2026-06-02,order,20\n")
    result = import_table(org, path, "visit", user="rep1@brewer.cn", scope=REP1)
    assert result.inserted == 2
    assert _column(org, import_log.c.imported_by, import_log.c.target == "visit") == ["rep1@brewer.cn"]
    assert set(_column(org, audit_log.c.changed_by, audit_log.c.table_name == "visit")) == {"rep1@brewer.cn"}


def test_a_rep_importing_a_visit_on_another_reps_account_refuses_the_whole_file(org, tmp_path):
    path = write_csv(tmp_path / "visits.csv", VISITS + "A001,REP1,2026-06-01,order,30\nA002,REP1,2026-06-01,order,30\n")
    error = refused(org, lambda: import_table(org, path, "visit", user="rep1@brewer.cn", scope=REP1))
    assert isinstance(error, OutOfScope)
    assert [(p.row, p.column, p.value) for p in error.problems] == [(3, "account_id", "A002")]
    assert "visits.csv" in str(error) and "row 3" in str(error) and "'A002'" in str(error)


def test_a_rep_cannot_move_another_reps_visit_onto_an_own_account_by_its_id(org, tmp_path):
    import_table(org, write_csv(tmp_path / "v.csv", VISITS + "A002,REP2,2026-06-01,order,30\n"), "visit")
    (vid,) = _column(org, visit.c.visit_id)
    path = write_csv(tmp_path / "steal.csv", f"visit_id,account_id,note\n{vid},A001,mine now\n")
    error = refused(org, lambda: import_table(org, path, "visit", user="rep1", scope=REP1))
    assert [(p.column, p.value) for p in error.problems] == [("visit_id", str(vid))]


def test_a_rep_cannot_record_a_visit_in_another_reps_name(org, tmp_path):
    path = write_csv(tmp_path / "v.csv", VISITS + "A001,REP2,2026-06-01,order,30\n")
    error = refused(org, lambda: import_table(org, path, "visit", user="rep1", scope=REP1))
    assert [(p.column, p.value) for p in error.problems] == [("rep_id", "REP2")]


@pytest.mark.parametrize(
    "table",
    [
        "account",
        "region",
        "sales_rep",
        "credit_terms",
        "rebate_program",
        "rebate_settlement",
        "price_list",
        "account_owner_history",
    ],
)
def test_a_rep_may_not_import_master_or_commercial_tables_and_the_file_is_not_even_read(org, tmp_path, table):
    missing = tmp_path / "never-read.csv"  # refused before reading: no "file not found" instead
    refused(org, lambda: import_table(org, missing, table, user="rep1", scope=REP1), match="may not import")


def test_a_manager_imports_credit_terms_within_the_region_and_is_refused_outside(org, tmp_path):
    ok = write_csv(tmp_path / "t.csv", TERMS + "A001,2026-01-01,credit,30\n")
    assert import_table(org, ok, "credit_terms", user="li.na@brewer.cn", scope=EAST).inserted == 1
    outside = write_csv(tmp_path / "t2.csv", TERMS + "A001,2026-02-01,credit,45\nA002,2026-01-01,credit,60\n")
    error = refused(org, lambda: import_table(org, outside, "credit_terms", user="li.na", scope=EAST))
    assert [(p.row, p.value) for p in error.problems] == [(3, "A002")]
    assert _column(org, credit_terms.c.payment_terms_days) == [30]


def test_a_manager_may_add_accounts_in_the_region_but_not_move_accounts_across_regions(org, tmp_path):
    head = "account_id,name,tier_code,region_id,owner_rep_id\n"
    new = write_csv(tmp_path / "n.csv", head + "A010,新店,RETAIL,R01A,REP1\n")
    assert import_table(org, new, "account", user="li.na", scope=EAST).inserted == 1
    out = write_csv(tmp_path / "o.csv", head + "A001,城东一批商贸,DIST,R02,REP1\n")
    refused(org, lambda: import_table(org, out, "account", user="li.na", scope=EAST), match="region_id 'R02'")
    grab = write_csv(tmp_path / "g.csv", "account_id,region_id,owner_rep_id\nA002,R01A,REP1\n")
    refused(org, lambda: import_table(org, grab, "account", user="li.na", scope=EAST), match="account_id 'A002'")
    away = write_csv(tmp_path / "w.csv", "account_id,owner_rep_id\nA001,REP2\n")  # REP2 works in R02
    refused(org, lambda: import_table(org, away, "account", user="li.na", scope=EAST), match="owner_rep_id 'REP2'")
    homeless = write_csv(tmp_path / "h.csv", "account_id,name,tier_code\nA011,无区域,RETAIL\n")
    refused(org, lambda: import_table(org, homeless, "account", user="li.na", scope=EAST), match="new account")
    assert _column(org, account.c.region_id, account.c.account_id == "A002") == ["R02"]


def test_a_director_imports_any_table_and_any_account(org, tmp_path):
    path = write_csv(tmp_path / "t.csv", TERMS + "A001,2026-01-01,credit,30\nA002,2026-01-01,cash,0\n")
    assert import_table(org, path, "credit_terms", user="boss", scope=DIRECTOR).inserted == 2
    regions = write_csv(
        tmp_path / "r.csv", "region_id,level,code,name_zh,name_en,path\nR03,region,R03,华北,North,R03\n"
    )
    assert import_table(org, regions, "region", user="boss").inserted == 1


def test_the_permission_table_is_data_every_importable_table_has_a_rule(org):
    from kam_core.io.validation import IMPORTABLE

    assert import_roles("visit") == ("director", "manager", "rep")
    assert import_roles("region") == ("director",)
    assert importable_by(DIRECTOR, IMPORTABLE) == list(IMPORTABLE)
    assert set(importable_by(REP1, IMPORTABLE)) <= set(importable_by(EAST, IMPORTABLE)) < set(IMPORTABLE)
    assert "account" not in importable_by(REP1, IMPORTABLE) and "account" in importable_by(EAST, IMPORTABLE)


def test_erp_files_director_anything_manager_only_in_region_rep_never(org, tmp_path):
    own_new = write_csv(
        tmp_path / "e1.csv", ERP + "I1,2026-06-01,A001,SKU1,10,50,\nI2,2026-06-01,C100,SKU1,5,50,R01A\n"
    )
    refused(
        org, lambda: import_transactions(org, own_new, ERP_MAP, user="rep1", scope=REP1), match="may not import ERP"
    )
    result = import_transactions(org, own_new, ERP_MAP, user="li.na@brewer.cn", scope=EAST)
    assert result.rows_read == 2
    assert _column(org, import_log.c.imported_by, import_log.c.target == "order_line") == ["li.na@brewer.cn"]
    other = write_csv(tmp_path / "e2.csv", ERP + "I3,2026-06-02,A001,SKU1,1,50,\nI4,2026-06-02,A002,SKU1,1,50,\n")
    error = refused(org, lambda: import_transactions(org, other, ERP_MAP, user="li.na", scope=EAST))
    assert [(p.row, p.value) for p in error.problems] == [(3, "A002")]
    for name, line in (("e3.csv", "I5,2026-06-02,C200,SKU1,1,50,\n"), ("e4.csv", "I6,2026-06-02,C201,SKU1,1,50,R02\n")):
        path = write_csv(tmp_path / name, ERP + line)
        refused(
            org,
            lambda path=path: import_transactions(org, path, ERP_MAP, user="li.na", scope=EAST),
            match="new customer",
        )
    assert import_transactions(org, other, ERP_MAP, user="boss", scope=DIRECTOR).rows_read == 2


def test_card_edits_scenarios_and_users_refuse_writes_outside_the_viewer(org):
    from kam_core.profile.edit import add_visit
    from kam_core.users import save_user

    visit_values = {"visit_date": "2026-06-01", "visit_type": "order", "duration_min": 30}
    refused(
        org,
        lambda: add_visit(org, "A002", 1, "rep1@brewer.cn", visit_values, scope=REP1),
        match="not an account you can edit",
    )
    refused(org, lambda: save_user(org, REP1, "me@brewer.cn", "director", actor_name="rep1"), match="manage users")
    refused(org, lambda: save_user(org, EAST, "x@brewer.cn", "manager", "R01", actor_name="li.na"))
    add_visit(org, "A001", 1, "rep1@brewer.cn", visit_values, scope=REP1)
    assert _column(org, audit_log.c.changed_by, audit_log.c.table_name == "visit")[-1] == "rep1@brewer.cn"


def test_saved_scenarios_of_other_people_are_neither_listed_nor_opened(org):
    from kam_core.sim.scenario import list_saved, load_saved, load_scenario, save_scenario

    s = load_scenario({"name": "秘密返利", "period": {"start": "2026-01-01", "end": "2026-06-30"}, "draws": 0})
    boss = save_scenario(org, s, None, "boss@brewer.cn")
    mine = save_scenario(
        org,
        load_scenario({**{"period": {"start": "2026-01-01", "end": "2026-06-30"}}, "name": "mine"}),
        None,
        "rep1@brewer.cn",
        REP1,
    )
    assert list(list_saved(org, REP1, "rep1@brewer.cn")["run_id"]) == [mine]
    assert list(list_saved(org)["run_id"]) == [mine, boss]
    with pytest.raises(UserError, match=f"No saved scenario run {boss}"):
        load_saved(org, boss, REP1, "rep1@brewer.cn")
    assert load_saved(org, mine, REP1, "rep1@brewer.cn")[0].name == "mine"


def test_a_reps_row_counts_lists_and_import_log_cover_only_their_scope(org, tmp_path):
    from sqlalchemy import select as sel

    from kam_core.db.schema import region, sales_rep
    from kam_core.views.health import compute_row_counts, list_recent_imports

    import_table(
        org,
        write_csv(tmp_path / "v.csv", VISITS + "A001,REP1,2026-06-01,order,30\n"),
        "visit",
        user="rep1@brewer.cn",
        scope=REP1,
    )
    counts = dict(compute_row_counts(org, scope=REP1).itertuples(index=False))
    assert counts["account"] == 1 and counts["visit"] == 1 and "region" not in counts and "sales_rep" not in counts
    assert dict(compute_row_counts(org).itertuples(index=False))["account"] == 2
    assert list(list_recent_imports(org, scope=REP1, user="rep1@brewer.cn")["imported_by"]) == ["rep1@brewer.cn"]
    assert list_recent_imports(org, scope=EAST, user="li.na@brewer.cn").empty
    assert len(list_recent_imports(org)) == 2
    with org.connect() as conn:

        def codes(scope):
            return (
                sorted(conn.execute(sel(region.c.code).where(scope.region_clause())).scalars()),
                sorted(conn.execute(sel(sales_rep.c.rep_id).where(scope.rep_clause())).scalars()),
            )

        assert codes(REP1) == (["R01A"], ["REP1"])
        assert codes(EAST) == (["R01", "R01A"], ["REP1"])
        assert codes(DIRECTOR) == (["R01", "R01A", "R02"], ["REP1", "REP2"])


def test_not_authorised_is_a_user_error_so_the_cli_prints_it_without_a_traceback():
    assert issubclass(NotAuthorised, UserError) and issubclass(OutOfScope, NotAuthorised)
