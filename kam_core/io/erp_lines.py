"""Checking one chunk of ERP invoice lines: parse the mapped columns and find the bad lines.

All checks are vectorised pandas operations (a chunk is 200,000 lines); each bad cell becomes a
:class:`~kam_core.io.results.Problem` in the same format as table imports, and each bad line
gets the code of its first failing check (the reason counted in the summary).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kam_core.io.parsing import EXPECT_DATE, parse_dates, parse_numbers
from kam_core.io.results import Problem

REQUIRED = ("invoice", "date", "account_id", "sku", "quantity", "unit_price")
OPTIONAL = ("account_name", "product_name", "unit_cost", "channel", "region", "case_factor", "promo_id")
FIELDS = REQUIRED + OPTIONAL

# reason code -> label in the summary and the rejects file. 0 = valid, 255 = blank line (ignored).
REASONS = {
    1: "no invoice number",
    2: "no customer",
    3: "no product code",
    4: "date not readable",
    5: "quantity not a number",
    6: "zero quantity",
    7: "unit price not a number or negative",
    9: "unit cost not a number or negative",
    10: "unknown channel",
    11: "code too long",
    12: "exact duplicate of an earlier line",
    13: "invoice already used for another customer or date",
    14: "quantity, price or cost beyond 1e9",
    15: "case factor not a number above 0",
    16: "unknown promotion",
    17: "product outside the promotion's SKU scope",
}
# No real invoice line has a billion cases or a price of a billion per case; 1e308 or 99999999999999999999
# would turn every sum into inf or noise, so they are refused as typing errors.
MAX_AMOUNT = 1e9
BLANK = 255
SERVICE_PATTERN = re.compile(
    r"postage|freight|shipping|delivery\s*fee|courier|运费|邮费|快递费|物流费|运输费|配送费|运杂费", re.I
)
CHANNEL_ALIASES = {
    "DIST": ("dist", "一批商", "一批", "经销商", "总经销", "distributor"),
    "WHS2": ("whs2", "二批商", "二批", "批发商", "分销商", "wholesaler"),
    "KA": ("ka", "ka卖场", "卖场", "大卖场", "超市", "连锁超市", "hypermarket"),
    "RETAIL": ("retail", "小终端", "便利店", "土杂店", "零售", "小店", "烟酒店"),
    "ONPREM": ("onprem", "餐饮", "饭店", "酒楼", "夜场", "on-premise"),
}
MAX_INVOICE = 28  # order_id = "ERP-" + invoice must fit 32 characters
MAX_CODE = 32


def channel_lookup(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Lower-cased channel words and codes -> tier code (``extra`` adds names from channel_tier)."""
    out = {alias.lower(): code for code, aliases in CHANNEL_ALIASES.items() for alias in aliases}
    out.update({k.lower(): v for k, v in (extra or {}).items()})
    return out


@dataclass
class Chunk:
    """Parsed lines of one chunk (index = 0-based data line in the file) and their first failure code."""

    inv: pd.Series
    acct: pd.Series
    sku: pd.Series
    date: pd.Series
    qty: pd.Series
    price: pd.Series
    cost: pd.Series
    name: pd.Series
    product_name: pd.Series
    tier: pd.Series  # tier code from the channel; "" without one (the import's default tier applies)
    region: pd.Series
    service: pd.Series
    code: np.ndarray
    problems: list[Problem]
    messages: dict[int, list[str]]
    case_factor: pd.Series | None = None  # NaN when the file has no case_factor column or the cell is empty
    promo: pd.Series | None = None  # promotion id of the line; "" without one


def _matches(values: pd.Series, pattern: re.Pattern) -> pd.Series:
    """Regex search on the distinct values only (an ERP file repeats a few dozen product names)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    hit = np.fromiter((bool(pattern.search(str(u))) for u in uniques), dtype=bool, count=len(uniques))
    return pd.Series(hit[codes] if len(codes) else np.zeros(0, bool), index=values.index)


def _text(df: pd.DataFrame, column: str | None) -> pd.Series:
    if column is None:
        return pd.Series("", index=df.index, dtype=str)
    return df[column].astype(str).str.strip()


def parse_chunk(
    df: pd.DataFrame,
    cols: dict[str, str | None],
    file: str,
    channels: dict[str, str],
    service_skus: set[str],
    collect: bool = True,
    promos: dict[str, frozenset[str] | None] | None = None,
) -> Chunk:
    """Parse the mapped columns of ``df`` (text) and flag every bad line (see :data:`REASONS`).

    ``promos`` maps the stored promotion ids to their SKU scope (None = every SKU): a ``promo_id`` cell must
    name one of them, and the line's SKU must be in its scope.
    """
    inv, acct, sku = _text(df, cols["invoice"]), _text(df, cols["account_id"]), _text(df, cols["sku"])
    date, bad_date = parse_dates(df[cols["date"]])
    qty, bad_qty = parse_numbers(df[cols["quantity"]])
    price, bad_price = parse_numbers(df[cols["unit_price"]])
    cost, bad_cost = (
        parse_numbers(df[cols["unit_cost"]])
        if cols["unit_cost"]
        else (pd.Series(np.nan, index=df.index), pd.Series(False, index=df.index))
    )
    # cases per unit of quantity (kam_core.db.case_factor): 1 for cases, 1/6 for litres ...
    factor, bad_factor = (
        parse_numbers(df[cols["case_factor"]])
        if cols.get("case_factor")
        else (pd.Series(np.nan, index=df.index), pd.Series(False, index=df.index))
    )
    pname, channel = _text(df, cols["product_name"]), _text(df, cols["channel"])
    tier = channel.str.lower().map(channels)
    service = sku.isin(service_skus) | _matches(sku, SERVICE_PATTERN) | _matches(pname, SERVICE_PATTERN)
    promo = _text(df, cols.get("promo_id"))
    unknown_promo, off_scope = _promo_checks(promo, sku, promos or {})
    c = cols
    checks = [  # (code, mask, column, expected) in priority order
        (1, inv == "", c["invoice"], "an invoice number"),
        (2, acct == "", c["account_id"], "a customer code"),
        (3, sku == "", c["sku"], "a product code"),
        (4, bad_date | date.isna(), c["date"], EXPECT_DATE),
        (5, bad_qty | qty.isna(), c["quantity"], "a number of cases (negative for a return)"),
        (6, qty == 0, c["quantity"], "a quantity other than 0"),
        (7, bad_price | price.isna() | (price < 0), c["unit_price"], "a unit price of 0 or more"),
        (9, bad_cost | (cost < 0), c["unit_cost"], "a unit cost of 0 or more"),
        (
            15,
            bad_factor | (factor <= 0) | (factor > MAX_AMOUNT),
            c.get("case_factor"),
            "a case factor above 0 (cases per unit of quantity)",
        ),
        (10, (channel != "") & tier.isna(), c["channel"], "a channel code or name: " + ", ".join(CHANNEL_ALIASES)),
        (16, unknown_promo, c.get("promo_id"), "the id of a stored promotion (or an empty cell)"),
        (17, off_scope, c.get("promo_id"), "a promotion whose SKU scope lists this line's product"),
        (14, qty.abs() > MAX_AMOUNT, c["quantity"], f"a number of cases from {-MAX_AMOUNT:g} to {MAX_AMOUNT:g}"),
        (14, price > MAX_AMOUNT, c["unit_price"], f"a unit price of at most {MAX_AMOUNT:g}"),
        (14, cost > MAX_AMOUNT, c["unit_cost"], f"a unit cost of at most {MAX_AMOUNT:g}"),
        (11, inv.str.len() > MAX_INVOICE, c["invoice"], f"an invoice number of at most {MAX_INVOICE} characters"),
        (11, (acct.str.len() > MAX_CODE), c["account_id"], f"a customer code of at most {MAX_CODE} characters"),
        (11, (sku.str.len() > MAX_CODE), c["sku"], f"a product code of at most {MAX_CODE} characters"),
    ]
    code = np.zeros(len(df), dtype=np.uint8)
    problems: list[Problem] = []
    messages: dict[int, list[str]] = {}
    blank = df.apply(lambda s: s.astype(str).str.strip() == "").all(axis=1).to_numpy() if len(df) else code.astype(bool)
    for reason, mask, column, expected in checks:
        hit = mask.fillna(False).to_numpy(dtype=bool) & ~blank
        if not hit.any():
            continue
        code = np.where((code == 0) & hit, reason, code).astype(np.uint8)
        if collect:
            assert column is not None  # a check names the mapped column it reads
            for pos in np.flatnonzero(hit):
                idx = int(df.index[pos])
                value = str(df.iat[pos, df.columns.get_loc(column)])
                problems.append(Problem(file, idx + 2, column, value, expected))
                messages.setdefault(idx, []).append(f"{column}: {value!r} (expected {expected})")
    code[blank] = BLANK
    return Chunk(
        inv,
        acct,
        sku,
        date,
        qty,
        price,
        cost,
        _text(df, cols["account_name"]),
        pname,
        tier.fillna(""),
        _text(df, cols["region"]),
        service,
        code,
        problems,
        messages,
        factor,
        promo,
    )


def _promo_checks(
    promo: pd.Series, sku: pd.Series, promos: dict[str, frozenset[str] | None]
) -> tuple[pd.Series, pd.Series]:
    """(unknown promotion id, SKU outside the promotion's scope) per line; both False on an empty cell."""
    tagged = promo != ""
    unknown = tagged & ~promo.isin(list(promos))
    scoped = {p: s for p, s in promos.items() if s is not None}
    if not scoped or not tagged.any():
        return unknown, pd.Series(False, index=promo.index)
    pairs = {(p, s) for p, skus in scoped.items() for s in skus}
    in_scoped = tagged & promo.isin(list(scoped))
    off = pd.Series(False, index=promo.index)
    if in_scoped.any():
        keys = pd.Series(list(zip(promo[in_scoped], sku[in_scoped], strict=True)), index=promo.index[in_scoped])
        off[in_scoped] = ~keys.isin(pairs)
    return unknown, off


def row_hashes(df: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash of every raw line (all columns): equal lines are exact duplicates."""
    return pd.util.hash_pandas_object(df.astype(str), index=False).to_numpy()


def content_hashes(ch: Chunk) -> np.ndarray:
    """A 64-bit hash of the normalised line content that the idempotency key is built from."""
    frame = pd.DataFrame(
        {
            "i": ch.inv,
            "a": ch.acct,
            "d": ch.date.to_numpy(dtype="datetime64[ns]").view("int64"),
            "s": ch.sku,
            "q": ch.qty.fillna(0).to_numpy(),
            "p": ch.price.fillna(0).to_numpy(),
        }
    )
    return pd.util.hash_pandas_object(frame, index=False).to_numpy()
