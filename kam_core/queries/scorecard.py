"""The account scorecard built from the database: window, inputs, data health, the viewer's rows.

Reads the window and every input (:mod:`kam_core.queries.scorecard_inputs`), computes the scorecard over all
scored accounts (:mod:`kam_core.analytics.scorecard`, pure) and only then restricts the rows to the viewer's
scope, so an account's tier or percentile never depends on who is looking.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from kam_core.analytics import tiers
from kam_core.analytics.clv import clv_health_items
from kam_core.analytics.cost_basis import NONE
from kam_core.analytics.params import DEFAULT_PARAMS, Params
from kam_core.analytics.scorecard import (
    _DROP,
    DESIGN_COLUMNS,
    ScorecardBundle,
    _assemble,
    _health,
    _restrict_result,
)
from kam_core.db.schema import account
from kam_core.queries.scorecard_inputs import gather_inputs
from kam_core.queries.volume_health import fetch_volume_health
from kam_core.queries.window import resolve_window
from kam_core.scope import DIRECTOR, Scope
from kam_core.vocab import ABC_CLASSES


def _in_scope(engine: Engine, scope: Scope) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(account.c.account_id).where(scope.account_clause())).scalars())


def compute_scorecard_bundle(
    engine: Engine,
    as_of=None,
    since=None,
    scope: Scope = DIRECTOR,
    params: Params | None = None,
    use_store: bool = True,
) -> ScorecardBundle:
    """Scorecard, value-type diagnostics, whale curve and data-health notes for one window.

    Parameters
    ----------
    engine
        Database with the schema.
    as_of, since
        Window bounds (dates or ISO strings); default: last order date and 12 months before it.
    scope
        Viewer's scope; restricts the returned rows, not the populations that percentiles use.
    params
        Settings (docs/METHODS.md §8 defaults when None).
    use_store
        Reuse the stored input parts whose tables did not change (the same result; docs/methods_account_month.md);
        False re-reads every input.

    Raises
    ------
    UserError
        For unparseable dates or ``since`` after ``as_of``.
    """
    p = params or DEFAULT_PARAMS
    w = resolve_window(engine, as_of, since, p.window_months)
    inp = gather_inputs(engine, w, p, use_store)
    with engine.connect() as conn:  # quantity units: products without pack size or not in cases
        volume_health = fetch_volume_health(conn)
    if inp.frame.empty:
        empty = pd.DataFrame(columns=DESIGN_COLUMNS)
        curve, whale = tiers.compute_whale_curve(pd.DataFrame({"account_id": [], "net_profit": []}))
        return ScorecardBundle(
            empty, w, p.params_hash, pd.DataFrame(), None, curve, whale, _health(inp) + volume_health, inp.missing
        )
    df, features, result = _assemble(inp, w, p)
    clv_health = clv_health_items(df, p)  # the model is fitted on every account, not the viewer's
    if not scope.is_director:
        allowed = _in_scope(engine, scope)
        df = df[df["account_id"].isin(allowed)].reset_index(drop=True)
        features = features[features["account_id"].isin(allowed)].reset_index(drop=True)
        result = _restrict_result(result, allowed)
    curve, whale = tiers.compute_whale_curve(df[df["cost_basis"].ne(NONE)], "net_profit")  # viewer's, costed
    df = df.drop(columns=[c for c in _DROP if c in df])
    # concat, not assign: inserting into a frame of ~180 joined column blocks warns "highly fragmented"
    df = pd.concat([df, pd.DataFrame({"as_of": w.end, "since": w.start}, index=df.index)], axis=1)
    health = _health(inp, df) + clv_health + volume_health
    return ScorecardBundle(df, w, p.params_hash, features, result, curve, whale, health, inp.missing)


def compute_tier_migration_between(
    engine: Engine,
    before_as_of,
    after_as_of,
    scope: Scope = DIRECTOR,
    params: Params | None = None,
    column: str = "pyramid_tier",
) -> pd.DataFrame:
    """Movement matrix of ``column`` between two as-of dates (12-month windows each), for the viewer's rows."""
    before = compute_scorecard(engine, as_of=before_as_of, scope=scope, params=params).set_index("account_id")
    after = compute_scorecard(engine, as_of=after_as_of, scope=scope, params=params).set_index("account_id")
    order = tiers.PYRAMID if column == "pyramid_tier" else tiers.SIZE_TIERS if column == "size_tier" else ABC_CLASSES
    return tiers.compute_tier_migration(before[column], after[column], order)


def compute_scorecard(
    engine: Engine, as_of=None, since=None, scope: Scope = DIRECTOR, params: Params | None = None
) -> pd.DataFrame:
    """One row per account in the viewer's scope (see :func:`compute_scorecard_bundle`)."""
    return compute_scorecard_bundle(engine, as_of, since, scope, params).scorecard
