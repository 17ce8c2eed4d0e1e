"""Neutralise markup in values shown through Streamlit's markdown or Plotly's hover labels.

Streamlit renders GitHub-flavoured markdown (links, images, emphasis, headers, lists, tables, code)
plus its own extensions (``:red[...]`` colours, ``:material/icon:`` and emoji shortcodes, ``$...$``
LaTeX) in ``st.markdown``, captions, headers, alerts, toasts, metric/tab/expander/widget labels.
An account name or a link parameter put there would become a live link or fetch a remote image.
:func:`escape_markdown` makes such a value render as its own text. Escape the *values* (the format
arguments of a translated template), never the template, whose own markdown is wanted.
"""

from __future__ import annotations

import html
import re
import string

WORD_JOINER = "\u2060"  # invisible, zero width: splits a pattern without changing what people read

# Backslash-escaping every ASCII punctuation character is valid CommonMark and renders as the
# character itself. It stops links, images, emphasis, headers, lists, tables, code, HTML, LaTeX
# ($ is escaped) and :colour[...] directives.
_PUNCT = frozenset(string.punctuation)
# Some rules run on the *parsed* text, after escapes are resolved, so escaping alone cannot stop them:
# GFM's bare-URL and e-mail linkifier, and Streamlit's :shortcode: icons/emoji. An invisible word joiner
# inside the trigger breaks those patterns.
_AFTER_PARSE = re.compile(r"(?i)(?<=\S)@(?=\S)|:(?=\S)|w(?=ww\.)")
_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029]+")  # a newline in a value would start a new block


def escape_markdown(value: object) -> str:
    r"""``value`` as text that Streamlit's markdown shows literally.

    Parameters
    ----------
    value
        Any value (converted with ``str``; None becomes "").

    Returns
    -------
    str
        Every ASCII punctuation character backslash-escaped, line breaks as spaces, no leading or
        trailing blanks, and an invisible
        word joiner where a rule applied after parsing would still match (``http://``, ``www.``, ``a@b``,
        ``:shortcode:``).

    Examples
    --------
    >>> escape_markdown("**[x](y)**")
    '\\*\\*\\[x\\]\\(y\\)\\*\\*'
    """
    text = "" if value is None else str(value)
    text = _BREAKS.sub(" ", text).strip()  # four leading spaces would make a code block
    text = _AFTER_PARSE.sub(lambda m: m.group(0) + WORD_JOINER, text)
    return "".join("\\" + ch if ch in _PUNCT else ch for ch in text)


def escape_hover(value: object) -> str:
    """``value`` as text for a Plotly hover label, trace name or text (Plotly renders a subset of HTML).

    Examples
    --------
    >>> escape_hover("<b>x</b> & y")
    '&lt;b&gt;x&lt;/b&gt; &amp; y'
    """
    return html.escape("" if value is None else str(value), quote=False)


_ESCAPED = re.compile(r"\\([" + re.escape(string.punctuation) + r"])")


def shown_text(markdown: str) -> str:
    """What a reader sees of text escaped by :func:`escape_markdown`: escapes and word joiners removed.

    Examples
    --------
    >>> shown_text(escape_markdown("[x](http://h)"))
    '[x](http://h)'
    """
    return _ESCAPED.sub(r"\1", markdown).replace(WORD_JOINER, "")
