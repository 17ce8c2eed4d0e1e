"""SQL reads for the post-event review of a promotion (docs/methods_post_event.md).

Everything heavy is a ``GROUP BY account`` over order lines in the database, one query per window; pandas
only ever holds one row per account and window. Every read is limited to the viewer's scope.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Connection, and_, func, select, true

from kam_core.db.case_factor import case_factor_sql
from kam_core.db.schema import (
    account,
    order_header,
    order_line,
    product,
    promotion,
    promotion_account,
    promotion_sku,
    redemption,
    region,
)
from kam_core.scope import DIRECTOR, Scope

PROMO_COLUMNS = (
    "promo_id name mechanic start_date end_date tier_code region_id discount_per_case fixed_cost "
    "win_prob prize_cost exchange_ratio_n expected_redemption coupon_face_value"
).split()


def sku_scope_of(
    promos: Iterable[tuple[str, str | None]], listed: Iterable[tuple[str, str]]
) -> dict[str, frozenset[str] | None]:
    """Promotion id -> SKU scope: the ``promotion_sku`` rows, else the ``sku_scope`` JSON list, else None (all).

    ``promos`` are (promo_id, sku_scope JSON or None) rows, ``listed`` (promo_id, sku_id) rows.
    """
    table: dict[str, set[str]] = {}
    for pid, sku in listed:
        table.setdefault(pid, set()).add(sku)
    out: dict[str, frozenset[str] | None] = {}
    for pid, raw in promos:
        if pid in table:
            out[pid] = frozenset(table[pid])
            continue
        try:
            skus = json.loads(raw) if raw else None
        except ValueError:  # a hand-typed scope that is not JSON: treat as one code per comma
            skus = [s.strip() for s in str(raw).split(",") if s.strip()]
        out[pid] = frozenset(map(str, skus)) if skus else None
    return out


def read_promotion(conn: Connection, promo_id: str) -> dict | None:
    """One promotion's row (columns :data:`PROMO_COLUMNS`) plus ``skus`` (its scope, None = every SKU)."""
    row = conn.execute(
        select(*(promotion.c[c] for c in PROMO_COLUMNS), promotion.c.sku_scope).where(promotion.c.promo_id == promo_id)
    ).first()
    if row is None:
        return None
    out = dict(zip(PROMO_COLUMNS, row[:-1], strict=True))
    listed = conn.execute(
        select(promotion_sku.c.promo_id, promotion_sku.c.sku_id).where(promotion_sku.c.promo_id == promo_id)
    ).all()
    out["skus"] = sku_scope_of([(promo_id, row[-1])], listed)[promo_id]
    return out


def last_order_date(conn: Connection) -> dt.date | None:
    """The newest order date (a promotion is reviewable once it ended on or before it)."""
    return conn.execute(select(func.max(order_header.c.order_date))).scalar()


def list_past_promotions(conn: Connection, scope: Scope = DIRECTOR) -> pd.DataFrame:
    """Promotions that ended by the last order date and have participants the viewer sees (listed in
    ``promotion_account`` or with order lines tagged with them in their period), newest first.

    Columns: promo_id, name, mechanic, start_date, end_date, participants.
    """
    last = last_order_date(conn)
    if last is None:
        return pd.DataFrame(columns=["promo_id", "name", "mechanic", "start_date", "end_date", "participants"])
    listed = select(promotion_account.c.promo_id, promotion_account.c.account_id).where(
        scope.account_clause(promotion_account.c.account_id)
    )
    tagged = (
        select(order_line.c.promo_id, order_header.c.account_id)
        .select_from(
            order_line.join(order_header, order_header.c.order_id == order_line.c.order_id).join(
                promotion, promotion.c.promo_id == order_line.c.promo_id
            )
        )
        .where(
            order_header.c.order_date.between(promotion.c.start_date, promotion.c.end_date),
            scope.account_clause(order_header.c.account_id),
        )
    )
    both = listed.union(tagged).subquery()  # UNION drops duplicates: an account counts once per promotion
    members = select(both.c.promo_id, func.count().label("participants")).group_by(both.c.promo_id).subquery()
    stmt = (
        select(
            promotion.c.promo_id,
            promotion.c.name,
            promotion.c.mechanic,
            promotion.c.start_date,
            promotion.c.end_date,
            members.c.participants,
        )
        .join(members, members.c.promo_id == promotion.c.promo_id)
        .where(promotion.c.end_date <= last)
        .order_by(promotion.c.end_date.desc(), promotion.c.promo_id)
    )
    return pd.DataFrame(conn.execute(stmt).all(), columns=list(stmt.selected_columns.keys()))


def participants(conn: Connection, promo: dict, scope: Scope = DIRECTOR) -> list[str]:
    """Accounts in the promotion: its ``promotion_account`` rows and every account with order lines tagged
    with it in its period (an ERP import's ``promo_id``), within the viewer's scope."""
    listed = select(promotion_account.c.account_id).where(
        promotion_account.c.promo_id == promo["promo_id"], scope.account_clause(promotion_account.c.account_id)
    )
    tagged = (
        select(order_header.c.account_id)
        .select_from(order_line.join(order_header, order_header.c.order_id == order_line.c.order_id))
        .where(
            order_line.c.promo_id == promo["promo_id"],
            order_header.c.order_date.between(promo["start_date"], promo["end_date"]),
            scope.account_clause(order_header.c.account_id),
        )
        .distinct()
    )
    ids = set(conn.execute(listed).scalars()) | set(conn.execute(tagged).scalars())
    return sorted(ids)


def candidate_accounts(conn: Connection, tiers: list[str], scope: Scope = DIRECTOR) -> pd.DataFrame:
    """Accounts of the given channel tiers in scope with their top-level region (account_id, tier_code,
    region_code): the pool participants and controls come from."""
    stmt = (
        select(account.c.account_id, account.c.tier_code, region.c.path)
        .select_from(account.outerjoin(region, region.c.region_id == account.c.region_id))
        .where(account.c.tier_code.in_(tiers), scope.account_clause())
    )
    df = pd.DataFrame(conn.execute(stmt).all(), columns=["account_id", "tier_code", "path"])
    df["region_code"] = df["path"].fillna("").str.split("/").str[0]
    return df.drop(columns="path")


def _scoped(skus: frozenset[str] | None):
    return order_line.c.sku_id.in_(sorted(skus)) if skus is not None else product.c.is_service.is_(False)


def window_facts(
    conn: Connection,
    accounts: pd.DataFrame,
    skus: frozenset[str] | None,
    start: dt.date,
    end: dt.date,
    scope: Scope = DIRECTOR,
) -> pd.DataFrame:
    """Cases, net sales and gross profit before promotion spend of the scoped SKUs per account in
    ``[start, end]`` (one GROUP BY). Accounts of ``accounts`` without lines get 0.

    Gross profit before spend values a case at its list price (``invoice_price + off_invoice_disc``) less
    its frozen COGS, so a discount is counted once, as cost, not also as lost margin.
    """
    qty = order_line.c.qty_cases
    stmt = (
        select(
            order_header.c.account_id,
            func.sum(qty * case_factor_sql()).label("cases"),
            func.sum(qty * order_line.c.invoice_price).label("net_sales"),
            func.sum(
                qty * (order_line.c.invoice_price + order_line.c.off_invoice_disc - order_line.c.cogs_per_case)
            ).label("gross_profit"),
        )
        .select_from(
            order_line.join(order_header, order_header.c.order_id == order_line.c.order_id).join(
                product, product.c.sku_id == order_line.c.sku_id
            )
        )
        .where(
            order_header.c.order_date.between(start, end),
            _scoped(skus),
            product.c.is_service.is_(False),
            order_header.c.account_id.in_(_account_ids(accounts)),
            scope.account_clause(order_header.c.account_id),
        )
        .group_by(order_header.c.account_id)
    )
    got = pd.DataFrame(conn.execute(stmt).all(), columns=["account_id", "cases", "net_sales", "gross_profit"])
    out = accounts[["account_id"]].merge(got, on="account_id", how="left")
    return out.fillna({"cases": 0.0, "net_sales": 0.0, "gross_profit": 0.0}).astype(
        {"cases": float, "net_sales": float, "gross_profit": float}
    )


def _account_ids(accounts: pd.DataFrame):
    """The candidate accounts as a subquery (their tiers in scope), so no long id list is sent."""
    tiers = sorted(accounts["tier_code"].unique().tolist()) if "tier_code" in accounts else []
    return select(account.c.account_id).where(account.c.tier_code.in_(tiers))


def promotion_cost(conn: Connection, promo: dict, members: list[str], scope: Scope = DIRECTOR) -> dict[str, float]:
    """What the promotion actually gave the viewer's participants (docs/methods_post_event.md §4).

    Keys: ``discount`` (off-invoice discount on tagged lines of scoped SKUs), ``free_goods`` (COGS of free
    cases on tagged lines), ``redemptions`` (coupons, caps, empties paid: ``redemption.cost``), ``fees``
    (``promotion_account.fixed_fee``), ``lump_sum`` (``promotion.fixed_cost`` beyond the fees, shared pro rata
    to the participants in scope), ``total``.
    """
    pid, skus = promo["promo_id"], promo["skus"]
    lines = (
        select(
            func.coalesce(func.sum(order_line.c.qty_cases * order_line.c.off_invoice_disc), 0.0),
            func.coalesce(func.sum(order_line.c.free_qty_cases * order_line.c.cogs_per_case), 0.0),
        )
        .select_from(order_line.join(order_header, order_header.c.order_id == order_line.c.order_id))
        .where(
            order_line.c.promo_id == pid,
            order_header.c.order_date.between(promo["start_date"], promo["end_date"]),
            order_line.c.sku_id.in_(sorted(skus)) if skus is not None else true(),
            scope.account_clause(order_header.c.account_id),
        )
    )
    discount, free = conn.execute(lines).one()
    redeemed = conn.execute(
        select(func.coalesce(func.sum(redemption.c.cost), 0.0)).where(
            redemption.c.promo_id == pid, scope.account_clause(redemption.c.account_id)
        )
    ).scalar()
    fees_all = conn.execute(
        select(func.count(), func.coalesce(func.sum(promotion_account.c.fixed_fee), 0.0)).where(
            promotion_account.c.promo_id == pid
        )
    ).one()
    fees_seen = conn.execute(
        select(func.coalesce(func.sum(promotion_account.c.fixed_fee), 0.0)).where(
            and_(promotion_account.c.promo_id == pid, scope.account_clause(promotion_account.c.account_id))
        )
    ).scalar()
    lump = max(float(promo.get("fixed_cost") or 0.0) - float(fees_all[1] or 0.0), 0.0)
    share = min(len(members) / fees_all[0], 1.0) if fees_all[0] else 1.0
    out = {
        "discount": float(discount or 0.0),
        "free_goods": float(free or 0.0),
        "redemptions": float(redeemed or 0.0),
        "fees": float(fees_seen or 0.0),
        "lump_sum": lump * share,
    }
    out["total"] = sum(out.values())
    return out
