import pandas as pd
import pytest
from sqlalchemy import func, select

from kam_core.db.bulk import bulk_insert
from kam_core.db.schema import audit_log, region, sales_rep
from kam_core.errors import UserError
from kam_core.scope import DIRECTOR, Scope
from kam_core.users import NotAuthorised, delete_user, list_users, save_user, scope_for_identity


@pytest.fixture
def org(db_engine):
    with db_engine.begin() as conn:
        bulk_insert(
            conn,
            region,
            pd.DataFrame(
                {
                    "region_id": ["R01"],
                    "level": ["region"],
                    "code": ["R01"],
                    "name_zh": ["华东"],
                    "name_en": ["East"],
                    "path": ["R01"],
                }
            ),
        )
        bulk_insert(conn, sales_rep, pd.DataFrame({"rep_id": ["REP1"], "name": ["张伟"], "hourly_cost": [60.0]}))
    return db_engine


def test_identity_maps_to_the_saved_role_and_scope(org):
    save_user(org, DIRECTOR, "Li.Na@Brewer.cn", "manager", "R01", "李娜")
    save_user(org, DIRECTOR, "zhang@brewer.cn", "rep", "REP1")
    assert scope_for_identity(org, "li.na@brewer.cn") == Scope("manager", "R01")
    assert scope_for_identity(org, "zhang@brewer.cn") == Scope("rep", "REP1")
    assert scope_for_identity(org, "stranger@x.com") is None
    assert list(list_users(org)["email"]) == ["li.na@brewer.cn", "zhang@brewer.cn"]


def test_only_directors_manage_users_and_every_change_is_audited(org):
    with pytest.raises(NotAuthorised):
        save_user(org, Scope("manager", "R01"), "a@b.cn", "director")
    save_user(org, DIRECTOR, "a@b.cn", "director", actor_name="boss")
    save_user(org, DIRECTOR, "a@b.cn", "rep", "REP1", actor_name="boss")
    delete_user(org, DIRECTOR, "a@b.cn", actor_name="boss")
    with org.connect() as conn:
        n = conn.execute(
            select(func.count()).select_from(audit_log).where(audit_log.c.table_name == "app_user")
        ).scalar()
    assert n == 3


@pytest.mark.parametrize(
    "email, role, scope_id, field",
    [
        ("not-an-email", "director", None, "email"),
        ("a@b.cn", "king", None, "role"),
        ("a@b.cn", "manager", None, "scope_id"),
        ("a@b.cn", "manager", "R99", "scope_id"),
        ("a@b.cn", "rep", "NOBODY", "scope_id"),
    ],
    ids=["bad-email", "unknown-role", "manager-without-region", "unknown-region", "unknown-rep"],
)
def test_bad_user_entries_name_the_field(org, email, role, scope_id, field):
    with pytest.raises(UserError, match=field):
        save_user(org, DIRECTOR, email, role, scope_id)
    assert list_users(org).empty
