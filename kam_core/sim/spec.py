"""Scenario value objects and the scenario JSON reader (docs/DESIGN.md §4).

:func:`load_scenario` accepts a path or a dict, checks every field, fills defaults and returns a
frozen :class:`Scenario`; :func:`scenario_to_dict` writes it back so that
``load_scenario(scenario_to_dict(s)) == s``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kam_core.errors import UserError
from kam_core.sim.checks import Checker
from kam_core.vocab import CHANNELS, VALUE_TYPES

PROGRAM_TYPES = (
    "per_case",
    "retro_tiered",
    "incremental_tiered",
    "threshold",
    "growth",
    "cash_discount",
    "contest",
    "bottle_cap",
    "empty_exchange",
    "display_fee",
)
REBATE_TYPES = ("per_case", "retro_tiered", "incremental_tiered", "threshold", "growth", "cash_discount")
TIERED_TYPES = ("retro_tiered", "incremental_tiered")
RESPONSES = ("none", "elastic")
PERIODS = ("scenario", "month", "quarter", "year")
MAX_DRAWS = 100_000

_COMMON = {"type", "name", "period", "payout", "cap_amount", "interim_paid", "clawback", "program_id"}
_SPECIFIC = {
    "per_case": {"amount_per_case"},
    "retro_tiered": {"basis", "tiers"},
    "incremental_tiered": {"basis", "tiers"},
    "threshold": {"basis", "threshold", "rate_per_case", "rate_pct", "fixed_amount"},
    "growth": {"basis", "min_growth", "rate_per_case", "rate_pct", "on", "targets", "new_account_target"},
    "cash_discount": {"discount_pct", "discount_days", "net_days", "prompt_share"},
    "contest": {"prizes"},
    "bottle_cap": {"prize_value_per_case", "win_rate", "prize_cost", "units_per_case", "redemption_rate", "prize"},
    "empty_exchange": {"empties_per_free_case", "return_rate", "empty_value", "handling_cost"},
    "display_fee": {"amount_per_account", "amount_per_outlet"},
}


@dataclass(frozen=True)
class Tier:
    """One tier: from ``lower`` (basis units) the ``rate`` applies, in ``unit`` per_case or pct."""

    lower: float
    rate: float
    unit: str = "per_case"


@dataclass(frozen=True)
class Program:
    """One rebate or promotion. ``options`` holds the type-specific fields, already checked and defaulted."""

    type: str
    name: str
    period: str = "scenario"
    payout: str = "cash"
    basis: str = "cases"
    tiers: tuple[Tier, ...] = ()
    cap_amount: float | None = None
    interim_paid: Mapping[str, float] = field(default_factory=dict)
    clawback: bool = False
    program_id: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_rebate(self) -> bool:
        return self.type in REBATE_TYPES

    @property
    def rate_unit(self) -> str:
        return self.tiers[0].unit if self.tiers else self.options.get("rate_unit", "per_case")


@dataclass(frozen=True)
class Selection:
    """Who is in the scenario: empty tuples mean everyone in the viewer's scope."""

    channel: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()


# What the Simulator FORM starts from (kam_ui.simulator_components). A scenario JSON keeps its own defaults
# (docs/DESIGN.md §4: no ``draws`` means 0, no rate means 1.0), so a saved or uploaded file means what it said.
FORM_DRAWS = 500  # uncertainty bands at once; ~0.1 s for the demo, docs/METHODS.md §5.5
FORM_REDEMPTION_RATE = 0.7  # bottle-cap redemption ρ, the worked example of docs/METHODS.md §5.2 (1 − ρ = breakage)
FORM_RETURN_RATE = 0.6  # empties returned r: "industry level below 60%" (docs/METHODS.md §5.2, source there)
JSON_REDEMPTION_RATE = JSON_RETURN_RATE = 1.0  # the JSON's defaults when the key is absent (unchanged)


@dataclass(frozen=True)
class Scenario:
    """A what-if: who, when, at what price, which programs, how volume responds, how many draws."""

    name: str
    period_start: dt.date
    period_end: dt.date
    accounts: Selection = Selection()
    case_price: float | None = None
    volumes: Mapping[str, float] = field(default_factory=dict)
    response: str = "none"
    draws: int = 0
    seed: int = 7
    programs: tuple[Program, ...] = ()
    value_types: Mapping[str, str] = field(default_factory=dict)
    assumptions: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)


def load_scenario(path_or_dict: str | Path | Mapping) -> Scenario:
    """Read, check and default a scenario (docs/DESIGN.md §4).

    Parameters
    ----------
    path_or_dict
        A JSON file path, or the parsed dict (the Simulator page passes a dict).

    Returns
    -------
    Scenario

    Raises
    ------
    UserError
        Listing every bad field by its JSON path, e.g.
        ``programs[1].tiers[0].from must be a number ≥ 0, got 'abc'``.
    """
    raw = _read(path_or_dict)
    chk = Checker()
    scenario = _scenario(raw, chk)
    if chk.errors or scenario is None:
        where = f" in {path_or_dict}" if isinstance(path_or_dict, str | Path) else ""
        raise UserError(f"Scenario{where} has {len(chk.errors)} problem(s):\n  " + "\n  ".join(chk.errors))
    return scenario


def _read(path_or_dict) -> Mapping:
    if isinstance(path_or_dict, Mapping):
        return path_or_dict
    path = Path(path_or_dict)
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise UserError(f"Scenario file {path} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"Scenario file {path} cannot be read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise UserError(
            f"Scenario file {path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    if not isinstance(raw, Mapping):
        raise UserError(f"Scenario file {path} must hold a JSON object {{...}}, not a {type(raw).__name__}")
    return raw


_TOP = {
    "name",
    "accounts",
    "period",
    "case_price",
    "volumes",
    "response",
    "draws",
    "seed",
    "programs",
    "value_types",
    "assumptions",
}


def _scenario(raw: Mapping, chk: Checker) -> Scenario | None:
    period = chk.mapping(raw, "period", "")
    if "period" not in raw:
        chk.fail("period", 'is required ({"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"})')
    start, end = (chk.date(period, "start", "period"), chk.date(period, "end", "period")) if period else (None, None)
    if start and end and start > end:
        chk.fail("period.end", f"must not be before period.start ({start})", str(end))
    acc = chk.mapping(raw, "accounts", "")
    chk.unknown(acc, {"channel", "region", "ids"}, "accounts")
    selection = Selection(
        chk.str_list(acc, "channel", "accounts", CHANNELS),
        chk.str_list(acc, "region", "accounts"),
        chk.str_list(acc, "ids", "accounts"),
    )
    programs = raw.get("programs", [])
    if not isinstance(programs, list):
        chk.fail("programs", "must be a list of programs", programs)
        programs = []
    parsed = tuple(_program(p, f"programs[{i}]", chk) for i, p in enumerate(programs))
    vtypes = chk.mapping(raw, "value_types", "")
    for acc_id, vt in vtypes.items():
        if vt not in VALUE_TYPES:
            chk.fail(f"value_types.{acc_id}", f"must be one of {', '.join(VALUE_TYPES)}", vt)
    assumptions = chk.mapping(raw, "assumptions", "")
    _check_assumptions(assumptions, chk)
    fields = dict(
        name=chk.text(raw, "name", "", "scenario"),
        period_start=start,
        period_end=end,
        accounts=selection,
        case_price=chk.number(raw, "case_price", "", None, lo=0.0, lo_open=True),
        volumes=chk.amounts(raw, "volumes", ""),
        response=chk.choice(raw, "response", "", RESPONSES, "none"),
        draws=chk.integer(raw, "draws", "", 0, hi=MAX_DRAWS),
        seed=chk.integer(raw, "seed", "", 7, hi=2**32 - 1),
        programs=parsed,
        value_types=dict(vtypes),
        assumptions=dict(assumptions),
        extra={k: v for k, v in raw.items() if k not in _TOP},
    )
    return None if chk.errors else Scenario(**fields)


def _check_assumptions(a: Mapping, chk: Checker) -> None:
    from kam_core.sim.response import ASSUMPTION_KEYS  # the response model owns its parameters

    chk.unknown(a, set(ASSUMPTION_KEYS), "assumptions")
    for key, (lo, hi) in ASSUMPTION_KEYS.items():
        if key == "elasticity":
            for ch, v in chk.mapping(a, key, "assumptions").items():
                chk.number({ch: v}, ch, "assumptions.elasticity", lo=-20.0, hi=0.0)
        elif key in a:
            chk.number(a, key, "assumptions", lo=lo, hi=hi)


def _program(raw: Any, path: str, chk: Checker) -> Program | None:
    if not isinstance(raw, Mapping):
        chk.fail(path, 'must be an object {"type": ...}', raw)
        return None
    ptype = raw.get("type")
    if ptype not in PROGRAM_TYPES:
        chk.fail(f"{path}.type", f"must be one of {', '.join(PROGRAM_TYPES)}", ptype if "type" in raw else None)
        return None
    chk.unknown(raw, _COMMON | _SPECIFIC[ptype], path)
    basis = chk.choice(raw, "basis", path, ("cases", "net_sales"), "cases") if "basis" in _SPECIFIC[ptype] else "cases"
    tiers = _tiers(raw, path, chk) if ptype in TIERED_TYPES else ()
    cap = chk.number(raw, "cap_amount", path, None)
    return Program(
        type=ptype,
        name=chk.text(raw, "name", path, ptype),
        period=chk.choice(raw, "period", path, PERIODS, "scenario"),
        payout=chk.choice(raw, "payout", path, ("cash", "credit_note", "free_goods"), "cash"),
        basis=basis or "cases",
        tiers=tiers,
        cap_amount=cap,
        interim_paid=chk.amounts(raw, "interim_paid", path),
        clawback=chk.boolean(raw, "clawback", path, False),
        program_id=(str(raw["program_id"]) if raw.get("program_id") is not None else None),
        options=_OPTIONS[ptype](raw, path, chk),
    )


def _tiers(raw: Mapping, path: str, chk: Checker) -> tuple[Tier, ...]:
    tiers = raw.get("tiers")
    if not isinstance(tiers, list) or not tiers:
        chk.fail(
            f"{path}.tiers",
            'must be a non-empty list of {"from": ..., "rate_per_case" or "rate_pct": ...}',
            tiers if "tiers" in raw else None,
        )
        return ()
    out: list[Tier] = []
    units: set[str | None] = set()
    for i, t in enumerate(tiers):
        here = f"{path}.tiers[{i}]"
        if not isinstance(t, Mapping):
            chk.fail(here, 'must be an object {"from": ..., "rate_per_case": ...}', t)
            continue
        chk.unknown(t, {"from", "rate_per_case", "rate_pct"}, here)
        lower = chk.number(t, "from", here)
        unit, rate = _rate(t, here, chk)
        units.add(unit)
        if lower is not None and rate is not None and unit is not None:
            if out and lower <= out[-1].lower:
                chk.fail(f"{here}.from", f"must be greater than the previous tier's from ({out[-1].lower:g})", lower)
            out.append(Tier(lower, rate, unit))
    if len(units - {None}) > 1:
        chk.fail(f"{path}.tiers", "must all use the same rate key (all rate_per_case or all rate_pct)")
    return tuple(out)


def _rate(obj: Mapping, path: str, chk: Checker, allow_fixed: bool = False) -> tuple[str | None, float | None]:
    keys = [k for k in ("rate_per_case", "rate_pct") + (("fixed_amount",) if allow_fixed else ()) if k in obj]
    if len(keys) != 1:
        names = "rate_per_case or rate_pct" + (" or fixed_amount" if allow_fixed else "")
        chk.fail(path, f"needs exactly one of {names}" + (f" (found {', '.join(keys)})" if keys else ""))
        return None, None
    key = keys[0]
    value = chk.number(obj, key, path, hi=100.0 if key == "rate_pct" else None)
    return {"rate_per_case": "per_case", "rate_pct": "pct", "fixed_amount": "fixed"}[key], value


def _opt_per_case(r, p, c):
    return {"amount_per_case": c.number(r, "amount_per_case", p)}


def _opt_tiered(r, p, c):
    return {}


def _opt_threshold(r, p, c):
    unit, rate = _rate(r, p, c, allow_fixed=True)
    return {"threshold": c.number(r, "threshold", p), "rate_unit": unit, "rate": rate}


def _opt_growth(r, p, c):
    unit, rate = _rate(r, p, c)
    return {
        "min_growth": c.number(r, "min_growth", p, 0.0, lo=-1.0),
        "rate_unit": unit,
        "rate": rate,
        "on": c.choice(r, "on", p, ("all", "increment"), "all"),
        "targets": c.amounts(r, "targets", p),
        "new_account_target": c.number(r, "new_account_target", p, None),
    }


def _opt_cash_discount(r, p, c):
    days = c.integer(r, "discount_days", p, 10)
    net = c.integer(r, "net_days", p, 30, lo=1)
    if days is not None and net is not None and net <= days:
        c.fail(f"{p}.net_days", f"must be greater than discount_days ({days})", net)
    return {
        "discount_pct": c.number(r, "discount_pct", p, hi=100.0, hi_open=True),
        "discount_days": days,
        "net_days": net,
        "prompt_share": c.number(r, "prompt_share", p, 1.0, hi=1.0),
    }


def _opt_contest(r, p, c):
    prizes = r.get("prizes")
    if not isinstance(prizes, list) or not prizes:
        c.fail(f"{p}.prizes", "must be a non-empty list of prize amounts (first place first)", prizes)
        return {"prizes": ()}
    return {"prizes": tuple(c.number({f"[{i}]": v}, f"[{i}]", f"{p}.prizes") for i, v in enumerate(prizes))}


def _opt_bottle_cap(r, p, c):
    prize = c.choice(r, "prize", p, ("cash", "free_bottle"), "cash")
    out = {
        "prize": prize,
        "redemption_rate": c.number(r, "redemption_rate", p, JSON_REDEMPTION_RATE, hi=1.0),
        "units_per_case": c.integer(r, "units_per_case", p, 12, lo=1),
    }
    if prize == "free_bottle" or "win_rate" in r:
        out["win_rate"] = c.number(r, "win_rate", p, hi=1.0, hi_open=True)
        # a free bottle costs its COGS (prize_cost = extra handling per prize); a cash prize needs its value
        out["prize_cost"] = (
            c.number(r, "prize_cost", p, 0.0) if prize == "free_bottle" else c.number(r, "prize_cost", p)
        )
        if "prize_value_per_case" in r:
            c.fail(f"{p}.prize_value_per_case", "cannot be combined with win_rate (give one or the other)")
    else:
        out["prize_value_per_case"] = c.number(r, "prize_value_per_case", p)
    return out


def _opt_empty_exchange(r, p, c):
    n = c.number(r, "empties_per_free_case", p, lo=1.0)
    rr = c.number(r, "return_rate", p, JSON_RETURN_RATE, hi=1.0)
    if n is not None and rr is not None and n <= rr:
        c.fail(f"{p}.empties_per_free_case", f"must be greater than return_rate ({rr:g})", n)
    return {
        "empties_per_free_case": n,
        "return_rate": rr,
        "empty_value": c.number(r, "empty_value", p, 0.0),
        "handling_cost": c.number(r, "handling_cost", p, 0.0),
    }


def _opt_display_fee(r, p, c):
    return {
        "amount_per_account": c.number(r, "amount_per_account", p, 0.0),
        "amount_per_outlet": c.number(r, "amount_per_outlet", p, 0.0),
    }


_OPTIONS = {
    "per_case": _opt_per_case,
    "retro_tiered": _opt_tiered,
    "incremental_tiered": _opt_tiered,
    "threshold": _opt_threshold,
    "growth": _opt_growth,
    "cash_discount": _opt_cash_discount,
    "contest": _opt_contest,
    "bottle_cap": _opt_bottle_cap,
    "empty_exchange": _opt_empty_exchange,
    "display_fee": _opt_display_fee,
}


def scenario_to_dict(s: Scenario) -> dict:
    """The scenario as plain JSON data; :func:`load_scenario` reads it back to an equal Scenario."""
    out = {
        "name": s.name,
        **dict(s.extra),
        "accounts": {
            "channel": list(s.accounts.channel),
            "region": list(s.accounts.region),
            "ids": list(s.accounts.ids),
        },
        "period": {"start": s.period_start.isoformat(), "end": s.period_end.isoformat()},
        "case_price": s.case_price,
        "volumes": dict(s.volumes),
        "response": s.response,
        "draws": s.draws,
        "seed": s.seed,
        "programs": [program_to_dict(p) for p in s.programs],
    }
    if s.value_types:
        out["value_types"] = dict(s.value_types)
    if s.assumptions:
        out["assumptions"] = json.loads(json.dumps(s.assumptions))
    return out


def program_to_dict(p: Program) -> dict:
    """One program as the JSON the user writes (defaults included, so the file documents itself)."""
    out: dict[str, Any] = {"type": p.type, "name": p.name, "period": p.period, "payout": p.payout}
    if p.type in _SPECIFIC and "basis" in _SPECIFIC[p.type]:
        out["basis"] = p.basis
    if p.tiers:
        key = "rate_per_case" if p.tiers[0].unit == "per_case" else "rate_pct"
        out["tiers"] = [{"from": t.lower, key: t.rate} for t in p.tiers]
    opts = dict(p.options)
    if "rate_unit" in opts:
        unit, rate = opts.pop("rate_unit"), opts.pop("rate")
        out[{"per_case": "rate_per_case", "pct": "rate_pct", "fixed": "fixed_amount"}[unit]] = rate
    for k, v in opts.items():
        if v is None:
            continue
        out[k] = list(v) if isinstance(v, tuple) else (dict(v) if isinstance(v, Mapping) else v)
    if p.cap_amount is not None:
        out["cap_amount"] = p.cap_amount
    if p.interim_paid:
        out["interim_paid"] = dict(p.interim_paid)
    if p.clawback:
        out["clawback"] = True
    if p.program_id is not None:
        out["program_id"] = p.program_id
    return out
