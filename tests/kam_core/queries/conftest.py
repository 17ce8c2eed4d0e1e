"""A DuckDB demo brewer shared by the query tests that compare a fast path with the one it replaced."""

from __future__ import annotations

import pytest

from kam_core.db import ensure_schema, get_engine
from kam_core.demo import generate


@pytest.fixture(scope="session")
def duck_demo(tmp_path_factory):
    """150 accounts × 15 months (seed 5) on DuckDB, built once per session and only read."""
    pytest.importorskip("duckdb_engine")
    engine = get_engine(f"duckdb:///{tmp_path_factory.mktemp('duckdemo') / 'demo.duckdb'}")
    ensure_schema(engine)
    generate(engine, accounts=150, months=15, seed=5)
    yield engine
    engine.dispose()
