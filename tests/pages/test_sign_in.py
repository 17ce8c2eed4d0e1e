"""Sign-in (docs/DESIGN.md §6): with [auth] in secrets, nobody sees data before signing in; without it, local director."""

from __future__ import annotations

import pytest

from kam_core.i18n import t
from kam_core.i18n.markup import shown_text

pytest.importorskip("streamlit.testing.v1")
from streamlit.testing.v1 import AppTest  # noqa: E402


@pytest.fixture
def app(demo_engine, launcher, monkeypatch):
    monkeypatch.setenv("KAM_DATABASE_URL", demo_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    return AppTest.from_file(launcher, default_timeout=180)


def test_without_sign_in_the_sidebar_says_local_director(app):
    at = app.run()
    assert not at.exception, [e.value for e in at.exception]
    assert t("app.scope_director_local", "en") in [c.value for c in at.sidebar.caption]
    kpis = [t(f"overview.{k}", "en") for k in ("net_sales", "gross_profit", "net_profit", "key_accounts")]
    assert set(kpis) <= {m.label for m in at.metric}  # the overview KPIs are shown


def test_with_sign_in_configured_an_anonymous_visitor_sees_only_the_sign_in_prompt(app):
    app.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "id",
        "client_secret": "secret",
        "server_metadata_url": "https://login.example.com/.well-known/openid-configuration",
    }
    at = app.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.title] == [t("auth.sign_in_title", "en")]
    assert [b.label for b in at.button] == [t("auth.sign_in", "en")]
    assert len(at.metric) == 0 and len(at.dataframe) == 0  # no figures before sign-in


def test_a_director_adds_a_user_on_the_data_page_and_a_bad_entry_is_refused(app, demo_engine):
    from kam_core.scope import DIRECTOR, Scope
    from kam_core.users import delete_user, list_users, scope_for_identity

    at = app.run()
    at.switch_page("p/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.text_input(key="user_email").input("Wang.Fang@brewer.cn")
    at.selectbox(key="user_role").select("manager")
    at.text_input(key="user_scope").input("R01")
    at.button[[b.label for b in at.button].index(t("admin.save", "en"))].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert scope_for_identity(demo_engine, "wang.fang@brewer.cn") == Scope("manager", "R01")

    at.text_input(key="user_email").input("x@brewer.cn")
    at.text_input(key="user_scope").input("NOPE")
    at.button[[b.label for b in at.button].index(t("admin.save", "en"))].click().run()
    assert any("scope_id" in shown_text(e.value) for e in at.error)  # escaped markdown (issue #13.2)
    delete_user(demo_engine, DIRECTOR, "wang.fang@brewer.cn")
    assert list_users(demo_engine).empty
