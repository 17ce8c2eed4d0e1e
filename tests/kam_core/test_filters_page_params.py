"""Page-level link parameters (account, scenario) and the small decoding rules around repeated values."""

import pytest

from kam_core.filters import ACCOUNT_ID_MAX, Filters, Notice, decode_account_param


def test_page_level_parameters_are_not_reported_as_unknown_filters():
    filters, notices = Filters.from_query({"account": ["AC00001"], "scenario": ["3"], "bogus": ["x"], "lang": ["en"]})
    assert [n.param for n in notices] == ["bogus"]
    assert filters == Filters(lang="en")


@pytest.mark.parametrize(
    ("raw", "chosen"),
    [
        ("A001", "A001"),
        ("  A001 \t", "A001"),
        ("", None),
        (None, None),
        ([], None),
        (["", "A001"], "A001"),
        ("'; DROP TABLE account;--", "'; DROP TABLE account;--"),
        ("A" * ACCOUNT_ID_MAX, "A" * ACCOUNT_ID_MAX),
    ],
    ids=["plain", "padded", "empty", "none", "no_values", "empty_then_id", "sql_is_just_an_id", "longest"],
)
def test_an_account_link_value_that_could_be_an_id_is_taken_quietly(raw, chosen):
    assert decode_account_param(raw) == (chosen, [])


@pytest.mark.parametrize(
    "raw",
    ["A" * (ACCOUNT_ID_MAX + 1), "A001\u200b", "\u202eA001", "A0\x0001"],
    ids=["too_long", "zero_width", "rtl_override", "nul"],
)
def test_an_account_link_value_that_cannot_be_an_id_is_dropped_with_a_notice_not_cut(raw):
    chosen, notices = decode_account_param(raw)
    assert chosen is None and [(n.param, n.reason) for n in notices] == [("account", "bad_value")]


def test_a_repeated_account_uses_the_first_id_and_names_each_other_one():
    assert decode_account_param(["A001", "A001", "A002", float("nan")]) == (
        "A001",
        [Notice("account", "nan", "bad_value"), Notice("account", "A002", "repeated")],
    )


def test_the_same_code_repeated_selects_it_once_without_a_too_many_notice():
    filters, notices = Filters.from_query({"channel": ["KA"] * 300})
    assert filters.channel == ("KA",) and notices == []


def test_an_empty_lang_is_the_default_and_of_repeated_langs_the_last_valid_one_is_kept_as_the_radio_does():
    assert Filters.from_query({"lang": ""}, default_lang="en") == (Filters(lang="en"), [])
    filters, notices = Filters.from_query({"lang": ["zh", "en", "fr"]})
    assert filters.lang == "en"
    assert [(n.value, n.reason) for n in notices] == [("fr", "bad_value"), ("zh", "repeated")]
