"""Settlement-mode cash flows on literal numbers worked out by hand (docs/methods_settlement.md)."""

import datetime as dt
import math

import pandas as pd
import pytest

from kam_core.analytics.settlement import (
    MONTH_DAYS,
    SettlementTerms,
    compare_settlement,
    compute_settlement_schedule,
)
from kam_core.analytics.settlement_inputs import (
    account_months,
    account_terms,
    compare_scenario_settlement,
    parse_scenario_settlement,
    scenario_months,
)

ONE_MONTH = pd.DataFrame({"month": ["2026-06"], "shipped_value": [1000 * 24.0]})
SIXTY = SettlementTerms(terms_days=60, cycle_days=0, rate=0.06, deduction_rate=0.20, shelf_days=20)


def by_mode(summary: pd.DataFrame) -> dict:
    return summary.set_index("mode").to_dict("index")


def test_credit_terms_cost_by_hand():
    schedule, summary = compare_settlement(ONE_MONTH, SIXTY)
    s = by_mode(summary)
    # 1000 cases × ¥24 = ¥24,000 out for 60 days at 6 %: 24,000 × 0.06 × 60/365
    assert s["credit"]["financing_cost"] == pytest.approx(236.71, abs=0.005)
    assert s["credit"]["dso_days"] == pytest.approx(60.0)
    assert s["cash"]["financing_cost"] == 0.0
    delivered, paid = 15.2083333, 75.2083333  # the middle of June, and 60 days later
    by_hand = 24_000 * (1.06 ** (-paid / 365) - 1.06 ** (-delivered / 365))
    assert s["credit"]["npv_vs_cash"] == pytest.approx(by_hand, abs=0.01)
    assert s["credit"]["npv_vs_cash"] == pytest.approx(-228.23, abs=0.01)
    # PD 2 % × LGD 60 % × 24,000 × 60/365
    assert s["credit"]["expected_credit_loss"] == pytest.approx(0.02 * 0.6 * 24_000 * 60 / 365)


def test_credit_cash_arrives_in_the_third_month_and_receivable_is_open_until_then():
    schedule = compute_settlement_schedule(ONE_MONTH, SIXTY)
    credit = schedule[schedule["mode"] == "credit"].set_index("month")
    assert list(credit.index[:3]) == ["2026-06", "2026-07", "2026-08"]
    assert credit["cash_in"].tolist()[:3] == [0.0, 0.0, 24_000.0]
    assert credit["receivable_end"].tolist()[:3] == [24_000.0, 24_000.0, 0.0]
    june = 24_000 * 0.06 * (MONTH_DAYS - MONTH_DAYS / 2) / 365  # outstanding half of June
    assert credit.loc["2026-06", "financing_cost"] == pytest.approx(june)
    assert credit["financing_cost"].sum() == pytest.approx(236.71, abs=0.005)


def test_consignment_revenue_is_recognised_at_sell_through_not_at_shipment():
    months = pd.DataFrame(
        {"month": ["2026-06", "2026-07"], "shipped_value": [24_000.0, 0.0], "sold_value": [9_600.0, 14_400.0]}
    )
    schedule = compute_settlement_schedule(months, SIXTY)
    cons = schedule[schedule["mode"] == "consignment"].set_index("month")
    credit = schedule[schedule["mode"] == "credit"].set_index("month")
    assert cons.loc["2026-06", "revenue"] == 9_600.0 and cons.loc["2026-07", "revenue"] == 14_400.0
    assert credit.loc["2026-06", "revenue"] == 24_000.0  # credit recognises at delivery
    assert cons.loc["2026-06", "consigned_stock_value"] == 14_400.0  # ours, on their shelf
    # cash 60 days after each sale: June's sale (day 15.2) pays in August, July's (day 45.6) in September
    assert cons.loc["2026-08", "cash_in"] == 9_600.0 and cons.loc["2026-09", "cash_in"] == 14_400.0


def test_unsold_consigned_stock_sells_after_the_window_and_extra_sales_are_scaled_to_the_deliveries():
    months = pd.DataFrame(
        {"month": ["2026-06", "2026-07"], "shipped_value": [24_000.0, 0.0], "sold_value": [6_000.0, 0.0]}
    )
    cons = compute_settlement_schedule(months, SIXTY)
    cons = cons[cons["mode"] == "consignment"].set_index("month")
    assert cons.loc["2026-06", "revenue"] == 6_000.0 and cons.loc["2026-07", "revenue"] == 0.0
    # the other 18,000 sells 20 days after July ends (day 60.8 + 20 = 80.8: August)
    assert cons.loc["2026-08", "revenue"] == 18_000.0 and cons["revenue"].sum() == 24_000.0
    assert cons.loc["2026-07", "consigned_stock_value"] == 18_000.0
    over = months.assign(sold_value=[30_000.0, 18_000.0])
    cons = compute_settlement_schedule(over, SIXTY)
    cons = cons[cons["mode"] == "consignment"].set_index("month")
    assert cons.loc["2026-06", "revenue"] == 15_000.0 and cons.loc["2026-07", "revenue"] == 9_000.0


def test_consignment_without_sell_out_sells_shelf_days_after_delivery():
    schedule, summary = compare_settlement(ONE_MONTH, SIXTY)
    cons = schedule[schedule["mode"] == "consignment"].set_index("month")
    assert cons.loc["2026-06", "revenue"] == 0.0  # day 15.2 + 20 = 35.2: July
    assert cons.loc["2026-07", "revenue"] == 24_000.0
    assert by_mode(summary)["consignment"]["cash_delay_days"] == pytest.approx(80.0)
    # carrying cost: 24,000 × 0.55 at cost, 20 days on the shelf, at 6 %
    assert by_mode(summary)["consignment"]["consignment_cost"] == pytest.approx(24_000 * 0.55 * 0.06 * 20 / 365)


def test_turnover_deduction_pays_the_turnover_less_the_deduction():
    _, summary = compare_settlement(ONE_MONTH, SIXTY)
    td = by_mode(summary)["turnover_deduction"]
    assert td["cash_in"] == pytest.approx(19_200.0)
    paid = 15.2083333 + 20 + 60
    by_hand = 19_200 * 1.06 ** (-paid / 365) - 24_000 * 1.06 ** (-15.2083333 / 365)
    assert td["npv_vs_cash"] == pytest.approx(by_hand, abs=0.01)


def test_statement_cycle_and_late_payment_add_to_the_credit_delay():
    terms = SettlementTerms(terms_days=60, cycle_days=30, dbt_days=10, rate=0.045)
    _, summary = compare_settlement(ONE_MONTH, terms)
    assert by_mode(summary)["credit"]["financing_cost"] == pytest.approx(24_000 * 0.045 * 85 / 365)


def test_a_deposit_lowers_the_loss_given_default():
    _, plain = compare_settlement(ONE_MONTH, SIXTY)
    ead = by_mode(plain)["credit"]["bad_debt_exposure"]
    _, secured = compare_settlement(ONE_MONTH, SIXTY, deposit=ead / 2)
    assert by_mode(secured)["credit"]["expected_credit_loss"] == pytest.approx(
        by_mode(plain)["credit"]["expected_credit_loss"] / 2
    )


@pytest.mark.parametrize(
    "bad, field",
    [({"rate": -0.1}, "rate"), ({"deduction_rate": 1.5}, "deduction_rate"), ({"terms_days": math.nan}, "terms_days")],
    ids=["negative-rate", "deduction-above-one", "nan-terms"],
)
def test_bad_terms_are_refused_naming_the_field(bad, field):
    with pytest.raises(ValueError, match=field):
        SettlementTerms(**bad)


def test_a_negative_delivery_is_refused_naming_the_month():
    with pytest.raises(ValueError, match="2026-07"):
        compute_settlement_schedule(pd.DataFrame({"month": ["2026-06", "2026-07"], "shipped_value": [1.0, -5.0]}))


def test_sell_through_from_consignment_stock_is_shipped_plus_opening_less_closing():
    monthly = pd.DataFrame({"month": ["2026-05", "2026-06"], "cases": [100.0, 50.0], "net_sales": [2400.0, 1200.0]})
    through = pd.DataFrame(
        {"month": ["2026-04", "2026-05", "2026-06"], "sellout_cases": [None] * 3, "consigned_cases": [10.0, 40.0, 20.0]}
    )
    months, source = account_months(monthly, through)
    assert source == "consignment_stock"
    assert months["sold_cases"].tolist() == [100 + 10 - 40, 50 + 40 - 20]
    assert months["sold_value"].tolist() == [70 * 24.0, 70 * 24.0]


def test_reported_sell_out_wins_and_no_data_is_said_to_be_assumed():
    monthly = pd.DataFrame({"month": ["2026-06"], "cases": [100.0], "net_sales": [2400.0]})
    reported = pd.DataFrame({"month": ["2026-06"], "sellout_cases": [60.0], "consigned_cases": [5.0]})
    months, source = account_months(monthly, reported)
    assert source == "sellout" and months["sold_value"].tolist() == [60 * 24.0]
    empty = pd.DataFrame(columns=["month", "sellout_cases", "consigned_cases"])
    months, source = account_months(monthly, empty)
    assert source == "assumed" and months["sold_value"].isna().all()


def test_account_terms_use_the_accounts_own_terms_and_its_late_payment():
    invoices = pd.DataFrame(
        {
            "amount": [1000.0, 3000.0],
            "due_date": [dt.date(2026, 1, 31), dt.date(2026, 2, 28)],
            "last_paid": [dt.date(2026, 2, 10), dt.date(2026, 2, 28)],
            "open_amount": [0.0, 0.0],
        }
    )
    current = {"payment_terms_days": 45, "statement_cycle": "semi_monthly", "deduction_rate": None}
    terms = account_terms(current, invoices, 0.6, 0.045)
    assert (terms.terms_days, terms.cycle_days, terms.deduction_rate) == (45.0, 15.0, 0.20)
    assert terms.dbt_days == pytest.approx((10 * 1000 + 0 * 3000) / 4000)
    assert account_terms(None, invoices.iloc[:0], None, 0.045).terms_days == 60.0


@pytest.mark.parametrize(
    "raw, expected",
    [
        (None, (None, {})),
        ("consignment", ("consignment", {})),
        ({"mode": "credit", "terms_days": 45, "rate": 0.06}, ("credit", {"terms_days": 45.0, "rate": 0.06})),
    ],
    ids=["absent", "a-mode", "an-object"],
)
def test_the_scenario_settlement_key(raw, expected):
    assert parse_scenario_settlement(raw) == expected


@pytest.mark.parametrize(
    "raw, message",
    [("barter", "settlement.mode"), ({"terms_days": "x"}, "settlement.terms_days"), ({"days": 3}, "unknown key")],
    ids=["unknown-mode", "text-days", "unknown-key"],
)
def test_a_bad_scenario_settlement_key_is_named(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_scenario_settlement(raw)


def test_scenario_comparison_equals_the_sum_of_each_account_computed_alone():
    accounts = pd.DataFrame(
        {
            "account_id": ["A", "B", "C"],
            "scenario_cases": [1000.0, 500.0, 200.0],
            "price_per_case": [24.0, 30.0, 24.0],
            "cogs_per_case": [13.2, 16.5, 13.2],
        }
    )
    terms = pd.DataFrame(
        {
            "account_id": ["A", "B"],
            "settlement_mode": ["credit", "consignment"],
            "payment_terms_days": [60, 30],
            "statement_cycle": ["monthly", "monthly"],
            "deduction_rate": [None, None],
            "deposit_amount": [0.0, 0.0],
        }
    )
    start, end = dt.date(2026, 7, 1), dt.date(2026, 9, 30)
    _, summary = compare_scenario_settlement(accounts, terms, start, end, 0.045)
    alone = {}
    for acc, days, mode in (("A", 60, "credit"), ("B", 30, "consignment"), ("C", 60, "cash")):
        row = accounts.set_index("account_id").loc[acc]
        months = scenario_months(row["scenario_cases"], row["price_per_case"], start, end)
        t = SettlementTerms(terms_days=days, cycle_days=30, rate=0.045, cogs_ratio=0.55)
        alone[acc] = (by_mode(compare_settlement(months, t)[1]), mode)
    s = by_mode(summary)
    for mode in ("credit", "consignment", "turnover_deduction"):
        expected = sum(a[mode]["financing_cost"] for a, _ in alone.values())
        assert s[mode]["financing_cost"] == pytest.approx(expected)
    current = sum(a[m]["financing_cost"] for a, m in alone.values())
    assert s["current"]["financing_cost"] == pytest.approx(current)
    assert s["cash"]["revenue"] == pytest.approx(1000 * 24 + 500 * 30 + 200 * 24)


def test_the_settlement_key_survives_the_scenario_round_trip_and_leaves_the_contract_alone():
    from kam_core.sim.spec import load_scenario, scenario_to_dict

    raw = {
        "name": "x",
        "period": {"start": "2026-07-01", "end": "2026-09-30"},
        "settlement": {"mode": "consignment", "terms_days": 45},
    }
    back = scenario_to_dict(load_scenario(raw))
    assert back["settlement"] == raw["settlement"]
    assert parse_scenario_settlement(back["settlement"]) == ("consignment", {"terms_days": 45.0})
    assert {"accounts", "period", "volumes", "programs", "response", "draws", "seed"} <= set(back)
