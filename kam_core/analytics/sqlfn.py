"""Small portable SQL pieces: day numbers, month keys and the authorised-territory test.

SQLite, PostgreSQL and DuckDB disagree on date arithmetic and formatting, so each expression
compiles per dialect; everything else in the analytics is plain SQLAlchemy Core.
"""

from __future__ import annotations

from sqlalchemy import Float, Integer, String, and_, exists, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from kam_core.db.schema import account_territory, region


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


def within_territory(account_id_col, region_id_col, on_date=None):
    """EXISTS clause: ``region_id_col`` lies in (or below) a region authorised for the account.

    Validity of the territory row is checked against ``on_date`` when given.
    """
    terr_region = region.alias("terr_region")
    target = region.alias("target_region")
    cond = [
        account_territory.c.account_id == account_id_col,
        terr_region.c.region_id == account_territory.c.region_id,
        target.c.region_id == region_id_col,
        or_(target.c.path == terr_region.c.path, target.c.path.like(terr_region.c.path + literal("/%"))),
    ]
    if on_date is not None:
        cond += [account_territory.c.valid_from <= on_date,
                 or_(account_territory.c.valid_to.is_(None), account_territory.c.valid_to >= on_date)]
    return exists(select(literal(1)).select_from(account_territory, terr_region, target).where(and_(*cond)))


def has_territory(account_id_col):
    """EXISTS clause: the account has at least one authorised territory row."""
    return exists(select(literal(1)).select_from(account_territory)
                  .where(account_territory.c.account_id == account_id_col))
