"""The server's precompute jobs: one per data version and scope, a newer version stops the older job, and the
background waits while a page reads a scorecard (kam_ui.precompute)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from kam_core.db import get_engine
from kam_core.db.schema import scorecard_store
from kam_core.scope import DIRECTOR
from kam_core.views.health import compute_data_fingerprint
from kam_ui import precompute
from tests.kam_tiny_db import tiny_sqlite_url


def test_one_job_per_data_version_and_a_new_version_stops_the_old_job(tmp_path, monkeypatch):
    url = tiny_sqlite_url(tmp_path / "kam.db", history=True)
    engine = get_engine(url)
    version = compute_data_fingerprint(engine)
    monkeypatch.setenv("KAM_PRECOMPUTE_MONTHS", "1")
    monkeypatch.setattr(precompute, "QUIET_S", 0.0)
    first, last = dt.date(2025, 1, 10), dt.date(2026, 6, 10)
    job = precompute.start(url, str(DIRECTOR), version, first, last)
    assert precompute.start(url, str(DIRECTOR), version, first, last) is job  # the same job, not a second one
    job.thread.join(timeout=300)
    assert job.reason == "done" and len(job.stored) == 4
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(scorecard_store)).scalar() == 4
    newer = precompute.start(url, str(DIRECTOR), version + "|import", first, last)
    assert newer is not job and job.stop.is_set()
    newer.thread.join(timeout=300)
    assert newer.reason == "data changed" and newer.stored == []  # its version is not the database's
    precompute.stop_all()
    assert newer.stop.is_set()
    engine.dispose()


def test_the_precompute_is_off_at_zero_months(monkeypatch):
    monkeypatch.setenv("KAM_PRECOMPUTE_MONTHS", "0")
    assert (
        precompute.start("sqlite:///nowhere.db", str(DIRECTOR), "v", dt.date(2025, 1, 1), dt.date(2026, 1, 1)) is None
    )


def test_the_background_waits_while_a_page_reads_and_for_a_quiet_moment_after(monkeypatch):
    monkeypatch.setattr(precompute, "QUIET_S", 60.0)
    with precompute.foreground():
        assert not precompute.idle()
    assert not precompute.idle()  # a page just read: it is drawing now
    monkeypatch.setattr(precompute, "QUIET_S", 0.0)
    assert precompute.idle()
