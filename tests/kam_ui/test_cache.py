"""The scorecard cache is keyed by code version, and an import clears exactly the data caches (the engine stays)."""


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
