"""The value-type scaler's column statistics equal numpy's nan-functions bit for bit."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from kam_core.analytics.value_model import _column_medians, _column_quantiles


def _columns(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = np.round(rng.normal(size=(n, 8)) * 10.0 ** rng.integers(-2, 3, 8), 1)
    a[:, 0] *= 0.0  # 0.0 and −0.0 ties: which one is picked depends on the order of the values
    a[:, 1] = rng.integers(0, 3, n)
    for j in range(2, 8):
        a[rng.random(n) < rng.uniform(0, 0.9), j] = np.nan
    a[rng.random(n) < 0.2, 0] = np.nan
    a[:, 7] = np.where(np.isnan(a[:, 6]), np.nan, a[:, 7])  # two columns with the same missing rows
    return a


@pytest.mark.parametrize("n", [1, 7, 599, 600, 1000, 3001], ids=lambda n: f"{n}_rows")
def test_column_quantiles_and_medians_equal_numpys_nan_functions_bit_for_bit(n):
    for seed in range(15):
        a = _columns(n, seed)
        a = a[:, ~np.isnan(a).all(axis=0)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            quantiles, medians = np.nanquantile(a, [0.01, 0.99], axis=0), np.nanmedian(a, axis=0)
        assert _column_quantiles(a, [0.01, 0.99]).tobytes() == quantiles.tobytes()
        assert _column_medians(a).tobytes() == medians.tobytes()


def test_columns_without_missing_values_use_one_call():
    a = np.arange(20.0).reshape(10, 2)
    assert _column_quantiles(a, [0.5]).tolist() == [[9.0, 10.0]]
    assert _column_medians(a).tolist() == [9.0, 10.0]
