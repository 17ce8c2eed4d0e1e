"""Inputs of the settlement comparison (kam_core.analytics.settlement) for one account or a scenario.

Pure: small per-month frames in (read by kam_core.queries.account_plan and kam_core.profile), the
``months`` frame and :class:`~kam_core.analytics.settlement.SettlementTerms` out. docs/methods_settlement.md
says which figure comes from where.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from kam_core.analytics.settlement import CYCLE_DAYS, MODES, SettlementTerms

DEFAULT_TERMS_DAYS = 60.0  # when the account has no terms (cash): the 赊销 what-if is at 60 days
DEFAULT_DEDUCTION = 0.20  # the 扣点 of the METHODS §6.2 example when the account has none
SELL_THROUGH_SOURCES = ("sellout", "consignment_stock", "assumed")


def account_months(monthly: pd.DataFrame, sell_through: pd.DataFrame, months: int = 12) -> tuple[pd.DataFrame, str]:
    """The last ``months`` months of deliveries with what sold through, and where that came from.

    Parameters
    ----------
    monthly
        ``month`` (YYYY-MM), ``cases``, ``net_sales`` per month (the card's monthly trend).
    sell_through
        ``month``, ``sellout_cases``, ``consigned_cases`` (kam_core.queries.account_plan.fetch_sell_through),
        including the month before the first one when stock was reported then.
    months
        How many trailing months to use.

    Returns
    -------
    (pandas.DataFrame, str)
        ``month, shipped_cases, shipped_value, price_per_case, sold_cases, sold_value`` and the source of the
        sell-through: ``sellout`` (reported sell-out), ``consignment_stock`` (sold = shipped + opening stock −
        closing stock) or ``assumed`` (none reported: the goods sell ``shelf_days`` after delivery).
    """
    m = monthly.tail(months).reset_index(drop=True)
    cases = m["cases"].astype(float).clip(lower=0)
    value = m["net_sales"].astype(float).clip(lower=0)
    overall = value.sum() / cases.sum() if cases.sum() > 0 else 0.0
    price = (value / cases.where(cases > 0)).fillna(overall)
    out = pd.DataFrame({"month": m["month"].astype(str), "shipped_cases": cases, "shipped_value": value})
    out["price_per_case"] = price
    st = sell_through.set_index("month") if not sell_through.empty else pd.DataFrame()
    sold, source = pd.Series(np.nan, index=out.index), "assumed"
    if "sellout_cases" in st and st["sellout_cases"].reindex(out["month"]).notna().any():
        sold = pd.Series(st["sellout_cases"].reindex(out["month"]).fillna(0.0).to_numpy(), index=out.index)
        source = "sellout"
    elif "consigned_cases" in st and st["consigned_cases"].reindex(out["month"]).notna().any():
        prev = str(pd.Period(out["month"].iloc[0], freq="M") - 1)
        stock = st["consigned_cases"].reindex([prev, *out["month"]]).ffill().fillna(0.0).to_numpy()
        sold = pd.Series((cases.to_numpy() + stock[:-1] - stock[1:]).clip(min=0), index=out.index)
        source = "consignment_stock"
    out["sold_cases"] = sold
    out["sold_value"] = sold * price
    return out, source


def _dbt(invoices: pd.DataFrame) -> float:
    """Amount-weighted days paid beyond the due date over paid invoices (0 when none)."""
    if invoices.empty or "last_paid" not in invoices:
        return 0.0
    paid = invoices[invoices["last_paid"].notna() & (invoices["open_amount"] <= 0.005)]
    if paid.empty or paid["amount"].sum() <= 0:
        return 0.0
    late = (pd.to_datetime(paid["last_paid"]) - pd.to_datetime(paid["due_date"])).dt.days.clip(lower=0)
    return float((late * paid["amount"]).sum() / paid["amount"].sum())


def account_terms(
    current: Mapping | None,
    invoices: pd.DataFrame,
    cogs_ratio: float | None,
    rate: float,
    overrides: Mapping | None = None,
) -> SettlementTerms:
    """The account's own terms (days, statement cycle, 扣点, DBT from its invoices), defaults where it has
    none, then ``overrides`` (any :class:`SettlementTerms` field, e.g. from a scenario's ``settlement``)."""
    cur = dict(current or {})
    days = cur.get("payment_terms_days")
    days = float(days) if days is not None and pd.notna(days) and float(days) > 0 else DEFAULT_TERMS_DAYS
    cycle = CYCLE_DAYS.get(str(cur.get("statement_cycle")), CYCLE_DAYS["monthly"])
    ded = cur.get("deduction_rate")
    ded = float(ded) if ded is not None and pd.notna(ded) else DEFAULT_DEDUCTION
    base = {
        "terms_days": days,
        "cycle_days": cycle,
        "deduction_rate": ded,
        "dbt_days": _dbt(invoices),
        "rate": float(rate),
        "cogs_ratio": float(np.clip(cogs_ratio, 0.0, 1.0))
        if cogs_ratio is not None and np.isfinite(cogs_ratio)
        else 0.55,
    }
    return SettlementTerms(**{**base, **dict(overrides or {})})


SCENARIO_KEYS = {
    "mode": None,
    "terms_days": (0.0, 365.0),
    "cycle_days": (0.0, 92.0),
    "deduction_rate": (0.0, 1.0),
    "shelf_days": (0.0, 365.0),
    "rate": (0.0, 1.0),
    "pd_annual": (0.0, 1.0),
    "lgd": (0.0, 1.0),
}


def parse_scenario_settlement(raw) -> tuple[str | None, dict]:
    """A scenario's optional ``settlement`` key: a mode (``"consignment"``) or an object with ``mode`` and
    any of :data:`SCENARIO_KEYS`. Returns (mode or None, overrides).

    Raises
    ------
    ValueError
        Naming the key and the value (``settlement.terms_days must be between 0 and 365, got 'x'``).
    """
    if raw is None:
        return None, {}
    if isinstance(raw, str):
        raw = {"mode": raw}
    if not isinstance(raw, Mapping):
        raise ValueError(f"settlement must be a mode ({', '.join(MODES)}) or an object, got {raw!r}")
    unknown = sorted(set(raw) - set(SCENARIO_KEYS))
    if unknown:
        raise ValueError(f"settlement: unknown key(s) {', '.join(unknown)} (known: {', '.join(SCENARIO_KEYS)})")
    mode = raw.get("mode")
    if mode is not None and mode not in MODES:
        raise ValueError(f"settlement.mode must be one of {', '.join(MODES)}, got {mode!r}")
    out = {}
    for key, (lo, hi) in ((k, b) for k, b in SCENARIO_KEYS.items() if b and k in raw):
        value = raw[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= float(value) <= hi:
            raise ValueError(f"settlement.{key} must be between {lo:g} and {hi:g}, got {value!r}")
        out[key] = float(value)
    return mode, out


def scenario_months(cases: float, price: float, start: dt.date, end: dt.date) -> pd.DataFrame:
    """A scenario's cases for one account spread evenly over the period's months (by days in each)."""
    days = pd.date_range(start, end, freq="D")
    per_month = days.to_period("M").value_counts().sort_index()
    share = per_month / per_month.sum()
    value = float(max(cases, 0.0)) * float(max(price, 0.0))
    return pd.DataFrame({"month": [str(p) for p in per_month.index], "shipped_value": (share * value).to_numpy()})


def _group_terms(terms: pd.DataFrame, ids: pd.Series, overrides: Mapping) -> pd.DataFrame:
    """Per account: current mode and the terms its modes are evaluated at (own terms, defaults, overrides)."""
    t = terms.set_index("account_id").reindex(ids) if not terms.empty else pd.DataFrame(index=ids)
    days = pd.to_numeric(t.get("payment_terms_days"), errors="coerce") if "payment_terms_days" in t else None
    out = pd.DataFrame(index=ids)
    out["current_mode"] = t["settlement_mode"].fillna("cash") if "settlement_mode" in t else "cash"
    out["terms_days"] = days.where(days > 0, DEFAULT_TERMS_DAYS) if days is not None else DEFAULT_TERMS_DAYS
    cycle = t["statement_cycle"] if "statement_cycle" in t else pd.Series("monthly", index=ids)
    out["cycle_days"] = cycle.map(lambda c: CYCLE_DAYS.get(str(c), CYCLE_DAYS["monthly"]))
    ded = pd.to_numeric(t["deduction_rate"], errors="coerce") if "deduction_rate" in t else None
    out["deduction_rate"] = ded.fillna(DEFAULT_DEDUCTION) if ded is not None else DEFAULT_DEDUCTION
    for key in ("terms_days", "cycle_days", "deduction_rate"):
        if key in overrides:
            out[key] = float(overrides[key])
    return out.reset_index(names="account_id")


def compare_scenario_settlement(
    accounts: pd.DataFrame,
    terms: pd.DataFrame,
    start: dt.date,
    end: dt.date,
    rate: float,
    overrides: Mapping | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The four modes (and each account's current mode, row ``current``) for a scenario's accounts.

    Parameters
    ----------
    accounts
        The scenario result's rows: ``account_id, scenario_cases, price_per_case, cogs_per_case``.
    terms
        Credit terms in force (kam_core.queries.account_plan.fetch_terms_for); accounts without a row are
        on cash today and evaluated at the defaults for the other modes.
    start, end
        The scenario period: cases are spread over its months by days.
    rate
        Financing rate k per year.
    overrides
        A scenario's ``settlement`` overrides (:func:`parse_scenario_settlement`).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The summed monthly schedule and the summary (as :func:`kam_core.analytics.settlement.summarise_settlement`).
        Accounts are grouped by their terms (days, cycle, 扣点) and each group computed once for one yuan (the
        flows are linear in the amounts), so thousands of accounts cost a few schedules, not thousands.
    """
    from kam_core.analytics.settlement import compute_settlement_schedule, summarise_settlement

    overrides = dict(overrides or {})
    acc = accounts.assign(
        value=accounts["scenario_cases"].clip(lower=0).fillna(0) * accounts["price_per_case"].fillna(0),
        cost=accounts["scenario_cases"].clip(lower=0).fillna(0) * accounts["cogs_per_case"].fillna(0),
    ).merge(_group_terms(terms, accounts["account_id"], overrides), on="account_id")
    total_value = float(acc["value"].sum())
    cogs_ratio = float(acc["cost"].sum()) / total_value if total_value > 0 else 0.55
    base = {k: v for k, v in overrides.items() if k not in ("terms_days", "cycle_days", "deduction_rate")}
    base = {**base, "rate": float(rate), "cogs_ratio": float(np.clip(cogs_ratio, 0, 1))}
    frames = []
    shape = scenario_months(1.0, 1.0, start, end)
    numeric: list[str] = []
    for (days, cycle, ded), g in acc.groupby(["terms_days", "cycle_days", "deduction_rate"], sort=True):
        unit = compute_settlement_schedule(
            shape, SettlementTerms(terms_days=days, cycle_days=cycle, deduction_rate=ded, **base)
        )
        numeric = [c for c in unit.columns if c not in ("mode", "month_index", "month")]
        # linear in the amounts: one unit schedule per group of terms, scaled by the group's value (all modes)
        # and by the value of the accounts on each mode today (row "current")
        by_mode = g.groupby("current_mode")["value"].sum()
        scaled = unit.copy()
        scaled[numeric] = unit[numeric] * float(g["value"].sum())
        current = unit[unit["mode"].isin(by_mode.index)].copy()
        current[numeric] = current[numeric].mul(current["mode"].map(by_mode).to_numpy(), axis=0)
        frames += [scaled, current.assign(mode="current")]
    if not frames:
        raise ValueError("the scenario has no accounts to compare settlement modes for")
    summed = pd.concat(frames, ignore_index=True)
    # groups may run to different lengths (longer terms): sum by position, keep the longest month labels
    labels = summed.groupby("month_index")["month"].first()
    schedule = summed.groupby(["mode", "month_index"], sort=False)[numeric].sum().reset_index()
    schedule.insert(2, "month", schedule["month_index"].map(labels))
    terms_all = SettlementTerms(**base)
    return schedule, summarise_settlement(schedule, shape, terms_all)
