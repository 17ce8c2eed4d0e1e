"""One lock file around the test PostgreSQL server, so parallel workers (``pytest -n 2``) can share it.

Every test that talks to the server holds the lock shared; the fault test that stops and starts the server
(tests/kam_core/db/test_db_faults.py) holds it exclusively, so no other worker is mid-query when it goes down.
"""

from __future__ import annotations

import fcntl
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = Path(tempfile.gettempdir()) / "kam_test_postgres.lock"


@contextmanager
def pg_server_lock(exclusive: bool = False) -> Iterator[None]:
    """Hold the server lock (shared by default) for the block."""
    with open(LOCK_FILE, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
