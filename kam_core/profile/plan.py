"""The account plan (客户档案): the account's goals, our objectives, strategy and loyalty actions.

A plan item has a kind (:data:`~kam_core.db.schema.PLAN_KINDS`), a title, an owner, a status
(planned / in progress / done / dropped) and optionally a target: a scorecard metric, a target value and
a due date. Loyalty actions (priority supply, new-product trials with key accounts first, senior-level
visits, co-designed promotions, the annual meeting) are items of kind ``action`` with an action type.

Edits go through :func:`kam_core.profile.edit._locked_edit`: a changed field is checked against the
changes made since the editor's ``seen_mark`` (:func:`kam_core.profile.edit.check_fields`), scoped to the viewer (an account outside the scope is refused and nothing is written), one
transaction, one ``audit_log`` row per field, keyed ``ACCOUNT:plan:ID`` so the card's history shows them.
After the due date, :func:`check_plan_effects` compares the observed scorecard value with the target.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, insert, select, update

from kam_core.db.schema import LOYALTY_ACTIONS, PLAN_KINDS, PLAN_STATUSES, account_plan_item
from kam_core.errors import UserError
from kam_core.profile import validate as v
from kam_core.profile.edit import _conflicts_raise, _locked_edit, _now, _text, audit_row, check_fields
from kam_core.scope import DIRECTOR, Scope

# scorecard columns a target may name (kam_core.analytics.scorecard); lower is better for the last three
TARGET_METRICS = (
    "net_sales",
    "volume_cases",
    "gross_profit",
    "net_profit",
    "n_orders",
    "n_visits",
    "loyalty_score",
    "sow",
    "nps",
    "csat",
    "growth",
    "dso",
    "overdue_ratio",
    "churn_prob",
)
LOWER_IS_BETTER = frozenset({"dso", "overdue_ratio", "churn_prob"})
FIELDS = ("kind", "action_type", "title", "detail", "target_metric", "target_value", "due_date", "status", "owner")


def clean_plan_item(values: dict, today: dt.date, *, partial: bool = False) -> dict:
    """Validate a plan item; every message names the field and the value.

    With ``partial`` (an edit) only the fields given are checked and returned; the combined rules (an
    action needs its type, a target needs metric, value and due date together) are checked by the caller
    on the merged row with :func:`check_plan_row`.
    """
    unknown = sorted(set(values) - set(FIELDS) - {"plan_item_id"})
    if unknown:
        raise UserError(f"plan item: unknown field(s) {', '.join(unknown)}")
    rules: dict[str, Callable] = {
        "kind": lambda x: v.to_choice(x, "kind", PLAN_KINDS),
        "action_type": lambda x: v.to_choice(x, "action_type", LOYALTY_ACTIONS, required=False),
        "title": lambda x: v.to_text(x, "title", 200),
        "detail": lambda x: v.to_text(x, "detail", v.MAX_NOTE, required=False),
        "target_metric": lambda x: v.to_choice(x, "target_metric", TARGET_METRICS, required=False),
        "target_value": lambda x: v.to_number(x, "target_value", -1e13, 1e13, required=False),
        "due_date": lambda x: v.to_date(x, "due_date", today, required=False, allow_future=True),
        "status": lambda x: v.to_choice(x if not v._blank(x) or partial else "planned", "status", PLAN_STATUSES),
        "owner": lambda x: v.to_text(x, "owner", 64, required=False),
    }
    names = [k for k in FIELDS if k in values] if partial else list(FIELDS)
    out = {k: rules[k](values.get(k)) for k in names}
    return out if partial else check_plan_row(out)


def check_plan_row(row: dict) -> dict:
    """The rules across fields: an action has an action type (others none); a target is complete."""
    if row.get("kind") == "action" and not row.get("action_type"):
        raise UserError(f"action_type: a loyalty action needs a type (one of {', '.join(LOYALTY_ACTIONS)})")
    if row.get("kind") != "action" and row.get("action_type"):
        raise UserError(f"action_type: {row['action_type']!r} is only for items of kind 'action'")
    target = [row.get(k) is not None for k in ("target_metric", "target_value", "due_date")]
    if any(target[:2]) and not all(target):
        missing = [k for k, ok in zip(("target_metric", "target_value", "due_date"), target, strict=True) if not ok]
        raise UserError(f"{', '.join(missing)}: a target needs a metric, a value and a due date")
    return row


def _key(account_id: str, item_id: int) -> str:
    return f"{account_id}:plan:{item_id}"


def add_plan_item(
    engine: Engine,
    account_id: str,
    seen_mark: int,
    user: str,
    values: dict,
    scope: Scope = DIRECTOR,
    today: dt.date | None = None,
) -> int:
    """Add a plan item (goal, objective, strategy or loyalty action); returns the account's new version.

    Raises
    ------
    UserError
        A field is invalid, or the account is not one the viewer may edit (nothing is written).
    ConcurrentEditError
        Never for an addition (a new item conflicts with nothing).
    """
    row = clean_plan_item(values, today or dt.date.today())

    def work(conn: Connection) -> list[dict]:
        new = {**row, "account_id": account_id, "created_by": v.to_text(user, "user", 64), "created_at": _now()}
        item_id = conn.execute(
            insert(account_plan_item).values(**new).returning(account_plan_item.c.plan_item_id)
        ).scalar_one()
        return [
            audit_row("account_plan_item", _key(account_id, item_id), "insert", k, None, row[k])
            for k in FIELDS
            if row[k] is not None
        ]

    return _locked_edit(engine, account_id, user, scope, work)


def update_plan_item(
    engine: Engine,
    account_id: str,
    seen_mark: int,
    user: str,
    values: dict,
    scope: Scope = DIRECTOR,
    today: dt.date | None = None,
) -> int:
    """Change fields of the plan item ``values['plan_item_id']`` (its status, owner, target, ...).

    Only the fields given change; one audit row per changed field. Returns the new version (unchanged when
    nothing differs).
    """
    item_id = int(v.to_number(values.get("plan_item_id"), "plan_item_id", 1, 2**31, integer=True))
    changes = clean_plan_item(
        {k: val for k, val in values.items() if k != "plan_item_id"}, today or dt.date.today(), partial=True
    )
    if not changes:
        raise UserError("plan item: nothing to change")

    def work(conn: Connection) -> list[dict]:
        old = (
            conn.execute(
                select(account_plan_item).where(
                    account_plan_item.c.plan_item_id == item_id, account_plan_item.c.account_id == account_id
                )
            )
            .mappings()
            .first()
        )
        if old is None:
            raise UserError(f"plan_item_id: {item_id} is not a plan item of account {account_id}")
        check_plan_row({**{k: old[k] for k in FIELDS}, **changes})
        changed = {k: val for k, val in changes.items() if _text(old[k]) != _text(val)}
        _conflicts_raise(
            account_id, check_fields(conn, "account_plan_item", _key(account_id, item_id), seen_mark, changed)
        )
        if changed:
            conn.execute(update(account_plan_item).where(account_plan_item.c.plan_item_id == item_id).values(**changed))
        return [
            audit_row("account_plan_item", _key(account_id, item_id), "update", k, old[k], val)
            for k, val in changed.items()
        ]

    return _locked_edit(engine, account_id, user, scope, work)


def set_plan_status(
    engine: Engine,
    account_id: str,
    seen_mark: int,
    user: str,
    values: dict,
    scope: Scope = DIRECTOR,
    today: dt.date | None = None,
) -> int:
    """Move a plan item to a status (planned / in_progress / done / dropped); ``values`` holds
    ``plan_item_id`` and ``status``. Returns the new version."""
    picked = {"plan_item_id": values.get("plan_item_id"), "status": values.get("status")}
    if v._blank(picked["status"]):
        raise UserError(f"status: a value is required (one of {', '.join(PLAN_STATUSES)})")
    return update_plan_item(engine, account_id, seen_mark, user, picked, scope, today)


def load_plan(engine: Engine, account_id: str, scope: Scope = DIRECTOR) -> pd.DataFrame:
    """The plan items of an account the viewer may see (else ``AccountNotFound``, as the card itself)."""
    from kam_core.db.schema import account
    from kam_core.profile.read import AccountNotFound
    from kam_core.queries.account_plan import fetch_plan_items

    with engine.connect() as conn:
        seen = conn.execute(
            select(account.c.account_id).where(account.c.account_id == account_id, scope.account_clause())
        ).first()
        if seen is None:
            raise AccountNotFound(f"account: {account_id!r} is not an account you can see")
        return fetch_plan_items(conn, account_id)


def check_plan_effects(
    items: pd.DataFrame, observe: Callable[[str, dt.date], float | None], today: dt.date, data_end: dt.date | None
) -> pd.DataFrame:
    """The effect check: for each item with a target, the observed value vs the target after the due date.

    Parameters
    ----------
    items
        Plan items (``target_metric, target_value, due_date, status``); not mutated.
    observe
        ``observe(metric, due_date)`` → the account's scorecard value of ``metric`` for the 12 months to
        ``due_date`` (None when the scorecard has no value).
    today
        Items due after today are ``pending``.
    data_end
        The last order date in the database: an item due after it is ``awaiting_data``.

    Returns
    -------
    pandas.DataFrame
        ``items`` plus ``observed`` and ``effect`` ∈ {none (no target), pending, awaiting_data, no_value,
        met, missed, dropped}; ``met`` is observed ≥ target (≤ for :data:`LOWER_IS_BETTER`).
    """
    out = items.copy()
    observed, effect = [], []
    for r in out.itertuples():
        due = pd.Timestamp(r.due_date).date() if pd.notna(r.due_date) else None
        value, state = None, "none"
        if r.target_metric and due is not None and pd.notna(r.target_value):
            if r.status == "dropped":
                state = "dropped"
            elif due > today:
                state = "pending"
            elif data_end is None or due > data_end:
                state = "awaiting_data"
            else:
                value = observe(r.target_metric, due)
                if value is None or not np.isfinite(value):
                    value, state = None, "no_value"
                else:
                    better = value <= r.target_value if r.target_metric in LOWER_IS_BETTER else value >= r.target_value
                    state = "met" if better else "missed"
        observed.append(value)
        effect.append(state)
    out["observed"] = pd.Series(observed, index=out.index, dtype=float)
    out["effect"] = effect
    return out
