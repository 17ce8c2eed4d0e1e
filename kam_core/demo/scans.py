"""One-code-per-bottle scans (一物一码) and market price checks: the evidence of cross-territory diversion.

Honest accounts' goods are scanned inside their authorised territory (a stray scan outside now and then);
diverters showing S1 have 15-40% of terminal and consumer scans elsewhere. Price checks find diverters'
lots below floor in other territories (S5); ordinary checks find shelf prices above every floor.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kam_core.demo.activities import active_span
from kam_core.demo.catalogue import TIERS, Catalogue
from kam_core.demo.geography import Geography
from kam_core.demo.lines import price_tables
from kam_core.demo.orderbook import spread
from kam_core.demo.season import History
from kam_core.demo.territory import streets_inside, streets_outside


def _window_days(
    rng: np.random.Generator, acc: pd.DataFrame, h: History, a: np.ndarray, window_first: int
) -> np.ndarray:
    """A day per row, mostly (85%) inside the analysis window and always while the account is served."""
    first, stop = active_span(acc, h)
    lo = np.maximum(first[a], np.where(rng.random(len(a)) < 0.85, window_first, 0))
    lo = np.minimum(lo, np.maximum(stop[a] - 1, 0))
    return lo + np.floor(rng.random(len(a)) * np.maximum(stop[a] - lo, 1)).astype(int)


def code_scans(
    rng: np.random.Generator, acc: pd.DataFrame, geo: Geography, cat: Catalogue, h: History, window_first: int
) -> pd.DataFrame:
    ordering = (acc["start_day"] < h.days).to_numpy()
    # wholesalers' and chains' goods carry enough scans to judge (>= 50 in a year); shops fewer
    wide = acc["tier"].isin(["DIST", "WHS2", "KA"]).to_numpy()
    n = np.where(wide, np.clip(90 + acc["size"].to_numpy() / 200, 90, 220), 30).astype(int) * ordering
    a = np.repeat(np.arange(len(acc)), n)
    kind = rng.choice(np.array(["outbound", "dealer_in", "terminal", "consumer"]), len(a), p=[0.1, 0.15, 0.4, 0.35])
    s1 = acc["s1"].to_numpy()
    rate = np.where(
        s1,
        np.where(acc["weak"].to_numpy(), rng.uniform(0.06, 0.09, len(acc)), rng.uniform(0.15, 0.4, len(acc))),
        0.0015,
    )  # a stray scan now and then
    away = np.isin(kind, ["terminal", "consumer"]) & np.where(s1[a], spread(rng, a, rate), rng.random(len(a)) < rate[a])
    street = streets_inside(rng, acc, geo, a)
    street = np.where(kind == "outbound", acc["street_idx"].to_numpy()[a], street)
    street[away] = streets_outside(rng, acc, geo, a[away])
    day = _window_days(rng, acc, h, a, window_first)
    st = geo.streets
    sku = rng.choice(len(cat.products), len(a), p=_sku_mix(len(cat.products)))
    secs = rng.integers(8 * 3600, 23 * 3600, len(a))
    order = np.lexsort((a, day))
    a, day, kind, street, sku, secs = a[order], day[order], kind[order], street[order], sku[order], secs[order]
    when = h.start + pd.to_timedelta(day, unit="D") + pd.to_timedelta(secs, unit="s")
    return pd.DataFrame(
        {
            "code": [f"JC{c}" for c in rng.integers(10**11, 10**12, len(a))],
            "sku_id": cat.products["sku_id"].to_numpy()[sku],
            "shipped_account_id": acc["account_id"].to_numpy()[a],
            "scan_time": when,
            "scan_region_id": st["region_id"].to_numpy()[street],
            "scan_type": kind,
            "lat": np.round(st["lat"].to_numpy()[street] + rng.normal(0, 0.01, len(a)), 5),
            "lon": np.round(st["lon"].to_numpy()[street] + rng.normal(0, 0.01, len(a)), 5),
        }
    )


def _sku_mix(k: int) -> np.ndarray:
    p = np.r_[np.full(5, 3.0), np.full(k - 5, 1.0)]
    return p / p.sum()


def price_checks(
    rng: np.random.Generator, acc: pd.DataFrame, geo: Geography, cat: Catalogue, h: History, window_first: int
) -> pd.DataFrame:
    """Routine shelf checks (some traced by lot code to the supplying wholesaler) plus, for diverters showing
    S5, a few of their lots found below floor outside their territory."""
    lp, fp, second = price_tables(cat)
    n_routine = max(60, len(acc) // 2)
    st = geo.streets
    street = rng.integers(0, len(st), n_routine)
    day = window_first + rng.integers(0, max(h.days - window_first, 1), n_routine)
    sku = rng.choice(len(cat.products), n_routine, p=_sku_mix(len(cat.products)))
    period = ((h.start + pd.to_timedelta(day, unit="D")).to_numpy() >= second[sku]).astype(int)
    price = np.round(lp[TIERS.index("RETAIL"), sku, period] * rng.uniform(1.0, 1.25, n_routine), 1)
    wholesalers = np.flatnonzero(
        acc["tier"].isin(["DIST", "WHS2"]).to_numpy() & (acc["start_day"] < h.days).to_numpy() & ~acc["s5"].to_numpy()
    )
    traced = (
        np.where(rng.random(n_routine) < 0.3, rng.choice(wholesalers, n_routine), -1)
        if len(wholesalers)
        else np.full(n_routine, -1)
    )
    s5 = np.flatnonzero(acc["s5"].to_numpy())
    k = np.where(acc["weak"].to_numpy()[s5], 1, rng.integers(2, 5, len(s5)))
    a = np.repeat(s5, k)
    d_day = _window_days(rng, acc, h, a, window_first)
    d_sku = rng.integers(0, 5, len(a))  # diverted volume is mainstream beer
    d_period = ((h.start + pd.to_timedelta(d_day, unit="D")).to_numpy() >= second[d_sku]).astype(int)
    tier_idx = acc["tier"].map({t: i for i, t in enumerate(TIERS)}).to_numpy()[a]
    weak = acc["weak"].to_numpy()[a]
    factor = np.where(weak, rng.uniform(0.97, 0.99, len(a)), rng.uniform(0.85, 0.95, len(a)))
    d_price = np.round(fp[tier_idx, d_sku, d_period] * factor, 2)
    d_street = streets_outside(rng, acc, geo, a)
    out = pd.DataFrame(
        {
            "region_id": st["region_id"].to_numpy()[np.r_[street, d_street]],
            "sku_id": cat.products["sku_id"].to_numpy()[np.r_[sku, d_sku]],
            "check_date": h.start + pd.to_timedelta(np.r_[day, d_day], unit="D"),
            "observed_price": np.r_[price, d_price],
            "traced": np.r_[traced, a],
        }
    )
    out["traced_account_id"] = np.where(
        out["traced"] >= 0, acc["account_id"].to_numpy()[np.maximum(out["traced"], 0)], None
    )
    out["lot_code"] = np.where(
        out["traced"] >= 0, [f"L{d:%y%m%d}{i:04d}" for i, d in enumerate(out["check_date"])], None
    )  # type: ignore[call-overload]  # None fills an object array
    return (
        out.drop(columns="traced")
        .sort_values(["check_date", "region_id", "sku_id"], kind="mergesort")
        .reset_index(drop=True)
    )
