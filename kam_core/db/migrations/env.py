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
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs batch ALTERs
        )
        context.run_migrations()


run_migrations_online()
