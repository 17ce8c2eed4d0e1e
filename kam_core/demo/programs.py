"""Promotions (seasonal TPRs, summer bottle caps, empty-case exchange, KA display) and rebate programs
(quarterly retro-tiered for DIST and WHS2, annual growth, per-case for on-premise) with their tiers,
enrolments, settlements and redemptions."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kam_core.demo.season import History

if TYPE_CHECKING:
    from kam_core.demo.orderbook import OrderBook

# quarterly case bounds of the retro-tiered programs (geometric, so every size of account has a next tier)
QUARTER_TIERS = {
    "DIST": ([1_500, 3_000, 6_000, 12_000, 24_000, 48_000, 96_000], [0.6, 1.0, 1.4, 1.8, 2.2, 2.6, 3.0]),
    "WHS2": ([300, 600, 1_200, 2_400, 4_800, 9_600, 19_200], [0.4, 0.7, 1.0, 1.3, 1.6, 1.9, 2.2]),
}
_BLOCKS = [
    (12, "春节备货特价", "Spring Festival TPR"),
    (3, "春季进货政策", "Spring stocking deal"),
    (6, "夏季旺季冲量", "Summer volume deal"),
    (9, "秋季促销", "Autumn deal"),
]
BOTTLE_CAP_SKUS = ["JC-QS500B", "JC-JD500B", "JC-DP600B"]
EMPTY_RATIO = 10  # empty cases returned per free case


def tpr_promotions(h: History) -> tuple[pd.DataFrame, np.ndarray]:
    """Seasonal trade price reductions covering every day of the history, and the promo id of each day."""
    first = pd.Timestamp(year=h.start.year - 1, month=12, day=1)
    rows = []
    block_start = first
    while block_start <= h.end:
        zh, en = next((z, e) for m, z, e in _BLOCKS if m == block_start.month)
        end = block_start + pd.DateOffset(months=3) - pd.Timedelta(days=1)
        year = (block_start + pd.DateOffset(months=1)).year
        if end >= h.start:
            rows.append(
                dict(
                    promo_id=f"TPR{block_start:%Y%m}",
                    name=f"{year}{zh} / {year} {en}",
                    mechanic="tpr",
                    start_date=block_start,
                    end_date=end,
                    tier_code=None,
                    region_id=None,
                    sku_scope=None,
                    discount_per_case=3.0,
                    funding="off_invoice",
                    fixed_cost=0.0,
                )
            )
        block_start = end + pd.Timedelta(days=1)
    promos = pd.DataFrame(rows)
    starts = h.day_index(promos["start_date"])
    of_day = promos["promo_id"].to_numpy()[np.searchsorted(starts, np.arange(h.days), side="right") - 1]
    return promos, of_day


def other_promotions(
    rng: np.random.Generator, acc: pd.DataFrame, h: History, sku_cogs: dict[str, float]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bottle caps each summer, the empty-case exchange each year and KA display (堆头) deals at the Spring
    Festival and in summer, with their participating accounts (promotion_account)."""
    rows, parts = [], []
    years = range(h.start.year, h.end.year + 1)
    ordering = (acc["start_day"] < h.days).to_numpy()
    tier = acc["tier"].to_numpy()
    shops = ordering & np.isin(tier, ["RETAIL", "ONPREM", "WHS2"])
    for y in years:
        s, e = pd.Timestamp(f"{y}-06-01"), pd.Timestamp(f"{y}-08-31")
        if e >= h.start and s <= h.end:
            pid = f"BC{y}"
            rows.append(
                dict(
                    promo_id=pid,
                    name=f"{y}夏季瓶盖兑奖 / {y} summer bottle-cap prizes",
                    mechanic="bottle_cap",
                    start_date=s,
                    end_date=e,
                    sku_scope=json.dumps(BOTTLE_CAP_SKUS),
                    funding="scanback",
                    win_prob=0.12,
                    prize_cost=2.2,
                    expected_redemption=0.6,
                    fixed_cost=20_000.0,
                )
            )
            who = shops & (rng.random(len(acc)) < 0.6)
            parts.append(pd.DataFrame({"promo_id": pid, "account_id": acc["account_id"][who], "fixed_fee": 0.0}))
        s, e = pd.Timestamp(f"{y}-01-01"), pd.Timestamp(f"{y}-12-31")
        pid = f"EX{y}"
        rows.append(
            dict(
                promo_id=pid,
                name=f"{y}空箱换购 / {y} empty-case exchange",
                mechanic="empty_exchange",
                start_date=s,
                end_date=e,
                sku_scope=json.dumps(BOTTLE_CAP_SKUS[:1]),
                funding="billback",
                exchange_ratio_n=EMPTY_RATIO,
                expected_redemption=0.5,
                prize_cost=sku_cogs[BOTTLE_CAP_SKUS[0]],
                fixed_cost=0.0,
            )
        )
        who = shops & (rng.random(len(acc)) < 0.35)
        parts.append(pd.DataFrame({"promo_id": pid, "account_id": acc["account_id"][who], "fixed_fee": 0.0}))
    ka = ordering & (tier == "KA")
    for y in years:
        for tag, s, e, zh in (
            ("C", pd.Timestamp(f"{y}-01-05"), pd.Timestamp(f"{y}-02-28"), "春节堆头"),
            ("S", pd.Timestamp(f"{y}-06-01"), pd.Timestamp(f"{y}-08-31"), "夏季堆头"),
        ):
            if e < h.start or s > h.end:
                continue
            pid = f"KAD{y}{tag}"
            who = ka & (rng.random(len(acc)) < 0.7)
            fee = np.round(acc["size"].to_numpy()[who] * rng.uniform(0.8, 2.5, who.sum()), -2) + 2_000
            rows.append(
                dict(
                    promo_id=pid,
                    name=f"{y}{zh} / {y} KA end-cap display",
                    mechanic="display",
                    start_date=s,
                    end_date=e,
                    tier_code="KA",
                    funding="lump_sum",
                    fixed_cost=float(fee.sum()),
                )
            )
            parts.append(pd.DataFrame({"promo_id": pid, "account_id": acc["account_id"][who], "fixed_fee": fee}))
    promos = pd.DataFrame(rows)
    members = pd.concat(parts, ignore_index=True)
    members["pass_through_assumed"] = np.where(members["promo_id"].str.startswith("KAD"), 0.7, None)  # type: ignore[call-overload]  # None fills an object array
    return promos, members


def redemptions(
    rng: np.random.Generator, members: pd.DataFrame, monthly: pd.DataFrame, h: History, promos: pd.DataFrame
) -> pd.DataFrame:
    """Caps and empties turned in per participating account and month (``monthly``: account_id, month start,
    cap_cases, returnable_cases)."""
    out = []
    for mech, col in (("bottle_cap", "cap_cases"), ("empty_exchange", "returnable_cases")):
        p = promos[promos["mechanic"] == mech]
        m = members.merge(p[["promo_id", "start_date", "end_date", "win_prob", "prize_cost"]], on="promo_id")
        df = m.merge(monthly, on="account_id")
        df = df[(df["month"] >= df["start_date"]) & (df["month"] <= df["end_date"]) & (df[col] > 0)]
        if df.empty:
            continue
        rate = rng.uniform(0.4, 0.8, len(df))
        if mech == "bottle_cap":
            units = np.floor(df[col].to_numpy() * 12 * df["win_prob"].to_numpy() * rate)
            prize = units
        else:
            units = np.floor(df[col].to_numpy() * rate)
            prize = np.floor(units / EMPTY_RATIO)
        redeem = (df["month"] + pd.offsets.MonthEnd(0)).clip(upper=h.end)
        out.append(
            pd.DataFrame(
                {
                    "promo_id": df["promo_id"].to_numpy(),
                    "account_id": df["account_id"].to_numpy(),
                    "redeem_date": redeem.to_numpy(),
                    "units_redeemed": units,
                    "prize_units": prize,
                    "cost": np.round(prize * df["prize_cost"].to_numpy(), 2),
                }
            )
        )
    red = pd.concat(out, ignore_index=True) if out else pd.DataFrame()
    return red[red["units_redeemed"] > 0].sort_values(["redeem_date", "account_id", "promo_id"], kind="mergesort")


# --- the planted coupon campaign (demo truth for the post-event review; analytics never read its truth) -------
CAMPAIGN_LIFT = 0.30  # participants buy 30 % more cases of the scoped SKUs while the campaign runs
CAMPAIGN_SHARE = 0.4  # share of the eligible small-retail accounts that take part
COUPON_FACE = 2.0  # RMB per coupon, one coupon per case of a scoped SKU


def plant_campaign(
    seed: int, acc: pd.DataFrame, book: OrderBook, h: History
) -> tuple[OrderBook, dict[str, pd.DataFrame]]:
    """A coupon campaign on two SKUs (the most bought by RETAIL) for a random share of RETAIL accounts over two
    whole calendar months, ending two months before the history does, with a known lift on the participants' cases; returns the changed order book and its
    tables (promotion, promotion_sku, promotion_account, redemption, demo_truth_promotion rows).

    Its own generator (from ``seed``) keeps the main random stream, and so every other table, as it was.
    Skipped (empty tables) when the history is too short for a pre-period of the same length.
    """
    from dataclasses import replace

    rng = np.random.default_rng([seed, 14])
    start = (h.end - pd.DateOffset(months=2)).to_period("M").to_timestamp() - pd.DateOffset(months=1)
    end = start + pd.DateOffset(months=2) - pd.Timedelta(days=1)
    if start - (end - start) - pd.Timedelta(days=1) < h.start:
        return book, {}
    s, e = h.day_index([start, end])
    lines = book.lines
    tier = acc["tier"].to_numpy()
    eligible = (tier == "RETAIL") & (acc["start_day"].to_numpy() < s)  # existing accounts, lost ones too
    who = eligible & (rng.random(len(acc)) < CAMPAIGN_SHARE)
    retail_line = tier[book.line_account] == "RETAIL"
    skus = lines.loc[retail_line, ["sku_id", "qty_cases"]].groupby("sku_id")["qty_cases"].sum().nlargest(2).index
    hit = who[book.line_account] & (book.line_day >= s) & (book.line_day <= e) & lines["sku_id"].isin(skus).to_numpy()
    hit &= lines["qty_cases"].to_numpy() > 0
    old = lines["qty_cases"].to_numpy()
    new = np.where(hit, np.round(old * (1 + CAMPAIGN_LIFT)), old)
    added = new - old
    lines = lines.assign(qty_cases=new)
    pos = pd.Index(book.header["order_id"]).get_indexer(lines["order_id"])
    value = (
        book.order_value
        + np.bincount(pos, weights=added * lines["invoice_price"].to_numpy(), minlength=len(pos))[
            : len(book.order_value)
        ]
    )
    pid = f"CPN{start:%Y%m}"
    ids = acc["account_id"].to_numpy()
    promo = pd.DataFrame(
        [
            dict(
                promo_id=pid,
                name=f"{start:%Y}年{start.month}-{end.month}月优惠券 / {start:%b}-{end:%b %Y} coupon campaign",
                mechanic="coupon",
                start_date=start,
                end_date=end,
                tier_code="RETAIL",
                funding="scanback",
                coupon_face_value=COUPON_FACE,
                expected_redemption=0.65,
                fixed_cost=5_000.0,
            )
        ]
    )
    coupons = pd.DataFrame(
        {"account_id": ids[book.line_account[hit]], "month": (h.start + pd.to_timedelta(book.line_day[hit], "D"))}
    )
    coupons["month"] = coupons["month"].dt.to_period("M").dt.to_timestamp() + pd.offsets.MonthEnd(0)
    coupons["cases"] = new[hit]
    red = coupons.groupby(["account_id", "month"], as_index=False)["cases"].sum()
    red["units_redeemed"] = np.floor(red["cases"] * rng.uniform(0.5, 0.8, len(red)))
    red = red[red["units_redeemed"] > 0]
    tables = {
        "promotion": promo,
        "promotion_sku": pd.DataFrame({"promo_id": pid, "sku_id": list(skus)}),
        "promotion_account": pd.DataFrame({"promo_id": pid, "account_id": ids[who], "fixed_fee": 0.0}),
        "redemption": pd.DataFrame(
            {
                "promo_id": pid,
                "account_id": red["account_id"],
                "redeem_date": red["month"],
                "units_redeemed": red["units_redeemed"],
                "prize_units": 0.0,
                "cost": red["units_redeemed"] * COUPON_FACE,
            }
        ),
        "demo_truth_promotion": pd.DataFrame(
            [
                dict(
                    promo_id=pid,
                    participants=int(who.sum()),
                    lift=CAMPAIGN_LIFT,
                    incremental_cases=float(added.sum()),
                    incremental_cases_per_account=float(added.sum() / max(int(who.sum()), 1)),
                )
            ]
        ),
    }
    return replace(book, lines=lines, order_value=value), tables
