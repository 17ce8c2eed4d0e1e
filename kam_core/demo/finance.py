"""Credit terms and settlement modes, invoices and payments (some late, a few bounced), and KA fees."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kam_core.demo.season import History

# settlement mode shares and payment days per tier
MODES = {
    "DIST": (["cash", "credit"], [0.4, 0.6], [30, 45, 60]),
    "WHS2": (["cash", "credit"], [0.6, 0.4], [15, 30]),
    "KA": (["credit", "consignment", "turnover_deduction"], [0.4, 0.25, 0.35], [45, 60, 90]),
    "RETAIL": (["cash", "credit"], [0.9, 0.1], [7, 15]),
    "ONPREM": (["cash", "credit"], [0.55, 0.45], [30]),
}
CYCLE = {"DIST": "monthly", "WHS2": "semi_monthly", "KA": "monthly", "RETAIL": "semi_monthly", "ONPREM": "monthly"}
VAT = 0.13


def plan_credit(rng: np.random.Generator, acc: pd.DataFrame, h: History) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Settlement mode and terms per account (with an earlier version for some), and the credit_terms table.

    Adds columns mode, terms, mode0, terms0, change_day to the account plan.
    """
    n = len(acc)
    out = acc.copy()
    mode = np.empty(n, dtype=object)
    terms = np.zeros(n, dtype=int)
    for tier, (modes, p, days) in MODES.items():
        m = (out["tier"] == tier).to_numpy()
        mode[m] = rng.choice(modes, m.sum(), p=p)
        terms[m] = rng.choice(days, m.sum())
    terms = np.where(mode == "cash", 0, terms)
    changed = rng.random(n) < 0.2
    was_cash = changed & (mode == "credit") & (rng.random(n) < 0.3)
    out["mode"], out["terms"] = mode, terms
    out["mode0"] = np.where(was_cash, "cash", mode)
    out["terms0"] = np.where(was_cash, 0, np.where(changed & (terms > 15), terms - 15, terms))
    out["change_day"] = np.where(changed, rng.integers(60, max(h.days - 60, 61), n), -1)
    monthly_value = out["size"].to_numpy() / 12 * 45.0
    limit = np.where(mode == "cash", 0.0, np.round(monthly_value * (terms / 30 + 0.5), -3))
    deduction = np.where(mode == "turnover_deduction", np.round(rng.uniform(0.08, 0.18, n), 3), np.nan)
    deposit = np.where(out["tier"] == "DIST", np.round(rng.uniform(5e4, 2e5, n), -3), 0.0)
    ordering = out["status"].isin(["active", "lost", "signed"]).to_numpy()
    since = pd.to_datetime(out["first_order_date"]).fillna(h.end - pd.Timedelta(days=20))
    change = h.start + pd.to_timedelta(np.maximum(out["change_day"].to_numpy(), 0), unit="D")
    cur_from = np.where(changed, change, since)
    base = dict(
        statement_cycle=out["tier"].map(CYCLE), deduction_rate=deduction, deposit_amount=deposit, approved_by="DIR001"
    )
    cur = pd.DataFrame(
        dict(
            account_id=out["account_id"],
            valid_from=cur_from,
            valid_to=pd.NaT,
            settlement_mode=mode,
            payment_terms_days=terms,
            credit_limit=limit,
            reason="年度授信 annual review",
            **base,
        )
    )
    old = pd.DataFrame(
        dict(
            account_id=out["account_id"],
            valid_from=since,
            valid_to=change - pd.Timedelta(days=1),
            settlement_mode=out["mode0"],
            payment_terms_days=out["terms0"],
            credit_limit=np.round(limit * 0.7, -3),
            reason="首次授信 first terms",
            **base,
        )
    )
    old_ok = changed & ordering & (since < change).to_numpy()
    table = pd.concat([old[old_ok], cur[ordering]], ignore_index=True)
    table.loc[table["settlement_mode"] != "turnover_deduction", "deduction_rate"] = np.nan
    table["valid_from"] = pd.to_datetime(table["valid_from"]).dt.normalize()
    return out, table.sort_values(["account_id", "valid_from"], kind="mergesort").reset_index(drop=True)


def invoices_and_payments(
    rng: np.random.Generator, acc: pd.DataFrame, header: pd.DataFrame, value: np.ndarray, h: History
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An invoice per order on terms (credit, consignment, turnover deduction) and its payments.

    Most accounts pay around the due date; a few habitually pay late; about 1% of payments bounce and are
    paid again later. Invoices not yet due by the end of history may be unpaid.
    """
    on_terms = (header["settlement_mode"] != "cash").to_numpy() & ~header["is_return"].to_numpy()
    hd = header[on_terms]
    amount = np.round(value[on_terms], 2)
    inv = pd.DataFrame(
        {
            "invoice_id": "INV" + hd["order_id"].str[2:],
            "account_id": hd["account_id"].to_numpy(),
            "order_id": hd["order_id"].to_numpy(),
            "invoice_date": hd["order_date"].to_numpy(),
            "due_date": hd["order_date"].to_numpy() + pd.to_timedelta(hd["payment_terms_days"], unit="D"),
            "amount": amount,
            "vat_amount": np.round(amount * VAT, 2),
        }
    )
    pos = pd.Series(np.arange(len(acc)), index=acc["account_id"])
    a = pos[inv["account_id"]].to_numpy()
    late_habit = np.where(rng.random(len(acc)) < 0.15, rng.uniform(10, 45, len(acc)), rng.uniform(-3, 4, len(acc)))
    delay = late_habit[a] + rng.normal(0, 5, len(inv))
    pay_date = (inv["due_date"] + pd.to_timedelta(np.round(delay), unit="D")).clip(lower=inv["invoice_date"])
    bounced = rng.random(len(inv)) < 0.01
    paid = pay_date <= h.end
    first = pd.DataFrame(
        {
            "invoice_id": inv["invoice_id"],
            "pay_date": pay_date,
            "amount": inv["amount"] + inv["vat_amount"],
            "method": np.where(bounced, "cheque", rng.choice(["transfer", "transfer", "acceptance"], len(inv))),
            "bounced": bounced,
        }
    )[paid]
    retry_date = pay_date + pd.to_timedelta(rng.integers(7, 30, len(inv)), unit="D")
    retry = pd.DataFrame(
        {
            "invoice_id": inv["invoice_id"],
            "pay_date": retry_date,
            "amount": inv["amount"] + inv["vat_amount"],
            "method": "transfer",
            "bounced": False,
        }
    )[bounced & (retry_date <= h.end).to_numpy() & paid]
    pays = pd.concat([first, retry], ignore_index=True).sort_values(["pay_date", "invoice_id"], kind="mergesort")
    pays["amount"] = np.round(pays["amount"], 2)
    return inv, pays.reset_index(drop=True)


def ka_fees(rng: np.random.Generator, acc: pd.DataFrame, h: History) -> pd.DataFrame:
    """Fees KA chains charge: entry (each January), barcode (per SKU listed), display (monthly), festival
    (Spring Festival, Mid-Autumn, National Day), promoter (monthly, big stores), year-end rebate."""
    ka = acc[(acc["tier"] == "KA") & (acc["start_day"] < h.days)]
    rows = []
    for _, r in ka.iterrows():
        start = h.start + pd.Timedelta(days=int(r["start_day"]))
        stop = h.start + pd.Timedelta(days=int(min(r["loss_day"], h.days) - 1))
        scale = r["size"] / 2_400.0
        for ms in pd.date_range(start.replace(day=1), stop, freq="MS"):
            if ms.month == 1 or ms == start.replace(day=1):
                rows.append((r["account_id"], "entry", ms, round(6_000 * scale**0.5 * rng.uniform(0.7, 1.3), -2)))
                rows.append((r["account_id"], "barcode", ms + pd.Timedelta(days=4), 600.0 * int(rng.integers(3, 9))))
            rows.append(
                (
                    r["account_id"],
                    "display",
                    ms + pd.Timedelta(days=9),
                    round(800 * scale**0.6 * rng.uniform(0.6, 1.4), -1),
                )
            )
            if ms.month in (1, 9, 10):
                rows.append(
                    (
                        r["account_id"],
                        "festival",
                        ms + pd.Timedelta(days=14),
                        round(3_000 * scale**0.5 * rng.uniform(0.7, 1.3), -2),
                    )
                )
            if scale > 1.5:
                rows.append((r["account_id"], "promoter", ms + pd.Timedelta(days=27), 3_800.0))
            if ms.month == 12:
                rows.append(
                    (
                        r["account_id"],
                        "year_end_rebate",
                        ms + pd.Timedelta(days=30),
                        round(2_000 * scale * rng.uniform(0.5, 1.5), -2),
                    )
                )
    fees = pd.DataFrame(rows, columns=["account_id", "fee_type", "fee_date", "amount"])
    fees = fees[fees["fee_date"] <= h.end]
    fees["deducted_from_settlement"] = fees["fee_type"].isin(["display", "festival", "promoter", "year_end_rebate"])
    return fees.sort_values(["fee_date", "account_id", "fee_type"], kind="mergesort").reset_index(drop=True)


def consignment_stock(
    rng: np.random.Generator,
    acc: pd.DataFrame,
    lines: pd.DataFrame,
    line_account: np.ndarray,
    line_day: np.ndarray,
    h: History,
) -> pd.DataFrame:
    """Month-end stock we own on the shelves of consignment (代销实结) KA accounts: about two to four weeks of
    that month's sales per SKU."""
    on_consignment = (acc["mode"] == "consignment").to_numpy() & (acc["tier"] == "KA").to_numpy()
    m = on_consignment[line_account] & (lines["qty_cases"].to_numpy() > 0)
    if not m.any():
        return pd.DataFrame(columns=["account_id", "sku_id", "snap_date", "qty_cases"])
    month_end = (h.start + pd.to_timedelta(line_day[m], unit="D")) + pd.offsets.MonthEnd(0)
    df = pd.DataFrame(
        {
            "account_id": acc["account_id"].to_numpy()[line_account[m]],
            "sku_id": lines["sku_id"].to_numpy()[m],
            "snap_date": month_end,
            "qty": lines["qty_cases"].to_numpy()[m],
        }
    )
    g = df.groupby(["account_id", "sku_id", "snap_date"], as_index=False)["qty"].sum()
    g = g[g["snap_date"] <= h.end]
    g["qty_cases"] = np.round(g["qty"] * rng.uniform(0.5, 1.0, len(g)))
    return g.drop(columns="qty")
