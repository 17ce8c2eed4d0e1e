"""Build every demo table in memory, stage by stage, from one seeded random generator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd

from kam_core.demo import accounts as acc_mod
from kam_core.demo import activities, finance, programs, rebates, relations, scans, sellout, truth
from kam_core.demo.catalogue import CHANNEL_TIERS, COMPETITORS, Catalogue, activity_rates, build_catalogue
from kam_core.demo.geography import build_geography
from kam_core.demo.orderbook import OrderBook, build_orderbook
from kam_core.demo.season import History, daily_season, make_history
from kam_core.demo.territory import assign_territory, territory_table


def _window_totals(book: OrderBook, acc: pd.DataFrame, h: History) -> tuple[pd.Series, pd.Series]:
    """Net sales and cases per account over the default analysis window (12 months to the last order)."""
    last = int(book.line_day.max())
    start = h.day_index([(h.start + pd.Timedelta(days=last)) - pd.DateOffset(months=12) + pd.Timedelta(days=1)])[0]
    m = book.line_day >= start
    ids = acc["account_id"].to_numpy()[book.line_account[m]]
    qty = book.lines["qty_cases"].to_numpy()[m]
    value = qty * book.lines["invoice_price"].to_numpy()[m]
    cases = pd.Series(qty).groupby(ids).sum()
    sales = pd.Series(value).groupby(ids).sum()
    return sales, cases


def build_tables(
    n: int, months: int, seed: int, end: dt.date, report: Callable[[float, str], None]
) -> tuple[dict[str, pd.DataFrame], dict]:
    """All tables as DataFrames keyed by table name, and summary facts."""
    rng = np.random.Generator(np.random.PCG64(seed))
    h = make_history(end, months)
    season = daily_season(h)
    report(0.02, "regions, products and price lists")
    geo = build_geography(rng)
    cat = build_catalogue(h)
    report(0.06, "accounts, reps and territories")
    acc = acc_mod.plan_accounts(rng, n, h)
    acc = acc_mod.place_accounts(rng, acc, geo)
    acc = assign_territory(rng, acc)
    reps = acc_mod.build_reps(rng, acc, geo, h)
    acc, owners = acc_mod.assign_owners(rng, acc, reps, h)
    acc, credit = finance.plan_credit(rng, acc, h)
    report(0.15, "orders and order lines")
    tpr, promo_of_day = programs.tpr_promotions(h)
    book = build_orderbook(rng, acc, geo, cat, h, season, promo_of_day)
    book, campaign = programs.plant_campaign(seed, acc, book, h)  # known lift for the post-event review
    sales, cases = _window_totals(book, acc, h)
    t = {
        "region": geo.regions,
        "sales_rep": reps,
        "channel_tier": CHANNEL_TIERS,
        "product": cat.products,
        "price_list": cat.price_list,
        "competitor_brand": COMPETITORS,
        "activity_rate": activity_rates(h),
        "account": acc_mod.account_table(rng, acc, h, cases, sales),
        "account_owner_history": owners,
        "account_territory": territory_table(acc, h),
        "credit_terms": credit,
        "order_header": book.header,
        "order_line": book.lines,
    }
    report(0.45, "promotions and rebates")
    t.update(_promotions(rng, acc, book, h, cat, tpr))
    for name, rows in campaign.items():
        t[name] = pd.concat([t[name], rows], ignore_index=True) if name in t else rows
    report(0.55, "invoices, payments and KA fees")
    t["ar_invoice"], t["ar_payment"] = finance.invoices_and_payments(rng, acc, book.header, book.order_value, h)
    t["ka_fee"] = finance.ka_fees(rng, acc, h)
    t["consignment_stock"] = finance.consignment_stock(rng, acc, book.lines, book.line_account, book.line_day, h)
    t["sellout"], t["inventory_snapshot"] = sellout.sellout_and_stock(
        rng, acc, book.lines, book.line_account, book.line_day, h
    )
    report(0.62, "visits, service, surveys and competitors")
    t.update(_relationship(rng, acc, book, h))
    report(0.72, "rebate settlements")
    t.update(_rebates(acc, book, h))
    report(0.78, "code scans and price checks")
    window_first = int((h.window_start - h.start).days)
    t["code_scan"] = scans.code_scans(rng, acc, geo, cat, h, window_first)
    t["market_price_check"] = scans.price_checks(rng, acc, geo, cat, h, window_first)
    t["demo_truth"] = truth.finalize_truth(acc, sales, cases)
    dt_ = t["demo_truth"]
    facts = dict(
        start=h.start.date().isoformat(),
        end=h.end.date().isoformat(),
        typed=int(dt_["value_type"].notna().sum()),
        high_volume_low_loyalty=int(dt_["high_volume_low_loyalty"].sum()),
        diverters=int(dt_["diverter"].sum()),
    )
    return t, facts


def _promotions(
    rng: np.random.Generator, acc: pd.DataFrame, book: OrderBook, h: History, cat: Catalogue, tpr: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    cogs = dict(zip(cat.products["sku_id"], cat.products["std_cogs_per_case"], strict=True))
    promos, members = programs.other_promotions(rng, acc, h, cogs)
    bought = book.lines.loc[book.lines["promo_id"].notna(), ["promo_id"]].assign(
        account_id=acc["account_id"].to_numpy()[book.line_account[book.lines["promo_id"].notna().to_numpy()]]
    )
    tpr_members = (
        bought.drop_duplicates().sort_values(["promo_id", "account_id"], kind="mergesort").assign(fixed_fee=0.0)
    )
    members = pd.concat([tpr_members, members], ignore_index=True)
    monthly = _monthly_packs(book, acc, h)
    red = programs.redemptions(rng, members, monthly, h, promos)
    return {"promotion": pd.concat([tpr, promos], ignore_index=True), "promotion_account": members, "redemption": red}


def _monthly_packs(book: OrderBook, acc: pd.DataFrame, h: History) -> pd.DataFrame:
    """Cases per account and month of bottle-cap SKUs and of returnable bottles."""
    lines = book.lines
    month = (h.start + pd.to_timedelta(book.line_day, unit="D")).to_period("M").to_timestamp()
    cap = lines["sku_id"].isin(programs.BOTTLE_CAP_SKUS).to_numpy() * lines["qty_cases"].clip(lower=0).to_numpy()
    ret = (lines["sku_id"] == programs.BOTTLE_CAP_SKUS[0]).to_numpy() * lines["qty_cases"].clip(lower=0).to_numpy()
    df = pd.DataFrame(
        {
            "account_id": acc["account_id"].to_numpy()[book.line_account],
            "month": month,
            "cap_cases": cap,
            "returnable_cases": ret,
        }
    )
    return df.groupby(["account_id", "month"], as_index=False).sum()


def _relationship(rng: np.random.Generator, acc: pd.DataFrame, book: OrderBook, h: History) -> dict[str, pd.DataFrame]:
    month = (h.start + pd.to_timedelta(book.line_day, unit="D")).to_period("M").to_timestamp()
    monthly = (
        pd.DataFrame({"a": book.line_account, "month": month, "cases": book.lines["qty_cases"].to_numpy()})
        .groupby(["a", "month"], as_index=False)["cases"]
        .sum()
    )
    return {
        "visit": activities.visits(rng, acc, h),
        "service_event": activities.service_events(rng, acc, h),
        "account_contact": relations.contacts(rng, acc, h),
        "survey_response": relations.surveys(rng, acc, h),
        "co_investment": relations.co_investment(rng, acc, h),
        "account_competitor": relations.competitors(rng, acc, h, h.window_start),
        "account_category_volume": relations.category_volume(rng, acc, monthly, h),
        "account_capability": relations.capabilities(rng, acc, h),
    }


def _rebates(acc: pd.DataFrame, book: OrderBook, h: History) -> dict[str, pd.DataFrame]:
    progs, tiers = rebates.programs_and_tiers(h)
    enrol = rebates.enrolments(acc, h)
    qty = book.lines["qty_cases"].to_numpy()
    value = qty * book.lines["invoice_price"].to_numpy()
    settle = rebates.settlements(acc, book.line_account, book.line_day, qty, value, enrol, h)
    return {"rebate_program": progs, "rebate_tier": tiers, "rebate_enrollment": enrol, "rebate_settlement": settle}
