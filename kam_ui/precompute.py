"""The server's background precompute of the month-end scorecards (kam_core.queries.precompute).

One job per data version and scope at a time, started when a page first reads a scorecard (so at server start
and after an import) and never waited for: a page that needs a view not stored yet computes it itself (or waits
for the background's computation of the same key, kam_core.queries.scorecard_store.scorecard_view), and says so.
While a page computes in the foreground the background pauses between views.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time

from kam_core.queries import precompute as core
from kam_core.scope import Scope

_LOCK = threading.Lock()  # guards _JOBS and _BUSY
_RUN = threading.Lock()  # one job computes at a time per server
_JOBS: dict[tuple[str, str], core.Job] = {}  # (url, scope) → its newest job
_BUSY = [0, 0.0]  # pages computing or reading a scorecard now; when the last one finished (monotonic seconds)
QUIET_S = 3.0  # the background starts a view only this long after the last page read: the page draws meanwhile


@contextlib.contextmanager
def foreground():
    """Mark a page's scorecard read (or computation) as running: the background waits until none is."""
    with _LOCK:
        _BUSY[0] += 1
    try:
        yield
    finally:
        with _LOCK:
            _BUSY[0] -= 1
            _BUSY[1] = time.monotonic()


def idle() -> bool:
    """No page is reading a scorecard, and none has for :data:`QUIET_S` (it is drawing its charts)."""
    return _BUSY[0] == 0 and time.monotonic() - _BUSY[1] >= QUIET_S


def start(url: str, scope_text: str, data_version: str, first: dt.date | None, last: dt.date | None) -> core.Job | None:
    """The job for ``url``, ``scope_text`` and ``data_version``: the running or finished one, else a new one
    (a job of an older data version is told to stop); None when ``KAM_PRECOMPUTE_MONTHS`` is 0."""
    months = core.months_setting()
    if months == 0:
        return None
    with _LOCK:
        job = _JOBS.get((url, scope_text))
        if job is not None and job.data_version == data_version:
            return job
        if job is not None:
            job.stop.set()
        job = core.Job(url, data_version, core.precompute_plan(first, last, months), Scope.parse(scope_text))
        _JOBS[(url, scope_text)] = job
        _BUSY[1] = max(_BUSY[1], time.monotonic())  # the page that started it reads its own views first
    job.thread = core.run_in_thread(job, idle, _RUN)
    return job


def stop_all() -> None:
    """Stop every job before its next view (after an import: their data version is old)."""
    with _LOCK:
        for job in _JOBS.values():
            job.stop.set()
        _JOBS.clear()
