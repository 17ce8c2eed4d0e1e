"""Load the per-account inputs of a scenario from the database into a :class:`~kam_core.sim.model.Book`.

Who is in: the scenario's selection (channel codes; region codes at any level, with everything
below; explicit ids) intersected with the viewer's :class:`~kam_core.scope.Scope` in SQL, so a
scenario can never reach an account outside scope. Lost accounts are left out unless listed by id.

Prices: ``case_price`` when the scenario gives one, else the account's average invoice price per
case over the 12 months before the period, else the price list of its channel. Floor prices come
from ``price_list`` (valid on the first day of the period), weighted by the account's SKU mix;
COGS from the frozen ``order_line.cogs_per_case``, else ``product.std_cogs_per_case``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Connection, Engine, and_, func, or_, select, true

from kam_core.db.case_factor import case_factor_sql
from kam_core.db.schema import (
    account,
    classification_snapshot,
    order_header,
    order_line,
    price_list,
    product,
    rebate_settlement,
    region,
)
from kam_core.errors import UserError
from kam_core.scope import DIRECTOR, Scope, path_within
from kam_core.sim.baseline import (
    baseline_notices,
    compute_baseline,
    describe_notices,
    fetch_monthly,
    period_months,
)
from kam_core.sim.model import Book
from kam_core.sim.response import ResponseParams
from kam_core.sim.spec import Scenario


@dataclass
class BookContext:
    """What else the run needs to explain itself: history, warnings, where inputs came from."""

    monthly: pd.DataFrame
    baseline: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    value_type_source: str = "default"
    notices: list[dict] = field(default_factory=list)  # baseline fallbacks (baseline_notices), for the page


def _selection_clause(conn: Connection, scenario: Scenario):
    sel = scenario.accounts
    cond: list[ColumnElement[bool]] = []
    if sel.channel:
        cond.append(account.c.tier_code.in_(sel.channel))
    if sel.region:
        known = set(conn.execute(select(region.c.code).where(region.c.code.in_(sel.region))).scalars())
        bad = [f"accounts.region[{i}] {c!r} is not a region code" for i, c in enumerate(sel.region) if c not in known]
        if bad:
            raise UserError("; ".join(bad))
        paths = [select(region.c.path).where(region.c.code == c).scalar_subquery() for c in sel.region]
        under = select(region.c.region_id).where(or_(*[path_within(region.c.path, p) for p in paths]))
        cond.append(account.c.region_id.in_(under))
    if sel.ids:
        cond.append(account.c.account_id.in_(sel.ids))
    if not sel.ids:
        cond.append(account.c.status != "lost")
    return and_(*cond) if cond else true()


def select_accounts(conn: Connection, scenario: Scenario, scope: Scope = DIRECTOR):
    """(one-column SELECT of the ids in the scenario, frame of those accounts)."""
    where = and_(scope.account_clause(account.c.account_id), _selection_clause(conn, scenario))
    ids = select(account.c.account_id).where(where)
    rows = conn.execute(
        select(account.c.account_id, account.c.tier_code, account.c.region_id, account.c.outlets_served)
        .where(where)
        .order_by(account.c.account_id)
    ).all()
    df = pd.DataFrame(rows, columns=["account_id", "channel", "region_id", "outlets"]).astype({"account_id": str})
    return ids, df


def _mix_prices(conn: Connection, ids, accounts: pd.DataFrame, start: dt.date) -> pd.DataFrame:
    """List and floor price per account, weighted by its SKU mix over the 12 months before ``start``."""
    since = (pd.Timestamp(start) - pd.DateOffset(months=12)).date()
    mix = pd.DataFrame(
        conn.execute(
            select(
                order_header.c.account_id,
                order_line.c.sku_id,
                func.sum(order_line.c.qty_cases * case_factor_sql()).label("q"),
            )  # case-equivalents
            .select_from(
                order_line.join(order_header, order_header.c.order_id == order_line.c.order_id).join(
                    product, product.c.sku_id == order_line.c.sku_id
                )
            )
            .where(
                order_header.c.order_date >= since,
                order_header.c.order_date < start,
                order_header.c.account_id.in_(ids),
            )
            .group_by(order_header.c.account_id, order_line.c.sku_id)
        ).all(),
        columns=["account_id", "sku_id", "q"],
    )
    pl = pd.DataFrame(
        conn.execute(
            # prices per unit of quantity → per case-equivalent (÷ the factor; 1 for products in cases)
            select(
                price_list.c.sku_id,
                price_list.c.tier_code,
                price_list.c.list_price / case_factor_sql(),
                price_list.c.floor_price / case_factor_sql(),
            )
            .select_from(price_list.join(product, product.c.sku_id == price_list.c.sku_id))
            .where(
                price_list.c.valid_from <= start,
                or_(price_list.c.valid_to.is_(None), price_list.c.valid_to >= start),
                product.c.is_service.is_(False),
            )
        ).all(),
        columns=["sku_id", "channel", "list", "floor"],
    )
    out = pd.DataFrame(index=accounts["account_id"], columns=["list", "floor"], dtype=float)
    if pl.empty:
        return out
    pl = pl.groupby(["sku_id", "channel"], as_index=False)[["list", "floor"]].mean()
    tier_mean = pl.groupby("channel")[["list", "floor"]].mean()
    # accounts without history in a priced SKU fall back to their channel's average list/floor
    out = accounts.set_index("account_id")[["channel"]].join(tier_mean, on="channel")[["list", "floor"]]
    m = mix.astype({"account_id": str}).merge(accounts[["account_id", "channel"]], on="account_id")
    m = m.merge(pl, on=["sku_id", "channel"])
    m = m[m["q"] > 0]
    if len(m):
        w = m.assign(wl=m["q"] * m["list"], wf=m["q"] * m["floor"]).groupby("account_id")[["q", "wl", "wf"]].sum()
        out.loc[w.index, "list"] = w["wl"] / w["q"]
        out.loc[w.index, "floor"] = w["wf"] / w["q"]
    return out


def _value_types(conn: Connection, ids, scenario: Scenario, accounts: pd.DataFrame) -> tuple[list, str]:
    if scenario.value_types:
        return [scenario.value_types.get(a) for a in accounts["account_id"]], "scenario"
    cs = classification_snapshot
    rows = conn.execute(
        select(cs.c.account_id, cs.c.as_of, cs.c.rackham_type).where(
            cs.c.account_id.in_(ids), cs.c.rackham_type.is_not(None)
        )
    ).all()
    if not rows:
        return [None] * len(accounts), "default"
    latest = pd.DataFrame(rows, columns=["a", "as_of", "t"]).sort_values("as_of").groupby("a")["t"].last()
    return [latest.get(a) for a in accounts["account_id"]], "classification_snapshot"


def _interim(conn: Connection, ids, scenario: Scenario, accounts: pd.DataFrame) -> dict[str, np.ndarray]:
    """Interim payments per ``program_id`` from rebate_settlement (interim rows paid in the period).

    A program's own ``interim_paid`` overrides these per account (applied in the model).
    """
    rs = rebate_settlement
    wanted = sorted({p.program_id for p in scenario.programs if p.program_id is not None})
    if not wanted:
        return {}
    rows = conn.execute(
        select(rs.c.program_id, rs.c.account_id, func.sum(rs.c.actual_rebate))
        .where(
            rs.c.program_id.in_(wanted),
            rs.c.interim.is_(True),
            rs.c.paid_date >= scenario.period_start,
            rs.c.paid_date <= scenario.period_end,
            rs.c.account_id.in_(ids),
        )
        .group_by(rs.c.program_id, rs.c.account_id)
    ).all()
    pos = {a: j for j, a in enumerate(accounts["account_id"])}
    out = {pid: np.zeros(len(accounts)) for pid in wanted}
    for pid, acc, amount in rows:
        if str(acc) in pos:
            out[str(pid)][pos[str(acc)]] = float(amount or 0.0)
    return out


def build_book(engine: Engine, scenario: Scenario, scope: Scope = DIRECTOR) -> tuple[Book, BookContext]:
    """Per-account inputs for ``scenario`` as seen by ``scope``.

    Raises
    ------
    UserError
        When a region code is unknown or no account in scope matches the selection.
    """
    start, end = scenario.period_start, scenario.period_end
    hist_start = (pd.Timestamp(start).replace(day=1) - pd.DateOffset(months=36)).date()
    with engine.connect() as conn:
        ids, acc = select_accounts(conn, scenario, scope)
        if acc.empty:
            raise UserError(f"No account in your scope ({scope}) matches the scenario's accounts selection")
        monthly = fetch_monthly(conn, ids, hist_start, end)
        prices = _mix_prices(conn, ids, acc, start)
        vtypes, vt_source = _value_types(conn, ids, scenario, acc)
        interim = _interim(conn, ids, scenario, acc)
        std_cogs = conn.execute(
            select(func.avg(product.c.std_cogs_per_case)).where(product.c.is_service.is_(False))
        ).scalar()
    return _assemble(scenario, acc, monthly, prices, vtypes, vt_source, interim, std_cogs)


def _assemble(scenario, acc, monthly, prices, vtypes, vt_source, interim, std_cogs) -> tuple[Book, BookContext]:
    params = ResponseParams.from_assumptions(scenario.assumptions)
    idx = pd.Index(acc["account_id"])
    channel = acc.set_index("account_id")["channel"]
    base = compute_baseline(monthly, idx, channel, scenario.period_start, scenario.period_end, params.baseline_cv)
    warn = []
    for a, v in scenario.volumes.items():
        if a in base.index:
            months = period_months(scenario.period_start, scenario.period_end)
            total = base.loc[a, "baseline"]
            shares = base.loc[a, months] / total if total > 0 else pd.Series(1.0 / len(months), index=months)
            base.loc[a, months] = (shares * v).to_numpy()
            base.loc[a, "baseline"] = v
            base.loc[a, "method"] = "override"
        else:
            warn.append(f"volumes: account {a} is not among the selected accounts in your scope; ignored")
    notices = baseline_notices(base)  # after the overrides: an account given volumes needs no fallback
    warn += describe_notices(notices, "en")  # English for the CLI and the JSON; the page writes ``notices``
    since = (pd.Timestamp(scenario.period_start) - pd.DateOffset(months=12)).strftime("%Y-%m")
    recent = monthly[(monthly["ym"] >= since) & (monthly["ym"] < scenario.period_start.strftime("%Y-%m"))]
    hist = recent.groupby("account_id")[["cases", "sales", "cogs"]].sum().reindex(idx)
    pos = hist["cases"] > 0
    hist_price = (hist["sales"] / hist["cases"]).where(pos & (hist["sales"] > 0))
    price = (
        pd.Series(scenario.case_price, index=idx)
        if scenario.case_price
        else hist_price.fillna(prices["list"].reindex(idx))
    )
    cogs = (hist["cogs"] / hist["cases"]).where(pos & (hist["cogs"] > 0)).fillna(std_cogs if std_cogs else np.nan)
    if price.isna().any():
        warn.append(
            f"{int(price.isna().sum())} account(s) have no price history and no price list; "
            "give case_price in the scenario"
        )
    if prices["floor"].isna().all():
        warn.append("no price_list rows valid on the period start: the floor guard checks COGS only")
    months = period_months(scenario.period_start, scenario.period_end)
    tot = base["baseline"].to_numpy()
    shares = np.where(
        tot[:, None] > 0, base[months].to_numpy() / np.where(tot > 0, tot, 1.0)[:, None], 1.0 / len(months)
    )
    book = Book(
        idx.to_numpy(dtype=object),
        channel.reindex(idx).to_numpy(dtype=object),
        price.fillna(0.0).to_numpy(float),
        cogs.fillna(0.0).to_numpy(float),
        prices["floor"].reindex(idx).to_numpy(float),
        tot.astype(float),
        base["baseline_ly"].to_numpy(float),
        acc["outlets"].to_numpy(float),
        base["baseline_cv"].to_numpy(float),
        params.account_elasticity(channel.reindex(idx), vtypes),
        shares,
        tuple(months),
        interim,
    )
    return book, BookContext(monthly, base, warn, vt_source, notices)
