"""escape_markdown / escape_hover on the hostile corpus (issue #13.2, #13.8). The browser test
(tests/e2e/test_markup_browser.py) checks the same corpus through Streamlit's real renderer."""

from __future__ import annotations

import re
import string

import pytest

from kam_core.i18n.markup import WORD_JOINER, escape_hover, escape_markdown, shown_text
from tests.hostile.markup_corpus import CORPUS

PUNCT = re.escape(string.punctuation)


@pytest.mark.parametrize("value", CORPUS)
def test_every_punctuation_mark_of_a_hostile_value_is_escaped(value):
    escaped = escape_markdown(value)
    bare = re.sub(rf"\\[{PUNCT}]", "", escaped)  # drop every escaped pair: no markup character may be left
    assert not set(bare) & set(string.punctuation), escaped
    assert "](" not in bare and "<" not in bare and "\n" not in escaped


@pytest.mark.parametrize("value", CORPUS)
def test_an_escaped_value_reads_as_the_value_itself(value):
    assert " ".join(shown_text(escape_markdown(value)).split()) == " ".join(value.split())


@pytest.mark.parametrize(
    "value",
    [
        "http://evil.example",
        "see https://x.example/a",
        "www.evil.example",
        "admin@evil.example",
        ":material/warning:",
        ":smile:",
        ":red[x]",
    ],
)
def test_patterns_matched_after_parsing_are_split_by_an_invisible_joiner(value):
    # GFM's bare-URL/e-mail linkifier and Streamlit's :shortcodes: run on the parsed text, where the
    # backslashes are gone: the word joiner is what stops them (the browser test shows it is needed).
    plain = escape_markdown(value).replace("\\", "")
    assert not re.search(r"https?://|www\.|\w@\w|:[\w/+-]+[:\[]", plain), plain
    assert WORD_JOINER in plain


def test_plain_words_numbers_and_chinese_are_left_as_they_are():
    assert escape_markdown("杭州一批 2026 Hangzhou") == "杭州一批 2026 Hangzhou"
    assert escape_markdown(None) == ""
    assert escape_markdown(12) == "12"


def test_line_breaks_become_spaces_so_a_value_cannot_start_a_block():
    assert escape_markdown("Name\n\n# header\r\n- item") == "Name \\# header \\- item"
    assert escape_markdown("    code") == "code"


def test_hover_text_escapes_html_and_keeps_the_name_readable():
    assert escape_hover("<b>x</b><img src=x>") == "&lt;b&gt;x&lt;/b&gt;&lt;img src=x&gt;"
    assert escape_hover("A&B") == "A&amp;B"
    assert escape_hover("杭州一批") == "杭州一批"
