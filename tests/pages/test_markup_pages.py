"""Hostile names, notes and link values through the pages (issue #13.2): no markdown body, label or help
text of any element carries a live link, image or HTML from them.

A tiny brewer whose accounts, contacts, visit notes, regions, reps and a saved scenario carry values of
the corpus (tests/hostile/markup_corpus.py). Tables (st.dataframe) and selectbox options are plain text
in Streamlit and show the values as they are; every other text element renders markdown and is checked.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from kam_tiny_db import seed_tiny
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from kam_core.db import ensure_schema, get_engine
from tests.hostile.markup_corpus import CORPUS, LINK_TARGETS

PAGE_TOUR = ["overview", "segments", "pyramid", "risk", "account", "plan", "data"]
SIMULATOR = str(Path(__file__).resolve().parents[2] / "pages" / "simulator.py")
TEXT_ELEMENTS = (
    "markdown",
    "caption",
    "title",
    "header",
    "subheader",
    "info",
    "warning",
    "error",
    "success",
    "toast",
    "exception",
)
LABELLED = (
    "metric",
    "expander",
    "tabs",
    "button",
    "checkbox",
    "toggle",
    "text_input",
    "text_area",
    "number_input",
    "date_input",
    "selectbox",
    "multiselect",
    "radio",
    "slider",
    "select_slider",
    "color_picker",
)
_ESCAPED = re.compile(r"\\[" + re.escape(string.punctuation) + "]")
HOSTILE = {  # (table, key column, key, column) -> a corpus value
    ("account", "account_id", "A001", "name"): CORPUS[0],
    ("account", "account_id", "A001", "name_en"): CORPUS[1],
    ("account", "account_id", "A002", "name"): CORPUS[10],
    ("account", "account_id", "A003", "name"): CORPUS[5],
    ("account_contact", "name", "王老板", "role"): CORPUS[24],
    ("account_contact", "name", "王老板", "name"): CORPUS[2],
    ("region", "region_id", "R01", "name_zh"): CORPUS[3],
    ("region", "region_id", "R01", "name_en"): CORPUS[4],
    ("sales_rep", "rep_id", "REP001", "name"): CORPUS[8],
    ("sales_rep", "rep_id", "REP001", "name_en"): CORPUS[9],
    ("visit", "visit_type", "negotiation", "note"): CORPUS[16],
}


def live_markup(body: str) -> list[str]:
    """What in a markdown body would render as a link, an image or HTML: left over once escaped pairs go."""
    bare = _ESCAPED.sub("", body)
    found = [t for t in LINK_TARGETS if t in bare]
    found += [s for s in ("](", "<", "://", "www.") if s in bare]
    return found


def markdown_texts(at: AppTest) -> list[tuple[str, str]]:
    """(element, text) of every markdown-rendering body, label and help text on the page and the sidebar."""
    out = []
    for kind in TEXT_ELEMENTS:
        out += [(kind, str(el.value)) for el in getattr(at, kind)]
    for kind in LABELLED:
        for el in getattr(at, kind):
            out += [(f"{kind}.{attr}", str(v)) for attr in ("label", "help") if (v := getattr(el, attr, None))]
    return out


def offenders(at: AppTest) -> list[tuple[str, str, list[str]]]:
    return [(kind, body[:120], bad) for kind, body in markdown_texts(at) if (bad := live_markup(body))]


def _hostile_db(tmp_path, history: bool) -> str:
    url = f"sqlite:///{tmp_path / 'kam.db'}"
    engine = get_engine(url)
    ensure_schema(engine)
    seed_tiny(engine, history=history)
    with engine.begin() as conn:
        for (table, key_col, key, col), value in HOSTILE.items():
            conn.execute(text(f"UPDATE {table} SET {col} = :v WHERE {key_col} = :k"), {"v": value, "k": key})
    engine.dispose()
    return url


@pytest.fixture
def hostile_app(tmp_path, monkeypatch, launcher):
    monkeypatch.setenv("KAM_DATABASE_URL", _hostile_db(tmp_path, history=False))
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    return AppTest.from_file(launcher, default_timeout=120)


def test_the_checker_finds_live_markup_and_passes_escaped_text():
    from kam_core.i18n.markup import escape_markdown

    assert sum(bool(live_markup(v)) for v in CORPUS) >= 20
    assert not [v for v in CORPUS if live_markup(escape_markdown(v))]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_page_renders_a_hostile_name_or_note_as_markup(hostile_app, lang):
    at = hostile_app
    at.query_params.update({"account": "A001", "lang": lang, "rep": "REP001", "region": "R01"})
    seen = {}
    for page in PAGE_TOUR:
        at.run() if page == "overview" else at.switch_page(f"p/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        seen[page] = offenders(at)
    assert seen == {page: [] for page in PAGE_TOUR}
    card = " ".join(body for _, body in markdown_texts(at.switch_page("p/account.py").run()))
    assert "Re\\-login" in card or "pixel\\.png" in card  # the name is there, escaped (the check saw it)


@pytest.mark.parametrize(
    "params",
    [
        {"x": "[Re-login](http://evil.example/p)"},
        {"channel": "[x](http://evil.example/h)"},
        {"region": "![i](http://evil.example/i.png)", "tier": "<img src=x>"},
        {"start": "[d](http://evil.example/d)"},
    ],
)
def test_link_values_echoed_in_notices_are_escaped(hostile_app, params):
    at = hostile_app
    at.query_params.update(params)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    notices = [body for kind, body in markdown_texts(at) if kind in ("toast", "caption") and "gnored" in body]
    assert notices, markdown_texts(at)  # the drop is still announced
    assert offenders(at) == []


def test_a_saved_scenario_with_a_hostile_name_opens_without_markup(tmp_path, monkeypatch):
    from kam_core.sim.scenario import load_scenario, run_scenario, save_scenario

    url = _hostile_db(tmp_path, history=True)
    monkeypatch.setenv("KAM_DATABASE_URL", url)
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    engine = get_engine(url)
    ids = []
    for name in (CORPUS[0], CORPUS[12]):
        s = load_scenario(
            {
                "name": name,
                "period": {"start": "2026-07-01", "end": "2026-09-30"},
                "case_price": 30.0,
                "programs": [{"type": "per_case", "amount_per_case": 2.0, "name": CORPUS[1]}],
            }
        )
        ids.append(save_scenario(engine, s, run_scenario(engine, s), CORPUS[8]))
    engine.dispose()
    at = AppTest.from_file(SIMULATOR, default_timeout=120)
    at.query_params["scenario"] = str(ids[0])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.subheader[0].value.startswith("Result: ") and "Re\\-login" in at.subheader[0].value
    at.multiselect(key="sim_compare").set_value(ids)
    at.run()
    assert not at.exception and offenders(at) == []
    unknown = AppTest.from_file(SIMULATOR, default_timeout=60)
    unknown.query_params["scenario"] = "[x](http://evil.example/s)"
    unknown.run()
    assert not unknown.exception and unknown.warning and offenders(unknown) == []
