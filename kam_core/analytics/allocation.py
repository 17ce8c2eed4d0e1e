"""Resource allocation: service budget split, visit cadence per tier and overdue follow-ups."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kam_core.analytics.params import Params


def _share(x: pd.Series) -> pd.Series:
    x = x.fillna(0).clip(lower=0)
    total = x.sum()
    return x / total if total > 0 else pd.Series(1 / max(len(x), 1), index=x.index)


def allocate_service_budget(
    scorecard: pd.DataFrame, budget: float, weights: tuple[float, float, float] | None = None, key_only: bool = True
) -> pd.DataFrame:
    """Split ``budget`` across (key) accounts by loyalty, sales and profit contribution.

    Key accounts (``key_only``) are the scorecard's ``key_account``: 80% of sales OR 80% of profit per channel
    tier (docs/methods_key_accounts.md §1), so an account key by profit alone gets a share too.

    budget_i = budget × (w_L·L_i/ΣL + w_S·sales_i/Σsales + w_P·max(NCP_i,0)/ΣNCP⁺) ÷ Σw.
    Weights default to Params.allocation_weights (loyalty, sales, profit).
    """
    if budget < 0:
        raise ValueError(f"budget must be ≥ 0, got {budget}")
    w = np.asarray(weights or Params().allocation_weights, dtype=float)
    if (w < 0).any() or w.sum() <= 0:
        raise ValueError(f"weights must be ≥ 0 and not all 0, got {tuple(w)}")
    df = scorecard[scorecard["key_account"]] if key_only and "key_account" in scorecard else scorecard
    out = df[["account_id", "name", "channel"]].copy()
    out["share_loyalty"] = _share(df["loyalty_score"])
    out["share_sales"] = _share(df["net_sales"])
    out["share_profit"] = _share(df["net_profit"])
    out["weight"] = (w[0] * out["share_loyalty"] + w[1] * out["share_sales"] + w[2] * out["share_profit"]) / w.sum()
    out["budget"] = (budget * out["weight"]).round(2)
    return out.sort_values(["budget", "account_id"], ascending=[False, True]).reset_index(drop=True)


def plan_visit_cadence(scorecard: pd.DataFrame, as_of, cadence: dict[str, int] | None = None) -> pd.DataFrame:
    """Next visit due per account from its pyramid tier's cadence and its last visit; overdue days."""
    cad = cadence or dict(Params().visit_cadence_days)
    as_of = pd.Timestamp(as_of)
    out = scorecard[["account_id", "name", "pyramid_tier"]].copy()
    out["cadence_days"] = out["pyramid_tier"].map(cad).astype(float)
    last = pd.to_datetime(scorecard.get("last_visit_date"), errors="coerce")
    out["last_visit_date"] = last.dt.date
    due = last + pd.to_timedelta(out["cadence_days"], unit="D")
    out["next_visit_due"] = due.fillna(as_of).dt.date
    out["overdue_days"] = (as_of - due.fillna(as_of)).dt.days.clip(lower=0).astype(int)
    return out.sort_values(["overdue_days", "account_id"], ascending=[False, True]).reset_index(drop=True)


def list_follow_ups(scorecard: pd.DataFrame, as_of, launches: pd.DataFrame | None = None) -> pd.DataFrame:
    """Follow-ups due by ``as_of``: thank-you 2 days after an order or visit, a check 1 week after an order,
    a monthly contact, and an invitation for each product launch / promotion started in the last 30 days.

    A task counts as done when a visit happened on or after its trigger (before ``as_of``).
    Returns account_id, task, due, overdue_days (only tasks due on or before ``as_of``).
    """
    as_of = pd.Timestamp(as_of)
    last_order = pd.to_datetime(scorecard.get("last_order_date"), errors="coerce")
    last_visit = pd.to_datetime(scorecard.get("last_visit_date"), errors="coerce")
    visited_after = lambda t: last_visit.notna() & (last_visit > t)  # noqa: E731
    tasks = []
    for task, trigger, days in (("thank_you_order", last_order, 2), ("check_after_order", last_order, 7)):
        due = trigger + pd.Timedelta(days=days)
        open_ = trigger.notna() & ~visited_after(trigger) & (due <= as_of)
        tasks.append(pd.DataFrame({"account_id": scorecard.loc[open_, "account_id"], "task": task, "due": due[open_]}))
    monthly_due = last_visit + pd.Timedelta(days=30)
    open_ = monthly_due.isna() | (monthly_due <= as_of)
    tasks.append(
        pd.DataFrame(
            {
                "account_id": scorecard.loc[open_, "account_id"],
                "task": "monthly_contact",
                "due": monthly_due[open_].fillna(as_of),
            }
        )
    )
    if launches is not None and not launches.empty:
        recent = launches[
            (pd.to_datetime(launches["start_date"]) <= as_of)
            & (pd.to_datetime(launches["start_date"]) > as_of - pd.Timedelta(days=30))
        ]
        for _, launch in recent.iterrows():
            start = pd.Timestamp(launch["start_date"])
            open_ = ~visited_after(start)
            tasks.append(
                pd.DataFrame(
                    {
                        "account_id": scorecard.loc[open_, "account_id"],
                        "task": f"invite: {launch['name']}",
                        "due": start,
                    }
                )
            )
    out = pd.concat(tasks, ignore_index=True)
    out["overdue_days"] = (as_of - pd.to_datetime(out["due"])).dt.days.astype(int)
    out["due"] = pd.to_datetime(out["due"]).dt.date
    return out.sort_values(["overdue_days", "account_id", "task"], ascending=[False, True, True]).reset_index(drop=True)
