"""``python -m kam_core``: the command line (DESIGN.md §4).

Every command takes ``--db URL``. Exit 0 on success, 1 with a readable message for a user
error (bad input, unreachable database), never a traceback for those.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from kam_core.errors import UserError

EPILOG = """examples:
  python -m kam_core demo --accounts 2000 --months 24 --seed 7
  python -m kam_core import-transactions erp.csv --map invoice=单据号,date=日期,account_id=客户编码,sku=物料,quantity=数量,unit_price=单价
  python -m kam_core accounts --as-of 2026-06-30 --format csv > scorecard.csv
  python -m kam_core simulate scenario.json --format json
  python -m kam_core export --what scorecard --format xlsx --out scorecard.xlsx

The database is --db URL, else KAM_DATABASE_URL, else .streamlit/secrets.toml [connections.kam] url,
else sqlite:///data/kam.db."""


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on a usage error; DESIGN.md §4 promises 1 for any bad input."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="URL", help="SQLAlchemy database URL (sqlite:///..., postgresql+psycopg://..., duckdb:///...)")
    p.add_argument("--as", dest="as_", metavar="ROLE:ID", default="director:*",
                   help="act as director:*, manager:REGION_CODE or rep:REP_ID (default director:*)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m kam_core", description="Key account analytics for a brewer: data, scorecard, what-if.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("init", help="create or migrate the schema (no data) and rebuild the order-line "
                                   "pre-aggregate (after the order tables were written by other means)")
    _add_db(p)

    p = sub.add_parser("demo", help="create the schema and fill it with a seeded demo brewer (with demo_truth)")
    _add_db(p)
    p.add_argument("--accounts", type=int, default=2000, help="number of accounts (default 2000)")
    p.add_argument("--months", type=int, default=24, help="months of history (default 24)")
    p.add_argument("--seed", type=int, default=7, help="random seed; same seed, same database (default 7)")
    p.add_argument("--end", metavar="DATE", help="last day of history, ISO date (default 2026-10-31)")
    p.add_argument("--replace", action="store_true", help="drop existing data first")

    p = sub.add_parser("import", help="validated, atomic import of one table from CSV/XLSX")
    _add_db(p)
    p.add_argument("file", type=Path)
    p.add_argument("--table", required=True, help="target table, e.g. account, product, visit")

    p = sub.add_parser("import-transactions", help="ERP invoice lines -> accounts, products, orders")
    _add_db(p)
    p.add_argument("file", type=Path)
    p.add_argument("--map", dest="mapping", default="",
                   help="field=COLUMN,... for invoice,date,account_id,sku,quantity,unit_price "
                        "(required) and account_name,product_name,unit_cost,channel,region (optional); "
                        "fields whose column has the same name may be left out")
    p.add_argument("--rejects", type=Path, metavar="FILE",
                   help="keep valid lines and write refused lines with row number and reason to FILE")
    p.add_argument("--dedupe", choices=["none", "exact"], default="none",
                   help="none (default): lines that repeat an earlier line cell for cell are imported "
                        "(repeat scans are real purchases) and reported as possible duplicates; "
                        "exact: they are refused")
    p.add_argument("--default-tier", dest="default_tier", default="RETAIL", metavar="CODE",
                   help="channel tier of new accounts without a channel (no channel column or an empty cell): "
                        "DIST, WHS2, KA, RETAIL (default), ONPREM or a tier code already in the database")

    p = sub.add_parser("accounts", help="the account scorecard, one row per account")
    _add_db(p)
    p.add_argument("--as-of", dest="as_of", metavar="DATE")
    p.add_argument("--since", metavar="DATE")
    p.add_argument("--format", choices=["csv", "json"], default="csv")

    p = sub.add_parser("simulate", help="run a what-if rebate/promotion scenario")
    _add_db(p)
    p.add_argument("scenario", type=Path)
    p.add_argument("--format", choices=["json"], default="json")

    p = sub.add_parser("export", help="export a table or view to CSV/XLSX")
    _add_db(p)
    p.add_argument("--what", required=True, help="a table name, 'scorecard', or 'all' (xlsx: one sheet per table)")
    p.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    p.add_argument("--out", type=Path, required=True)
    return parser


def _engine(args):
    from kam_core.db import ensure_schema, get_engine

    engine = get_engine(args.db)
    ensure_schema(engine)
    return engine


def _scope(args):
    return args.scope


def cmd_init(args) -> int:
    from kam_core.analytics import order_days
    from kam_core.db.bulk import refresh_statistics
    from kam_core.db.schema import metadata

    engine = _engine(args)
    with engine.begin() as conn:  # always: an in-place UPDATE of order lines leaves the row counts as they were
        # PostgreSQL: rows loaded by other means are planned for too (order_day: analysed by its rebuild)
        refresh_statistics(conn, set(metadata.tables) - {order_days.NAME})
        order_days.refresh(conn)
        stats = "; planner statistics refreshed" if conn.dialect.name == "postgresql" else ""
    print(f"schema ready; order-line pre-aggregate rebuilt{stats}")
    return 0


def cmd_demo(args) -> int:
    from kam_core.demo import generate

    engine = _engine(args)
    t0 = time.perf_counter()
    summary = generate(engine, accounts=args.accounts, months=args.months, seed=args.seed,
                       end=args.end, replace=args.replace)
    print(f"{summary} in {time.perf_counter() - t0:.1f}s")
    return 0


def cmd_import(args) -> int:
    from kam_core.io.imports import import_table

    result = import_table(_engine(args), args.file, args.table)
    print(result.summary())
    return 0


def cmd_import_transactions(args) -> int:
    from kam_core.io.transactions import import_transactions, parse_mapping

    result = import_transactions(_engine(args), args.file, parse_mapping(args.mapping), rejects=args.rejects,
                                 dedupe=args.dedupe, default_tier=args.default_tier)
    print(result.summary())
    return 0


def cmd_accounts(args) -> int:
    from kam_core.analytics.scorecard import compute_scorecard, scorecard_columns

    df = compute_scorecard(_engine(args), as_of=args.as_of, since=args.since, scope=_scope(args))
    df = scorecard_columns(df)
    if args.format == "csv":
        flags = [c for c in df.columns if df[c].dtype == bool]
        df.assign(**{c: df[c].map({True: "true", False: "false"}) for c in flags}).to_csv(sys.stdout, index=False)
    else:
        sys.stdout.write(df.to_json(orient="records", force_ascii=False, date_format="iso"))
        sys.stdout.write("\n")
    return 0


def cmd_simulate(args) -> int:
    from kam_core.sim.scenario import load_scenario, run_scenario

    scenario = load_scenario(args.scenario)
    result = run_scenario(_engine(args), scenario, scope=_scope(args))
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
    return 0


def cmd_export(args) -> int:
    from kam_core.io.exports import export

    n = export(_engine(args), args.what, args.format, args.out, scope=_scope(args))
    print(f"wrote {n} rows to {args.out}")
    return 0


COMMANDS = {
    "init": cmd_init, "demo": cmd_demo, "import": cmd_import,
    "import-transactions": cmd_import_transactions, "accounts": cmd_accounts,
    "simulate": cmd_simulate, "export": cmd_export,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        from kam_core.scope import Scope

        args.scope = Scope.parse(args.as_)  # a bad --as is refused before any work
        return COMMANDS[args.command](args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
