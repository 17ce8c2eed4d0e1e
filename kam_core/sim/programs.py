"""Pure rebate and promotion calculators (docs/METHODS.md §5.1–5.2), vectorised with numpy.

Every function takes arrays of any shape that broadcast together: one value per account
``(accounts,)`` for a plain run, or ``(draws, accounts)`` inside the Monte Carlo. None of them
loops over accounts or draws, and none of them builds an ``accounts × draws × tiers`` array:
tiered schemes look up the tier with :func:`numpy.searchsorted` and read a cumulative table.

Units. Tier bounds are in the program's *basis* (cases, or net sales in RMB). Rates are the
numbers the user typed; the caller converts them to money with ``conv`` (see
:func:`rate_conversion`), because a rate of "2 %" on a cases basis is worth ``price × 2 / 100``
per case and the price differs by account.
"""

from __future__ import annotations

import numpy as np

PAYOUT_FORMS = ("cash", "credit_note", "free_goods")


def rate_conversion(basis: str, rate_unit: str, price):
    """Money per (basis unit × typed rate).

    ``basis`` is ``cases`` or ``net_sales``; ``rate_unit`` is ``per_case`` (RMB per case) or
    ``pct`` (percent, 2 = 2 %). ``price`` is RMB per case, per account.

    >>> float(rate_conversion("cases", "pct", 100.0))   # 1 case at 2 % of ¥100 → 2 × 1.0
    1.0
    """
    price = np.asarray(price, dtype=float)
    if basis == "cases":
        return np.ones_like(price) if rate_unit == "per_case" else price / 100.0
    if rate_unit == "pct":
        return np.full_like(price, 0.01)
    # RMB → cases, then RMB per case; an account without a price earns nothing rather than NaN
    return np.where(price > 0, 1.0 / np.where(price > 0, price, 1.0), 0.0)


def tier_index(basis, lowers) -> np.ndarray:
    """Index of the highest tier whose lower bound ``basis`` has reached; −1 below the first tier."""
    lowers = np.asarray(lowers, dtype=float)
    basis = np.asarray(basis)
    if len(lowers) > 6:
        return np.searchsorted(lowers, basis, side="right") - 1
    # few tiers: counting the bounds reached is faster than a binary search and stays int8
    k = np.full(basis.shape, -1, dtype=np.int8)
    for lo in lowers:
        k += basis >= lo
    return k


def retro_tiered(basis, lowers, rates, index=None):
    """All-units ("back to dollar one") tiered rebate: ``R = B · r_k*`` with ``k* = max{k : B ≥ L_k}``.

    Parameters
    ----------
    basis : array_like
        Basis per account (cases or RMB), any shape.
    lowers, rates : sequence of float
        Tier lower bounds (strictly ascending) and the typed rate of each tier.

    Returns
    -------
    ndarray
        Rebate in (rate × basis) units; multiply by :func:`rate_conversion` for RMB.
    """
    basis = np.asarray(basis)
    r_pad = np.concatenate([[0.0], np.asarray(rates, dtype=float)]).astype(basis.dtype, copy=False)
    k = tier_index(basis, lowers) if index is None else index
    return basis * r_pad[k + 1]


def incremental_tiered(basis, lowers, rates, index=None):
    """Marginal tiered rebate: ``R = Σ_k r_k · max(0, min(B, U_k) − L_k)`` with ``U_k = L_{k+1}``.

    Computed as a cumulative table lookup, so it costs the same as the retroactive one.
    """
    basis = np.asarray(basis)
    lo = np.asarray(lowers, dtype=float)
    r = np.asarray(rates, dtype=float)
    # rebate accumulated at the start of each tier
    cum = np.concatenate([[0.0], np.cumsum(r[:-1] * np.diff(lo))])
    lo_pad = np.concatenate([[0.0], lo]).astype(basis.dtype, copy=False)
    r_pad = np.concatenate([[0.0], r]).astype(basis.dtype, copy=False)
    cum_pad = np.concatenate([[0.0], cum]).astype(basis.dtype, copy=False)
    k = (tier_index(basis, lo) if index is None else index) + 1
    return cum_pad[k] + r_pad[k] * (basis - lo_pad[k])


def threshold(basis, level: float, rate: float = 0.0, fixed_amount: float = 0.0):
    """Single-step 坎级 rebate: ``R = 1[B ≥ T] · (r·B + F)`` (rate on all units, or a fixed amount)."""
    basis = np.asarray(basis)
    return np.where(basis >= level, basis * rate + fixed_amount, 0.0).astype(basis.dtype, copy=False)


def growth(basis, reference, eligible, min_growth: float, rate: float, on: str = "all"):
    """Growth rebate against the same period last year (or a target for new accounts).

    Qualifies when ``B ≥ B_ref · (1 + g*)``, written without a division so that a zero or missing
    reference can never divide by zero: accounts with ``eligible`` false or ``B_ref ≤ 0`` get 0.

    Parameters
    ----------
    basis, reference : array_like
        This period's basis and the reference basis (last year, or the target of a new account).
    eligible : array_like of bool
        False for accounts without history and without a target.
    min_growth : float
        Required growth g* (0.10 = +10 %).
    rate : float
        Typed rate; the result is in (rate × basis) units.
    on : {"all", "increment"}
        Pay on the whole basis, or only on the growth ``B − B_ref``.
    """
    basis = np.asarray(basis)
    ref = np.nan_to_num(np.asarray(reference, dtype=basis.dtype), nan=0.0)
    ok = np.asarray(eligible, dtype=bool) & (ref > 0) & (basis >= ref * (1.0 + min_growth))
    paid_on = basis if on == "all" else np.maximum(basis - ref, 0.0)
    return np.where(ok, paid_on * rate, 0.0).astype(basis.dtype, copy=False)


def cash_discount(amount, discount_pct: float, prompt_share):
    """Prompt-payment discount: ``d × amount paid within n days`` (``prompt_share`` of ``amount``)."""
    return np.asarray(amount) * (discount_pct / 100.0) * np.asarray(prompt_share)


def implied_annual_cost(discount_pct: float, discount_days: int, net_days: int) -> float:
    """Annualised cost of a "d/n net N" discount: ``d/(1−d) × 365/(N−n)`` (2/10 net 30 → 0.372)."""
    if net_days <= discount_days:
        raise ValueError(f"net_days ({net_days}) must exceed discount_days ({discount_days})")
    d = discount_pct / 100.0
    return d / (1.0 - d) * 365.0 / (net_days - discount_days)


def contest(volume, prizes) -> np.ndarray:
    """Sales contest: the top ``len(prizes)`` accounts by volume win ``prizes`` (largest first).

    Ranks along the last axis (accounts); ties go to the account listed first. Accounts with no
    volume win nothing.
    """
    vol = np.asarray(volume)
    out = np.zeros_like(vol, dtype=float)
    n = min(len(prizes), vol.shape[-1])
    if n == 0:
        return out
    # stable sort of −volume keeps the listed order among equal volumes
    order = np.argsort(-vol, axis=-1, kind="stable")[..., :n]
    won = np.sort(np.asarray(prizes, dtype=float))[::-1][:n]
    top_vol = np.take_along_axis(vol, order, axis=-1)
    np.put_along_axis(out, order, np.where(top_vol > 0, won, 0.0), axis=-1)
    return out


def free_goods_per_case(first_round_share, compounded: bool):
    """Free units per purchased unit when each free unit earns again (a geometric series).

    ``q`` free units per unit first round; if the free unit carries the same offer the total is
    ``q + q² + … = q / (1 − q)``. Used for free-bottle cap prizes (``q = p·ρ``).
    """
    q = np.asarray(first_round_share, dtype=float)
    return q / (1.0 - q) if compounded else q


def empty_exchange_free_cases(empties_per_free_case: float, return_rate, compounded: bool):
    """Free cases per purchased case under an N-for-1 empty exchange.

    First round: ``r / N``. Compounded (the free case's empty comes back too): ``r / (N − r)``
    (N=4, r=1 → 1/3, docs/METHODS.md §5.2).
    """
    r = np.asarray(return_rate, dtype=float)
    n = float(empties_per_free_case)
    return r / (n - r) if compounded else r / n


def apply_cap(amount, cap: float | None):
    """Limit a payout per account to ``cap`` (None = no cap)."""
    return amount if cap is None else np.minimum(amount, cap)


def settle_interim(entitlement, interim_paid, clawback: bool = False):
    """Net interim payments at the true-up.

    Returns ``(final_payout, total_cost)``. The final payout is ``entitlement − interim_paid``.
    Without clawback (the default, and the usual distributor contract) it is floored at zero:
    an account that was paid more on account than it finally earned keeps the excess, so our
    total cost is ``max(entitlement, interim_paid)``. With clawback the negative payout is a
    recovery (deducted from the next invoices) and the total cost is the entitlement itself.
    """
    ent = np.asarray(entitlement)
    paid = np.asarray(interim_paid, dtype=ent.dtype)
    final = ent - paid
    if clawback:
        return final, ent
    return np.maximum(final, 0.0), np.maximum(ent, paid)


def payout_cost(value, form: str, price, cogs):
    """Our cost of a payout worth ``value`` to the customer.

    Cash and credit notes cost their face value; free goods are worth the price to the customer
    and cost us the COGS of the cases given (``value / price × cogs``).
    """
    if form not in PAYOUT_FORMS:
        raise ValueError(f"payout form {form!r} not in {PAYOUT_FORMS}")
    if form != "free_goods":
        return value
    price = np.asarray(price, dtype=float)
    ratio = np.where(price > 0, np.asarray(cogs, dtype=float) / np.where(price > 0, price, 1.0), 0.0)
    return value * ratio.astype(np.asarray(value).dtype, copy=False)
