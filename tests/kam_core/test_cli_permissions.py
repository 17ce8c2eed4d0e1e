"""CLI `--as` for import and import-transactions, and `users` (the first-director bootstrap), issue #13."""

from __future__ import annotations

import getpass

import pytest
from sqlalchemy import func, select

from kam_core.cli import main
from kam_core.db import ensure_schema, get_engine
from kam_core.db.schema import audit_log, import_log, order_line, visit
from kam_core.users import list_users, scope_for_identity
from tests.hostile.tally import WRITES
from tests.kam_core.io.io_helpers import seed_reference, write_csv

ACCOUNTS = (
    "account_id,name,tier_code,region_id,owner_rep_id\nA001,城东一批商贸,DIST,R01A,REP1\nA002,好又多超市,KA,R02,REP2\n"
)


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'k.db'}"
    engine = get_engine(url)
    ensure_schema(engine)
    seed_reference(engine)
    assert main(["import", str(write_csv(tmp_path / "a.csv", ACCOUNTS)), "--table", "account", "--db", url]) == 0
    yield url, engine
    engine.dispose()


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _refused(argv: list[str], engine, tables, capsys, match: str) -> None:
    """A CLI write outside the --as scope exits 1 with a message and writes nothing (counted as hostile)."""
    before = [_count(engine, t) for t in tables]
    WRITES["tried"] += 1
    code = main(argv)
    err = capsys.readouterr().err
    landed = [_count(engine, t) for t in tables] != before
    if landed:
        WRITES["landed"] += 1
    elif code == 1:
        WRITES["refused"] += 1
    assert code == 1 and not landed and match in err, err


def test_cli_import_as_a_rep_writes_own_visits_under_the_os_user_and_refuses_others(db, tmp_path, capsys):
    url, engine = db
    own = write_csv(tmp_path / "v.csv", "account_id,visit_date,visit_type\nA001,2026-06-01,order\n")
    assert main(["import", str(own), "--table", "visit", "--as", "rep:REP1", "--db", url]) == 0
    with engine.connect() as conn:
        by = conn.execute(select(import_log.c.imported_by).where(import_log.c.target == "visit")).scalar_one()
        changed = set(conn.execute(select(audit_log.c.changed_by).where(audit_log.c.table_name == "visit")).scalars())
    assert by == f"{getpass.getuser()} as rep:REP1"[:64] and changed == {by}
    other = write_csv(tmp_path / "o.csv", "account_id,visit_date,visit_type\nA002,2026-06-01,order\n")
    _refused(
        ["import", str(other), "--table", "visit", "--as", "rep:REP1", "--db", url],
        engine,
        [visit, audit_log, import_log],
        capsys,
        "row 2: account_id 'A002'",
    )
    _refused(
        ["import", str(own), "--table", "region", "--as", "rep:REP1", "--db", url],
        engine,
        [visit, audit_log, import_log],
        capsys,
        "may not import table 'region'",
    )


def test_cli_import_transactions_honours_as(db, tmp_path, capsys):
    url, engine = db
    erp = write_csv(
        tmp_path / "e.csv",
        "invoice,date,account_id,sku,quantity,unit_price\n"
        "I1,2026-06-01,A001,SKU1,10,50\nI2,2026-06-01,A002,SKU1,1,50\n",
    )
    tables = [order_line, audit_log, import_log]
    _refused(
        ["import-transactions", str(erp), "--as", "rep:REP1", "--db", url],
        engine,
        tables,
        capsys,
        "may not import ERP transaction files",
    )
    _refused(
        ["import-transactions", str(erp), "--as", "manager:R01", "--db", url],
        engine,
        tables,
        capsys,
        "row 3: account_id 'A002'",
    )
    assert main(["import-transactions", str(erp), "--as", "manager:R02", "--db", url]) == 1  # A001 is not theirs
    assert main(["import-transactions", str(erp), "--db", url]) == 0  # director by default
    assert _count(engine, order_line) == 2


def test_users_cli_bootstraps_the_first_director_and_only_directors_manage_users(db, capsys):
    url, engine = db
    assert main(["users", "list", "--db", url]) == 0 and "no users yet" in capsys.readouterr().out
    assert main(["users", "add", "Boss@Brewer.cn", "director", "--db", url]) == 0
    assert main(["users", "add", "li.na@brewer.cn", "manager", "--scope", "R01", "--db", url]) == 0
    assert main(["users", "add", "li.na@brewer.cn", "rep", "--scope", "REP1", "--db", url]) == 1  # exists: use set
    assert main(["users", "set", "li.na@brewer.cn", "rep", "--scope", "REP1", "--db", url]) == 0
    assert main(["users", "set", "nobody@brewer.cn", "rep", "--scope", "REP1", "--db", url]) == 1
    assert main(["users", "add", "x@brewer.cn", "manager", "--scope", "NOPE", "--db", url]) == 1
    capsys.readouterr()
    assert scope_for_identity(engine, "boss@brewer.cn").is_director
    assert str(scope_for_identity(engine, "li.na@brewer.cn")) == "rep:REP1"
    _refused(
        ["users", "add", "me@brewer.cn", "director", "--as", "rep:REP1", "--db", url],
        engine,
        [audit_log],
        capsys,
        "may not manage users",
    )
    _refused(["users", "list", "--as", "manager:R01", "--db", url], engine, [audit_log], capsys, "manage users")
    assert main(["users", "list", "--db", url]) == 0 and "li.na@brewer.cn" in capsys.readouterr().out
    assert main(["users", "remove", "li.na@brewer.cn", "--db", url]) == 0
    assert list(list_users(engine)["email"]) == ["boss@brewer.cn"]
