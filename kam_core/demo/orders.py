"""Order timing and size per account, fully vectorised (no Python loop per order).

Orders arrive as a renewal process in "seasonal time" (intensity ~ season^0.5), so a distributor orders
more often in summer; each order's size carries the other season^0.5, the account's growth trend, and its
response to the month's deal price (elasticity ~3 for price-driven accounts, ~0.5 otherwise).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kam_core.demo.accounts import SIZE_MEDIAN
from kam_core.demo.season import History, cny_date

ORDERS_PER_YEAR = {"DIST": 60.0, "WHS2": 45.0, "KA": 55.0, "RETAIL": 30.0, "ONPREM": 36.0}


def _gaps(rng: np.random.Generator, mean: np.ndarray, cv: np.ndarray, irregular: np.ndarray) -> np.ndarray:
    """Inter-order gaps: gamma with the account's CV, or for disloyal accounts bursts of quick re-orders
    between long silences (CV of the gaps well above 1)."""
    shape = 1.0 / np.maximum(cv, 0.1) ** 2
    regular = rng.gamma(shape, mean / shape)
    burst = rng.random(len(mean)) < 0.72
    quick = rng.uniform(1.0, 3.0, len(mean))
    long_mean = np.maximum(mean - 0.72 * 2.0, 1.0) / 0.28
    silence = rng.exponential(long_mean)
    return np.where(irregular, np.where(burst, quick, silence), regular)


def order_days(rng: np.random.Generator, acc: pd.DataFrame, h: History, season: np.ndarray) -> pd.DataFrame:
    """One row per (account, order day): account position ``a`` and day index ``day``."""
    lam = np.sqrt(season)
    lam = lam / lam.mean()
    cum = np.concatenate([[0.0], np.cumsum(lam)])  # cum[d] = seasonal time at the start of day d
    ordering = np.flatnonzero(acc["start_day"].to_numpy() < h.days)
    sub = acc.iloc[ordering]
    per_year = sub["tier"].map(ORDERS_PER_YEAR) * (sub["size"] / sub["tier"].map(SIZE_MEDIAN)) ** 0.25
    mean_gap = 365.0 / np.clip(per_year.to_numpy(), 6.0, 160.0)
    first = sub["start_day"].to_numpy()
    stop = np.minimum(sub["loss_day"].to_numpy(), h.days)
    span = cum[stop] - cum[first]
    n_draw = np.ceil(span / mean_gap * 1.4 + 12).astype(int)
    rep = np.repeat(np.arange(len(sub)), n_draw)
    gaps = _gaps(rng, mean_gap[rep], sub["gap_cv"].to_numpy()[rep], sub["irregular"].to_numpy()[rep])
    offsets = np.repeat(np.cumsum(n_draw) - n_draw, n_draw)
    csum = np.cumsum(gaps)
    within = csum - np.repeat(csum[np.cumsum(n_draw) - n_draw] - gaps[np.cumsum(n_draw) - n_draw], n_draw)
    # the first order falls at a random phase of the first gap
    tau = cum[first][rep] + within - gaps[offsets] * rng.random(len(gaps))
    keep = tau < cum[stop][rep]
    day = np.searchsorted(cum, tau[keep], side="right") - 1
    out = pd.DataFrame({"a": ordering[rep[keep]], "day": day})
    return out.drop_duplicates(["a", "day"]).reset_index(drop=True)


def month_deals(rng: np.random.Generator, acc: pd.DataFrame, h: History) -> tuple[np.ndarray, np.ndarray]:
    """Price factor per account and month: deal months (more for price-driven accounts, and around the Spring
    Festival for everyone) cut the price; other months carry a small negotiated allowance."""
    months = h.month_starts()
    n, m = len(acc), len(months)
    ends = months + pd.offsets.MonthEnd(0)
    cny_month = np.zeros(m, dtype=bool)
    for year in range(months.min().year, months.max().year + 2):
        lo, hi = cny_date(year) - pd.Timedelta(days=21), cny_date(year) - pd.Timedelta(days=1)
        cny_month |= np.asarray((months <= hi) & (ends >= lo))
    prob = np.clip(acc["deal_prob"].to_numpy()[:, None] + 0.25 * cny_month[None, :], 0, 0.95)
    deal = rng.random((n, m)) < prob
    depth = acc["deal_depth"].to_numpy()[:, None] * rng.uniform(0.7, 1.3, (n, m))
    allowance = rng.uniform(0.0, 0.02, (n, m))
    return np.where(deal, 1.0 - depth, 1.0 - allowance), deal


def order_cases(
    rng: np.random.Generator,
    acc: pd.DataFrame,
    od: pd.DataFrame,
    h: History,
    season: np.ndarray,
    price_factor: np.ndarray,
    month_idx: np.ndarray,
) -> np.ndarray:
    """Cases per order: size / orders a year, x season^0.5, growth, deal response and noise; fading before a loss."""
    a, day = od["a"].to_numpy(), od["day"].to_numpy()
    n_orders = od.groupby("a")["day"].transform("size").to_numpy()
    years = (np.minimum(acc["loss_day"].to_numpy(), h.days) - acc["start_day"].to_numpy()) / 365.25
    per_year = n_orders / np.maximum(years[a], 0.08)
    base = acc["size"].to_numpy()[a] / np.maximum(per_year, 1.0)
    ref = h.days - 183
    trend = np.exp(acc["growth"].to_numpy()[a] * (day - ref) / 365.25)
    pf = price_factor[a, month_idx]
    response = pf ** (-acc["elasticity"].to_numpy()[a])
    loss = acc["loss_day"].to_numpy()[a]
    fade = np.where(loss <= h.days, np.clip(0.3 + 0.7 * (loss - day) / 90.0, 0.3, 1.0), 1.0)  # lost: buying dwindles
    noise = rng.lognormal(-0.03, 0.25, len(a))
    s = np.sqrt(season[day])
    return np.maximum(base * s / np.sqrt(season.mean()) * trend * response * fade * noise, 1.0)
