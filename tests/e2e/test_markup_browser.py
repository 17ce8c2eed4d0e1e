"""Hostile values through Streamlit's real markdown renderer (issue #13.2): escaped, every corpus value
shows as its own text in every markdown-rendering element, with no link and no image.

One small script (not the app) draws each value, raw or escaped, in the elements the dashboard uses;
Chromium counts what the renderer made of it. The raw counts are the "before" of the closing note.
"""

from __future__ import annotations

import sys
import textwrap
import time
from pathlib import Path

import pytest
from e2e_server import streamlit_server
from test_browser import TIMEOUT_MS, browser  # noqa: F401 - the module's Chromium fixture

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.hostile.markup_corpus import CORPUS  # noqa: E402

pytestmark = pytest.mark.e2e
# Widget labels (button, checkbox, ...) use the same markdown component; their label nodes are re-mounted
# while the page settles, which makes a one-shot DOM count unreliable, so they are not listed here.
ELEMENTS = ("markdown", "caption", "subheader", "info", "metric", "expander", "tab")
SCRIPT = textwrap.dedent(f"""
    import sys
    sys.path.insert(0, {str(ROOT)!r})
    import streamlit as st
    from kam_core.i18n.markup import escape_markdown
    from tests.hostile.markup_corpus import CORPUS

    for mode, i, value in [(m, i, v) for m in ("raw", "esc") for i, v in enumerate(CORPUS)]:
        shown = value if mode == "raw" else escape_markdown(value)
        for kind in {ELEMENTS!r}:
            with st.container(key=f"v{{mode}}_{{i}}_{{kind}}"):
                if kind == "markdown": st.markdown(shown)
                elif kind == "caption": st.caption(shown)
                elif kind == "subheader": st.subheader(shown, anchor=False)
                elif kind == "info": st.info(shown)
                elif kind == "metric": st.metric(shown, 1)
                elif kind == "expander": st.expander(shown)
                elif kind == "tab": st.tabs([shown])
    st.markdown("done")
""")
# What a value may not become: a link, an image, formatting or a block, an icon, an emoji, maths.
LIVE = "a, img, script, iframe"
FORMAT = (
    "strong, em, del, ul, ol, li, blockquote, table, code, pre, hr, .katex, h1, h2, h4, h5, h6, "
    "[data-testid='stIconMaterial'], span[style*='color']"
)
MEASURE = """([live, format]) => {
  const out = [];
  for (const box of document.querySelectorAll('[class*="st-key-v"]')) {
    const md = [...box.querySelectorAll('[data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"]')];
    out.push({key: [...box.classList].find(c => c.startsWith('st-key-v')).slice(8),
              live: md.reduce((n, m) => n + m.querySelectorAll(live).length, 0),
              format: md.reduce((n, m) => n + m.querySelectorAll(format).length, 0),
              text: md.length ? md[0].textContent : ''});  // the label (a metric's value is the second)
  }
  return out;
}"""


def _norm(text: str) -> str:
    return " ".join(text.replace("\u2060", "").split())


@pytest.fixture(scope="module")
def measured(browser, tmp_path_factory):  # noqa: F811
    script = tmp_path_factory.mktemp("markup") / "markup_app.py"
    script.write_text(SCRIPT, encoding="utf-8")
    found = {}
    with streamlit_server("sqlite://", script=script) as (base, _):
        page = browser.new_page()
        page.goto(base)
        page.get_by_text("done", exact=True).wait_for(timeout=TIMEOUT_MS)
        rows = _settled(page)
        page.close()
    for mode in ("raw", "esc"):
        found[mode] = {r["key"].removeprefix(mode + "_"): r for r in rows if r["key"].startswith(mode + "_")}
    return found


def _settled(page, seconds: float = 30.0) -> list[dict]:
    """The measurement once every box shows its label (labels mount a moment after the page's last element)."""
    deadline = time.monotonic() + seconds
    while True:
        rows = page.evaluate(MEASURE, [LIVE, FORMAT])
        empty = [r["key"] for r in rows if not r["text"].strip() and not r["live"]]
        if not empty or time.monotonic() > deadline:
            return rows
        time.sleep(0.5)


def _interpreted(rows: dict, index: int) -> list[str]:
    value = _norm(CORPUS[index])
    return [
        kind
        for kind in ELEMENTS
        if (r := rows.get(f"{index}_{kind}")) and (r["live"] or r["format"] or _norm(r["text"]) != value)
    ]


def test_raw_values_would_become_links_images_or_formatting(measured):
    raw = measured["raw"]
    live = [i for i in range(len(CORPUS)) if any(raw[f"{i}_{k}"]["live"] for k in ELEMENTS if f"{i}_{k}" in raw)]
    changed = [i for i in range(len(CORPUS)) if _interpreted(raw, i)]
    print(
        f"\nmarkup corpus raw: {len(live)} of {len(CORPUS)} values give a live link/image, "
        f"{len(changed)} are rendered as something other than their text"
    )
    assert len(live) >= 8 and len(changed) >= 25  # the corpus does attack: otherwise the next test proves nothing


def test_escaped_values_render_as_their_own_text_in_every_element(measured):
    escaped = measured["esc"]
    assert len(escaped) == len(CORPUS) * len(ELEMENTS)
    bad = {
        CORPUS[i]: (kinds, [escaped[f"{i}_{k}"]["text"] for k in kinds])
        for i in range(len(CORPUS))
        if (kinds := _interpreted(escaped, i))
    }
    assert not bad, bad
