"""tr() escapes the values it puts into a template (issue #13.2), tr_text() leaves them for plain text."""

from __future__ import annotations

from kam_core.i18n import t
from kam_ui.lang import tr, tr_text

HOSTILE = "[Re-login](http://evil.example/p)"


def test_tr_escapes_a_link_value_but_keeps_the_template(monkeypatch):
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    text = tr("notice.bad_value", param="channel", value=HOSTILE)
    assert text.startswith("Ignored invalid channel value: ")
    assert HOSTILE not in text and "](" not in text
    assert text.endswith("\\[Re\\-login\\]\\(http\\:\u2060\\/\\/evil\\.example\\/p\\)")


def test_tr_keeps_numbers_as_numbers_and_none_as_none(monkeypatch):
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    assert tr("filters.matching", n=3, total=10) == t("filters.matching", "en", n=3, total=10)
    assert tr("sim.saved", id=None) == t("sim.saved", "en", id=None)


def test_tr_text_leaves_values_as_they_are_for_table_cells(monkeypatch):
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    assert tr_text("task.invite", name=HOSTILE) == t("task.invite", "en", name=HOSTILE)
