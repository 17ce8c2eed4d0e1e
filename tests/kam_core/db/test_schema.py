import datetime as dt
import subprocess
import sys

import pandas as pd
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from kam_core.db import ensure_schema, get_engine
from kam_core.db.bulk import bulk_insert
from kam_core.db.schema import account, channel_tier, metadata, region


def test_importing_kam_core_loads_no_streamlit():
    code = "import sys, kam_core, kam_core.cli, kam_core.db; sys.exit(1 if any(m.split('.')[0] in ('streamlit', 'kam_ui') for m in sys.modules) else 0)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_schema_has_every_table_of_the_model(db_engine):
    names = set(inspect(db_engine).get_table_names())
    assert set(metadata.tables) <= names
    assert "alembic_version" in names


def test_migrations_reproduce_the_metadata_exactly(tmp_path):
    from alembic import command

    from kam_core.db.engine import alembic_config

    engine = get_engine(f"sqlite:///{tmp_path / 'm.db'}")
    command.upgrade(alembic_config(engine), "head")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_ensure_schema_is_idempotent(sqlite_engine):
    ensure_schema(sqlite_engine)
    ensure_schema(sqlite_engine)
    assert "account" in inspect(sqlite_engine).get_table_names()


def test_round_trip_of_chinese_text_dates_and_nulls(db_engine):
    regions = pd.DataFrame(
        {
            "region_id": ["R01", "R01A01"],
            "parent_id": [None, "R01"],
            "level": ["region", "area"],
            "code": ["R01", "R01A01"],
            "name_zh": ["华东大区", "上海片区"],
            "name_en": ["East", "Shanghai"],
            "path": ["R01", "R01/R01A01"],
            "population": [None, 24_000_000],
        }
    )
    accounts = pd.DataFrame(
        {
            "account_id": ["A1"],
            "name": ["上海百联一批商"],
            "tier_code": ["DIST"],
            "region_id": ["R01A01"],
            "status": ["active"],
            "first_order_date": [dt.date(2020, 3, 1)],
            "contract_type": ["contractual"],
            "exclusive_agreement": [True],
            "data_sharing": [False],
            "jbp_in_place": [False],
            "created_source": ["test"],
            "version": [1],
        }
    )
    with db_engine.begin() as conn:
        conn.execute(
            channel_tier.insert(),
            [{"tier_code": "DIST", "name_zh": "一批商", "name_en": "Distributor", "level_in_chain": 1}],
        )
        bulk_insert(conn, region, regions)
        bulk_insert(conn, account, accounts)
    with db_engine.connect() as conn:
        row = conn.execute(select(account)).mappings().one()
        reg = conn.execute(select(region).where(region.c.code == "R01")).mappings().one()
    assert row["name"] == "上海百联一批商"
    assert row["first_order_date"] == dt.date(2020, 3, 1)
    assert row["exclusive_agreement"] is True
    assert reg["population"] is None and reg["name_zh"] == "华东大区"


def test_bulk_insert_fills_python_defaults_and_serial_ids(db_engine):
    from kam_core.db.schema import visit

    accounts = pd.DataFrame({"account_id": ["A1"], "name": ["x"], "tier_code": ["DIST"]})
    visits = pd.DataFrame(
        {
            "account_id": ["A1", "A1"],
            "visit_date": [dt.date(2026, 1, 5), dt.date(2026, 2, 5)],
            "visit_type": ["order", "training"],
        }
    )
    with db_engine.begin() as conn:
        conn.execute(
            channel_tier.insert(),
            [{"tier_code": "DIST", "name_zh": "一批商", "name_en": "Distributor", "level_in_chain": 1}],
        )
        bulk_insert(conn, account, accounts)
        bulk_insert(conn, visit, visits)
        bulk_insert(conn, visit, visits.iloc[:1])
    with db_engine.connect() as conn:
        acc = conn.execute(select(account)).mappings().one()
        ids = [r.visit_id for r in conn.execute(select(visit.c.visit_id).order_by(visit.c.visit_id))]
        durations = {r.duration_min for r in conn.execute(select(visit.c.duration_min))}
    assert acc["status"] == "active" and acc["version"] == 1 and acc["exclusive_agreement"] is False
    assert len(set(ids)) == 3
    assert durations == {30.0}


def test_bulk_insert_on_duckdb_fills_ids(tmp_path):
    from kam_core.db.schema import visit

    engine = get_engine(f"duckdb:///{tmp_path / 'k.duckdb'}")
    ensure_schema(engine)
    visits = pd.DataFrame(
        {"account_id": ["A1"] * 3, "visit_date": [dt.date(2026, 1, 5)] * 3, "visit_type": ["order"] * 3}
    )
    with engine.begin() as conn:
        bulk_insert(conn, visit, visits)
    with engine.connect() as conn:
        assert sorted(r[0] for r in conn.execute(select(visit.c.visit_id))) == [1, 2, 3]
    engine.dispose()


def test_head_revision_read_from_the_files_matches_alembic():
    from alembic.script import ScriptDirectory

    from kam_core.db.engine import alembic_config, head_revision

    expected = ScriptDirectory.from_config(alembic_config(get_engine("sqlite://"))).get_current_head()
    assert head_revision() == expected


def test_a_database_behind_the_newest_revision_is_still_migrated(tmp_path, monkeypatch):
    """The fast path (stored revision == head) must not skip a real upgrade."""
    from sqlalchemy import text

    from kam_core.db import engine as engine_mod

    eng = get_engine(f"sqlite:///{tmp_path / 'old.db'}")
    ensure_schema(eng)
    with eng.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    calls = []
    monkeypatch.setattr("alembic.command.upgrade", lambda cfg, rev: calls.append(rev))
    engine_mod.ensure_schema(eng)
    assert calls == ["head"]
    calls.clear()
    with eng.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": engine_mod.head_revision()})
    engine_mod.ensure_schema(eng)
    assert calls == []
