"""Cross-region diversion (串货) signals, score, flag and evidence (docs/METHODS.md §4.3).

Signals are aggregated in SQL per account, one query each (in :mod:`kam_core.queries.diversion_signals`):
S1 code scans, S3 sell-in vs reported sell-out by complete month with the month-end stock check, S4 quarter-end threshold chasing (from the
line facts), S5 price leakage, S6 outlets served from the capability assessments in force at the window start
and end, S7 ship-to mismatch. S2 (sell-in beyond capacity) and the growth half of S6 (volume vs the same
window last year, at or above the channel's p90, for accounts with enough tenure and last-year volume) use
the per-account totals. The rule hits make the score and the explanation; an IsolationForest rank on the
continuous signals (S3: the window's sell-in ÷ sell-out; S6: volume growth minus the change in outlets) only
orders accounts with equal rule scores. Nothing is penalised automatically: the
flag opens an investigation.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from kam_core.analytics.bulk import collector_paused
from kam_core.analytics.params import Params
from kam_core.analytics.window import Window
from kam_core.i18n.reasons import describe_evidence
from kam_core.vocab import DIVERSION_SIGNALS as SIGNALS


def complete_months(w: Window) -> list[tuple[str, str, dt.date, dt.date]]:
    """(month key, previous month key, first day, last day) of each calendar month wholly inside the window."""
    out = []
    for m in pd.period_range(w.start, w.end, freq="M"):
        first, last = m.start_time.date(), m.end_time.date()
        if w.start <= first and last <= w.end:
            out.append((str(m), str(m - 1), first, last))
    return out


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
    q = q.assign(
        cases=q["volume_cases"],
        late_cases=q["volume_cases"].where(late, 0.0),
        sales=q["net_sales"],
        late_sales=q["net_sales"].where(late, 0.0),
    )
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


def _s6_growth(f: pd.DataFrame, channel: pd.Series, p: Params) -> tuple[pd.Series, pd.Series]:
    """Volume growth vs the same window last year and its channel p90, among accounts old and big enough.

    Growth is only measured with ≥ ``s6_min_ly_cases`` cases last year and ≥ ``s6_min_tenure_years`` of
    tenure (docs/METHODS.md §4.3: S6 is noisy for new distributors, whose last year is a ramp-up)."""
    ly = f["ly_volume_cases"]
    ok = (ly >= p.s6_min_ly_cases) & (f["tenure_years"] >= p.s6_min_tenure_years)
    growth = (f["volume_cases"] / ly - 1).where(ok)
    p90 = growth.groupby(channel).transform("quantile", p.s6_growth_pct)
    return growth, p90


def compute_diversion_signals(frame: pd.DataFrame, params: Params | None = None) -> pd.DataFrame:
    """Continuous signal values per account from the fetched counts (NaN when not measurable).

    ``frame`` needs channel, volume_cases, outlets_served and the fetch_* columns (missing ones are NaN);
    S6 also reads ly_volume_cases and tenure_years.
    """
    p = params or Params()
    f = frame.reindex(
        columns=sorted(
            set(frame.columns)
            | {
                "n_scans",
                "n_scans_out",
                "n_shipto",
                "n_shipto_out",
                "n_below_floor",
                "s4_share",
                "outlets_served",
                "s3_ratio",
                "s3_months",
                "ly_volume_cases",
                "tenure_years",
                "s6_outlets_change",
            }
        )
    )
    out = pd.DataFrame(index=frame.index)
    out["n_scans"] = f["n_scans"].fillna(0)
    out["s1_share"] = f["n_scans_out"] / f["n_scans"].where(f["n_scans"] > 0)
    per_outlet = f["volume_cases"] / f["outlets_served"].where(f["outlets_served"] > 0)
    median = per_outlet.groupby(frame["channel"]).transform("median")
    out["s2_ratio"] = f["volume_cases"] / (f["outlets_served"] * median).where(median > 0)
    out["s2_new_account"] = f["tenure_years"] < p.s2_min_tenure_years  # a new account's first stock-up is no signal
    out["s3_ratio"] = f["s3_ratio"].astype(float)
    out["s3_months"] = f["s3_months"].fillna(0).astype(float)
    out["s4_share"] = f["s4_share"]
    out["s5_below_floor"] = f["n_below_floor"].fillna(0)
    growth, p90 = _s6_growth(f, frame["channel"], p)
    out["s6_growth"] = growth
    out["s6_growth_p90"] = p90
    out["s6_outlets_change"] = f["s6_outlets_change"].astype(float)
    out["s6_excess"] = growth - out["s6_outlets_change"]  # growth not matched by coverage (continuous S6)
    out["s7_share"] = f["n_shipto_out"] / f["n_shipto"].where(f["n_shipto"] > 0)
    return out


def _triggers(sig: pd.DataFrame, p: Params) -> pd.DataFrame:
    return (
        pd.DataFrame(
            {
                "S1": (sig["s1_share"] > p.s1_share) & (sig["n_scans"] >= p.s1_min_scans),
                "S2": (sig["s2_ratio"] > p.s2_ratio) & ~sig["s2_new_account"],
                "S3": sig["s3_ratio"].notna() & (sig["s3_months"] >= p.s3_months),
                "S4": sig["s4_share"] > p.s4_share,
                "S5": sig["s5_below_floor"] >= p.s5_checks,
                "S6": (
                    (sig["s6_growth"] > 0)
                    & (sig["s6_growth"] >= sig["s6_growth_p90"])
                    & (sig["s6_outlets_change"].abs() <= p.s6_flat)
                ),
                "S7": sig["s7_share"] > p.s7_share,
            },
            index=sig.index,
        )
        .fillna(False)
        .astype(bool)
    )


def evidence_items(sig: pd.DataFrame, hits: pd.DataFrame) -> list[list[dict]]:
    """Per account, one structured item per triggered signal (in :data:`SIGNALS` order): the signal code and
    the numbers behind it, e.g. ``{"signal": "S1", "share": 0.3, "scans": 100}``, ``{"signal": "S3",
    "in_out": 1.31, "months": 3}`` or ``{"signal": "S6", "growth": 0.8, "outlets": 0.02}``."""
    h = hits[list(SIGNALS)].to_numpy(dtype=bool)
    col = {
        c: sig[c].to_numpy(dtype=float)
        for c in (
            "s1_share",
            "n_scans",
            "s2_ratio",
            "s3_ratio",
            "s3_months",
            "s4_share",
            "s5_below_floor",
            "s6_growth",
            "s6_outlets_change",
            "s7_share",
        )
    }
    make = {
        "S1": lambda i: {"signal": "S1", "share": float(col["s1_share"][i]), "scans": int(col["n_scans"][i])},
        "S2": lambda i: {"signal": "S2", "ratio": float(col["s2_ratio"][i])},
        "S3": lambda i: {"signal": "S3", "in_out": float(col["s3_ratio"][i]), "months": int(col["s3_months"][i])},
        "S4": lambda i: {"signal": "S4", "share": float(col["s4_share"][i])},
        "S5": lambda i: {"signal": "S5", "checks": int(col["s5_below_floor"][i])},
        "S6": lambda i: {
            "signal": "S6",
            "growth": float(col["s6_growth"][i]),
            "outlets": float(col["s6_outlets_change"][i]),
        },
        "S7": lambda i: {"signal": "S7", "share": float(col["s7_share"][i])},
    }
    out: list[list[dict]] = [[] for _ in range(len(sig))]
    for i in np.flatnonzero(h.any(axis=1)).tolist():
        out[i] = [make[s](i) for s, hit in zip(SIGNALS, h[i].tolist(), strict=True) if hit]
    return out


def _anomaly_rank(sig: pd.DataFrame, channel: pd.Series) -> pd.Series:
    """IsolationForest rank (0 = most normal, 1 = most anomalous) within channel; for ordering only."""
    from sklearn.ensemble import IsolationForest

    cols = ["s1_share", "s2_ratio", "s3_ratio", "s4_share", "s5_below_floor", "s6_excess", "s7_share"]
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
        One row per account with channel, volume_cases, outlets_served and the signal counts; for S3
        ``s3_ratio``/``s3_months`` (:func:`~kam_core.queries.diversion_signals.fetch_sellout_signal`), for S6
        ly_volume_cases, tenure_years and ``s6_outlets_change``
        (:func:`~kam_core.queries.diversion_signals.fetch_capability_signal`). Missing columns leave their signal
        untriggered.
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
    sig = compute_diversion_signals(frame, params)
    hits = _triggers(sig, params)
    weights = dict(params.diversion_weights)
    rule = sum(hits[s].astype(float) * weights.get(s, 1.0) for s in SIGNALS)
    anomaly = _anomaly_rank(sig, frame["channel"]).clip(upper=0.999)
    out = sig.copy()
    out["diversion_signals"] = hits.sum(axis=1).astype(int)
    out["diversion_score"] = (rule + anomaly).round(3)
    out["diversion_flag"] = out["diversion_signals"] >= params.diversion_min_signals
    with collector_paused():  # two lists per account
        items = evidence_items(sig, hits)
        out["diversion_evidence_items"] = items
        out["diversion_evidence"] = [describe_evidence(its, "en") if its else [] for its in items]
    return out
