"""The follow-up cadence (issue #14 item 7), one rule at a time on literal dates."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kam_core.analytics.follow_ups import list_open_follow_ups
from kam_core.analytics.holidays import YEARS, festival_dates

D = dt.date


def _acc(**over) -> pd.DataFrame:
    row = {
        "account_id": "a1",
        "channel": "RETAIL",
        "region_path": "R1/A1/C1/S1",
        "pyramid_tier": "iron",
        "key_account": False,
        "first_order_date": D(2025, 1, 10),
        "last_contact_date": None,
        "last_survey_date": None,
    }
    return pd.DataFrame([{**row, **over}])


def _tasks(frame: pd.DataFrame, as_of, **kw) -> dict[str, tuple]:
    out = list_open_follow_ups(frame, as_of, **kw)
    return {t: (o, d, n) for t, o, d, n in out[["task", "opens", "due", "overdue_days"]].itertuples(index=False)}


def test_a_new_account_is_greeted_within_two_days_of_its_first_order():
    new = _acc(first_order_date=D(2026, 6, 1), last_contact_date=D(2026, 5, 20))
    assert _tasks(new, D(2026, 6, 2))["greeting"] == (D(2026, 6, 1), D(2026, 6, 3), -1)  # one day left
    assert _tasks(new, D(2026, 6, 3))["greeting"][2] == 0  # due by day 2
    assert _tasks(new, D(2026, 6, 5))["greeting"][2] == 2  # two days overdue
    called = new.assign(last_contact_date=D(2026, 6, 2))
    assert "greeting" not in _tasks(called, D(2026, 6, 5))


def test_the_survey_opens_a_week_after_the_first_order_and_a_response_closes_it():
    new = _acc(first_order_date=D(2026, 6, 1), last_contact_date=D(2026, 6, 2))
    assert "survey" not in _tasks(new, D(2026, 6, 7))  # day 6
    assert _tasks(new, D(2026, 6, 8))["survey"] == (D(2026, 6, 8), D(2026, 6, 8), 0)  # day 7
    answered = new.assign(last_survey_date=D(2026, 6, 9))
    assert "survey" not in _tasks(answered, D(2026, 6, 10))
    assert "survey" not in _tasks(new, D(2026, 7, 2))  # past the new-account month: the monthly contact takes over


@pytest.mark.parametrize(
    ("tier", "days"),
    [("platinum", 7), ("gold", 14), ("iron", 30), ("lead", 30)],
    ids=["platinum", "gold", "iron", "lead"],
)
def test_the_regular_contact_falls_due_every_cadence_of_the_tier_after_the_last_contact(tier, days):
    acc = _acc(pyramid_tier=tier, last_contact_date=D(2026, 5, 1))
    due = D(2026, 5, 1) + dt.timedelta(days=days)
    assert "contact" not in _tasks(acc, due - dt.timedelta(days=1))
    assert _tasks(acc, due + dt.timedelta(days=3))["contact"] == (due, due, 3)


def test_an_account_never_contacted_is_due_a_cadence_after_its_first_order():
    acc = _acc(first_order_date=D(2026, 3, 1))
    assert _tasks(acc, D(2026, 4, 5))["contact"][1] == D(2026, 3, 31)


def test_key_accounts_get_a_holiday_greeting_in_the_week_before_each_festival():
    key = _acc(key_account=True, last_contact_date=D(2026, 6, 5), pyramid_tier="platinum")
    assert "holiday:dragon_boat:2026" not in _tasks(key, D(2026, 6, 11))  # the festival is 19 June
    assert _tasks(key, D(2026, 6, 12))["holiday:dragon_boat:2026"] == (D(2026, 6, 12), D(2026, 6, 18), -6)
    assert "holiday:dragon_boat:2026" not in _tasks(key, D(2026, 6, 20))  # after the festival: no longer useful
    greeted = key.assign(last_contact_date=D(2026, 6, 15))
    assert "holiday:dragon_boat:2026" not in _tasks(greeted, D(2026, 6, 16))
    assert not any(t.startswith("holiday") for t in _tasks(key.assign(key_account=False), D(2026, 6, 15)))


def test_chinese_new_year_early_in_the_year_opens_in_the_december_before():
    key = _acc(key_account=True, last_contact_date=D(2027, 12, 20), pyramid_tier="platinum")
    assert _tasks(key, D(2028, 1, 20))["holiday:cny:2028"][1] == D(2028, 1, 25)  # CNY 2028: 26 January
    assert festival_dates(2026) == {"cny": D(2026, 2, 17), "dragon_boat": D(2026, 6, 19), "mid_autumn": D(2026, 9, 25)}
    assert festival_dates(YEARS[1] + 1) == {}


PROMO = pd.DataFrame(
    [
        {
            "promo_id": "P1",
            "name": "夏日畅饮",
            "start_date": D(2026, 7, 5),
            "end_date": D(2026, 7, 31),
            "tier_code": "RETAIL",
            "region_path": "R1/A1",
        }
    ]
)


def test_an_invitation_is_due_at_the_promotion_start_for_accounts_of_its_channel_and_region():
    acc = pd.concat(
        [
            _acc(last_contact_date=D(2026, 6, 10)),
            _acc(account_id="elsewhere", region_path="R1/A2/C4/S5", last_contact_date=D(2026, 6, 10)),
            _acc(account_id="dist", channel="DIST", last_contact_date=D(2026, 6, 10)),
        ],
        ignore_index=True,
    )
    out = list_open_follow_ups(acc, D(2026, 6, 25), promotions=PROMO)
    invites = out[out["kind"] == "invite_promo"]
    assert invites[["account_id", "task", "subject", "opens", "due", "overdue_days"]].values.tolist() == [
        ["a1", "invite_promo:P1", "夏日畅饮", D(2026, 6, 21), D(2026, 7, 5), -10]
    ]
    assert _tasks(acc.iloc[:1], D(2026, 7, 8), promotions=PROMO)["invite_promo:P1"][2] == 3  # 3 days past the start
    assert "invite_promo:P1" not in _tasks(acc.iloc[:1], D(2026, 6, 20), promotions=PROMO)  # not yet announced
    joined = pd.DataFrame({"promo_id": ["P1"], "account_id": ["a1"]})
    assert "invite_promo:P1" not in _tasks(acc.iloc[:1], D(2026, 6, 25), promotions=PROMO, enrolled=joined)


def test_key_accounts_are_invited_to_a_new_product_from_two_weeks_before_its_launch():
    products = pd.DataFrame([{"sku_id": "SKU2", "name": "白啤330ml", "launch_date": D(2026, 7, 10)}])
    key = _acc(key_account=True, last_contact_date=D(2026, 6, 20), pyramid_tier="platinum")
    assert _tasks(key, D(2026, 6, 26), products=products)["invite_product:SKU2"] == (
        D(2026, 6, 26),
        D(2026, 7, 10),
        -14,
    )
    assert "invite_product:SKU2" not in _tasks(key.assign(key_account=False), D(2026, 6, 26), products=products)


def test_a_closed_task_is_no_longer_listed_but_the_next_occurrence_is():
    acc = _acc(first_order_date=D(2026, 6, 1), last_contact_date=D(2026, 5, 1))
    closed = pd.DataFrame({"account_id": ["a1"], "task": ["greeting"], "due_date": [D(2026, 6, 3)]})
    assert "greeting" in _tasks(acc, D(2026, 6, 5))
    assert "greeting" not in _tasks(acc, D(2026, 6, 5), closed=closed)
    other_due = closed.assign(task="contact")  # closing one occurrence leaves the other tasks
    assert "contact" in _tasks(acc, D(2026, 6, 5), closed=other_due)


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="last_survey_date"):
        list_open_follow_ups(_acc().drop(columns="last_survey_date"), D(2026, 6, 1))
