"""Sign-in round trip in a real browser against a real OpenID Connect provider on 127.0.0.1.

The provider is ``oidc-provider-mock`` (a standards-following OIDC server for tests, run in a thread): the app's
``st.login`` goes through Streamlit's own Authlib/httpx flow (discovery, authorization code, token exchange,
ID-token check), so this fails when the auth extra is not installed or the flow breaks.
"""

from __future__ import annotations

import re
import shutil

import pytest
from e2e_server import free_port, streamlit_server
from test_browser import TIMEOUT_MS, browser  # noqa: F401 - the module's Chromium fixture

from kam_core.db import get_engine
from kam_core.queries.scorecard import compute_scorecard
from kam_core.scope import DIRECTOR, Scope
from kam_core.users import save_user

pytestmark = pytest.mark.e2e
MANAGER = "wang.fang@brewer.cn"
MATCHING = re.compile(r"Accounts matching the filters: (\d+) of (\d+)")


def as_shown(text: str) -> re.Pattern:
    """``text`` as the page shows it: user values are escaped with an invisible word joiner after ``@``, ``:``
    and in ``www.`` (kam_core.i18n.markup), so a pasted e-mail address never becomes a mailto link."""
    return re.compile("".join(re.escape(ch) + ("\u2060?" if ch in "@:" else "") for ch in text))


@pytest.fixture(scope="module")
def provider():
    mock = pytest.importorskip("oidc_provider_mock")
    with mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def signed_db(demo_engine, tmp_path_factory):
    """A copy of the shared demo database with one manager listed (the shared one stays read-only)."""
    path = tmp_path_factory.mktemp("oidc") / "kam.db"
    shutil.copyfile(demo_engine.url.database, path)
    engine = get_engine(f"sqlite:///{path}")
    region = Scope("manager", "R01")
    save_user(engine, DIRECTOR, MANAGER, region.role, region.scope_id)
    yield engine, region
    engine.dispose()


@pytest.fixture(scope="module")
def app_url(provider, signed_db, tmp_path_factory):
    engine, _ = signed_db
    port = free_port()
    secrets = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{"k" * 40}"\n'
        'client_id = "kam-dashboard"\nclient_secret = "kam-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    with streamlit_server(
        engine.url.render_as_string(hide_password=False), port=port, extra_args=("--secrets.files", str(secrets))
    ) as (base, _):
        yield base


def _sign_in(page, app_url: str, email: str) -> None:
    page.goto(app_url + "/", timeout=TIMEOUT_MS)
    page.get_by_text("Please sign in").wait_for(timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/oauth2/authorize"), timeout=TIMEOUT_MS)  # the provider's own page
    page.fill("input[name=sub]", email)
    page.get_by_role("button", name="Authorize").click()


def test_a_listed_manager_signs_in_at_the_provider_and_sees_only_their_region(browser, app_url, signed_db):  # noqa: F811
    engine, region = signed_db
    expected = len(compute_scorecard(engine, scope=region))
    everyone = len(compute_scorecard(engine))
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    _sign_in(page, app_url, MANAGER)
    page.get_by_text(as_shown(f"Signed in: {MANAGER}")).wait_for(timeout=TIMEOUT_MS)
    caption = page.get_by_text(MATCHING).first
    caption.wait_for(timeout=TIMEOUT_MS)
    shown, total = map(int, MATCHING.search(caption.inner_text()).groups())
    assert (shown, total) == (expected, expected)
    assert 0 < expected < everyone  # the scope really narrows the view

    page.get_by_role("button", name="Sign out").click()
    # Streamlit ends the session at the provider too (RP-initiated logout), which then sends the browser back
    page.get_by_role("button", name="End session").click(timeout=TIMEOUT_MS)
    page.get_by_text("Please sign in").wait_for(timeout=TIMEOUT_MS)
    page.goto(app_url + "/", timeout=TIMEOUT_MS)  # the session cookie is gone: a reload asks again
    page.get_by_text("Please sign in").wait_for(timeout=TIMEOUT_MS)
    assert page.get_by_text(MATCHING).count() == 0
    context.close()


def test_an_identity_the_provider_vouches_for_but_nobody_listed_sees_no_data(browser, app_url):  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    _sign_in(page, app_url, "stranger@example.com")
    page.get_by_text(as_shown("The account stranger@example.com has no access yet")).wait_for(timeout=TIMEOUT_MS)
    assert page.get_by_text(MATCHING).count() == 0
    context.close()
