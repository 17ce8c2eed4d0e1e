"""Accounts along the pipeline, their supply links, locations, sales reps and owner history.

Sizes are lognormal per tier (so the 80/20 rule holds in every tier) and drawn independently of the type.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kam_core.demo import truth
from kam_core.demo.catalogue import TIERS
from kam_core.demo.geography import Geography
from kam_core.demo.names import account_names, person_names
from kam_core.demo.season import History

TIER_MIX = {"DIST": 0.04, "WHS2": 0.14, "KA": 0.08, "RETAIL": 0.56, "ONPREM": 0.18}
TIER_MIN = {"DIST": 4, "WHS2": 4, "KA": 3, "RETAIL": 8, "ONPREM": 3}
# median annual cases and the lognormal spread (sigma 1.5 puts ~25% of accounts in the 80% A class)
SIZE_MEDIAN = {"DIST": 15_000.0, "WHS2": 3_000.0, "KA": 2_400.0, "RETAIL": 220.0, "ONPREM": 420.0}
SIZE_SIGMA = 1.5
MIN_ACCOUNTS = 30


def tier_counts(n: int) -> dict[str, int]:
    counts = {t: max(TIER_MIN[t], int(round(TIER_MIX[t] * n))) for t in TIERS if t != "RETAIL"}
    counts["RETAIL"] = n - sum(counts.values())
    return {t: counts[t] for t in TIERS}


def plan_accounts(rng: np.random.Generator, n: int, h: History) -> pd.DataFrame:
    """The account plan: tier, size, status, latent type, diverter and HVLL plans, behaviour parameters,
    first order, loss date and growth. One row per account, in account_id order."""
    counts = tier_counts(n)
    tier = np.repeat(np.array(TIERS), [counts[t] for t in TIERS])
    z = np.clip(rng.standard_normal(n), -3.0, 3.0)
    size = np.round(pd.Series(tier).map(SIZE_MEDIAN).to_numpy() * np.exp(SIZE_SIGMA * z), 0) + 12
    acc = pd.DataFrame({"account_id": [f"AC{i:05d}" for i in range(1, n + 1)], "tier": tier, "size": size})
    acc["status"] = _statuses(rng, tier)
    acc["type_idx"] = truth.assign_types(rng, tier, size)
    div = truth.plan_diverters(rng, acc)
    acc = pd.concat([acc, div.set_axis(acc.index)], axis=1)
    b = truth.behaviour(rng, acc)
    # planned cases, sales-neutral by type; quarter-end lumps add about a third to threshold chasers
    acc["size"] = np.round(acc["size"] / truth.sales_multiplier(b) / np.where(acc["s4"], 1.35, 1.0), 0) + 6
    acc["hvll"] = truth.plan_hvll(rng, acc)
    acc = pd.concat([acc, truth.loyalty_overrides(rng, acc, b)], axis=1)
    acc.loc[acc["diverter"], "tenure"] = np.maximum(acc.loc[acc["diverter"], "tenure"], 1.5)
    return _timeline(rng, acc, h)


def _statuses(rng: np.random.Generator, tier: np.ndarray) -> np.ndarray:
    r = rng.random(len(tier))
    status = np.select(
        [r < 0.03, r < 0.05, r < 0.07, r < 0.14], ["prospect", "negotiating", "signed", "lost"], "active"
    ).astype(object)
    dist = tier == "DIST"
    status[dist] = np.where(r[dist] < 0.05, "lost", "active")
    return status


def _timeline(rng: np.random.Generator, acc: pd.DataFrame, h: History) -> pd.DataFrame:
    """First order, loss and growth. Pipeline accounts without orders get start_day = -1 sentinel off."""
    n = len(acc)
    out = acc.copy()
    first = h.end - pd.to_timedelta(np.round(out["tenure"].to_numpy() * 365.25), unit="D")
    ordering = out["status"].isin(["active", "lost"]).to_numpy()
    out["first_order_date"] = pd.Series(first).where(ordering).to_numpy()
    start_day = np.where(ordering, (first - h.start).days.to_numpy(), h.days + 1)
    out["start_day"] = np.clip(start_day, 0, h.days + 1)
    lo = out["start_day"].to_numpy() + 90
    hi = max(h.days - 45, 1)
    loss = np.where(lo < hi, lo + rng.random(n) * (hi - lo), (out["start_day"].to_numpy() + h.days) / 2)
    lost = (out["status"] == "lost").to_numpy()
    out["loss_day"] = np.where(lost, np.round(loss).astype(int), h.days + 1)
    r = rng.random(n)
    growth = np.select(
        [r < 0.08, r < 0.16], [rng.uniform(0.35, 0.7, n), rng.uniform(-0.6, -0.3, n)], rng.normal(0.03, 0.08, n)
    )
    out["growth"] = np.where(out["hvll"], rng.normal(0.0, 0.04, n), growth)
    return out


def place_accounts(rng: np.random.Generator, acc: pd.DataFrame, geo: Geography) -> pd.DataFrame:
    """Street of each account (DIST spread over the cities first), supply parents, names and addresses."""
    out = acc.copy()
    st = geo.streets
    tier = out["tier"].to_numpy()
    street_idx = rng.integers(0, len(st), len(out))
    areas = st["area_id"].unique()
    dist_idx = np.flatnonzero(tier == "DIST")
    for k, i in enumerate(dist_idx):  # round-robin over cities so every city has a distributor when possible
        in_area = np.flatnonzero(st["area_id"].to_numpy() == areas[k % len(areas)])
        street_idx[i] = rng.choice(in_area)
    for col in ("region_id", "community_id", "area_id", "top_id"):
        out[col] = st[col].to_numpy()[street_idx]
    out["street_idx"] = street_idx
    out["parent_account_id"] = _parents(rng, out)
    place_zh = np.where(
        np.isin(tier, ["DIST"]), st["area_zh"].to_numpy()[street_idx], st["name_zh"].to_numpy()[street_idx]
    )
    place_en = np.where(
        np.isin(tier, ["DIST"]), st["area_en"].to_numpy()[street_idx], st["name_en"].to_numpy()[street_idx]
    )
    out["name"], out["name_en"] = account_names(rng, tier, place_zh, place_en)
    number = rng.integers(1, 400, len(out)).astype(str)
    out["address"] = st["area_zh"].to_numpy()[street_idx] + "市" + st["name_zh"].to_numpy()[street_idx] + number + "号"
    out["phone"] = ["1" + "".join(map(str, d)) for d in rng.integers(0, 10, (len(out), 10))]
    out.loc[out["tier"] != "RETAIL", "phone"] = "0" + out.loc[out["tier"] != "RETAIL", "phone"].str[1:]
    return out


def _parents(rng: np.random.Generator, acc: pd.DataFrame) -> np.ndarray:
    """WHS2 -> a DIST (same city, else same region, else any); RETAIL/ONPREM -> a WHS2 or DIST of the same
    city or region; KA -> direct supply or a DIST of its region."""
    tier = acc["tier"].to_numpy()
    ids = acc["account_id"].to_numpy()
    ordering = acc["status"].isin(["active", "lost", "signed"]).to_numpy()
    area, top = acc["area_id"].to_numpy(), acc["top_id"].to_numpy()
    parent = np.full(len(acc), None, dtype=object)

    def pools(mask: np.ndarray) -> tuple[dict, dict, np.ndarray]:
        idx = np.flatnonzero(mask)
        by_area = pd.Series(idx).groupby(area[idx]).apply(np.asarray).to_dict() if len(idx) else {}
        by_top = pd.Series(idx).groupby(top[idx]).apply(np.asarray).to_dict() if len(idx) else {}
        return by_area, by_top, idx

    def pick(i: int, pool: tuple[dict, dict, np.ndarray]) -> object:
        by_area, by_top, every = pool
        for found in (by_area.get(area[i]), by_top.get(top[i]), every):
            if found is not None and len(found):
                return ids[found[rng.integers(len(found))]]
        return None

    dists = pools((tier == "DIST") & ordering)
    suppliers = pools(np.isin(tier, ["DIST", "WHS2"]) & ordering)
    ka_direct = rng.random(len(acc)) < 0.6
    for i in range(len(acc)):
        if tier[i] == "WHS2":
            parent[i] = pick(i, dists)
        elif tier[i] in ("RETAIL", "ONPREM"):
            parent[i] = pick(i, suppliers)
        elif tier[i] == "KA" and not ka_direct[i]:
            parent[i] = pick(i, dists)
    return parent


def build_reps(rng: np.random.Generator, acc: pd.DataFrame, geo: Geography, h: History) -> pd.DataFrame:
    """One director, a manager per region and about one rep per 50 accounts, spread over the cities."""
    regions = geo.regions
    tops = regions.loc[regions["level"] == "region", "region_id"].to_numpy()
    areas = regions.loc[regions["level"] == "area"].sort_values(["code"])
    # interleave cities across regions so that few reps still cover every region
    order = areas.assign(k=areas["code"].str[-2:]).sort_values(["k", "parent_id"])["region_id"].to_numpy()
    n_reps = max(len(tops), int(round(len(acc) / 50)))
    names, names_en = person_names(rng, n_reps + len(tops) + 1)
    rows = [
        dict(
            rep_id="DIR001",
            name=names[0],
            name_en=names_en[0],
            manager_rep_id=None,
            home_region_id=None,
            hourly_cost=220.0,
        )
    ]
    for k, top in enumerate(tops):
        rows.append(
            dict(
                rep_id=f"MGR{top}",
                name=names[1 + k],
                name_en=names_en[1 + k],
                manager_rep_id="DIR001",
                home_region_id=top,
                hourly_cost=float(np.round(rng.uniform(100, 130), 0)),
            )
        )
    for k in range(n_reps):
        area = order[k % len(order)]
        rows.append(
            dict(
                rep_id=f"REP{k + 1:03d}",
                name=names[1 + len(tops) + k],
                name_en=names_en[1 + len(tops) + k],
                manager_rep_id=f"MGR{area[:3]}",
                home_region_id=area,
                hourly_cost=float(np.round(rng.uniform(48, 72), 0)),
            )
        )
    reps = pd.DataFrame(rows)
    reps["active_from"] = h.start - pd.DateOffset(years=3)
    reps["active_to"] = pd.NaT
    return reps


def assign_owners(
    rng: np.random.Generator, acc: pd.DataFrame, reps: pd.DataFrame, h: History
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Owner rep per account (a rep of its city, else of its region) and the owner history with about 15%
    of accounts handed over once during the history."""
    field = reps[reps["rep_id"].str.startswith("REP")]
    home = field["home_region_id"].to_numpy()
    rep_ids = field["rep_id"].to_numpy()
    owner = np.empty(len(acc), dtype=object)
    previous = np.full(len(acc), None, dtype=object)
    by_area = {a: rep_ids[home == a] for a in np.unique(home)}
    by_top = {t: rep_ids[np.char.startswith(home.astype(str), t)] for t in np.unique(acc["top_id"])}
    for i, (area, top) in enumerate(zip(acc["area_id"], acc["top_id"], strict=True)):
        pool = by_area.get(area)
        if pool is None or not len(pool):
            pool = by_top[top]
        owner[i] = pool[rng.integers(len(pool))]
        if len(pool) > 1 and rng.random() < 0.15:
            previous[i] = rng.choice(pool[pool != owner[i]])
    out = acc.copy()
    out["owner_rep_id"] = owner
    since = pd.to_datetime(out["first_order_date"]).fillna(h.end - pd.Timedelta(days=60))
    since = since.where(since > h.start - pd.DateOffset(years=3), h.start - pd.DateOffset(years=3))
    handover = h.start + pd.to_timedelta(rng.integers(30, max(h.days - 30, 31), len(out)), unit="D")
    has_prev = pd.notna(previous) & (handover.to_numpy() > since.to_numpy())
    hist = [
        pd.DataFrame(
            {
                "account_id": out["account_id"],
                "rep_id": owner,
                "valid_from": np.where(has_prev, handover, since),
                "valid_to": pd.NaT,
            }
        ),
        pd.DataFrame(
            {
                "account_id": out["account_id"][has_prev],
                "rep_id": previous[has_prev],
                "valid_from": since[has_prev],
                "valid_to": handover[has_prev] - pd.Timedelta(days=1),
            }
        ),
    ]
    out["prev_rep_id"] = np.where(has_prev, previous, None)  # type: ignore[call-overload]  # None fills an object array
    out["handover_day"] = np.where(has_prev, (handover - h.start).days, -1)
    history = pd.concat(hist, ignore_index=True).sort_values(["account_id", "valid_from"], kind="mergesort")
    history["valid_from"] = pd.to_datetime(history["valid_from"])
    return out, history.reset_index(drop=True)


OUTLET_NORM = {"DIST": 40.0, "WHS2": 30.0, "KA": 400.0}  # yearly cases per outlet served


def account_table(
    rng: np.random.Generator, acc: pd.DataFrame, h: History, window_cases: pd.Series, window_sales: pd.Series
) -> pd.DataFrame:
    """The account table. Outlets served follow the volume actually bought (so sell-in matches capacity),
    except for diverters showing S2, whose volume runs 1.8-3x what their outlets could sell."""
    n = len(acc)
    tier = acc["tier"].to_numpy()
    cases = window_cases.reindex(acc["account_id"]).fillna(0.0).to_numpy()
    cases = np.where(cases > 0, cases, acc["size"].to_numpy())
    sales = window_sales.reindex(acc["account_id"]).fillna(0.0).to_numpy()
    ratio = np.exp(rng.normal(0, 0.1, n))
    s2 = acc["s2"].to_numpy()
    ratio = np.where(s2, np.where(acc["weak"].to_numpy(), rng.uniform(1.6, 1.75, n), rng.uniform(1.9, 3.0, n)), ratio)
    norm = pd.Series(tier).map(OUTLET_NORM).to_numpy(dtype=float)
    outlets = np.where(np.isnan(norm), np.nan, np.maximum(1, np.round(cases / np.nan_to_num(norm, nan=1.0) / ratio)))
    contractual = np.isin(tier, ["DIST", "KA"]) | ((tier == "ONPREM") & acc["exclusive"].to_numpy())
    first = pd.to_datetime(acc["first_order_date"])
    years_in = np.floor((h.end - first).dt.days / 365.25).fillna(0)
    c_start = first + pd.to_timedelta(np.round(years_in * 365.25), unit="D")
    signed = (acc["status"] == "signed").to_numpy()
    c_start = c_start.where(~signed, h.end - pd.to_timedelta(rng.integers(5, 40, n), unit="D"))
    contractual = contractual & (acc["status"].isin(["active", "lost", "signed"]).to_numpy())
    c_start = c_start.where(contractual)
    wide = np.isin(tier, ["DIST", "WHS2"])
    return pd.DataFrame(
        {
            "account_id": acc["account_id"],
            "name": acc["name"],
            "name_en": acc["name_en"],
            "tier_code": tier,
            "parent_account_id": acc["parent_account_id"],
            "region_id": acc["region_id"],
            "owner_rep_id": acc["owner_rep_id"],
            "status": acc["status"],
            "first_order_date": first.dt.normalize(),
            "contract_type": np.where(contractual, "contractual", "noncontractual"),
            "contract_start": c_start.dt.normalize(),
            "contract_end": (c_start + pd.DateOffset(years=1) - pd.Timedelta(days=1)).dt.normalize(),
            "outlets_served": outlets,
            "warehouse_capacity_cases": np.round(
                acc["size"].to_numpy() / np.where(wide, 12, 40) * rng.uniform(1, 2, n)
            ),
            "tangible_net_worth": np.where(
                wide | (tier == "KA"), np.round(acc["size"].to_numpy() * rng.uniform(6, 20, n), -3), np.nan
            ),
            "annual_turnover_all_brands": np.where(
                wide | (tier == "KA"), np.round(sales / acc["sow"].to_numpy() * rng.uniform(1.2, 2.0, n), -3), np.nan
            ),
            "exclusive_agreement": acc["exclusive"].to_numpy(),
            "data_sharing": acc["data_sharing"].to_numpy(),
            "jbp_in_place": acc["jbp"].to_numpy(),
            "address": acc["address"],
            "phone": acc["phone"],
            "created_source": "demo",
            "version": 1,
        }
    )
