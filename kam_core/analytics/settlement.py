"""Settlement modes as cash flows: cash, 赊销 credit terms, 代销实结 consignment, 流水倒扣 turnover deduction.

docs/METHODS.md §6.2 and docs/methods_settlement.md. Pure maths: monthly amounts in, a monthly schedule and
a per-mode summary out; no database. Time runs in days from the start of the first month; a month is 365/12
days and what happens in a month (a delivery, a sale off the shelf) happens at its middle. Each amount then
becomes cash a fixed delay later:

- cash: at delivery;
- credit: revenue at delivery, cash ``cycle/2 + terms + DBT`` days later;
- consignment: revenue when the goods *sell through* (never at shipment), cash ``cycle/2 + terms`` after that;
- turnover deduction: the retailer's POS turnover less the 扣点 ``d``, ``cycle/2 + terms`` after the sale.

Financing cost of an amount outstanding D days is ``amount × k × D/365`` (simple interest, the METHODS
formula), spread over the months it is outstanding; NPV discounts each cash flow by ``(1+k)^(t/365)``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

MODES = ("cash", "credit", "consignment", "turnover_deduction")
CYCLE_DAYS = {"none": 0.0, "semi_monthly": 15.0, "monthly": 30.0, "quarterly": 91.0}
MONTH_DAYS = 365.0 / 12.0


@dataclass(frozen=True)
class SettlementTerms:
    """The terms a mode is evaluated at (defaults: docs/methods_settlement.md §Defaults).

    ``terms_days`` payment days after the statement; ``cycle_days`` the statement cycle (0: each delivery
    invoiced at once); ``deduction_rate`` the 扣点 of turnover deduction; ``shelf_days`` delivery to sale when
    no sell-through is reported; ``dbt_days`` days beyond terms the account habitually pays late (credit
    only); ``fees_per_month`` KA fees deducted at settlement (all modes but cash); ``rate`` the financing
    rate k per year; ``pd_annual`` and ``lgd`` the yearly default probability and loss given default of the
    receivable; ``cogs_ratio`` cost of goods ÷ sales (consignment stock carrying cost); ``shrink_rate`` the
    share of consigned stock lost to shrink and expiry (at cost).
    """

    terms_days: float = 60.0
    cycle_days: float = 30.0
    deduction_rate: float = 0.20
    shelf_days: float = 20.0
    dbt_days: float = 0.0
    fees_per_month: float = 0.0
    rate: float = 0.045
    pd_annual: float = 0.02
    lgd: float = 0.60
    cogs_ratio: float = 0.55
    shrink_rate: float = 0.0

    def __post_init__(self):
        for name in ("terms_days", "cycle_days", "shelf_days", "dbt_days", "fees_per_month", "rate"):
            value = getattr(self, name)
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a number ≥ 0, got {value!r}")
        for name in ("deduction_rate", "pd_annual", "lgd", "cogs_ratio", "shrink_rate"):
            value = getattr(self, name)
            if not np.isfinite(value) or not 0 <= value <= 1:
                raise ValueError(f"{name} must be between 0 and 1, got {value!r}")

    def with_deposit(self, deposit: float, exposure: float) -> SettlementTerms:
        """LGD with a deposit (保证金): ``lgd × (1 − coverage)``, coverage = deposit ÷ exposure (METHODS §3.2)."""
        if deposit <= 0 or exposure <= 0:
            return self
        return replace(self, lgd=self.lgd * max(0.0, 1.0 - deposit / exposure))


def _check_months(months: pd.DataFrame) -> pd.DataFrame:
    for col in ("month", "shipped_value"):
        if col not in months:
            raise ValueError(f"Required column {col} missing")
    out = months.reset_index(drop=True).copy()
    if "sold_value" not in out:
        out["sold_value"] = np.nan
    for col in ("shipped_value", "sold_value"):
        out[col] = pd.to_numeric(out[col], errors="raise").astype(float)
    if (out["shipped_value"] < 0).any():
        bad = out.loc[out["shipped_value"] < 0, "month"].iloc[0]
        raise ValueError(f"shipped_value must be ≥ 0; month {bad} has {out['shipped_value'].min()}")
    return out


def _sales_events(months: pd.DataFrame, terms: SettlementTerms) -> tuple[np.ndarray, np.ndarray]:
    """(day, value) of every sale off the shelf, at equal volume with the deliveries.

    No sell-through reported: each delivery sells ``shelf_days`` later. Reported: each month's sales at its
    middle; what is still unsold at the end is assumed to sell ``shelf_days`` after the last month (it is
    our stock, not lost), and sales beyond the deliveries (stock shipped before the window) are scaled
    down to them, so every mode is compared on the same goods.
    """
    mid = (np.arange(len(months)) + 0.5) * MONTH_DAYS
    shipped = months["shipped_value"].to_numpy()
    sold = months["sold_value"].to_numpy()
    if np.isnan(sold).all():
        return mid + terms.shelf_days, shipped
    sold = np.clip(np.nan_to_num(sold), 0, None)
    if sold.sum() > shipped.sum() > 0:
        sold = sold * shipped.sum() / sold.sum()
    rest = shipped.sum() - sold.sum()
    if rest > 1e-9:
        return np.append(mid, len(months) * MONTH_DAYS + terms.shelf_days), np.append(sold, rest)
    return mid, sold


def _events(months: pd.DataFrame, mode: str, terms: SettlementTerms) -> pd.DataFrame:
    """Revenue and cash events of one mode: columns revenue_day, cash_day, revenue, cash."""
    mid = (np.arange(len(months)) + 0.5) * MONTH_DAYS
    shipped = months["shipped_value"].to_numpy()
    lag = terms.cycle_days / 2 + terms.terms_days
    if mode == "cash":
        day, value, cash_day, cash = mid, shipped, mid, shipped
    elif mode == "credit":
        day, value, cash_day, cash = mid, shipped, mid + lag + terms.dbt_days, shipped
    elif mode in ("consignment", "turnover_deduction"):
        day, value = _sales_events(months, terms)
        keep = 1.0 - terms.deduction_rate if mode == "turnover_deduction" else 1.0
        value = value * keep
        cash_day, cash = day + lag, value
    else:
        raise ValueError(f"settlement mode {mode!r} not one of {', '.join(MODES)}")
    return pd.DataFrame({"revenue_day": day, "cash_day": cash_day, "revenue": value, "cash": cash})


def _month_of(day: np.ndarray) -> np.ndarray:
    return np.floor(day / MONTH_DAYS).astype(int)


def _open_days(begin: np.ndarray, finish: np.ndarray, amount: np.ndarray, n: int) -> np.ndarray:
    """RMB·days of amounts open from ``begin`` to ``finish`` that fall in each of ``n`` months."""
    ends = (np.arange(n) + 1) * MONTH_DAYS
    starts = ends - MONTH_DAYS
    overlap = np.minimum(finish[None, :], ends[:, None]) - np.maximum(begin[None, :], starts[:, None])
    return (np.clip(overlap, 0, None) * amount[None, :]).sum(axis=1)


def _schedule(ev: pd.DataFrame, n: int, mode: str, terms: SettlementTerms, shipped: np.ndarray) -> pd.DataFrame:
    """Month by month: revenue, cash in (and its present value), receivable at month end, RMB·days
    outstanding, financing cost, and the stock we own on a consignment shelf."""
    rev_day, cash_day = ev["revenue_day"].to_numpy(), ev["cash_day"].to_numpy()
    revenue = np.bincount(_month_of(rev_day), ev["revenue"].to_numpy(), minlength=n)[:n]
    cash = np.bincount(_month_of(cash_day), ev["cash"].to_numpy(), minlength=n)[:n]
    pv = ev["cash"].to_numpy() / (1 + terms.rate) ** (cash_day / 365.0)  # each flow on its own day
    ends = (np.arange(n) + 1) * MONTH_DAYS
    amount = ev["cash"].to_numpy()
    outstanding = ((rev_day[None, :] <= ends[:, None]) & (cash_day[None, :] > ends[:, None])) * amount[None, :]
    ar_days = _open_days(rev_day, cash_day, amount, n)
    stock, stock_days = np.zeros(n), np.zeros(n)
    if mode == "consignment":  # delivered, not yet sold through: our goods on their shelf (at sales value)
        ship_day = (np.arange(n) + 0.5) * MONTH_DAYS
        sold = ev["revenue"].to_numpy()
        stock = np.array([shipped[ship_day <= e].sum() - sold[rev_day <= e].sum() for e in ends])
        on_shelf = _open_days(ship_day, np.full(n, np.inf), shipped, n) - _open_days(
            rev_day, np.full(len(sold), np.inf), sold, n
        )
        stock, stock_days = np.clip(stock, 0, None), np.clip(on_shelf, 0, None)
    return pd.DataFrame(
        {
            "mode": mode,
            "month_index": np.arange(n),
            "revenue": revenue,
            "cash_in": cash,
            "cash_pv": np.bincount(_month_of(cash_day), pv, minlength=n)[:n],
            "cash_day_sum": np.bincount(_month_of(cash_day), amount * cash_day, minlength=n)[:n],  # RMB × day
            "receivable_end": outstanding.sum(axis=1),
            "receivable_days": ar_days,
            "financing_cost": ar_days * terms.rate / 365.0,
            "consigned_stock_value": stock,
            "stock_days": stock_days,
        }
    )


def compute_settlement_schedule(
    months: pd.DataFrame, terms: SettlementTerms | None = None, modes: tuple[str, ...] = MODES
) -> pd.DataFrame:
    """The monthly cash flow of each settlement mode at equal volume.

    Parameters
    ----------
    months
        One row per month, oldest first: ``month`` (a label), ``shipped_value`` (RMB at the account's
        price, delivered that month) and optionally ``sold_value`` (RMB sold through to shoppers that month,
        from sell-out or consignment stock; NaN everywhere = assume the goods sell ``shelf_days`` after
        delivery). Not mutated.
    terms
        :class:`SettlementTerms` (defaults when None).
    modes
        The modes to evaluate.

    Returns
    -------
    pandas.DataFrame
        One row per mode and month, extended past the last month until the last cash arrives: ``mode,
        month_index, month, revenue, cash_in, cash_pv, cash_day_sum, receivable_end, receivable_days, financing_cost,
        consigned_stock_value, stock_days, fees``.

    Examples
    --------
    >>> months = pd.DataFrame({"month": ["2026-06"], "shipped_value": [24_000.0]})
    >>> s = compute_settlement_schedule(months, SettlementTerms(terms_days=60, cycle_days=0, rate=0.06))
    >>> round(s.loc[s["mode"] == "credit", "financing_cost"].sum(), 2)
    np.float64(236.71)
    """
    terms = terms or SettlementTerms()
    m = _check_months(months)
    all_events = {mode: _events(m, mode, terms) for mode in modes}
    last = max((int(_month_of(ev["cash_day"].to_numpy()).max()) for ev in all_events.values() if len(ev)), default=0)
    n = max(len(m), last + 1)
    labels = _month_labels(m["month"], n)
    frames = []
    for mode, ev in all_events.items():
        sched = _schedule(ev, n, mode, terms, np.pad(m["shipped_value"].to_numpy(), (0, n - len(m))))
        sched.insert(2, "month", labels)
        sched["fees"] = np.where((np.arange(n) < len(m)) & (mode != "cash"), terms.fees_per_month, 0.0)
        frames.append(sched)
    return pd.concat(frames, ignore_index=True)


def _month_labels(months: pd.Series, n: int) -> list[str]:
    """The given labels, continued as YYYY-MM where they are months (else "+1", "+2", ...)."""
    labels = [str(v) for v in months]
    try:
        last = pd.Period(labels[-1], freq="M")
        extra = [str(last + i) for i in range(1, n - len(labels) + 1)]
    except (ValueError, TypeError, IndexError):
        extra = [f"+{i}" for i in range(1, n - len(labels) + 1)]
    return labels + extra


def summarise_settlement(
    schedule: pd.DataFrame, months: pd.DataFrame, terms: SettlementTerms | None = None, deposit: float = 0.0
) -> pd.DataFrame:
    """Per mode: revenue, cash, receivables, financing cost, bad-debt exposure and NPV difference vs cash.

    Parameters
    ----------
    schedule
        From :func:`compute_settlement_schedule` with the same ``months`` and ``terms``.
    months
        The input months (for the horizon: the number of months given).
    terms
        The terms the schedule was computed at.
    deposit
        The account's deposit (保证金), which secures part of the receivable (lowers the LGD).

    Returns
    -------
    pandas.DataFrame
        One row per mode: ``mode, revenue, cash_in, avg_receivable, peak_receivable, dso_days,
        cash_delay_days, financing_cost, bad_debt_exposure, expected_credit_loss, consignment_cost, fees, npv,
        npv_vs_cash``. ``avg_receivable`` = RMB·days outstanding ÷ the days of the input months: the
        receivable carried while sales continue at this rate (METHODS: AR ≈ daily sales × DSO);
        ``peak_receivable`` the highest month-end receivable of these deliveries alone; ``dso_days`` =
        RMB·days ÷ revenue; ``cash_delay_days`` the cash-weighted days from delivery to cash (for
        consignment it includes the shelf time); ``bad_debt_exposure`` = ``avg_receivable`` (exposure at default, against which a
        deposit's coverage is measured); ``expected_credit_loss`` = PD × LGD × RMB·days/365 (the yearly
        default probability applied for as long as the money is out).
    """
    terms = terms or SettlementTerms()
    horizon = len(months) * MONTH_DAYS
    shipped = pd.to_numeric(months["shipped_value"]).to_numpy(dtype=float)
    mid = (np.arange(len(shipped)) + 0.5) * MONTH_DAYS
    ship_day = float((shipped * mid).sum() / shipped.sum()) if shipped.sum() > 0 else 0.0
    rows = []
    for mode, g in schedule.groupby("mode", sort=False):
        ar_days = float(g["receivable_days"].sum())
        avg_ar = ar_days / horizon if horizon else 0.0  # steady state: the pattern repeats every horizon
        revenue, cash = float(g["revenue"].sum()), float(g["cash_in"].sum())
        peak = float(g["receivable_end"].max())
        loss = terms.with_deposit(deposit, avg_ar)
        carry = float(g["stock_days"].sum()) * terms.cogs_ratio * terms.rate / 365.0
        carry += revenue * terms.cogs_ratio * terms.shrink_rate if mode == "consignment" else 0.0
        npv = float(g["cash_pv"].sum()) - float(g["fees"].sum())
        rows.append(
            {
                "mode": mode,
                "revenue": revenue,
                "cash_in": cash,
                "avg_receivable": avg_ar,
                "peak_receivable": peak,
                "dso_days": ar_days / revenue if revenue > 0 else 0.0,
                "cash_delay_days": max(0.0, float(g["cash_day_sum"].sum()) / cash - ship_day) if cash > 0 else 0.0,
                "financing_cost": float(g["financing_cost"].sum()),
                "bad_debt_exposure": avg_ar,
                "expected_credit_loss": loss.pd_annual * loss.lgd * ar_days / 365.0,
                "consignment_cost": carry,
                "fees": float(g["fees"].sum()),
                "npv": npv,
            }
        )
    out = pd.DataFrame(rows)
    cash_npv = out.loc[out["mode"] == "cash", "npv"]
    out["npv_vs_cash"] = out["npv"] - (float(cash_npv.iloc[0]) if len(cash_npv) else np.nan)
    return out


def compare_settlement(
    months: pd.DataFrame, terms: SettlementTerms | None = None, deposit: float = 0.0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`compute_settlement_schedule` and :func:`summarise_settlement` in one call: (schedule, summary)."""
    terms = terms or SettlementTerms()
    schedule = compute_settlement_schedule(months, terms)
    return schedule, summarise_settlement(schedule, months, terms, deposit)
