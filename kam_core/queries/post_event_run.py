"""The post-event review of one promotion: SQL reads, the DiD maths and the simulator's prediction together.

What the Promotions page and ``python -m kam_core post-event`` show (docs/methods_post_event.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine, func, select

from kam_core.analytics.post_event import (
    DEFAULT_BOOT,
    DEFAULT_SEED,
    DidEstimate,
    build_changes,
    compute_did,
    roi_of,
    sim_programs,
)
from kam_core.db.engine import db_errors
from kam_core.db.schema import order_header
from kam_core.errors import UserError
from kam_core.queries import post_event as q
from kam_core.scope import DIRECTOR, Scope

OUTCOMES = ["cases", "gross_profit", "net_sales"]
COMPARISONS = ("pre", "year", "placebo")  # against the pre-period, the same season a year earlier, placebo


@dataclass
class PostEventReview:
    """Everything the page shows about one promotion (see :func:`review_promotion`)."""

    promo: dict
    participants: int
    windows: dict[str, tuple[dt.date, dt.date]]
    estimates: dict[str, dict[str, DidEstimate] | None]  # comparison -> outcome -> estimate; None = no data
    cost: dict[str, float]
    roi: tuple[float, float, float] | None
    prediction: dict | None
    notes: list[str] = field(default_factory=list)  # codes: no_year_data, no_prediction, no_cost ...

    def headline(self) -> dict[str, DidEstimate] | None:
        """The estimate against the pre-period (the one ROI uses)."""
        return self.estimates.get("pre")


def _windows(start: dt.date, end: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    days = (end - start).days + 1
    pre = (start - dt.timedelta(days=days), start - dt.timedelta(days=1))
    ly = (pd.Timestamp(start) - pd.DateOffset(years=1)).date(), (pd.Timestamp(end) - pd.DateOffset(years=1)).date()
    ly_pre = (ly[0] - dt.timedelta(days=days), ly[0] - dt.timedelta(days=1))
    return {"event": (start, end), "pre": pre, "year": ly, "year_pre": ly_pre}


def review_promotion(
    engine: Engine,
    promo_id: str,
    scope: Scope = DIRECTOR,
    n_boot: int = DEFAULT_BOOT,
    seed: int = DEFAULT_SEED,
    predict: bool = True,
) -> PostEventReview:
    """Observed uplift, interval, cost and ROI of a past promotion, and the simulator's prediction beside it.

    Parameters
    ----------
    engine
        The database.
    promo_id
        A stored promotion.
    scope
        The viewer: participants, controls, lines and costs are all limited to it.
    n_boot, seed
        Bootstrap resamples over accounts and its seed.
    predict
        Also run the simulator on the participants' baseline with the promotion's mechanics.

    Raises
    ------
    UserError
        Unknown promotion, no participants in scope, or no controls of the same channel and region.
    """
    with db_errors(), engine.connect() as conn:
        promo = q.read_promotion(conn, promo_id)
        if promo is None:
            raise UserError(f"Unknown promotion {promo_id!r}")
        members = q.participants(conn, promo, scope)
        if not members:
            raise UserError(f"Promotion {promo_id!r} has no participating accounts you can see")
        tiers = [promo["tier_code"]] if promo.get("tier_code") else None
        pool = q.candidate_accounts(conn, tiers or _tiers_of(conn, members), scope)
        windows = _windows(promo["start_date"], promo["end_date"])
        first = conn.execute(select(func.min(order_header.c.order_date))).scalar()
        facts = {
            k: q.window_facts(conn, pool, promo["skus"], s, e, scope)
            for k, (s, e) in windows.items()
            if first is not None and first <= s
        }
        cost = q.promotion_cost(conn, promo, members, scope)
    estimates, notes = _estimates(facts, pool, members, n_boot, seed)
    if estimates.get("pre") is None:
        raise UserError(f"Promotion {promo_id!r}: no order history before it, or no controls of its channel/region")
    gp = estimates["pre"]["gross_profit"]
    roi = roi_of(gp, cost["total"])
    if roi is None:
        notes.append("no_cost")
    prediction = None
    if predict:
        prediction = _predict(engine, promo, facts, pool, members, cost, scope, seed)
        if prediction is None:
            notes.append("no_prediction")
    return PostEventReview(promo, len(members), windows, estimates, cost, roi, prediction, notes)


def _tiers_of(conn, members: list[str]) -> list[str]:
    from kam_core.db.schema import account

    return sorted(set(conn.execute(select(account.c.tier_code).where(account.c.account_id.in_(members))).scalars()))


def _estimates(facts: dict, pool: pd.DataFrame, members: list[str], n_boot: int, seed: int) -> tuple[dict, list]:
    pairs = {"pre": ("pre", "event"), "year": ("year", "event"), "placebo": ("year_pre", "year")}
    out: dict[str, dict[str, DidEstimate] | None] = {}
    notes: list[str] = []
    for name, (b, a) in pairs.items():
        if b not in facts or a not in facts:
            out[name] = None
            notes.append(f"no_{name}_data")
            continue
        try:
            out[name] = compute_did(build_changes(facts[b], facts[a], pool, members), OUTCOMES, n_boot, seed)
        except ValueError:
            out[name] = None
            notes.append(f"no_{name}_controls")
    return out, notes


def baseline_volumes(facts: dict, pool: pd.DataFrame, members: list[str]) -> dict[str, float]:
    """Each participant's counterfactual cases for the event: its pre-period cases plus the mean change of
    the controls in its stratum (the DiD's own counterfactual), floored at 0."""
    ch = build_changes(facts["pre"], facts["event"], pool, members)
    ctrl = ch[~ch["treated"]].groupby("stratum")["d_cases"].mean()
    pre = facts["pre"].set_index("account_id")["cases"]
    treated = ch[ch["treated"] & ch["stratum"].isin(ctrl.index)]
    return {
        a: max(float(pre.get(a, 0.0) + ctrl[s]), 0.0)
        for a, s in zip(treated["account_id"], treated["stratum"], strict=True)
    }


def _predict(engine, promo, facts, pool, members, cost, scope, seed) -> dict | None:
    from kam_core.sim import load_scenario, run_scenario

    volumes = baseline_volumes(facts, pool, members)
    fees = cost["fees"] + cost["lump_sum"]
    programs = sim_programs(promo, fees / len(volumes) if volumes else 0.0)
    if not volumes or not programs:
        return None
    scenario = load_scenario(
        {
            "name": f"post-event {promo['promo_id']}",
            "accounts": {"ids": sorted(volumes)},
            "period": {"start": promo["start_date"].isoformat(), "end": promo["end_date"].isoformat()},
            "volumes": volumes,
            "response": "elastic",
            "draws": 0,
            "seed": seed,
            "programs": programs,
        }
    )
    try:
        result = run_scenario(engine, scenario, scope=scope)
    except UserError:
        return None
    t = result["totals"]
    spend = float(t.get("trade_spend") or 0.0)
    gross = float(t["incremental_profit"]) + spend  # the simulator's profit is after spend; ROI here is before
    return {
        "programs": programs,
        "accounts": len(volumes),
        "baseline_cases": float(t["baseline_cases"]),
        "incremental_cases": float(t["incremental_cases"]),
        "incremental_gross_profit": gross,
        "cost": spend,
        "roi": gross / spend if spend > 0 else None,
        "warnings": list(result.get("warnings", [])),
    }


def review_to_dict(review: PostEventReview) -> dict:
    """The review as plain JSON data (what ``python -m kam_core post-event`` prints)."""

    def est(e: DidEstimate) -> dict:
        total, low, high = e.total()
        return {
            "per_account": e.per_account,
            "ci_low": e.ci_low,
            "ci_high": e.ci_high,
            "total": total,
            "total_low": low,
            "total_high": high,
            "treated_change": e.treated_change,
            "control_change": e.control_change,
            "participants": e.n_treated,
            "controls": e.n_control,
        }

    promo = {k: v for k, v in review.promo.items() if k != "skus"}
    promo["skus"] = sorted(review.promo["skus"]) if review.promo["skus"] is not None else None
    return {
        "promotion": promo,
        "participants": review.participants,
        "windows": {k: [s.isoformat(), e.isoformat()] for k, (s, e) in review.windows.items()},
        "estimates": {
            name: None if v is None else {o: est(e) for o, e in v.items()} for name, v in review.estimates.items()
        },
        "cost": review.cost,
        "roi": None if review.roi is None else dict(zip(("estimate", "ci_low", "ci_high"), review.roi, strict=True)),
        "prediction": review.prediction,
        "notes": review.notes,
    }
