"""Alembic environment: runs against the engine handed in by kam_core.db.engine (or KAM_DATABASE_URL)."""

from alembic import context
from alembic.ddl.impl import DefaultImpl

from kam_core.db.schema import metadata

config = context.config


class AlembicDuckDBImpl(DefaultImpl):
    """duckdb-engine ships no Alembic dialect implementation; the default one suffices."""

    __dialect__ = "duckdb"


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from kam_core.db.engine import get_engine

        engine = get_engine(config.get_main_option("sqlalchemy.url") or None)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # batch ALTERs rebuild a table (copy, DROP, rename): a referenced table would fail the FK check
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside a transaction, or SQLite ignores it
            connection.commit()
        try:
            with connection.begin():
                context.configure(
                    connection=connection,
                    target_metadata=metadata,
                    render_as_batch=sqlite,  # SQLite needs batch ALTERs
                )
                context.run_migrations()
                if sqlite:  # the rebuilt tables must still hold together before the migration commits
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"Migration left {len(broken)} row(s) breaking foreign keys: {broken[:3]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


run_migrations_online()
