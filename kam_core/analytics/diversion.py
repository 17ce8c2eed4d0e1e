"""Cross-region diversion (串货) signals, score, flag and evidence (docs/METHODS.md §4.3).

Signals are aggregated in SQL per account, one query each: S1 code scans, S3 sell-in vs reported
sell-out by complete month with the month-end stock check, S4 quarter-end threshold chasing (from the
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
from sqlalchemy import Connection, Float, String, and_, case, cast, exists, func, literal, or_, select, union_all

from kam_core.analytics import case_units
from kam_core.analytics.bulk import collector_paused
from kam_core.analytics.metrics import _frame
from kam_core.analytics.params import Params
from kam_core.analytics.sqlfn import authorised_regions, day_number, has_territory, month_key
from kam_core.analytics.window import Window
from kam_core.db.schema import (
    account,
    account_capability,
    code_scan,
    inventory_snapshot,
    market_price_check,
    order_day,
    order_header,
    order_line,
    price_list,
    product,
    rebate_enrollment,
    rebate_program,
    rebate_tier,
    sellout,
)
from kam_core.i18n import t

SIGNALS = ("S1", "S2", "S3", "S4", "S5", "S6", "S7")


def fetch_scan_signal(conn: Connection, w: Window) -> pd.DataFrame:
    """S1: terminal/consumer code scans of the account's goods and how many were outside its territory."""
    cs, auth = code_scan, authorised_regions()
    t0 = dt.datetime.combine(w.start, dt.time())
    t1 = dt.datetime.combine(w.end + dt.timedelta(days=1), dt.time())
    outside = and_(cs.c.scan_region_id.is_not(None), auth.c.region_id.is_(None))
    stmt = (
        select(
            cs.c.shipped_account_id.label("account_id"),
            func.count().label("n_scans"),
            func.sum(case((outside, 1), else_=0)).label("n_scans_out"),
        )
        .select_from(
            cs.outerjoin(
                auth, and_(auth.c.account_id == cs.c.shipped_account_id, auth.c.region_id == cs.c.scan_region_id)
            )
        )
        .where(
            cs.c.scan_type.in_(("terminal", "consumer")),
            cs.c.scan_time >= t0,
            cs.c.scan_time < t1,
            has_territory(cs.c.shipped_account_id),
        )
        .group_by(cs.c.shipped_account_id)
    )
    return _frame(conn, stmt)


def fetch_shipto_signal(conn: Connection, w: Window) -> pd.DataFrame:
    """S7: orders with a ship-to region and how many were outside the authorised territory."""
    oh, auth = order_header, authorised_regions()
    stmt = (
        select(
            oh.c.account_id,
            func.count().label("n_shipto"),
            func.sum(case((auth.c.region_id.is_(None), 1), else_=0)).label("n_shipto_out"),
        )
        .select_from(
            oh.outerjoin(auth, and_(auth.c.account_id == oh.c.account_id, auth.c.region_id == oh.c.ship_to_region_id))
        )
        .where(
            oh.c.order_date.between(w.start, w.end), oh.c.ship_to_region_id.is_not(None), has_territory(oh.c.account_id)
        )
        .group_by(oh.c.account_id)
    )
    return _frame(conn, stmt)


def fetch_price_signal(conn: Connection, w: Window) -> pd.DataFrame:
    """S5: market price checks traced to the account with an observed price below the floor price."""
    mpc = market_price_check
    below = exists(
        select(literal(1)).where(
            and_(
                price_list.c.sku_id == mpc.c.sku_id,
                price_list.c.tier_code == account.c.tier_code,
                price_list.c.valid_from <= mpc.c.check_date,
                or_(price_list.c.valid_to.is_(None), price_list.c.valid_to >= mpc.c.check_date),
                mpc.c.observed_price < price_list.c.floor_price,
            )
        )
    )
    stmt = (
        select(
            mpc.c.traced_account_id.label("account_id"),
            func.count().label("n_price_checks"),
            func.sum(case((below, 1), else_=0)).label("n_below_floor"),
        )
        .select_from(mpc.join(account, account.c.account_id == mpc.c.traced_account_id))
        .where(mpc.c.check_date.between(w.start, w.end))
        .group_by(mpc.c.traced_account_id)
    )
    return _frame(conn, stmt)


def complete_months(w: Window) -> list[tuple[str, str, dt.date, dt.date]]:
    """(month key, previous month key, first day, last day) of each calendar month wholly inside the window."""
    out = []
    for m in pd.period_range(w.start, w.end, freq="M"):
        first, last = m.start_time.date(), m.end_time.date()
        if w.start <= first and last <= w.end:
            out.append((str(m), str(m - 1), first, last))
    return out


def _month_table(months: list[tuple[str, str, dt.date, dt.date]]):
    """The window's complete months as a small inline table (m, prev), portable to every dialect."""
    rows = [
        select(cast(literal(m), String(7)).label("m"), cast(literal(prev), String(7)).label("prev"))
        for m, prev, _, _ in months
    ]
    return union_all(*rows).subquery("win_month") if len(rows) > 1 else rows[0].subquery("win_month")


def fetch_sellout_signal(conn: Connection, w: Window, ratio: float, from_days: bool = False) -> pd.DataFrame:
    """S3: sell-in vs reported sell-out per complete month of the window, with the month-end stock check.

    One statement. Per account and month with reported sell-out (``sellout``, > 0 cases): sell-in = cases on
    the order lines of the month (returns netted, service SKUs excluded); stock build = rise of the month-end
    stock (``inventory_snapshot``: each SKU's last snapshot of the month, summed) over the previous month-end,
    0 when either month-end is missing or stock fell. A month counts (``s3_months``) when the sell-in not
    explained by the stock build still exceeds ``ratio`` × sell-out: (sell-in − stock build) > ratio × sell-out.
    ``s3_ratio`` is the window's sell-in ÷ sell-out over the reported months; ``s3_report_months`` counts them.
    Accounts that report no sell-out get no row.
    """
    months = complete_months(w)
    if not months:
        return pd.DataFrame(columns=["s3_ratio", "s3_months", "s3_report_months"]).rename_axis("account_id")
    first, last = months[0][2], months[-1][3]
    before = (pd.Timestamp(first) - pd.DateOffset(months=1)).date()
    wm = _month_table(months)
    so_m = month_key(sellout.c.period)
    so = (
        select(sellout.c.account_id, so_m.label("m"), func.sum(sellout.c.qty_cases).label("qty"))
        .where(sellout.c.period.between(first, last))
        .group_by(sellout.c.account_id, so_m)
        .subquery("so")
    )
    reporters = select(sellout.c.account_id).where(sellout.c.period.between(first, last)).distinct()
    if from_days:  # the per-day pre-aggregate's cases are the same non-service lines' quantities
        d = order_day.c.order_date
        si_m = month_key(d)
        si = (
            select(order_day.c.account_id, si_m.label("m"), func.sum(order_day.c.volume_cases).label("qty"))
            .where(d.between(first, last), order_day.c.lines > 0, order_day.c.account_id.in_(reporters))
            .group_by(order_day.c.account_id, si_m)
            .subquery("si")
        )
    else:
        d = order_header.c.order_date
        si_m = month_key(d)
        si = (
            select(
                order_header.c.account_id,
                si_m.label("m"),
                func.sum(order_line.c.qty_cases * case_units.case_factor_sql()).label("qty"),
            )
            .select_from(
                order_line.join(order_header, order_header.c.order_id == order_line.c.order_id).join(
                    product, product.c.sku_id == order_line.c.sku_id
                )
            )
            .where(
                d.between(first, last), product.c.is_service.is_(False), order_header.c.account_id.in_(reporters)
            )  # only accounts that report sell-out
            .group_by(order_header.c.account_id, si_m)
            .subquery("si")
        )
    inv = inventory_snapshot
    inv_m = month_key(inv.c.snap_date)
    latest = (
        select(
            inv.c.account_id,
            inv_m.label("m"),
            inv.c.qty_cases,
            func.row_number()
            .over(partition_by=(inv.c.account_id, inv.c.sku_id, inv_m), order_by=inv.c.snap_date.desc())
            .label("rn"),
        )
        .where(inv.c.snap_date.between(before, last))
        .subquery("inv_latest")
    )
    stock = (
        select(latest.c.account_id, latest.c.m, func.sum(latest.c.qty_cases).label("qty"))
        .where(latest.c.rn == 1)
        .group_by(latest.c.account_id, latest.c.m)
        .subquery("stock")
    )
    prev = stock.alias("stock_prev")
    rise = stock.c.qty - prev.c.qty
    build = case((rise > 0, rise), else_=0.0)  # NULL (a month-end missing) → no stock build
    sell_in = func.coalesce(si.c.qty, 0.0)
    per_month = (
        select(
            so.c.account_id,
            so.c.qty.label("sell_out"),
            sell_in.label("sell_in"),
            case(((sell_in - func.coalesce(build, 0.0)) > ratio * so.c.qty, 1), else_=0).label("hit"),
        )
        .select_from(
            so.join(wm, wm.c.m == so.c.m)
            .outerjoin(si, and_(si.c.account_id == so.c.account_id, si.c.m == so.c.m))
            .outerjoin(stock, and_(stock.c.account_id == so.c.account_id, stock.c.m == so.c.m))
            .outerjoin(prev, and_(prev.c.account_id == so.c.account_id, prev.c.m == wm.c.prev))
        )
        .where(so.c.qty > 0)
        .subquery("s3_month")
    )
    pm = per_month.c
    stmt = select(
        pm.account_id,
        (func.sum(pm.sell_in) / func.sum(pm.sell_out)).label("s3_ratio"),
        func.sum(pm.hit).label("s3_months"),
        func.count().label("s3_report_months"),
    ).group_by(pm.account_id)
    out = _frame(conn, stmt)
    out["s3_ratio"] = out["s3_ratio"].astype(float)
    return out


def fetch_capability_signal(conn: Connection, w: Window) -> pd.DataFrame:
    """S6 coverage: outlets served (terminals + sub-distributors) by the capability assessments in force at the
    window start and at its end.

    The start uses the latest assessment on or before the window start (else the first one in the window, as
    for a distributor onboarded during it); the end uses the latest on or before the window end (later ones
    are ignored). ``s6_outlets_change`` = outlets at the end ÷ outlets at the start − 1, NaN when both are the
    same assessment (no history) or the start count is 0.
    """
    cap = account_capability
    outlets = func.coalesce(cap.c.terminals, 0) + func.coalesce(cap.c.sub_distributors, 0)
    dn = day_number(cap.c.assessed_on)
    after_start = cap.c.assessed_on > w.start
    ranked = (
        select(
            cap.c.account_id,
            dn.label("day"),
            cast(outlets, Float).label("outlets"),
            func.row_number()
            .over(
                partition_by=cap.c.account_id,
                order_by=(case((after_start, 1), else_=0), case((after_start, dn), else_=-dn)),
            )
            .label("rs"),
            func.row_number().over(partition_by=cap.c.account_id, order_by=dn.desc()).label("re"),
        )
        .where(cap.c.assessed_on <= w.end, or_(cap.c.terminals.is_not(None), cap.c.sub_distributors.is_not(None)))
        .subquery("cap_ranked")
    )
    r = ranked.c
    ends = (
        select(
            r.account_id,
            func.max(case((r.rs == 1, r.outlets), else_=None)).label("s6_outlets_start"),
            func.max(case((r.re == 1, r.outlets), else_=None)).label("s6_outlets_end"),
            func.max(case((r.rs == 1, r.day), else_=None)).label("day_start"),
            func.max(case((r.re == 1, r.day), else_=None)).label("day_end"),
        )
        .where(or_(r.rs == 1, r.re == 1))
        .group_by(r.account_id)
        .subquery("cap_ends")
    )
    e = ends.c
    change = case(
        (and_(e.day_end > e.day_start, e.s6_outlets_start > 0), e.s6_outlets_end / e.s6_outlets_start - 1.0), else_=None
    )
    stmt = select(e.account_id, e.s6_outlets_start, e.s6_outlets_end, change.label("s6_outlets_change"))
    return _frame(conn, stmt).astype(float)


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
    stmt = (
        select(rebate_enrollment.c.account_id, rebate_program.c.basis, rebate_tier.c.lower_bound)
        .select_from(
            rebate_enrollment.join(rebate_program, rebate_program.c.program_id == rebate_enrollment.c.program_id).join(
                rebate_tier, rebate_tier.c.program_id == rebate_program.c.program_id
            )
        )
        .where(
            rebate_program.c.period == "quarter",
            rebate_tier.c.lower_bound > 0,
            rebate_program.c.valid_from <= w.end,
            rebate_program.c.valid_to >= w.start,
        )
    )
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


# how each number of an evidence item is written (anything else: a whole number)
_FORMATS = {"ratio": "{:.1f}", "in_out": "{:.2f}", "share": "{:.0%}", "growth": "{:+.0%}", "outlets": "{:+.0%}"}


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
        fields = {k: _FORMATS[k].format(v) if k in _FORMATS else f"{int(v)}" for k, v in item.items() if k != "signal"}
        out.append(templates[item["signal"]].format(**fields))
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
        ``s3_ratio``/``s3_months`` (:func:`fetch_sellout_signal`), for S6 ly_volume_cases, tenure_years and
        ``s6_outlets_change`` (:func:`fetch_capability_signal`). Missing columns leave their signal untriggered.
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
