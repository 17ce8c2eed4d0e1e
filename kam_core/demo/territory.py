"""Authorised territories (account_territory) and picking streets outside them, the raw material of the
diversion signals: out-of-territory code scans, ship-to addresses and price checks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kam_core.demo.geography import Geography
from kam_core.demo.season import History


def assign_territory(rng: np.random.Generator, acc: pd.DataFrame) -> pd.DataFrame:
    """DIST: their city (area); WHS2: their district (community) or city; everyone else: their district."""
    out = acc.copy()
    tier = out["tier"].to_numpy()
    wide = (tier == "DIST") | ((tier == "WHS2") & (rng.random(len(out)) < 0.3))
    out["territory_id"] = np.where(wide, out["area_id"], out["community_id"])
    out["territory_level"] = np.where(wide, "area", "community")
    return out


def territory_table(acc: pd.DataFrame, h: History) -> pd.DataFrame:
    has = acc["status"] != "prospect"
    since = pd.to_datetime(acc["first_order_date"]).fillna(h.end - pd.Timedelta(days=30))
    return pd.DataFrame(
        {
            "account_id": acc["account_id"][has],
            "region_id": acc["territory_id"][has],
            "valid_from": since[has].dt.normalize(),
            "valid_to": pd.NaT,
            "exclusive": (acc["tier"].isin(["DIST"]) | acc["exclusive"])[has],
        }
    )


def inside_mask(acc: pd.DataFrame, geo: Geography, a: np.ndarray, street: np.ndarray) -> np.ndarray:
    """True where street index ``street`` lies inside the territory of account position ``a``."""
    st = geo.streets
    level = acc["territory_level"].to_numpy()[a]
    terr = acc["territory_id"].to_numpy()[a]
    return np.where(
        level == "area", st["area_id"].to_numpy()[street] == terr, st["community_id"].to_numpy()[street] == terr
    )


def streets_inside(rng: np.random.Generator, acc: pd.DataFrame, geo: Geography, a: np.ndarray) -> np.ndarray:
    """A random street inside each account's territory (mostly its own street, as goods sell near home)."""
    st = geo.streets
    own = acc["street_idx"].to_numpy()[a]
    per_comm = len(st[st["community_id"] == st["community_id"].iat[0]])
    comm_first = (own // per_comm) * per_comm
    nearby = comm_first + rng.integers(0, per_comm, len(a))
    return np.where(rng.random(len(a)) < 0.5, own, nearby)


def streets_outside(rng: np.random.Generator, acc: pd.DataFrame, geo: Geography, a: np.ndarray) -> np.ndarray:
    """A random street outside each account's territory: a neighbouring city of the same region (most
    diverted goods travel to where the price gap pays the freight), sometimes another region."""
    st = geo.streets
    n_st = len(st)
    out = rng.integers(0, n_st, len(a))
    same_region = rng.random(len(a)) < 0.75
    tops = st["top_id"].to_numpy()
    top_first = np.searchsorted(tops, acc["top_id"].to_numpy()[a])
    per_top = n_st // len(np.unique(tops))
    out = np.where(same_region, top_first + rng.integers(0, per_top, len(a)), out)
    for _ in range(20):  # redraw the few that landed inside
        bad = inside_mask(acc, geo, a, out)
        if not bad.any():
            break
        out[bad] = rng.integers(0, n_st, bad.sum())
    return out
