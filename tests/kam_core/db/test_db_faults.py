"""The database going away mid-session: a clear message, then recovery when it returns (issue: faults).

Stops and starts the machine's PostgreSQL cluster, so it runs only where that is allowed:
KAM_TEST_PG_CTL=1 (set by .ci/run) and KAM_TEST_POSTGRES_URL.
"""

import os
import subprocess

import pytest
from sqlalchemy import text

from kam_core.db.engine import db_errors, get_engine, ping
from kam_core.errors import DatabaseUnavailable
from tests.pg_lock import pg_server_lock

PG_URL = os.environ.get("KAM_TEST_POSTGRES_URL")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not (PG_URL and os.environ.get("KAM_TEST_PG_CTL")),
        reason="needs KAM_TEST_POSTGRES_URL and KAM_TEST_PG_CTL=1 (set in CI) to stop/start the server",
    ),
]


def pg_ctl(action: str) -> None:
    subprocess.run(["pg_ctlcluster", "15", "main", action], check=True, timeout=60)
    if action == "start":
        subprocess.run(
            ["bash", "-c", "for i in $(seq 1 30); do pg_isready -q && exit 0; sleep 1; done; exit 1"],
            check=True,
            timeout=60,
        )


def test_server_stopped_mid_session_gives_a_clear_message_and_recovers():
    with pg_server_lock(exclusive=True):  # no other worker's test is on the server while it is down
        _stop_mid_session_and_recover()


def _stop_mid_session_and_recover() -> None:
    engine = get_engine(PG_URL)
    ping(engine)  # a pooled connection exists, as in a running dashboard
    pg_ctl("stop")
    try:
        with pytest.raises(DatabaseUnavailable, match="database"):
            with db_errors(), engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        with pytest.raises(DatabaseUnavailable):
            ping(engine)
    finally:
        pg_ctl("start")
    ping(engine)  # the same engine recovers without a restart of the app
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 41 + 1")).scalar() == 42
    engine.dispose()
