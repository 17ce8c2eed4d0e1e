"""Pass 2 of an ERP import: one transaction that creates tiers, accounts and products as needed,
then writes order headers and lines chunk by chunk, skipping lines already imported, and writes
refused lines to the rejects file."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, func, select

from kam_core.db import order_days
from kam_core.db.bulk import bulk_insert, refresh_statistics
from kam_core.db.case_factor import master_for_factor
from kam_core.db.schema import account, channel_tier, import_log, order_header, order_line, product, region
from kam_core.io import import_health
from kam_core.io.cells import csv_row
from kam_core.io.erp_lines import BLANK, REASONS, parse_chunk
from kam_core.io.erp_pass import FileState, release_memory
from kam_core.io.results import ImportResult
from kam_core.io.upsert import write_audit
from kam_core.io.validation import BATCH
from kam_core.vocab import STANDARD_CHANNEL_TIERS as STANDARD_TIERS  # the same names as the demo brewer

SQLITE_CACHE_KIB = 32_768  # 32 MB: 64 MB put an 80 MB file at 4.4x its size in RSS (bench_import_memory)


def _select_in(conn: Connection, cols, key, values) -> list:
    values = list(values)
    out: list = []
    for start in range(0, len(values), BATCH):
        out += conn.execute(select(*cols).where(key.in_(values[start : start + BATCH]))).all()
    return out


def _ensure_tiers(conn: Connection, needed: set[str]) -> None:
    have = {r[0] for r in _select_in(conn, [channel_tier.c.tier_code], channel_tier.c.tier_code, needed)}
    rows = [
        {
            "tier_code": c,
            "name_zh": STANDARD_TIERS[c][0],
            "name_en": STANDARD_TIERS[c][1],
            "level_in_chain": STANDARD_TIERS[c][2],
        }
        for c in sorted(needed - have)
        if c in STANDARD_TIERS
    ]
    if rows:
        conn.execute(channel_tier.insert(), rows)


def _region_ids(conn: Connection, values: set[str]) -> dict[str, str]:
    found = {}
    for (rid,) in _select_in(conn, [region.c.region_id], region.c.region_id, values):
        found[rid] = rid
    for rid, code in _select_in(conn, [region.c.region_id, region.c.code], region.c.code, values):
        found.setdefault(code, rid)
    return found


def create_accounts(
    conn: Connection, state: FileState, used: np.ndarray, user: str, now: dt.datetime, default_tier: str = "RETAIL"
) -> tuple[int, int, int]:
    """Insert the customers not yet in the database; returns (created, region values not found,
    created without a channel, so in ``default_tier``)."""
    names = list(state.accounts)
    wanted = {names[i]: i for i in used}
    have = {r[0] for r in _select_in(conn, [account.c.account_id], account.c.account_id, wanted)}
    new = [(aid, state.acct_info[i]) for aid, i in wanted.items() if aid not in have]
    if not new:
        return 0, 0, 0
    defaulted = sum(1 for _, info in new if not isinstance(info[1], str))
    new = [(aid, [info[0], info[1] if isinstance(info[1], str) else default_tier, *info[2:]]) for aid, info in new]
    regions = _region_ids(conn, {info[2] for _, info in new if info[2]})
    _ensure_tiers(conn, {info[1] for _, info in new})
    rows = pd.DataFrame(
        [
            {
                "account_id": aid,
                "name": (info[0] if isinstance(info[0], str) else aid)[:128],
                "tier_code": info[1],
                "region_id": regions.get(info[2]),
                "status": "active",
                "first_order_date": info[3],
                "contract_type": "noncontractual",
                "exclusive_agreement": False,
                "data_sharing": False,
                "jbp_in_place": False,
                "created_source": "erp",
                "version": 1,
            }
            for aid, info in new
        ]
    )
    bulk_insert(conn, account, rows)
    write_audit(
        conn,
        [
            {
                "changed_at": now,
                "changed_by": user,
                "table_name": "account",
                "record_key": aid,
                "action": "insert",
                "field": None,
                "old_value": None,
                "new_value": json.dumps(
                    {"name": r["name"], "tier_code": r["tier_code"], "source": "erp"}, ensure_ascii=False
                ),
            }
            for aid, r in zip(rows["account_id"], rows.to_dict("records"), strict=True)
        ],
    )
    missing_regions = sum(1 for _, info in new if info[2] and info[2] not in regions)
    return len(new), missing_regions, defaulted


def create_products(conn: Connection, state: FileState, used: np.ndarray) -> tuple[int, np.ndarray]:
    """Insert unknown SKUs; returns (created, standard cost per sku id, NaN when unknown)."""
    names = list(state.skus)
    cost = np.full(len(names), np.nan)
    wanted = {names[i]: i for i in used}
    have = dict(_select_in(conn, [product.c.sku_id, product.c.std_cogs_per_case], product.c.sku_id, wanted))
    rows = []
    for sku, i in wanted.items():
        name, first_cost, service, factor = state.sku_info[i]
        if sku in have:
            cost[i] = np.nan if have[sku] is None else have[sku]
            continue
        cost[i] = first_cost
        # pack size from the file's case_factor, else unknown (liters 0: raw quantity, with a data-health note)
        pack = {"pack": "other", "units_per_case": 12, "liters_per_case": 0.0} if service else master_for_factor(factor)
        rows.append(
            {
                "sku_id": sku,
                "name": (name if isinstance(name, str) else sku)[:128],
                "brand": "",
                "segment": "mainstream",
                **pack,
                "std_cogs_per_case": None if first_cost != first_cost else float(first_cost),
                "returnable": False,
                "deposit_per_case": 0.0,
                "is_service": bool(service),
            }
        )
    if rows:
        bulk_insert(conn, product, pd.DataFrame(rows))
    return len(rows), cost


class RejectsWriter:
    """Refused lines, unchanged, after their spreadsheet row number and reason (CSV UTF-8 with BOM).

    The reasons of per-line checks are worded again from the chunk here (pass 1 keeps only their
    codes, so its memory does not grow with the number of bad lines); whole-file reasons (repeats,
    reused invoices) come from pass 1's messages.
    """

    def __init__(self, path: Path, header: list[str], state: FileState, cols: dict):
        self.fh = open(path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed by close()
        self.writer = csv.writer(self.fh)
        self.writer.writerow(["row", "reason", *header])
        self.state, self.cols = state, cols

    def write(self, df: pd.DataFrame, codes: np.ndarray) -> None:
        pos = np.flatnonzero((codes != 0) & (codes != BLANK))
        if not len(pos):
            return
        st, bad = self.state, df.iloc[pos]
        worded = parse_chunk(bad, self.cols, st.file, st.channels, st.service_skus, True, st.promos).messages
        rows = []
        for idx, code, cells in zip(bad.index.tolist(), codes[pos].tolist(), bad.to_numpy().tolist(), strict=True):
            detail = "; ".join(worded[idx]) if idx in worded else st.messages.get(idx)
            reason = REASONS[code]
            # the ERP's cells unchanged, except that one which would run as a formula is written as text
            rows.append([idx + 2, f"{reason}: {detail}" if detail else reason, *csv_row(cells)])
        self.writer.writerows(rows)

    def close(self) -> None:
        self.fh.close()


def source_keys(inv, acct, days: np.ndarray, sku, qty, price, occ: np.ndarray) -> list[str]:
    """sha1 hex[:32] of the normalised line and its occurrence index (see kam_core.io.transactions)."""
    uniq, codes = np.unique(days, return_inverse=True)
    iso = np.array([str(np.datetime64(int(d), "D")) for d in uniq], dtype=object)[codes]
    return [
        hashlib.sha1(f"{i}\x1f{a}\x1f{d}\x1f{s}\x1f{float(q)!r}\x1f{float(p)!r}\x1f{o}".encode()).hexdigest()[:32]
        for i, a, d, s, q, p, o in zip(inv, acct, iso, sku, qty, price, occ.tolist(), strict=True)
    ]


def _existing_orders(conn: Connection, order_ids: list[str]) -> dict[str, int]:
    """Orders already stored among ``order_ids`` -> their highest line number (0 without lines)."""
    found = {r[0]: 0 for r in _select_in(conn, [order_header.c.order_id], order_header.c.order_id, order_ids)}
    if found:
        for start in range(0, len(found), BATCH):
            part = list(found)[start : start + BATCH]
            stmt = (
                select(order_line.c.order_id, func.max(order_line.c.line_no))
                .where(order_line.c.order_id.in_(part))
                .group_by(order_line.c.order_id)
            )
            found.update({oid: int(n or 0) for oid, n in conn.execute(stmt)})
    return found


class Writer:
    """Pass-2 state: which invoices have a header, the next line number of each, counters."""

    def __init__(self, conn: Connection, state: FileState, cols: dict, sku_cost: np.ndarray):
        self.conn, self.state, self.cols, self.sku_cost = conn, state, cols, sku_cost
        self.inv_names = np.array(list(state.invoices), dtype=object)
        self.acct_names = np.array(list(state.accounts), dtype=object)
        self.sku_names = np.array(list(state.skus), dtype=object)
        self.header_state = np.zeros(len(self.inv_names), np.uint8)  # 0 unseen, 1 new, 2 already stored
        self.next_line = np.zeros(len(self.inv_names), np.int64)
        self.counts: Counter[str] = Counter()  # counts and values (a value is a float total)

    def accounts_written(self) -> list[str]:
        """The accounts of the file's valid lines (whose orders this import may have changed)."""
        st = self.state
        return self.acct_names[np.unique(st.acct_id[st.codes == 0])].tolist()

    def _headers(self, inv: np.ndarray) -> None:
        unseen = np.unique(inv[self.header_state[inv] == 0])
        if not len(unseen):
            return
        stored = _existing_orders(self.conn, ["ERP-" + n for n in self.inv_names[unseen]])
        fresh: list[int] = []
        for i in unseen:
            oid = "ERP-" + self.inv_names[i]
            if oid in stored:
                self.header_state[i], self.next_line[i] = 2, stored[oid]
            else:
                self.header_state[i] = 1
                fresh.append(i)
        new = np.array(fresh, dtype=np.int64)
        st = self.state
        assert st.inv_positive is not None, "pass 1 (_finish) sets it"
        headers = pd.DataFrame(
            {
                "order_id": "ERP-" + pd.Series(self.inv_names[new], dtype=object),
                "account_id": self.acct_names[st.inv_acct[new]],
                "order_date": st.inv_date[new].astype("datetime64[D]"),
                "settlement_mode": "cash",
                "payment_terms_days": 0,
                "delivery_cost": 0.0,
                "is_return": ~st.inv_positive[new],
                "source": "erp",
            }
        )
        self.counts["return_invoices"] += int((~st.inv_positive[new]).sum())
        bulk_insert(self.conn, order_header, headers)

    def write_chunk(self, df: pd.DataFrame) -> None:
        st, start = self.state, int(df.index[0])
        assert st.occurrence is not None, "pass 1 (_finish) sets it"
        ok = st.codes[start : start + len(df)] == 0
        if not ok.any():
            return
        ch = parse_chunk(df[ok], self.cols, st.file, st.channels, st.service_skus, False, st.promos)
        g = np.flatnonzero(ok) + start
        inv, sku = st.inv_id[g], st.sku_id[g]
        days = ch.date.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)
        keys = np.array(
            source_keys(
                ch.inv.tolist(),
                ch.acct.tolist(),
                days,
                ch.sku.tolist(),
                ch.qty.tolist(),
                ch.price.tolist(),
                st.occurrence[g],
            ),
            dtype=object,
        )
        self._headers(inv)
        self._repeats(g, ch)
        skip = np.zeros(len(g), bool)
        stored = self.header_state[inv] == 2
        if stored.any():
            oids = ["ERP-" + n for n in self.inv_names[np.unique(inv[stored])]]
            have = {r[0] for r in _select_in(self.conn, [order_line.c.source_key], order_line.c.order_id, oids)}
            skip[stored] = np.fromiter((k in have for k in keys[stored]), dtype=bool, count=int(stored.sum()))
        self.counts["skipped"] += int(skip.sum())
        self._lines(ch, inv[~skip], sku[~skip], keys[~skip], ~skip)

    def _repeats(self, g: np.ndarray, ch) -> None:
        """Count the possible duplicates (copies of an earlier line, imported) and their value."""
        reps = self.state.repeats
        pos = np.searchsorted(reps, g)
        hit = (pos < len(reps)) & (reps[np.minimum(pos, len(reps) - 1)] == g) if len(reps) else np.zeros(len(g), bool)
        if hit.any():
            self.counts["possible_duplicates"] += int(hit.sum())
            value = float((ch.qty.to_numpy()[hit] * ch.price.to_numpy()[hit]).sum())
            self.counts["possible_duplicates_value"] += value  # type: ignore[assignment]  # a value total beside the counts

    def _lines(self, ch, inv: np.ndarray, sku: np.ndarray, keys: np.ndarray, keep: np.ndarray) -> None:
        if not len(inv):
            return
        rank = pd.Series(inv).groupby(inv).cumcount().to_numpy() + 1
        line_no = self.next_line[inv] + rank
        np.add.at(self.next_line, inv, 1)
        qty, price = ch.qty.to_numpy()[keep], ch.price.to_numpy()[keep]
        cost = ch.cost.to_numpy(dtype=float)[keep]
        cost = np.where(np.isnan(cost), self.sku_cost[sku], cost)
        self.counts["lines_without_cost"] += int(np.isnan(cost).sum())
        self.counts["service_lines"] += int(ch.service.to_numpy()[keep].sum())
        self.counts["return_lines"] += int((qty < 0).sum())
        # a goods line at price 0 is free goods (买十赠一, samples): given away, so free cases (docs/METHODS.md §7):
        # not in volume, sales or COGS; their cost is promotion spend (free_goods_cost), not lost
        free = (price == 0) & ~ch.service.to_numpy()[keep]
        self.counts["free_goods_lines"] += int(free.sum())
        self.counts["free_goods_cases"] += float(qty[free].sum())  # type: ignore[assignment]  # cases can be fractional
        lines = pd.DataFrame(
            {
                "order_id": "ERP-" + pd.Series(self.inv_names[inv], dtype=object),
                "line_no": line_no,
                "sku_id": self.sku_names[sku],
                "qty_cases": np.where(free, 0.0, qty),
                "list_price": price,
                "invoice_price": price,
                "off_invoice_disc": 0.0,
                "cogs_per_case": np.nan_to_num(cost, nan=0.0),
                "free_qty_cases": np.where(free, qty, 0.0),
                # the promotion the ERP tagged the line with (checked in pass 1); None without one
                "promo_id": ch.promo.replace("", None).to_numpy(dtype=object)[keep]
                if self.cols.get("promo_id")
                else None,
                "source_key": keys,
            }
        )
        self.counts["inserted"] += bulk_insert(self.conn, order_line, lines.sort_values("source_key"))


def write_file(
    engine: Engine,
    chunks: Iterable[pd.DataFrame],
    cols: dict,
    path: Path,
    header: list[str],
    state: FileState,
    rejects: Path | None,
    user: str,
    now: dt.datetime,
    default_tier: str = "RETAIL",
) -> ImportResult:
    """Pass 2: everything in one transaction; the rejects file is written alongside."""
    ok = state.codes == 0
    writer_out = RejectsWriter(rejects, header, state, cols) if rejects else None
    try:
        with engine.begin() as conn:
            days_current = order_days.is_current(conn)
            if conn.dialect.name == "sqlite":  # a bigger page cache for the index inserts of this import only
                conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
            accounts, lost_regions, defaulted = create_accounts(
                conn, state, np.unique(state.acct_id[ok]), user, now, default_tier
            )
            products, sku_cost = create_products(conn, state, np.unique(state.sku_id[ok]))
            writer = Writer(conn, state, cols, sku_cost)
            for df in chunks:
                if writer_out:
                    writer_out.write(df, state.codes[int(df.index[0]) : int(df.index[0]) + len(df)])
                writer.write_chunk(df)
                del df
                release_memory()
            writer.counts.update(
                {
                    "accounts_created": accounts,
                    "products_created": products,
                    "regions_not_found": lost_regions,
                    "accounts_default_tier": defaulted,
                }
            )
            result = _result(state, path, writer.counts, rejects, default_tier, cols)
            refresh_statistics(conn, ["account", "product", "order_header", "order_line"])  # PostgreSQL
            order_days.refresh(conn, writer.accounts_written(), days_current)  # commits with the lines
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA cache_size=-2000")
            conn.execute(
                import_log.insert().values(
                    imported_at=now,
                    imported_by=user,
                    file_name=path.name[:255],
                    target="order_line",
                    rows_read=result.rows_read,
                    rows_written=result.inserted,
                    rows_skipped=result.skipped,
                    rows_rejected=result.rows_rejected,
                    summary=result.summary(),
                    details=import_health.dumps(result.details),
                )
            )
    finally:
        if writer_out:
            writer_out.close()
    return result


def _result(
    state: FileState, path: Path, counts: Counter, rejects: Path | None, default_tier: str, cols: dict
) -> ImportResult:
    reasons = Counter(int(c) for c in state.codes[(state.codes != 0) & (state.codes != BLANK)])
    details = import_health.erp_record(state, counts, reasons, default_tier, channel_mapped=cols["channel"] is not None)
    notes = {text: counts[name] for name, text in NOTES.items()}
    notes["blank lines ignored"] = state.blank_lines
    return ImportResult(
        file=path.name,
        target="order_line",
        rows_read=state.n_lines - state.blank_lines,
        inserted=counts["inserted"],
        skipped=counts["skipped"],
        rejected={REASONS[c]: n for c, n in sorted(reasons.items())},
        created={"accounts": counts["accounts_created"], "products": counts["products_created"]},
        notes=notes,
        rejects_file=str(rejects) if rejects else None,
        details=details,
        notices=import_health.erp_notices(details, cols.get("channel")),
    )


NOTES = {  # counter -> note in the English summary (the Data page words the details record instead)
    "lines_without_cost": "lines without a unit cost or product standard cost (cogs 0)",
    "service_lines": "service lines (freight/postage) imported on is_service products",
    "free_goods_lines": "free goods lines (goods at price 0) imported as free cases (promotion cost, not volume)",
    "return_lines": "return lines (negative quantity) netted against sales",
    "return_invoices": "return invoices (only negative lines) marked is_return",
    "regions_not_found": "new customers whose region was not found (left empty)",
}
