"""The relational model (docs/METHODS.md §7) as SQLAlchemy 2 Core tables.

Portable on purpose: the same metadata is created on SQLite, PostgreSQL and DuckDB.
That rules out engine-specific types (JSON is stored as TEXT), ON DELETE CASCADE
(DuckDB refuses it) and autoincrement without a named sequence (DuckDB needs one).
Business keys (accounts, products, regions, reps, orders) are strings, as ERP codes are.
Money is DOUBLE PRECISION: analytics, not a ledger.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Sequence,
    String,
    Table,
    Text,
)
from sqlalchemy.ext.compiler import compiles

from kam_core.vocab import VALUE_TYPES  # noqa: F401 (re-exported: the value types a column may hold)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(32)
CODE = String(16)


def _in(col: str, values: tuple[str, ...]) -> CheckConstraint:
    quoted = ",".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{col} IN ({quoted})", name=f"{col}_values")


def _serial(table: str) -> Column:
    return Column(f"{table}_id", Integer, Sequence(f"{table}_id_seq"), primary_key=True)


REGION_LEVELS = ("region", "area", "community", "street")
ACCOUNT_STATUSES = ("prospect", "negotiating", "signed", "active", "lost")
CONTACT_LEVELS = ("buyer", "store_mgr", "owner", "exec", "finance")
# a contact's part in the buying decision (资料卡). The CHECK is in new databases, PostgreSQL ones migrated by
# 0005 and the import validation; a SQLite file migrated by 0005 relies on kam_core.profile.validate and the
# importer (ALTER TABLE cannot add a CHECK on SQLite)
CONTACT_AUTHORITIES = ("decision_maker", "influencer", "user", "gatekeeper", "coach")
PLAN_KINDS = ("account_goal", "objective", "strategy", "action")
PLAN_STATUSES = ("planned", "in_progress", "done", "dropped")
LOYALTY_ACTIONS = ("priority_supply", "new_product_trial", "senior_visit", "co_promotion", "annual_meeting", "other")
SETTLEMENT_MODES = ("cash", "credit", "consignment", "turnover_deduction")

# --- reference and organisation -------------------------------------------------------------
region = Table(
    "region",
    metadata,
    Column("region_id", ID, primary_key=True),
    Column("parent_id", ID, ForeignKey("region.region_id"), nullable=True),
    Column("level", String(12), nullable=False),
    Column("code", ID, nullable=False, unique=True),
    Column("name_zh", String(64), nullable=False),
    Column("name_en", String(64), nullable=False),
    Column("population", Integer),
    Column("outlets_universe", Integer),
    Column("path", String(200), nullable=False),
    _in("level", REGION_LEVELS),
)
Index("ix_region_parent", region.c.parent_id)

sales_rep = Table(
    "sales_rep",
    metadata,
    Column("rep_id", ID, primary_key=True),
    Column("name", String(64), nullable=False),
    Column("name_en", String(64)),
    Column("manager_rep_id", ID, ForeignKey("sales_rep.rep_id")),
    Column("home_region_id", ID, ForeignKey("region.region_id")),
    Column("hourly_cost", Float, nullable=False, default=60.0),
    Column("active_from", Date),
    Column("active_to", Date),
)

channel_tier = Table(
    "channel_tier",
    metadata,
    Column("tier_code", CODE, primary_key=True),
    Column("name_zh", String(32), nullable=False),
    Column("name_en", String(32), nullable=False),
    Column("level_in_chain", Integer, nullable=False),
)

tier_threshold = Table(
    "tier_threshold",
    metadata,
    Column("tier_code", CODE, ForeignKey("channel_tier.tier_code"), primary_key=True),
    Column("scheme", String(16), primary_key=True),
    Column("label", String(16), primary_key=True),
    Column("lower_bound", Float),
    Column("upper_bound", Float),
    Column("metric", String(16), nullable=False),
    Column("valid_from", Date),
)

# --- accounts and relationships ---------------------------------------------------------------
account = Table(
    "account",
    metadata,
    Column("account_id", ID, primary_key=True),
    Column("name", String(128), nullable=False),
    Column("name_en", String(128)),
    Column("tier_code", CODE, ForeignKey("channel_tier.tier_code"), nullable=False),
    Column("parent_account_id", ID, ForeignKey("account.account_id")),
    Column("region_id", ID, ForeignKey("region.region_id")),
    Column("owner_rep_id", ID, ForeignKey("sales_rep.rep_id")),
    Column("status", String(12), nullable=False, default="active"),
    Column("first_order_date", Date),
    Column("contract_type", String(16), nullable=False, default="noncontractual"),
    Column("contract_start", Date),
    Column("contract_end", Date),
    Column("outlets_served", Integer),
    Column("warehouse_capacity_cases", Float),
    Column("tangible_net_worth", Float),
    Column("annual_turnover_all_brands", Float),
    Column("exclusive_agreement", Boolean, nullable=False, default=False),
    Column("data_sharing", Boolean, nullable=False, default=False),
    Column("jbp_in_place", Boolean, nullable=False, default=False),
    Column("address", String(200)),
    Column("phone", String(32)),
    Column("created_source", String(16), nullable=False, default="manual"),
    # optimistic locking: every edit checks and bumps this
    Column("version", Integer, nullable=False, default=1),
    _in("status", ACCOUNT_STATUSES),
    _in("contract_type", ("contractual", "noncontractual")),
)
Index("ix_account_tier", account.c.tier_code)
Index("ix_account_region", account.c.region_id)
Index("ix_account_rep", account.c.owner_rep_id)
Index("ix_account_parent", account.c.parent_account_id)

account_capability = Table(  # the six capabilities of a distributor (资料卡), versioned by as-of
    "account_capability",
    metadata,
    Column("account_id", ID, ForeignKey("account.account_id"), primary_key=True),
    Column("assessed_on", Date, primary_key=True),
    Column("sub_distributors", Integer),
    Column("terminals", Integer),
    Column("portfolio_complementarity", Integer),  # 1-5
    Column("loyalty_rating", Integer),  # 1-5, the KAM's judgement
    Column("capital_rmb", Float),
    Column("staff", Integer),
    Column("vehicles", Integer),
    Column("note", Text),
)

account_territory = Table(
    "account_territory",
    metadata,
    Column("account_id", ID, ForeignKey("account.account_id"), primary_key=True),
    Column("region_id", ID, ForeignKey("region.region_id"), primary_key=True),
    Column("valid_from", Date, primary_key=True),
    Column("valid_to", Date),
    Column("exclusive", Boolean, nullable=False, default=False),
)

account_contact = Table(
    "account_contact",
    metadata,
    _serial("contact"),
    Column("account_id", ID, ForeignKey("account.account_id"), nullable=False),
    Column("level", String(12), nullable=False),
    Column("name", String(64), nullable=False),
    Column("role", String(64)),
    Column("phone", String(32)),
    Column("since", Date),
    Column("authority", String(16)),  # CONTACT_AUTHORITIES
    Column("personality", String(200)),
    Column("hobbies", String(200)),
    Column("email", String(128)),
    _in("level", CONTACT_LEVELS),
    _in("authority", CONTACT_AUTHORITIES),
)
Index("ix_account_contact_account", account_contact.c.account_id)

account_plan_item = Table(  # the account plan (客户档案): its goals, our objectives, strategy and loyalty actions
    "account_plan_item",
    metadata,
    _serial("plan_item"),
    Column("account_id", ID, ForeignKey("account.account_id"), nullable=False),
    Column("kind", String(12), nullable=False),
    Column("action_type", String(20)),  # LOYALTY_ACTIONS, for kind = action
    Column("title", String(200), nullable=False),
    Column("detail", Text),
    Column("target_metric", String(24)),  # a scorecard column (kam_core.profile.plan_validate.TARGET_METRICS)
    Column("target_value", Float),
    Column("due_date", Date),
    Column("status", String(12), nullable=False, default="planned"),
    Column("owner", String(64)),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    _in("kind", PLAN_KINDS),
    _in("status", PLAN_STATUSES),
)
Index("ix_account_plan_item_account", account_plan_item.c.account_id)

account_owner_history = Table(
    "account_owner_history",
    metadata,
    Column("account_id", ID, ForeignKey("account.account_id"), primary_key=True),
    Column("rep_id", ID, ForeignKey("sales_rep.rep_id"), primary_key=True),
    Column("valid_from", Date, primary_key=True),
    Column("valid_to", Date),
)

# --- products and prices ----------------------------------------------------------------------
product = Table(
    "product",
    metadata,
    Column("sku_id", ID, primary_key=True),
    Column("name", String(128), nullable=False),
    Column("name_en", String(128)),
    Column("brand", String(64), nullable=False, default=""),
    Column("segment", String(16), nullable=False, default="mainstream"),
    Column("pack", String(8), nullable=False, default="bottle"),
    Column("units_per_case", Integer, nullable=False, default=12),
    Column("liters_per_case", Float, nullable=False, default=6.0),
    Column("std_cogs_per_case", Float),
    Column("returnable", Boolean, nullable=False, default=False),
    Column("deposit_per_case", Float, nullable=False, default=0.0),
    Column("launch_date", Date),
    Column("is_service", Boolean, nullable=False, default=False),  # postage, freight lines from ERP
    _in("segment", ("mainstream", "premium", "super_premium")),
    _in("pack", ("bottle", "can", "keg", "other")),
)

price_list = Table(
    "price_list",
    metadata,
    Column("sku_id", ID, ForeignKey("product.sku_id"), primary_key=True),
    Column("tier_code", CODE, ForeignKey("channel_tier.tier_code"), primary_key=True),
    Column("valid_from", Date, primary_key=True),
    Column("region_id", ID, ForeignKey("region.region_id")),
    Column("valid_to", Date),
    Column("list_price", Float, nullable=False),
    Column("floor_price", Float, nullable=False),
)

# --- orders, sell-out, scans ------------------------------------------------------------------
order_header = Table(
    "order_header",
    metadata,
    Column("order_id", ID, primary_key=True),
    Column("account_id", ID, ForeignKey("account.account_id"), nullable=False),
    Column("order_date", Date, nullable=False),
    Column("ship_date", Date),
    Column("ship_to_region_id", ID, ForeignKey("region.region_id")),
    Column("rep_id", ID, ForeignKey("sales_rep.rep_id")),
    Column("settlement_mode", String(20), nullable=False, default="cash"),
    Column("payment_terms_days", Integer, nullable=False, default=0),
    Column("delivery_cost", Float, nullable=False, default=0.0),
    Column("is_return", Boolean, nullable=False, default=False),
    Column("source", String(16), nullable=False, default="manual"),  # demo | erp | manual
    _in("settlement_mode", SETTLEMENT_MODES),
)
Index("ix_order_header_account_date", order_header.c.account_id, order_header.c.order_date)
Index("ix_order_header_date", order_header.c.order_date)

order_line = Table(
    "order_line",
    metadata,
    Column("order_id", ID, ForeignKey("order_header.order_id"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("sku_id", ID, ForeignKey("product.sku_id"), nullable=False),
    Column("qty_cases", Float, nullable=False),  # negative = return / credit note
    Column("list_price", Float, nullable=False),
    Column("invoice_price", Float, nullable=False),
    Column("off_invoice_disc", Float, nullable=False, default=0.0),
    Column("cogs_per_case", Float, nullable=False),  # frozen at the time of sale
    Column("promo_id", ID, ForeignKey("promotion.promo_id")),
    Column("free_qty_cases", Float, nullable=False, default=0.0),
    # idempotent ERP re-import: a stable key of the source line (see kam_core.io)
    Column("source_key", String(64), unique=True),
)
Index("ix_order_line_sku", order_line.c.sku_id)
Index("ix_order_line_promo", order_line.c.promo_id)  # the post-event cost reads a promotion's tagged lines

# Pre-aggregate of the order lines per account and order day (kam_core.db.order_days): what the scorecard
# reads instead of the order lines. Rebuilt in the same transaction by every write path of kam_core (demo,
# imports); ``aggregate_state`` says what it was built from, so a database written by other means falls back
# to the order lines until ``python -m kam_core refresh-aggregates`` rebuilds it.
order_day = Table(
    "order_day",
    metadata,
    Column("account_id", ID, primary_key=True),
    Column("order_date", Date, primary_key=True),
    Column("orders", Integer, nullable=False),  # order headers of the day (returns included)
    Column("sales_orders", Integer, nullable=False),  # of which not returns
    Column("delivery_cost", Float, nullable=False),
    Column("lines", Integer, nullable=False),  # order lines of non-service SKUs; the sums below are over these
    Column("net_sales", Float, nullable=False),
    Column("gross_sales", Float, nullable=False),
    Column("cogs", Float, nullable=False),
    Column("volume_cases", Float, nullable=False),
    Column("pos_cases", Float, nullable=False),
    Column("promo_cases", Float, nullable=False),  # promotion id, or invoice price at/below the tier's floor
    Column("premium_cases", Float, nullable=False),  # premium segment, or launched within 12 months
    Column("free_goods_cost", Float, nullable=False),
)
Index("ix_order_day_date", order_day.c.order_date)

# One level up: the same sums per account and calendar month (kam_core.db.account_month), split by whether the day
# is one of the last 10 days of a quarter-end month (quarter-end buying, S4). Built from ``order_day`` by one
# GROUP BY in the same transaction; the scorecard reads whole months here and only the edge months of a window
# that does not start or end on a month boundary from ``order_day``.
account_month = Table(
    "account_month",
    metadata,
    Column("account_id", ID, primary_key=True),
    Column("month", String(7), primary_key=True),  # YYYY-MM
    Column("late", Integer, primary_key=True),  # 1: the last 10 days of March, June, September, December
    Column("days", Integer, nullable=False),  # order days (rows of order_day) summed here
    Column("orders", Integer, nullable=False),
    Column("sales_orders", Integer, nullable=False),
    Column("delivery_cost", Float, nullable=False),
    Column("lines", Integer, nullable=False),
    Column("net_sales", Float, nullable=False),
    Column("gross_sales", Float, nullable=False),
    Column("cogs", Float, nullable=False),
    Column("volume_cases", Float, nullable=False),
    Column("pos_cases", Float, nullable=False),
    Column("promo_cases", Float, nullable=False),
    Column("premium_cases", Float, nullable=False),
    Column("free_goods_cost", Float, nullable=False),
)
Index("ix_account_month_month", account_month.c.month)

aggregate_state = Table(
    "aggregate_state",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("built_at", DateTime, nullable=False),
    Column("order_headers", Integer, nullable=False),  # row counts of the sources when it was built
    Column("order_lines", Integer, nullable=False),
)

sellout = Table(
    "sellout",
    metadata,
    Column("account_id", ID, ForeignKey("account.account_id"), primary_key=True),
    Column("sku_id", ID, ForeignKey("product.sku_id"), primary_key=True),
    Column("period", Date, primary_key=True),  # first day of month
    Column("qty_cases", Float, nullable=False),
    Column("source", String(16), nullable=False),
)

inventory_snapshot = Table(
    "inventory_snapshot",
    metadata,
    Column("account_id", ID, ForeignKey("account.account_id"), primary_key=True),
    Column("sku_id", ID, ForeignKey("product.sku_id"), primary_key=True),
    Column("snap_date", Date, primary_key=True),
    Column("qty_cases", Float, nullable=False),
)

code_scan = Table(
    "code_scan",
    metadata,
    _serial("scan"),
    Column("code", String(40), nullable=False),
    Column("sku_id", ID, ForeignKey("product.sku_id")),
    Column("shipped_account_id", ID, ForeignKey("account.account_id"), nullable=False),
    Column("scan_time", DateTime, nullable=False),
    Column("scan_region_id", ID, ForeignKey("region.region_id")),
    Column("scan_type", String(12), nullable=False),
    Column("lat", Float),
    Column("lon", Float),
    _in("scan_type", ("outbound", "dealer_in", "terminal", "consumer")),
)
Index("ix_code_scan_account", code_scan.c.shipped_account_id)

market_price_check = Table(
    "market_price_check",
    metadata,
    _serial("check"),
    Column("region_id", ID, ForeignKey("region.region_id"), nullable=False),
    Column("sku_id", ID, ForeignKey("product.sku_id"), nullable=False),
    Column("check_date", Date, nullable=False),
    Column("observed_price", Float, nullable=False),
    Column("lot_code", String(40)),
    Column("traced_account_id", ID, ForeignKey("account.account_id")),
)

# --- rebates and promotions -------------------------------------------------------------------
rebate_program = Table(
    "rebate_program",
    metadata,
    Column("program_id", ID, primary_key=True),
    Column("name", String(128), nullable=False),
    Column("type", String(20), nullable=False),
    Column("basis", String(10), nullable=False, default="cases"),
    Column("period", String(8), nullable=False, default="quarter"),
    Column("payout_form", String(12), nullable=False, default="credit_note"),
    Column("tier_code", CODE, ForeignKey("channel_tier.tier_code")),
    Column("region_id", ID, ForeignKey("region.region_id")),
    Column("sku_scope", Text),  # JSON list of sku ids, null = all
    Column("growth_base", String(16)),
    Column("discount_days", Integer),
    Column("net_days", Integer),
    Column("cap_amount", Float),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, nullable=False),
    _in("type", ("retro_tiered", "incremental_tiered", "threshold", "growth", "per_case", "cash_discount")),
    _in("basis", ("cases", "net_sales")),
    _in("period", ("month", "quarter", "year")),
    _in("payout_form", ("cash", "credit_note", "free_goods")),
)

rebate_tier = Table(
    "rebate_tier",
    metadata,
    Column("program_id", ID, ForeignKey("rebate_program.program_id"), primary_key=True),
    Column("tier_no", Integer, primary_key=True),
    Column("lower_bound", Float, nullable=False),
    Column("upper_bound", Float),
    Column("rate", Float, nullable=False),
    Column("rate_unit", String(10), nullable=False),
    _in("rate_unit", ("pct", "per_case", "fixed")),
)

rebate_enrollment = Table(
    "rebate_enrollment",
    metadata,
    Column("program_id", ID, ForeignKey("rebate_program.program_id"), primary_key=True),
    Column("account_id", ID, ForeignKey("account.account_id"), primary_key=True),
    Column("target_basis", Float),
    Column("base_basis_ly", Float),
)

rebate_accrual = Table(
    "rebate_accrual",
    metadata,
    Column("program_id", ID, ForeignKey("rebate_program.program_id"), primary_key=True),
    Column("account_id", ID, ForeignKey("account.account_id"), primary_key=True),
    Column("period_end", Date, primary_key=True),
    Column("ytd_basis", Float),
    Column("forecast_full_basis", Float),
    Column("expected_rebate", Float),
    Column("effective_rate", Float),
    Column("method", String(16)),
    Column("accrued_to_date", Float),
    Column("period_charge", Float),
    Column("p_reach_next_tier", Float),
    Column("run_id", Integer),
)

rebate_settlement = Table(
    "rebate_settlement",
    metadata,
    _serial("settlement"),
    Column("program_id", ID, ForeignKey("rebate_program.program_id"), nullable=False),
    Column("account_id", ID, ForeignKey("account.account_id"), nullable=False),
    Column("period", String(10), nullable=False),  # e.g. 2026Q2, 2026
    Column("actual_basis", Float, nullable=False),
    Column("actual_rebate", Float, nullable=False),
    Column("paid_date", Date),
    Column("form", String(12), nullable=False, default="credit_note"),
    Column("interim", Boolean, nullable=False, default=False),
)
Index("ix_rebate_settlement_account", rebate_settlement.c.account_id)

PROMO_MECHANICS = ("tpr", "per_case", "bottle_cap", "empty_exchange", "display", "free_goods", "feature", "coupon")
promotion = Table(
    "promotion",
    metadata,
    Column("promo_id", ID, primary_key=True),
    Column("name", String(128), nullable=False),
    Column("mechanic", String(16), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("tier_code", CODE, ForeignKey("channel_tier.tier_code")),
    Column("region_id", ID, ForeignKey("region.region_id")),
    Column("sku_scope", Text),
    Column("discount_per_case", Float),
    Column("funding", String(12), nullable=False, default="off_invoice"),
    Column("fixed_cost", Float, nullable=False, default=0.0),
    Column("planned_incremental_cases", Float),
    Column("win_prob", Float),
    Column("prize_cost", Float),
    Column("exchange_ratio_n", Integer),
    Column("expected_redemption", Float),
    # coupon mechanic (docs/methods_post_event.md): face value of one coupon; redeemed coupons go to ``redemption``
    Column("coupon_face_value", Float),
    _in("mechanic", PROMO_MECHANICS),
    _in("funding", ("off_invoice", "billback", "scanback", "lump_sum")),
)

promotion_account = Table(
    "promotion_account",
    metadata,
    Column("promo_id", ID, ForeignKey("promotion.promo_id"), primary_key=True),
    Column("account_id", ID, ForeignKey("account.account_id"), primary_key=True),
    Column("fixed_fee", Float, nullable=False, default=0.0),
    Column("pass_through_assumed", Float),
)

# SKU scope of a promotion: it applies to these SKUs only (uplift measured on them). No rows = every SKU, unless
# the older ``promotion.sku_scope`` JSON list says otherwise (kam_core.queries.post_event reads both).
promotion_sku = Table(
    "promotion_sku",
    metadata,
    Column("promo_id", ID, ForeignKey("promotion.promo_id"), primary_key=True),
    Column("sku_id", ID, ForeignKey("product.sku_id"), primary_key=True),
)

redemption = Table(
    "redemption",
    metadata,
    _serial("redemption"),
    Column("promo_id", ID, ForeignKey("promotion.promo_id"), nullable=False),
    Column("account_id", ID, ForeignKey("account.account_id"), nullable=False),
    Column("redeem_date", Date, nullable=False),
    Column("units_redeemed", Float, nullable=False),
    Column("prize_units", Float, nullable=False, default=0.0),
    Column("cost", Float, nullable=False),
)
Index("ix_redemption_account", redemption.c.account_id)

scenario_run = Table(
    "scenario_run",
    metadata,
    _serial("run"),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("name", String(128), nullable=False),
    Column("params", Text, nullable=False),  # scenario JSON
    Column("seed", Integer),
    Column("n_draws", Integer),
    Column("results", Text),  # result JSON
)

# --- service, surveys, competition ------------------------------------------------------------
activity_rate = Table(
    "activity_rate",
    metadata,
    Column("activity_type", String(16), primary_key=True),
    Column("valid_from", Date, primary_key=True),
    Column("cost_per_minute", Float, nullable=False),
)

VISIT_TYPES = ("order", "merch", "training", "consulting", "complaint", "collection", "negotiation")
visit = Table(
    "visit",
    metadata,
    _serial("visit"),
    Column("account_id", ID, ForeignKey("account.account_id"), nullable=False),
    Column("rep_id", ID, ForeignKey("sales_rep.rep_id")),
    Column("visit_date", Date, nullable=False),
    Column("visit_type", String(12), nullable=False),
    Column("duration_min", Float, nullable=False, default=30.0),
    Column("travel_min", Float, nullable=False, default=0.0),
    Column("contact_level", String(12)),
    Column("advice_given", Boolean, nullable=False, default=False),
    Column("note", Text),  # negotiation notes live here (visit_type='negotiation')
    Column("created_by", String(64)),
    _in("visit_type", VISIT_TYPES),
)
Index("ix_visit_account_date", visit.c.account_id, visit.c.visit_date)

service_event = Table(
    "service_event",
    metadata,
    _serial("event"),
    Column("account_id", ID, ForeignKey("account.account_id"), nullable=False),
    Column("event_date", Date, nullable=False),
    Column("type", String(16), nullable=False),
    Column("qty", Float, nullable=False, default=1.0),
    Column("direct_cost", Float, nullable=False, default=0.0),
    Column("minutes", Float, nullable=False, default=0.0),
    _in(
        "type",
        (
            "delivery",
            "rush_order",
            "return",
            "claim",
            "cooler_install",
            "posm",
            "training",
            "consulting",
            "planogram",
            "menu_engineering",
        ),
    ),
)
Index("ix_service_event_account", service_event.c.account_id, service_event.c.event_date)

CONTACT_TYPES = ("visit", "call", "message", "email", "gift")
contact_log = Table(  # every follow-up contact, in person or not; a row with ``task`` closes that follow-up
    "contact_log",
    metadata,
    _serial("contact_log"),
    Column("account_id", ID, ForeignKey("account.account_id"), nullable=False),
    Column("contact_date", Date, nullable=False),
    Column("contact_type", String(8), nullable=False),
    Column("task", String(48)),  # the follow-up it closes: greeting, survey, contact, holiday:cny:2026, ...
    Column("due_date", Date),  # that follow-up's due date (task + due date name one occurrence)
    Column("rep_id", ID, ForeignKey("sales_rep.rep_id")),
    Column("note", Text),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    _in("contact_type", CONTACT_TYPES),
)
Index("ix_contact_log_account", contact_log.c.account_id, contact_log.c.contact_date)

co_investment = Table(
    "co_investment",
    metadata,
    _serial("co_inv"),
    Column("account_id", ID, ForeignKey("account.account_id"), nullable=False),
    Column("type", String(16), nullable=False),
    Column("amount_ours", Float, nullable=False, default=0.0),
    Column("amount_theirs", Float, nullable=False, default=0.0),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
    _in("type", ("joint_marketing", "cooler", "signage", "data", "jbp")),
)

survey_response = Table(
    "survey_response",
    metadata,
    _serial("response"),
    Column("account_id", ID, ForeignKey("account.account_id"), nullable=False),
    Column("respondent_role", String(12), nullable=False),
    Column("response_date", Date, nullable=False),
    Column("nps_0_10", Integer),
    Column("csat_1_5", Integer),
    Column("comment", Text),
    CheckConstraint("nps_0_10 IS NULL OR (nps_0_10 >= 0 AND nps_0_10 <= 10)", name="nps_range"),
    CheckConstraint("csat_1_5 IS NULL OR (csat_1_5 >= 1 AND csat_1_5 <= 5)", name="csat_range"),
)

competitor_brand = Table(
    "competitor_brand",
    metadata,
    Column("brand_id", ID, primary_key=True),
    Column("name", String(64), nullable=False),
    Column("name_en", String(64)),
    Column("owner_company", String(64)),
    Column("segment", String(16)),
)

account_competitor = Table(
    "account_competitor",
    metadata,
    Column("account_id", ID, ForeignKey("account.account_id"), primary_key=True),
    Column("brand_id", ID, ForeignKey("competitor_brand.brand_id"), primary_key=True),
    Column("observed_date", Date, primary_key=True),
    Column("est_volume_share", Float),
    Column("source", String(8), nullable=False),
    _in("source", ("visit", "survey", "audit")),
)

account_category_volume = Table(  # share-of-wallet denominator
    "account_category_volume",
    metadata,
    Column("account_id", ID, ForeignKey("account.account_id"), primary_key=True),
    Column("period", Date, primary_key=True),  # first day of the year or month
    Column("total_beer_cases_est", Float, nullable=False),
    Column("source", String(16), nullable=False),
    Column("confidence", Float),
)

# --- credit, settlement, KA terms -------------------------------------------------------------
credit_terms = Table(
    "credit_terms",
    metadata,
    Column("account_id", ID, ForeignKey("account.account_id"), primary_key=True),
    Column("valid_from", Date, primary_key=True),
    Column("valid_to", Date),
    Column("settlement_mode", String(20), nullable=False),
    Column("payment_terms_days", Integer, nullable=False, default=0),
    Column("statement_cycle", String(14), nullable=False, default="monthly"),
    Column("deduction_rate", Float),
    Column("credit_limit", Float, nullable=False, default=0.0),
    Column("deposit_amount", Float, nullable=False, default=0.0),
    Column("approved_by", String(64)),
    Column("reason", Text),
    _in("settlement_mode", SETTLEMENT_MODES),
    _in("statement_cycle", ("semi_monthly", "monthly", "quarterly")),
)

ar_invoice = Table(
    "ar_invoice",
    metadata,
    Column("invoice_id", ID, primary_key=True),
    Column("account_id", ID, ForeignKey("account.account_id"), nullable=False),
    Column("order_id", ID, ForeignKey("order_header.order_id")),
    Column("invoice_date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("amount", Float, nullable=False),
    Column("vat_amount", Float, nullable=False, default=0.0),
)
Index("ix_ar_invoice_account", ar_invoice.c.account_id)

ar_payment = Table(
    "ar_payment",
    metadata,
    _serial("payment"),
    Column("invoice_id", ID, ForeignKey("ar_invoice.invoice_id"), nullable=False),
    Column("pay_date", Date, nullable=False),
    Column("amount", Float, nullable=False),
    Column("method", String(16), nullable=False, default="transfer"),
    Column("bounced", Boolean, nullable=False, default=False),
)
Index("ix_ar_payment_invoice", ar_payment.c.invoice_id)

ka_fee = Table(
    "ka_fee",
    metadata,
    _serial("fee"),
    Column("account_id", ID, ForeignKey("account.account_id"), nullable=False),
    Column("fee_type", String(16), nullable=False),
    Column("fee_date", Date, nullable=False),
    Column("amount", Float, nullable=False),
    Column("deducted_from_settlement", Boolean, nullable=False, default=True),
    _in(
        "fee_type",
        (
            "entry",
            "barcode",
            "display",
            "festival",
            "anniversary",
            "poster",
            "promoter",
            "deduction",
            "year_end_rebate",
        ),
    ),
)

consignment_stock = Table(
    "consignment_stock",
    metadata,
    Column("account_id", ID, ForeignKey("account.account_id"), primary_key=True),
    Column("sku_id", ID, ForeignKey("product.sku_id"), primary_key=True),
    Column("snap_date", Date, primary_key=True),
    Column("qty_cases", Float, nullable=False),
)

# --- outputs: auditable snapshots -------------------------------------------------------------
account_metrics_snapshot = Table(
    "account_metrics_snapshot",
    metadata,
    Column("account_id", ID, ForeignKey("account.account_id"), primary_key=True),
    Column("as_of", Date, primary_key=True),
    Column("net_sales", Float),
    Column("gp", Float),
    Column("cts", Float),
    Column("ncp", Float),
    Column("tenure_y", Float),
    Column("sow", Float),
    Column("regularity", Float),
    Column("loyalty_index", Float),
    Column("churn_prob", Float),
    Column("clv", Float),
    Column("clv_model", String(32)),  # "discounted_margin" and longer names (PostgreSQL enforces the length)
    Column("dso", Float),
    Column("dbt", Float),
    Column("params_hash", String(16)),
)

classification_snapshot = Table(
    "classification_snapshot",
    metadata,
    Column("account_id", ID, ForeignKey("account.account_id"), primary_key=True),
    Column("as_of", Date, primary_key=True),
    Column("params_hash", String(16), primary_key=True),
    Column("rackham_type", String(12)),
    Column("rackham_conf", Float),
    Column("rackham_reasons", Text),
    Column("pyramid_tier", String(10)),
    Column("size_tier", String(10)),
    Column("abc_class", String(1)),
    Column("hvll_flag", Boolean),
    Column("diversion_score", Float),
    Column("diversion_evidence", Text),
    Column("credit_grade", String(1)),
    Column("suggested_limit", Float),
    Column("method", String(160)),  # METHOD of kam_core.queries.snapshots (81 characters today)
    Column("model_version", String(16)),
)

# Computed scorecards (kam_core.queries.scorecard_store): a restarted or second server reads the stored result of a
# view instead of recomputing it. ``key`` digests the data version, the code version, the window, the scope and
# the settings, so a stored result is only ever read for exactly the data and code it was computed from.
scorecard_store = Table(
    "scorecard_store",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("data_version", String(200), nullable=False),
    Column("computed_at", DateTime, nullable=False),
    Column("seconds", Float, nullable=False),  # what computing it took
    Column("scorecard", LargeBinary, nullable=False),  # Parquet
    Column("features", LargeBinary, nullable=False),  # Parquet
    Column("meta", Text, nullable=False),  # JSON: window, data-health items, missing inputs
)

# Per-table data versions (kam_core.db.table_versions): every INSERT, UPDATE or DELETE through SQLAlchemy (and every
# bulk insert) adds 1 to its table's row in the same transaction, so a version commits or rolls back with the data.
table_version = Table(
    "table_version",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("changed_at", DateTime, nullable=False),
)

# Stored scorecard inputs (kam_core.queries.input_cache): one per-account part of a window, keyed by the part, the
# window, the settings, the code version and the versions of the tables the part reads. Parquet, no pickle.
input_part = Table(
    "input_part",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("part", String(40), nullable=False),
    Column("window_start", Date, nullable=False),
    Column("window_end", Date, nullable=False),
    Column("computed_at", DateTime, nullable=False),
    Column("data", LargeBinary, nullable=False),  # Parquet
)
Index("ix_input_part_part", input_part.c.part, input_part.c.window_start, input_part.c.window_end)

# --- housekeeping -----------------------------------------------------------------------------
audit_log = Table(  # every change to account data: who, when, what
    "audit_log",
    metadata,
    _serial("audit"),
    Column("changed_at", DateTime, nullable=False),
    Column("changed_by", String(64), nullable=False),
    Column("table_name", String(40), nullable=False),
    Column("record_key", String(80), nullable=False),
    Column("action", String(8), nullable=False),
    Column("field", String(40)),
    Column("old_value", Text),
    Column("new_value", Text),
    _in("action", ("insert", "update", "delete")),
)
Index("ix_audit_log_record", audit_log.c.table_name, audit_log.c.record_key)

import_log = Table(
    "import_log",
    metadata,
    _serial("import"),
    Column("imported_at", DateTime, nullable=False),
    Column("imported_by", String(64), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("target", String(40), nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("rows_written", Integer, nullable=False),
    Column("rows_skipped", Integer, nullable=False, default=0),
    Column("rows_rejected", Integer, nullable=False, default=0),
    Column("summary", Text),
    Column("details", Text),  # JSON: the data-health record of the import (kam_core.io.import_health)
)

app_user = Table(  # sign-in identity → role and scope (docs/DESIGN.md §6)
    "app_user",
    metadata,
    Column("email", String(128), primary_key=True),
    Column("role", String(10), nullable=False),
    Column("scope_id", ID),  # region code for managers, rep id for reps
    Column("display_name", String(64)),
    _in("role", ("director", "manager", "rep")),
)

demo_truth = Table(  # planted answers; the analytics never read this table
    "demo_truth",
    metadata,
    Column("account_id", ID, ForeignKey("account.account_id"), primary_key=True),
    Column("value_type", String(12)),
    Column("high_volume_low_loyalty", Boolean, nullable=False),
    Column("diverter", Boolean, nullable=False),
)

demo_truth_promotion = Table(  # the planted campaign's true effect (tests score the post-event method on it)
    "demo_truth_promotion",
    metadata,
    Column("promo_id", ID, ForeignKey("promotion.promo_id"), primary_key=True),
    Column("participants", Integer, nullable=False),
    Column("lift", Float, nullable=False),  # planted relative lift of the scoped SKUs' cases
    Column("incremental_cases", Float, nullable=False),  # cases the lift added, all participants
    Column("incremental_cases_per_account", Float, nullable=False),  # the effect on the treated, per account
)


@compiles(ForeignKeyConstraint, "duckdb")
def _no_foreign_keys_on_duckdb(element, compiler, **kw):
    """DuckDB's foreign keys reject a self-reference inserted in one statement and block deletes
    of referenced rows even inside one transaction; on DuckDB (an analysis copy) the importers'
    own checks keep references whole instead."""
    return None


sales_target = Table(  # monthly targets per account, region (by code) or rep; exactly one of the three per row
    "sales_target",
    metadata,
    _serial("sales_target"),
    Column("account_id", ID, ForeignKey("account.account_id")),
    Column("region_code", ID, ForeignKey("region.code")),
    Column("rep_id", ID, ForeignKey("sales_rep.rep_id")),
    Column("month", Date, nullable=False),  # the first day of the month the target is for
    Column("target_net_sales", Float),  # RMB
    Column("target_cases", Float),
    CheckConstraint(
        "(CASE WHEN account_id IS NULL THEN 0 ELSE 1 END + CASE WHEN region_code IS NULL THEN 0 ELSE 1 END"
        " + CASE WHEN rep_id IS NULL THEN 0 ELSE 1 END) = 1",
        name="one_key",
    ),
)
Index("ix_sales_target_month", sales_target.c.month)
