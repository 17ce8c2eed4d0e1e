"""Per-table data versions: every write path versions its table in the write's own transaction; migration 0009."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import inspect

from kam_core.db import ensure_schema, get_engine
from kam_core.db.bulk import bulk_insert
from kam_core.db.schema import region
from kam_core.db.table_versions import read_versions, touch_all

ROW = {"region_id": "R9", "level": "region", "code": "R9", "name_zh": "西", "name_en": "West", "path": "R9"}


def test_a_rolled_back_write_leaves_the_version_and_a_committed_one_counts_each_statement(db_engine):
    with db_engine.connect() as conn:
        assert read_versions(conn, ["region"]) == {"region": "0:0"}
    with pytest.raises(RuntimeError), db_engine.begin() as conn:
        conn.execute(region.insert().values(**ROW))
        raise RuntimeError("abort")
    with db_engine.connect() as conn:
        assert read_versions(conn, ["region"]) == {"region": "0:0"}
    with db_engine.begin() as conn:
        conn.execute(region.insert().values(**ROW))
        conn.execute(region.update().where(region.c.region_id == "R9").values(name_zh="北"))
    with db_engine.connect() as conn:
        assert read_versions(conn, ["region", "no_such_table"]) == {"region": "2:1", "no_such_table": "-"}


def test_a_bulk_insert_that_bypasses_sqlalchemy_versions_its_table(db_engine):
    with db_engine.begin() as conn:
        bulk_insert(conn, region, pd.DataFrame([ROW, {**ROW, "region_id": "R8", "code": "R8", "path": "R8"}]))
    with db_engine.connect() as conn:
        counter, rows = read_versions(conn, ["region"])["region"].split(":")
    assert int(counter) >= 1 and rows == "2"
    with db_engine.begin() as conn:
        touch_all(conn)
    with db_engine.connect() as conn:
        assert read_versions(conn, ["region"])["region"] == f"{int(counter) + 1}:2"


def _migrate_down_and_up(engine) -> None:
    from alembic import command

    from kam_core.db.engine import alembic_config

    cfg = alembic_config(engine)
    command.downgrade(cfg, "0008")
    assert not {"table_version", "input_part"} & set(inspect(engine).get_table_names())
    with engine.begin() as conn:  # a database before 0009: writes still work, with no version to keep
        conn.execute(region.insert().values(**ROW))
    command.upgrade(cfg, "head")
    assert {"table_version", "input_part"} <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:  # seeded by the migration: every table at version 0
        assert read_versions(conn, ["region", "visit"]) == {"region": "0:1", "visit": "0:0"}


def test_migration_0009_goes_down_and_up_on_sqlite_and_postgresql(db_engine):
    _migrate_down_and_up(db_engine)


def test_migration_0009_goes_down_and_up_on_duckdb(tmp_path):
    engine = get_engine(f"duckdb:///{tmp_path / 'kam.duckdb'}")
    ensure_schema(engine)
    _migrate_down_and_up(engine)
    engine.dispose()


def test_a_new_schema_has_a_version_row_for_every_table_so_a_write_only_updates(db_engine):
    from sqlalchemy import select

    from kam_core.db.schema import metadata, table_version
    from kam_core.db.table_versions import UNTRACKED

    with db_engine.connect() as conn:
        names = set(conn.execute(select(table_version.c.name)).scalars())
    assert names == set(metadata.tables) - UNTRACKED
