"""The follow-up cadence (issue #14): which follow-ups are open for each account on a date.

Rules (docs/methods_follow_ups.md has their sources, defaults and a worked example):

- **greeting** within 2 days of a new account's first order;
- **survey** a week after the first order (done by a survey response);
- **contact** about monthly: every ``contact_days`` of the account's pyramid tier after its last contact;
- **holiday** greetings to key accounts before Chinese New Year, the Dragon Boat and the Mid-Autumn festival;
- **invite** to a promotion of the account's channel and region, and to a new product (key accounts).

A follow-up is *done* when a contact of any type (visit, call, message, e-mail, gift) happened on or
after the day it opened (a survey response for the survey; an enrolment for a promotion), or when a
user closed it (a ``contact_log`` row naming the task and its due date).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from kam_core.analytics.holidays import FESTIVALS, festival_dates

KINDS = ("greeting", "survey", "contact", "holiday", "invite_promo", "invite_product")
OUT_COLS = ["account_id", "task", "kind", "subject", "opens", "due", "overdue_days"]


@dataclass(frozen=True)
class FollowUpRules:
    """Days of the follow-up cadence; the defaults are documented in docs/methods_follow_ups.md."""

    greeting_days: int = 2
    survey_days: int = 7
    new_account_days: int = 30  # greeting and survey stay listed this long after the first order
    contact_days: tuple[tuple[str, int], ...] = (("platinum", 7), ("gold", 14), ("iron", 30), ("lead", 30))
    holiday_lead_days: int = 7  # the greeting opens a week before the festival, is due the day before
    invite_lead_days: int = 14  # invitations open two weeks before a promotion starts / a product launches
    product_listed_days: int = 30  # a new-product invitation stays listed a month after the launch


DEFAULT_RULES = FollowUpRules()


def _d(values) -> pd.Series:
    return pd.to_datetime(values, errors="coerce")


def _frame(ids, task, kind, subject, opens, due) -> pd.DataFrame:
    return pd.DataFrame({"account_id": ids, "task": task, "kind": kind, "subject": subject, "opens": opens, "due": due})


def _new_account_tasks(acc: pd.DataFrame, as_of: pd.Timestamp, r: FollowUpRules) -> list[pd.DataFrame]:
    first = _d(acc["first_order_date"])
    new = first.notna() & (first <= as_of) & (as_of <= first + pd.Timedelta(days=r.new_account_days))
    last_contact, last_survey = _d(acc["last_contact_date"]), _d(acc["last_survey_date"])
    out = []
    greet_open = new & ~(last_contact >= first)
    out.append(
        _frame(
            acc.loc[greet_open, "account_id"],
            "greeting",
            "greeting",
            "",
            first[greet_open],
            first[greet_open] + pd.Timedelta(days=r.greeting_days),
        )
    )
    survey_at = first + pd.Timedelta(days=r.survey_days)
    survey_open = new & (survey_at <= as_of) & ~(last_survey >= first)
    out.append(
        _frame(
            acc.loc[survey_open, "account_id"], "survey", "survey", "", survey_at[survey_open], survey_at[survey_open]
        )
    )
    return out


def _contact_tasks(acc: pd.DataFrame, as_of: pd.Timestamp, r: FollowUpRules) -> pd.DataFrame:
    days = acc["pyramid_tier"].map(dict(r.contact_days)).fillna(max(d for _, d in r.contact_days))
    last, first = _d(acc["last_contact_date"]), _d(acc["first_order_date"])
    # never contacted: the cadence runs from the first order; with no order either, it is due today
    due = (last.fillna(first) + pd.to_timedelta(days, unit="D")).fillna(as_of)
    is_open = due <= as_of
    return _frame(acc.loc[is_open, "account_id"], "contact", "contact", "", due[is_open], due[is_open])


def _holiday_tasks(acc: pd.DataFrame, as_of: pd.Timestamp, r: FollowUpRules) -> list[pd.DataFrame]:
    keys = acc[acc["key_account"].fillna(False).astype(bool)]
    last = _d(keys["last_contact_date"])
    out = []
    for year in (as_of.year, as_of.year + 1):  # a festival early in January opens in December
        for code, day in festival_dates(year).items():
            day = pd.Timestamp(day)
            opens = day - pd.Timedelta(days=r.holiday_lead_days)
            if not opens <= as_of <= day:
                continue
            todo = ~(last >= opens)
            out.append(
                _frame(
                    keys.loc[todo, "account_id"],
                    f"holiday:{code}:{year}",
                    "holiday",
                    code,
                    opens,
                    day - pd.Timedelta(days=1),
                )
            )
    return out


def _in_region(paths: pd.Series, base: object) -> pd.Series:
    if not isinstance(base, str) or not base:
        return pd.Series(True, index=paths.index)
    p = paths.fillna("").astype(str)
    return (p == base) | p.str.startswith(base + "/")


def _promotion_tasks(
    acc: pd.DataFrame, promotions: pd.DataFrame, enrolled: pd.DataFrame, as_of: pd.Timestamp, r: FollowUpRules
) -> list[pd.DataFrame]:
    last, out = _d(acc["last_contact_date"]), []
    joined = set(zip(enrolled["promo_id"], enrolled["account_id"], strict=True)) if len(enrolled) else set()
    for promo in promotions.itertuples(index=False):
        start, end = pd.Timestamp(promo.start_date), pd.Timestamp(promo.end_date)
        opens = start - pd.Timedelta(days=r.invite_lead_days)
        if not opens <= as_of <= end:
            continue
        eligible = _in_region(acc["region_path"], promo.region_path)
        if isinstance(promo.tier_code, str) and promo.tier_code:
            eligible &= acc["channel"] == promo.tier_code
        is_in = acc["account_id"].map(lambda a, p=promo.promo_id: (p, a) in joined)
        todo = eligible & ~is_in & ~(last >= opens)
        out.append(
            _frame(
                acc.loc[todo, "account_id"], f"invite_promo:{promo.promo_id}", "invite_promo", promo.name, opens, start
            )
        )
    return out


def _product_tasks(
    acc: pd.DataFrame, products: pd.DataFrame, as_of: pd.Timestamp, r: FollowUpRules
) -> list[pd.DataFrame]:
    keys = acc[acc["key_account"].fillna(False).astype(bool)]
    last, out = _d(keys["last_contact_date"]), []
    for prod in products.itertuples(index=False):
        launch = pd.Timestamp(prod.launch_date)
        opens = launch - pd.Timedelta(days=r.invite_lead_days)
        if pd.isna(launch) or not opens <= as_of <= launch + pd.Timedelta(days=r.product_listed_days):
            continue
        todo = ~(last >= opens)
        out.append(
            _frame(
                keys.loc[todo, "account_id"],
                f"invite_product:{prod.sku_id}",
                "invite_product",
                prod.name,
                opens,
                launch,
            )
        )
    return out


_ACCOUNT_COLS = (
    "account_id",
    "channel",
    "region_path",
    "pyramid_tier",
    "key_account",
    "first_order_date",
    "last_contact_date",
    "last_survey_date",
)


def list_open_follow_ups(
    accounts: pd.DataFrame,
    as_of: dt.date | str,
    promotions: pd.DataFrame | None = None,
    products: pd.DataFrame | None = None,
    enrolled: pd.DataFrame | None = None,
    closed: pd.DataFrame | None = None,
    rules: FollowUpRules = DEFAULT_RULES,
) -> pd.DataFrame:
    """The follow-ups open on ``as_of``: opened on or before it, not done, not closed.

    Parameters
    ----------
    accounts
        One row per account: ``account_id``, ``channel``, ``region_path``, ``pyramid_tier``, ``key_account``,
        ``first_order_date``, ``last_contact_date`` (any contact type, on or before ``as_of``) and
        ``last_survey_date``.
    as_of
        The day the list is for.
    promotions
        ``promo_id``, ``name``, ``start_date``, ``end_date``, ``tier_code`` and ``region_path`` (empty = all).
    products
        ``sku_id``, ``name``, ``launch_date``.
    enrolled
        ``promo_id``, ``account_id`` of accounts already in a promotion (no invitation needed).
    closed
        ``account_id``, ``task``, ``due_date`` of follow-ups a user closed.
    rules
        The cadence (:class:`FollowUpRules`).

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``task`` (an id such as ``holiday:cny:2027``), ``kind`` (:data:`KINDS`), ``subject``
        (festival code, promotion or product name), ``opens``, ``due`` (dates) and ``overdue_days``
        (negative: days left); most overdue first.

    Raises
    ------
    ValueError
        A required column is missing.
    """
    missing = [c for c in _ACCOUNT_COLS if c not in accounts.columns]
    if missing:
        raise ValueError(f"Required column(s) {', '.join(missing)} missing from the accounts")
    as_of = pd.Timestamp(as_of)
    empty = pd.DataFrame(columns=["promo_id", "account_id"])
    parts = [*_new_account_tasks(accounts, as_of, rules), _contact_tasks(accounts, as_of, rules)]
    parts += _holiday_tasks(accounts, as_of, rules)
    if promotions is not None and len(promotions):
        parts += _promotion_tasks(accounts, promotions, enrolled if enrolled is not None else empty, as_of, rules)
    if products is not None and len(products):
        parts += _product_tasks(accounts, products, as_of, rules)
    out = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else None
    if out is None:
        return pd.DataFrame(columns=OUT_COLS)
    out["opens"], out["due"] = _d(out["opens"]).dt.date, _d(out["due"]).dt.date
    if closed is not None and len(closed):
        done = set(zip(closed["account_id"], closed["task"], _d(closed["due_date"]).dt.date, strict=True))
        out = out[[k not in done for k in zip(out["account_id"], out["task"], out["due"], strict=True)]]
    out["overdue_days"] = (as_of - _d(out["due"])).dt.days.astype(int)
    out = out.sort_values(["overdue_days", "account_id", "task"], ascending=[False, True, True])
    return out[OUT_COLS].reset_index(drop=True)


__all__ = ["DEFAULT_RULES", "FESTIVALS", "KINDS", "FollowUpRules", "list_open_follow_ups"]
