"""``python -m kam_core``: the command line (docs/DESIGN.md §4).

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

EPILOG = """examples (after `pip install .` the same commands run as `kam ...`):
  python -m kam_core demo --accounts 2000 --months 24 --seed 7
  python -m kam_core import-transactions erp.csv --map invoice=单据号,date=日期,account_id=客户编码,sku=物料,quantity=数量,unit_price=单价
  python -m kam_core accounts --as-of 2026-06-30 --format csv > scorecard.csv
  python -m kam_core simulate scenario.json --format json
  python -m kam_core export --what scorecard --format xlsx --out scorecard.xlsx
  python -m kam_core users add first.director@brewer.cn director

The database is --db URL, else KAM_DATABASE_URL, else .streamlit/secrets.toml [connections.kam] url,
else sqlite:///data/kam.db."""


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on a usage error; docs/DESIGN.md §4 promises 1 for any bad input."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db", metavar="URL", help="SQLAlchemy database URL (sqlite:///..., postgresql+psycopg://..., duckdb:///...)"
    )
    p.add_argument(
        "--as",
        dest="as_",
        metavar="ROLE:ID",
        default="director:*",
        help="act as director:*, manager:REGION_CODE or rep:REP_ID (default director:*)",
    )


def _prog() -> str:
    """``kam`` when run through the installed entry point, else ``python -m kam_core``."""
    return "kam" if Path(sys.argv[0]).name == "kam" else "python -m kam_core"


def build_parser() -> argparse.ArgumentParser:
    from kam_core import __version__

    parser = _Parser(
        prog=_prog(),
        description="Key account analytics for a brewer: data, scorecard, what-if.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser(
        "init",
        help="create or migrate the schema (no data) and rebuild the order-line "
        "pre-aggregate (after the order tables were written by other means)",
    )
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
    p.add_argument(
        "--map",
        dest="mapping",
        default="",
        help="field=COLUMN,... for invoice,date,account_id,sku,quantity,unit_price "
        "(required) and account_name,product_name,unit_cost,channel,region,case_factor,promo_id (optional; "
        "case_factor = cases per unit of quantity, e.g. 1 for cases, 0.1667 for litres; promo_id = a stored "
        "promotion the line belongs to); "
        "fields whose column has the same name may be left out",
    )
    p.add_argument(
        "--rejects",
        type=Path,
        metavar="FILE",
        help="keep valid lines and write refused lines with row number and reason to FILE",
    )
    p.add_argument(
        "--dedupe",
        choices=["none", "exact"],
        default="none",
        help="none (default): lines that repeat an earlier line cell for cell are imported "
        "(repeat scans are real purchases) and reported as possible duplicates; "
        "exact: they are refused",
    )
    p.add_argument(
        "--default-tier",
        dest="default_tier",
        default="RETAIL",
        metavar="CODE",
        help="channel tier of new accounts without a channel (no channel column or an empty cell): "
        "DIST, WHS2, KA, RETAIL (default), ONPREM or a tier code already in the database",
    )

    p = sub.add_parser("accounts", help="the account scorecard, one row per account")
    _add_db(p)
    p.add_argument("--as-of", dest="as_of", metavar="DATE")
    p.add_argument("--since", metavar="DATE")
    p.add_argument("--format", choices=["csv", "json"], default="csv")

    p = sub.add_parser("simulate", help="run a what-if rebate/promotion scenario")
    _add_db(p)
    p.add_argument("scenario", type=Path)
    p.add_argument("--format", choices=["json"], default="json")

    p = sub.add_parser("post-event", help="a past promotion's uplift (DiD with interval), cost, ROI and prediction")
    _add_db(p)
    p.add_argument("promo_id")
    p.add_argument("--boot", type=int, default=1000, help="bootstrap resamples over accounts (default 1000)")
    p.add_argument("--seed", type=int, default=7, help="bootstrap seed (default 7)")
    p.add_argument("--no-predict", dest="predict", action="store_false", help="skip the simulator's prediction")
    p.add_argument("--format", choices=["json"], default="json")

    p = sub.add_parser("export", help="export a table or view to CSV/XLSX")
    _add_db(p)
    p.add_argument("--what", required=True, help="a table name, 'scorecard', or 'all' (xlsx: one sheet per table)")
    p.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    p.add_argument("--out", type=Path, required=True)
    _add_users(sub)
    return parser


def _add_users(sub) -> None:
    p = sub.add_parser(
        "users",
        help="who may sign in to the dashboard, with which role (directors only; the first director is added here)",
    )
    users = p.add_subparsers(dest="users_command", required=True, metavar="ACTION", parser_class=_Parser)
    for name, text in (("add", "add a user"), ("set", "change a user's role and scope")):
        q = users.add_parser(name, help=text)
        q.add_argument("email")
        q.add_argument("role", choices=["director", "manager", "rep"])
        q.add_argument(
            "--scope", dest="scope_id", metavar="ID", help="region code (manager) or rep id (rep); none for a director"
        )
        q.add_argument("--name", dest="display_name", help="name shown in the dashboard")
        _add_db(q)
    _add_db(users.add_parser("list", help="list users"))
    q = users.add_parser("remove", help="remove a user")
    q.add_argument("email")
    _add_db(q)


def _engine(args):
    from kam_core.db import ensure_schema, get_engine

    engine = get_engine(args.db)
    ensure_schema(engine)
    return engine


def _scope(args):
    return args.scope


def _who(args) -> str:
    """Who the CLI writes as (import_log.imported_by, audit_log.changed_by): the OS user, plus the --as
    scope when it is not the default director, e.g. ``alice as rep:REP001``."""
    import getpass

    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        name = "cli"
    return (name if args.scope.is_director else f"{name} as {args.scope}")[:64]


def cmd_init(args) -> int:
    from kam_core.db import order_days
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
    summary = generate(
        engine, accounts=args.accounts, months=args.months, seed=args.seed, end=args.end, replace=args.replace
    )
    print(f"{summary} in {time.perf_counter() - t0:.1f}s")
    return 0


def cmd_import(args) -> int:
    from kam_core.io.imports import import_table

    result = import_table(_engine(args), args.file, args.table, user=_who(args), scope=_scope(args))
    print(result.summary())
    return 0


def cmd_import_transactions(args) -> int:
    from kam_core.io.transactions import import_transactions, parse_mapping

    result = import_transactions(
        _engine(args),
        args.file,
        parse_mapping(args.mapping),
        rejects=args.rejects,
        user=_who(args),
        scope=_scope(args),
        dedupe=args.dedupe,
        default_tier=args.default_tier,
    )
    print(result.summary())
    return 0


def cmd_accounts(args) -> int:
    from kam_core.analytics.inputs import describe_health
    from kam_core.analytics.scorecard import scorecard_columns
    from kam_core.queries.scorecard import compute_scorecard_bundle

    bundle = compute_scorecard_bundle(_engine(args), as_of=args.as_of, since=args.since, scope=_scope(args))
    df = scorecard_columns(bundle.scorecard)
    # missing cost data, untyped accounts, one defaulted tier: said on stderr (columns cost_basis, value_type_status)
    said = [i for i in bundle.health if i.get("code") in ("cost_unknown", "insufficient_evidence", "one_tier_from_erp")]
    for note in describe_health(said, "en"):
        print(f"note: {note}", file=sys.stderr)
    if args.format == "csv":  # the export's cells: lists as "a; b", true/false, formulas as text, CRLF
        from kam_core.io.cells import frame_to_csv_text

        text, out = frame_to_csv_text(df), getattr(sys.stdout, "buffer", None)
        if out is None:
            sys.stdout.write(text)
        else:  # bytes: a text-mode stdout would turn CRLF into CR CR LF on Windows, and may not be UTF-8
            sys.stdout.flush()
            out.write(text.encode("utf-8"))
            out.flush()
    else:  # JSON carries real lists; NaN and inf are written as null (valid JSON)
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


def cmd_post_event(args) -> int:
    from kam_core.queries.post_event_run import review_promotion, review_to_dict

    if args.boot < 0:
        raise UserError(f"--boot: expected 0 or more resamples, got {args.boot}")
    review = review_promotion(_engine(args), args.promo_id, _scope(args), args.boot, args.seed, args.predict)
    json.dump(review_to_dict(review), sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
    return 0


def cmd_export(args) -> int:
    from kam_core.io.exports import export

    n = export(_engine(args), args.what, args.format, args.out, scope=_scope(args))
    print(f"wrote {n} rows to {args.out}")
    return 0


def cmd_users(args) -> int:
    from kam_core import users

    engine = _engine(args)
    if args.users_command == "list":
        users.check_action(args.scope, "users")  # the list itself names people: directors only
        table = users.list_users(engine)
        print(table.to_string(index=False) if not table.empty else "no users yet")
        return 0
    if args.users_command == "remove":
        users.delete_user(engine, args.scope, args.email, _who(args))
        print(f"removed {args.email.strip().lower()}")
        return 0
    known = users.scope_for_identity(engine, args.email) is not None
    if known != (args.users_command == "set"):
        hint = "use users set to change it" if known else "use users add"
        raise UserError(f"email: {args.email!r} is {'already' if known else 'not'} a user; {hint}")
    users.save_user(engine, args.scope, args.email, args.role, args.scope_id, args.display_name, _who(args))
    print(
        f"{args.users_command}: {args.email.strip().lower()} is {args.role}"
        + (f" of {args.scope_id}" if args.scope_id and args.role != "director" else "")
    )
    return 0


COMMANDS = {
    "init": cmd_init,
    "demo": cmd_demo,
    "import": cmd_import,
    "import-transactions": cmd_import_transactions,
    "accounts": cmd_accounts,
    "simulate": cmd_simulate,
    "post-event": cmd_post_event,
    "export": cmd_export,
    "users": cmd_users,
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
