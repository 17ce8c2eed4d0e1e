"""Babel's plural rules and compact money/cases, with literal numbers in both languages."""

from __future__ import annotations

import re

import pytest

from kam_core.i18n import format_cases, format_money, load_catalog, plural_form, tn
from kam_ui.lang import trn, trn_fn, trn_text

NUMBERS = [0, 1, 2, 12_345, 123_456_789, -1, -12_345]
IDS = ["zero", "one", "two", "12k", "123m", "minus-one", "minus-12k"]


@pytest.mark.parametrize(
    ("n", "zh", "en"),
    list(
        zip(
            NUMBERS,
            ["0 个客户", "1 个客户", "2 个客户", "12,345 个客户", "123,456,789 个客户", "-1 个客户", "-12,345 个客户"],
            [
                "0 accounts",
                "1 account",
                "2 accounts",
                "12,345 accounts",
                "123,456,789 accounts",
                "-1 account",
                "-12,345 accounts",
            ],
            strict=True,
        )
    ),
    ids=IDS,
)
def test_count_of_accounts_agrees_with_its_number_in_english_and_has_no_plural_in_chinese(n, zh, en):
    assert tn("count.accounts", n, "zh") == zh
    assert tn("count.accounts", n, "en") == en


@pytest.mark.parametrize(
    ("n", "zh", "en"),
    list(
        zip(
            NUMBERS,
            ["¥0", "¥1", "¥2", "¥1.2万", "¥1.2亿", "-¥1", "-¥1.2万"],
            ["¥0", "¥1", "¥2", "¥12.3K", "¥123.5M", "-¥1", "-¥12.3K"],
            strict=True,
        )
    ),
    ids=IDS,
)
def test_compact_money_uses_wan_and_yi_in_chinese_and_k_m_in_english(n, zh, en):
    assert format_money(n, "zh") == zh
    assert format_money(n, "en") == en


@pytest.mark.parametrize(
    ("n", "zh", "en"),
    list(
        zip(
            NUMBERS,
            ["0箱", "1箱", "2箱", "1.2万箱", "1.2亿箱", "-1箱", "-1.2万箱"],
            ["0 cases", "1 case", "2 cases", "12.3K cases", "123.5M cases", "-1 case", "-12.3K cases"],
            strict=True,
        )
    ),
    ids=IDS,
)
def test_cases_are_compact_and_singular_for_one(n, zh, en):
    assert format_cases(n, "zh") == zh
    assert format_cases(n, "en") == en


def test_full_money_is_grouped_whole_yuan_or_fen_with_the_yuan_sign_in_both_languages():
    assert format_money(123_456_789, "zh", compact=False) == "¥123,456,789"
    assert format_money(123_456_789, "en", compact=False) == "¥123,456,789"
    assert format_money(-12_345.678, "en", compact=False, digits=2) == "-¥12,345.68"
    assert format_money(3, "zh", compact=False, digits=2) == "¥3.00"
    assert format_money(9_999, "zh") == "¥9,999" and format_money(10_000, "en") == "¥10K"
    assert format_money(None, "en") == format_money(float("inf"), "zh") == format_cases(float("nan"), "en") == "–"


def test_plural_form_follows_cldr():
    assert [plural_form(n, "en") for n in (0, 1, 1.0, 1.5, 2, -1)] == ["other", "one", "one", "other", "other", "one"]
    assert {plural_form(n, "zh") for n in (0, 1, 2, -1)} == {"other"}


def test_tn_shows_a_given_text_for_the_count_and_still_picks_the_form_by_the_number():
    assert tn("count.cases", 1, lang="en", n="1.0") == "1.0 case"
    assert tn("count.cases", 12_345, "en", n="12.3K") == "12.3K cases"
    with pytest.raises(KeyError):
        tn("count.nothing_here", 1, "en")
    with pytest.raises(ValueError, match="language"):
        tn("count.accounts", 1, "fr")


def test_every_plural_entry_has_other_and_one_chinese_text_for_both_forms():
    catalog = load_catalog()
    plural = {k.rsplit(".", 1)[0] for k in catalog if k.rsplit(".", 1)[-1] in ("one", "other")}
    plural = {k for k in plural if f"{k}.one" in catalog}  # some codes are literally "other" (a channel)
    assert {"count.accounts", "count.cases", "plural.overview.at_risk_help", "plural.data.export_caption"} <= plural
    for key in plural:
        one, other = catalog[f"{key}.one"], catalog[f"{key}.other"]
        assert one["zh"] == other["zh"], key
        assert set(re.findall(r"{(\w+)", one["en"])) == set(re.findall(r"{(\w+)", other["en"])), key


def test_ui_wrappers_follow_the_language_and_escape_markdown(monkeypatch):
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    assert trn("plural.overview.at_risk_help", 1) == "Plus 1 account flagged for diversion"
    assert trn("plural.overview.at_risk_help", 3) == "Plus 3 accounts flagged for diversion"
    assert trn("count.accounts", 2, n="*2*") == "\\*2\\* accounts"
    assert trn_text("count.accounts", 2, n="*2*") == "*2* accounts"
    monkeypatch.setenv("KAM_DEFAULT_LANG", "zh")
    assert trn_fn("count.accounts")(1) == "1 个客户"
