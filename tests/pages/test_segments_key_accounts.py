"""Segments page: the ABC basis control and the key-account list (80/80 union with its basis), with AppTest."""

from __future__ import annotations

import re

import pytest

from kam_core.i18n import t

pytest.importorskip("streamlit.testing.v1")
from streamlit.testing.v1 import AppTest  # noqa: E402

PARETO = re.compile(r": (\S+) of accounts give (\S+) of (.+)$")
COUNTS = re.compile(r"(\d+) key accounts: (\d+) by sales only, (\d+) by profit only, (\d+) by both")


@pytest.fixture
def segments(demo_engine, launcher, monkeypatch) -> AppTest:
    monkeypatch.setenv("KAM_DATABASE_URL", demo_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    at = AppTest.from_file(launcher, default_timeout=180)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("p/segments.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _pareto_bases(at: AppTest) -> set[str]:
    return {m.group(3) for c in at.caption if (m := PARETO.search(c.value))}


def test_the_abc_basis_control_switches_the_pareto_lines_between_sales_cases_and_profit(segments):
    at = segments
    radio = at.radio(key="abc_basis")
    assert radio.value == "sales" and list(radio.options) == ["Net sales", "Cases", "Net customer profit"]
    assert _pareto_bases(at) == {"Net sales"}
    for basis, word in (("cases", "Cases"), ("profit", "Net customer profit")):
        radio.set_value(basis).run()
        assert not at.exception, [e.value for e in at.exception]
        assert _pareto_bases(at) == {word}
        assert not at.error, [e.value for e in at.error]


def test_the_key_list_names_the_basis_of_each_key_account_and_matches_its_counts(segments):
    at = segments
    counts = next(m for c in at.caption if (m := COUNTS.search(c.value)))
    n, sales, profit, both = (int(g) for g in counts.groups())
    assert n == sales + profit + both and n > 0
    table = next(df.value for df in at.dataframe if "key_basis" in df.value.columns)
    key_rows = table[table["key_kind"] == t("segments.is_key", "en")]
    assert len(key_rows) == n
    shown = key_rows["key_basis"].value_counts().to_dict()
    expected = {t("key_basis.sales", "en"): sales, t("key_basis.profit", "en"): profit, t("key_basis.both", "en"): both}
    assert shown == {k: v for k, v in expected.items() if v}
    # the demo assesses only distributors and wholesalers: the page says how many have no capability data
    assert any("have no capability assessment" in c.value for c in at.caption)


def test_the_accounts_the_frequency_rule_made_c_are_listed_with_the_reason(segments):
    at = segments
    assert any("ordered on few days" in c.value for c in at.caption)
    low = next(df.value for df in at.dataframe if "abc_reason" in df.value.columns)
    assert low["abc_reason"].str.startswith("Few order days (below the channel's 20th percentile").all()
    assert (low["abc_class"] == "C").all()
