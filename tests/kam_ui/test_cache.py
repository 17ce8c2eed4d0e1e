"""The persisted scorecard cache: pruned (unused for a month, or oldest while too big) and keyed by code version."""

import os

from kam_ui.bootstrap import prune_disk_cache

DAY = 86400.0
NOW = 1_800_000_000.0


def _memo(folder, name, size, age_days):
    path = folder / f"{name}.memo"
    path.write_bytes(b"x" * size)
    os.utime(path, (NOW - age_days * DAY, NOW - age_days * DAY))
    return path


def test_entries_unused_for_longer_than_the_limit_go(tmp_path):
    old = _memo(tmp_path, "old", 10, 45)
    fresh = _memo(tmp_path, "fresh", 10, 2)
    other = tmp_path / "notes.txt"
    other.write_text("not a cache entry")
    os.utime(other, (NOW - 400 * DAY, NOW - 400 * DAY))
    deleted = prune_disk_cache(tmp_path, max_age_days=30, max_bytes=1000, now=NOW)
    assert deleted == [old]
    assert fresh.exists() and other.exists() and not old.exists()


def test_oldest_go_first_while_the_folder_is_over_the_size_limit(tmp_path):
    a = _memo(tmp_path, "a", 400, 5)
    b = _memo(tmp_path, "b", 400, 3)
    c = _memo(tmp_path, "c", 400, 1)
    deleted = prune_disk_cache(tmp_path, max_age_days=30, max_bytes=900, now=NOW)
    assert deleted == [a]
    assert b.exists() and c.exists()


def test_nothing_goes_when_within_both_limits(tmp_path):
    kept = [_memo(tmp_path, n, 100, 1) for n in "xyz"]
    assert prune_disk_cache(tmp_path, max_age_days=30, max_bytes=1000, now=NOW) == []
    assert all(p.exists() for p in kept)


def test_the_code_version_in_the_scorecard_key_follows_the_analytics_code(tmp_path, monkeypatch):
    """A release that changes kam_core must not reuse scorecards persisted by the old code."""
    import kam_core
    from kam_ui import data

    fake = tmp_path / "kam_core"
    (fake / "analytics").mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "analytics" / "loyalty.py").write_text("X = 1\n")
    monkeypatch.setattr(kam_core, "__file__", str(fake / "__init__.py"))
    data.code_version.cache_clear()
    before = data.code_version()
    (fake / "analytics" / "loyalty.py").write_text("X = 2\n")
    data.code_version.cache_clear()
    after = data.code_version()
    data.code_version.cache_clear()
    assert before != after and len(before) == 16


def _after_an_import_script():
    import streamlit as st

    from kam_core.db.schema import region
    from kam_ui import data

    before_engine, before_regions = data.engine(), len(data.dimensions().regions)
    with before_engine.begin() as conn:  # what an import writes
        conn.execute(
            region.insert().values(region_id="RZ", code="RZ", name_zh="新区", name_en="New", level="region", path="RZ")
        )
    stale = len(data.dimensions().regions)
    data.data_changed()
    st.session_state["seen"] = (before_regions, stale, len(data.dimensions().regions), data.engine() is before_engine)


def test_after_an_import_the_data_caches_are_read_again_and_the_engine_pool_is_kept(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from kam_core.db import ensure_schema, get_engine

    url = f"sqlite:///{tmp_path / 'kam.db'}"
    ensure_schema(get_engine(url))
    monkeypatch.setenv("KAM_DATABASE_URL", url)
    at = AppTest.from_function(_after_an_import_script, default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["seen"] == (0, 0, 1, True)  # cached until data_changed(); same engine object after
