"""A conflict in plain words: labels for codes and fields, formatted numbers and money, both languages."""

from __future__ import annotations

import datetime as dt

from kam_core.i18n.markup import shown_text
from kam_core.profile import FieldConflict
from kam_ui.account_conflict import conflict_lines, field_label, shown_value


def _conflict(table: str, field: str, theirs: str | None, yours: str | None) -> FieldConflict:
    at = dt.datetime(2026, 6, 1, 10, 32)
    return FieldConflict(table, "A001", field, theirs, yours, "li.wei@brewer.cn", at, 7)


def test_values_are_shown_as_labels_money_and_numbers_in_english(monkeypatch):
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    assert shown_value("account_capability", "capital_rmb", "50000") != "50000"
    assert "50,000" in shown_value("account_capability", "capital_rmb", "50000")
    assert shown_value("account", "status", "signed") == "Signed"
    assert shown_value("account", "outlets_served", "1200") == "1,200"
    assert shown_value("account", "jbp_in_place", "True") == "yes"
    assert shown_value("account", "phone", None) == "(empty)"
    assert shown_value("account_plan_item", "status", "done") != "done"
    assert field_label("account", "outlets_served") == "Outlets served"


def test_the_line_names_who_what_when_and_both_values(monkeypatch):
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    [line] = conflict_lines([_conflict("account_capability", "capital_rmb", "50000", "60000")])
    text = shown_text(line)
    assert text.startswith("li.wei@brewer.cn changed Capital") and "2026-06-01 10:32 UTC" in text
    assert "50,000" in text.split(";")[0] and "you entered" in text and "60,000" in text.split(";")[1]


def test_the_line_is_in_chinese_for_a_chinese_user(monkeypatch):
    monkeypatch.setenv("KAM_DEFAULT_LANG", "zh")
    [line] = conflict_lines([_conflict("account", "status", "signed", "lost")])
    assert shown_text(line) == "li.wei@brewer.cn 在 2026-06-01 10:32 UTC 把状态改成了 已签约；你填的是 已流失。"
