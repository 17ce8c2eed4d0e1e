"""Assemble the order book: regular orders, quarter-end threshold-chasing lumps of diverters, a few returns,
then order_header and order_line rows with ids, ship-to, rep, settlement mode and delivery cost."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kam_core.demo import lines as lines_mod
from kam_core.demo import orders as orders_mod
from kam_core.demo.catalogue import Catalogue
from kam_core.demo.geography import Geography
from kam_core.demo.programs import QUARTER_TIERS
from kam_core.demo.season import History, quarter_ends
from kam_core.demo.territory import streets_outside

DELIVERY = {"DIST": (0.0, 0.8), "WHS2": (20.0, 0.9), "KA": (40.0, 1.2), "RETAIL": (35.0, 0.6), "ONPREM": (35.0, 0.6)}


@dataclass(frozen=True)
class OrderBook:
    header: pd.DataFrame  # order_header rows
    lines: pd.DataFrame  # order_line rows
    line_account: np.ndarray  # account position of each line
    line_day: np.ndarray  # day index of each line
    order_value: np.ndarray  # net value per header row


def _month_index(h: History, day: np.ndarray) -> np.ndarray:
    dates = h.start + pd.to_timedelta(day, unit="D")
    return (dates.year - h.start.year) * 12 + dates.month - h.start.month


def _lumps(rng: np.random.Generator, acc: pd.DataFrame, od: pd.DataFrame, h: History) -> pd.DataFrame:
    """Quarter-end buying that crosses the next rebate tier: most quarters for diverters with signal S4,
    one quarter, just over the line, for an honest account showing it weakly."""
    qe = quarter_ends(h)
    q_end = h.day_index(qe)
    q_start = h.day_index(qe - pd.offsets.QuarterBegin(startingMonth=1))
    rows = []
    chasers = np.flatnonzero(acc["s4"].to_numpy() & acc["tier"].isin(list(QUARTER_TIERS)).to_numpy())
    by_account = dict(tuple(od[od["a"].isin(chasers)].groupby("a")))
    for i in chasers:
        bounds = np.array(QUARTER_TIERS[acc["tier"].iat[i]][0], dtype=float)
        mine = by_account.get(i, od.iloc[:0])
        weak = bool(acc["weak"].iat[i])
        quarters = [
            k for k in range(len(qe)) if q_start[k] >= acc["start_day"].iat[i] and q_end[k] < acc["loss_day"].iat[i]
        ]
        picks = [k for k in quarters if rng.random() < 0.85] if not weak else list(rng.permutation(quarters))
        for k in picks:
            base = mine.loc[(mine["day"] >= q_start[k]) & (mine["day"] <= q_end[k]), "cases"].sum()
            nxt = bounds[bounds > base]
            if base <= 0 or not len(nxt):
                continue
            need = nxt[0] - base + 0.04 * nxt[0]
            ratio = rng.uniform(0.38, 0.45) if weak else rng.uniform(0.75, 1.1)
            if weak and need > ratio * base:
                continue
            rows.append((i, int(q_end[k] - rng.integers(1, 7)), max(ratio * base, need)))
            if weak:
                break
    return pd.DataFrame(rows, columns=["a", "day", "cases"])


def _returns(rng: np.random.Generator, lines: pd.DataFrame, orders: pd.DataFrame, h: History) -> pd.DataFrame:
    """About 0.5% of lines come back (breakage, expiry) a few days later as a negative line."""
    pick = np.flatnonzero((rng.random(len(lines)) < 0.005) & (lines["qty"].to_numpy() >= 2))
    r = lines.iloc[pick].copy()
    day = orders["day"].to_numpy()[r["o"].to_numpy()] + rng.integers(2, 12, len(r))
    r = r[day < h.days]
    r["ret_day"] = day[day < h.days]
    r["qty"] = -np.maximum(1.0, np.round(r["qty"] * rng.uniform(0.1, 0.4, len(r))))
    r["promo_id"] = None
    r["free_qty"] = 0.0
    return r


def build_orderbook(
    rng: np.random.Generator,
    acc: pd.DataFrame,
    geo: Geography,
    cat: Catalogue,
    h: History,
    season: np.ndarray,
    promo_of_day: np.ndarray,
) -> OrderBook:
    od = orders_mod.order_days(rng, acc, h, season)
    price_factor, deal = orders_mod.month_deals(rng, acc, h)
    od["month"] = _month_index(h, od["day"].to_numpy())
    od["cases"] = orders_mod.order_cases(rng, acc, od, h, season, price_factor, od["month"].to_numpy())
    lumps = _lumps(rng, acc, od, h)
    lumps["month"] = _month_index(h, lumps["day"].to_numpy())
    od["kind"], lumps["kind"] = 0, 1
    orders = pd.concat([od, lumps], ignore_index=True).astype(
        {"a": int, "day": int, "month": int, "kind": int, "cases": float}
    )
    orders = orders.sort_values(["day", "a", "kind"], kind="mergesort").reset_index(drop=True)
    weights = lines_mod.assortment_weights(rng, acc)
    lines = lines_mod.build_lines(rng, acc, orders, weights, cat, h, price_factor, deal, promo_of_day)
    ret = _returns(rng, lines, orders, h)
    return _assemble(rng, acc, geo, h, orders, lines, ret, cat)


def _assemble(
    rng: np.random.Generator,
    acc: pd.DataFrame,
    geo: Geography,
    h: History,
    orders: pd.DataFrame,
    lines: pd.DataFrame,
    ret: pd.DataFrame,
    cat: Catalogue,
) -> OrderBook:
    ret_orders = pd.DataFrame(
        {"a": orders["a"].to_numpy()[ret["o"].to_numpy()], "day": ret["ret_day"].to_numpy(), "kind": 2}
    )
    all_orders = pd.concat([orders[["a", "day", "kind"]], ret_orders], ignore_index=True)
    ret = ret.assign(o=np.arange(len(orders), len(orders) + len(ret)))
    all_lines = pd.concat([lines, ret.drop(columns="ret_day")], ignore_index=True)
    order_rank = all_orders.sort_values(["day", "a", "kind"], kind="mergesort").index.to_numpy()
    new_no = np.empty(len(all_orders), dtype=int)
    new_no[order_rank] = np.arange(len(all_orders))
    all_orders = all_orders.iloc[order_rank].reset_index(drop=True)
    all_lines["o"] = new_no[all_lines["o"].to_numpy()]
    all_lines = all_lines.sort_values(["o", "sku"], kind="mergesort").reset_index(drop=True)
    header = _header(rng, acc, geo, h, all_orders, all_lines)
    oid = header["order_id"].to_numpy()
    lines_out = pd.DataFrame(
        {
            "order_id": oid[all_lines["o"].to_numpy()],
            "line_no": all_lines.groupby("o").cumcount().to_numpy() + 1,
            "sku_id": cat.products["sku_id"].to_numpy()[all_lines["sku"].to_numpy()],
            "qty_cases": all_lines["qty"].to_numpy(),
            "list_price": all_lines["list_price"].to_numpy(),
            "invoice_price": all_lines["invoice_price"].to_numpy(),
            "off_invoice_disc": np.round(all_lines["list_price"] - all_lines["invoice_price"], 2).to_numpy(),
            "cogs_per_case": all_lines["cogs"].to_numpy(),
            "promo_id": all_lines["promo_id"].to_numpy(),
            "free_qty_cases": all_lines["free_qty"].fillna(0.0).to_numpy(),
        }
    )
    value = np.bincount(
        all_lines["o"].to_numpy(),
        weights=(all_lines["qty"] * all_lines["invoice_price"]).to_numpy(),
        minlength=len(header),
    )
    a_line = all_orders["a"].to_numpy()[all_lines["o"].to_numpy()]
    d_line = all_orders["day"].to_numpy()[all_lines["o"].to_numpy()]
    return OrderBook(header, lines_out, a_line, d_line, value)


def spread(rng: np.random.Generator, a: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Mark a share ``rate[a]`` of each account's rows (in their given order) evenly, with a random phase, so
    any stretch of time shows about that share (a Bernoulli draw would leave some diverters below a trigger)."""
    j = pd.Series(np.zeros(len(a))).groupby(a).cumcount().to_numpy()
    phase = rng.random(len(rate))[a]
    r = rate[a]
    return np.floor((j + 1) * r + phase) > np.floor(j * r + phase)


def _header(
    rng: np.random.Generator, acc: pd.DataFrame, geo: Geography, h: History, orders: pd.DataFrame, lines: pd.DataFrame
) -> pd.DataFrame:
    a, day = orders["a"].to_numpy(), orders["day"].to_numpy()
    n = len(orders)
    tier = acc["tier"].to_numpy()[a]
    cases = np.bincount(lines["o"].to_numpy(), weights=np.abs(lines["qty"].to_numpy()), minlength=n)
    fixed = pd.Series(tier).map({t: v[0] for t, v in DELIVERY.items()}).to_numpy(dtype=float)
    per_case = pd.Series(tier).map({t: v[1] for t, v in DELIVERY.items()}).to_numpy(dtype=float)
    street = geo.streets["region_id"].to_numpy()
    ship = acc["street_idx"].to_numpy()[a].copy()
    s7_rate = np.where(
        acc["s7"].to_numpy(),
        np.where(acc["weak"].to_numpy(), rng.uniform(0.115, 0.14, len(acc)), rng.uniform(0.2, 0.4, len(acc))),
        0.0,
    )
    away = spread(rng, a, s7_rate)
    ship[away] = streets_outside(rng, acc, geo, a[away])
    after_change = day >= acc["change_day"].to_numpy()[a]
    mode = np.where(after_change, acc["mode"].to_numpy()[a], acc["mode0"].to_numpy()[a])
    terms = np.where(after_change, acc["terms"].to_numpy()[a], acc["terms0"].to_numpy()[a])
    handed = day >= acc["handover_day"].to_numpy()[a]
    rep = np.where(
        handed | pd.isna(acc["prev_rep_id"].to_numpy()[a]),
        acc["owner_rep_id"].to_numpy()[a],
        acc["prev_rep_id"].to_numpy()[a],
    )
    date = h.start + pd.to_timedelta(day, unit="D")
    is_return = orders["kind"].to_numpy() == 2
    return pd.DataFrame(
        {
            "order_id": [f"SO{i:08d}" for i in range(1, n + 1)],
            "account_id": acc["account_id"].to_numpy()[a],
            "order_date": date,
            "ship_date": h.start + pd.to_timedelta(np.minimum(day + rng.integers(0, 3, n), h.days - 1), unit="D"),
            "ship_to_region_id": street[ship],
            "rep_id": rep,
            "settlement_mode": mode,
            "payment_terms_days": terms,
            "delivery_cost": np.round(np.where(is_return, 0.0, fixed + per_case * cases * rng.uniform(0.8, 1.2, n)), 2),
            "is_return": is_return,
            "source": "demo",
        }
    )
