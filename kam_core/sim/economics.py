"""Per-case and per-account economics of a scenario, for the receiving account and for us.

Definitions (docs/METHODS.md §5.4), per account, over the scenario period:

- ``m = price − COGS`` is our margin per case before incentives;
- incentive *value* is what the account receives (free goods at the case price); incentive
  *cost* is what it costs us (free goods at COGS, empties' salvage netted);
- ``our_gross_profit = Q·m − cost`` and ``incremental_profit = U·m − cost`` where ``U`` is the
  net incremental volume (lift less cannibalisation and pull-forward), which is
  ``Δπ = U·(m − d) − d·Q_b − F`` of docs/METHODS.md §5.4 written per account;
- ``ROI = incremental_profit / trade_spend``;
- ``net_price_per_case = price − value / Q``; the *floor guard* flags an account whose net
  price falls below its floor price (price list) or below COGS.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kam_core.sim.model import Book, Outcome
from kam_core.sim.spec import Scenario


def _div(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(b != 0, a / np.where(b != 0, b, 1.0), 0.0)


def compute_account_economics(book: Book, scenario: Scenario, out: Outcome) -> pd.DataFrame:
    """One row per account from a plain (single-draw) :class:`Outcome`.

    Columns: account_id, channel, baseline_cases, scenario_cases, incremental_cases,
    pull_forward_cases, rebate (value paid to the account), rebate_cost, promotion_value,
    promotion_cost, price_per_case, cogs_per_case, floor_price, incentive_per_case,
    net_price_per_case, our_gp_per_case, baseline_gross_profit, our_gross_profit,
    incremental_profit, roi, below_floor, below_cost.
    """
    row = lambda a: np.asarray(a, dtype=float)[0]  # noqa: E731 - the single draw
    q, base = row(out.cases), row(out.baseline)
    kinds = [p.is_rebate for p in scenario.programs]
    zero = np.zeros(book.n)
    reb_v = sum((row(r.value) for r, k in zip(out.programs, kinds, strict=True) if k), zero)
    reb_c = sum((row(r.cost) for r, k in zip(out.programs, kinds, strict=True) if k), zero)
    pro_v = sum((row(r.value) for r, k in zip(out.programs, kinds, strict=True) if not k), zero)
    pro_c = sum((row(r.cost) for r, k in zip(out.programs, kinds, strict=True) if not k), zero)
    margin = book.price - book.cogs
    cost = reb_c + pro_c
    net_price = book.price - _div(reb_v + pro_v, q)
    df = pd.DataFrame(
        {
            "account_id": book.account_id.astype(str),
            "channel": book.channel.astype(str),
            "baseline_cases": base,
            "scenario_cases": q,
            "incremental_cases": row(out.net_incremental),
            "pull_forward_cases": row(out.pull_forward),
            "rebate": reb_v,
            "rebate_cost": reb_c,
            "promotion_value": pro_v,
            "promotion_cost": pro_c,
            "price_per_case": book.price,
            "cogs_per_case": book.cogs,
            "floor_price": book.floor,
            "incentive_per_case": _div(reb_v + pro_v, q),
            "net_price_per_case": np.where(q > 0, net_price, book.price),
            "our_gp_per_case": np.where(q > 0, margin - _div(cost, q), margin),
            "baseline_gross_profit": base * margin,
            "our_gross_profit": q * margin - cost,
            "incremental_profit": row(out.net_incremental) * margin - cost,
        }
    )
    df["roi"] = np.where(cost > 0, _div(df["incremental_profit"], cost), np.nan)
    df["below_cost"] = (q > 0) & (df["net_price_per_case"] < book.cogs - 1e-9)
    floor = np.nan_to_num(book.floor, nan=0.0)
    df["below_floor"] = ((q > 0) & (df["net_price_per_case"] < floor - 1e-9)) | df["below_cost"]
    return df


def compute_totals(accounts: pd.DataFrame) -> dict:
    """Scenario totals; every money and volume total is the sum of the account rows."""
    s = accounts.sum(numeric_only=True)
    spend = float(s["rebate_cost"] + s["promotion_cost"])
    incr_cases = float(s["incremental_cases"])
    q = float(s["scenario_cases"])
    return {
        "accounts": len(accounts),
        "baseline_cases": float(s["baseline_cases"]),
        "scenario_cases": q,
        "incremental_cases": incr_cases,
        "pull_forward_cases": float(s["pull_forward_cases"]),
        "rebate": float(s["rebate"]),
        "rebate_cost": float(s["rebate_cost"]),
        "promotion_value": float(s["promotion_value"]),
        "promotion_cost": float(s["promotion_cost"]),
        "trade_spend": spend,
        "baseline_gross_profit": float(s["baseline_gross_profit"]),
        "our_gross_profit": float(s["our_gross_profit"]),
        "incremental_profit": float(s["incremental_profit"]),
        "roi": float(s["incremental_profit"]) / spend if spend > 0 else None,
        "cost_per_incremental_case": spend / incr_cases if incr_cases > 0 else None,
        # METHODS §5.4: show how much of the spend subsidises volume that would have sold anyway
        "spend_on_baseline_share": (
            float(
                (
                    accounts["baseline_cases"].clip(upper=accounts["scenario_cases"])
                    * _div(accounts["rebate_cost"] + accounts["promotion_cost"], accounts["scenario_cases"])
                ).sum()
            )
            / spend
        )
        if spend > 0
        else None,
        "accounts_below_floor": int(accounts["below_floor"].sum()),
    }


def compute_per_case(book: Book, scenario: Scenario, out: Outcome, accounts: pd.DataFrame) -> dict:
    """Per purchased case for the receiving accounts (volume-weighted), with a per-program breakdown.

    ``incentive_per_case`` counts every incentive's first round only; ``..._compounded`` counts
    free goods that earn again (empties of free cases, free bottles with caps) as a geometric
    series. docs/DESIGN.md's field example (¥3/case + ¥6 cap prize + 4-for-1 empties on a ¥24 case)
    gives 15 and 17.
    """
    q = float(np.asarray(out.cases, dtype=float).sum())
    breakdown: list[dict[str, Any]] = []
    for p, r in zip(scenario.programs, out.programs, strict=True):
        breakdown.append(
            {
                "program": p.name,
                "type": p.type,
                "first_round_per_case": _scalar_div(r.first_round, q),
                "compounded_per_case": _scalar_div(r.value, q),
                "our_cost_per_case": _scalar_div(r.cost, q),
            }
        )
    first = sum(b["first_round_per_case"] for b in breakdown)
    comp = sum(b["compounded_per_case"] for b in breakdown)
    price = _scalar_div(np.asarray(out.cases)[0] * book.price, q) if q else float(np.nanmean(book.price))
    cogs = _scalar_div(np.asarray(out.cases)[0] * book.cogs, q) if q else float(np.nanmean(book.cogs))
    floor = _scalar_div(np.asarray(out.cases)[0] * np.nan_to_num(book.floor), q) if q else 0.0
    cost = sum(b["our_cost_per_case"] for b in breakdown)
    below = accounts.loc[accounts["below_floor"], "account_id"].tolist()
    return {
        "price_per_case": price,
        "incentive_per_case": first,
        "incentive_per_case_compounded": comp,
        "net_price_per_case": price - comp,
        "cogs_per_case": cogs,
        "floor_price": floor,
        "our_cost_per_case": cost,
        "our_gp_per_case": price - cogs - cost,
        "below_floor": bool(below),
        "accounts_below_floor": len(below),
        "floor_guard": below[:100],
        "breakdown": breakdown,
    }


def _scalar_div(a, q: float) -> float:
    return float(np.asarray(a, dtype=float).sum()) / q if q else 0.0
