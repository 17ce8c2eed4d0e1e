import pandas as pd
import pytest
from sqlalchemy import select

from kam_core.db.bulk import bulk_insert
from kam_core.db.schema import account, channel_tier, region, sales_rep
from kam_core.errors import UserError
from kam_core.scope import Scope


@pytest.fixture
def small_org(db_engine):
    regions = pd.DataFrame(
        {
            "region_id": ["R01", "R01A01", "R01A01C01", "R010", "R02"],
            "parent_id": [None, "R01", "R01A01", None, None],
            "level": ["region", "area", "community", "region", "region"],
            "code": ["R01", "R01A01", "R01A01C01", "R010", "R02"],
            "name_zh": ["华东", "上海", "浦东", "假区", "华北"],
            "name_en": ["E", "SH", "PD", "Fake", "N"],
            "path": ["R01", "R01/R01A01", "R01/R01A01/R01A01C01", "R010", "R02"],
        }
    )
    reps = pd.DataFrame({"rep_id": ["REP1", "REP2"], "name": ["张伟", "李娜"], "hourly_cost": [60.0, 60.0]})
    accounts = pd.DataFrame(
        {
            "account_id": ["A1", "A2", "A3", "A4"],
            "name": ["a", "b", "c", "d"],
            "tier_code": ["DIST"] * 4,
            "region_id": ["R01A01C01", "R01", "R010", "R02"],
            "owner_rep_id": ["REP1", "REP1", "REP2", "REP2"],
            "status": ["active"] * 4,
            "contract_type": ["noncontractual"] * 4,
            "exclusive_agreement": [False] * 4,
            "data_sharing": [False] * 4,
            "jbp_in_place": [False] * 4,
            "created_source": ["test"] * 4,
            "version": [1] * 4,
        }
    )
    with db_engine.begin() as conn:
        conn.execute(
            channel_tier.insert(),
            [{"tier_code": "DIST", "name_zh": "一批商", "name_en": "Distributor", "level_in_chain": 1}],
        )
        bulk_insert(conn, region, regions)
        bulk_insert(conn, sales_rep, reps)
        bulk_insert(conn, account, accounts)
    return db_engine


def visible(engine, scope: Scope) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(select(account.c.account_id).where(scope.account_clause()).order_by(account.c.account_id))
        return [r[0] for r in rows]


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("director:*", ["A1", "A2", "A3", "A4"]),
        ("manager:R01", ["A1", "A2"]),  # R010 shares the prefix but is another region
        ("manager:R01A01", ["A1"]),
        ("manager:NOPE", []),
        ("rep:REP2", ["A3", "A4"]),
        ("rep:' OR 1=1 --", []),
    ],
    ids=[
        "director-sees-all",
        "manager-sees-region-and-below",
        "manager-of-an-area",
        "unknown-region-sees-nothing",
        "rep-sees-own-accounts",
        "injection-text-is-just-an-id",
    ],
)
def test_scope_limits_accounts(small_org, spec, expected):
    assert visible(small_org, Scope.parse(spec)) == expected


@pytest.mark.parametrize(
    "spec", ["king:1", "manager:", "rep:*"], ids=["unknown-role", "manager-without-region", "rep-without-id"]
)
def test_bad_scope_specs_are_user_errors(spec):
    with pytest.raises(UserError):
        Scope.parse(spec)


def test_wildcard_characters_in_region_codes_match_only_themselves(db_engine):
    """LIKE would read "_" and "%" as wildcards: a manager of A_1 must not see AB1 (nor A%1 see A_X1)."""
    codes = ["A_1", "AB1", "A%", "AZZ"]
    regions = pd.DataFrame(
        {
            "region_id": codes + ["A_1S"],
            "parent_id": [None] * 4 + ["A_1"],
            "level": ["region"] * 4 + ["area"],
            "code": codes + ["A_1S"],
            "name_zh": codes + ["A_1S"],
            "name_en": codes + ["A_1S"],
            "path": codes + ["A_1/A_1S"],
        }
    )
    accounts = pd.DataFrame(
        {
            "account_id": ["X1", "X2", "X3", "X4", "X5"],
            "name": list("abcde"),
            "tier_code": ["DIST"] * 5,
            "region_id": ["A_1", "AB1", "A%", "AZZ", "A_1S"],
            "owner_rep_id": [None] * 5,
            "status": ["active"] * 5,
            "contract_type": ["noncontractual"] * 5,
            "exclusive_agreement": [False] * 5,
            "data_sharing": [False] * 5,
            "jbp_in_place": [False] * 5,
            "created_source": ["test"] * 5,
            "version": [1] * 5,
        }
    )
    with db_engine.begin() as conn:
        conn.execute(
            channel_tier.insert(),
            [{"tier_code": "DIST", "name_zh": "一批商", "name_en": "Distributor", "level_in_chain": 1}],
        )
        bulk_insert(conn, region, regions)
        bulk_insert(conn, account, accounts)
    assert visible(db_engine, Scope.parse("manager:A_1")) == ["X1", "X5"]
    assert visible(db_engine, Scope.parse("manager:A%")) == ["X3"]
