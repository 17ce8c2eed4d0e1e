"""Rep visits and service events. Time spent scales with account size (^0.7) and the type's service appetite:
extrinsic accounts take training, consulting, planograms and menu engineering; intrinsic ones little."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kam_core.demo.accounts import SIZE_MEDIAN
from kam_core.demo.season import History

VISITS_PER_YEAR = {"DIST": 30.0, "WHS2": 18.0, "KA": 24.0, "RETAIL": 9.0, "ONPREM": 12.0}
VISIT_MINUTES = {"DIST": 55.0, "WHS2": 40.0, "KA": 45.0, "RETAIL": 15.0, "ONPREM": 20.0}
TRAVEL = {"DIST": (30, 70), "WHS2": (20, 45), "KA": (25, 50), "RETAIL": (8, 25), "ONPREM": (10, 30)}
LEVEL_ORDER = {
    "DIST": ["owner", "buyer", "finance", "exec", "store_mgr"],
    "WHS2": ["owner", "buyer", "finance", "store_mgr", "exec"],
    "KA": ["buyer", "store_mgr", "exec", "finance", "owner"],
    "RETAIL": ["owner", "store_mgr", "buyer", "finance"],
    "ONPREM": ["owner", "store_mgr", "buyer", "finance"],
}
ADVICE_SERVICE = {
    "DIST": ["training", "consulting"],
    "WHS2": ["training", "consulting"],
    "KA": ["planogram", "training", "consulting"],
    "RETAIL": ["planogram", "training"],
    "ONPREM": ["menu_engineering", "training"],
}
NOTES = [
    "年度合同续签：要求提高返利档位，我方坚持原方案，同意增加陈列支持 / Renewal: asked for a higher rebate tier; "
    "we held the scheme and offered more display support",
    "谈判账期：客户希望由30天延至60天，待财务审批 / Terms: asked for 60 days instead of 30, pending finance",
    "竞品雪花给出更低进货价，客户要求跟价 / Snow offered a lower price; account asked us to match",
    "讨论独家经销协议与区域保护 / Discussed an exclusive distribution agreement and territory protection",
    "新品楚风精酿进场条件：进场费减半，首单搭赠 / Listing terms for Chufeng craft: half entry fee, free goods "
    "on the first order",
]


def active_span(acc: pd.DataFrame, h: History) -> tuple[np.ndarray, np.ndarray]:
    """First and last+1 day index each account is served (prospects: the last 90 days)."""
    first = acc["start_day"].to_numpy().astype(float)
    stop = np.minimum(acc["loss_day"].to_numpy(), h.days).astype(float)
    pipeline = first >= h.days
    first = np.where(pipeline, max(h.days - 90, 0), first)
    stop = np.where(pipeline, h.days, stop)
    return first.astype(int), stop.astype(int)


def _levels(acc: pd.DataFrame) -> list[list[str]]:
    return [
        LEVEL_ORDER[t][: max(1, min(int(k), len(LEVEL_ORDER[t])))]
        for t, k in zip(acc["tier"], acc["n_levels"], strict=True)
    ]


def _rep_at(acc: pd.DataFrame, a: np.ndarray, day: np.ndarray) -> np.ndarray:
    prev = acc["prev_rep_id"].to_numpy()[a]
    use_prev = (day < acc["handover_day"].to_numpy()[a]) & pd.notna(prev)
    return np.where(use_prev, prev, acc["owner_rep_id"].to_numpy()[a])


def visits(rng: np.random.Generator, acc: pd.DataFrame, h: History) -> pd.DataFrame:
    """Visit rows: order/merch/collection calls, advice visits (training, consulting, or advice given),
    negotiations with notes for contract renewals and accounts still negotiating."""
    first, stop = active_span(acc, h)
    years = np.maximum(stop - first, 0) / 365.25
    rel = (acc["size"] / acc["tier"].map(SIZE_MEDIAN)).to_numpy()
    svc = acc["service_mult"].to_numpy()
    per_year = np.clip(acc["tier"].map(VISITS_PER_YEAR).to_numpy() * svc**0.5 * rel**0.35, 6, 150)
    pipeline = acc["start_day"].to_numpy() >= h.days
    per_year = np.where(pipeline, 8.0, per_year)
    n = rng.poisson(per_year * years)
    a = np.repeat(np.arange(len(acc)), n)
    day = first[a] + np.floor(rng.random(len(a)) * (stop - first)[a]).astype(int)
    p_adv = np.minimum(0.9, 0.6 * acc["advice_rate"].to_numpy() / per_year)[a]
    u = rng.random(len(a))
    adv = u < p_adv
    adv_kind = rng.choice(np.array(["training", "consulting", "merch"]), len(a), p=[0.3, 0.4, 0.3])
    routine = rng.choice(np.array(["order", "merch", "collection", "complaint"]), len(a), p=[0.55, 0.3, 0.1, 0.05])
    vtype = np.where(adv, adv_kind, routine)
    vtype = np.where(pipeline[a], "order", vtype)
    minutes = acc["tier"].map(VISIT_MINUTES).to_numpy() * svc**0.5 * rel**0.35
    dur = minutes[a] * rng.lognormal(0, 0.3, len(a)) * np.where(np.isin(vtype, ["training", "consulting"]), 1.8, 1.0)
    lo = acc["tier"].map({k: v[0] for k, v in TRAVEL.items()}).to_numpy()[a]
    hi = acc["tier"].map({k: v[1] for k, v in TRAVEL.items()}).to_numpy()[a]
    levels = _levels(acc)
    pick = rng.random(len(a))
    level = np.array([levels[i][int(p * len(levels[i]))] for i, p in zip(a, pick, strict=True)], dtype=object)
    out = pd.DataFrame(
        {
            "account_id": acc["account_id"].to_numpy()[a],
            "rep_id": _rep_at(acc, a, day),
            "visit_date": h.start + pd.to_timedelta(day, unit="D"),
            "visit_type": vtype,
            "duration_min": np.round(np.clip(dur, 5, 480)),
            "travel_min": np.round(lo + (hi - lo) * rng.random(len(a))),
            "contact_level": level,
            "advice_given": adv & (adv_kind == "merch") | (~adv & (rng.random(len(a)) < 0.01)),
            "note": None,
            "created_by": "demo",
        }
    )
    out = pd.concat([out, _negotiations(rng, acc, h)], ignore_index=True)
    return out.sort_values(["visit_date", "account_id"], kind="mergesort").reset_index(drop=True)


def _negotiations(rng: np.random.Generator, acc: pd.DataFrame, h: History) -> pd.DataFrame:
    renew = (
        acc["tier"].isin(["DIST", "KA"]).to_numpy()
        & (acc["status"] == "active").to_numpy()
        & (rng.random(len(acc)) < 0.3)
    )
    talking = (acc["status"] == "negotiating").to_numpy()
    a = np.concatenate([np.flatnonzero(renew), np.repeat(np.flatnonzero(talking), 2)])
    day = np.where(
        np.isin(a, np.flatnonzero(talking)),
        h.days - rng.integers(1, 80, len(a)),
        rng.integers(max(h.days - 300, 0), h.days, len(a)),
    )
    lv = np.array([_levels(acc.iloc[[i]])[0][-1] for i in a], dtype=object) if len(a) else np.array([], dtype=object)
    return pd.DataFrame(
        {
            "account_id": acc["account_id"].to_numpy()[a],
            "rep_id": _rep_at(acc, a, day),
            "visit_date": h.start + pd.to_timedelta(day, unit="D"),
            "visit_type": "negotiation",
            "duration_min": np.round(rng.uniform(60, 150, len(a))),
            "travel_min": np.round(rng.uniform(20, 60, len(a))),
            "contact_level": lv,
            "advice_given": False,
            "note": np.array(NOTES, dtype=object)[rng.integers(0, len(NOTES), len(a))],
            "created_by": "demo",
        }
    )


def service_events(rng: np.random.Generator, acc: pd.DataFrame, h: History) -> pd.DataFrame:
    """Advice services (training, consulting, planogram, menu engineering) at the account's advice rate, and
    routine ones (rush orders, claims, returns, cooler installs, POSM) for everyone."""
    first, stop = active_span(acc, h)
    ordering = acc["start_day"].to_numpy() < h.days
    years = np.where(ordering, np.maximum(stop - first, 0) / 365.25, 0.0)
    rel = (acc["size"] / acc["tier"].map(SIZE_MEDIAN)).to_numpy()
    parts = []
    n = rng.poisson(0.4 * acc["advice_rate"].to_numpy() * years)
    a = np.repeat(np.arange(len(acc)), n)
    kinds = [ADVICE_SERVICE[t] for t in acc["tier"]]
    etype = np.array(
        [kinds[i][int(p * len(kinds[i]))] for i, p in zip(a, rng.random(len(a)), strict=True)], dtype=object
    )
    minutes = rng.uniform(60, 180, len(a)) * rel[a] ** 0.3
    parts.append((a, etype, minutes, rng.uniform(0, 400, len(a)), np.ones(len(a))))
    routine = [
        ("rush_order", 0.6, (20, 40), (50, 150)),
        ("claim", 0.3, (15, 45), (0, 300)),
        ("return", 0.3, (15, 30), (20, 100)),
        ("posm", 1.0, (10, 30), (100, 400)),
        ("cooler_install", 0.15, (60, 120), (1500, 3500)),
    ]
    for kind, rate, (m_lo, m_hi), (c_lo, c_hi) in routine:
        k = rng.poisson(rate * years)
        aa = np.repeat(np.arange(len(acc)), k)
        parts.append(
            (
                aa,
                np.full(len(aa), kind, dtype=object),
                rng.uniform(m_lo, m_hi, len(aa)),
                rng.uniform(c_lo, c_hi, len(aa)),
                np.ones(len(aa)),
            )
        )
    a = np.concatenate([p[0] for p in parts])
    day = first[a] + np.floor(rng.random(len(a)) * (stop - first)[a]).astype(int)
    out = pd.DataFrame(
        {
            "account_id": acc["account_id"].to_numpy()[a],
            "event_date": h.start + pd.to_timedelta(day, unit="D"),
            "type": np.concatenate([p[1] for p in parts]),
            "qty": np.concatenate([p[4] for p in parts]),
            "direct_cost": np.round(np.concatenate([p[3] for p in parts]), 2),
            "minutes": np.round(np.concatenate([p[2] for p in parts])),
        }
    )
    return out.sort_values(["event_date", "account_id", "type"], kind="mergesort").reset_index(drop=True)
