"""Hostile shared links: query strings nobody should send, each of which must open a page without an exception.

Each entry is (id, params, dropped): ``params`` maps a URL parameter to one value or a list (a repeated
key); ``dropped`` names the parameters whose value must be refused with a visible notice (a sidebar
caption) because it cannot be used. Values are written here by hand: SQL text, script tags, markdown
links, 10,000-character values, NaN/inf, impossible dates, empty values, control characters, unicode.
"""

from __future__ import annotations

LONG = "A" * 10_000

FILTER_LINKS = [
    ("sql_region", {"region": "R01' OR '1'='1"}, ["region"]),
    ("script_channel", {"channel": "<script>alert(1)</script>"}, ["channel"]),
    ("markdown_rep", {"rep": "[click](javascript:alert(1))"}, ["rep"]),
    ("unknown_tier_type", {"tier": "diamond", "type": "nan"}, ["tier", "type"]),
    ("long_region", {"region": LONG}, ["region"]),
    ("repeated_channel", {"channel": ["KA", "KA", "DIST", "KA"]}, []),
    ("many_channels", {"channel": ["KA"] * 300}, []),
    ("lowercase_channel", {"channel": "ka"}, ["channel"]),
    ("impossible_date", {"start": "2026-02-30"}, ["start"]),
    ("words_for_dates", {"start": "not-a-date", "end": "2026-13-01"}, ["start", "end"]),
    ("far_future", {"start": "9999-12-31"}, ["start"]),
    ("nan_inf_dates", {"start": "NaN", "end": "inf"}, ["start", "end"]),
    ("start_after_end", {"start": "2026-06-30", "end": "2026-01-01"}, ["start"]),
    ("repeated_dates", {"start": ["2026-01-01", "2026-02-01"]}, ["start"]),
    ("empty_values", {"start": "", "end": "", "region": "", "lang": ""}, []),
    ("datetime_for_date", {"end": "2026-01-01T00:00:00"}, ["end"]),
    ("huge_number_date", {"end": "1e309"}, ["end"]),
    ("bad_lang", {"lang": "fr"}, ["lang"]),
    ("two_langs", {"lang": ["zh", "en"]}, ["lang"]),
    ("unknown_and_scope", {"foo": "bar", "scope": "director:*"}, ["foo", "scope"]),
    ("emoji_rep", {"rep": "🍺"}, ["rep"]),
    ("nul_in_region", {"region": "R01\x00"}, ["region"]),
    ("loose_date", {"start": "2026-1-5"}, ["start"]),
    ("period_before_the_data", {"start": "2010-01-01", "end": "2010-03-31"}, []),
    ("period_after_the_data", {"start": "2030-01-01", "end": "2030-12-31"}, []),
    ("nothing_matches", {"tier": "platinum", "channel": "RETAIL", "type": "strategic"}, []),
    ("widget_keys", {"plan_total": "-1e308", "_acct_pick": "A002"}, ["plan_total", "_acct_pick"]),
]

ACCOUNT_LINKS = [
    ("unknown_account", {"account": "ZZZ999"}, []),
    ("empty_account", {"account": ""}, []),
    ("sql_account", {"account": "'; DROP TABLE account;--"}, []),
    ("script_account", {"account": "<script>alert(1)</script>"}, []),
    ("markdown_account", {"account": "[x](http://evil.example)"}, []),
    ("long_account", {"account": LONG}, ["account"]),
    ("repeated_account", {"account": ["A001", "A002"]}, ["account"]),
    ("nan_account", {"account": "NaN"}, []),
    ("inf_account", {"account": "-inf"}, []),
    ("padded_account", {"account": "  A001  "}, []),
    ("unicode_account", {"account": "账户一"}, []),
    ("path_account", {"account": "../../etc/passwd"}, []),
    ("control_account", {"account": "A001\r\n\t"}, []),
    ("zero_width_account", {"account": "A001\u200b"}, ["account"]),
    ("rtl_override_account", {"account": "\u202eA001"}, ["account"]),
]

ALL_LINKS = FILTER_LINKS + ACCOUNT_LINKS
