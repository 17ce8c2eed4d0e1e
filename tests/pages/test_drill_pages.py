"""Drill-down on the pages (AppTest, demo database): account rows link to their card with the language and
the filters kept, and an account clicked on a chart opens its card with the view kept.

AppTest cannot click a Plotly chart: the click's mapping is tested in tests/kam_ui/test_drill.py, the click
itself in tests/e2e/test_drill_browser.py. Here the selection callback's hand-over (the pending account)
is set in session state, as the callback does, and the rerun must land on the card.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from kam_core.i18n import t
from kam_ui.drill import _PENDING


@pytest.fixture
def app(demo_engine, launcher, monkeypatch):
    monkeypatch.setenv("KAM_DATABASE_URL", demo_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("KAM_DEFAULT_LANG", "zh")
    return AppTest.from_file(launcher, default_timeout=180)


def _open(at: AppTest, page: str) -> AppTest:
    at.query_params["lang"] = "en"
    at.query_params["channel"] = "KA"
    at.query_params["tier"] = ["platinum", "gold"]
    at.run()
    at.switch_page(f"p/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _links(at: AppTest) -> list[str]:
    return [link for df in at.dataframe if "card" in df.value.columns for link in df.value["card"]]


@pytest.mark.parametrize("page", ["risk", "segments", "plan"])
def test_every_account_row_links_to_its_card_with_language_and_filters(app, page):
    at = _open(app, page)
    links = _links(at)
    assert links, f"no account table with card links on {page}"
    start, end = at.date_input(key="start").value.isoformat(), at.date_input(key="end").value.isoformat()
    for link in links:
        parts = urlsplit(link)
        query = parse_qs(parts.query)
        assert parts.path == "account" and link.startswith("account?account="), link
        assert len(query.pop("account")) == 1, link
        assert query == {
            "lang": ["en"],
            "start": [start],
            "end": [end],
            "channel": ["KA"],
            "tier": sorted(["platinum", "gold"]),
        }, link


def test_an_account_clicked_on_a_chart_opens_its_card_with_the_view_kept(app):
    at = _open(app, "risk")
    assert t("drill.hint_account", "en") in [c.value for c in at.caption]  # the chart says a click opens the card
    account_id = _links(at)[0].split("account=")[1].split("&")[0]
    at.session_state[_PENDING] = account_id  # what the quadrant's selection callback leaves for the rerun
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="account").value == account_id  # the card of that account
    assert at.multiselect(key="channel").value == ["KA"] and at.multiselect(key="tier").value == ["platinum", "gold"]
    assert at.query_params["lang"] in ("en", ["en"]) and at.query_params["account"] in (account_id, [account_id])
