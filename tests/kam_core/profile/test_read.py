import pytest
from kam_tiny_db import TODAY

from kam_core.profile import AccountNotFound, load_profile
from kam_core.scope import Scope


def test_profile_reads_every_section_of_the_card(tiny_engine):
    p = load_profile(tiny_engine, "A001", today=TODAY)
    assert p.basic["name"] == "杭州一批" and p.version == 1
    assert p.owner["rep_id"] == "REP001" and p.region["code"] == "R01"
    assert p.capabilities["sub_distributors"] == 8 and p.capabilities["loyalty_rating"] == 3
    assert list(p.contacts["level"]) == ["owner", "buyer"]  # senior first
    assert len(p.visits) == 1 and len(p.negotiations) == 1
    assert "Q3 rebate" in p.negotiations.loc[0, "note"]
    assert p.satisfaction.loc[0, "nps_0_10"] == 8
    assert p.competitors.loc[0, "name"] == "雪花"
    assert list(p.sub_accounts["account_id"]) == ["A002"]
    assert p.current_terms["settlement_mode"] == "credit"


def test_monthly_trend_is_grouped_in_the_database(tiny_engine):
    m = load_profile(tiny_engine, "A001", today=TODAY).monthly
    assert list(m["month"]) == [f"2026-{i:02d}" for i in range(1, 7)]
    assert m["cases"].tolist() == [1000, 1050, 1100, 1000, 950, 1200]
    assert m.loc[0, "net_sales"] == pytest.approx(28_000.0)
    assert m.loc[0, "gross_profit"] == pytest.approx(10_000.0)


def test_open_invoice_past_due_counts_as_overdue(tiny_engine):
    p = load_profile(tiny_engine, "A001", today=TODAY)
    od = p.overdue
    assert list(od["invoice_id"]) == ["I2"]
    assert od.iloc[0]["open_amount"] == pytest.approx(16_600.0)
    assert od.iloc[0]["days_overdue"] == 21


def test_parent_supplier_is_shown_for_a_wholesaler(tiny_engine):
    p = load_profile(tiny_engine, "A002", today=TODAY)
    assert p.parent["account_id"] == "A001"
    assert p.capabilities == {} and p.contacts.empty and p.invoices.empty


@pytest.mark.parametrize(
    "scope, account_id",
    [(Scope("rep", "REP001"), "A003"), (Scope("manager", "R02"), "A001"), (Scope(), "NOPE")],
    ids=["other-reps-account", "other-region", "unknown"],
)
def test_an_account_outside_scope_reads_as_not_found(tiny_engine, scope, account_id):
    with pytest.raises(AccountNotFound):
        load_profile(tiny_engine, account_id, scope)


def test_a_rep_loads_their_own_account(tiny_engine):
    assert load_profile(tiny_engine, "A001", Scope("rep", "REP001")).account_id == "A001"
