"""Shared fixtures: empty databases on SQLite (always) and PostgreSQL (when KAM_TEST_POSTGRES_URL is set),
and small seeded demo databases built once per test session."""

from __future__ import annotations

import os
import sys
import tomllib
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from kam_core.db import ensure_schema, get_engine
from tests.pg_lock import pg_server_lock

PG_URL = os.environ.get("KAM_TEST_POSTGRES_URL")
_CONFIGURED_DETAILS = tomllib.loads(
    (Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text(encoding="utf-8")
)["client"]["showErrorDetails"]


def pytest_configure(config):
    config.addinivalue_line("markers", "postgres: needs KAM_TEST_POSTGRES_URL")


def _pg_engine():
    """A fresh schema per test on the PostgreSQL server; fails loudly if the URL is set but unreachable."""
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = get_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - CI must not silently skip PostgreSQL
        pytest.fail(f"KAM_TEST_POSTGRES_URL is set but PostgreSQL is unreachable: {exc}")
    finally:
        admin.dispose()
    engine = create_engine(PG_URL, connect_args={"options": f"-c search_path={schema}"}, pool_pre_ping=True)
    return engine, schema


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_engine(request, tmp_path):
    """An empty database with the schema, on SQLite and (if configured) PostgreSQL."""
    if request.param == "sqlite":
        engine = get_engine(f"sqlite:///{tmp_path / 'kam.db'}")
        ensure_schema(engine)
        yield engine
        engine.dispose()
        return
    if not PG_URL:
        pytest.skip("KAM_TEST_POSTGRES_URL not set (CI sets it)")
    with pg_server_lock():  # the server-stopping fault test waits for this test (parallel workers)
        engine, schema = _pg_engine()
        ensure_schema(engine)
        yield engine
        engine.dispose()
        cleanup = get_engine(PG_URL)
        with cleanup.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        cleanup.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    """An empty SQLite database with the schema."""
    engine = get_engine(f"sqlite:///{tmp_path / 'kam.db'}")
    ensure_schema(engine)
    yield engine
    engine.dispose()


def _demo(tmp_path_factory, accounts: int, months: int, seed: int):
    from kam_core.demo import generate

    path = tmp_path_factory.mktemp(f"demo{accounts}_{seed}") / "demo.db"
    engine = get_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    generate(engine, accounts=accounts, months=months, seed=seed)
    return engine


@pytest.fixture(scope="session")
def demo_engine(tmp_path_factory):
    """A small demo brewer (400 accounts x 24 months, seed 11), built once and shared read-only."""
    return _demo(tmp_path_factory, 400, 24, 11)


@pytest.fixture(scope="session")
def demo_factory(tmp_path_factory):
    """Build a demo database of any size and seed, cached per (accounts, months, seed)."""
    cache: dict = {}

    def make(accounts: int = 400, months: int = 24, seed: int = 11):
        key = (accounts, months, seed)
        if key not in cache:
            cache[key] = _demo(tmp_path_factory, accounts, months, seed)
        return cache[key]

    return make


@pytest.fixture(autouse=True)
def _no_background_precompute(monkeypatch):
    """No background scorecard precompute (kam_ui.precompute) in tests unless a test turns it on: its thread
    would compute on every test's database while the next test runs."""
    if "KAM_PRECOMPUTE_MONTHS" not in os.environ:
        monkeypatch.setenv("KAM_PRECOMPUTE_MONTHS", "0")


@pytest.fixture(autouse=True)
def _error_details_as_configured():
    """A deployment (sign-in configured) sets ``client.showErrorDetails`` to "none" for the whole process
    (kam_ui/errors.py); after each test it goes back to .streamlit/config.toml's value, so a test of the local
    mode does not depend on which files its worker ran before."""
    yield
    st = sys.modules.get("streamlit")
    if st is not None and st.get_option("client.showErrorDetails") != _CONFIGURED_DETAILS:
        st.set_option("client.showErrorDetails", _CONFIGURED_DETAILS)


def pytest_sessionfinish(session):
    """On a parallel worker (pytest -n): hand this worker's hostile-input counts to the controller."""
    import sys

    tally = sys.modules.get("tests.hostile.tally")
    if hasattr(session.config, "workeroutput") and tally is not None:
        session.config.workeroutput["hostile_tally"] = tally.export_counts()


def pytest_testnodedown(node, error):
    """On the controller: add a finished worker's counts to the totals printed at the end."""
    counts = getattr(node, "workeroutput", {}).get("hostile_tally")
    if counts:
        from tests.hostile import tally

        tally.add_counts(counts)


def pytest_terminal_summary(terminalreporter):
    """The hostile-input counts for the closing note (files: tests/hostile, links: test_filters.py, writes: permission tests)."""
    import sys

    tally = sys.modules.get("tests.hostile.tally")  # only when those tests ran (here, or on a worker)
    for line in tally.summary_lines() if tally else []:
        terminalreporter.write_line(line)
