"""Channel tiers, the brewer's SKUs with cost and returnable bottles, price lists per tier, competitor brands
and activity cost rates."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kam_core.demo.season import History
from kam_core.vocab import CHANNELS, STANDARD_CHANNEL_TIERS

TIERS = list(CHANNELS)
CHANNEL_TIERS = pd.DataFrame(
    [(code, *STANDARD_CHANNEL_TIERS[code]) for code in TIERS],
    columns=["tier_code", "name_zh", "name_en", "level_in_chain"],
)
# list price of a tier relative to the distributor price, and its floor as a share of list
TIER_PRICE = {"DIST": 1.00, "WHS2": 1.07, "KA": 1.16, "RETAIL": 1.13, "ONPREM": 1.15}
TIER_FLOOR = {"DIST": 0.93, "WHS2": 0.91, "KA": 0.90, "RETAIL": 0.90, "ONPREM": 0.90}
PRICE_RISE = 0.05  # mid-history list price rise
COST_DRIFT_PER_YEAR = 0.04  # standard cost rises about 4% a year (malt, glass, aluminium)

# sku, zh, en, brand, segment, pack, units, liters, dist price, cogs, returnable, deposit, launch months before end
_SKUS = [
    (
        "JC-QS500B",
        "江城清爽 500ml×12瓶",
        "Jiangcheng Crisp 500ml x12 bottle",
        "江城",
        "mainstream",
        "bottle",
        12,
        6.0,
        30.0,
        19.5,
        True,
        6.0,
        None,
    ),
    (
        "JC-JD500B",
        "江城经典 500ml×12瓶",
        "Jiangcheng Classic 500ml x12 bottle",
        "江城",
        "mainstream",
        "bottle",
        12,
        6.0,
        36.0,
        22.0,
        True,
        6.0,
        None,
    ),
    (
        "JC-DP600B",
        "江城大瓶 600ml×12瓶",
        "Jiangcheng Big Bottle 600ml x12",
        "江城",
        "mainstream",
        "bottle",
        12,
        7.2,
        38.0,
        23.5,
        True,
        6.0,
        None,
    ),
    (
        "JC-BS330C",
        "江城冰爽 330ml×24罐",
        "Jiangcheng Ice 330ml x24 can",
        "江城",
        "mainstream",
        "can",
        24,
        7.92,
        44.0,
        28.0,
        False,
        0.0,
        None,
    ),
    (
        "JD-XM500C",
        "金江小麦王 500ml×12罐",
        "Jinjiang Wheat King 500ml x12 can",
        "金江",
        "mainstream",
        "can",
        12,
        6.0,
        33.0,
        21.0,
        False,
        0.0,
        None,
    ),
    (
        "JC-CS500B",
        "江城纯生 500ml×12瓶",
        "Jiangcheng Draft 500ml x12 bottle",
        "江城",
        "premium",
        "bottle",
        12,
        6.0,
        62.0,
        33.0,
        True,
        6.0,
        None,
    ),
    (
        "JC-CS330C",
        "江城纯生 330ml×24罐",
        "Jiangcheng Draft 330ml x24 can",
        "江城",
        "premium",
        "can",
        24,
        7.92,
        74.0,
        41.0,
        False,
        0.0,
        None,
    ),
    (
        "JC-HP330C",
        "江城黑啤 330ml×24罐",
        "Jiangcheng Dark 330ml x24 can",
        "江城",
        "premium",
        "can",
        24,
        7.92,
        80.0,
        44.0,
        False,
        0.0,
        None,
    ),
    (
        "JC-LD330C",
        "江城零度无醇 330ml×24罐",
        "Jiangcheng Zero alcohol-free 330ml x24 can",
        "江城",
        "premium",
        "can",
        24,
        7.92,
        78.0,
        42.0,
        False,
        0.0,
        15,
    ),
    (
        "JC-YJ20K",
        "江城原浆鲜啤 20L桶",
        "Jiangcheng Unfiltered 20L keg",
        "江城",
        "super_premium",
        "keg",
        1,
        20.0,
        190.0,
        96.0,
        True,
        150.0,
        None,
    ),
    (
        "CF-IPA330B",
        "楚风精酿IPA 330ml×24瓶",
        "Chufeng Craft IPA 330ml x24 bottle",
        "楚风",
        "super_premium",
        "bottle",
        24,
        7.92,
        168.0,
        82.0,
        False,
        0.0,
        7,
    ),
    (
        "CF-BP500C",
        "楚风白啤 500ml×12罐",
        "Chufeng Witbier 500ml x12 can",
        "楚风",
        "super_premium",
        "can",
        12,
        6.0,
        120.0,
        58.0,
        False,
        0.0,
        None,
    ),
]
COMPETITORS = pd.DataFrame(
    {
        "brand_id": ["SNOW", "TSINGTAO", "BUD", "YANJING", "CARLSBERG", "HARBIN", "HEINEKEN"],
        "name": ["雪花", "青岛", "百威", "燕京", "嘉士伯", "哈尔滨", "喜力"],
        "name_en": ["Snow", "Tsingtao", "Budweiser", "Yanjing", "Carlsberg", "Harbin", "Heineken"],
        "owner_company": [
            "华润啤酒 CR Beer",
            "青岛啤酒 Tsingtao Brewery",
            "百威亚太 Budweiser APAC",
            "燕京啤酒 Yanjing Brewery",
            "嘉士伯 Carlsberg",
            "百威亚太 Budweiser APAC",
            "华润啤酒 CR Beer (Heineken)",
        ],
        "segment": ["mainstream", "mainstream", "premium", "mainstream", "premium", "mainstream", "super_premium"],
    }
)
ACTIVITY_RATES = {
    "visit": 1.0,
    "travel": 0.8,
    "negotiation": 2.0,
    "training": 1.5,
    "consulting": 1.5,
    "planogram": 1.2,
    "menu_engineering": 1.5,
    "merch": 0.8,
    "delivery": 0.6,
    "service": 1.0,
    "collection": 0.9,
    "complaint": 1.0,
}


@dataclass(frozen=True)
class Catalogue:
    products: pd.DataFrame  # product table
    price_list: pd.DataFrame  # price_list table
    rise_date: pd.Timestamp  # the mid-history list price rise
    dist_price: np.ndarray  # distributor list price before the rise, per SKU (product order)
    cogs_end: np.ndarray  # standard cost at the end of history, per SKU
    launch: np.ndarray  # launch day index relative to history start (large negative = long ago)


def build_catalogue(h: History) -> Catalogue:
    """Products, price lists (with a price rise in the middle of the history) and launch dates."""
    cols = [
        "sku_id",
        "name",
        "name_en",
        "brand",
        "segment",
        "pack",
        "units_per_case",
        "liters_per_case",
        "dist_price",
        "std_cogs_per_case",
        "returnable",
        "deposit_per_case",
        "launch_months",
    ]
    prod = pd.DataFrame(_SKUS, columns=cols)
    launch = [
        (h.end - pd.DateOffset(months=int(m))).replace(day=1) if m == m and m is not None else pd.NaT
        for m in prod["launch_months"]
    ]
    prod["launch_date"] = pd.to_datetime(pd.Series(launch, dtype="datetime64[ns]"))
    prod["is_service"] = False
    months = len(h.month_starts())
    rise = h.month_starts()[max(1, months // 2)] if months > 1 else h.start
    launch_idx = np.where(
        prod["launch_date"].isna(), -10_000, (prod["launch_date"] - h.start).dt.days.fillna(-10_000)
    ).astype(int)
    products = prod.drop(columns=["dist_price", "launch_months"])
    return Catalogue(
        products,
        _price_list(prod, h, rise),
        rise,
        prod["dist_price"].to_numpy(),
        prod["std_cogs_per_case"].to_numpy(),
        launch_idx,
    )


def _price_list(prod: pd.DataFrame, h: History, rise: pd.Timestamp) -> pd.DataFrame:
    rows = []
    for sku, base, launch in zip(prod["sku_id"], prod["dist_price"], prod["launch_date"], strict=True):
        first = h.start if pd.isna(launch) or launch < h.start else launch
        for tier in TIERS:
            price = round(base * TIER_PRICE[tier], 1)
            periods = [(first, None, price)]
            if rise > first:
                new_price = round(price * (1 + PRICE_RISE), 1)
                periods = [(first, rise - pd.Timedelta(days=1), price), (rise, None, new_price)]
            for start, stop, p in periods:
                rows.append(
                    dict(
                        sku_id=sku,
                        tier_code=tier,
                        valid_from=start,
                        valid_to=stop,
                        region_id=None,
                        list_price=p,
                        floor_price=round(p * TIER_FLOOR[tier], 2),
                    )
                )
    return pd.DataFrame(rows)


def activity_rates(h: History) -> pd.DataFrame:
    return pd.DataFrame(
        {"activity_type": list(ACTIVITY_RATES), "valid_from": h.start, "cost_per_minute": list(ACTIVITY_RATES.values())}
    )


def cogs_at(cogs_end: np.ndarray, sku_idx: np.ndarray, day: np.ndarray, h: History) -> np.ndarray:
    """Standard cost frozen at the sale: it steps up each month towards today's standard cost."""
    months_before_end = (h.days - 1 - day) // 30
    return np.round(cogs_end[sku_idx] * (1 - COST_DRIFT_PER_YEAR * months_before_end / 12.0), 2)
