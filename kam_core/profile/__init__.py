"""The account profile card (资料卡): read it whole, edit it safely (validated, locked, audited)."""

from kam_core.profile.edit import (
    ConcurrentEditError,
    FieldConflict,
    add_negotiation_note,
    add_survey_response,
    add_visit,
    delete_contact,
    edit_mark,
    update_account_fields,
    update_capabilities,
    upsert_contact,
)
from kam_core.profile.plan import add_plan_item, check_plan_effects, load_plan, set_plan_status, update_plan_item
from kam_core.profile.read import AccountNotFound, AccountProfile, list_accounts, load_profile

__all__ = [
    "AccountNotFound",
    "AccountProfile",
    "ConcurrentEditError",
    "FieldConflict",
    "edit_mark",
    "add_negotiation_note",
    "add_plan_item",
    "check_plan_effects",
    "load_plan",
    "set_plan_status",
    "update_plan_item",
    "add_survey_response",
    "add_visit",
    "delete_contact",
    "list_accounts",
    "load_profile",
    "update_account_fields",
    "update_capabilities",
    "upsert_contact",
]
