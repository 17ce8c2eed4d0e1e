"""The profile card (资料卡) of one account, read in one pass and returned as a frozen value.

Every query is limited to the viewer's scope first: an account outside it reads exactly like an
unknown account (``AccountNotFound``), so the card cannot be used to probe who exists elsewhere.
Monthly trends are grouped in the database, never by loading order lines into pandas.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Connection, Engine, and_, case, func, or_, select

from kam_core.db.schema import (
    account,
    account_capability,
    account_competitor,
    account_contact,
    account_territory,
    ar_invoice,
    ar_payment,
    audit_log,
    channel_tier,
    classification_snapshot,
    competitor_brand,
    credit_terms,
    order_header,
    order_line,
    product,
    region,
    sales_rep,
    survey_response,
    visit,
)
from kam_core.db.sqlfn import month_key
from kam_core.errors import UserError
from kam_core.scope import DIRECTOR, Scope

CAPABILITY_FIELDS = (
    "sub_distributors",
    "terminals",
    "portfolio_complementarity",
    "loyalty_rating",
    "capital_rmb",
    "staff",
    "vehicles",
)
HISTORY_LIMIT = 500


class AccountNotFound(UserError):
    """The account does not exist or is outside the viewer's scope (deliberately indistinguishable)."""


@dataclass(frozen=True)
class AccountProfile:
    """Everything the account card shows, as plain values and DataFrames (read-only by convention)."""

    account_id: str
    version: int
    basic: dict
    parent: dict | None
    owner: dict | None
    region: dict | None
    territory: pd.DataFrame = field(repr=False)
    capabilities: dict = field(repr=False)
    capability_history: pd.DataFrame = field(repr=False)
    contacts: pd.DataFrame = field(repr=False)
    visits: pd.DataFrame = field(repr=False)
    negotiations: pd.DataFrame = field(repr=False)
    satisfaction: pd.DataFrame = field(repr=False)
    competitors: pd.DataFrame = field(repr=False)
    monthly: pd.DataFrame = field(repr=False)
    sub_accounts: pd.DataFrame = field(repr=False)
    credit_terms: pd.DataFrame = field(repr=False)
    invoices: pd.DataFrame = field(repr=False)
    tiers: pd.DataFrame = field(repr=False)
    history: pd.DataFrame = field(repr=False)

    @property
    def current_terms(self) -> dict | None:
        """The credit-terms row in force (latest ``valid_from``), or None."""
        return None if self.credit_terms.empty else self.credit_terms.iloc[0].to_dict()

    @property
    def overdue(self) -> pd.DataFrame:
        """Invoices with an open balance past their due date."""
        inv = self.invoices
        return inv[(inv["open_amount"] > 0.005) & (inv["days_overdue"] > 0)] if not inv.empty else inv


def _frame(conn: Connection, stmt, columns: list[str] | None = None) -> pd.DataFrame:
    result = conn.execute(stmt)
    return pd.DataFrame(result.mappings().all(), columns=columns or list(result.keys()))


def _one(conn: Connection, stmt) -> dict | None:
    row = conn.execute(stmt).mappings().first()
    return None if row is None else dict(row)


def _basic(conn: Connection, account_id: str, scope: Scope) -> dict:
    stmt = (
        select(account, channel_tier.c.name_zh.label("tier_name_zh"), channel_tier.c.name_en.label("tier_name_en"))
        .join(channel_tier, channel_tier.c.tier_code == account.c.tier_code)
        .where(account.c.account_id == account_id, scope.account_clause())
    )
    row = _one(conn, stmt)
    if row is None:
        raise AccountNotFound(f"account: {account_id!r} is not an account you can see")
    return row


def _related(conn: Connection, basic: dict) -> tuple[dict | None, dict | None, dict | None]:
    parent = owner = reg = None
    if basic.get("parent_account_id"):
        parent = _one(
            conn,
            select(account.c.account_id, account.c.name, account.c.name_en, account.c.tier_code).where(
                account.c.account_id == basic["parent_account_id"]
            ),
        )
    if basic.get("owner_rep_id"):
        owner = _one(conn, select(sales_rep).where(sales_rep.c.rep_id == basic["owner_rep_id"]))
    if basic.get("region_id"):
        reg = _one(conn, select(region).where(region.c.region_id == basic["region_id"]))
    return parent, owner, reg


def _capabilities(conn: Connection, account_id: str) -> tuple[dict, pd.DataFrame]:
    hist = _frame(
        conn,
        select(account_capability)
        .where(account_capability.c.account_id == account_id)
        .order_by(account_capability.c.assessed_on.desc()),
        [c.name for c in account_capability.c],
    )
    latest = {} if hist.empty else hist.iloc[0].to_dict()
    return latest, hist


def _visits(conn: Connection, account_id: str) -> pd.DataFrame:
    cols = [
        visit.c.visit_id,
        visit.c.visit_date,
        visit.c.visit_type,
        visit.c.rep_id,
        visit.c.duration_min,
        visit.c.travel_min,
        visit.c.contact_level,
        visit.c.advice_given,
        visit.c.note,
        visit.c.created_by,
    ]
    return _frame(
        conn,
        select(*cols)
        .where(visit.c.account_id == account_id)
        .order_by(visit.c.visit_date.desc(), visit.c.visit_id.desc())
        .limit(HISTORY_LIMIT),
        [c.name for c in cols],
    )


def _monthly(conn: Connection, account_id: str) -> pd.DataFrame:
    net = order_line.c.qty_cases * (order_line.c.invoice_price - order_line.c.off_invoice_disc)
    month = month_key(order_header.c.order_date)
    stmt = (
        select(
            month.label("month"),
            func.sum(order_line.c.qty_cases).label("cases"),
            func.sum(net).label("net_sales"),
            func.sum(net - order_line.c.qty_cases * order_line.c.cogs_per_case).label("gross_profit"),
            func.count(func.distinct(order_header.c.order_id)).label("orders"),
            # goods lines without a known cost (kam_core.queries.metrics.fetch_uncosted_sales)
            func.sum(
                case(
                    (
                        and_(
                            order_line.c.cogs_per_case == 0,
                            product.c.std_cogs_per_case.is_(None),
                            product.c.is_service.is_(False),
                        ),
                        net,
                    ),
                    else_=0.0,
                )
            ).label("uncosted_sales"),
        )
        .select_from(
            order_header.join(order_line, order_line.c.order_id == order_header.c.order_id).join(
                product, product.c.sku_id == order_line.c.sku_id
            )
        )
        .where(order_header.c.account_id == account_id)
        .group_by(month)
        .order_by(month)
    )
    return _frame(conn, stmt, ["month", "cases", "net_sales", "gross_profit", "orders", "uncosted_sales"])


def _invoices(conn: Connection, account_id: str, today: dt.date) -> pd.DataFrame:
    paid = (
        select(
            ar_payment.c.invoice_id,
            func.sum(case((ar_payment.c.bounced, 0.0), else_=ar_payment.c.amount)).label("paid"),
            func.max(ar_payment.c.pay_date).label("last_paid"),
        )
        .group_by(ar_payment.c.invoice_id)
        .subquery()
    )
    stmt = (
        select(
            ar_invoice.c.invoice_id,
            ar_invoice.c.order_id,
            ar_invoice.c.invoice_date,
            ar_invoice.c.due_date,
            ar_invoice.c.amount,
            func.coalesce(paid.c.paid, 0.0).label("paid"),
            paid.c.last_paid,
        )
        .outerjoin(paid, paid.c.invoice_id == ar_invoice.c.invoice_id)
        .where(ar_invoice.c.account_id == account_id)
        .order_by(ar_invoice.c.invoice_date.desc())
    )
    inv = _frame(conn, stmt, ["invoice_id", "order_id", "invoice_date", "due_date", "amount", "paid", "last_paid"])
    inv["open_amount"] = (inv["amount"] - inv["paid"]).clip(lower=0.0).round(2)
    due = pd.to_datetime(inv["due_date"])
    late = (pd.Timestamp(today) - due).dt.days
    inv["days_overdue"] = late.where(inv["open_amount"] > 0.005, 0).clip(lower=0).astype("int64")
    return inv


def _history(conn: Connection, account_id: str) -> pd.DataFrame:
    """Audit rows about the account itself and every record keyed under it (``ID:…``)."""
    stmt = (
        select(
            audit_log.c.changed_at,
            audit_log.c.changed_by,
            audit_log.c.table_name,
            audit_log.c.record_key,
            audit_log.c.action,
            audit_log.c.field,
            audit_log.c.old_value,
            audit_log.c.new_value,
        )
        .where(
            or_(
                audit_log.c.record_key == account_id,
                audit_log.c.record_key.startswith(f"{account_id}:", autoescape=True),
            )
        )
        .order_by(audit_log.c.changed_at.desc(), audit_log.c.audit_id.desc())
        .limit(HISTORY_LIMIT)
    )
    return _frame(
        conn,
        stmt,
        ["changed_at", "changed_by", "table_name", "record_key", "action", "field", "old_value", "new_value"],
    )


def _simple_frames(conn: Connection, account_id: str) -> dict[str, pd.DataFrame]:
    aid = account_id
    level_order = case(
        {lv: i for i, lv in enumerate(("exec", "owner", "store_mgr", "buyer", "finance"))},
        value=account_contact.c.level,
        else_=9,
    )
    return {
        "territory": _frame(
            conn,
            select(account_territory, region.c.code, region.c.name_zh, region.c.name_en)
            .join(region, region.c.region_id == account_territory.c.region_id)
            .where(account_territory.c.account_id == aid)
            .order_by(account_territory.c.valid_from.desc()),
        ),
        "contacts": _frame(
            conn,
            select(account_contact)
            .where(account_contact.c.account_id == aid)
            .order_by(level_order, account_contact.c.name),
            [c.name for c in account_contact.c],
        ),
        "satisfaction": _frame(
            conn,
            select(survey_response)
            .where(survey_response.c.account_id == aid)
            .order_by(survey_response.c.response_date.desc()),
            [c.name for c in survey_response.c],
        ),
        "competitors": _frame(
            conn,
            select(
                account_competitor.c.brand_id,
                competitor_brand.c.name,
                competitor_brand.c.name_en,
                competitor_brand.c.owner_company,
                account_competitor.c.observed_date,
                account_competitor.c.est_volume_share,
                account_competitor.c.source,
            )
            .join(competitor_brand, competitor_brand.c.brand_id == account_competitor.c.brand_id)
            .where(account_competitor.c.account_id == aid)
            .order_by(account_competitor.c.observed_date.desc()),
        ),
        "sub_accounts": _frame(
            conn,
            select(account.c.account_id, account.c.name, account.c.tier_code, account.c.status)
            .where(account.c.parent_account_id == aid)
            .order_by(account.c.account_id),
        ),
        "credit_terms": _frame(
            conn,
            select(credit_terms).where(credit_terms.c.account_id == aid).order_by(credit_terms.c.valid_from.desc()),
            [c.name for c in credit_terms.c],
        ),
        "tiers": _frame(
            conn,
            select(classification_snapshot)
            .where(classification_snapshot.c.account_id == aid)
            .order_by(classification_snapshot.c.as_of.desc()),
            [c.name for c in classification_snapshot.c],
        ),
    }


def load_profile(
    engine: Engine, account_id: str, scope: Scope = DIRECTOR, today: dt.date | None = None
) -> AccountProfile:
    """Read the whole profile card of one account within the viewer's scope.

    Parameters
    ----------
    engine
        The database.
    account_id
        The account's business key.
    scope
        The viewer's scope; an account outside it is reported as not found.
    today
        The date overdue days are counted to (default: today).

    Returns
    -------
    AccountProfile
        Basic data, relations, capabilities, contacts, visits, negotiations, satisfaction, competitor
        brands, monthly trend, credit terms, invoices, tier snapshots and change history.

    Raises
    ------
    AccountNotFound
        If the account does not exist or the viewer may not see it.
    """
    account_id = (account_id or "").strip()
    if not account_id:
        raise AccountNotFound("account: no account id given")
    with engine.connect() as conn:
        basic = _basic(conn, account_id, scope)
        parent, owner, reg = _related(conn, basic)
        latest, cap_hist = _capabilities(conn, account_id)
        visits = _visits(conn, account_id)
        frames = _simple_frames(conn, account_id)
        monthly = _monthly(conn, account_id)
        invoices = _invoices(conn, account_id, today or dt.date.today())
        history = _history(conn, account_id)
    is_neg = visits["visit_type"] == "negotiation"
    return AccountProfile(
        account_id=account_id,
        version=int(basic["version"]),
        basic=basic,
        parent=parent,
        owner=owner,
        region=reg,
        capabilities=latest,
        capability_history=cap_hist,
        visits=visits[~is_neg].reset_index(drop=True),
        negotiations=visits[is_neg].reset_index(drop=True),
        monthly=monthly,
        invoices=invoices,
        history=history,
        **frames,
    )


def last_change(conn: Connection, account_id: str) -> dict | None:
    """The most recent audit row for an account (who changed it last, and when), or None."""
    stmt = (
        select(audit_log.c.changed_by, audit_log.c.changed_at, audit_log.c.table_name, audit_log.c.field)
        .where(
            or_(
                audit_log.c.record_key == account_id,
                audit_log.c.record_key.startswith(f"{account_id}:", autoescape=True),
            )
        )
        .order_by(audit_log.c.changed_at.desc(), audit_log.c.audit_id.desc())
        .limit(1)
    )
    return _one(conn, stmt)


def list_accounts(engine: Engine, scope: Scope = DIRECTOR, limit: int = 5000) -> pd.DataFrame:
    """Account ids and names the viewer can see (for the account picker), sorted by id."""
    stmt = (
        select(account.c.account_id, account.c.name, account.c.name_en, account.c.tier_code)
        .where(and_(scope.account_clause()))
        .order_by(account.c.account_id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return _frame(conn, stmt, ["account_id", "name", "name_en", "tier_code"])
