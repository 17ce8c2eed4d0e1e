"""The dashboard's engine comes through st.connection but is kam_core's: pragmas, one pool per URL, plain errors."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _engine_script():
    import streamlit as st
    from sqlalchemy import text

    from kam_core.errors import UserError
    from kam_ui import data

    eng = data.engine()
    with eng.connect() as conn:
        pragmas = (
            conn.execute(text("PRAGMA foreign_keys")).scalar(),
            conn.execute(text("PRAGMA journal_mode")).scalar(),
        )
    other = data.engine_for(data.db_url().replace("kam.db", "other/kam2.db"))
    try:
        data.engine_for("nosuchdriver://x")
        error = ""
    except UserError as exc:
        error = str(exc)
    st.session_state["seen"] = (pragmas, data.engine() is eng, other is not eng, other.url.database, error)


def test_the_engine_has_kam_cores_sqlite_pragmas_is_shared_and_bad_urls_are_user_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("KAM_DATABASE_URL", f"sqlite:///{tmp_path / 'kam.db'}")
    at = AppTest.from_function(_engine_script, default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    pragmas, same, distinct, other_db, error = at.session_state["seen"]
    assert pragmas == (1, "wal") and same and distinct
    assert other_db == str(tmp_path / "other" / "kam2.db") and (tmp_path / "other").is_dir()  # folder made
    assert "Cannot use database URL 'nosuchdriver://x'" in error
