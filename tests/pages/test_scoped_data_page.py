"""The Data page signed in as rep, manager and director ([auth] configured, users listed), issue #13:
scoped lists, row counts and import log; imports refused outside the scope; the e-mail in the logs."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from kam_core.db import get_engine
from kam_core.db.schema import account, audit_log, credit_terms, import_log, region, visit
from kam_core.i18n import label, t
from kam_core.i18n.markup import shown_text
from kam_core.io.validation import IMPORTABLE
from kam_core.permissions import importable_by
from kam_core.scope import DIRECTOR, Scope
from kam_core.users import save_user
from tests.hostile.tally import WRITES

pytest.importorskip("streamlit.testing.v1")
from streamlit.testing.v1 import AppTest  # noqa: E402

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x" * 32,
    "client_id": "id",
    "client_secret": "secret",
    "server_metadata_url": "https://login.example.com/.well-known/openid-configuration",
}
EMAILS = {"rep": "rep@brewer.cn", "manager": "manager@brewer.cn", "director": "boss@brewer.cn"}


@pytest.fixture(scope="module")
def org(demo_engine, tmp_path_factory):
    """A writable copy of the demo database with a rep, a manager (the rep's top region) and a director."""
    path = tmp_path_factory.mktemp("scoped") / "kam.db"
    shutil.copy(demo_engine.url.database, path)
    engine = get_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        rep_id = (
            conn.execute(
                select(account.c.owner_rep_id)
                .where(account.c.owner_rep_id.is_not(None))
                .group_by(account.c.owner_rep_id)
                .order_by(func.count().desc())
            )
            .scalars()
            .first()
        )
        own = conn.execute(
            select(account.c.account_id, region.c.path)
            .join(region, region.c.region_id == account.c.region_id)
            .where(account.c.owner_rep_id == rep_id)
            .order_by(account.c.account_id)
        ).first()
        top = own.path.split("/")[0]
        outside = (
            conn.execute(
                select(account.c.account_id)
                .join(region, region.c.region_id == account.c.region_id)
                .where(region.c.path != top, ~region.c.path.startswith(top + "/"))
                .order_by(account.c.account_id)
            )
            .scalars()
            .first()
        )
        top_code = conn.execute(select(region.c.code).where(region.c.path == top)).scalar_one()
    save_user(engine, DIRECTOR, EMAILS["rep"], "rep", rep_id)
    save_user(engine, DIRECTOR, EMAILS["manager"], "manager", top_code)
    save_user(engine, DIRECTOR, EMAILS["director"], "director")
    scopes = {"rep": Scope("rep", rep_id), "manager": Scope("manager", top_code), "director": DIRECTOR}
    return {"engine": engine, "url": f"sqlite:///{path}", "own": own.account_id, "outside": outside, "scopes": scopes}


def _data_page(org, launcher, monkeypatch, role: str) -> AppTest:
    monkeypatch.setenv("KAM_DATABASE_URL", org["url"])
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    at = AppTest.from_file(launcher, default_timeout=240)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": EMAILS[role], "name": role}
    at.run()
    at.switch_page("p/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _tables(names) -> list[str]:
    return [label("table", n, "en") for n in names]


def _upload(at: AppTest, table: str, name: str, text: str) -> AppTest:
    at.radio(key="import_kind").set_value("table").run()
    at.selectbox(key="import_table").select(table).run()
    at.file_uploader(key="import_file").set_value((name, text.encode("utf-8"), "text/csv")).run()
    label_ = t("data.run_import", "en", table=label("table", table, "en"))
    return at.button[[shown_text(b.label) for b in at.button].index(label_)].click().run()


def _refused_upload(org, at, table, name, text, tables) -> None:
    """A hostile upload: refused on screen, nothing written (counted in the hostile-writes tally)."""
    before = [_count(org["engine"], t_) for t_ in tables]
    WRITES["tried"] += 1
    _upload(at, table, name, text)
    landed = [_count(org["engine"], t_) for t_ in tables] != before
    shown = any(t("writes.refused", "en", n=1) in e.value for e in at.error)
    WRITES["landed"] += landed
    WRITES["refused"] += shown and not landed
    assert shown and not landed, [e.value for e in at.error]


def _row_counts(at: AppTest) -> dict[str, int]:
    frame = next(d.value for d in at.dataframe if t("data.col_table", "en") in d.value.columns)
    return dict(zip(frame[t("data.col_table", "en")], frame[t("data.col_rows", "en")], strict=True))


def _in_scope(org, role: str) -> tuple[set, set, int]:
    engine, scope = org["engine"], org["scopes"][role]
    from kam_core.db.schema import sales_rep

    with engine.connect() as conn:
        regions = set(conn.execute(select(region.c.code).where(scope.region_clause())).scalars())
        reps = set(conn.execute(select(sales_rep.c.rep_id).where(scope.rep_clause())).scalars())
        accounts = conn.execute(select(func.count()).select_from(account).where(scope.account_clause())).scalar_one()
    return regions, reps, accounts


VISITS = "account_id,visit_date,visit_type,duration_min\n"


def test_a_rep_sees_only_own_lists_imports_own_visits_and_is_refused_elsewhere(org, launcher, monkeypatch):
    at = _data_page(org, launcher, monkeypatch, "rep")
    regions, reps, accounts = _in_scope(org, "rep")
    assert set(at.sidebar.multiselect(key="region").options) == regions
    assert len(regions) < _count(org["engine"], region)  # not the company-wide list
    assert set(at.sidebar.multiselect(key="rep").options) == reps == {org["scopes"]["rep"].scope_id}
    assert at.radio(key="import_kind").options == [t("erp_import.kind_table", "en")]  # reps import no ERP files
    assert at.selectbox(key="import_table").options == _tables(importable_by(org["scopes"]["rep"], IMPORTABLE))
    counts = _row_counts(at)
    assert counts[label("table", "account", "en")] == accounts
    assert label("table", "region", "en") not in counts and label("table", "sales_rep", "en") not in counts
    assert t("admin.users_director_only", "en") in [i.value for i in at.info]
    _refused_upload(
        org,
        at,
        "visit",
        "mixed.csv",
        VISITS + f"{org['own']},2026-06-01,order,30\n{org['outside']},2026-06-01,order,30\n",
        [visit, audit_log, import_log],
    )
    assert any(f"'{org['outside']}'" in str(d.value.to_dict()) for d in at.dataframe)  # the refused row is named
    _upload(at, "visit", "own.csv", VISITS + f"{org['own']},2026-06-01,order,30\n")
    assert not at.error, [e.value for e in at.error]
    with org["engine"].connect() as conn:
        by = conn.execute(select(import_log.c.imported_by).where(import_log.c.file_name == "own.csv")).scalar_one()
        changed = (
            conn.execute(
                select(audit_log.c.changed_by)
                .where(audit_log.c.table_name == "visit")
                .order_by(audit_log.c.audit_id.desc())
            )
            .scalars()
            .first()
        )
    assert by == changed == EMAILS["rep"]


def test_a_manager_imports_credit_terms_in_the_region_and_is_refused_outside(org, launcher, monkeypatch):
    at = _data_page(org, launcher, monkeypatch, "manager")
    regions, reps, _ = _in_scope(org, "manager")
    assert set(at.sidebar.multiselect(key="region").options) == regions
    assert set(at.sidebar.multiselect(key="rep").options) == reps
    at.radio(key="import_kind").set_value("table").run()
    assert label("table", "credit_terms", "en") in at.selectbox(key="import_table").options
    assert label("table", "region", "en") not in at.selectbox(key="import_table").options
    head = "account_id,valid_from,settlement_mode,payment_terms_days\n"
    _refused_upload(
        org,
        at,
        "credit_terms",
        "terms_out.csv",
        head + f"{org['outside']},2030-01-01,credit,99\n",
        [credit_terms, audit_log, import_log],
    )
    _upload(at, "credit_terms", "terms_in.csv", head + f"{org['own']},2030-01-01,credit,45\n")
    assert not at.error, [e.value for e in at.error]
    with org["engine"].connect() as conn:
        by = conn.execute(select(import_log.c.imported_by).where(import_log.c.file_name == "terms_in.csv")).scalar_one()
    assert by == EMAILS["manager"]
    by = t("imports_table.imported_by", "en")
    imports = next(d.value for d in at.dataframe if by in d.value.columns)
    assert set(imports[by]) == {EMAILS["manager"]}  # the rep's import is not shown to the manager


def test_a_director_sees_every_region_and_imports_anything_as_themselves(org, launcher, monkeypatch):
    at = _data_page(org, launcher, monkeypatch, "director")
    regions, reps, accounts = _in_scope(org, "director")
    assert set(at.sidebar.multiselect(key="region").options) == regions
    assert set(at.sidebar.multiselect(key="rep").options) == reps
    at.radio(key="import_kind").set_value("table").run()
    assert at.selectbox(key="import_table").options == _tables(IMPORTABLE)
    counts = _row_counts(at)
    assert counts[label("table", "account", "en")] == accounts and label("table", "region", "en") in counts
    head = "account_id,valid_from,settlement_mode,payment_terms_days\n"
    _upload(at, "credit_terms", "terms_any.csv", head + f"{org['outside']},2030-01-01,cash,0\n")
    assert not at.error, [e.value for e in at.error]
    with org["engine"].connect() as conn:
        by = conn.execute(
            select(import_log.c.imported_by).where(import_log.c.file_name == "terms_any.csv")
        ).scalar_one()
    assert by == EMAILS["director"]


def test_a_rep_never_sees_the_name_or_programs_of_another_persons_saved_scenario(org, launcher, monkeypatch):
    from kam_core.sim.scenario import load_scenario, save_scenario

    secret = load_scenario(
        {
            "name": "董事秘密返利",
            "period": {"start": "2026-01-01", "end": "2026-06-30"},
            "draws": 0,
            "programs": [{"type": "per_case", "amount_per_case": 9.5}],
        }
    )
    run_id = save_scenario(org["engine"], secret, None, EMAILS["director"])
    monkeypatch.setenv("KAM_DATABASE_URL", org["url"])
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    at = AppTest.from_file(launcher, default_timeout=240)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": EMAILS["rep"], "name": "rep"}
    at.query_params["scenario"] = str(run_id)
    at.run()
    at.switch_page("p/simulator.py").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [str(o) for s in at.selectbox for o in s.options] + [str(o) for m in at.multiselect for o in m.options]
    assert not any("董事秘密返利" in o for o in shown)
    assert t("sim.saved_unknown", "en", id=run_id) in [w.value for w in at.warning]


def test_sign_in_with_an_empty_user_table_says_how_to_add_the_first_director(demo_engine, launcher, monkeypatch):
    from kam_core.users import list_users

    assert list_users(demo_engine).empty
    monkeypatch.setenv("KAM_DATABASE_URL", demo_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    at = AppTest.from_file(launcher, default_timeout=240)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "first@brewer.cn", "name": "first"}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [i.value for i in at.info] == [t("writes.no_users_yet", "en")]
    assert "python -m kam_core users add" in at.info[0].value and len(at.dataframe) == 0
