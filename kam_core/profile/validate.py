"""Field validation for account-card edits: every message names the field and the value.

Pure functions (no database): they run before any transaction opens, so a refused edit writes
nothing. Each returns a cleaned copy of the values (types coerced, strings stripped).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Literal, overload

from kam_core.db.schema import ACCOUNT_STATUSES, CONTACT_AUTHORITIES, CONTACT_LEVELS, VISIT_TYPES
from kam_core.errors import UserError

_PHONE = re.compile(r"^[0-9+()\- ]{3,32}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_NOTE = 4000
EDITABLE_ACCOUNT_FIELDS = {
    "name": "text",
    "name_en": "text_opt",
    "status": "status",
    "address": "text_opt",
    "phone": "phone",
    "contract_type": "contract_type",
    "contract_start": "date_opt",
    "contract_end": "date_opt",
    "outlets_served": "count",
    "warehouse_capacity_cases": "amount",
    "tangible_net_worth": "amount",
    "annual_turnover_all_brands": "amount",
    "exclusive_agreement": "bool",
    "data_sharing": "bool",
    "jbp_in_place": "bool",
}
CAPABILITY_RULES = {  # field: (kind, low, high)
    "sub_distributors": ("int", 0, 100_000),
    "terminals": ("int", 0, 1_000_000),
    "portfolio_complementarity": ("int", 1, 5),
    "loyalty_rating": ("int", 1, 5),
    "capital_rmb": ("float", 0, 1e12),
    "staff": ("int", 0, 100_000),
    "vehicles": ("int", 0, 100_000),
}


def _blank(value) -> bool:
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def to_date(value, name: str, today: dt.date, *, required: bool = True, allow_future: bool = False) -> dt.date | None:
    """A date from a date, datetime or ISO string; refuses the future unless allowed."""
    if _blank(value):
        if required:
            raise UserError(f"{name}: a date is required")
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise UserError(f"{name}: {value!r} is not a date (expected YYYY-MM-DD)") from None
    if not isinstance(value, dt.date):
        raise UserError(f"{name}: {value!r} is not a date")
    if not allow_future and value > today:
        raise UserError(f"{name}: {value.isoformat()} is in the future (today is {today.isoformat()})")
    if value.year < 1990:
        raise UserError(f"{name}: {value.isoformat()} is before 1990")
    return value


@overload
def to_number(
    value, name: str, low: float, high: float, *, integer: bool = False, required: Literal[True] = True
) -> float | int: ...
@overload
def to_number(
    value, name: str, low: float, high: float, *, integer: bool = False, required: bool
) -> float | int | None: ...
def to_number(
    value, name: str, low: float, high: float, *, integer: bool = False, required: bool = True
) -> float | int | None:
    """A number within [low, high]; integers must be whole."""
    if _blank(value):
        if required:
            raise UserError(f"{name}: a number is required")
        return None
    if isinstance(value, bool):
        raise UserError(f"{name}: {value!r} is not a number")
    try:
        num = float(value)
    except (TypeError, ValueError):
        raise UserError(f"{name}: {value!r} is not a number") from None
    if math.isnan(num) or not low <= num <= high:
        raise UserError(f"{name}: {value!r} must be between {low:g} and {high:g}")
    if integer:
        if num != int(num):
            raise UserError(f"{name}: {value!r} must be a whole number")
        return int(num)
    return num


@overload
def to_text(value, name: str, max_len: int, *, required: Literal[True] = True) -> str: ...
@overload
def to_text(value, name: str, max_len: int, *, required: bool) -> str | None: ...
def to_text(value, name: str, max_len: int, *, required: bool = True) -> str | None:
    """Stripped text of at most ``max_len`` characters."""
    if _blank(value):
        if required:
            raise UserError(f"{name}: text is required")
        return None
    text = str(value).strip()
    if len(text) > max_len:
        raise UserError(f"{name}: {len(text)} characters is longer than the {max_len} allowed")
    return text


def to_choice(value, name: str, allowed: tuple[str, ...], *, required: bool = True) -> str | None:
    """One of ``allowed``."""
    if _blank(value):
        if required:
            raise UserError(f"{name}: a value is required (one of {', '.join(allowed)})")
        return None
    text = str(value).strip()
    if text not in allowed:
        raise UserError(f"{name}: {text!r} is not one of {', '.join(allowed)}")
    return text


def to_phone(value, name: str = "phone") -> str | None:
    """Digits, spaces, + - ( ); 3 to 32 characters."""
    text = to_text(value, name, 32, required=False)
    if text is not None and not _PHONE.match(text):
        raise UserError(f"{name}: {text!r} is not a phone number (digits, spaces, + - ( ) only)")
    return text


def clean_visit(values: dict, today: dt.date, *, negotiation: bool = False) -> dict:
    """A visit row: date not in the future, type known, duration 1-600 min, travel 0-600 min."""
    out = {
        "visit_date": to_date(values.get("visit_date"), "visit_date", today),
        "visit_type": "negotiation" if negotiation else to_choice(values.get("visit_type"), "visit_type", VISIT_TYPES),
        "duration_min": to_number(values.get("duration_min", 30), "duration_min", 1, 600),
        "travel_min": to_number(values.get("travel_min") or 0, "travel_min", 0, 600),
        "contact_level": to_choice(values.get("contact_level"), "contact_level", CONTACT_LEVELS, required=False),
        "advice_given": bool(values.get("advice_given", False)),
        "note": to_text(values.get("note"), "note", MAX_NOTE, required=negotiation),
        "rep_id": to_text(values.get("rep_id"), "rep_id", 32, required=False),
    }
    return out


def to_email(value, name: str = "email") -> str | None:
    """One address shaped like ``name@domain.tld``, at most 128 characters."""
    text = to_text(value, name, 128, required=False)
    if text is not None and not _EMAIL.match(text):
        raise UserError(f"{name}: {text!r} is not an e-mail address (expected name@domain.tld)")
    return text


def clean_contact(values: dict, today: dt.date) -> dict:
    """A contact: name required, level and authority in their lists, phone and e-mail shaped right.

    Only the fields given are returned, so an edit that does not show a field leaves it as it is.
    """
    rules = {
        "name": lambda x: to_text(x, "name", 64),
        "level": lambda x: to_choice(x, "level", CONTACT_LEVELS),
        "role": lambda x: to_text(x, "role", 64, required=False),
        "phone": to_phone,
        "since": lambda x: to_date(x, "since", today, required=False),
        "authority": lambda x: to_choice(x, "authority", CONTACT_AUTHORITIES, required=False),
        "personality": lambda x: to_text(x, "personality", 200, required=False),
        "hobbies": lambda x: to_text(x, "hobbies", 200, required=False),
        "email": to_email,
    }
    unknown = sorted(set(values) - set(rules) - {"contact_id"})
    if unknown:
        raise UserError(f"contact: unknown field(s) {', '.join(unknown)}")
    out = {k: rule(values.get(k)) for k, rule in rules.items() if k in values or k in ("name", "level")}
    return out


def clean_capabilities(values: dict) -> dict:
    """The six capabilities (and vehicles, note); unknown fields are refused, blanks stay NULL."""
    unknown = sorted(set(values) - set(CAPABILITY_RULES) - {"note"})
    if unknown:
        raise UserError(f"capabilities: unknown field(s) {', '.join(unknown)}")
    out: dict[str, object] = {
        name: to_number(values.get(name), name, low, high, integer=kind == "int", required=False)
        for name, (kind, low, high) in CAPABILITY_RULES.items()
    }
    out["note"] = to_text(values.get("note"), "note", MAX_NOTE, required=False)
    return out


def clean_survey(values: dict, today: dt.date) -> dict:
    """A satisfaction response: NPS 0-10 and/or CSAT 1-5 (at least one), date not in the future."""
    out = {
        "respondent_role": to_choice(values.get("respondent_role"), "respondent_role", CONTACT_LEVELS),
        "response_date": to_date(values.get("response_date"), "response_date", today),
        "nps_0_10": to_number(values.get("nps_0_10"), "nps_0_10", 0, 10, integer=True, required=False),
        "csat_1_5": to_number(values.get("csat_1_5"), "csat_1_5", 1, 5, integer=True, required=False),
        "comment": to_text(values.get("comment"), "comment", MAX_NOTE, required=False),
    }
    if out["nps_0_10"] is None and out["csat_1_5"] is None:
        raise UserError("nps_0_10/csat_1_5: give an NPS (0-10) or a CSAT (1-5) score")
    return out


def _clean_account_field(name: str, kind: str, value, today: dt.date):
    if kind == "text":
        return to_text(value, name, 128)
    if kind == "text_opt":
        return to_text(value, name, 200, required=False)
    if kind == "phone":
        return to_phone(value, name)
    if kind == "status":
        return to_choice(value, name, ACCOUNT_STATUSES)
    if kind == "contract_type":
        return to_choice(value, name, ("contractual", "noncontractual"))
    if kind == "date_opt":
        return to_date(value, name, today, required=False, allow_future=True)
    if kind == "count":
        return to_number(value, name, 0, 10_000_000, integer=True, required=False)
    if kind == "amount":
        return to_number(value, name, 0, 1e13, required=False)
    if not isinstance(value, bool):
        raise UserError(f"{name}: {value!r} is not true or false")
    return value


def clean_account_fields(fields: dict, today: dt.date) -> dict:
    """Editable account fields only (owner and region change scope, so they are not editable here)."""
    if not fields:
        raise UserError("fields: nothing to change")
    unknown = sorted(set(fields) - set(EDITABLE_ACCOUNT_FIELDS))
    if unknown:
        raise UserError(f"fields: {', '.join(unknown)} cannot be edited on the account card")
    out = {
        name: _clean_account_field(name, EDITABLE_ACCOUNT_FIELDS[name], value, today) for name, value in fields.items()
    }
    start, end = out.get("contract_start"), out.get("contract_end")
    if start and end and end < start:
        raise UserError(f"contract_end: {end.isoformat()} is before contract_start {start.isoformat()}")
    return out
