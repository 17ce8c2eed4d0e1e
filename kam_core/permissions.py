"""Who may write what (issue #13): table-level permissions as data, checked in kam_core by every write path.

:data:`TABLES` says, for every importable table, which roles may import it; a table not listed is
imported by directors only (reference data: regions, reps, products, price lists, programs, ...).
A manager's or rep's import is further bound row by row to their scope: every row must belong to an
account they see (a rep: accounts they own; a manager: accounts in their region and below), a row
that updates a stored record by its id must update a record of such an account, a rep's ``rep_id``
must be their own, and an account a manager adds or moves must be placed in their region and owned by
a rep of it (a rep elsewhere would otherwise see it). One row
outside the scope refuses the whole file, with the rows named; nothing is written.

:data:`ACTIONS` holds the other writes: ERP transaction files (director anything; manager only for
accounts in their region, a new customer only with a region in it; reps do not import ERP exports:
the ERP is company data), account-card edits (everyone, within their scope), saving a scenario
(everyone; others see it only if they are directors), user management (directors) and assigning an
account's owner (directors anything; managers accounts and reps of their region; reps never).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Connection, Engine, select

from kam_core.db.schema import account, region, sales_rep
from kam_core.errors import NotAuthorised
from kam_core.io.results import Problem
from kam_core.scope import Scope

EVERYONE = ("director", "manager", "rep")
MANAGERS = ("director", "manager")
DIRECTORS = ("director",)

# A rep records what happens on their own accounts' visits; a manager also the commercial terms of their region.
FIELD_TABLES = (
    "visit",
    "account_contact",
    "survey_response",
    "service_event",
    "account_capability",
    "account_competitor",
)
REGION_TABLES = (
    "account",
    "credit_terms",
    "ka_fee",
    "co_investment",
    "account_category_volume",
    "ar_invoice",
    "promotion_account",
    "rebate_enrollment",
    "redemption",
    "sellout",
    "inventory_snapshot",
    "consignment_stock",
    "sales_target",  # an account, region or rep of their region (kam_core.io.targets.scope_problems)
)
TABLES: dict[str, tuple[str, ...]] = {**{t: EVERYONE for t in FIELD_TABLES}, **{t: MANAGERS for t in REGION_TABLES}}
ACTIONS: dict[str, tuple[str, ...]] = {
    "import-transactions": MANAGERS,
    "account_card": EVERYONE,
    "scenario_save": EVERYONE,
    "users": DIRECTORS,
    "assign_owner": MANAGERS,
}
ACTION_TEXT = {
    "import-transactions": "import ERP transaction files",
    "account_card": "edit account cards",
    "scenario_save": "save scenarios",
    "users": "manage users",
    "assign_owner": "assign account owners",
}
MAX_LISTED = 20
BATCH = 900  # below SQLite's bound-parameter limit


class OutOfScope(NotAuthorised):
    """Rows of a file point at accounts or regions outside the viewer's scope; ``problems`` names them."""

    def __init__(self, file: str, scope: Scope, problems: list[Problem]):
        self.problems = problems
        lines = [f"  row {p.row}: {p.column} {p.value!r}: {p.expected}" for p in problems[:MAX_LISTED]]
        if len(problems) > MAX_LISTED:
            lines.append(f"  ... and {len(problems) - MAX_LISTED} more")
        super().__init__(
            f"{file}: nothing was imported: {len(problems)} row(s) are outside your scope "
            f"({scope}):\n" + "\n".join(lines)
        )


def import_roles(table: str) -> tuple[str, ...]:
    """The roles that may import ``table`` (directors only unless :data:`TABLES` says more)."""
    return TABLES.get(table, DIRECTORS)


def importable_by(scope: Scope, tables: Iterable[str]) -> list[str]:
    """The tables of ``tables`` this viewer may import, in the given order."""
    return [t for t in tables if scope.role in import_roles(t)]


def check_import(scope: Scope, table: str) -> None:
    """Refuse an import of ``table`` by a role not allowed to import it.

    Raises
    ------
    NotAuthorised
        The viewer's role is not in :func:`import_roles`.
    """
    roles = import_roles(table)
    if scope.role not in roles:
        raise NotAuthorised(
            f"{scope} may not import table {table!r}: it is imported by {' or '.join(roles)} only; nothing was imported"
        )


def check_action(scope: Scope, action: str) -> None:
    """Refuse a write named in :data:`ACTIONS` by a role not allowed to do it."""
    roles = ACTIONS[action]
    if scope.role not in roles:
        raise NotAuthorised(
            f"{scope} may not {ACTION_TEXT[action]}: only a {' or '.join(roles)} may; nothing was written"
        )


def _select_in(conn: Connection, cols, key, values, *where) -> list:
    values = sorted({v for v in values if v is not None}, key=str)
    out: list = []
    for start in range(0, len(values), BATCH):
        out += conn.execute(select(*cols).where(key.in_(values[start : start + BATCH]), *where)).all()
    return out


def _stored_accounts(conn: Connection, spec, records: list[dict]) -> dict:
    """Serial-id tables: the account of every stored record a row updates by its id."""
    if not spec.serial or "account_id" not in spec.table.c:
        return {}
    sid = spec.table.c[spec.serial]
    return dict(_select_in(conn, [sid, spec.table.c.account_id], sid, [r.get(spec.serial) for r in records]))


def _row_problems(
    spec, scope: Scope, rec: dict, stored: dict, in_scope: set, existing: set, regions_ok: set, reps_ok: set
) -> list[tuple[str, object, str]]:
    aid, out = rec.get("account_id"), []
    if spec.name == "account":
        if rec.get("owner_rep_id") not in (None, *reps_ok):  # handing an account to a rep elsewhere shows it to them
            out.append(("owner_rep_id", rec.get("owner_rep_id"), "a rep in your scope"))
        if aid in existing and aid not in in_scope:
            out.append(("account_id", aid, "an account in your scope"))
        rid = rec.get("region_id")
        if aid not in existing and rid is None:
            out.append(("region_id", None, "a region in your scope for a new account"))
        if rid is not None and rid not in regions_ok:
            out.append(("region_id", rid, "a region in your scope"))
    else:
        owner = stored.get(rec.get(spec.serial)) if spec.serial else None
        if aid is None and owner is None:
            out.append(("account_id", None, "an account in your scope"))
        if aid is not None and aid not in in_scope:
            out.append(("account_id", aid, "an account in your scope"))
        if owner is not None and owner not in in_scope:
            out.append((spec.serial, rec.get(spec.serial), "a record of an account in your scope"))
    if scope.role == "rep" and rec.get("rep_id") not in (None, scope.scope_id):
        out.append(("rep_id", rec.get("rep_id"), f"your own rep id {scope.scope_id} or blank"))
    return out


def check_rows(conn: Connection, scope: Scope, spec, records: list[dict], rows: list[int], file: str) -> None:
    """Refuse a file with any row outside a manager's or rep's scope (directors: no row limit).

    Parameters
    ----------
    conn
        The import's transaction (the scope is read as the rows will be written).
    spec
        The table's :class:`kam_core.io.validation.TableSpec`.
    records, rows
        The parsed rows and their row numbers in the file (header = row 1).

    Raises
    ------
    OutOfScope
        Naming every row, column and value outside the scope.
    """
    if scope.is_director or not records:
        return
    stored = _stored_accounts(conn, spec, records)
    wanted = {r.get("account_id") for r in records} | set(stored.values())
    in_scope = {
        a for (a,) in _select_in(conn, [account.c.account_id], account.c.account_id, wanted, scope.account_clause())
    }
    existing, regions_ok, reps_ok = set(), set(), set()
    if spec.name == "account":
        reps_ok = {
            r
            for (r,) in _select_in(
                conn,
                [sales_rep.c.rep_id],
                sales_rep.c.rep_id,
                {r.get("owner_rep_id") for r in records},
                scope.rep_clause(),
            )
        }
        existing = {a for (a,) in _select_in(conn, [account.c.account_id], account.c.account_id, wanted)}
        regions_ok = {
            r
            for (r,) in _select_in(
                conn,
                [region.c.region_id],
                region.c.region_id,
                {r.get("region_id") for r in records},
                scope.region_clause(),
            )
        }
    problems = [
        Problem(file, row, col, "" if value is None else str(value), expected)
        for rec, row in zip(records, rows, strict=True)
        for col, value, expected in _row_problems(spec, scope, rec, stored, in_scope, existing, regions_ok, reps_ok)
    ]
    if problems:
        raise OutOfScope(file, scope, problems)


def _file_accounts(chunks: Iterable[pd.DataFrame], cols: dict[str, str | None]) -> tuple[dict, dict]:
    """First row number of every customer code in an ERP file, and the region values given for each."""
    first: dict[str, int] = {}
    regions: dict[str, set[str]] = {}
    for df in chunks:
        frame = pd.DataFrame({"a": df[cols["account_id"]].astype(str).str.strip(), "row": df.index + 2})
        frame["r"] = df[cols["region"]].astype(str).str.strip() if cols.get("region") else ""
        frame = frame[frame["a"] != ""]
        for a, row in frame.drop_duplicates("a")[["a", "row"]].itertuples(index=False):
            first.setdefault(a, int(row))
        for a, r in frame[frame["r"] != ""].drop_duplicates(["a", "r"])[["a", "r"]].itertuples(index=False):
            regions.setdefault(a, set()).add(r)
    return first, regions


def check_transactions(
    engine: Engine, scope: Scope, chunks: Iterable[pd.DataFrame], cols: dict[str, str | None], file: str
) -> None:
    """Refuse an ERP file a viewer may not import: reps never, managers only within their region.

    A manager's file may carry lines of accounts in their region, and of new customers whose every
    region value (a region id or code) is in their region.

    Raises
    ------
    NotAuthorised
        A rep, or (:class:`OutOfScope`) a manager's file naming customers outside the region.
    """
    check_action(scope, "import-transactions")
    if scope.is_director:
        return
    first, given = _file_accounts(chunks, cols)
    with engine.connect() as conn:
        existing = {a for (a,) in _select_in(conn, [account.c.account_id], account.c.account_id, first)}
        in_scope = {
            a
            for (a,) in _select_in(conn, [account.c.account_id], account.c.account_id, existing, scope.account_clause())
        }
        values = set().union(*given.values()) if given else set()
        ok_regions = {
            v
            for row in _select_in(
                conn, [region.c.region_id, region.c.code], region.c.region_id, values, scope.region_clause()
            )
            for v in row
        }
        ok_regions |= {
            v
            for row in _select_in(
                conn, [region.c.region_id, region.c.code], region.c.code, values, scope.region_clause()
            )
            for v in row
        }
    col, reg = cols["account_id"] or "account_id", cols.get("region") or "region"
    problems = []
    for a, row in first.items():
        if a in existing and a not in in_scope:
            problems.append(Problem(file, row, col, a, "a customer in your region"))
        elif a not in existing and (not given.get(a) or not given[a] <= ok_regions):
            shown = ", ".join(sorted(given.get(a, ()))) or ""
            problems.append(Problem(file, row, reg, shown, f"a region in your scope for new customer {a}"))
    if problems:
        raise OutOfScope(file, scope, sorted(problems, key=lambda p: p.row))
