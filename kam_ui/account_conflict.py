"""A real edit conflict on the account card, in plain words: who changed which field to what, when, and what
the user entered (kam_core.profile.ConcurrentEditError); the user keeps theirs or saves their own.
"""

from __future__ import annotations

import datetime as dt

from kam_core.i18n import format_money, format_number, load_catalog
from kam_core.profile import FieldConflict
from kam_ui.lang import current_lang, tr, tr_text

_CODES = {  # field -> label prefix of its codes
    "status": "account.status.",
    "contract_type": "account.contract.",
    "level": "account.level.",
    "contact_level": "account.level.",
    "respondent_role": "account.level.",
    "authority": "account.authority.",
}
_PLAN_CODES = {
    "kind": "account.plan_kind.",
    "status": "account.plan_status.",
    "action_type": "account.plan_action.",
    "target_metric": "account.metric.",
}
_MONEY = {"capital_rmb", "tangible_net_worth", "annual_turnover_all_brands"}
_FLAGS = {"exclusive_agreement", "data_sharing", "jbp_in_place", "advice_given"}


def _known(key: str) -> bool:
    return key in load_catalog()


def field_label(table: str, field: str) -> str:
    """The field's label in the user's language (the plan's own labels for plan items)."""
    key = f"account.plan.{field}" if table == "account_plan_item" else f"account.field.{field}"
    return tr_text(key) if _known(key) else field


def shown_value(table: str, field: str, text: str | None) -> str:
    """An audit value (text) as the user reads it: a label for a code, yes/no, a formatted number."""
    lang = current_lang()
    if text is None or text == "":
        return tr_text("account.edits.empty")
    prefix = (_PLAN_CODES if table == "account_plan_item" else _CODES).get(field)
    if prefix and _known(prefix + text):
        return tr_text(prefix + text)
    if field in _FLAGS:
        return tr_text("common.yes" if text.lower() in ("true", "1") else "common.no")
    try:
        number = float(text)
    except ValueError:
        return text
    if field in _MONEY:
        return format_money(number, lang, compact=False)
    return format_number(number, lang, 0 if number.is_integer() else 2)


def _when(at: dt.datetime | None) -> str:
    if at is None:
        return tr_text("account.edits.unknown_time")
    today = dt.datetime.now(dt.UTC).date()
    return at.strftime("%H:%M UTC") if at.date() == today else at.strftime("%Y-%m-%d %H:%M UTC")


def conflict_lines(conflicts: list[FieldConflict]) -> list[str]:
    """One sentence per field: "Li Wei changed credit limit to ¥50,000 at 10:32 UTC; you entered ¥60,000"."""
    return [
        tr(
            "account.edits.conflict_line",
            who=c.changed_by or tr_text("account.edits.someone"),
            field=field_label(c.table, c.field),
            theirs=shown_value(c.table, c.field, c.theirs),
            when=_when(c.changed_at),
            yours=shown_value(c.table, c.field, c.yours),
        )
        for c in conflicts
    ]


def conflict_text(conflicts: list[FieldConflict]) -> str:
    """The whole message (title, one line per field, hint) as markdown for an alert."""
    lines = "\n".join(f"- {line}" for line in conflict_lines(conflicts))
    return f"{tr('account.edits.conflict_title')}\n\n{lines}\n\n{tr('account.edits.conflict_hint')}"
