"""Hostile shared links open /plan and /account without an exception, and every dropped value is named.

Each link opens /plan directly in a fresh session (as a pasted link does), then the same session
switches to /account. The notices expected are those the link codecs give (Filters.from_query for the
shared filters, decode_account_param for the card's ``account``), in the language the link ends up in;
the corpus also states which parameters must be dropped, so a codec that accepted a hostile value fails.
"""

from __future__ import annotations

import pytest
from hostile_links import ACCOUNT_LINKS, ALL_LINKS, FILTER_LINKS
from kam_tiny_db import tiny_sqlite_url
from streamlit.testing.v1 import AppTest

from kam_core.filters import Filters, KnownValues, decode_account_param
from kam_core.i18n import t
from kam_core.i18n.markup import shown_text

KNOWN = KnownValues(region=frozenset({"R01", "R02"}), rep=frozenset({"REP001", "REP002"}))


@pytest.fixture(scope="module")
def tiny_url(tmp_path_factory):
    url = tiny_sqlite_url(tmp_path_factory.mktemp("hostile") / "kam.db")
    return url


def _named(notice, lang: str) -> str:
    """A dropped parameter as the sidebar names it (区域, not region); an unknown one as the link wrote it."""
    params = ("start", "end", "region", "channel", "rep", "type", "tier", "account", "scenario")
    names = {p: t(f"filters.{p}", lang) for p in params}
    names["lang"] = t("app.language", lang)
    return notice.param if notice.reason == "unknown_param" else names.get(notice.param, notice.param)


def _expected(params: dict) -> tuple[str, set[str], set[str], set[str]]:
    """(language, filter notice texts, account notice texts, parameters dropped) for a link."""
    filters, notices = Filters.from_query(params, KNOWN, default_lang="en")
    _, account_notices = decode_account_param(params.get("account"))
    text = lambda ns: {  # noqa: E731
        t(f"notice.{n.reason}", filters.lang, param=_named(n, filters.lang), value=n.value) for n in ns
    }
    return filters.lang, text(notices), text(account_notices), {n.param for n in notices + account_notices}


def _open(launcher: str, page: str, params: dict) -> AppTest:
    at = AppTest.from_file(launcher, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"p/{page}.py").run()  # before the first run: the page a pasted link opens
    return at


def test_the_corpus_has_about_thirty_links_of_every_kind():
    assert len(ALL_LINKS) >= 30 and len(FILTER_LINKS) >= 20 and len(ACCOUNT_LINKS) >= 10
    assert len({name for name, _, _ in ALL_LINKS}) == len(ALL_LINKS)


@pytest.mark.parametrize(("params", "dropped"), [link[1:] for link in ALL_LINKS], ids=[link[0] for link in ALL_LINKS])
def test_a_hostile_link_opens_plan_and_account_without_exception_and_names_what_it_dropped(
    tiny_url, launcher, monkeypatch, params, dropped
):
    monkeypatch.setenv("KAM_DATABASE_URL", tiny_url)
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    lang, filter_notices, account_notices, params_dropped = _expected(params)
    assert params_dropped == set(dropped)

    at = _open(launcher, "plan", params)
    assert not at.exception, [e.value for e in at.exception]
    assert at.header[0].value == t("plan.title", lang)
    assert filter_notices <= {shown_text(c.value) for c in at.sidebar.caption}

    at.switch_page("p/account.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == t("account.title", lang)
    assert account_notices <= {shown_text(c.value) for c in at.sidebar.caption}
    if account_notices:  # a dropped or repeated id never opens a cut or the last value
        chosen, _ = decode_account_param(params["account"])
        assert at.text_input(key="account").value == (chosen or "")
