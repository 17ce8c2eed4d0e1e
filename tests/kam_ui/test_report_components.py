"""The review-pack button renders, and the bytes it serves are the filtered view's pack."""

import pytest
from kam_tiny_db import seed_tiny
from streamlit.testing.v1 import AppTest

from kam_core.db import ensure_schema, get_engine


@pytest.fixture
def tiny_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'kam.db'}"
    engine = get_engine(url)
    ensure_schema(engine)
    seed_tiny(engine)
    monkeypatch.setenv("KAM_DATABASE_URL", url)
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    return url


def _script():
    import streamlit as st

    from kam_core.filters import Filters
    from kam_ui.report_components import pack_bytes, review_pack_button

    filters = Filters(channel=("KA",), lang="en")
    review_pack_button(filters)
    st.session_state["pack"] = pack_bytes(filters)


def test_the_button_serves_the_pack_of_the_current_filters(tiny_url):
    at = AppTest.from_function(_script, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    doc = at.session_state["pack"].decode()
    assert "<title>Key account review pack</title>" in doc
    assert "Channel: KA hypermarkets" in doc and "Beijing Mart" in doc and "北京卖场" not in doc  # en: English names
    assert "杭州一批" not in doc and "Hangzhou Dist" not in doc
    assert at.sidebar.get("download_button")
