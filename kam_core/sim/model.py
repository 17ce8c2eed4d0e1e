"""One pass of the scenario model over arrays ``(draws, accounts)``.

The plain run and every Monte Carlo chunk go through :func:`evaluate`, so the expected case and
the uncertainty bands can never disagree about how a program pays. Inputs per account live in a
:class:`Book`; the uncertain inputs of a pass live in a :class:`Draws` (central values for the
plain run, one row per draw in the Monte Carlo).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kam_core.sim import programs as calc
from kam_core.sim.response import ResponseParams, chase_threshold, elastic_volume, net_incremental
from kam_core.sim.spec import Program, Scenario

# programs whose value to the account scales with each case bought: they move the price the
# account responds to. Contest prizes (a rank lottery) and display fees (fixed) do not.
PRICE_LIKE = (
    "per_case",
    "retro_tiered",
    "incremental_tiered",
    "threshold",
    "growth",
    "cash_discount",
    "bottle_cap",
    "empty_exchange",
)
CLIFF_TYPES = ("retro_tiered", "threshold", "growth")


@dataclass(frozen=True)
class Book:
    """Per-account inputs, aligned arrays of length A.

    ``month_shares`` (A × M) splits an account's period volume over the months of the period
    (seasonality), so that monthly/quarterly programs settle on their own sub-period.
    ``interim`` maps a ``program_id`` to the interim payments already made under it (A,), read
    from ``rebate_settlement``; keyed by id so that a cached book survives edits to the programs.
    """

    account_id: np.ndarray
    channel: np.ndarray
    price: np.ndarray
    cogs: np.ndarray
    floor: np.ndarray
    baseline: np.ndarray
    baseline_ly: np.ndarray
    outlets: np.ndarray
    baseline_cv: np.ndarray
    elasticity: np.ndarray
    month_shares: np.ndarray
    months: tuple[str, ...]
    interim: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.account_id)


@dataclass
class Draws:
    """Uncertain inputs of one pass: per account ``(D, A)`` or per draw ``(D, 1)``."""

    volume_mult: np.ndarray
    elasticity_mult: np.ndarray
    chase: np.ndarray
    redemption: dict[int, np.ndarray]
    win_rate: dict[int, np.ndarray]


@dataclass
class ProgramResult:
    value: np.ndarray  # worth to the account, after cap and interim netting
    cost: np.ndarray  # cost to us
    first_round: np.ndarray  # value counting free goods' first round only
    entitlement: np.ndarray  # earned before interim netting
    final_payout: np.ndarray
    tier: np.ndarray | None = None


@dataclass
class Outcome:
    baseline: np.ndarray
    cases: np.ndarray
    pull_forward: np.ndarray
    net_incremental: np.ndarray
    programs: list[ProgramResult]


def central_draws(book: Book, scenario: Scenario) -> Draws:
    """The plain (expected-value) pass: no noise, chase where it is most likely (chase_prob ≥ 0.5)."""
    params = ResponseParams.from_assumptions(scenario.assumptions)
    ones = np.ones((1, book.n))
    red, win = {}, {}
    for i, p in enumerate(scenario.programs):
        if p.type == "bottle_cap":
            red[i] = np.full((1, 1), p.options["redemption_rate"])
            win[i] = np.full((1, 1), p.options.get("win_rate") or 0.0)
        elif p.type == "empty_exchange":
            red[i] = np.full((1, 1), p.options["return_rate"])
    return Draws(ones, np.ones((1, 1)), ones.astype(bool) & (params.chase_prob >= 0.5), red, win)


def evaluate(book: Book, scenario: Scenario, draws: Draws, dtype=np.float64) -> Outcome:
    """Push one set of draws through the response and every program calculator.

    The baseline (already carrying any ``volumes`` override) is both the starting point of the
    response and the reference for incremental profit.
    """
    params = ResponseParams.from_assumptions(scenario.assumptions)
    base = (book.baseline.astype(dtype) * draws.volume_mult).astype(dtype, copy=False)
    pulled = np.zeros_like(base)
    cases = base
    if scenario.response == "elastic":
        expected = _price_incentive(book, scenario, base, draws, dtype)
        eps = (book.elasticity * draws.elasticity_mult).astype(dtype, copy=False)
        cases = elastic_volume(base, book.price.astype(dtype), expected, eps, params.max_lift)
        cliff = _next_cliff(book, scenario.programs, cases)
        cases, pulled = chase_threshold(cases, cliff, params.chase_window, draws.chase)
    results = [_program(book, i, p, cases, draws, dtype) for i, p in enumerate(scenario.programs)]
    incr = net_incremental(cases, base, pulled, params.cannibalisation if scenario.response == "elastic" else 0.0)
    return Outcome(base, cases, pulled, incr, results)


def _price_incentive(book: Book, scenario: Scenario, cases, draws: Draws, dtype):
    """Value per case the account expects from the price-like programs at its starting volume."""
    total, per_case = None, np.zeros((1, 1), dtype=dtype)
    for i, p in enumerate(scenario.programs):
        if p.type not in PRICE_LIKE:
            continue
        linear = _linear_value_per_case(book, i, p, draws, dtype)
        if linear is not None:  # value ∝ cases: no need to build and divide a draws × accounts array
            per_case = per_case + linear
            continue
        value = _program(book, i, p, cases, draws, dtype).value
        total = value if total is None else total + value
    if total is None:
        return np.broadcast_to(per_case, cases.shape)
    safe = np.where(cases > 0, cases, 1.0)
    return (per_case + np.where(cases > 0, total / safe, 0.0)).astype(dtype, copy=False)


def _linear_value_per_case(book: Book, i: int, p: Program, draws: Draws, dtype):
    """Value per case of a program that pays in proportion to volume (no cap, no interim), else None."""
    if p.cap_amount is not None or _interim(book, i, p) is not None:
        return None
    o, price = p.options, book.price.astype(dtype)
    if p.type == "per_case":
        return np.full((1, 1), o["amount_per_case"], dtype=dtype)
    if p.type == "cash_discount":
        return price * (o["discount_pct"] / 100.0 * o["prompt_share"])
    if p.type == "empty_exchange":
        r = draws.redemption[i].astype(dtype)
        return price * calc.empty_exchange_free_cases(o["empties_per_free_case"], r, compounded=True).astype(dtype)
    if p.type == "bottle_cap":
        rho = draws.redemption[i].astype(dtype)
        if o["prize"] == "free_bottle":
            q = draws.win_rate[i].astype(dtype) * rho
            return price * calc.free_goods_per_case(q, compounded=True).astype(dtype)
        if "prize_value_per_case" in o:
            return o["prize_value_per_case"] * rho
        return draws.win_rate[i].astype(dtype) * o["units_per_case"] * o["prize_cost"] * rho
    return None


def _groups(program: Program, months: tuple[str, ...]) -> list[list[int]]:
    """Month positions settled together: the whole period, or by calendar month/quarter/year."""
    if program.period == "scenario" or not months:
        return [list(range(len(months)))] if months else [[]]
    key = {"month": lambda m: m, "quarter": lambda m: (m[:4], (int(m[5:7]) - 1) // 3), "year": lambda m: m[:4]}[
        program.period
    ]
    out: dict = {}
    for j, m in enumerate(months):
        out.setdefault(key(m), []).append(j)
    return list(out.values())


def _shares(book: Book, program: Program) -> list[np.ndarray | None]:
    groups = _groups(program, book.months)
    if len(groups) == 1:
        return [None]  # one settlement: the whole volume
    return [book.month_shares[:, g].sum(axis=1) for g in groups]


def _next_cliff(book: Book, progs: tuple[Program, ...], cases):
    """Cases needed to reach the nearest cliff above ``cases`` across single-settlement cliff programs."""
    best = np.full(cases.shape, np.inf, dtype=cases.dtype)
    for p in progs:
        if p.type not in CLIFF_TYPES or _shares(book, p) != [None]:
            continue
        to_cases = book.price if p.basis == "net_sales" else np.ones_like(book.price)
        basis = cases * to_cases.astype(cases.dtype)
        if p.type == "retro_tiered":
            lowers = np.append([t.lower for t in p.tiers], np.inf)
            nxt = lowers[calc.tier_index(basis, lowers[:-1]) + 1]
        elif p.type == "threshold":
            nxt = np.where(basis < p.options["threshold"], p.options["threshold"], np.inf)
        else:
            ref, ok = _growth_reference(book, p)
            level = (ref * (1.0 + p.options["min_growth"])).astype(cases.dtype)
            nxt = np.where(ok & (ref > 0) & (basis < level), level, np.inf)
        best = np.minimum(best, (nxt / to_cases).astype(cases.dtype))
    return best


def _growth_reference(book: Book, p: Program):
    """Reference basis (last year, else target) and eligibility per account; never NaN."""
    scale = book.price if p.basis == "net_sales" else 1.0
    ly = np.nan_to_num(book.baseline_ly, nan=0.0) * scale
    targets = p.options.get("targets") or {}
    default = p.options.get("new_account_target")
    tgt = np.array([targets.get(a, default if default is not None else np.nan) for a in book.account_id], dtype=float)
    has_ly = ly > 0
    ref = np.where(has_ly, ly, np.nan_to_num(tgt, nan=0.0))
    return ref, has_ly | np.isfinite(tgt)


def _by_settlement(book: Book, p: Program, cases, settle):
    """Sum ``settle(cases_g, share_g)`` over the program's settlement sub-periods.

    ``share_g`` is the account's share of period volume in sub-period ``g`` (None when the program
    settles once); ``settle`` returns ``(value, tier)``, and the last sub-period's tier is reported.
    """
    value, tier = None, None
    for share in _shares(book, p):
        part, tier = settle(cases if share is None else cases * share.astype(cases.dtype), share)
        value = part if value is None else value + part
    return value, tier


def _tiered(book: Book, p: Program, basis_fn, cases):
    conv = calc.rate_conversion(p.basis, p.rate_unit, book.price).astype(cases.dtype)
    lowers, rates = [t.lower for t in p.tiers], [t.rate for t in p.tiers]
    fn = calc.retro_tiered if p.type == "retro_tiered" else calc.incremental_tiered

    def settle(c, _share):
        b = basis_fn(c)
        k = calc.tier_index(b, lowers)
        return fn(b, lowers, rates, k) * conv, k + 1  # tier 0 = none reached

    return _by_settlement(book, p, cases, settle)


def _threshold(book: Book, p: Program, basis_fn, cases):
    o = p.options
    conv = 1.0 if o["rate_unit"] == "fixed" else calc.rate_conversion(p.basis, o["rate_unit"], book.price)

    def settle(c, _share):
        b = basis_fn(c)
        if o["rate_unit"] == "fixed":
            return calc.threshold(b, o["threshold"], 0.0, o["rate"]), (b >= o["threshold"]).astype(np.int8)
        return (
            calc.threshold(b, o["threshold"], o["rate"]) * np.asarray(conv, dtype=c.dtype),
            (b >= o["threshold"]).astype(np.int8),
        )

    return _by_settlement(book, p, cases, settle)


def _growth(book: Book, p: Program, basis_fn, cases):
    o = p.options
    ref, ok = _growth_reference(book, p)
    conv = calc.rate_conversion(p.basis, o["rate_unit"], book.price).astype(cases.dtype)

    def settle(c, share):
        # a sub-period's reference is last year's total spread like this year's volume
        r = (ref if share is None else ref * share).astype(c.dtype)
        v = calc.growth(basis_fn(c), r, ok, o["min_growth"], o["rate"], o["on"]) * conv
        return v, (v > 0).astype(np.int8)

    return _by_settlement(book, p, cases, settle)


def _program(book: Book, i: int, p: Program, cases, draws: Draws, dtype) -> ProgramResult:
    price, cogs = book.price.astype(dtype), book.cogs.astype(dtype)
    to_basis = (lambda c: c * price) if p.basis == "net_sales" else (lambda c: c)
    o, tier = p.options, None
    first = None
    if p.type == "per_case":
        value = cases * o["amount_per_case"]
    elif p.type in ("retro_tiered", "incremental_tiered"):
        value, tier = _tiered(book, p, to_basis, cases)
    elif p.type == "threshold":
        value, tier = _threshold(book, p, to_basis, cases)
    elif p.type == "growth":
        value, tier = _growth(book, p, to_basis, cases)
    elif p.type == "cash_discount":
        value = calc.cash_discount(cases * price, o["discount_pct"], o["prompt_share"])
    elif p.type == "contest":
        value = calc.contest(cases, o["prizes"]).astype(dtype)
    elif p.type == "display_fee":
        outlets = np.nan_to_num(book.outlets, nan=1.0).clip(min=1.0)
        value = np.broadcast_to(
            (o["amount_per_account"] + o["amount_per_outlet"] * outlets).astype(dtype), cases.shape
        ).copy()
    elif p.type == "bottle_cap":
        return _bottle_cap(book, i, p, cases, draws, price, cogs)
    else:
        return _empty_exchange(book, i, p, cases, draws, price, cogs)
    return _settle(book, i, p, value, value if first is None else first, price, cogs, tier)


def _settle(book: Book, i: int, p: Program, value, first, price, cogs, tier=None, cost=None) -> ProgramResult:
    """Cap, net interim payments, and cost the payout form."""
    interim = _interim(book, i, p)
    if p.cap_amount is None and interim is None:  # the common case: nothing to net, no copies
        our = calc.payout_cost(value, p.payout, price, cogs) if cost is None else cost
        return ProgramResult(value, our, first, value, value, tier)
    capped = calc.apply_cap(value, p.cap_amount)
    ratio = np.where(value > 0, capped / np.where(value > 0, value, 1.0), 1.0)
    final, total = calc.settle_interim(capped, np.zeros(book.n) if interim is None else interim, p.clawback)
    total = total.astype(capped.dtype, copy=False)
    if cost is None:
        our = calc.payout_cost(total, p.payout, price, cogs)
    else:  # programs that price their own cost (prizes, free goods): scale with the cap, add overpaid interim
        our = cost * ratio + (total - capped)
    return ProgramResult(total, our, first * ratio, capped, final, tier)


def _interim(book: Book, i: int, p: Program) -> np.ndarray | None:
    """Interim payments of program ``i``: from the database (``book.interim``), the scenario's own win."""
    paid = book.interim.get(p.program_id) if p.program_id is not None else None
    if not p.interim_paid:
        return paid
    paid = np.zeros(book.n) if paid is None else paid.copy()
    pos = {str(a): j for j, a in enumerate(book.account_id)}
    for acc, amount in p.interim_paid.items():
        if acc in pos:
            paid[pos[acc]] = amount
    return paid


def _bottle_cap(book, i, p, cases, draws, price, cogs) -> ProgramResult:
    o = p.options
    rho = draws.redemption[i].astype(cases.dtype)
    if o["prize"] == "free_bottle":
        q = draws.win_rate[i].astype(cases.dtype) * rho  # free bottles per bottle, first round
        free = calc.free_goods_per_case(q, compounded=True)
        value, first = cases * price * free, cases * price * q
        handling = cases * o["units_per_case"] * free * o["prize_cost"]
        cost = cases * cogs * free + handling
    else:
        if "prize_value_per_case" in o:
            per_case = o["prize_value_per_case"]
        else:  # expected prize value per case = win rate per bottle × bottles per case × prize cost
            per_case = draws.win_rate[i].astype(cases.dtype) * o["units_per_case"] * o["prize_cost"]
        value = cases * per_case * rho
        first, cost = value, value
    return _settle(book, i, p, value, first, price, cogs, cost=cost)


def _empty_exchange(book, i, p, cases, draws, price, cogs) -> ProgramResult:
    o = p.options
    r = draws.redemption[i].astype(cases.dtype)
    n = o["empties_per_free_case"]
    free = calc.empty_exchange_free_cases(n, r, compounded=True)
    value = cases * price * free
    first = cases * price * calc.empty_exchange_free_cases(n, r, compounded=False)
    # METHODS §5.2: F·COGS − r·(v_empty − handling) per purchased case
    cost = cases * (free * cogs - r * (o["empty_value"] - o["handling_cost"]))
    return _settle(book, i, p, value, first, price, cogs, cost=cost)


def make_book(
    account_id,
    channel,
    price,
    cogs,
    baseline,
    *,
    floor=None,
    baseline_ly=None,
    outlets=None,
    baseline_cv=0.15,
    elasticity=None,
    months: tuple[str, ...] = (),
    month_shares=None,
    interim: dict[str, np.ndarray] | None = None,
) -> Book:
    """A :class:`Book` from plain sequences (tests, benchmarks, notebooks); scalars broadcast.

    ``elasticity`` defaults to the channel defaults of :class:`ResponseParams` (untyped accounts).
    """
    ids = np.asarray(account_id, dtype=object)
    n = len(ids)

    def arr(x, fill=np.nan):
        return np.broadcast_to(np.asarray(fill if x is None else x, dtype=float), (n,)).copy()

    ch = np.broadcast_to(np.asarray(channel, dtype=object), (n,)).copy()
    eps = ResponseParams().account_elasticity(ch, [None] * n) if elasticity is None else arr(elasticity)
    shares = (
        np.full((n, len(months)), 1.0 / len(months))
        if month_shares is None and months
        else np.asarray(month_shares if month_shares is not None else np.ones((n, 0)), dtype=float)
    )
    return Book(
        ids,
        ch,
        arr(price),
        arr(cogs),
        arr(floor, 0.0),
        arr(baseline),
        arr(baseline_ly),
        arr(outlets),
        arr(baseline_cv),
        eps,
        shares,
        tuple(months),
        dict(interim or {}),
    )


def program_entitlement(book: Book, scenario: Scenario, i: int, cases) -> np.ndarray:
    """What program ``i`` earns at ``cases`` (A,), at central draws, before interim netting."""
    cases = np.asarray(cases, dtype=float)[None, :]
    return _program(book, i, scenario.programs[i], cases, central_draws(book, scenario), np.float64).entitlement[0]
