"""Suggested credit limit with every step shown (docs/METHODS.md §6.1) and settlement-mode cash flow (§6.2)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kam_core.analytics.params import Params

GRADE_BANDS = ((80, "A"), (65, "B"), (50, "C"), (35, "D"), (-1, "E"))
# capacity cap: share of tangible net worth, share of turnover, or months of purchases without financials
CAP_TNW = {"A": 0.50, "B": 0.35, "C": 0.25, "D": 0.15, "E": 0.0}
CAP_TURNOVER = {"A": 0.08, "B": 0.05, "C": 0.03, "D": 0.02, "E": 0.0}
CAP_MONTHS = {"A": 1.5, "B": 1.0, "C": 0.5, "D": 0.25, "E": 0.0}
CYCLE_DAYS = {"semi_monthly": 15, "monthly": 30, "quarterly": 91}


def _points(df: pd.DataFrame) -> pd.Series:
    dbt, mdp = df["dbt"].fillna(0), df["max_days_past_due"].fillna(0)
    late, cv = df["late_share"].fillna(0), df["sales_cv"]
    pts = np.select([dbt <= 0, dbt <= 15, dbt <= 30], [30, 20, 10], 0)
    pts = pts + np.select([mdp <= 7, mdp <= 30], [20, 10], 0)
    pts = pts + np.select([late <= 0.05, late <= 0.15], [15, 8], 0)
    pts = pts + np.where(df["bounced"].fillna(0) == 0, 10, 0)
    pts = pts + np.select([df["tenure_years"] >= 3, df["tenure_years"] >= 1], [15, 8], 0)
    pts = pts + np.select([cv <= 0.3, cv <= 0.6], [10, 5], 0)
    return pd.Series(pts, index=df.index, dtype=float)


def compute_credit(df: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Need → capacity cap → behavioural grade × multiplier → rounded to 10k, + deposit.

    ``df`` needs net_sales, window_months, payment_terms_days, settlement_mode, dbt, max_days_past_due,
    late_share, bounced, tenure_years, sales_cv, tangible_net_worth, annual_turnover_all_brands,
    deposit_amount and has_ar (grade only where receivables exist; else NaN).
    """
    out = pd.DataFrame(index=df.index)
    monthly = (df["net_sales"].clip(lower=0) / df["window_months"]).fillna(0)
    on_credit = df["settlement_mode"].astype(object).fillna("cash").ne("cash")
    terms = df["payment_terms_days"].fillna(0) + df["dbt"].fillna(0).clip(lower=0)
    out["credit_need"] = (monthly * (1 + params.vat_rate) * terms / 30).where(on_credit, 0.0).round(0)
    pts = _points(df)
    grade = pd.Series(np.select([pts >= b for b, _ in GRADE_BANDS], [g for _, g in GRADE_BANDS], "E"), index=df.index)
    tnw, turn = df["tangible_net_worth"], df["annual_turnover_all_brands"]
    fin_cap = np.minimum(grade.map(CAP_TNW) * tnw, grade.map(CAP_TURNOVER) * turn)
    cap = fin_cap.where(tnw.notna() & turn.notna(), grade.map(CAP_MONTHS) * monthly)
    mult = grade.map(dict(params.grade_multipliers))
    base = np.minimum(out["credit_need"], cap) * mult
    out["credit_points"] = pts
    out["credit_grade"] = grade
    out["credit_cap"] = cap.round(0)
    out["credit_multiplier"] = mult
    out["credit_limit_suggested"] = (np.round(base / 10_000) * 10_000 + df["deposit_amount"].fillna(0)).round(0)
    no_data = ~df["has_ar"].fillna(False).astype(bool)
    out.loc[no_data, ["credit_points", "credit_grade", "credit_cap", "credit_multiplier", "credit_limit_suggested"]] = (
        np.nan
    )
    return out


def compare_settlement_modes(
    monthly_sales: float,
    terms_days: int = 60,
    statement_cycle: str = "monthly",
    deduction_rate: float = 0.20,
    shelf_days: float = 20.0,
    cogs_ratio: float = 0.55,
    fees_per_month: float = 0.0,
    dbt_days: float = 0.0,
    rate: float = 0.045,
) -> pd.DataFrame:
    """Cash-flow effect of the four KA settlement modes at equal volume (docs/METHODS.md §6.2).

    Returns one row per mode: cash delay (days), average receivable, yearly financing cost, extra cost
    (consignment inventory carrying) and the NPV of one month's sales, all in RMB.
    """
    if monthly_sales < 0:
        raise ValueError(f"monthly_sales must be ≥ 0, got {monthly_sales}")
    if statement_cycle not in CYCLE_DAYS:
        raise ValueError(f"statement_cycle {statement_cycle!r} not in {sorted(CYCLE_DAYS)}")
    half = CYCLE_DAYS[statement_cycle] / 2
    daily = monthly_sales * 12 / 365
    delays = {
        "cash": 0.0,
        "credit": half + terms_days + dbt_days,
        "consignment": shelf_days + half + terms_days,
        "turnover_deduction": half + terms_days,
    }
    receipts = {
        "cash": monthly_sales,
        "credit": monthly_sales,
        "consignment": monthly_sales,
        "turnover_deduction": monthly_sales * (1 - deduction_rate),
    }
    rows = []
    for mode, delay in delays.items():
        extra = daily * cogs_ratio * shelf_days * rate if mode == "consignment" else 0.0
        npv = receipts[mode] / (1 + rate) ** (delay / 365) - (fees_per_month if mode != "cash" else 0.0)
        rows.append(
            {
                "settlement_mode": mode,
                "cash_delay_days": delay,
                "avg_receivable": daily * delay,
                "financing_cost_year": daily * delay * rate,
                "extra_cost_year": extra,
                "npv_month_sales": npv,
            }
        )
    return pd.DataFrame(rows)


def compare_settlement_modes_for(row: pd.Series, params: Params | None = None) -> pd.DataFrame:
    """:func:`compare_settlement_modes` for one scorecard row (its monthly sales, terms, cycle, DBT, 扣点)."""
    p = params or Params()
    months = row.get("window_months") or 12.0
    sales = max(float(row.get("net_sales") or 0.0), 0.0) / float(months)
    gp = row.get("gross_profit")  # null when the account has no cost data: the default cost ratio then
    gp = float(gp) if gp is not None and pd.notna(gp) else None
    cycle = row.get("statement_cycle") if row.get("statement_cycle") in CYCLE_DAYS else "monthly"
    deduction = row.get("deduction_rate")
    return compare_settlement_modes(
        sales,
        terms_days=int(row.get("payment_terms_days") or 0),
        statement_cycle=cycle,
        deduction_rate=float(deduction) if pd.notna(deduction) else 0.20,
        cogs_ratio=(1 - gp / (sales * months)) if sales > 0 and gp is not None else 0.55,
        dbt_days=float(row.get("dbt")) if pd.notna(row.get("dbt")) else 0.0,
        rate=p.financing_rate,
    )
