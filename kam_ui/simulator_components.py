"""Scenario builder of the Simulator page: forms that produce the scenario JSON (docs/DESIGN.md §4).

Nobody types JSON: basics, the account selection, volume overrides and a list of programs of any
type are widgets; tiers are edited in a table. Widget values live in session state under ``sim_*``
keys, so a saved scenario can be poured back into the form (:func:`seed_form`).
"""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
import streamlit as st

from kam_core.i18n.markup import escape_markdown
from kam_core.sim import spec
from kam_core.vocab import CHANNELS
from kam_ui.lang import lbl, lbl_fn, tr, tr_fn
from kam_ui.simulator_accounts import account_labels, volumes_editor

PROGRAMS_KEY = "sim_programs"
GEN_KEY = "_sim_gen"
NEW_TYPE_KEY = "sim_new_type"
VOLUMES_INIT_KEY = "_sim_volumes_init"  # bumps when a scenario is loaded, so table editors start from the loaded rows
PROGRAM_TYPES = spec.PROGRAM_TYPES  # the form offers every type the scenario file accepts
BASES = ("cases", "net_sales")
_BASIS = ("basis", BASES, "cases")
PROGRAM_FIELDS: dict[str, list[tuple]] = {  # (field, kind or choices, default)
    "per_case": [("amount_per_case", "float", 3.0)],
    "retro_tiered": [_BASIS],
    "incremental_tiered": [_BASIS],
    "threshold": [
        _BASIS,
        ("threshold", "float", 1000.0),
        ("rate_unit", ("per_case", "pct", "fixed"), "per_case"),
        ("rate", "float", 2.0),
    ],
    "growth": [
        _BASIS,
        ("min_growth", "float", 0.1),
        ("rate_unit", ("per_case", "pct"), "per_case"),
        ("rate", "float", 1.0),
        ("on", ("all", "increment"), "all"),
    ],
    "cash_discount": [
        ("discount_pct", "float", 2.0),
        ("discount_days", "int", 10),
        ("net_days", "int", 30),
        ("prompt_share", "float", 0.6),
    ],
    "contest": [("prizes", "text", "5000, 3000, 1000")],
    "bottle_cap": [("prize_value_per_case", "float", 6.0), ("redemption_rate", "float", spec.FORM_REDEMPTION_RATE)],
    "empty_exchange": [
        ("empties_per_free_case", "float", 4.0),
        ("return_rate", "float", spec.FORM_RETURN_RATE),
        ("empty_value", "float", 0.0),
        ("handling_cost", "float", 0.0),
    ],
    "display_fee": [("amount_per_account", "float", 5000.0), ("amount_per_outlet", "float", 0.0)],
}
COMMON_FIELDS = [
    ("period", ("scenario", "month", "quarter", "year"), "scenario"),
    ("payout", ("cash", "credit_note", "free_goods"), "cash"),
]
# a field a loaded JSON leaves out takes the JSON's default, not the form's (the file means what it said)
JSON_DEFAULTS = {"redemption_rate": spec.JSON_REDEMPTION_RATE, "return_rate": spec.JSON_RETURN_RATE}
DEFAULT_TIERS = pd.DataFrame({"from": [1000.0, 3000.0], "rate": [2.0, 4.0]})
_RATE_KEYS = {"per_case": "rate_per_case", "pct": "rate_pct", "fixed": "fixed_amount"}
_uids = itertools.count(1)


def default_period(last_date: dt.date | None) -> tuple[dt.date, dt.date]:
    """The three months after the last order date (the next quarter one would plan)."""
    base = last_date or dt.date.today()
    start = (pd.Timestamp(base) + pd.offsets.MonthBegin(1)).date()
    end = (pd.Timestamp(start) + pd.DateOffset(months=3) - pd.Timedelta(days=1)).date()
    return start, end


def tiers_init_key(uid: int) -> str:
    """Where the tier rows a table editor starts from are kept (set when a scenario is loaded)."""
    return f"_sim_p{uid}_tiers_init"


def _init(key: str, value) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def _new_program(ptype: str) -> dict:
    uid = next(_uids)
    while any(p["uid"] == uid for p in st.session_state.get(PROGRAMS_KEY, [])):
        uid = next(_uids)
    return {"uid": uid, "type": ptype}


def _add_program() -> None:
    ptype = st.session_state.get(NEW_TYPE_KEY) or "per_case"
    st.session_state.setdefault(PROGRAMS_KEY, []).append(_new_program(ptype))


def _remove_program(uid: int) -> None:
    st.session_state[PROGRAMS_KEY] = [p for p in st.session_state.get(PROGRAMS_KEY, []) if p["uid"] != uid]


def basics(last_date: dt.date | None) -> dict:
    """Name, period, case price, response, draws and seed."""
    start, end = default_period(last_date)
    for key, value in (
        ("sim_name", tr("sim.default_name")),
        ("sim_start", start),
        ("sim_end", end),
        ("sim_price_on", False),
        ("sim_price", 24.0),
        ("sim_response", "none"),
        ("sim_draws", spec.FORM_DRAWS),  # bands at once; a JSON without draws still seeds 0 (seed_form)
        ("sim_seed", 7),
    ):
        _init(key, value)
    c1, c2, c3 = st.columns([2, 1, 1])
    c1.text_input(tr("sim.field.name"), key="sim_name", max_chars=128)
    c2.date_input(tr("sim.field.start"), key="sim_start")
    c3.date_input(tr("sim.field.end"), key="sim_end")
    c1, c2, c3, c4 = st.columns(4)
    c1.checkbox(tr("sim.field.price_on"), key="sim_price_on", help=tr("sim.help.price"))
    c1.number_input(
        tr("sim.field.case_price"),
        key="sim_price",
        min_value=0.0,
        step=0.5,
        disabled=not st.session_state["sim_price_on"],
    )
    c2.radio(
        tr("sim.field.response"),
        ("none", "elastic"),
        key="sim_response",
        format_func=tr_fn("sim.response."),
        help=tr("sim.help.response"),
    )
    c3.number_input(
        tr("sim.field.draws"), key="sim_draws", min_value=0, max_value=100_000, step=100, help=tr("sim.help.draws")
    )
    c4.number_input(tr("sim.field.seed"), key="sim_seed", min_value=0, max_value=2**32 - 1, step=1)
    return {
        "name": st.session_state["sim_name"],
        "period": {"start": _iso(st.session_state["sim_start"]), "end": _iso(st.session_state["sim_end"])},
        "case_price": float(st.session_state["sim_price"]) if st.session_state["sim_price_on"] else None,
        "response": st.session_state["sim_response"],
        "draws": int(st.session_state["sim_draws"]),
        "seed": int(st.session_state["sim_seed"]),
    }


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else None


def selection(
    regions: pd.DataFrame, accounts: pd.DataFrame, channels: tuple[str, ...] = (), region_codes: tuple[str, ...] = ()
) -> tuple[dict, dict]:
    """Who is in the scenario (channel, region, ids; empty = all in scope) and per-account volume overrides.

    ``channels`` and ``region_codes`` (the sidebar filters) preset the selection the first time.
    """
    _init("sim_channel", list(channels))
    _init("sim_region", [r for r in region_codes if r in set(regions["code"])])
    _init("sim_ids", [])
    names = account_labels(accounts)
    region_names = dict(zip(regions["code"], regions["name_zh"], strict=True))
    c1, c2, c3 = st.columns(3)
    c1.multiselect(
        tr("sim.field.channel"),
        CHANNELS,
        key="sim_channel",
        format_func=lbl_fn("channel"),
        placeholder=tr("sim.all"),
    )
    c2.multiselect(
        tr("sim.field.region"),
        list(regions["code"]),
        key="sim_region",
        placeholder=tr("sim.all"),
        format_func=lambda c: f"{region_names.get(c, c)} ({c})",
    )
    c3.multiselect(
        tr("sim.field.ids"),
        list(names),
        key="sim_ids",
        placeholder=tr("sim.all"),
        format_func=lambda i: names.get(i, i),
    )
    st.caption(tr("sim.help.volumes"))
    volumes = volumes_editor(names, st.session_state.get(GEN_KEY, 0), st.session_state.get(VOLUMES_INIT_KEY))
    accounts_json = {
        "channel": list(st.session_state["sim_channel"]),
        "region": list(st.session_state["sim_region"]),
        "ids": list(st.session_state["sim_ids"]),
    }
    return accounts_json, volumes


def _field_widget(col, key: str, name: str, kind, default) -> None:
    _init(key, default)
    label = tr(f"sim.field.{name}")
    if isinstance(kind, tuple):
        col.selectbox(label, kind, key=key, format_func=tr_fn("sim.choice."))
    elif kind == "int":
        col.number_input(label, key=key, step=1, min_value=0)
    elif kind == "float":
        col.number_input(label, key=key, step=0.5, format="%.2f")
    else:
        col.text_input(label, key=key, help=tr(f"sim.help.{name}"))


def _tiers_editor(uid: int) -> list[dict]:
    gen = st.session_state.get(GEN_KEY, 0)
    _init(f"sim_p{uid}_tier_unit", "per_case")
    st.radio(
        tr("sim.field.tier_unit"),
        ("per_case", "pct"),
        key=f"sim_p{uid}_tier_unit",
        horizontal=True,
        format_func=tr_fn("sim.choice."),
    )
    initial = st.session_state.get(tiers_init_key(uid), DEFAULT_TIERS)
    edited = st.data_editor(
        initial,
        key=f"sim_p{uid}_tiers_{gen}",
        num_rows="dynamic",
        hide_index=True,
        column_config={
            "from": st.column_config.NumberColumn(tr("sim.field.tier_from"), min_value=0.0),
            "rate": st.column_config.NumberColumn(tr("sim.field.tier_rate")),
        },
    )
    rate_key = _RATE_KEYS[st.session_state[f"sim_p{uid}_tier_unit"]]
    rows = edited.dropna(how="all")
    return [
        {
            "from": None if pd.isna(r["from"]) else float(r["from"]),
            rate_key: None if pd.isna(r["rate"]) else float(r["rate"]),
        }
        for _, r in rows.iterrows()
    ]


def _program_json(prog: dict, values: dict) -> dict:
    out = {"type": prog["type"], **{k: v for k, v in values.items() if k not in ("rate_unit", "rate", "prizes")}}
    if "rate_unit" in values:
        out[_RATE_KEYS[values["rate_unit"]]] = values["rate"]
    if "prizes" in values:
        try:
            out["prizes"] = [float(x) for x in str(values["prizes"]).replace("，", ",").split(",") if x.strip()]
        except ValueError:
            out["prizes"] = values["prizes"]  # load_scenario names the bad value
    return out


def program_editor(prog: dict, index: int) -> dict:
    """One program's parameters in an expander; returns its JSON."""
    uid, ptype = prog["uid"], prog["type"]
    pre = f"sim_p{uid}_"
    _init(pre + "name", lbl("program", ptype))
    title, kind = st.session_state[pre + "name"], lbl("program", ptype)
    shown = escape_markdown(title)  # typed or uploaded: an expander label renders markdown
    with st.expander(f"{index + 1}. {shown}" + ("" if title == kind else f" · {kind}"), expanded=True):
        c1, c2, c3, c4 = st.columns(4)
        c1.text_input(tr("sim.field.program_name"), key=pre + "name")
        values = {"name": st.session_state[pre + "name"]}
        for col, (name, kind, default) in zip((c2, c3), COMMON_FIELDS, strict=True):
            _field_widget(col, pre + name, name, kind, default)
            values[name] = st.session_state[pre + name]
        _init(pre + "cap", None)
        c4.number_input(
            tr("sim.field.cap_amount"), key=pre + "cap", min_value=0.0, step=1000.0, help=tr("sim.help.cap_amount")
        )
        if st.session_state[pre + "cap"] is not None:
            values["cap_amount"] = float(st.session_state[pre + "cap"])
        cols = st.columns(4)
        for i, (name, kind, default) in enumerate(PROGRAM_FIELDS[ptype]):
            _field_widget(cols[i % 4], pre + name, name, kind, default)
            values[name] = st.session_state[pre + name]
        if ptype in ("retro_tiered", "incremental_tiered"):
            values["tiers"] = _tiers_editor(uid)
        st.button(
            tr("sim.remove_program"),
            key=pre + "remove",
            icon=":material/delete:",
            on_click=_remove_program,
            args=(uid,),
        )
    return _program_json(prog, values)


def programs_editor() -> list[dict]:
    """The list of programs with an "add program of type …" control."""
    _init(PROGRAMS_KEY, [_new_program("per_case")])
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    c1.selectbox(tr("sim.new_program_type"), PROGRAM_TYPES, key=NEW_TYPE_KEY, format_func=lbl_fn("program"))
    c2.button(tr("sim.add_program"), icon=":material/add:", on_click=_add_program, width="stretch")
    out = [program_editor(p, i) for i, p in enumerate(st.session_state[PROGRAMS_KEY])]
    if not out:
        st.caption(tr("sim.no_programs"))
    return out


def _seed_program(p: dict) -> dict:
    prog = _new_program(p["type"])
    pre, ss = f"sim_p{prog['uid']}_", st.session_state
    ss[pre + "name"] = p.get("name") or lbl("program", p["type"])
    for name, _, default in COMMON_FIELDS:
        ss[pre + name] = p.get(name, default)
    ss[pre + "cap"] = p.get("cap_amount")
    for name, kind, default in PROGRAM_FIELDS[p["type"]]:
        if name == "rate_unit":
            ss[pre + name] = next((u for u, k in _RATE_KEYS.items() if k in p), default)
        elif name == "rate":
            ss[pre + name] = float(next((p[k] for k in _RATE_KEYS.values() if k in p), default))
        elif name == "prizes":
            ss[pre + name] = ", ".join(f"{float(x):g}" for x in p.get("prizes", []))
        else:
            value = p.get(name, JSON_DEFAULTS.get(name, default))
            ss[pre + name] = int(value) if kind == "int" else float(value) if kind == "float" else value
    tiers = p.get("tiers") or []
    if tiers:
        unit = "pct" if "rate_pct" in tiers[0] else "per_case"
        ss[pre + "tier_unit"] = unit
        ss[tiers_init_key(prog["uid"])] = pd.DataFrame(
            {"from": [float(t["from"]) for t in tiers], "rate": [float(t[_RATE_KEYS[unit]]) for t in tiers]}
        )
    return prog


def seed_form(scenario: dict) -> None:
    """Pour a scenario JSON (a saved or downloaded one) into the form; call before the widgets are drawn."""
    ss = st.session_state
    period = scenario.get("period") or {}
    ss["sim_name"] = scenario.get("name") or tr("sim.default_name")
    for key, part in (("sim_start", "start"), ("sim_end", "end")):
        if period.get(part):
            ss[key] = dt.date.fromisoformat(str(period[part])[:10])
    price = scenario.get("case_price")
    ss["sim_price_on"], ss["sim_price"] = price is not None, float(price) if price is not None else 24.0
    ss["sim_response"] = scenario.get("response") or "none"
    ss["sim_draws"], ss["sim_seed"] = int(scenario.get("draws") or 0), int(scenario.get("seed") or 7)
    acc = scenario.get("accounts") or {}
    for key in ("channel", "region", "ids"):
        ss[f"sim_{key}"] = list(acc.get(key) or [])
    volumes = scenario.get("volumes") or {}
    ss[VOLUMES_INIT_KEY] = pd.DataFrame(
        {"account_id": pd.Series(list(volumes), dtype=str), "cases": pd.Series(list(volumes.values()), dtype=float)}
    )
    ss[PROGRAMS_KEY] = [_seed_program(p) for p in scenario.get("programs") or [] if p.get("type") in PROGRAM_FIELDS]
    ss[GEN_KEY] = ss.get(GEN_KEY, 0) + 1
    from kam_ui import simulator_settlement  # the optional "settlement" key (its own module)

    simulator_settlement.seed(scenario)
