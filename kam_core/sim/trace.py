"""What a KAM can show a distributor, and what finance books: calculation trace, accrual, watchlist.

- **Trace**: one row per account and program: the basis, the tier reached and its rate, the
  amount earned, the cap, interim payments netted and the final payout, with the arithmetic as a
  ``step`` (kam_core.sim.trace_text: inputs × rate = amount). The step is written as a sentence only where
  it is read (the page's chosen account, the Excel download): formatting every row of 2,000 accounts would
  cost seconds.
- **Accrual** (docs/METHODS.md §5.6): the expected rebate of the period (Monte Carlo mean when draws
  > 0, else the most likely amount), its effective rate per case and a monthly schedule that
  accrues at that rate on the cumulative basis (actual cases where the month is in the data,
  else expected) and trues up to the expected amount in the last month.
- **Watchlist**: accounts within 20 % below the next tier of a tiered or threshold rebate,
  with the gap in cases and the extra rebate if they reach it (for retroactive tiers this is
  the suction effect: the whole volume is re-rated).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kam_core.sim import programs as calc
from kam_core.sim.model import Book, Outcome, _groups, _growth_reference, _interim, _shares, program_entitlement
from kam_core.sim.spec import Program, Scenario
from kam_core.sim.trace_text import program_step

WATCH_WINDOW = 0.20
SETTLED_BY_PERIOD = ("retro_tiered", "incremental_tiered", "threshold", "growth")  # the others pay on the whole


def compute_trace(book: Book, scenario: Scenario, out: Outcome) -> list[dict]:
    """One row per account × program from the plain run (see module docstring)."""
    rows = []
    cases = np.asarray(out.cases, dtype=float)[0]
    rank = np.empty(book.n, dtype=int)
    rank[np.argsort(-cases, kind="stable")] = np.arange(1, book.n + 1)  # contests: ties go to the first listed
    outlets = np.nan_to_num(book.outlets, nan=1.0).clip(min=1.0)
    for i, (p, r) in enumerate(zip(scenario.programs, out.programs, strict=True)):
        basis = cases * (book.price if p.basis == "net_sales" else 1.0)
        interim = _interim(book, i, p)
        interim = np.zeros(book.n) if interim is None else interim
        groups = _groups(p, book.months) if p.type in SETTLED_BY_PERIOD else [[]]
        shares = [sh for sh in _shares(book, p) if sh is not None] if len(groups) > 1 else []
        ent, final, value = (np.asarray(a, dtype=float)[0] for a in (r.entitlement, r.final_payout, r.value))
        cost = np.asarray(r.cost, dtype=float)[0]
        tier = None if r.tier is None else np.asarray(r.tier)[0]
        ref, eligible = _growth_reference(book, p) if p.type == "growth" else (np.zeros(book.n), np.ones(book.n))
        for a in range(book.n):
            step = _step(p, book, a, (basis, cases, ref, eligible, rank, outlets), groups, shares)
            cap = p.cap_amount if p.cap_amount is not None and ent[a] >= p.cap_amount - 1e-9 and ent[a] > 0 else None
            step |= {"capped": None if cap is None else float(cap), "entitlement": float(ent[a])}
            step |= {"interim": float(interim[a]), "final": float(final[a])}
            rows.append(
                {
                    "account_id": str(book.account_id[a]),
                    "program": p.name,
                    "type": p.type,
                    "basis": p.basis,
                    "basis_value": float(basis[a]),
                    "tier": None if tier is None else int(tier[a]),
                    "tier_from": _tier_field(p, tier, a, "lower"),
                    "rate": _tier_field(p, tier, a, "rate"),
                    "entitlement": float(ent[a]),
                    "interim_paid": float(interim[a]),
                    "final_payout": float(final[a]),
                    "value": float(value[a]),
                    "our_cost": float(cost[a]),
                    "step": step,
                }
            )
    return rows


def _step(p: Program, book: Book, a: int, arrays: tuple, groups: list[list[int]], shares: list[np.ndarray]) -> dict:
    """Account ``a``'s step; settled month by month (or by quarter) each sub-period on its share of the volume."""
    basis, cases, ref, eligible, rank, outlets = (arr[a] for arr in arrays)

    def one(scale: float) -> dict:
        args = (float(book.price[a]), float(ref * scale), bool(eligible), int(rank), float(outlets))
        return program_step(p, float(basis * scale), float(cases * scale), *args)

    if not shares:
        return one(1.0)
    parts = [{"months": _span(book.months, g), **one(float(sh[a]))} for g, sh in zip(groups, shares, strict=True)]
    return {"kind": "periodic", "period": p.period, "parts": parts, "amount": float(sum(x["amount"] for x in parts))}


def _span(months: tuple[str, ...], group: list[int]) -> str:
    """A sub-period by its months: ``2026-07`` or ``2026-07–2026-09``."""
    first, last = months[group[0]], months[group[-1]]
    return first if first == last else f"{first}–{last}"


def _tier_field(p: Program, tier, a: int, attr: str):
    if tier is None or not p.tiers or tier[a] <= 0:
        return None
    return float(getattr(p.tiers[int(tier[a]) - 1], attr))


def compute_watchlist(
    book: Book, scenario: Scenario, out: Outcome, p_next: np.ndarray | None = None, window: float = WATCH_WINDOW
) -> list[dict]:
    """Accounts within ``window`` below the next tier of a single-settlement tiered/threshold rebate."""
    cases = np.asarray(out.cases, dtype=float)[0]
    rows = []
    for i, p in enumerate(scenario.programs):
        if p.type not in ("retro_tiered", "incremental_tiered", "threshold") or len(_groups(p, book.months)) != 1:
            continue
        to_cases = book.price if p.basis == "net_sales" else np.ones(book.n)
        basis = cases * to_cases
        lowers = [t.lower for t in p.tiers] if p.tiers else [p.options["threshold"]]
        k = calc.tier_index(basis, lowers)
        nxt = np.append(lowers, np.inf)[k + 1]
        gap = nxt - basis
        near = np.isfinite(nxt) & (gap > 0) & (gap <= window * nxt) & (to_cases > 0)
        if not near.any():
            continue
        target = np.where(near, nxt / np.where(to_cases > 0, to_cases, 1.0), cases)
        extra = program_entitlement(book, scenario, i, target) - program_entitlement(book, scenario, i, cases)
        for a in np.flatnonzero(near):
            rows.append(
                {
                    "account_id": str(book.account_id[a]),
                    "program": p.name,
                    "current_tier": int(k[a] + 1),
                    "next_tier_from": float(nxt[a]),
                    "gap": float(gap[a]),
                    "gap_cases": float(gap[a] / to_cases[a]),
                    "extra_rebate_if_reached": float(extra[a]),
                    "p_next_tier": None if p_next is None else float(p_next[a]),
                }
            )
    return sorted(rows, key=lambda r: (r["gap_cases"], r["account_id"]))


def compute_accrual(
    book: Book, scenario: Scenario, out: Outcome, monthly: pd.DataFrame, expected_rebate: float | None = None
) -> dict:
    """Expected rebate of the period and a monthly accrual / true-up schedule (docs/METHODS.md §5.6)."""
    cases = np.asarray(out.cases, dtype=float)[0]
    reb = [r for p, r in zip(scenario.programs, out.programs, strict=True) if p.is_rebate]
    most_likely = float(sum(np.asarray(r.value, dtype=float).sum() for r in reb))
    method = "expected_value" if expected_rebate is not None else "most_likely"
    expected = most_likely if expected_rebate is None else float(expected_rebate)
    total_cases = float(cases.sum())
    rate = expected / total_cases if total_cases > 0 else 0.0
    exp_month = (book.month_shares * cases[:, None]).sum(axis=0)
    ids = set(map(str, book.account_id))
    act = monthly[monthly["account_id"].isin(ids)].groupby("ym")["cases"].sum()
    schedule, cum_exp, cum_act, prior = [], 0.0, 0.0, 0.0
    for j, m in enumerate(book.months):
        cum_exp += float(exp_month[j])
        actual = float(act[m]) if m in act.index else None
        cum_act = cum_act + actual if actual is not None else cum_act + float(exp_month[j])
        accrued = expected if j == len(book.months) - 1 else rate * cum_act
        schedule.append(
            {
                "month": m,
                "expected_cases_to_date": cum_exp,
                "actual_cases": actual,
                "accrued_to_date": accrued,
                "period_charge": accrued - prior,
            }
        )
        prior = accrued
    return {
        "method": method,
        "expected_rebate": expected,
        "most_likely_rebate": most_likely,
        "expected_basis_cases": total_cases,
        "effective_rate_per_case": rate,
        "schedule": schedule,
    }
