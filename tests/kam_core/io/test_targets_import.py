"""Importing sales targets: one key per row, month's first day, targets >= 0, scope; nothing written on error."""

from __future__ import annotations

import datetime as dt

import pytest
from kam_tiny_db import seed_tiny
from sqlalchemy import func, select

from kam_core.db.schema import audit_log, import_log, sales_target
from kam_core.errors import NotAuthorised
from kam_core.io.imports import import_table
from kam_core.io.results import ImportValidationError
from kam_core.permissions import OutOfScope
from kam_core.scope import Scope

GOOD = """account_id,region_code,rep_id,month,target_net_sales,target_cases
A001,,,2026-01-01,30000,1000
,R02,,2026-01-01,20000,
,,REP001,2026-02-01,,2500
"""


def _write(tmp_path, text: str, name: str = "targets.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _stored(engine) -> list[tuple]:
    t = sales_target.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.account_id, t.region_code, t.rep_id, t.month, t.target_net_sales, t.target_cases).order_by(
                t.month, t.account_id, t.region_code, t.rep_id
            )
        ).all()
    return [tuple(r) for r in rows]


def test_a_good_file_is_imported_and_a_second_import_updates_instead_of_duplicating(db_engine, tmp_path):
    seed_tiny(db_engine)
    first = import_table(db_engine, _write(tmp_path, GOOD), "sales_target", user="dir@x")
    assert (first.inserted, first.updated) == (3, 0)
    changed = GOOD.replace("A001,,,2026-01-01,30000,1000", "A001,,,2026-01-01,31000,1000")
    again = import_table(db_engine, _write(tmp_path, changed, "t2.csv"), "sales_target", user="dir@x")
    assert (again.inserted, again.updated, again.unchanged) == (0, 1, 2)
    assert sorted(_stored(db_engine), key=str) == sorted(
        [
            ("A001", None, None, dt.date(2026, 1, 1), 31000.0, 1000.0),
            (None, "R02", None, dt.date(2026, 1, 1), 20000.0, None),
            (None, None, "REP001", dt.date(2026, 2, 1), None, 2500.0),
        ],
        key=str,
    )
    with db_engine.connect() as conn:
        audit = conn.execute(
            select(audit_log.c.changed_by, audit_log.c.field).where(audit_log.c.action == "update")
        ).all()
        assert [tuple(a) for a in audit] == [("dir@x", "target_net_sales")]
        assert conn.execute(select(func.count()).select_from(import_log)).scalar() == 2


BAD = """account_id,region_code,rep_id,month,target_net_sales,target_cases
A001,R01,,2026-01-01,100,
,,,2026-01-01,100,
A002,,,2026-01-15,100,
A003,,,2026-02-01,-5,
NOPE,,,2026-02-01,100,
A001,,,2026-03-01,,
A003,,,2026-04-01,10,
A003,,,2026-04-01,12,
"""


def test_bad_rows_are_each_named_by_row_column_and_value_and_nothing_is_written(db_engine, tmp_path):
    seed_tiny(db_engine)
    with pytest.raises(ImportValidationError) as err:
        import_table(db_engine, _write(tmp_path, BAD), "sales_target")
    got = {(p.row, p.column, str(p.value)) for p in err.value.problems}
    assert {
        (2, "account_id", "account_id=A001 | region_code=R01"),
        (3, "account_id", ""),
        (4, "month", "2026-01-15"),
        (5, "target_net_sales", "-5"),
        (6, "account_id", "NOPE"),
        (7, "target_net_sales", ""),
        (9, "month", "A003 | 2026-04-01"),
    } <= got
    assert "also on row 8" in str(err.value)
    assert _stored(db_engine) == []
    with db_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(import_log)).scalar() == 0


def test_a_manager_imports_targets_of_their_region_only_and_a_rep_not_at_all(db_engine, tmp_path):
    seed_tiny(db_engine)
    manager = Scope("manager", "R01")
    mine = "account_id,region_code,rep_id,month,target_net_sales\nA001,,,2026-01-01,10\n,R01,,2026-01-01,50\n"
    assert import_table(db_engine, _write(tmp_path, mine), "sales_target", scope=manager).inserted == 2
    theirs = "account_id,region_code,rep_id,month,target_net_sales\nA003,,,2026-02-01,10\n,R02,,2026-02-01,50\n"
    with pytest.raises(OutOfScope) as err:
        import_table(db_engine, _write(tmp_path, theirs, "t2.csv"), "sales_target", scope=manager)
    assert {(p.row, p.column, p.value) for p in err.value.problems} == {
        (2, "account_id", "A003"),
        (3, "region_code", "R02"),
    }
    with pytest.raises(NotAuthorised):
        import_table(db_engine, _write(tmp_path, mine, "t3.csv"), "sales_target", scope=Scope("rep", "REP001"))
    assert len(_stored(db_engine)) == 2


def test_the_cli_imports_targets_and_names_a_bad_row(tmp_path, capsys):
    from kam_core.cli import main
    from kam_core.db import ensure_schema, get_engine

    url = f"sqlite:///{tmp_path / 'k.db'}"
    engine = get_engine(url)
    ensure_schema(engine)
    seed_tiny(engine)
    assert main(["import", str(_write(tmp_path, GOOD)), "--table", "sales_target", "--db", url]) == 0
    assert "3 inserted" in capsys.readouterr().out
    bad = _write(tmp_path, "account_id,month,target_net_sales\nA001,2026-05-02,10\n", "bad.csv")
    assert main(["import", str(bad), "--table", "sales_target", "--db", url]) == 1
    assert "row 2, column 'month': '2026-05-02'" in capsys.readouterr().err
    assert len(_stored(engine)) == 3
