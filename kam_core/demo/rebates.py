"""Rebate programs, tiers, enrolments and settlements: quarterly retro-tiered schemes for distributors and
wholesalers (interim payments each quarter, an annual true-up), an annual growth rebate for distributors
and KA, and a per-case rebate for on-premise accounts under contract."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kam_core.demo.programs import QUARTER_TIERS
from kam_core.demo.season import History, quarter_ends

GROWTH_TIERS = ([0.05, 0.15, 0.30], [0.5, 1.0, 1.5])  # growth vs last year -> % of net sales
ONPREM_PER_CASE = 4.0


def programs_and_tiers(h: History) -> tuple[pd.DataFrame, pd.DataFrame]:
    start = h.start.to_period("Q").start_time
    stop = pd.Timestamp(year=h.end.year, month=12, day=31)
    progs = pd.DataFrame(
        [
            dict(
                program_id="RB-DIST-Q",
                name="一批商季度阶梯返利 / Distributor quarterly tiered rebate",
                type="retro_tiered",
                basis="cases",
                period="quarter",
                payout_form="credit_note",
                tier_code="DIST",
            ),
            dict(
                program_id="RB-WHS2-Q",
                name="二批商季度阶梯返利 / Wholesaler quarterly tiered rebate",
                type="retro_tiered",
                basis="cases",
                period="quarter",
                payout_form="credit_note",
                tier_code="WHS2",
            ),
            dict(
                program_id="RB-GROW-Y",
                name="年度增长奖励 / Annual growth bonus",
                type="growth",
                basis="net_sales",
                period="year",
                payout_form="cash",
                tier_code=None,
                growth_base="ly_same_period",
            ),
            dict(
                program_id="RB-ONP-PC",
                name="餐饮专场每箱奖励 / On-premise exclusive per-case rebate",
                type="per_case",
                basis="cases",
                period="quarter",
                payout_form="free_goods",
                tier_code="ONPREM",
            ),
        ]
    )
    progs["valid_from"], progs["valid_to"] = start, stop
    rows = []
    for pid, tier in (("RB-DIST-Q", "DIST"), ("RB-WHS2-Q", "WHS2")):
        bounds, rates = QUARTER_TIERS[tier]
        for k, (lo, r) in enumerate(zip(bounds, rates, strict=True), start=1):
            up = bounds[k] if k < len(bounds) else None
            rows.append(
                dict(program_id=pid, tier_no=k, lower_bound=float(lo), upper_bound=up, rate=r, rate_unit="per_case")
            )
    for k, (growth, r) in enumerate(zip(*GROWTH_TIERS, strict=True), start=1):
        rows.append(
            dict(program_id="RB-GROW-Y", tier_no=k, lower_bound=growth, upper_bound=None, rate=r, rate_unit="pct")
        )
    rows.append(
        dict(
            program_id="RB-ONP-PC",
            tier_no=1,
            lower_bound=0.0,
            upper_bound=None,
            rate=ONPREM_PER_CASE,
            rate_unit="per_case",
        )
    )
    return progs, pd.DataFrame(rows)


def enrolments(acc: pd.DataFrame, h: History) -> pd.DataFrame:
    ordering = (acc["start_day"] < h.days).to_numpy()
    tier = acc["tier"].to_numpy()
    parts = []
    for pid, mask, target in (
        ("RB-DIST-Q", tier == "DIST", 0.28),
        ("RB-WHS2-Q", tier == "WHS2", 0.28),
        ("RB-GROW-Y", np.isin(tier, ["DIST", "KA"]), None),
        ("RB-ONP-PC", (tier == "ONPREM") & acc["exclusive"].to_numpy(), None),
    ):
        sel = acc[mask & ordering]
        parts.append(
            pd.DataFrame(
                {
                    "program_id": pid,
                    "account_id": sel["account_id"],
                    "target_basis": np.round(sel["size"] * target, 0) if target else np.nan,
                    "base_basis_ly": np.round(sel["size"] * 45.0, -2) if pid == "RB-GROW-Y" else np.nan,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _retro(basis: np.ndarray, bounds: Sequence[float], rates: Sequence[float], scale: float = 1.0) -> np.ndarray:
    b = np.asarray(bounds) * scale
    k = np.searchsorted(b, basis, side="right") - 1
    rate = np.where(k >= 0, np.asarray(rates)[np.maximum(k, 0)], 0.0)
    return np.round(rate * basis, 2)


def settlements(
    acc: pd.DataFrame,
    line_account: np.ndarray,
    line_day: np.ndarray,
    qty: np.ndarray,
    value: np.ndarray,
    enrol: pd.DataFrame,
    h: History,
) -> pd.DataFrame:
    """Settle every complete quarter (interim) and complete year (true-up: what the annual tiers pay beyond the
    interim payments); growth bonuses for complete years with a complete year before; per-case quarterly."""
    dates = h.start + pd.to_timedelta(line_day, unit="D")
    q = pd.DataFrame(
        {
            "account_id": acc["account_id"].to_numpy()[line_account],
            "quarter": dates.to_period("Q"),
            "year": dates.year,
            "qty": qty,
            "value": value,
        }
    )
    complete_q = {p for p in quarter_ends(h).to_period("Q") if p.start_time >= h.start}
    by_q = q.groupby(["account_id", "quarter"], as_index=False)[["qty", "value"]].sum()
    by_q = by_q[by_q["quarter"].isin(complete_q)]
    out = []
    for pid, tier in (("RB-DIST-Q", "DIST"), ("RB-WHS2-Q", "WHS2"), ("RB-ONP-PC", None)):
        members = enrol.loc[enrol["program_id"] == pid, "account_id"]
        s = by_q[by_q["account_id"].isin(members)].copy()
        s["rebate"] = (
            _retro(s["qty"].to_numpy(), *QUARTER_TIERS[tier])
            if tier
            else np.round(np.maximum(s["qty"], 0) * ONPREM_PER_CASE, 2)
        )
        out.append(
            pd.DataFrame(
                {
                    "program_id": pid,
                    "account_id": s["account_id"],
                    "period": s["quarter"].astype(str),
                    "actual_basis": s["qty"],
                    "actual_rebate": s["rebate"],
                    "paid_date": s["quarter"].dt.end_time.dt.normalize() + pd.Timedelta(days=25),
                    "interim": tier is not None,
                }
            )
        )
        if tier:
            out.append(_true_up(pid, tier, s, h))
    out.append(_growth(q, enrol, h))
    res = pd.concat([o for o in out if len(o)], ignore_index=True)
    res["paid_date"] = res["paid_date"].where(res["paid_date"] <= h.end)
    res["form"] = res["program_id"].map({"RB-GROW-Y": "cash", "RB-ONP-PC": "free_goods"}).fillna("credit_note")
    return res.sort_values(["program_id", "period", "account_id"], kind="mergesort").reset_index(drop=True)


def _true_up(pid: str, tier: str, s: pd.DataFrame, h: History) -> pd.DataFrame:
    s = s.assign(year=s["quarter"].dt.year)
    years = [
        y for y in s["year"].unique() if pd.Timestamp(f"{y}-01-01") >= h.start and pd.Timestamp(f"{y}-12-31") <= h.end
    ]
    y = s[s["year"].isin(years)].groupby(["account_id", "year"], as_index=False)[["qty", "rebate"]].sum()
    annual = _retro(y["qty"].to_numpy(), *QUARTER_TIERS[tier], scale=4.0)
    return pd.DataFrame(
        {
            "program_id": pid,
            "account_id": y["account_id"],
            "period": y["year"].astype(str),
            "actual_basis": y["qty"],
            "actual_rebate": np.round(np.maximum(annual - y["rebate"], 0), 2),
            "paid_date": pd.to_datetime(y["year"].astype(str) + "-12-31") + pd.Timedelta(days=45),
            "interim": False,
        }
    )


def _growth(q: pd.DataFrame, enrol: pd.DataFrame, h: History) -> pd.DataFrame:
    members = enrol.loc[enrol["program_id"] == "RB-GROW-Y", "account_id"]
    full = [
        y
        for y in range(h.start.year, h.end.year + 1)
        if pd.Timestamp(f"{y - 1}-01-01") >= h.start and pd.Timestamp(f"{y}-12-31") <= h.end
    ]
    if not full:
        return pd.DataFrame()
    yv = q[q["account_id"].isin(members)].groupby(["account_id", "year"])["value"].sum().unstack()
    rows = []
    for y in full:
        if y not in yv or (y - 1) not in yv:
            continue
        cur, prev = yv[y].fillna(0), yv[y - 1].fillna(0)
        g = (cur / prev.where(prev > 0)) - 1
        k = np.searchsorted(GROWTH_TIERS[0], g.fillna(-1).to_numpy(), side="right") - 1
        pct = np.where(k >= 0, np.asarray(GROWTH_TIERS[1])[np.maximum(k, 0)], 0.0)
        rows.append(
            pd.DataFrame(
                {
                    "program_id": "RB-GROW-Y",
                    "account_id": cur.index,
                    "period": str(y),
                    "actual_basis": cur.to_numpy(),
                    "actual_rebate": np.round(cur.to_numpy() * pct / 100, 2),
                    "paid_date": pd.Timestamp(f"{y + 1}-02-15"),
                    "interim": False,
                }
            )
        )
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
