"""An independent pandas computation of the scorecard figures that invoice lines alone determine.

Nothing from kam_core is imported: the file is read, decoded, parsed and checked here, with rules
written down from kam_core/io/transactions.py's contract, docs/METHODS.md §2-§3 and the scorecard's
docstrings. Per account, over a window (``as_of``, ``since``): sales, volume, cost and profit, last
year, growth, orders, order days and weeks, first/last dates, tenure, recency, monthly sales CV;
ABC (§2.3), size tier (§2.2) and pyramid (§2.1) within channel; the whale-curve KPIs (§2.4).

With only ERP lines in the database there are no visits, fees, rebates, redemptions or receivables,
so cost to serve is 0 and net profit = gross profit − free-goods cost (scorecard.py ``_money``).

Which lines count (:class:`Rules`; :data:`TARGET` is what issue #12 asks for):
- refused, always: no invoice, customer or product code; unreadable date or number; quantity 0;
  negative price or cost; a line whose invoice number already belongs to another customer or
  date (the invoice's first line, in file order, decides).
- repeat lines (the whole row identical to an earlier one) are real purchases and count.
- free goods (a goods line at price 0) are given away: as the data model's ``free_qty_cases``
  (docs/METHODS.md §7), they are not in volume, sales or COGS; their cost is promotion spend
  (``free_goods_cost``), so it lowers net profit, not gross profit.
- a line's cost is its unit cost, else the SKU's first unit cost in the file, else unknown; an
  account whose goods lines of known cost make up less than half (:data:`MIN_COVERAGE`) of its net
  sales in the window has unknown cogs, gross and net profit (NaN) and no pyramid tier; with at
  least half costed, the unknown costs count as 0 (the scorecard marks the account "partial");
  the whale curve is over the accounts whose profit is known.
- accounts: every customer with a valid line on or before ``as_of``; an account without a sales
  order up to ``as_of`` has 0 order days and weeks.
:data:`TODAY` reproduces what the importer and scorecard did before #12 (used to explain mismatches).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

SERVICE = re.compile(r"运费|邮费|快递费|物流费|配送费|freight|postage|shipping|courier", re.I)
CHANNELS = {
    "DIST": ("dist", "一批商", "一批", "经销商", "distributor"),
    "WHS2": ("whs2", "二批商", "二批", "批发商", "wholesaler"),
    "KA": ("ka", "卖场", "超市", "连锁超市", "hypermarket"),
    "RETAIL": ("retail", "小终端", "便利店", "烟酒店", "零售"),
    "ONPREM": ("onprem", "餐饮", "饭店", "酒楼"),
}
CHANNEL_OF = {w: code for code, words in CHANNELS.items() for w in words}
EPOCH = dt.date(1970, 1, 1)


MIN_COVERAGE = 0.5  # the product's documented rule (kam_core/analytics/cost_basis.py), written down here


@dataclass(frozen=True)
class Rules:
    """Which lines count and how unknown costs and not-yet customers are treated (module docstring)."""

    repeat_lines: bool = True
    zero_price_goods: bool = True
    unknown_cost_zero: bool = False
    future_accounts: bool = False  # score customers whose first line is after as_of (with zeros)
    no_sales_days_unknown: bool = False  # order days/weeks NaN, not 0, without a sales order up to as_of


TARGET = Rules()
TODAY = Rules(
    repeat_lines=False, zero_price_goods=False, unknown_cost_zero=True, future_accounts=True, no_sales_days_unknown=True
)


def parse_mapping(text: str) -> dict[str, str]:
    """``"invoice=单据号,date=日期"`` -> ``{"invoice": "单据号", "date": "日期"}``."""
    return dict(pair.split("=", 1) for pair in text.split(","))


def read_rows(path: Path, encoding: str | None = None) -> tuple[list[str], list[list[str]]]:
    """Header and data rows as text (UTF-8 with or without BOM, else GB18030); blank rows dropped."""
    data = Path(path).read_bytes()
    for enc in ([encoding] if encoding else []) + ["utf-8-sig", "gb18030"]:
        try:
            text = data.decode("gb18030" if enc == "gbk" else enc)
            break
        except UnicodeDecodeError:
            continue
    text = text.removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [h.strip() for h in rows[0]]
    body = [r + [""] * (len(header) - len(r)) for r in rows[1:] if any(c.strip() for c in r)]
    return header, body


def parse_date(text: str) -> dt.date | None:
    s = text.strip()
    if m := re.fullmatch(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?", s):
        y, mo, d = int(m[1]), int(m[3]), int(m[4])
    elif m := re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", s):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    elif m := re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    elif re.fullmatch(r"\d{1,5}(\.\d+)?", s) and 1 <= float(s) < 80_000:  # Excel serial day
        return dt.date(1899, 12, 30) + dt.timedelta(days=round(float(s)))
    else:
        return None
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def parse_number(text: str) -> float | None:
    s = text.strip()
    if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?", s):
        s = s.replace(",", "")
    try:
        x = float(s)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def _line(row: list[str], col: dict[str, int]) -> dict:
    get = lambda f: row[col[f]].strip() if f in col else ""  # noqa: E731
    line = {f: get(f) for f in ("invoice", "account_id", "sku", "account_name", "product_name", "channel")}
    line.update(
        date=parse_date(get("date")),
        qty=parse_number(get("quantity")),
        price=parse_number(get("unit_price")),
        raw_cost=get("unit_cost"),
    )
    line["cost"] = parse_number(line["raw_cost"]) if line["raw_cost"] else np.nan
    line["service"] = bool(SERVICE.search(line["sku"]) or SERVICE.search(line["product_name"]))
    return line


def _refusal(line: dict, rules: Rules) -> str | None:
    if not line["invoice"] or not line["account_id"] or not line["sku"]:
        return "missing code"
    if line["date"] is None or line["qty"] is None or line["price"] is None or line["cost"] is None:
        return "unreadable"
    if line["qty"] == 0 or line["price"] < 0 or line["cost"] < 0:
        return "zero quantity or negative amount"
    if line["price"] == 0 and not line["service"] and not rules.zero_price_goods:
        return "zero price on a goods line"
    return None


def valid_lines(
    path: Path, mapping: dict[str, str], encoding: str | None = None, rules: Rules = TARGET
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The lines that count (file order, with a line cost) and the number refused per reason."""
    header, rows = read_rows(path, encoding)
    col = {f: header.index(c) for f, c in mapping.items()}
    lines, refused, owner, seen = [], {}, {}, set()
    for row in rows:
        line = _line(row, col)
        reason = _refusal(line, rules)
        if reason is None and owner.setdefault(line["invoice"], (line["account_id"], line["date"])) != (
            line["account_id"],
            line["date"],
        ):
            reason = "invoice of another customer or date"
        if reason is None and not rules.repeat_lines and tuple(row) in seen:
            reason = "repeat line"
        if reason:
            refused[reason] = refused.get(reason, 0) + 1
            continue
        seen.add(tuple(row))
        lines.append(line)
    df = pd.DataFrame(lines, columns=list(_line([""] * len(header), col)))
    first_cost = df.dropna(subset=["cost"]).groupby("sku")["cost"].first()
    df["cost"] = df["cost"].fillna(df["sku"].map(first_cost))
    if rules.unknown_cost_zero:
        df["cost"] = df["cost"].fillna(0.0)
    df["date"] = pd.to_datetime(df["date"])
    return df, refused


def resolve_window(lines: pd.DataFrame, as_of=None, since=None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(start, end): as_of defaults to the last line's date, since to 12 months before (exclusive)."""
    end = pd.Timestamp(as_of) if as_of else lines["date"].max()
    start = pd.Timestamp(since) if since else end - pd.DateOffset(months=12) + pd.Timedelta(days=1)
    return start, end


def _accounts(lines: pd.DataFrame, end: pd.Timestamp, rules: Rules) -> pd.DataFrame:
    per = lines.groupby("account_id", sort=True)
    acc = pd.DataFrame({"first_seen": per["date"].min()})
    chan = lines[lines["channel"] != ""].groupby("account_id")["channel"].first().str.lower().map(CHANNEL_OF)
    acc["channel"] = chan.reindex(acc.index).fillna("RETAIL")
    if not rules.future_accounts:
        acc = acc[acc["first_seen"] <= end]
    return acc


def _sums(goods: pd.DataFrame, index: pd.Index, unknown_cost_zero: bool) -> pd.DataFrame:
    g = goods.assign(sales=goods["qty"] * goods["price"], cogs=goods["qty"] * goods["cost"])
    per = g.groupby("account_id")
    out = pd.DataFrame(
        {"net_sales": per["sales"].sum(), "volume_cases": per["qty"].sum(), "cogs": per["cogs"].sum(min_count=1)}
    ).reindex(index)
    uncosted = g["cogs"].isna()
    n_unknown = uncosted.groupby(g["account_id"]).sum().reindex(index, fill_value=0)
    unknown_sales = g["sales"].where(uncosted, 0.0).groupby(g["account_id"]).sum().reindex(index, fill_value=0.0)
    out = out.fillna({"net_sales": 0.0, "volume_cases": 0.0, "cogs": 0.0})
    if not unknown_cost_zero:
        # costed share of net sales below MIN_COVERAGE: profit unknown; at or above it the known costs are
        # used (the scorecard marks such an account "partial")
        ns = out["net_sales"].where(out["net_sales"] > 0)
        coverage = (1 - unknown_sales / ns).clip(0, 1).fillna(0.0).where(n_unknown > 0, 1.0)
        out.loc[(n_unknown > 0) & (coverage + 1e-12 < MIN_COVERAGE), "cogs"] = np.nan
    return out


def _orders(lines: pd.DataFrame, acc: pd.DataFrame, start, end, rules: Rules) -> pd.DataFrame:
    inv = (
        lines.assign(neg=lines["qty"] < 0)
        .groupby("invoice")
        .agg(account_id=("account_id", "first"), date=("date", "first"), ret=("neg", "all"))
    )
    win = inv[inv["date"].between(start, end)].groupby("account_id")
    out = pd.DataFrame(
        {"n_orders": win.size(), "first_order_in_window": win["date"].min(), "last_order_date": win["date"].max()}
    ).reindex(acc.index)
    sales = inv[~inv["ret"] & (inv["date"] <= end)][["account_id", "date"]].drop_duplicates()
    sales = sales.assign(week=(sales["date"] - pd.Timestamp(EPOCH)).dt.days // 7, in_w=sales["date"] >= start)
    per = sales.groupby("account_id")
    out["first_order_ever"], out["last_order_ever"] = per["date"].min(), per["date"].max()
    out["order_days_ever"], out["order_weeks_ever"] = per.size(), per["week"].nunique()
    out["order_days_window"] = per["in_w"].sum()
    out["order_weeks_window"] = sales[sales["in_w"]].groupby("account_id")["week"].nunique()
    days = ["order_days_ever", "order_weeks_ever", "order_days_window", "order_weeks_window"]
    out = out.fillna({"n_orders": 0} | ({} if rules.no_sales_days_unknown else dict.fromkeys(days, 0)))
    years = ((end - start).days + 1) / 365.25
    first = pd.concat([acc["first_seen"], out["first_order_ever"]], axis=1).min(axis=1)
    out["tenure_years"] = ((end - first).dt.days / 365.25).clip(lower=0)
    out["recency_days"] = (end - out["last_order_ever"]).dt.days.astype(float)
    out["orders_per_year"] = out["n_orders"] / years
    return out


def _sales_cv(goods: pd.DataFrame, index: pd.Index, start, end) -> pd.Series:
    months = [p.strftime("%Y-%m") for p in pd.period_range(start, end, freq="M")]
    g = goods[goods["date"].between(start, end)]
    m = (g["qty"] * g["price"]).groupby([g["account_id"], g["date"].dt.strftime("%Y-%m")]).sum().unstack()
    m = m.reindex(index=index, columns=months).fillna(0.0)
    mean = m.mean(axis=1)
    return m.std(axis=1) / mean.where(mean > 0)


def account_figures(lines: pd.DataFrame, start, end, rules: Rules = TARGET) -> pd.DataFrame:
    """Per account (index account_id): every line-derived figure of the window (module docstring)."""
    acc = _accounts(lines, end, rules)
    lines = lines[lines["account_id"].isin(acc.index)]
    free = ~lines["service"] & (lines["price"] == 0)
    goods = lines[~lines["service"] & ~free]
    cur = goods[goods["date"].between(start, end)]
    gifts = lines[free & lines["date"].between(start, end)]
    ly_start, ly_end = start - pd.DateOffset(years=1), end - pd.DateOffset(years=1)
    ly = goods[goods["date"].between(ly_start, ly_end) & ~goods["date"].between(start, end)]
    out = acc.join(_sums(cur, acc.index, rules.unknown_cost_zero))
    out["gross_sales"] = out["net_sales"]  # ERP lines carry one price: list = invoice price
    out["gross_profit"] = out["net_sales"] - out["cogs"]
    out["cost_to_serve"] = 0.0
    out["free_goods_cost"] = _sums(gifts, acc.index, rules.unknown_cost_zero)["cogs"]
    out["promo_spend"] = out["free_goods_cost"]
    out["net_profit"] = out["gross_profit"] - out["promo_spend"]
    last = _sums(ly, acc.index, True)
    out["ly_net_sales"], out["ly_volume_cases"] = last["net_sales"], last["volume_cases"]
    out["growth"] = out["net_sales"] / out["ly_net_sales"].where(out["ly_net_sales"] > 0) - 1
    out = out.join(_orders(lines, acc, start, end, rules))
    out["sales_cv"] = _sales_cv(goods, acc.index, start, end)
    return label_tiers(out)


def _ranked(df: pd.DataFrame, value: str) -> pd.DataFrame:
    """Within channel: value descending, ties by account_id; rank from 1 and channel size."""
    s = df.reset_index()[["account_id", "channel", value]]
    s = s.sort_values(["channel", value, "account_id"], ascending=[True, False, True])
    s["rank"] = s.groupby("channel").cumcount() + 1
    s["n"] = s["channel"].map(df["channel"].value_counts())
    return s.set_index("account_id")


def abc(df: pd.DataFrame, value: str) -> pd.Series:
    """§2.3: A while the cumulative share before the account is < 80% (the crossing one is A), B < 95%.

    In whole cents and integers, so a share of exactly 80% is exactly 80% (not 0.7999999999999999).
    """
    cents = (df[value].fillna(0).clip(lower=0) * 100).round().astype("int64")
    s = _ranked(df.assign(**{value: cents}), value)
    total = s.groupby("channel")[value].transform("sum")
    before = s.groupby("channel")[value].cumsum() - s[value]
    cls = np.where(before * 100 < 80 * total, "A", np.where(before * 100 < 95 * total, "B", "C"))
    return pd.Series(np.where(s[value] <= 0, "C", cls), index=s.index).reindex(df.index)


def _cut(rank: int, n: int, percents: tuple[int, ...], labels: tuple[str, ...]) -> str:
    """The first label whose cut-off (in whole percent) rank ÷ n does not exceed; exact integers."""
    return next((lab for pct, lab in zip(percents, labels, strict=False) if rank * 100 <= pct * n), labels[-1])


def size_tier(df: pd.DataFrame) -> pd.Series:
    """§2.2 on net sales: top 5% vip, next 15% major, next 30% ordinary, rest small (by rank ÷ channel size)."""
    s = _ranked(df, "net_sales")
    labels = ("vip", "major", "ordinary", "small")
    return pd.Series(
        [_cut(r, n, (5, 20, 50), labels) for r, n in zip(s["rank"], s["n"], strict=True)], index=s.index
    ).reindex(df.index)


def pyramid(df: pd.DataFrame) -> pd.Series:
    """§2.1 on net profit: lead ≤ 0; positive ranked, p = rank ÷ all accounts of the channel whose profit is
    known (an account without cost data is not in the pyramid, so not in its denominator); 20% / 50%."""
    out = pd.Series("lead", index=df.index, dtype=object)
    out[df["net_profit"].isna()] = None
    pos = df[df["net_profit"] > 0]
    if len(pos):
        s = _ranked(pos, "net_profit")
        n_all = s["channel"].map(df.loc[df["net_profit"].notna(), "channel"].value_counts())
        out[s.index] = [
            _cut(r, n, (20, 50), ("platinum", "gold", "iron")) for r, n in zip(s["rank"], n_all, strict=True)
        ]
    return out


def few_order_days(df: pd.DataFrame) -> pd.Series:
    """docs/methods_key_accounts.md §3: order days strictly below the channel's 20th percentile (numpy's linear
    percentile), only in channels of at least 5 accounts."""
    days = df["order_days_window"].fillna(0).astype(float)
    out = pd.Series(False, index=df.index)
    for _, idx in df.groupby("channel").groups.items():
        if len(idx) >= 5:
            out[idx] = days[idx] < np.percentile(days[idx].to_numpy(), 20)
    return out


def label_tiers(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    sales, profit = abc(df, "net_sales"), abc(df, "net_profit").where(df["net_profit"].notna())
    out["key_account"] = sales.eq("A") | profit.eq("A")  # the 80/80 union, on the share classes
    low = few_order_days(df)
    out["abc_class"] = sales.where(~low, "C")
    out["size_tier"], out["pyramid_tier"] = size_tier(df), pyramid(df)
    out["abc_class_profit"] = profit.where(~low | profit.isna(), "C")
    return out


def whale(df: pd.DataFrame) -> dict:
    """§2.4 KPIs over the accounts whose net profit is known."""
    v = df["net_profit"].dropna().reset_index().sort_values(["net_profit", "account_id"], ascending=[False, True])
    profit = v["net_profit"].to_numpy()
    n, total = len(profit), float(profit.sum())
    cum = np.cumsum(profit)
    k20 = math.ceil(0.2 * n)
    top20 = float(cum[k20 - 1]) if k20 else 0.0
    return {
        "n_accounts": n,
        "total_profit": total,
        "top20_profit": top20,
        "top20_share": top20 / total if total > 0 else None,
        "peak_share": float(cum.max()) / total if total > 0 and n else None,
        "share_negative": float((profit < 0).mean()) if n else 0.0,
        "tail_loss": float(profit[profit < 0].sum()),
        "relative": total > 0,
    }


@dataclass(frozen=True)
class Reference:
    """Everything the test compares for one file and window."""

    accounts: pd.DataFrame
    whale: dict
    start: pd.Timestamp
    end: pd.Timestamp
    n_valid: int
    refused: dict[str, int]


def compute_reference(
    path: Path,
    mapping: str | dict[str, str],
    as_of=None,
    since=None,
    encoding: str | None = None,
    rules: Rules = TARGET,
) -> Reference:
    """The reference figures of ``path`` for the window (see the module docstring)."""
    mapping = parse_mapping(mapping) if isinstance(mapping, str) else mapping
    lines, refused = valid_lines(path, mapping, encoding, rules)
    start, end = resolve_window(lines, as_of, since)
    figures = account_figures(lines, start, end, rules)
    return Reference(figures, whale(figures), start, end, len(lines), refused)


__all__ = ["TARGET", "TODAY", "Reference", "Rules", "compute_reference"]
