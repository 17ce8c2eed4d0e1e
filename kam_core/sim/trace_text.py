"""The calculation trace as arithmetic a director can check: "1,200 箱 × ¥2.00/箱 = ¥2,400" per program.

:func:`program_step` turns one account's inputs of one program into a *step*: a small JSON-able dict of the
numbers that make its amount (``kind`` plus the inputs, and ``bands`` of ``qty × rate = amount``).
:func:`step_text` writes a step in Chinese or English from the catalogue (``simtrace.*``): cases as
integers, rates in ¥ with 2 decimals (or %), amounts in whole ¥. The formulas are the calculators' own
(docs/METHODS.md §5.1–5.2); every band's ``qty × rate`` is its ``amount`` (a rate in % is divided by 100),
so a reader can redo the sum with the figures shown. A worked example is in docs/methods_sim_trace.md.
"""

from __future__ import annotations

from kam_core.i18n import format_money, format_number, format_pct, t, tn
from kam_core.sim import programs as calc
from kam_core.sim.spec import Program


def _band(basis_amount: float, basis: str, rate: float, unit: str, price: float) -> dict:
    """``qty × rate = amount`` for a basis amount: cases for a ¥/case rate, net sales (¥) for a % rate."""
    if unit == "pct":
        qty = basis_amount * price if basis == "cases" else basis_amount
        return {
            "qty": float(qty),
            "qty_unit": "money",
            "rate": float(rate),
            "rate_unit": "pct",
            "amount": qty * rate / 100,
        }
    qty = basis_amount if basis == "cases" else (basis_amount / price if price > 0 else 0.0)
    return {"qty": float(qty), "qty_unit": "cases", "rate": float(rate), "rate_unit": "per_case", "amount": qty * rate}


def _with_bands(step: dict, bands: list[dict]) -> dict:
    return {**step, "bands": bands, "amount": float(sum(b["amount"] for b in bands))}


def _tiered(p: Program, basis: float, price: float) -> dict:
    lowers = [t.lower for t in p.tiers]
    k = sum(basis >= lo for lo in lowers) - 1  # calc.tier_index for one account (ascending bounds), without numpy
    step = {"kind": "tier", "basis": float(basis), "basis_unit": p.basis, "first_from": float(lowers[0])}
    if k < 0:
        return {**step, "tier": 0, "bands": [], "amount": 0.0}
    step |= {"tier": k + 1, "tier_from": float(lowers[k]), "retro": p.type == "retro_tiered"}
    if p.type == "retro_tiered":
        return _with_bands(step, [_band(basis, p.basis, p.tiers[k].rate, p.rate_unit, price)])
    tops = [*lowers[1 : k + 1], basis]  # marginal: each tier's rate on its own band, up to the basis
    bands = [_band(tops[j] - lowers[j], p.basis, p.tiers[j].rate, p.rate_unit, price) for j in range(k + 1)]
    return _with_bands(step, bands)


def _threshold(p: Program, basis: float, price: float) -> dict:
    o = p.options
    level = float(o["threshold"])
    step = {"kind": "threshold", "basis": float(basis), "basis_unit": p.basis, "threshold": level}
    step |= {"reached": bool(basis >= level), "gap": float(basis - level)}
    if not step["reached"]:
        return {**step, "bands": [], "amount": 0.0}
    if o["rate_unit"] == "fixed":
        return {**step, "fixed": float(o["rate"]), "bands": [], "amount": float(o["rate"])}
    return _with_bands(step, [_band(basis, p.basis, o["rate"], o["rate_unit"], price)])


def _growth(p: Program, basis: float, ref: float, eligible: bool, price: float) -> dict:
    o = p.options
    step = {"kind": "growth", "basis": float(basis), "basis_unit": p.basis, "ref": float(ref), "on": o["on"]}
    if not eligible or ref <= 0:
        return {**step, "eligible": False, "bands": [], "amount": 0.0}
    step |= {"eligible": True, "growth": float(basis / ref - 1), "min_growth": float(o["min_growth"])}
    step["reached"] = bool(basis >= ref * (1 + o["min_growth"]))
    if not step["reached"]:
        return {**step, "bands": [], "amount": 0.0}
    paid_on = basis if o["on"] == "all" else max(basis - ref, 0.0)
    return _with_bands(step, [_band(paid_on, p.basis, o["rate"], o["rate_unit"], price)])


def _bottle_cap(p: Program, cases: float, price: float) -> dict:
    o = p.options
    red = float(o["redemption_rate"])
    step: dict = {"kind": "bottle_cap", "cases": float(cases), "redemption": red}
    if "prize_value_per_case" in o:
        v = float(o["prize_value_per_case"])
        return {**step, "prize": "per_case", "value_per_case": v, "amount": cases * red * v}
    win, units = float(o["win_rate"]), int(o["units_per_case"])
    step |= {"win_rate": win, "units_per_case": units}
    if o["prize"] == "free_bottle":
        free = float(calc.free_goods_per_case(win * red, compounded=True))
        return {
            **step,
            "prize": "free_bottle",
            "free_share": free,
            "price": float(price),
            "amount": cases * free * price,
        }
    prize = float(o["prize_cost"])
    amount = cases * units * win * red * prize
    return {**step, "prize": "cash", "prize_value": prize, "amount": amount}


def _empty_exchange(p: Program, cases: float, price: float) -> dict:
    o = p.options
    n, r = float(o["empties_per_free_case"]), float(o["return_rate"])
    free = cases * float(calc.empty_exchange_free_cases(n, r, compounded=True))
    step = {"kind": "empty_exchange", "cases": float(cases), "return_rate": r, "empties_per_free_case": n}
    return {**step, "free_cases": free, "price": float(price), "amount": free * price}


def program_step(
    p: Program, basis: float, cases: float, price: float, ref: float, eligible: bool, rank: int, outlets: float
) -> dict:
    """The step of one account under program ``p`` (single settlement): inputs, operator and amount.

    ``basis`` is in the program's basis (cases or ¥ net sales), ``cases`` the account's cases, ``price`` its
    price per case, ``ref``/``eligible`` the growth reference, ``rank`` its place by cases (contests) and
    ``outlets`` its outlets served (display fees). The amount is before any cap.
    """
    o = p.options
    if p.type == "per_case":
        return _with_bands({"kind": "per_case"}, [_band(cases, "cases", o["amount_per_case"], "per_case", price)])
    if p.type in ("retro_tiered", "incremental_tiered"):
        return _tiered(p, basis, price)
    if p.type == "threshold":
        return _threshold(p, basis, price)
    if p.type == "growth":
        return _growth(p, basis, ref, eligible, price)
    if p.type == "bottle_cap":
        return _bottle_cap(p, cases, price)
    if p.type == "empty_exchange":
        return _empty_exchange(p, cases, price)
    if p.type == "cash_discount":
        sales, share, pct = cases * price, float(o["prompt_share"]), float(o["discount_pct"])
        return {
            "kind": "cash_discount",
            "sales": sales,
            "share": share,
            "pct": pct,
            "amount": sales * share * pct / 100,
        }
    if p.type == "contest":
        prizes = sorted(o["prizes"], reverse=True)
        won = rank <= len(prizes) and cases > 0
        return {
            "kind": "contest",
            "rank": rank,
            "winners": len(prizes),
            "amount": float(prizes[rank - 1]) if won else 0.0,
        }
    per_acc, per_out = float(o["amount_per_account"]), float(o["amount_per_outlet"])
    return {
        "kind": "display_fee",
        "per_account": per_acc,
        "outlets": outlets,
        "per_outlet": per_out,
        "amount": per_acc + outlets * per_out,
    }


# --- words ---------------------------------------------------------------------------------------------------


def _yuan(x: float, lang: str, digits: int = 0) -> str:
    return format_money(x, lang, compact=False, digits=digits)


def _cases(x: float, lang: str, digits: int = 0) -> str:
    return tn("count.cases", x, lang, n=format_number(x, lang, digits))


def _share(x: float, lang: str, signed: bool = False, digits: int | None = None) -> str:
    """A share as % with the decimals it needs (5%, 12.5%) unless ``digits``; ``signed`` puts + on a rise."""
    if digits is None:
        digits = 0 if abs(round(x * 100, 6) - round(x * 100)) < 1e-9 else 1
    text = format_pct(x, lang, digits)
    return f"+{text}" if signed and x > 0 else text


def _basis(step: dict, key: str, lang: str) -> str:
    x = step[key]
    return _cases(x, lang) if step.get("basis_unit") == "cases" else t("simtrace.net_sales", lang, v=_yuan(x, lang))


def _band_text(b: dict, lang: str) -> str:
    qty = _cases(b["qty"], lang) if b["qty_unit"] == "cases" else _yuan(b["qty"], lang)
    if b["rate_unit"] == "pct":
        return f"{qty} × {_share(b['rate'] / 100, lang)}"
    return f"{qty} × {t('simtrace.per_case', lang, rate=_yuan(b['rate'], lang, 2))}"


def _sum(step: dict, lang: str) -> str:
    """``a × r + b × s = amount`` of the step's bands."""
    return " + ".join(_band_text(b, lang) for b in step["bands"]) + f" = {_yuan(step['amount'], lang)}"


def _tier_text(s: dict, lang: str) -> str:
    basis = _basis(s, "basis", lang)
    if not s["tier"]:
        return t("simtrace.tier_below", lang, basis=basis, first=_basis(s, "first_from", lang), zero=_yuan(0, lang))
    how = t("simtrace.retro" if s["retro"] else "simtrace.marginal", lang)
    return t("simtrace.tier", lang, basis=basis, tier=s["tier"], start=_basis(s, "tier_from", lang), how=how) + _sum(
        s, lang
    )


def _threshold_text(s: dict, lang: str) -> str:
    args = {"basis": _basis(s, "basis", lang), "level": _basis(s, "threshold", lang)}
    if not s["reached"]:
        gap = _basis({**s, "gap": -s["gap"]}, "gap", lang)
        return t("simtrace.threshold_missed", lang, gap=gap, zero=_yuan(0, lang), **args)
    head = t("simtrace.threshold_reached", lang, gap=_basis(s, "gap", lang), **args)
    return head + (t("simtrace.fixed", lang, amount=_yuan(s["amount"], lang)) if "fixed" in s else _sum(s, lang))


def _growth_text(s: dict, lang: str) -> str:
    if not s["eligible"]:
        return t("simtrace.growth_ineligible", lang, basis=_basis(s, "basis", lang), zero=_yuan(0, lang))
    args = {"basis": _basis(s, "basis", lang), "ref": _basis(s, "ref", lang)}
    args |= {
        "growth": _share(s["growth"], lang, signed=True, digits=1),
        "needs": _share(s["min_growth"], lang, signed=True),
    }
    if not s["reached"]:
        return t("simtrace.growth_missed", lang, zero=_yuan(0, lang), **args)
    on = t("simtrace.on_increment" if s["on"] == "increment" else "simtrace.on_all", lang)
    return t("simtrace.growth_reached", lang, on=on, **args) + _sum(s, lang)


def _bottle_cap_text(s: dict, lang: str) -> str:
    args = {"cases": _cases(s["cases"], lang), "red": _share(s["redemption"], lang), "amount": _yuan(s["amount"], lang)}
    if s["prize"] == "per_case":
        return t("simtrace.cap_per_case", lang, value=_yuan(s["value_per_case"], lang, 2), **args)
    args |= {"win": _share(s["win_rate"], lang), "units": s["units_per_case"]}
    if s["prize"] == "free_bottle":
        free = format_pct(s["free_share"], lang, 2)
        return t("simtrace.cap_free_bottle", lang, free=free, price=_yuan(s["price"], lang, 2), **args)
    return t("simtrace.cap_cash", lang, prize=_yuan(s["prize_value"], lang, 2), **args)


def _empty_text(s: dict, lang: str) -> str:
    return t(
        "simtrace.empty_exchange",
        lang,
        cases=_cases(s["cases"], lang),
        rate=_share(s["return_rate"], lang),
        n=format_number(s["empties_per_free_case"], lang, 0 if float(s["empties_per_free_case"]).is_integer() else 1),
        r=format_number(s["return_rate"], lang, 2),
        free=_cases(s["free_cases"], lang, 1),
        price=_yuan(s["price"], lang, 2),
        amount=_yuan(s["amount"], lang),
    )


def _other_text(s: dict, lang: str) -> str:
    amount = _yuan(s["amount"], lang)
    if s["kind"] == "cash_discount":
        share, pct = _share(s["share"], lang), _share(s["pct"] / 100, lang)
        return t("simtrace.cash_discount", lang, sales=_yuan(s["sales"], lang), share=share, pct=pct, amount=amount)
    if s["kind"] == "contest":
        key = "simtrace.contest_won" if s["amount"] > 0 else "simtrace.contest_lost"
        return t(key, lang, rank=s["rank"], winners=s["winners"], amount=amount)
    if s["kind"] == "display_fee":
        outlets = format_number(s["outlets"], lang)
        per_acc, per_out = _yuan(s["per_account"], lang, 2), _yuan(s["per_outlet"], lang, 2)
        return t("simtrace.display_fee", lang, per_account=per_acc, outlets=outlets, per_outlet=per_out, amount=amount)
    period = t(f"sim.choice.{s['period']}", lang)
    head = t("simtrace.periodic", lang, period=period.lower() if lang == "en" else period, amount=amount)
    parts = [t("simtrace.part", lang, months=part["months"], body=_body(part, lang)) for part in s.get("parts", [])]
    return head + "".join(parts)


_TEXT = {
    "tier": _tier_text,
    "threshold": _threshold_text,
    "growth": _growth_text,
    "bottle_cap": _bottle_cap_text,
    "empty_exchange": _empty_text,
    "per_case": _sum,
}


def _body(step: dict, lang: str) -> str:
    return _TEXT.get(step["kind"], _other_text)(step, lang)


def _settlement_text(s: dict, lang: str) -> str:
    """The cap and the interim payments netted at the true-up, when there are any."""
    out = ""
    if s.get("capped") is not None:
        out += t("simtrace.capped", lang, cap=_yuan(s["capped"], lang))
    if s.get("interim"):
        out += t("simtrace.interim", lang, paid=_yuan(s["interim"], lang), final=_yuan(s["final"], lang))
        if s["final"] < 0:
            out += t("simtrace.clawed_back", lang)
        elif s["interim"] > s["entitlement"]:
            out += t("simtrace.overpaid_kept", lang)
    return out


def step_text(program: str, step: dict, lang: str = "zh") -> str:
    """One trace line: "{program}: {inputs} {operator} {rate} = {amount}" in ``lang`` (plain text).

    Examples
    --------
    >>> s = program_step(Program("per_case", "箱奖", options={"amount_per_case": 2.0}), 1200, 1200, 60, 0, False, 1, 1)
    >>> step_text("箱奖", s, "zh"), step_text("Case bonus", s, "en")
    ('箱奖：1,200箱 × ¥2.00/箱 = ¥2,400', 'Case bonus: 1,200 cases × ¥2.00/case = ¥2,400')
    """
    body = _body(step, lang)
    return t("simtrace.line", lang, program=program, body=body) + _settlement_text(step, lang)
