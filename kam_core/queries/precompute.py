"""Background precompute of the scorecards users pick: the month-end windows, newest first (docs/methods_period.md).

A period change on the Overview needs two scorecards (the window and its comparison), each seconds of SQL and
models. Figures must stay exact, so nothing is approximated: the scorecards of the windows a user is likely to
pick next are computed ahead, in a thread with its own engine, and stored in ``scorecard_store`` under the same
key the page asks for (:func:`kam_core.queries.scorecard_store.scorecard_view`). The page then reads them.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine

from kam_core.queries import scorecard_store
from kam_core.scope import DIRECTOR, Scope
from kam_core.views.compare import MODES, comparison_window

log = logging.getLogger(__name__)

MONTHS = 6  # month-end windows after the default one (docs/methods_period.md §2)
MONTHS_ENV = "KAM_PRECOMPUTE_MONTHS"  # overrides MONTHS; 0 turns the precompute off


def months_setting(environ=os.environ) -> int:
    """How many month-end windows to precompute: ``KAM_PRECOMPUTE_MONTHS`` when set, else :data:`MONTHS`."""
    from kam_core.errors import UserError

    text = environ.get(MONTHS_ENV, "").strip()
    if not text:
        return MONTHS
    if not text.isdigit() or int(text) > 36:
        raise UserError(f"{MONTHS_ENV} must be a whole number of months from 0 (off) to 36, got {text!r}")
    return int(text)


def month_end_windows(last: dt.date, months: int = MONTHS) -> list[tuple[dt.date, dt.date]]:
    """The default window (the twelve months up to ``last``, as kam_ui.data.default_period) and the twelve-month
    windows ending on each of the ``months`` month ends before ``last``, newest first.

    Examples
    --------
    >>> month_end_windows(dt.date(2026, 10, 31), 2)  # doctest: +NORMALIZE_WHITESPACE
    [(datetime.date(2025, 11, 1), datetime.date(2026, 10, 31)),
     (datetime.date(2025, 10, 1), datetime.date(2026, 9, 30)),
     (datetime.date(2025, 9, 1), datetime.date(2026, 8, 31))]
    """
    ends = [last]
    month_end = pd.Timestamp(last) + pd.offsets.MonthEnd(0)  # the end of last's month (last itself if a month end)
    ends += [(month_end - pd.offsets.MonthEnd(k)).date() for k in range(1, months + 1)]
    year = pd.DateOffset(months=12)
    return [((pd.Timestamp(end) - year + pd.Timedelta(days=1)).date(), end) for end in ends]


def precompute_plan(
    first: dt.date | None, last: dt.date | None, months: int = MONTHS, mode: str = MODES[0]
) -> list[tuple[dt.date, dt.date]]:
    """The windows to store, in order: each month-end window followed by its comparison window (kam_ui.compare:
    skipped when it ends before the first order date); a window met twice is listed once."""
    if first is None or last is None:
        return []
    plan: list[tuple[dt.date, dt.date]] = []
    for window in month_end_windows(last, months):
        compare = comparison_window(*window, mode)
        for view in (window, compare):
            if view is not None and view[1] >= first and view not in plan:
                plan.append(view)
    return plan


@dataclass
class Job:
    """One precompute run: the views of one data version and scope. ``stop`` ends it before its next view."""

    url: str
    data_version: str
    views: list[tuple[dt.date, dt.date]]
    scope: Scope = DIRECTOR
    stop: threading.Event = field(default_factory=threading.Event)
    stored: list[tuple[dt.date, dt.date]] = field(default_factory=list)  # views this job computed and stored
    reason: str = ""  # why it ended: "done", "data changed", "stopped", or the error
    thread: threading.Thread | None = None


def run_job(job: Job, engine: Engine, idle: Callable[[], bool] = lambda: True) -> Job:
    """Compute and store each view of ``job`` that is not stored yet, newest first.

    Before each view it checks that the data version is still ``job.data_version`` (an import since: stop, the
    next job has the new version) and waits while ``idle()`` is False (a page is computing in the foreground:
    the background must not take its CPU). A view already stored is skipped (``scorecard_view`` reads it).
    """
    from kam_core.views.health import compute_data_fingerprint

    for start, end in job.views:
        while not idle() and not job.stop.is_set():
            job.stop.wait(0.2)
        if job.stop.is_set():
            job.reason = "stopped"
            return job
        if compute_data_fingerprint(engine) != job.data_version:
            job.reason = "data changed"
            return job
        if scorecard_store.is_stored(engine, scorecard_store.view_key(job.data_version, start, end, job.scope)):
            continue  # stored already (by a page, another server or an earlier job): not even read
        view = scorecard_store.scorecard_view(
            engine, as_of=end, since=start, scope=job.scope, data_version=job.data_version
        )
        if not view.from_store:  # from_store: a page computed it meanwhile (scorecard_view waited for it)
            job.stored.append((start, end))
    job.reason = "done"
    return job


def run_in_thread(job: Job, idle: Callable[[], bool] = lambda: True, lock: threading.Lock | None = None):
    """Start :func:`run_job` in a daemon thread with its own engine (disposed at the end); returns the thread.
    ``lock`` serialises jobs (one precompute at a time per server)."""
    from kam_core.db import get_engine

    # Not at a lower OS priority (nice 19 was tried): on a busy machine such a thread gets almost no CPU, and a page
    # that waits for the view it is computing (scorecard_view's lock per key) then waits minutes. The page's own
    # reads come first through ``idle`` instead.
    def work() -> None:
        with lock or threading.Lock():
            if job.stop.is_set():
                job.reason = "stopped"
                return
            engine = get_engine(job.url)
            t0 = time.perf_counter()
            try:
                run_job(job, engine, idle)
            except Exception as exc:  # noqa: BLE001 - a background helper: log it, the page computes on demand
                job.reason = f"{type(exc).__name__}: {exc}"
                log.warning("scorecard precompute failed: %s", job.reason)
            finally:
                engine.dispose()
            log.info(
                "precompute: %d view(s) stored in %.1f s (%s)", len(job.stored), time.perf_counter() - t0, job.reason
            )

    thread = threading.Thread(target=work, name="kam-precompute", daemon=True)
    thread.start()
    return thread
