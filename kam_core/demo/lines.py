"""Order lines: which SKUs an order holds (Gumbel top-k over the account's assortment weights), how the cases
split, and the prices, frozen cost and promotion of each line — vectorised over all orders at once."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kam_core.demo.catalogue import TIERS, Catalogue, cogs_at
from kam_core.demo.season import History

LINES_PER_ORDER = {"DIST": 8.0, "WHS2": 6.0, "KA": 7.0, "RETAIL": 3.5, "ONPREM": 3.2}
MAINSTREAM, PREMIUM, SUPER = slice(0, 5), slice(5, 9), slice(9, 12)
# how much each channel likes each SKU (catalogue order): returnable bottles in shops and restaurants,
# cans in supermarkets, kegs and big bottles on-premise
AFFINITY = {
    "DIST": [1.0, 1.0, 0.8, 1.0, 0.8, 1.0, 1.0, 0.7, 0.6, 0.3, 0.6, 0.8],
    "WHS2": [1.2, 1.0, 0.9, 0.9, 1.0, 1.0, 0.8, 0.6, 0.5, 0.2, 0.4, 0.6],
    "KA": [0.5, 0.6, 0.3, 1.6, 1.2, 0.7, 1.6, 1.2, 1.2, 0.05, 1.0, 1.3],
    "RETAIL": [1.4, 1.2, 0.8, 1.0, 1.0, 1.2, 0.8, 0.5, 0.5, 0.05, 0.3, 0.5],
    "ONPREM": [1.2, 1.2, 2.5, 0.4, 0.4, 1.5, 0.4, 0.4, 0.3, 1.6, 1.2, 0.8],
}


def assortment_weights(rng: np.random.Generator, acc: pd.DataFrame) -> np.ndarray:
    """Per account and SKU: the share of cases it would buy, zero for SKUs it does not carry."""
    n = len(acc)
    aff = np.array([AFFINITY[t] for t in acc["tier"]])
    noise = rng.lognormal(0.0, 0.4, aff.shape)
    carried = rng.random(aff.shape) < 0.8
    w = aff * noise
    p = acc["premium_share"].to_numpy()
    for part, share in ((MAINSTREAM, 1 - p), (PREMIUM, 0.7 * p), (SUPER, 0.3 * p)):
        block = w[:, part]
        top = block.argmax(axis=1)
        keep = carried[:, part].copy()
        keep[np.arange(n), top] = True  # every account carries its favourite of each segment
        block = block * keep
        w[:, part] = block / block.sum(axis=1, keepdims=True) * share[:, None]
    return w


def price_tables(cat: Catalogue) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """List and floor price per (tier, sku, period 0|1) and the day index each SKU's second period starts."""
    pl = cat.price_list
    skus = list(cat.products["sku_id"])
    lp = np.zeros((len(TIERS), len(skus), 2))
    fp = np.zeros_like(lp)
    second = np.zeros(len(skus), dtype="datetime64[ns]")
    for (sku, tier), g in pl.sort_values("valid_from", kind="mergesort").groupby(["sku_id", "tier_code"], sort=True):
        t, s = TIERS.index(tier), skus.index(sku)
        lp[t, s] = [g["list_price"].iloc[0], g["list_price"].iloc[-1]]
        fp[t, s] = [g["floor_price"].iloc[0], g["floor_price"].iloc[-1]]
        second[s] = np.datetime64(g["valid_from"].iloc[-1], "ns")
    return lp, fp, second


def build_lines(
    rng: np.random.Generator,
    acc: pd.DataFrame,
    orders: pd.DataFrame,
    weights: np.ndarray,
    cat: Catalogue,
    h: History,
    price_factor: np.ndarray,
    deal: np.ndarray,
    promo_of_day: np.ndarray,
) -> pd.DataFrame:
    """Lines of every order in ``orders`` (columns o, a, day, month, cases).

    Returns a frame with o, sku (index), qty, list_price, invoice_price, floor_price, cogs, promo_id.
    """
    a, day = orders["a"].to_numpy(), orders["day"].to_numpy()
    n_sku = weights.shape[1]
    w = weights[a]
    available = (w > 0) & (day[:, None] >= cat.launch[None, :])
    logw = np.where(available, np.log(np.where(w > 0, w, 1.0)), -np.inf)
    scores = logw + rng.gumbel(size=w.shape)
    mean_lines = acc["tier"].map(LINES_PER_ORDER).to_numpy()[a]
    k = np.minimum(1 + rng.poisson(mean_lines - 1.0), available.sum(axis=1))
    rank = np.argsort(np.argsort(-scores, axis=1, kind="stable"), axis=1, kind="stable")
    chosen = (rank < k[:, None]) & available
    share = np.where(chosen, w * rng.lognormal(0.0, 0.3, w.shape), 0.0)
    share = share / share.sum(axis=1, keepdims=True)
    qty = np.where(chosen, np.maximum(np.round(share * orders["cases"].to_numpy()[:, None]), 1.0), 0.0)
    o_idx, s_idx = np.nonzero(chosen)
    q = qty[o_idx, s_idx]
    tier_idx = acc["tier"].map({t: i for i, t in enumerate(TIERS)}).to_numpy()[a][o_idx]
    lp_tab, fp_tab, second = price_tables(cat)
    dates = h.start + pd.to_timedelta(day[o_idx], unit="D")
    period = (dates.to_numpy() >= second[s_idx]).astype(int)
    list_price = lp_tab[tier_idx, s_idx, period]
    month = orders["month"].to_numpy()[o_idx]
    factor = price_factor[a[o_idx], month]
    on_deal = deal[a[o_idx], month]
    invoice = np.round(list_price * factor, 2)
    promo = np.where(on_deal, promo_of_day[day[o_idx]], None)
    # Spring Festival stocking deal for wholesalers: one free case per 20 bought (买二十送一)
    wholesale = np.isin(tier_idx, [TIERS.index("DIST"), TIERS.index("WHS2")])
    free = np.where(on_deal & wholesale & (pd.Series(promo).str[7:9] == "12").to_numpy(), np.floor(q / 20.0), 0.0)
    lines = pd.DataFrame(
        {
            "o": o_idx,
            "sku": s_idx,
            "qty": q,
            "list_price": list_price,
            "invoice_price": invoice,
            "floor_price": fp_tab[tier_idx, s_idx, period],
            "cogs": cogs_at(cat.cogs_end, s_idx, day[o_idx], h),
            "promo_id": promo,
            "free_qty": free,
        }
    )
    assert n_sku == len(cat.products)
    return lines
