"""The account card page on a tiny database: URL seeding, scope notice, edits, conflicts."""

from pathlib import Path

import pytest
from kam_tiny_db import tiny_sqlite_url
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from kam_core.db import get_engine
from kam_core.db.schema import account, visit
from kam_core.i18n.markup import shown_text
from kam_core.profile import add_visit, edit_mark, load_profile, update_account_fields, upsert_contact

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "account.py")


@pytest.fixture
def tiny_url(tmp_path, monkeypatch):
    url = tiny_sqlite_url(tmp_path / "kam.db")
    monkeypatch.setenv("KAM_DATABASE_URL", url)
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    return url


def open_card(account_id: str | None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if account_id is not None:
        at.query_params["account"] = account_id
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def submit(at: AppTest, form: str) -> AppTest:
    buttons = [b for b in at.button if form in str(b.id) or form in str(getattr(b, "form_id", ""))]
    assert buttons, f"no submit button in {form}"
    buttons[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_url_seeds_the_card(tiny_url):
    at = open_card("A001")
    assert at.text_input(key="account").value == "A001"
    assert at.subheader[0].value == "Hangzhou Dist · 杭州一批 (A001)"
    assert len(at.tabs) == 9
    assert any("version 1" in c.value for c in at.caption)


def test_without_an_account_the_page_asks_for_one(tiny_url):
    at = open_card(None)
    assert "Enter an account id" in at.info[0].value and not at.subheader


def test_an_unknown_account_shows_a_short_notice_and_nothing_else(tiny_url):
    at = open_card("ZZZ999")
    assert "ZZZ999 was not found" in at.warning[0].value
    assert not at.subheader and not at.tabs


def test_a_visit_recorded_through_the_form_lands(tiny_url):
    at = open_card("A001")
    at.selectbox(key="acct_visit_A001_visit_type").set_value("consulting")
    at.number_input(key="acct_visit_A001_duration_min").set_value(75)
    at.text_area(key="acct_visit_A001_note").set_value("menu engineering for summer")
    submit(at, "form_visit_A001")
    assert "Saved (version 2)" in at.success[0].value
    with get_engine(tiny_url).connect() as conn:
        rows = conn.execute(
            select(visit.c.visit_type, visit.c.duration_min, visit.c.note, visit.c.created_by).where(
                visit.c.note == "menu engineering for summer"
            )
        ).all()
    assert rows == [
        ("consulting", 75.0, "menu engineering for summer", "local-director")
    ]  # the embedded mode's documented identity


def test_an_invalid_value_shows_the_validation_message_and_saves_nothing(tiny_url):
    at = open_card("A001")
    at.number_input(key="acct_visit_A001_duration_min").set_value(900)
    submit(at, "form_visit_A001")
    shown = shown_text(at.error[0].value)  # the message's values are escaped markdown (issue #13.2)
    assert "duration_min" in shown and "600" in shown
    with get_engine(tiny_url).connect() as conn:
        assert conn.execute(select(account.c.version).where(account.c.account_id == "A001")).scalar() == 1


def _phone(url: str) -> str:
    with get_engine(url).connect() as conn:
        return conn.execute(select(account.c.phone).where(account.c.account_id == "A001")).scalar()


def test_a_visit_logged_by_someone_else_does_not_block_a_capability_edit(tiny_url):
    at = open_card("A001")
    engine = get_engine(tiny_url)
    add_visit(
        engine,
        "A001",
        edit_mark(engine),
        "bob",
        {"visit_date": "2026-06-01", "visit_type": "order", "duration_min": 30},
    )
    at.number_input(key="acct_cap_A001_staff").set_value(44)
    submit(at, "form_cap_A001")
    assert not at.warning and "Saved (version 3)" in at.success[0].value
    assert load_profile(engine, "A001").capabilities["staff"] == 44


def test_a_change_underneath_to_the_same_field_shows_both_values_and_keeps_what_was_typed(tiny_url):
    at = open_card("A001")
    engine = get_engine(tiny_url)
    update_account_fields(engine, "A001", edit_mark(engine), "bob", {"phone": "0571-1111"})
    at.text_input(key="acct_basic_A001_phone").set_value("0571-2222")
    submit(at, "form_basic_A001")
    shown = shown_text(at.warning[0].value)
    assert "bob changed Phone to 0571-1111 at" in shown and "you entered 0571-2222" in shown
    assert _phone(tiny_url) == "0571-1111"  # nothing written
    assert at.text_input(key="acct_basic_A001_phone").value == "0571-2222"  # the typed value stays
    at.run()  # and survives a rerun
    assert at.text_input(key="acct_basic_A001_phone").value == "0571-2222" and at.warning
    at.button(key="form_basic_A001_save_mine").click().run()
    assert not at.exception and "Saved (version 3)" in at.success[0].value
    assert _phone(tiny_url) == "0571-2222"


def test_keep_theirs_reloads_the_form_with_their_value(tiny_url):
    at = open_card("A001")
    engine = get_engine(tiny_url)
    update_account_fields(engine, "A001", edit_mark(engine), "bob", {"outlets_served": 130})
    at.number_input(key="acct_basic_A001_outlets_served").set_value(140)
    at.text_input(key="acct_basic_A001_name_en").set_value("Hangzhou One")  # another field: not in conflict
    submit(at, "form_basic_A001")
    shown = shown_text(at.warning[0].value)
    assert "bob changed Outlets served to 130" in shown and "you entered 140" in shown
    at.button(key="form_basic_A001_keep_theirs").click().run()
    assert not at.warning and _widget(at, "acct_basic_A001_", "outlets_served").value == 130
    basic = load_profile(engine, "A001").basic
    assert (basic["outlets_served"], basic["name_en"]) == (130, "Hangzhou Dist")  # the refused save wrote nothing


def test_the_conflict_message_is_in_chinese_for_a_chinese_user(tiny_url, monkeypatch):
    monkeypatch.setenv("KAM_DEFAULT_LANG", "zh")
    at = open_card("A001")
    engine = get_engine(tiny_url)
    update_account_fields(engine, "A001", edit_mark(engine), "bob", {"status": "signed"})
    at.selectbox(key="acct_basic_A001_status").set_value("lost")
    submit(at, "form_basic_A001")
    shown = shown_text(at.warning[0].value)
    assert "bob 在" in shown and "状态改成了 已签约" in shown and "你填的是 已流失" in shown


def test_a_rep_cannot_open_another_reps_card_from_a_link(tiny_url, monkeypatch):
    from kam_core.scope import Scope

    monkeypatch.setattr("kam_ui.data.viewer_scope", lambda: Scope("rep", "REP002"))
    at = open_card("A001")
    assert "A001 was not found" in at.warning[0].value and not at.subheader
    assert open_card("A003").subheader[0].value == "Beijing Mart · 北京卖场 (A003)"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_tab_renders_in_both_languages(tiny_url, monkeypatch, lang):
    monkeypatch.setenv("KAM_DEFAULT_LANG", lang)
    at = open_card("A001")
    assert at.title[0].value == {"zh": "客户资料卡", "en": "Account card"}[lang]
    assert len(at.tabs) == 9 and len(at.get("form")) >= 7


def test_a_contact_change_keeps_a_field_someone_else_changed_meanwhile(tiny_url):
    engine = get_engine(tiny_url)
    upsert_contact(engine, "A001", edit_mark(engine), "bob", {"name": "钱", "level": "buyer", "phone": "111-1111"})
    at = open_card("A001")
    cid = int(load_profile(engine, "A001").contacts.query("name == '钱'")["contact_id"].iloc[0])
    at.selectbox(key="acct_contact_sel_A001").set_value(cid).run()
    upsert_contact(engine, "A001", edit_mark(engine), "bob", {"contact_id": cid, "phone": "222-2222"})
    at.text_input(key=f"acct_contact_A001_{cid}_hobbies").set_value("钓鱼")
    submit(at, f"form_contact_A001_{cid}")
    assert not at.warning and "Saved" in at.success[0].value
    row = load_profile(engine, "A001").contacts.query(f"contact_id == {cid}").iloc[0]
    assert (row["phone"], row["hobbies"]) == ("222-2222", "钓鱼")


def _widget(at: AppTest, form_base: str, field: str):
    """The form's widget for ``field`` whatever the form's generation (a form reset after a save gets new keys,
    kam_ui.account_forms.form_prefix)."""
    found = [w for kind in (at.text_input, at.number_input) for w in kind if str(w.key).startswith(form_base)]
    found = [w for w in found if str(w.key).endswith("_" + field)]
    assert len(found) == 1, [w.key for w in found]
    return found[0]


def test_after_a_merged_save_the_form_shows_their_value_and_a_later_save_keeps_it(tiny_url):
    at = open_card("A001")
    engine = get_engine(tiny_url)
    update_account_fields(engine, "A001", edit_mark(engine), "bob", {"phone": "0571-1111"})  # bob saves first
    _widget(at, "acct_basic_A001_", "address").set_value("杭州市新路 1 号")
    submit(at, "form_basic_A001")
    assert not at.warning and "Saved" in at.success[0].value  # another field: merged
    assert _widget(at, "acct_basic_A001_", "phone").value == "0571-1111"  # the form shows bob's phone now
    _widget(at, "acct_basic_A001_", "name_en").set_value("Hangzhou One")
    submit(at, "form_basic_A001")
    basic = load_profile(engine, "A001").basic
    assert (basic["phone"], basic["address"], basic["name_en"]) == ("0571-1111", "杭州市新路 1 号", "Hangzhou One")
