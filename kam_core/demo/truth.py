"""Planted truth: each account's latent Rackham type, the high-volume-low-loyalty (HVLL) accounts and the
diverters, and the behaviour parameters through which they show in the tables (notes/features.md).

Every ordering account gets a latent type (small ones too, so their features look plausible); demo_truth
reports it only for the key accounts, the A class by net sales of each channel tier.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kam_core.vocab import VALUE_TYPES

TYPES = np.array(VALUE_TYPES)
TYPE_MIX = np.array([0.45, 0.35, 0.20])
FUZZ = 0.10  # chance that one feature group of an account behaves like another type (realistic overlap)
SIGNALS = ("s1", "s2", "s4", "s5", "s7")


def assign_types(rng: np.random.Generator, tier: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Latent type index per account: the 45/35/20 mix in every block of 20 accounts of similar size within a
    tier, so the key accounts (the biggest) carry the mix too, and size says nothing about the type."""
    block = np.repeat(np.arange(3), (TYPE_MIX * 20).round().astype(int))
    out = np.empty(len(tier), dtype=int)
    for code in np.unique(tier):
        idx = np.flatnonzero(tier == code)
        idx = idx[np.argsort(-size[idx], kind="stable")]
        for start in range(0, len(idx), len(block)):
            chunk = idx[start : start + len(block)]
            out[chunk] = rng.permutation(block)[: len(chunk)]
    return out


def _size_rank(size: np.ndarray, tier: np.ndarray) -> np.ndarray:
    """Percentile rank (0-1] of planned size within tier."""
    return pd.Series(size).groupby(tier).rank(pct=True).to_numpy()


def plan_hvll(rng: np.random.Generator, acc: pd.DataFrame) -> np.ndarray:
    """Pick the butterflies: big (top ~12% planned volume of their tier), active, not strategic, not diverting."""
    n = len(acc)
    want = max(5, int(np.ceil(0.03 * n)))
    rank = _size_rank(acc["size"].to_numpy(), acc["tier"].to_numpy())
    ok = ((acc["status"] == "active") & (acc["type_idx"] < 2) & ~acc["diverter"]).to_numpy()
    flag = np.zeros(n, dtype=bool)
    for cut in (0.88, 0.84, 0.80):  # widen only when a tiny database has too few big accounts
        cand = np.flatnonzero(ok & (rank > cut) & ~flag)
        take = min(want - flag.sum(), len(cand))
        if take > 0:
            tier_weight = pd.Series(acc["tier"].to_numpy()[cand]).map(acc["tier"].value_counts(normalize=True))
            p = tier_weight.to_numpy() / tier_weight.sum()
            flag[rng.choice(cand, take, replace=False, p=p)] = True
        if flag.sum() >= want:
            break
    return flag


def plan_diverters(rng: np.random.Generator, acc: pd.DataFrame) -> pd.DataFrame:
    """Diverters (mostly DIST and WHS2, a few KA) and which signals each one shows; plus one weak chance
    signal for a few honest accounts. Returns boolean columns diverter, s1, s2, s4, s5, s7, weak."""
    n = len(acc)
    tier = acc["tier"].to_numpy()
    want = max(5, int(np.ceil(0.025 * n)))
    active = (acc["status"] == "active").to_numpy()
    not_strategic = acc["type_idx"].to_numpy() < 2
    weight = np.select([tier == "DIST", tier == "WHS2", tier == "KA"], [4.0, 3.0, 0.6], 0.0)
    weight = weight * active * not_strategic
    take = min(want, int((weight > 0).sum()))
    div = np.zeros(n, dtype=bool)
    div[rng.choice(n, take, replace=False, p=weight / weight.sum())] = True
    out = pd.DataFrame({"diverter": div, "weak": False})
    for s in SIGNALS:
        out[s] = False
    can_s4 = np.isin(tier, ["DIST", "WHS2"])
    can_s2 = np.isin(tier, ["DIST", "WHS2", "KA"])
    for i in np.flatnonzero(div):
        pool = [s for s in SIGNALS if (s != "s4" or can_s4[i]) and (s != "s2" or can_s2[i])]
        k = min(len(pool), int(rng.choice([3, 4, 5], p=[0.4, 0.35, 0.25])))
        for s in rng.choice(pool, k, replace=False):
            out.loc[i, s] = True
    # honest accounts that happen to show one signal weakly (a stray scan, one cheap lot, a one-off drop)
    weak = (~div) & (rng.random(n) < 0.05) & (acc["status"].to_numpy() == "active")
    for i in np.flatnonzero(weak):
        pool = [s for s in SIGNALS if (s != "s4" or can_s4[i]) and (s != "s2" or can_s2[i])]
        out.loc[i, rng.choice(pool)] = True
        out.loc[i, "weak"] = True
    return out


def _by_type(rng, src: np.ndarray, draws) -> np.ndarray:
    """Draw one value per account from the distribution of its (source) type."""
    out = np.empty(len(src))
    for t, draw in enumerate(draws):
        m = src == t
        out[m] = draw(m.sum())
    return out


def behaviour(rng: np.random.Generator, acc: pd.DataFrame) -> pd.DataFrame:
    """Per-account behaviour parameters from the latent type (with fuzz), then the loyalty overrides for big
    accounts: HVLL accounts disloyal, other big accounts loyal."""
    n = len(acc)
    t = acc["type_idx"].to_numpy()

    def src() -> np.ndarray:
        fuzz = rng.random(n) < FUZZ
        other = (t + rng.integers(1, 3, n)) % 3
        return np.where(fuzz, other, t)

    u = rng.uniform
    b = pd.DataFrame(index=acc.index)
    s = src()
    b["deal_prob"] = _by_type(
        rng, s, [lambda k: u(0.45, 0.7, k), lambda k: u(0.05, 0.18, k), lambda k: u(0.03, 0.12, k)]
    )
    b["deal_depth"] = _by_type(
        rng, s, [lambda k: u(0.10, 0.18, k), lambda k: u(0.04, 0.08, k), lambda k: u(0.03, 0.07, k)]
    )
    b["elasticity"] = np.where(s == 0, u(2.5, 3.5, n), u(0.3, 0.7, n))
    b["n_comp"] = _by_type(
        rng, src(), [lambda k: rng.integers(3, 7, k), lambda k: rng.integers(1, 4, k), lambda k: rng.integers(0, 2, k)]
    )
    b["service_mult"] = _by_type(
        rng, src(), [lambda k: u(0.3, 0.55, k), lambda k: u(2.0, 3.2, k), lambda k: u(1.0, 1.5, k)]
    )
    b["advice_rate"] = _by_type(
        rng, src(), [lambda k: u(0.0, 0.6, k), lambda k: u(6.0, 12.0, k), lambda k: u(2.0, 4.0, k)]
    )
    b["premium_share"] = _by_type(
        rng, src(), [lambda k: rng.beta(2, 20, k), lambda k: rng.beta(9, 10, k), lambda k: rng.beta(6, 14, k)]
    )
    b["tenure"] = _by_type(rng, src(), [lambda k: u(1.0, 3.5, k), lambda k: u(1.5, 6.5, k), lambda k: u(6.0, 15.0, k)])
    b["coinv_ratio"] = _by_type(
        rng,
        src(),
        [
            lambda k: np.where(rng.random(k) < 0.8, 0.0, u(0.0, 0.05, k)),
            lambda k: u(0.05, 0.2, k),
            lambda k: u(0.35, 0.6, k),
        ],
    )
    b["n_levels"] = _by_type(
        rng, src(), [lambda k: rng.integers(1, 3, k), lambda k: rng.integers(2, 4, k), lambda k: rng.integers(4, 6, k)]
    )
    s = src()
    b["sow"] = _by_type(rng, s, [lambda k: u(0.35, 0.6, k), lambda k: u(0.55, 0.8, k), lambda k: u(0.82, 0.98, k)])
    b["exclusive"] = rng.random(n) < np.choose(s, [0.02, 0.08, 0.55])
    d = src()
    b["data_sharing"] = rng.random(n) < np.choose(d, [0.03, 0.12, 0.75])
    b["jbp"] = (rng.random(n) < np.choose(d, [0.01, 0.05, 0.5])) & acc["tier"].isin(["DIST", "KA", "WHS2"]).to_numpy()
    # wholesalers restock on a rhythm; shops and restaurants order when they run low
    b["gap_cv"] = np.where(acc["tier"].isin(["DIST", "WHS2"]).to_numpy(), u(0.25, 0.55, n), u(0.3, 0.9, n))
    b["nps_mean"] = np.choose(t, [6.8, 8.0, 8.6]) + rng.normal(0, 0.8, n)
    b["irregular"] = False
    return b


def sales_multiplier(b: pd.DataFrame) -> np.ndarray:
    """Expected net sales per case relative to an all-mainstream, no-deal account: premium beer costs about
    twice as much a case, and deals cut the price but (for price buyers) lift volume more. Dividing planned
    size by this keeps sales, and so the key-account (A) class, independent of the type."""
    p = b["premium_share"].to_numpy()
    price = 1.0 + 1.5 * p
    e = b["elasticity"].to_numpy()
    dp, dd = b["deal_prob"].to_numpy(), b["deal_depth"].to_numpy()
    deals = dp * (1 - dd) ** (1 - e) + (1 - dp) * 0.99 ** (1 - e)
    return price * deals


def loyalty_overrides(rng: np.random.Generator, acc: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """HVLL accounts disloyal; other big accounts (top quarter by cases in their tier) loyal."""
    b = b.copy()
    n = len(acc)
    t = acc["type_idx"].to_numpy()
    u = rng.uniform
    big = _size_rank(acc["size"].to_numpy(), acc["tier"].to_numpy()) > 0.65  # margin below the p80 volume line
    hv = acc["hvll"].to_numpy()
    loyal = big & ~hv
    b["sow"] = np.where(
        loyal, np.maximum(b["sow"], np.choose(t, [u(0.66, 0.76, n), u(0.72, 0.86, n), u(0.86, 0.98, n)])), b["sow"]
    )
    b["exclusive"] = np.where(loyal, b["exclusive"] | (rng.random(n) < np.choose(t, [0.3, 0.6, 0.95])), b["exclusive"])
    b["gap_cv"] = np.where(loyal, u(0.08, 0.2, n), b["gap_cv"])
    b["nps_mean"] = np.where(loyal, u(8.6, 9.6, n), b["nps_mean"])
    b["sow"] = np.where(hv, u(0.22, 0.40, n), b["sow"])
    b["n_comp"] = np.where(hv, np.maximum(b["n_comp"], rng.integers(3, 6, n)), b["n_comp"])
    b["exclusive"] = np.where(hv, False, b["exclusive"])
    b["irregular"] = hv
    b["nps_mean"] = np.where(hv, u(3.0, 5.5, n), b["nps_mean"])
    b["tenure"] = np.where(hv, np.maximum(b["tenure"], u(1.3, 3.0, n)), b["tenure"])
    return b


def a_class(net_sales: pd.Series, tier: pd.Series, cut: float = 0.80) -> pd.Series:
    """True for the A class of each tier: the biggest accounts that together make ``cut`` of net sales
    (the account that crosses the line is included)."""
    df = pd.DataFrame({"s": net_sales.clip(lower=0), "t": tier}).sort_values(
        ["t", "s"], ascending=[True, False], kind="mergesort"
    )
    tot = df.groupby("t")["s"].transform("sum")
    before = df.groupby("t")["s"].cumsum() - df["s"]
    return ((before < cut * tot) & (df["s"] > 0)).reindex(net_sales.index)


def finalize_truth(acc: pd.DataFrame, window_sales: pd.Series, window_cases: pd.Series) -> pd.DataFrame:
    """demo_truth rows: value type for the key accounts; HVLL only where the planted account really ended
    up high volume (>= 80th percentile of cases in its tier among accounts with orders)."""
    ids = acc["account_id"]
    sales = window_sales.reindex(ids).fillna(0.0).set_axis(acc.index)
    cases = window_cases.reindex(ids).set_axis(acc.index)
    key = a_class(sales, acc["tier"])
    vol_pct = cases.groupby(acc["tier"]).rank(pct=True)
    return pd.DataFrame(
        {
            "account_id": ids,
            "value_type": np.where(key, TYPES[acc["type_idx"].to_numpy()], None),
            "high_volume_low_loyalty": acc["hvll"].to_numpy() & (vol_pct.fillna(0).to_numpy() >= 0.8),
            "diverter": acc["diverter"].to_numpy(),
        }
    )
