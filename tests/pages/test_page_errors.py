"""An unexpected error in a page (issue #13.9): logged with the ``kam`` logger, the user gets the friendly
message; in a deployment no traceback reaches the browser, locally Streamlit's error box follows."""

from __future__ import annotations

import logging

import pytest
import streamlit as st
from kam_tiny_db import tiny_sqlite_url
from streamlit.testing.v1 import AppTest

from kam_core.i18n import t
from kam_ui import data

FRIENDLY = t("errors.unexpected", "en")


@pytest.fixture
def tiny_app(tmp_path, monkeypatch, launcher):
    url = tiny_sqlite_url(tmp_path / "kam.db")
    monkeypatch.setenv("KAM_DATABASE_URL", url)
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")

    def broken(filters):
        raise RuntimeError("forced failure in the scorecard")

    monkeypatch.setattr(data, "bundle", broken)  # every analysis page loads it through kam_ui.page
    before = st.get_option("client.showErrorDetails")
    yield AppTest.from_file(launcher, default_timeout=120)
    st.set_option("client.showErrorDetails", before)  # a process-wide option: leave it as found


def _logged(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "kam" and r.levelno == logging.ERROR and r.exc_info]


def test_in_a_deployment_the_error_is_logged_and_the_user_sees_only_the_friendly_message(tiny_app, monkeypatch, caplog):
    monkeypatch.setenv("KAM_DEPLOYMENT", "1")
    at = tiny_app.run()
    assert [e.value for e in at.error] == [FRIENDLY]
    assert not at.exception  # no traceback, no exception box
    assert st.get_option("client.showErrorDetails") == "none"  # Streamlit's own boxes (callbacks) too
    records = _logged(caplog)
    assert records and "forced failure" in str(records[0].exc_info[1])


def test_locally_the_friendly_message_is_followed_by_streamlits_error_box(tiny_app, monkeypatch, caplog):
    monkeypatch.delenv("KAM_DEPLOYMENT", raising=False)
    at = tiny_app.run()
    assert FRIENDLY in [e.value for e in at.error]
    assert at.exception and "forced failure" in "\n".join(at.exception[0].stack_trace)  # config.toml: stacktrace
    assert _logged(caplog)


def test_in_a_deployment_a_database_outage_names_no_host_or_driver(monkeypatch, launcher, caplog):
    import socket

    with socket.socket() as sock:  # a port nobody listens on: the server is "down"
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("KAM_DATABASE_URL", f"postgresql+psycopg://kam:kam@127.0.0.1:{port}/kam")
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    monkeypatch.setenv("KAM_DEPLOYMENT", "1")
    before = st.get_option("client.showErrorDetails")
    try:
        at = AppTest.from_file(launcher, default_timeout=60).run()
    finally:
        st.set_option("client.showErrorDetails", before)
    assert [e.value for e in at.error] == [t("errors.db_unavailable", "en")] and not at.exception
    shown = " ".join(str(el.value) for kind in ("caption", "markdown", "info", "warning") for el in getattr(at, kind))
    assert "127.0.0.1" not in shown and str(port) not in shown  # the cause is logged, not shown
    assert any(r.name == "kam" and str(port) in r.getMessage() for r in caplog.records)
