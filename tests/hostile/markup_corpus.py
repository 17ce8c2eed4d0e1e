"""Hostile values for markup injection (issue #13.2): what an account name, a note, a scenario name, a
file name or a link parameter could carry to become a live link, a remote image or layout in a page.

Written by hand for these tests. ``LINK_TARGETS`` are the hosts the values point at: none of them
may appear as a link target or an image source in a rendered page.
"""

from __future__ import annotations

CORPUS: list[str] = [
    "[Re-login](http://evil.example/p)",
    "![x](http://evil.example/pixel.png)",
    "[![img](http://evil.example/i.png)](http://evil.example/l)",
    "[ref link][r]\n\n[r]: http://evil.example/ref",
    "<http://evil.example/auto>",
    "http://evil.example/bare",
    "https://evil.example/bare-tls?a=1&b=2",
    "www.evil.example/www",
    "mail admin@evil.example now",
    "<a href='http://evil.example/a'>click</a>",
    '<img src="http://evil.example/img.png" onerror="alert(1)">',
    "<script>alert(1)</script>",
    "<b>x</b><img src=x>",
    "**bold** __also__ *it* _it_ ~~gone~~",
    "# Header",
    "### Third",
    "Name\n\n# injected header",
    "- item\n- item",
    "1. first\n2. second",
    "> quoted",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "`code` and ```fence```",
    "    indented code",
    "---",
    ":material/warning: urgent",
    ":red[red] :blue-background[bg] :rainbow[all]",
    ":smile: :+1: :streamlit:",
    "$x^2$ and $$\\frac{1}{2}$$",
    "price $5 and $6",
    "\\[escaped\\](http://evil.example/bs)",
    "[x](javascript:alert(1))",
    "[x](<http://evil.example/angle>)",
    "[x]( http://evil.example/space )",
    "&lt;b&gt;entity&lt;/b&gt; &#91;x&#93;(http://evil.example/ent)",
    '[x](http://evil.example/t "title")',
    "杭州[一批](http://evil.example/zh)商",
    "‹fullwidth› ［x］（http://evil.example/fw）",
    "trailing backslash \\",
    "line one  \nline two",
    "A&B <C> \"D\" 'E'",
]

LINK_TARGETS = ("evil.example", "javascript:")
