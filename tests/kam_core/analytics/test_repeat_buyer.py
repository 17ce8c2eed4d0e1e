"""BG/NBD and Gamma-Gamma fitted on scipy reproduce the published CDNOW estimates (tests/data/README.md)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kam_core.analytics.repeat_buyer import BgNbd, FitError, discounted_value, fit_bgnbd, fit_gamma_gamma

DATA = Path(__file__).parents[2] / "data"


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return pd.read_csv(DATA / "cdnow_customers_summary.csv")


@pytest.fixture(scope="module")
def bgnbd(cdnow) -> BgNbd:
    return fit_bgnbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])


def _hyp2f1_series(a: float, b: float, c: float, z: float) -> float:
    """Gauss' hypergeometric series summed term by term (independent of scipy)."""
    term, total, k = 1.0, 1.0, 0
    while abs(term) > 1e-16 * abs(total):
        term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z
        total += term
        k += 1
    return total


def test_bgnbd_fit_on_cdnow_gives_the_published_parameters(bgnbd):
    published = {"r": 0.2426, "alpha": 4.4135, "a": 0.7929, "b": 2.4258}
    for name, value in published.items():
        assert getattr(bgnbd, name) == pytest.approx(value, rel=1e-3), name
    assert bgnbd.log_likelihood == pytest.approx(-9582.4, abs=0.1)


def test_bgnbd_expected_purchases_of_the_published_example_customer_is_1_226(bgnbd):
    # Fader, Hardie & Lee (2005): x = 2, t_x = 30.43, T = 38.86 -> 1.226 purchases in the next 39 weeks
    assert bgnbd.expected_purchases(39, [2], [30.43], [38.86])[0] == pytest.approx(1.226, abs=5e-4)


def test_p_alive_and_expected_purchases_equal_the_formulas_written_out(bgnbd, cdnow):
    r, alpha, a, b = bgnbd.r, bgnbd.alpha, bgnbd.a, bgnbd.b
    rows = cdnow.iloc[[0, 1, 5, 12, 40, 1000]]
    p = bgnbd.p_alive(rows["frequency"], rows["recency"], rows["T"])
    e = bgnbd.expected_purchases(52, rows["frequency"], rows["recency"], rows["T"])
    for i, (x, tx, T) in enumerate(rows[["frequency", "recency", "T"]].itertuples(index=False)):
        odds = a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x) if x > 0 else 0.0
        assert p[i] == pytest.approx(1 / (1 + odds), rel=1e-12)
        f = _hyp2f1_series(r + x, b + x, a + b + x - 1, 52 / (alpha + T + 52))
        num = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + 52)) ** (r + x) * f)
        assert e[i] == pytest.approx(num / (1 + odds), rel=1e-9)
    assert (p[rows["frequency"].to_numpy() == 0] == 1).all()


def test_gamma_gamma_fit_on_cdnow_gives_the_published_parameters():
    df = pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")
    rep = df[df["x"] > 0]
    gg = fit_gamma_gamma(rep["x"], rep["zbar"])
    assert len(rep) == 946
    assert gg.p == pytest.approx(6.25, abs=0.005) and gg.q == pytest.approx(3.74, abs=0.005)
    assert gg.v == pytest.approx(15.44, rel=1e-3)
    assert gg.log_likelihood == pytest.approx(-4055.9, abs=0.1)
    # E(M) = (q-1)/(px+q-1) · γp/(q-1) + px/(px+q-1) · m̄, the weighted form of the shrinkage
    x, m = rep["x"].to_numpy(), rep["zbar"].to_numpy()
    w = gg.p * x / (gg.p * x + gg.q - 1)
    expected = (1 - w) * gg.v * gg.p / (gg.q - 1) + w * m
    assert gg.expected_average_profit(x, m) == pytest.approx(expected, rel=1e-12)


def test_gamma_gamma_does_not_depend_on_the_currency_unit():
    rng = np.random.default_rng(3)
    x = rng.integers(1, 20, 500)
    m = rng.gamma(rng.gamma(4.0, 1.0, 500) * x, 1.0 / x) * 12
    yuan, fen = fit_gamma_gamma(x, m, penalizer=0.001), fit_gamma_gamma(x, m * 100, penalizer=0.001)
    assert (fen.p, fen.q, fen.v / 100) == pytest.approx((yuan.p, yuan.q, yuan.v), rel=1e-5)


def test_discounted_value_sums_the_monthly_increments_of_expected_purchases(bgnbd, cdnow):
    rows = cdnow.iloc[:30]
    x, tx, T = rows["frequency"], rows["recency"], rows["T"]
    value = np.linspace(10, 40, 30)
    ours = discounted_value(bgnbd, value, x, tx, T, months=12, monthly_discount=0.01)
    expected = np.zeros(30)
    for k in range(1, 13):
        step = bgnbd.expected_purchases(k * 4.345, x, tx, T) - bgnbd.expected_purchases((k - 1) * 4.345, x, tx, T)
        expected += value * step / 1.01**k
    assert ours == pytest.approx(expected, rel=1e-12)
    assert math.isclose(discounted_value(bgnbd, [1.0], [0], [0], [0], 0, 0.01)[0], 0.0)


@pytest.mark.parametrize(
    ("x", "tx", "T"),
    [([0, 1], [2.0, 3.0], [5.0, 5.0]), ([1, 1], [6.0, 3.0], [5.0, 5.0]), ([1, np.nan], [1.0, 1.0], [5.0, 5.0])],
    ids=["recency_without_repeat", "recency_after_age", "missing"],
)
def test_bgnbd_refuses_impossible_histories_with_a_reason(x, tx, T):
    with pytest.raises(FitError, match="invalid_summary") as err:
        fit_bgnbd(x, tx, T)
    assert err.value.reason == "invalid_summary"


def test_gamma_gamma_without_a_repeat_buyer_of_positive_value_says_so():
    with pytest.raises(FitError) as err:
        fit_gamma_gamma([0, 2], [5.0, -1.0])
    assert err.value.reason == "no_repeat_value"


def test_gamma_gamma_whose_q_runs_to_one_is_refused_as_at_its_bound():
    # a heavy-tailed spread of values per order between customers: the maximum likelihood has q -> 1, where
    # the population's mean value per order is infinite
    rng = np.random.default_rng(0)
    x = rng.integers(1, 50, 400)
    with pytest.raises(FitError) as err:
        fit_gamma_gamma(x, rng.lognormal(5, 1.5, 400))
    assert err.value.reason == "at_bound"
