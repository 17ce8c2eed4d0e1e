"""Database access: schema, engines, migrations."""

from kam_core.db import schema, table_versions  # table_versions: versions every write (an event listener)
from kam_core.db.engine import ensure_schema, get_engine, has_data

__all__ = ["schema", "table_versions", "ensure_schema", "get_engine", "has_data"]
