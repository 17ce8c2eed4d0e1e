"""The sidebar's filters show names, searchable in both languages; the link keeps the codes (#15.1).

The demo's first region R01 has sub-regions down to streets: choosing it keeps them all, the link says
``region=R01`` and nothing more, and the sidebar says how many regions the choice includes.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kam_core.db.schema import region
from kam_core.i18n import t
from kam_core.i18n.markup import shown_text

pytest.importorskip("streamlit.testing.v1")
from streamlit.testing.v1 import AppTest  # noqa: E402


@pytest.fixture
def app(demo_engine, launcher, monkeypatch):
    monkeypatch.setenv("KAM_DATABASE_URL", demo_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("KAM_DEFAULT_LANG", "zh")
    return AppTest.from_file(launcher, default_timeout=180)


def _run(at: AppTest, **params) -> AppTest:
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _link(at: AppTest) -> str:
    return next(c.value for c in at.code if "?" in c.value)


def test_the_channel_picker_shows_names_in_both_languages_not_codes(app):
    at = _run(app, lang="zh")
    picker = at.sidebar.multiselect(key="_pick_channel")
    assert picker.label == t("filters.channel", "zh")
    shown = [shown_text(o) for o in picker.options]
    assert f"{t('channel.DIST', 'zh')} · {t('channel.DIST', 'en')}" in shown  # 一批商 · Distributors
    assert not any(o in ("DIST", "WHS2", "KA", "RETAIL") for o in shown)


def test_choosing_a_chinese_channel_name_filters_and_puts_the_code_in_the_link(app):
    at = _run(app, lang="zh")
    picker = at.sidebar.multiselect(key="_pick_channel")
    label = next(o for o in picker.options if shown_text(o).startswith(t("channel.DIST", "zh")))
    picker.select(label).run()
    assert not at.exception
    assert at.multiselect(key="channel").value == ["DIST"]  # the bound widget carries the code
    assert "channel=DIST" in _link(at)
    assert t("channel.DIST", "zh") not in _link(at)


def test_a_link_with_a_region_code_shows_its_name_and_how_many_sub_regions_it_includes(app, demo_engine):
    with demo_engine.connect() as conn:
        rows = conn.execute(select(region.c.code, region.c.name_en, region.c.path)).all()
    r01 = next(r for r in rows if r.code == "R01")
    below = sum(1 for r in rows if r.path.startswith(r01.path + "/"))
    assert below > 0
    at = _run(app, lang="en", region="R01")
    picker = at.sidebar.multiselect(key="_pick_region")
    assert picker.value == ["R01"]
    assert shown_text(picker.format_func("R01")).startswith(r01.name_en)
    assert t("filters.region_below", "en", n=below) in [c.value for c in at.sidebar.caption]
    link = _link(at)
    assert link.count("region=") == 1 and "region=R01" in link  # the link stays short


def test_clearing_the_filters_empties_the_name_pickers_too(app):
    at = _run(app, lang="en", channel=["KA"])
    assert at.sidebar.multiselect(key="_pick_channel").value == ["KA"]
    reset = next(b for b in at.sidebar.button if b.label == t("filters.reset", "en"))
    reset.click().run()
    assert at.sidebar.multiselect(key="_pick_channel").value == []
    assert at.multiselect(key="channel").value == []


def test_a_chinese_notice_names_the_parameter_in_chinese_not_by_its_url_name(app):
    at = _run(app, lang="zh", tier="diamond")
    notices = [shown_text(c.value) for c in at.sidebar.caption if "diamond" in shown_text(c.value)]
    assert notices == [t("notice.unknown_value", "zh", param=t("filters.tier", "zh"), value="diamond")]
    assert "tier" not in notices[0]
