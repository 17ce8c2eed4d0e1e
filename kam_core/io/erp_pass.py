"""The two passes of an ERP import: check every line (pass 1), then write in one transaction (pass 2).

Pass 1 keeps, per line, a reason code, two 64-bit hashes and small integer ids for its invoice,
customer and product; per invoice its customer, date and first row. Pass 2 re-reads the file,
skips lines already imported (by ``source_key``), creates missing tiers, accounts and products,
and bulk-inserts order headers and lines chunk by chunk.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from kam_core.db.schema import channel_tier, order_header, product, promotion, promotion_sku
from kam_core.io.erp_lines import BLANK, Chunk, channel_lookup, content_hashes, parse_chunk, row_hashes
from kam_core.io.results import Problem

CHUNK_LINES = 50_000  # peak RSS 278 MB for a 20 MB file, 312 MB for 82 MB (bench/bench_import_memory.py)


@dataclass
class FileState:
    """What pass 1 learnt about the file (see module docstring)."""

    file: str
    channels: dict[str, str]
    service_skus: set[str]
    codes: Any = field(default_factory=list)  # chunk arrays in pass 1, one np.ndarray after _finish
    inv_id: Any = field(default_factory=list)  # chunk arrays in pass 1, one np.ndarray after _finish
    acct_id: Any = field(default_factory=list)  # chunk arrays in pass 1, one np.ndarray after _finish
    sku_id: Any = field(default_factory=list)  # chunk arrays in pass 1, one np.ndarray after _finish
    positive: Any = field(default_factory=list)  # chunk arrays in pass 1, one np.ndarray after _finish
    row_hash: Any = field(default_factory=list)  # chunk arrays in pass 1, one np.ndarray after _finish
    key_hash: Any = field(default_factory=list)  # chunk arrays in pass 1, one np.ndarray after _finish
    invoices: dict[str, int] = field(default_factory=dict)
    inv_acct: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    inv_date: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    inv_row: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    accounts: dict[str, int] = field(default_factory=dict)
    acct_info: dict[int, list] = field(default_factory=dict)  # id -> [name, tier, region, min date]
    skus: dict[str, int] = field(default_factory=dict)
    sku_info: dict[int, list] = field(default_factory=dict)  # id -> [name, cost, is_service, case factor]
    problems: list[Problem] = field(default_factory=list)
    messages: dict[int, str] = field(default_factory=dict)
    occurrence: np.ndarray | None = None
    inv_positive: np.ndarray | None = None
    blank_lines: int = 0
    dedupe: str = "none"  # "exact": whole-row copies of an earlier line are refused (reason 12)
    repeats: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # imported copies (sorted lines)
    reused: set[int] = field(default_factory=set)  # invoice ids with lines of another customer or date
    keep_problems: bool = True  # False with a rejects file: it words the reasons again, chunk by chunk
    promos: dict[str, frozenset[str] | None] = field(default_factory=dict)  # promotion id -> SKU scope

    @property
    def n_lines(self) -> int:
        return len(self.codes)

    @property
    def n_rejected(self) -> int:
        return int(((self.codes != 0) & (self.codes != BLANK)).sum())


def release_memory() -> None:
    """Hand freed chunk buffers back to the OS (Arrow's pool and glibc keep them otherwise), so the
    resident size stays near the live data instead of creeping up chunk after chunk."""
    try:
        import pyarrow

        pyarrow.default_memory_pool().release_unused()
    except ImportError:  # pandas without pyarrow: nothing to release
        pass
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl)
        pass


def _ids(values: pd.Series, table: dict[str, int]) -> np.ndarray:
    codes, uniques = pd.factorize(values)
    ids = np.fromiter((table.setdefault(u, len(table)) for u in uniques), dtype=np.int32, count=len(uniques))
    return ids[codes] if len(codes) else np.zeros(0, np.int32)


def _days(dates: pd.Series) -> np.ndarray:
    return dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)


def load_promotions(engine: Engine) -> dict[str, frozenset[str] | None]:
    """Stored promotion ids -> their SKU scope (``promotion_sku`` rows, else the ``sku_scope`` JSON list,
    else None: every SKU), what a ``promo_id`` cell of an ERP line is checked against."""
    from kam_core.queries.post_event import sku_scope_of  # one reading of the scope for import and analysis

    with engine.connect() as conn:
        promos = conn.execute(select(promotion.c.promo_id, promotion.c.sku_scope)).all()
        listed = conn.execute(select(promotion_sku.c.promo_id, promotion_sku.c.sku_id)).all()
    return sku_scope_of(promos, listed)


def _load_reference(engine: Engine) -> tuple[dict[str, str], set[str]]:
    with engine.connect() as conn:
        tiers = conn.execute(select(channel_tier.c.tier_code, channel_tier.c.name_zh, channel_tier.c.name_en)).all()
        service = set(conn.execute(select(product.c.sku_id).where(product.c.is_service.is_(True))).scalars())
    extra = {}
    for code, zh, en in tiers:
        extra.update({code: code, zh: code, en: code})
    return channel_lookup(extra), service


def _flag(
    state: FileState,
    idx: np.ndarray,
    reason: int,
    codes: np.ndarray,
    pos: np.ndarray,
    column: str,
    values: list[str],
    expected: list[str],
) -> None:
    codes[pos] = reason
    for i, value, exp in zip(idx, values, expected, strict=True):
        if state.keep_problems:
            state.problems.append(Problem(state.file, int(i) + 2, column, value, exp))
        state.messages[int(i)] = f"{column}: {value!r} (expected {exp})"


def _register(state: FileState, ch: Chunk, df: pd.DataFrame, cols: dict, codes: np.ndarray) -> tuple:
    """Give valid lines invoice/customer/product ids; flag lines that contradict their invoice's first line."""
    n = len(df)
    inv_id, acct_id, sku_id = (np.full(n, -1, np.int32) for _ in range(3))
    ok = codes == 0
    if not ok.any():
        return inv_id, acct_id, sku_id
    n_before = len(state.invoices)
    inv = _ids(ch.inv[ok], state.invoices)
    acct = _ids(ch.acct[ok], state.accounts)
    days = _days(ch.date[ok])
    rows = df.index.to_numpy()[ok]
    new_ids = np.unique(inv[inv >= n_before])
    if len(new_ids):
        first = pd.Series(np.arange(len(inv))).groupby(inv).first().loc[new_ids].to_numpy()
        state.inv_acct = np.concatenate([state.inv_acct, acct[first]])
        state.inv_date = np.concatenate([state.inv_date, days[first]])
        state.inv_row = np.concatenate([state.inv_row, rows[first]])
    clash = (state.inv_acct[inv] != acct) | (state.inv_date[inv] != days)
    if clash.any():
        pos = np.flatnonzero(ok)[clash]
        names = list(state.accounts)
        when = state.inv_date[inv[clash]].astype("datetime64[D]").astype(str)
        expected = [
            f"the customer {names[a]} and date {d} of this invoice's first line (row {r + 2})"
            for a, d, r in zip(state.inv_acct[inv[clash]], when, state.inv_row[inv[clash]], strict=True)
        ]
        _flag(state, rows[clash], 13, codes, pos, cols["invoice"], ch.inv.iloc[pos].tolist(), expected)
        state.reused.update(np.unique(inv[clash]).tolist())
    keep = np.flatnonzero(ok)[~clash]
    inv_id[keep], acct_id[keep] = inv[~clash], acct[~clash]
    sku_id[keep] = _ids(ch.sku.iloc[keep], state.skus)
    _remember(state, ch, keep, acct_id[keep], sku_id[keep])
    return inv_id, acct_id, sku_id


def _remember(state: FileState, ch: Chunk, keep: np.ndarray, acct: np.ndarray, sku: np.ndarray) -> None:
    """First name/tier/region and earliest date per customer; first name/cost and service flag per SKU."""
    frame = pd.DataFrame(
        {
            "a": acct,
            "name": ch.name.iloc[keep].to_numpy(),
            "tier": ch.tier.iloc[keep].to_numpy(),
            "region": ch.region.iloc[keep].to_numpy(),
            "date": ch.date.iloc[keep].to_numpy(),
        }
    )
    frame["name"] = frame["name"].replace("", None)
    frame["tier"] = frame["tier"].replace("", None)  # the first line that names a channel decides
    for a, row in (
        frame.groupby("a")
        .agg(name=("name", "first"), tier=("tier", "first"), region=("region", "first"), date=("date", "min"))
        .iterrows()
    ):
        info = state.acct_info.setdefault(int(a), [row["name"], row["tier"], row["region"], row["date"]])
        info[0] = info[0] if isinstance(info[0], str) else row["name"]
        info[1] = info[1] if isinstance(info[1], str) else row["tier"]
        info[3] = min(info[3], row["date"])
    assert ch.case_factor is not None  # parse_chunk always sets it (NaN without the column)
    prod = pd.DataFrame(
        {
            "s": sku,
            "name": ch.product_name.iloc[keep].replace("", None).to_numpy(),
            "cost": ch.cost.iloc[keep].to_numpy(),
            "svc": ch.service.iloc[keep].to_numpy(),
            "cf": ch.case_factor.iloc[keep].to_numpy(),
        }
    )
    for s, row in (
        prod.groupby("s")
        .agg(name=("name", "first"), cost=("cost", "first"), svc=("svc", "any"), cf=("cf", "first"))
        .iterrows()
    ):
        info = state.sku_info.setdefault(int(s), [row["name"], row["cost"], bool(row["svc"]), row["cf"]])
        info[3] = info[3] if info[3] == info[3] else row["cf"]  # the first case factor given
        info[0] = info[0] if isinstance(info[0], str) else row["name"]
        info[1] = info[1] if info[1] == info[1] else row["cost"]
        info[2] = info[2] or bool(row["svc"])


def check_file(
    engine: Engine,
    chunks: Iterable[pd.DataFrame],
    cols: dict,
    file: str,
    dedupe: str = "none",
    keep_problems: bool = True,
) -> FileState:
    """Pass 1: check every line; returns the state pass 2 writes from, with every problem found.

    ``dedupe="exact"`` refuses lines that copy an earlier line cell for cell; by default they are
    imported (repeat scans are real purchases in ERP and POS exports) and counted as possible duplicates.
    ``keep_problems=False`` (a rejects file is written) keeps no Problem per bad line, only its code.
    """
    channels, service = _load_reference(engine)
    promos = load_promotions(engine) if cols.get("promo_id") else {}
    state = FileState(file, channels, service, dedupe=dedupe, keep_problems=keep_problems, promos=promos)
    for df in chunks:
        ch = parse_chunk(df, cols, file, channels, service, collect=keep_problems, promos=promos)
        codes = ch.code.copy()
        state.problems += ch.problems
        state.messages.update({k: "; ".join(v) for k, v in ch.messages.items()})
        inv, acct, sku = _register(state, ch, df, cols, codes)
        for name, values in (
            ("codes", codes),
            ("inv_id", inv),
            ("acct_id", acct),
            ("sku_id", sku),
            ("positive", (ch.qty > 0).to_numpy(dtype=bool)),
            ("row_hash", row_hashes(df)),
            ("key_hash", content_hashes(ch)),
        ):
            getattr(state, name).append(values)
        del df, ch
        release_memory()
    _finish(state, cols, engine)
    return state


def _cat(parts: list, dtype) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype)


def _finish(state: FileState, cols: dict, engine: Engine) -> None:
    """Whole-file checks: exact duplicates, invoices stored for another customer or date; then
    occurrence indexes and return invoices."""
    state.codes = _cat(state.codes, np.uint8)
    for name, dtype in (
        ("inv_id", np.int32),
        ("acct_id", np.int32),
        ("sku_id", np.int32),
        ("positive", bool),
        ("row_hash", np.uint64),
        ("key_hash", np.uint64),
    ):
        setattr(state, name, _cat(getattr(state, name), dtype))
    state.blank_lines = int((state.codes == BLANK).sum())
    ok = np.flatnonzero(state.codes == 0)
    hashes = pd.Series(state.row_hash[ok])
    dup = hashes.duplicated(keep="first").to_numpy()
    if state.dedupe != "exact":
        state.repeats = ok[dup].astype(np.int64)
    elif dup.any():
        first = pd.Series(ok).groupby(hashes.to_numpy()).transform("first").to_numpy()
        lines = ok[dup]
        names = list(state.invoices)
        _flag(
            state,
            lines,
            12,
            state.codes,
            lines,
            cols["invoice"],
            [names[i] for i in state.inv_id[lines]],
            [f"a line that is not an exact copy of row {f + 2}" for f in first[dup]],
        )
        state.inv_id[lines] = -1
    _check_stored(state, cols, engine)
    ok = state.codes == 0
    occurrence = np.zeros(len(state.codes), np.int32)
    keys = state.key_hash[ok]
    again = pd.Series(keys).duplicated(keep=False).to_numpy()  # only repeated content has an index above 0
    part = np.zeros(len(keys), np.int32)
    part[again] = pd.Series(keys[again]).groupby(keys[again]).cumcount().to_numpy()
    occurrence[ok] = part
    state.occurrence = occurrence
    inv_positive = np.zeros(len(state.invoices), bool)
    np.logical_or.at(inv_positive, state.inv_id[ok], state.positive[ok])
    state.inv_positive = inv_positive
    # pass 2 needs neither the hashes nor the signs: 17 bytes a line less while it writes
    state.row_hash = state.key_hash = np.zeros(0, np.uint64)
    state.positive = np.zeros(0, bool)
    state.problems.sort(key=lambda p: (p.row, p.column))


def _check_stored(state: FileState, cols: dict, engine: Engine) -> None:
    """Refuse (reason 13) the lines of an invoice already imported for another customer or date:
    appending them to the stored order would book them to the wrong customer."""
    ok = np.flatnonzero(state.codes == 0)
    used = np.unique(state.inv_id[ok])
    if not len(used):
        return
    names = list(state.invoices)
    accounts = list(state.accounts)
    stored: dict[str, tuple] = {}
    with engine.connect() as conn:
        for start in range(0, len(used), 1000):
            oids = ["ERP-" + names[i] for i in used[start : start + 1000]]
            stored.update(
                (oid, (a, d))
                for oid, a, d in conn.execute(
                    select(order_header.c.order_id, order_header.c.account_id, order_header.c.order_date).where(
                        order_header.c.order_id.in_(oids)
                    )
                )
            )
    if not stored:
        return
    clash = {}
    for i in used:
        acct, day = stored.get("ERP-" + names[i], (None, None))
        if acct is not None and (
            acct != accounts[state.inv_acct[i]] or np.datetime64(day, "D").astype(np.int64) != state.inv_date[i]
        ):
            clash[int(i)] = f"the customer {acct} and date {day} of invoice {names[i]} as already imported"
    if not clash:
        return
    lines = ok[np.isin(state.inv_id[ok], list(clash))]
    _flag(
        state,
        lines,
        13,
        state.codes,
        lines,
        cols["invoice"],
        [names[i] for i in state.inv_id[lines]],
        [clash[int(i)] for i in state.inv_id[lines]],
    )
    state.reused.update(clash)
    state.inv_id[lines] = -1
