"""Small portable SQL pieces: day numbers, month keys and the authorised-territory test.

SQLite, PostgreSQL and DuckDB disagree on date arithmetic and formatting, so each expression
compiles per dialect; everything else in the analytics is plain SQLAlchemy Core.
"""

from __future__ import annotations

from sqlalchemy import Float, Integer, String, exists, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from kam_core.db.schema import account_territory, region
from kam_core.scope import path_within


class day_number(FunctionElement):  # noqa: N801 - reads as a SQL function
    """Days since 1970-01-01 of a DATE expression (a number, so differences are day counts)."""

    type = Float()
    inherit_cache = True


@compiles(day_number)
def _day_number_default(element, compiler, **kw):
    return f"(CAST(({compiler.process(element.clauses, **kw)}) AS DATE) - DATE '1970-01-01')"


@compiles(day_number, "sqlite")
def _day_number_sqlite(element, compiler, **kw):
    return f"(julianday({compiler.process(element.clauses, **kw)}) - 2440587.5)"


class week_number(FunctionElement):  # noqa: N801
    """Whole weeks since 1970-01-01 of a DATE expression (for merging orders of the same week)."""

    type = Integer()
    inherit_cache = True


@compiles(week_number)
def _week_number_default(element, compiler, **kw):
    return f"((CAST(({compiler.process(element.clauses, **kw)}) AS DATE) - DATE '1970-01-01') // 7)"


@compiles(week_number, "postgresql")
def _week_number_pg(element, compiler, **kw):
    return f"((CAST(({compiler.process(element.clauses, **kw)}) AS DATE) - DATE '1970-01-01') / 7)"


@compiles(week_number, "sqlite")
def _week_number_sqlite(element, compiler, **kw):
    return f"CAST((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) / 7 AS INTEGER)"


class month_key(FunctionElement):  # noqa: N801
    """``YYYY-MM`` of a DATE expression."""

    type = String()
    inherit_cache = True


@compiles(month_key)
def _month_key_default(element, compiler, **kw):
    return f"strftime({compiler.process(element.clauses, **kw)}, '%Y-%m')"


@compiles(month_key, "sqlite")
def _month_key_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(month_key, "postgresql")
def _month_key_pg(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


def authorised_regions():
    """Subquery of distinct (account_id, region_id) pairs: every region at or below one of the account's
    authorised territories (``account_territory``).

    Regions below a territory come from a prefix compare of the region paths (:func:`kam_core.scope.path_within`,
    not LIKE, so "_" or "%" in a region code are not wildcards), done on the few hundred regions first and then
    joined to the territories on equality; a scan or an order is then outside the territory when a left join on
    (account, region) finds no pair. Cheaper than a correlated EXISTS per scan or order (10^6-10^7 rows).
    """
    base, below = region.alias("terr_region"), region.alias("target_region")
    descendants = (
        select(base.c.region_id.label("base_id"), below.c.region_id)
        .select_from(base.join(below, path_within(below.c.path, base.c.path)))
        .subquery("region_below")
    )
    return (
        select(account_territory.c.account_id, descendants.c.region_id)
        .select_from(account_territory.join(descendants, descendants.c.base_id == account_territory.c.region_id))
        .distinct()
        .subquery("authorised")
    )


def has_territory(account_id_col):
    """EXISTS clause: the account has at least one authorised territory row."""
    return exists(
        select(literal(1)).select_from(account_territory).where(account_territory.c.account_id == account_id_col)
    )
