"""The background precompute: which windows, that it stores exactly what the page would compute under the page's
keys, and that it stops when the data change or it is told to (docs/methods_period.md)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import insert, select

from kam_core.db import get_engine, order_days
from kam_core.db.schema import scorecard_store, visit
from kam_core.errors import UserError
from kam_core.queries import precompute, scorecard
from kam_core.queries import scorecard_store as store
from kam_core.views.health import compute_data_fingerprint
from tests.kam_tiny_db import tiny_sqlite_url

D = dt.date


def test_month_end_windows_are_the_default_window_then_twelve_months_to_each_earlier_month_end():
    assert precompute.month_end_windows(D(2026, 6, 10), 2) == [
        (D(2025, 6, 11), D(2026, 6, 10)),  # the default window (kam_ui.data.default_period)
        (D(2025, 6, 1), D(2026, 5, 31)),
        (D(2025, 5, 1), D(2026, 4, 30)),
    ]
    # data ending on a month end: that month is the default window, the next one back is a month earlier
    assert precompute.month_end_windows(D(2024, 3, 31), 1) == [
        (D(2023, 4, 1), D(2024, 3, 31)),
        (D(2023, 3, 1), D(2024, 2, 29)),
    ]


def test_the_plan_pairs_each_window_with_its_comparison_and_skips_comparisons_before_the_data():
    plan = precompute.precompute_plan(D(2025, 1, 10), D(2026, 6, 10), 1)
    assert plan == [
        (D(2025, 6, 11), D(2026, 6, 10)),
        (D(2024, 6, 11), D(2025, 6, 10)),
        (D(2025, 6, 1), D(2026, 5, 31)),
        (D(2024, 6, 1), D(2025, 5, 31)),
    ]
    later = precompute.precompute_plan(D(2025, 7, 1), D(2026, 6, 10), 1)  # both comparisons end before 2025-07-01
    assert later == [(D(2025, 6, 11), D(2026, 6, 10)), (D(2025, 6, 1), D(2026, 5, 31))]
    assert precompute.precompute_plan(None, None) == []


def test_the_months_setting_is_read_from_the_environment_and_a_bad_value_is_named():
    assert precompute.months_setting({}) == precompute.MONTHS
    assert precompute.months_setting({"KAM_PRECOMPUTE_MONTHS": "0"}) == 0
    with pytest.raises(UserError, match="KAM_PRECOMPUTE_MONTHS.*'six'"):
        precompute.months_setting({"KAM_PRECOMPUTE_MONTHS": "six"})


@pytest.fixture
def tiny(tmp_path):
    url = tiny_sqlite_url(tmp_path / "kam.db", history=True)
    engine = get_engine(url)
    with engine.begin() as conn:
        order_days.refresh(conn)
    yield url, engine
    engine.dispose()


def _stored_keys(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(scorecard_store.c.key)).scalars())


def test_a_job_stores_every_planned_view_under_the_page_key_with_the_figures_of_a_direct_computation(tiny):
    url, engine = tiny
    version = compute_data_fingerprint(engine)
    views = precompute.precompute_plan(D(2025, 1, 10), D(2026, 6, 10), 1)
    job = precompute.run_job(precompute.Job(url, version, views), engine)
    assert job.reason == "done" and job.stored == views
    assert _stored_keys(engine) == {store.view_key(version, s, e) for s, e in views}
    start, end = views[2]  # one month back: what a period change asks for
    direct = scorecard.compute_scorecard_bundle(engine, as_of=end, since=start)
    read = store.scorecard_view(engine, as_of=end, since=start, data_version=version)
    assert read.from_store
    pd.testing.assert_frame_equal(read.scorecard, direct.scorecard)
    pd.testing.assert_frame_equal(read.features, direct.features)
    assert read.window == direct.window and read.health == tuple(direct.health)
    again = precompute.run_job(precompute.Job(url, version, views), engine)
    assert again.reason == "done" and again.stored == []  # stored views are not computed twice


def test_a_job_stops_before_its_next_view_when_the_data_change(tiny):
    url, engine = tiny
    version = compute_data_fingerprint(engine)
    views = precompute.precompute_plan(D(2025, 1, 10), D(2026, 6, 10), 1)
    calls = []

    def idle() -> bool:  # called before each view: after the first view an import adds a visit
        calls.append(1)
        if len(calls) == 2:
            with engine.begin() as conn:
                conn.execute(
                    insert(visit).values(
                        account_id="A001", visit_date=D(2026, 6, 11), rep_id="REP001", visit_type="order"
                    )
                )
        return True

    job = precompute.run_job(precompute.Job(url, version, views), engine, idle)
    assert job.reason == "data changed" and job.stored == views[:1]
    assert _stored_keys(engine) == {store.view_key(version, *views[0])}


def test_a_stopped_job_computes_nothing_more(tiny):
    url, engine = tiny
    job = precompute.Job(
        url, compute_data_fingerprint(engine), precompute.precompute_plan(D(2025, 1, 10), D(2026, 6, 10))
    )
    job.stop.set()
    assert precompute.run_job(job, engine).reason == "stopped" and job.stored == []
    assert _stored_keys(engine) == set()


def test_the_thread_uses_its_own_engine_and_reports_how_it_ended(tiny):
    url, engine = tiny
    version = compute_data_fingerprint(engine)
    views = precompute.precompute_plan(D(2025, 1, 10), D(2026, 6, 10), 0)
    job = precompute.Job(url, version, views)
    precompute.run_in_thread(job).join(timeout=120)
    assert job.reason == "done" and job.stored == views
    assert _stored_keys(engine) == {store.view_key(version, s, e) for s, e in views}
