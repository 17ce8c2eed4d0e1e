"""Cross-region diversion (串货) signals, score, flag and evidence (METHODS.md §4.3).

Signals are computed in SQL per account (S1 code scans, S4 quarter-end threshold chasing, S5 price
leakage, S7 ship-to mismatch); S2 (sell-in beyond capacity) uses the per-account volume. The rule hits
make the score and the explanation; an IsolationForest rank on the continuous signals only orders
accounts with equal rule scores. Nothing is penalised automatically: the flag opens an investigation.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Connection, and_, case, exists, func, literal, not_, or_, select

from kam_core.analytics.metrics import _frame
from kam_core.analytics.params import Params
from kam_core.analytics.sqlfn import has_territory, within_territory
from kam_core.analytics.window import Window
from kam_core.db.schema import (
    account,
    code_scan,
    market_price_check,
    order_header,
    price_list,
    rebate_enrollment,
    rebate_program,
    rebate_tier,
)
from kam_core.i18n import t

SIGNALS = ("S1", "S2", "S4", "S5", "S7")


def fetch_scan_signal(conn: Connection, w: Window) -> pd.DataFrame:
    """S1: terminal/consumer code scans of the account's goods and how many were outside its territory."""
    cs = code_scan
    t0 = dt.datetime.combine(w.start, dt.time())
    t1 = dt.datetime.combine(w.end + dt.timedelta(days=1), dt.time())
    outside = and_(cs.c.scan_region_id.is_not(None), not_(within_territory(cs.c.shipped_account_id, cs.c.scan_region_id)))
    stmt = (select(cs.c.shipped_account_id.label("account_id"), func.count().label("n_scans"),
                   func.sum(case((outside, 1), else_=0)).label("n_scans_out"))
            .where(cs.c.scan_type.in_(("terminal", "consumer")), cs.c.scan_time >= t0, cs.c.scan_time < t1,
                   has_territory(cs.c.shipped_account_id))
            .group_by(cs.c.shipped_account_id))
    return _frame(conn, stmt)


def fetch_shipto_signal(conn: Connection, w: Window) -> pd.DataFrame:
    """S7: orders with a ship-to region and how many were outside the authorised territory."""
    oh = order_header
    outside = not_(within_territory(oh.c.account_id, oh.c.ship_to_region_id))
    stmt = (select(oh.c.account_id, func.count().label("n_shipto"),
                   func.sum(case((outside, 1), else_=0)).label("n_shipto_out"))
            .where(oh.c.order_date.between(w.start, w.end), oh.c.ship_to_region_id.is_not(None),
                   has_territory(oh.c.account_id))
            .group_by(oh.c.account_id))
    return _frame(conn, stmt)


def fetch_price_signal(conn: Connection, w: Window) -> pd.DataFrame:
    """S5: market price checks traced to the account with an observed price below the floor price."""
    mpc = market_price_check
    below = exists(select(literal(1)).where(and_(
        price_list.c.sku_id == mpc.c.sku_id, price_list.c.tier_code == account.c.tier_code,
        price_list.c.valid_from <= mpc.c.check_date,
        or_(price_list.c.valid_to.is_(None), price_list.c.valid_to >= mpc.c.check_date),
        mpc.c.observed_price < price_list.c.floor_price)))
    stmt = (select(mpc.c.traced_account_id.label("account_id"), func.count().label("n_price_checks"),
                   func.sum(case((below, 1), else_=0)).label("n_below_floor"))
            .select_from(mpc.join(account, account.c.account_id == mpc.c.traced_account_id))
            .where(mpc.c.check_date.between(w.start, w.end)).group_by(mpc.c.traced_account_id))
    return _frame(conn, stmt)


def quarters(w: Window) -> list[tuple[str, dt.date, dt.date]]:
    """Quarters whose end falls inside the window (complete rebate periods)."""
    out = []
    for q in pd.period_range(w.start, w.end, freq="Q"):
        start, end = q.start_time.date(), q.end_time.date()
        if w.start <= end <= w.end:
            out.append((str(q), start, end))
    return out


def late_ranges(w: Window, days: int = 10) -> list[tuple[dt.date, dt.date]]:
    """The last ``days`` days of each complete quarter in the window."""
    return [(e - dt.timedelta(days=days - 1), e) for _, _, e in quarters(w)]


def fetch_rebate_thresholds(conn: Connection, w: Window) -> pd.DataFrame:
    """Lower bounds (> 0) of the quarterly rebate tiers each account is enrolled in."""
    stmt = (select(rebate_enrollment.c.account_id, rebate_program.c.basis, rebate_tier.c.lower_bound)
            .select_from(rebate_enrollment.join(rebate_program, rebate_program.c.program_id ==
                                                rebate_enrollment.c.program_id)
                         .join(rebate_tier, rebate_tier.c.program_id == rebate_program.c.program_id))
            .where(rebate_program.c.period == "quarter", rebate_tier.c.lower_bound > 0,
                   rebate_program.c.valid_from <= w.end, rebate_program.c.valid_to >= w.start))
    return _frame(conn, stmt, index=None)


def compute_quarter_chasing(cur: pd.DataFrame, thresholds: pd.DataFrame, w: Window) -> pd.DataFrame:
    """S4: mean share of a quarter's cases bought in its last 10 days, over quarters where a tier was crossed.

    ``cur`` are the window's line facts (account_id, month, late, volume_cases, net_sales).
    """
    keys = {k for k, _, _ in quarters(w)}
    if cur.empty or not keys:
        return _chasing_from_frames(pd.DataFrame(), thresholds)
    q = cur.assign(quarter=pd.PeriodIndex(cur["month"], freq="M").asfreq("Q").astype(str))
    q = q[q["quarter"].isin(keys)]
    late = q["late"].astype(int) == 1
    q = q.assign(cases=q["volume_cases"], late_cases=q["volume_cases"].where(late, 0.0), sales=q["net_sales"],
                 late_sales=q["net_sales"].where(late, 0.0))
    per_q = q.groupby(["account_id", "quarter"], as_index=False)[["cases", "late_cases", "sales", "late_sales"]].sum()
    return _chasing_from_frames(per_q, thresholds)


def _chasing_from_frames(per_q: pd.DataFrame, tiers: pd.DataFrame) -> pd.DataFrame:
    if per_q.empty or tiers.empty:
        return pd.DataFrame(columns=["s4_share", "s4_quarters"]).rename_axis("account_id")
    m = per_q.dropna(subset=["quarter"]).merge(tiers, on="account_id")
    total = np.where(m["basis"] == "net_sales", m["sales"], m["cases"]).astype(float)
    late = np.where(m["basis"] == "net_sales", m["late_sales"], m["late_cases"]).astype(float)
    m["crossed"] = (total - late < m["lower_bound"]) & (m["lower_bound"] <= total)
    crossed = m[m["crossed"]].drop_duplicates(["account_id", "quarter"])
    crossed = crossed.assign(share=crossed["late_cases"] / crossed["cases"].where(crossed["cases"] > 0))
    out = crossed.groupby("account_id").agg(s4_share=("share", "mean"), s4_quarters=("quarter", "nunique"))
    enrolled = pd.Index(m["account_id"].unique(), name="account_id")
    out = out.reindex(enrolled)
    out["s4_share"] = out["s4_share"].fillna(0.0)
    out["s4_quarters"] = out["s4_quarters"].fillna(0).astype(int)
    return out


def compute_diversion_signals(frame: pd.DataFrame) -> pd.DataFrame:
    """Continuous signal values per account from the fetched counts (NaN when not measurable).

    ``frame`` needs channel, volume_cases, outlets_served and the fetch_* columns (missing ones are NaN).
    """
    f = frame.reindex(columns=sorted(set(frame.columns) | {"n_scans", "n_scans_out", "n_shipto", "n_shipto_out",
                                                          "n_below_floor", "s4_share", "outlets_served"}))
    out = pd.DataFrame(index=frame.index)
    out["n_scans"] = f["n_scans"].fillna(0)
    out["s1_share"] = f["n_scans_out"] / f["n_scans"].where(f["n_scans"] > 0)
    per_outlet = f["volume_cases"] / f["outlets_served"].where(f["outlets_served"] > 0)
    median = per_outlet.groupby(frame["channel"]).transform("median")
    out["s2_ratio"] = f["volume_cases"] / (f["outlets_served"] * median).where(median > 0)
    out["s4_share"] = f["s4_share"]
    out["s5_below_floor"] = f["n_below_floor"].fillna(0)
    out["s7_share"] = f["n_shipto_out"] / f["n_shipto"].where(f["n_shipto"] > 0)
    return out


def _triggers(sig: pd.DataFrame, p: Params) -> pd.DataFrame:
    return pd.DataFrame({
        "S1": (sig["s1_share"] > p.s1_share) & (sig["n_scans"] >= p.s1_min_scans),
        "S2": sig["s2_ratio"] > p.s2_ratio,
        "S4": sig["s4_share"] > p.s4_share,
        "S5": sig["s5_below_floor"] >= p.s5_checks,
        "S7": sig["s7_share"] > p.s7_share,
    }, index=sig.index).fillna(False).astype(bool)


def evidence_items(sig: pd.DataFrame, hits: pd.DataFrame) -> list[list[dict]]:
    """Per account, one structured item per triggered signal (S1, S2, S4, S5, S7 order): the signal code and
    the numbers behind it, e.g. ``{"signal": "S1", "share": 0.3, "scans": 100}``."""
    h = hits[list(SIGNALS)].to_numpy(dtype=bool)
    col = {c: sig[c].to_numpy(dtype=float) for c in ("s1_share", "n_scans", "s2_ratio", "s4_share",
                                                     "s5_below_floor", "s7_share")}
    make = {
        "S1": lambda i: {"signal": "S1", "share": float(col["s1_share"][i]), "scans": int(col["n_scans"][i])},
        "S2": lambda i: {"signal": "S2", "ratio": float(col["s2_ratio"][i])},
        "S4": lambda i: {"signal": "S4", "share": float(col["s4_share"][i])},
        "S5": lambda i: {"signal": "S5", "checks": int(col["s5_below_floor"][i])},
        "S7": lambda i: {"signal": "S7", "share": float(col["s7_share"][i])},
    }
    out: list[list[dict]] = [[] for _ in range(len(sig))]
    for i in np.flatnonzero(h.any(axis=1)).tolist():
        out[i] = [make[s](i) for s, hit in zip(SIGNALS, h[i].tolist(), strict=True) if hit]
    return out


def describe_evidence(items: object, lang: str = "zh") -> list[str]:
    """Diversion evidence items (``diversion_evidence_items``) as sentences in ``lang`` (zh or en).

    Examples
    --------
    >>> describe_evidence([{"signal": "S7", "share": 0.5}], "en")
    ['S7 50% of orders shipped outside the authorised territory']
    """
    if not isinstance(items, list | tuple):
        return []
    templates = {s: t(f"analytics.diversion.{s}", lang) for s in SIGNALS}
    out = []
    for item in items:
        if not isinstance(item, dict) or item.get("signal") not in templates:
            continue
        fields = {k: (f"{v:.1f}" if k == "ratio" else f"{v:.0%}" if k == "share" else f"{int(v)}")
                  for k, v in item.items() if k != "signal"}
        out.append(templates[item["signal"]].format(**fields))
    return out


def _anomaly_rank(sig: pd.DataFrame, channel: pd.Series) -> pd.Series:
    """IsolationForest rank (0 = most normal, 1 = most anomalous) within channel; for ordering only."""
    from sklearn.ensemble import IsolationForest

    cols = ["s1_share", "s2_ratio", "s4_share", "s5_below_floor", "s7_share"]
    rank = pd.Series(0.0, index=sig.index)
    for _, idx in channel.groupby(channel).groups.items():
        ids = sorted(idx, key=str)  # fit on a fixed row order: the result must not depend on input order
        x = sig.loc[ids, cols].fillna(0.0).to_numpy(dtype=float)
        if len(ids) < 20 or not np.isfinite(x).all():
            continue
        forest = IsolationForest(contamination="auto", random_state=0).fit(x)
        rank.loc[ids] = pd.Series(-forest.decision_function(x), index=ids).rank(pct=True)
    return rank


def flag_diversion(frame: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Diversion score, flag and evidence per account.

    Parameters
    ----------
    frame
        One row per account with channel, volume_cases, outlets_served and the signal counts.
    params
        Trigger thresholds, weights and the minimum number of signals for the flag.

    Returns
    -------
    DataFrame
        ``diversion_score`` (Σ weights of triggered signals + anomaly rank in [0, 1) for ordering),
        ``diversion_signals`` (count), ``diversion_flag``, ``diversion_evidence`` (list of English sentences,
        one per triggered signal) and ``diversion_evidence_items`` (the same as structured items, for
        :func:`describe_evidence` in the reader's language), plus the continuous signal columns.
    """
    sig = compute_diversion_signals(frame)
    hits = _triggers(sig, params)
    weights = dict(params.diversion_weights)
    rule = sum(hits[s].astype(float) * weights.get(s, 1.0) for s in SIGNALS)
    anomaly = _anomaly_rank(sig, frame["channel"]).clip(upper=0.999)
    out = sig.copy()
    out["diversion_signals"] = hits.sum(axis=1).astype(int)
    out["diversion_score"] = (rule + anomaly).round(3)
    out["diversion_flag"] = out["diversion_signals"] >= params.diversion_min_signals
    items = evidence_items(sig, hits)
    out["diversion_evidence_items"] = items
    out["diversion_evidence"] = [describe_evidence(its, "en") if its else [] for its in items]
    return out
