"""Database outage (issue #13.6): every page shows the app's "database unavailable" message, never a raw
OperationalError or a traceback, and works again on the next rerun once the database is back.

The app talks to PostgreSQL through a small TCP relay on a port of its own: with the relay closed the
port refuses connections (the server is down, for the app), opening it is the server coming back. The
shared server itself is never stopped.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from urllib.parse import quote

import pytest
from kam_tiny_db import seed_tiny
from sqlalchemy import create_engine, make_url, text
from streamlit.testing.v1 import AppTest

from kam_core.db import ensure_schema, get_engine
from kam_core.i18n import t
from tests.pg_lock import pg_server_lock

PG_URL = os.environ.get("KAM_TEST_POSTGRES_URL")
pytestmark = [pytest.mark.postgres, pytest.mark.skipif(not PG_URL, reason="needs KAM_TEST_POSTGRES_URL")]
PAGES = ["overview", "segments", "pyramid", "risk", "simulator", "account", "plan", "data"]
DOWN = t("errors.db_unavailable", "en")


class Relay:
    """Forward 127.0.0.1:port to the PostgreSQL server while open; closing drops every connection."""

    def __init__(self, target: tuple[str, int]):
        self.target, self.port = target, _free_port()
        self._server: socket.socket | None = None
        self._conns: list[socket.socket] = []

    def open(self) -> None:
        self._server = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        threading.Thread(target=self._accept, args=(self._server,), daemon=True).start()

    def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            try:
                server.shutdown(socket.SHUT_RDWR)  # wakes the accept() blocked in the relay thread (Linux)
            except OSError:
                pass
            server.close()
        for conn in self._conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()
        self._conns.clear()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while chunk := src.recv(65536):
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def relay_url(monkeypatch, launcher):
    """The tiny brewer in a fresh schema, reachable (when the relay is open) at a URL of its own."""
    with pg_server_lock():  # the server-stopping fault test waits for this one (parallel workers)
        yield from _relay_url(monkeypatch)


def _relay_url(monkeypatch):
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = get_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(PG_URL, connect_args={"options": f"-c search_path={schema}"})
    ensure_schema(engine)
    seed_tiny(engine)  # no 2025 history: the overview of the tiny brewer with history hits a bug left to h5
    engine.dispose()
    base = make_url(PG_URL)
    relay = Relay((base.host or "localhost", base.port or 5432))
    url = base.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    url += ("&" if "?" in url else "?") + "options=" + quote(f"-csearch_path={schema}")
    monkeypatch.setenv("KAM_DATABASE_URL", url)
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    yield relay
    relay.close()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _visit(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"p/{page}.py").run() if page != "overview" else at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _down(at: AppTest) -> bool:
    errors = [e.value for e in at.error]
    assert not any("OperationalError" in e or "Traceback" in e or "psycopg" in e for e in errors), errors
    return DOWN in errors


def test_with_the_database_down_every_page_shows_the_message_and_works_once_it_is_back(relay_url, launcher):
    at = AppTest.from_file(launcher, default_timeout=120)
    at.query_params["account"] = "A001"
    down = [page for page in PAGES if _down(_visit(at, page))]
    assert down == PAGES
    relay_url.open()
    for page in PAGES:  # the same session, next reruns: nothing stuck from the failed runs (caches, _READY)
        _visit(at, page)
        assert not _down(at) and not at.error, (page, [e.value for e in at.error])
        assert at.header or at.title, page


def test_a_database_lost_mid_session_gives_the_message_then_recovers(relay_url, launcher):
    relay_url.open()
    at = AppTest.from_file(launcher, default_timeout=120)
    at.query_params["account"] = "A001"
    _visit(at, "account")
    assert not at.error and at.metric  # the card with its figures (pooled connections now exist)
    relay_url.close()
    for page in ("account", "simulator", "data"):  # read fresh (not cached): they hit the lost database
        assert _down(_visit(at, page)), (page, [e.value for e in at.error])
    relay_url.open()
    _visit(at, "account")
    assert not at.error and at.metric
