"""KAM analytics core: data model, demo data, import/export, analytics, simulation.

Pure Python; never imports streamlit (a test enforces it). Usable from the CLI, tests and notebooks.
"""

from kam_core.db import ensure_schema, get_engine, has_data
from kam_core.errors import DatabaseUnavailable, UserError

__all__ = ["DatabaseUnavailable", "UserError", "ensure_schema", "get_engine", "has_data"]
__version__ = "0.1.0"
