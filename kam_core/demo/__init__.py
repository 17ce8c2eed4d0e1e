"""A seeded demo brewer (江城啤酒 Jiangcheng Brewery) with planted, scoreable truth.

``generate(engine, accounts=2000, months=24, seed=7)`` fills an empty schema in one transaction. The same
seed gives byte-identical tables; the planted answers go to ``demo_truth`` (see notes/features.md for how
they show in the other tables).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, inspect

from kam_core.db import order_days
from kam_core.db.bulk import refresh_statistics
from kam_core.demo.build import build_tables
from kam_core.demo.season import parse_end
from kam_core.demo.writer import clear_or_refuse, existing_accounts, insert_all
from kam_core.errors import UserError

__all__ = ["DemoSummary", "generate"]

MIN_ACCOUNTS = 30
MAX_MONTHS = 120


@dataclass(frozen=True)
class DemoSummary:
    """What was generated."""

    accounts: int
    orders: int
    order_lines: int
    start: str
    end: str
    typed: int
    high_volume_low_loyalty: int
    diverters: int
    rows: int

    def __str__(self) -> str:
        return (
            f"demo brewer: {self.accounts} accounts, {self.orders} orders, {self.order_lines} order lines, "
            f"{self.start} to {self.end}; planted {self.typed} typed key accounts, "
            f"{self.high_volume_low_loyalty} high-volume-low-loyalty, {self.diverters} diverters "
            f"({self.rows} rows in all)"
        )


def _check(accounts: int, months: int) -> None:
    if not isinstance(accounts, int | np.integer) or accounts < MIN_ACCOUNTS:
        raise UserError(f"--accounts must be a whole number of at least {MIN_ACCOUNTS}, got {accounts!r}")
    if not isinstance(months, int | np.integer) or not 3 <= months <= MAX_MONTHS:
        raise UserError(f"--months must be a whole number from 3 to {MAX_MONTHS}, got {months!r}")


def generate(
    engine: Engine,
    accounts: int = 2000,
    months: int = 24,
    seed: int = 7,
    end=None,
    replace: bool = False,
    progress: Callable[[float, str], None] | None = None,
) -> DemoSummary:
    """Generate the demo brewer into ``engine``.

    Parameters
    ----------
    engine
        Target database (SQLite, PostgreSQL or DuckDB); the schema is created if missing.
    accounts, months
        Number of accounts (>= 30) and months of history (3-120) ending on ``end``.
    seed
        Seed of ``numpy.random.Generator(PCG64(seed))``; the same seed gives identical tables.
    end
        Last day of history, ISO string or date; default 2026-10-31.
    replace
        Delete every existing data row first (in the same transaction).
    progress
        Optional ``callable(fraction, message)`` called at each stage.

    Returns
    -------
    DemoSummary

    Raises
    ------
    UserError
        If the database already holds accounts and ``replace`` is False, or an argument is out of range.
    """
    from kam_core.db.engine import ensure_schema

    _check(accounts, months)
    end_date = parse_end(end)
    report = progress or (lambda _f, _m: None)
    if "account" not in inspect(engine).get_table_names():
        ensure_schema(engine)
    with engine.connect() as conn:  # refuse early, before any work
        n_old = existing_accounts(conn)
    if n_old and not replace:
        raise UserError(f"The database already holds {n_old} accounts; pass --replace to overwrite")
    tables, facts = build_tables(int(accounts), int(months), int(seed), end_date, report)
    report(0.85, "writing to the database")
    with engine.begin() as conn:
        clear_or_refuse(conn, replace, engine.url.render_as_string(hide_password=True))
        counts = insert_all(conn, tables)
        refresh_statistics(conn, counts)  # PostgreSQL plans the first scorecard on the new rows
        report(0.95, "pre-aggregating the order lines per account and day")
        order_days.refresh(conn)
    report(1.0, "done")
    return DemoSummary(
        accounts=int(accounts),
        orders=counts.get("order_header", 0),
        order_lines=counts.get("order_line", 0),
        rows=sum(counts.values()),
        **facts,
    )
