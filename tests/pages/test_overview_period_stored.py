"""A period change to a window the background precompute stored reads it: no scorecard is computed (issue #17.2)."""

from __future__ import annotations

import datetime as dt

import pytest
from kam_tiny_db import tiny_sqlite_url
from streamlit.testing.v1 import AppTest

from kam_core.db import get_engine, order_days
from kam_core.i18n.markup import shown_text
from kam_core.queries import precompute, scorecard
from kam_core.views.health import compute_data_fingerprint

D = dt.date


@pytest.fixture(scope="module")
def stored_url(tmp_path_factory):
    """The tiny brewer with history, and the views of the default window and one month back (with their
    comparisons) stored as the background precompute stores them."""
    url = tiny_sqlite_url(tmp_path_factory.mktemp("period") / "kam.db", history=True)
    engine = get_engine(url)
    with engine.begin() as conn:
        order_days.refresh(conn)
    views = precompute.precompute_plan(D(2025, 1, 10), D(2026, 6, 10), 1)
    job = precompute.run_job(precompute.Job(url, compute_data_fingerprint(engine), views), engine)
    engine.dispose()
    assert job.reason == "done" and len(job.stored) == 4
    return url


@pytest.fixture
def no_compute(monkeypatch, stored_url):
    monkeypatch.setenv("KAM_DATABASE_URL", stored_url)
    calls = []

    def refuse(*args, **kwargs):
        calls.append(kwargs)
        raise AssertionError("the scorecard was computed instead of read")

    monkeypatch.setattr(scorecard, "compute_scorecard_bundle", refuse)
    return calls


def _overview(launcher: str, **params) -> AppTest:
    at = AppTest.from_file(launcher, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_a_period_change_to_a_stored_month_end_window_computes_nothing(launcher, no_compute):
    at = _overview(launcher, lang="en", start="2025-06-01", end="2026-05-31")
    assert not at.exception, [e.value for e in at.exception]
    assert no_compute == []
    captions = [shown_text(c.value) for c in at.caption]
    assert any("Jun 1, 2025 to May 31, 2026" in c for c in captions), captions
    assert len(at.metric) >= 3  # the KPIs against the same window last year (read from the store as well)


def test_a_window_not_stored_is_computed_on_demand(launcher, no_compute):
    """The same check can fail: two months back is not stored, so the page asks for a computation."""
    at = _overview(launcher, lang="en", start="2025-05-01", end="2026-04-30")
    assert no_compute and no_compute[0]["as_of"] == D(2026, 4, 30)
    assert at.exception or at.error  # the refusal surfaced (the page guard's message): no figures were shown
