"""The data-health sentences of an import count in English as Babel's plural rules say (1 line, 2 lines)."""

from __future__ import annotations

import pytest

from kam_core.io.import_health import describe_import


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"lines_read": 1, "lines_imported": 1}, ["1 line read.", "1 line imported."]),
        ({"lines_read": 2, "lines_imported": 0}, ["2 lines read.", "0 lines imported."]),
        ({"lines_read": 3, "lines_refused": {"no_customer": 1}}, ["3 lines read.", "1 line refused: no customer."]),
        ({"lines_read": 3, "lines_refused": {"no_customer": 2}}, ["3 lines read.", "2 lines refused: no customer."]),
        (
            {"lines_read": 1, "return_invoices": 1},
            ["1 line read.", "1 invoice has only negative lines and is marked as a return."],
        ),
    ],
    ids=["one-each", "many-and-zero", "one-refused", "two-refused", "one-return-invoice"],
)
def test_english_sentences_take_the_singular_for_one(record, expected):
    assert describe_import(record, "en") == expected


def test_chinese_sentences_have_no_plural_and_name_the_count():
    assert describe_import({"lines_read": 1, "lines_refused": {"no_customer": 2}}, "zh") == [
        "读取 1 行。",
        "拒收 2 行：没有客户。",
    ]
