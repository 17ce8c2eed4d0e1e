"""Database access: schema, engines, migrations."""

from kam_core.db import schema
from kam_core.db.engine import ensure_schema, get_engine, has_data

__all__ = ["schema", "ensure_schema", "get_engine", "has_data"]
