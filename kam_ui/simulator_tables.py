"""The simulator's result tables as a director reads them: labelled headers, names not ids, codes as labels,
money in whole ¥, rates per case to the fen, cases as integers, shares as %, and "—" for a missing value.

Each column of a result has a *kind* (:data:`KINDS`); a column without one is not shown (no raw field name
reaches the screen). Headers come from ``sim.col.*``, ``col.*`` or ``simtab.col.*`` in the catalogue.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kam_core.i18n import format_money, format_number, format_pct, label, load_catalog, t
from kam_ui.lang import current_lang

_MONEY = (
    "rebate rebate_cost promotion_value promotion_cost baseline_gross_profit our_gross_profit incremental_profit "
    "expected_rebate trade_spend extra_rebate_if_reached accrued_to_date period_charge entitlement interim_paid "
    "final_payout value our_cost p10 p50 p90 mean most_likely_rebate"
)
_RATE = (
    "price_per_case cogs_per_case floor_price incentive_per_case incentive_per_case_compounded net_price_per_case "
    "our_gp_per_case first_round_per_case compounded_per_case our_cost_per_case effective_rate_per_case "
    "cost_per_incremental_case"
)
_CASES = (
    "baseline_cases scenario_cases incremental_cases pull_forward_cases gap_cases expected_cases_to_date "
    "actual_cases expected_basis_cases"
)
_COUNT = "tier_reached current_tier accounts accounts_below_floor"
_PCT = "roi p_tier_reached p_next_tier spend_on_baseline_share p_roi_negative"
KINDS: dict[str, str] = {
    **dict.fromkeys(_MONEY.split(), "money"),
    **dict.fromkeys(_RATE.split(), "rate"),
    **dict.fromkeys(_CASES.split(), "cases"),
    **dict.fromkeys(_COUNT.split(), "count"),
    **dict.fromkeys(_PCT.split(), "pct"),
    **dict.fromkeys(("below_cost", "below_floor"), "flag"),
    **dict.fromkeys(("name", "month"), "text"),
    "program": "code:program",  # a program left unnamed is called by its type code: shown as the type's label
    "channel": "code:channel",
    "type": "code:program",
    "basis": "code:sim.choice",
    "next_tier_from": "number",
    "basis_value": "number",
}
_DIGITS = {"rate": 2, "pct": 4}
_CONFIG = {"money": "¥%,.0f", "rate": "¥%,.2f", "cases": "%,d", "count": "%,d", "number": "%,.0f", "pct": "percent"}


def header(column: str, lang: str) -> str:
    """A column's label in ``lang`` (the simulator's own, the shared table labels, then this module's)."""
    catalog = load_catalog()
    for key in (f"sim.col.{column}", f"col.{column}", f"simtab.col.{column}"):
        if key in catalog:
            return t(key, lang)
    raise KeyError(f"no label for the simulator column {column!r}")  # a new result field needs a label


def cell(value: object, kind: str, lang: str) -> str:
    """One value as text in ``lang``: "—" when missing, else formatted by its kind."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if kind == "money":
        return format_money(float(value), lang, compact=False)
    if kind == "total":  # a scenario's total: ¥1234.6万 / ¥12.3M from ¥10,000 (a projector's reading)
        return format_money(float(value), lang)
    if kind == "rate":
        return format_money(float(value), lang, compact=False, digits=2)
    if kind in ("cases", "count", "number"):
        return format_number(float(value), lang)
    if kind == "pct":
        return format_pct(float(value), lang)
    if kind == "flag":
        return t("common.yes" if value else "common.no", lang)
    if kind.startswith("code:"):
        prefix = kind[5:]
        return t(f"{prefix}.{value}", lang) if f"{prefix}.{value}" in load_catalog() else label(prefix, value, lang)
    return str(value)


def _column(values: pd.Series, kind: str, lang: str) -> tuple[pd.Series, object]:
    """The shown column and its config: numbers stay numbers (sortable) unless one is missing."""
    if kind in _CONFIG and values.notna().all():
        shown = values.astype(float).round(_DIGITS.get(kind, 0))  # the stored value is what is shown, no 4-decimal tail
        if kind in ("cases", "count"):
            shown = shown.astype("int64")
        return shown, st.column_config.NumberColumn(format=_CONFIG[kind])
    return values.map(lambda v: cell(v, kind, lang)), st.column_config.TextColumn()


def labelled(df: pd.DataFrame, kinds: dict[str, str] | None = None) -> tuple[pd.DataFrame, dict]:
    """``df`` with only its known columns, renamed to their labels, and the column config to show it."""
    lang, kinds = current_lang(), {**KINDS, **(kinds or {})}
    out, config = {}, {}
    for c in df.columns:
        if c in kinds:
            name = header(c, lang)
            out[name], config[name] = _column(df[c], kinds[c], lang)
    return pd.DataFrame(out, index=df.index), config


def show(df: pd.DataFrame, key: str, kinds: dict[str, str] | None = None) -> None:
    """Show a result table labelled and formatted (:func:`labelled`)."""
    shown, config = labelled(df, kinds)
    st.dataframe(shown, hide_index=True, width="stretch", key=key, column_config=config)


def _signed(value: float, kind: str, lang: str) -> str:
    text = cell(abs(value), kind, lang)
    return text if value == 0 else ("+" if value > 0 else "−") + text


def _delta(value: float, base: float, kind: str, lang: str) -> str:
    """A difference with its sign, and for amounts also as % of the first scenario (``+¥1,200 (+5.0%)``)."""
    if pd.isna(value) or pd.isna(base):
        return "—"
    diff = value - base
    if kind == "pct":  # a share's difference is in percentage points, not a % of a %
        return t("simtab.points", lang, n=_signed(diff * 100, "number", lang))
    shown = _signed(diff, kind, lang)
    if base == 0 or diff == 0:
        return shown
    return f"{shown} ({_signed(diff / abs(base), 'pct', lang)})"


def comparison(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """:func:`kam_core.sim.compare_scenarios` as read: metric labels as rows, one column per scenario name, then
    each other scenario's difference to the first with sign and %, and the P10–P90 band where runs have one."""
    names = [c for c in table.columns if not str(c).startswith("Δ ")]
    rows = table[names].dropna(how="all")
    first = names[0]
    out: dict[str, list[str]] = {n: [] for n in names}
    out |= {t("simtab.delta", lang, name=n, first=first): [] for n in names[1:]}
    index = []
    for metric, values in rows.iterrows():
        kind = KINDS.get(str(metric), "number").replace("money", "total")
        index.append(header(str(metric), lang))
        for n in names:
            out[n].append(cell(values[n], kind, lang))
        for n in names[1:]:
            out[t("simtab.delta", lang, name=n, first=first)].append(_delta(values[n], values[first], kind, lang))
    if {"p10", "p90"} <= set(rows.index):
        index.append(t("simtab.band", lang))
        for n in names:
            lo, hi = table.loc["p10", n], table.loc["p90", n]
            out[n].append(
                "—" if pd.isna(lo) or pd.isna(hi) else f"{cell(lo, 'total', lang)} – {cell(hi, 'total', lang)}"
            )
        for n in names[1:]:
            out[t("simtab.delta", lang, name=n, first=first)].append("")
    return pd.DataFrame(out, index=pd.Index(index, name=t("simtab.col.metric", lang)))
