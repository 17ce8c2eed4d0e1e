"""BG/NBD and Gamma-Gamma repeat-buyer models fitted by maximum likelihood on scipy (docs/METHODS.md §3.4 (ii)).

BG/NBD: Fader, Hardie & Lee (2005), "Counting your customers the easy way", *Marketing Science* 24(2), with
the likelihood, P(alive) and conditional expectation of their note "Implementing the BG/NBD model"
(brucehardie.com/notes/004). Gamma-Gamma: Fader, Hardie & Lee (2005), "RFM and CLV", *JMR* 42(4), and
Fader & Hardie (2013), "The Gamma-Gamma model of monetary value" (brucehardie.com/notes/025).

Customers are summarised by x (repeat periods), t_x (recency) and T (age), all in the same unit. The fits
use analytic gradients (BFGS on the log parameters, then Newton steps to the optimum); terms that depend on
one column only are evaluated once per distinct value, so 10^5 accounts fit in about a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, expit, gammaln, hyp2f1, psi

WEEKS_PER_MONTH = 4.345  # 52.14 / 12: the months of the CLV horizon in the weekly unit of the summary


class FitError(RuntimeError):
    """A model could not be fitted; ``reason`` is a short code (catalogue key analytics.clv.reason.<code>)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


@dataclass(frozen=True)
class BgNbd:
    """Fitted BG/NBD: purchase rate λ ~ Gamma(r, α), dropout probability p ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float

    def _odds_dead(self, x, t_x, T) -> np.ndarray:
        """log of a/(b+x-1) · ((α+T)/(α+t_x))^(r+x) for x > 0 (-inf for x = 0: a non-repeater is alive)."""
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        rep = x > 0
        out = np.full(x.shape, -np.inf)
        xr = x[rep]
        out[rep] = (
            np.log(self.a)
            - np.log(self.b + xr - 1)
            + (self.r + xr) * (np.log(self.alpha + T[rep]) - np.log(self.alpha + t_x[rep]))
        )
        return out

    def p_alive(self, x, t_x, T) -> np.ndarray:
        """P(alive | x, t_x, T) = 1 / (1 + δ_{x>0} a/(b+x-1) ((α+T)/(α+t_x))^(r+x))."""
        return expit(-self._odds_dead(x, t_x, T))

    def _to_come(self, t, x, T) -> np.ndarray:
        """E[Y(t) | x, t_x, T] ÷ P(alive): depends on (x, T) only (the hypergeometric part of eq. 10)."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        z = t / (alpha + T + t)
        shrink = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t)))
        return (a + b + x - 1) / (a - 1) * (1 - shrink * hyp2f1(r + x, b + x, a + b + x - 1, z))

    def expected_purchases(self, t, x, t_x, T) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected repeat purchases in the next ``t`` periods (FHL 2005, eq. 10)."""
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        t = np.asarray(t, dtype=float)
        if not np.any(t):
            return np.zeros(np.broadcast(t, x).shape)
        return self._to_come(t, x, T) * self.p_alive(x, t_x, T)


@dataclass(frozen=True)
class _Column:
    """A column's distinct values and each row's position among them: terms that depend on the column only
    are evaluated once per distinct value (a few hundred week counts for 10^5 accounts)."""

    values: np.ndarray
    codes: np.ndarray
    per_row: np.ndarray

    @classmethod
    def of(cls, v) -> _Column:
        v = np.asarray(v, dtype=float)
        values, codes = np.unique(v, return_inverse=True)
        return cls(values, codes.ravel(), v)

    def weights(self, w: np.ndarray) -> np.ndarray:
        return np.bincount(self.codes, weights=w, minlength=self.values.size)


def _bgnbd_terms(theta: np.ndarray, x: _Column, t_x: _Column, T: _Column, w: np.ndarray, penalizer: float):
    """Weighted mean negative log-likelihood of BG/NBD and its gradient in θ = log(r, α, a, b).

    L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / Γ(r) · [(α+T)^-(r+x) + δ_{x>0} a/(b+x-1) (α+t_x)^-(r+x)]
    """
    r, alpha, a, b = np.exp(theta)
    n, wx, xu, ix, xr = w.sum(), x.weights(w), x.values, x.codes, x.per_row
    rep_u = xu > 0
    b1 = np.where(rep_u, b + xu - 1, 1.0)
    log_a_b1 = np.where(rep_u, np.log(a) - np.log(b1), -np.inf)[ix]
    l_T, l_tx = np.log(alpha + T.values)[T.codes], np.log(alpha + t_x.values)[t_x.codes]
    rx = r + xr
    u, v = -rx * l_T, log_a_b1 - rx * l_tx
    log_d = np.logaddexp(u, v)
    pi = np.exp(v - log_d)  # share of the "dropped out just after the last purchase" term
    ll = wx @ (betaln(a, b + xu) - betaln(a, b) + gammaln(r + xu) - gammaln(r)) + n * r * np.log(alpha) + w @ log_d
    wpi = w * pi
    d_r = wx @ psi(r + xu) - n * psi(r) + n * np.log(alpha) - w @ l_T + wpi @ (l_T - l_tx)
    inv_T, inv_tx = (1 / (alpha + T.values))[T.codes], (1 / (alpha + t_x.values))[t_x.codes]
    d_alpha = n * r / alpha - (w * rx) @ inv_T + (wpi * rx) @ (inv_T - inv_tx)
    d_a = n * psi(a + b) - wx @ psi(a + b + xu) + wpi.sum() / a
    d_b = wx @ (psi(b + xu) - psi(a + b + xu)) + n * (psi(a + b) - psi(b)) - wpi @ (1 / b1)[ix]
    params = np.array([r, alpha, a, b])
    value = -ll / n + penalizer * (params**2).sum()
    grad = -np.array([d_r, d_alpha, d_a, d_b]) / n * params + 2 * penalizer * params**2
    return value, grad, ll


def _distinct(*cols: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """The distinct rows of ``cols``, how often each occurs, and each input row's distinct row."""
    stacked = np.column_stack([np.asarray(c, dtype=float) for c in cols])
    rows, inverse, counts = np.unique(stacked, axis=0, return_inverse=True, return_counts=True)
    return [rows[:, i] for i in range(rows.shape[1])], counts.astype(float), inverse.ravel()


def _newton_polish(fun, theta: np.ndarray, args: tuple, steps: int = 3, h: float = 1e-5) -> np.ndarray:
    """Newton steps with a Hessian from central differences of the analytic gradient, from where BFGS lost
    precision: the optimum to ~1e-12, so that inputs equal to the last bits (sums taken in another order)
    give the same parameters to ~1e-9 and more."""
    for _ in range(steps):
        grad = fun(theta, *args)[1]
        if np.max(np.abs(grad)) < 1e-12:
            break
        eye = np.eye(theta.size) * h
        hess = np.column_stack([(fun(theta + e, *args)[1] - fun(theta - e, *args)[1]) / (2 * h) for e in eye])
        try:
            step = np.linalg.solve((hess + hess.T) / 2, grad)
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(step)) or np.max(np.abs(step)) > 0.1:
            break
        if np.max(np.abs(fun(theta - step, *args)[1])) >= np.max(np.abs(grad)):
            break
        theta = theta - step
    return theta


def _minimise(fun, x0: np.ndarray, args: tuple, what: str) -> np.ndarray:
    """The log parameters minimising ``fun`` (value and gradient), or :class:`FitError`."""
    result = minimize(fun, x0, args=args, jac=True, method="BFGS", options={"gtol": 1e-8, "maxiter": 2000})
    theta, ok, message = result.x, result.success, result.message
    # BFGS reports "precision loss" when the line search cannot improve on an optimum the float sums can no
    # longer resolve: Newton steps finish it; only with a gradient clearly not zero is it searched again
    if not ok and np.all(np.isfinite(result.jac)) and np.max(np.abs(result.jac)) < 1e-5:
        theta, ok = _newton_polish(fun, theta, args), True
    elif not ok:
        polished = minimize(
            lambda th, *a: fun(th, *a)[0],
            theta,
            args=args,
            method="Nelder-Mead",
            options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 20000},
        )
        theta, ok, message = polished.x, polished.success, polished.message
    if not ok or not np.all(np.isfinite(theta)):
        raise FitError("not_converged", f"{what}: {message} (log parameters {np.round(theta, 3)})")
    if np.any(np.abs(theta) > 14):  # a parameter beyond 10^±6 ran off to 0 or infinity: the model does not fit
        raise FitError("at_bound", f"{what}: a parameter at its bound (log parameters {np.round(theta, 3)})")
    return theta


def fit_bgnbd(frequency, recency, T, penalizer: float = 0.0) -> BgNbd:
    """Maximum-likelihood BG/NBD on per-customer (x, t_x, T).

    Parameters
    ----------
    frequency, recency, T
        Repeat periods x, time of the last purchase t_x and age T, in one unit (0 <= x <= t_x <= T).
    penalizer
        L2 penalty on (r, α, a, b) added to the mean negative log-likelihood (0: plain maximum likelihood).

    Raises
    ------
    FitError
        ``invalid_summary`` for impossible histories, ``not_converged`` when the optimiser fails.
    """
    x, t_x, age = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
    bad = ~np.isfinite(x + t_x + age) | (x < 0) | (t_x < 0) | (t_x > age) | ((x == 0) & (t_x > 0))
    if bad.any() or x.size == 0:
        raise FitError("invalid_summary", f"{int(bad.sum())} of {x.size} histories impossible (or none)")
    (xu, tu, Tu), w, _ = _distinct(x, t_x, age)
    cols = (_Column.of(xu), _Column.of(tu), _Column.of(Tu))
    theta = _minimise(lambda th, *a: _bgnbd_terms(th, *a)[:2], np.zeros(4), (*cols, w, penalizer), "BG/NBD")
    r, alpha, a, b = np.exp(theta)
    return BgNbd(r, alpha, a, b, float(_bgnbd_terms(theta, *cols, w, 0.0)[2]))


@dataclass(frozen=True)
class GammaGamma:
    """Fitted Gamma-Gamma: value per transaction ~ Gamma(p, ν), ν ~ Gamma(q, γ) (``v`` = γ)."""

    p: float
    q: float
    v: float
    log_likelihood: float

    def expected_average_profit(self, frequency, monetary_value) -> np.ndarray:
        """E(M | x, m̄) = (γ + m̄x) p / (px + q - 1): the customer's mean shrunk towards the population's."""
        x, m = np.asarray(frequency, dtype=float), np.asarray(monetary_value, dtype=float)
        return (self.v + m * x) * self.p / (self.p * x + self.q - 1)


def _gg_terms(theta: np.ndarray, x: _Column, m: np.ndarray, sums: tuple, penalizer: float):
    """Mean negative log-likelihood of Gamma-Gamma and its gradient in θ = log(p, q - 1, γ).

    f(m̄ | x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q m̄^(px-1) x^(px) / (γ + m̄x)^(px+q); ``sums`` holds the
    parameter-free sums Σ x·ln m̄, Σ ln m̄ and Σ x·ln x.
    """
    p, q1, g = np.exp(theta)
    q = 1 + q1  # q > 1 keeps the population mean γp/(q-1) finite and positive
    xu, xr = x.values, x.per_row
    n, wx = float(xr.size), x.weights(np.ones(xr.size))
    s_xlm, s_lm, s_xlx = sums
    log_gm = np.log(g + m * xr)
    s_l, s_xl = log_gm.sum(), xr @ log_gm
    ll = (
        wx @ (gammaln(p * xu + q) - gammaln(p * xu))
        - n * gammaln(q)
        + n * q * np.log(g)
        + p * s_xlm
        - s_lm
        + p * s_xlx
        - p * s_xl
        - q * s_l
    )
    d_p = wx @ (xu * (psi(p * xu + q) - psi(p * xu))) + s_xlm + s_xlx - s_xl
    d_q = wx @ psi(p * xu + q) - n * psi(q) + n * np.log(g) - s_l
    d_g = n * q / g - ((p * xr + q) / (g + m * xr)).sum()
    params = np.array([p, q, g])
    value = -ll / n + penalizer * (params**2).sum()
    chain = np.array([p, q1, g])  # d(p, q, γ)/dθ
    grad = (-np.array([d_p, d_q, d_g]) / n + 2 * penalizer * params) * chain
    return value, grad, ll


def fit_gamma_gamma(frequency, monetary_value, penalizer: float = 0.0) -> GammaGamma:
    """Maximum-likelihood Gamma-Gamma on repeat customers (x > 0) with their mean value per repeat m̄ > 0.

    The value is fitted in units of its median, so that ``penalizer`` (L2 on p, q and γ) does not depend on
    the currency; γ is scaled back afterwards (the likelihood is scale-equivariant in γ).

    Raises
    ------
    FitError
        ``no_repeat_value`` without a usable customer, ``not_converged`` when the optimiser fails.
    """
    x, m = np.asarray(frequency, dtype=float), np.asarray(monetary_value, dtype=float)
    ok = np.isfinite(x + m) & (x > 0) & (m > 0)
    if not ok.any():
        raise FitError("no_repeat_value", "no customer with a repeat purchase of positive value")
    scale = float(np.median(m[ok]))
    xs, ms = _Column.of(x[ok]), m[ok] / scale
    log_m = np.log(ms)
    args = (xs, ms, (xs.per_row @ log_m, log_m.sum(), xs.per_row @ np.log(xs.per_row)), penalizer)
    theta = _minimise(lambda th, *a: _gg_terms(th, *a)[:2], np.zeros(3), args, "Gamma-Gamma")
    p, q1, g = np.exp(theta)
    ll = float(_gg_terms(theta, *args[:3], 0.0)[2]) - ms.size * np.log(scale)  # the density of m̄, not m̄/scale
    return GammaGamma(p, 1 + q1, g * scale, ll)


def discounted_value(
    bgnbd: BgNbd,
    value,
    frequency,
    recency,
    T,
    months: int,
    monthly_discount: float,
    periods_per_month: float = WEEKS_PER_MONTH,
) -> np.ndarray:
    """CLV = Σ_{k=1..months} value · (E[Y(k·w)] − E[Y((k−1)·w)]) / (1 + d)^k, w periods per month.

    E[Y(t)] = P(alive | x, t_x, T) · g(t; x, T), so the hypergeometric part g is evaluated once per distinct
    (x, T) and month (a few thousand pairs for 10^5 accounts).

    Parameters
    ----------
    bgnbd
        The fitted BG/NBD (periods of the summary, e.g. weeks).
    value
        Value per future purchase per customer (e.g. Gamma-Gamma's expected average profit).
    frequency, recency, T
        The customers' summary, in the unit of ``bgnbd``.
    months, monthly_discount
        Horizon in months and the discount rate per month.
    periods_per_month
        Periods of the summary in a month (weeks: 4.345).
    """
    x, t_x, age = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
    (xu, Tu), _, inverse = _distinct(x, age)
    factor, before = np.zeros(xu.shape), np.zeros(xu.shape)
    for k in range(1, months + 1):
        upto = bgnbd._to_come(k * periods_per_month, xu, Tu)
        factor += (upto - before) / (1 + monthly_discount) ** k
        before = upto
    return np.asarray(value, dtype=float) * factor[inverse] * bgnbd.p_alive(x, t_x, age)
