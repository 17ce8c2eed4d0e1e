"""The Promotions page (AppTest) on the literal post-event fixture, in Chinese and English."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kam_core.db import ensure_schema, get_engine
from kam_core.i18n import t
from kam_core.i18n.markup import shown_text
from tests.kam_core.analytics.test_post_event import _seed

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "promotions.py")


@pytest.fixture
def fixture_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'kam.db'}"
    engine = get_engine(url)
    ensure_schema(engine)
    _seed(engine)
    engine.dispose()
    monkeypatch.setenv("KAM_DATABASE_URL", url)
    return url


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_shows_the_uplift_of_the_fixture_promotion_in_both_languages(fixture_url, monkeypatch, lang):
    monkeypatch.setenv("KAM_DEFAULT_LANG", lang)
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == shown_text(t("promo.title", lang))
    assert at.selectbox[0].value == "CP1"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[shown_text(t("promo.kpi.cases", lang))] == "40"  # 2 participants × DiD 20 cases
    table = at.dataframe[0].value
    assert table[t("promo.col.per_account", lang)].tolist()[0] == 20.0
    assert t("promo.cmp.pre", lang) in table[t("promo.col.comparison", lang)].tolist()


def test_an_empty_database_says_there_is_no_promotion(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    ensure_schema(get_engine(url))
    monkeypatch.setenv("KAM_DATABASE_URL", url)
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    assert at.info[0].value == shown_text(t("promo.none", "en"))


def test_through_the_frame_the_planted_demo_campaign_shows_observed_and_predicted(demo_engine, launcher, monkeypatch):
    import pandas as pd

    monkeypatch.setenv("KAM_DATABASE_URL", demo_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    at = AppTest.from_file(launcher, default_timeout=240).run()
    at.switch_page("p/promotions.py").run()
    assert not at.exception, [e.value for e in at.exception]
    pid = pd.read_sql("SELECT promo_id FROM promotion WHERE mechanic = 'coupon'", demo_engine).iloc[0, 0]
    assert any(t("promo.mechanic.coupon", "en") in o for o in at.selectbox(key="promo_pick").options)  # labels
    at.selectbox(key="promo_pick").set_value(pid).run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.metric) == 4 and all(m.value != "–" for m in at.metric)
    versus = at.dataframe[1].value
    assert list(versus.columns) == [t(f"promo.col.{k}", "en") for k in ("measure", "predicted", "observed")]
    assert versus.notna().all().all()
