"""The per-tier value-type model (docs/METHODS.md §1.2 steps 1-3, 8): feature scaling, KMeans seeded from the
prototypes with a Hungarian match, the nearest-prototype fallback, and the cheap pieces the bootstrap needs.

Pure numpy/scikit-learn on arrays; :mod:`kam_core.analytics.segmentation` turns it into labelled frames.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning

from kam_core.analytics.prototypes import FEATURES, FLAG_FEATURES, LOG_FEATURES, VALUE_TYPES

METHOD_KMEANS = "kmeans+hungarian"
METHOD_PROTOTYPE = "nearest_prototype"

_LOG_MASK = np.isin(np.array(FEATURES), LOG_FEATURES)
_FLAG_MASK = np.isin(np.array(FEATURES), FLAG_FEATURES)


def adjusted_rand_index(a: np.ndarray, b: np.ndarray) -> float:
    """``sklearn.metrics.adjusted_rand_score`` for small non-negative integer labels, via one bincount."""
    n = len(a)
    if n < 2:
        return 1.0
    k = int(max(a.max(), b.max())) + 1
    table = np.bincount(a * k + b, minlength=k * k).reshape(k, k).astype(float)
    pairs = lambda x: (x * (x - 1) / 2).sum()  # noqa: E731
    both, rows, cols, total = pairs(table), pairs(table.sum(axis=1)), pairs(table.sum(axis=0)), n * (n - 1) / 2
    expected = rows * cols / total
    top = (rows + cols) / 2
    if top == expected:  # one cluster on each side (or all singletons): identical partitions
        return 1.0
    return float((both - expected) / (top - expected))


def _without_nan(col: np.ndarray, nan: np.ndarray) -> np.ndarray:
    """The non-NaN values of a column in the order numpy's nan-functions leave them (``_remove_nan_1d``: the
    last values fill the NaN holes), so an order statistic picks the same element (0.0 vs −0.0 in a tie)."""
    holes = np.flatnonzero(nan)
    tail = col[len(col) - len(holes) :][~nan[len(col) - len(holes) :]]
    out = col[: len(col) - len(holes)].copy()
    out[holes[: len(tail)]] = tail
    return out


def _nan_groups(a: np.ndarray):
    """Columns of ``a`` grouped by their number of NaNs: (columns, their non-NaN values as an (m, k) array)."""
    nan = np.isnan(a)
    counts = nan.sum(axis=0)
    for c in np.unique(counts):
        cols = np.flatnonzero(counts == c)
        values = a[:, cols] if c == 0 else np.column_stack([_without_nan(a[:, j], nan[:, j]) for j in cols.tolist()])
        yield cols, values


def _column_quantiles(a: np.ndarray, q: list[float]) -> np.ndarray:
    """``np.nanquantile(a, q, axis=0)`` for columns with at least one value, one call per NaN count.

    nanquantile applies the 1-D quantile to each column's non-NaN values in a Python loop; a quantile is an
    order statistic (with the same interpolation along any axis), so columns that keep as many values can
    share one vectorised call. The bootstrap fits the scaler 250 times, where that loop dominated.
    """
    if not np.isnan(a).any():
        return np.quantile(a, q, axis=0)
    out = np.empty((len(q), a.shape[1]))
    for cols, values in _nan_groups(a):
        out[:, cols] = np.quantile(values, q, axis=0)
    return out


def _column_medians(a: np.ndarray) -> np.ndarray:
    """``np.nanmedian(a, axis=0)`` for columns with at least one value (see :func:`_column_quantiles`)."""
    if not np.isnan(a).any():
        return np.median(a, axis=0)
    if len(a) < 600:  # numpy's own masked-array path for short columns: keep it as is
        return np.nanmedian(a, axis=0)
    out = np.empty(a.shape[1])
    for cols, values in _nan_groups(a):
        out[cols] = np.median(values, axis=0)
    return out


class ValueFeatureScaler(TransformerMixin, BaseEstimator):
    """Winsorize (p1/p99) → log1p on counts → median-impute → standardise, fitted on one channel tier.

    Equivalent to ``StandardScaler`` (ddof 0, zero variance → scale 1) after the clipping, log and
    imputation steps. A column that is missing for every account is imputed with 0 and ends as z = 0.
    """

    def __init__(self, lower: float = 0.01, upper: float = 0.99):
        self.lower = lower
        self.upper = upper

    def _prepare(self, X) -> np.ndarray:
        a = np.array(X, dtype=float)  # copy: never mutate the caller's data
        a[~np.isfinite(a)] = np.nan
        return a

    def fit(self, X, y=None) -> ValueFeatureScaler:
        a = self._prepare(X)
        p = a.shape[1]
        seen = ~np.isnan(a).all(axis=0)
        self.lower_, self.upper_ = np.full(p, -np.inf), np.full(p, np.inf)
        wins = seen & ~_FLAG_MASK[:p]
        if wins.any():
            q = _column_quantiles(a[:, wins], [self.lower, self.upper])
            self.lower_[wins], self.upper_[wins] = q[0], q[1]
        self.median_ = np.zeros(p)
        filled = self._clip_log(a)
        if seen.any():
            self.median_[seen] = _column_medians(filled[:, seen])
        filled = np.where(np.isnan(filled), self.median_, filled)
        self.mean_ = filled.mean(axis=0) if len(a) else np.zeros(p)
        std = filled.std(axis=0) if len(a) else np.ones(p)
        self.scale_ = np.where(std > 1e-12, std, 1.0)
        self.n_features_in_ = p
        return self

    def _clip_log(self, a: np.ndarray) -> np.ndarray:
        out = np.clip(a, self.lower_, self.upper_)
        logs = _LOG_MASK[: a.shape[1]]
        out[:, logs] = np.log1p(np.maximum(out[:, logs], 0.0))  # counts and ratios are ≥ 0 by definition
        return out

    def transform(self, X) -> np.ndarray:
        filled = self._clip_log(self._prepare(X))
        filled = np.where(np.isnan(filled), self.median_, filled)
        return (filled - self.mean_) / self.scale_

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.array(FEATURES[: self.n_features_in_], dtype=object)


def lloyd_from(z: np.ndarray, init: np.ndarray, max_iter: int = 300, tol: float = 1e-4) -> np.ndarray:
    """Lloyd's k-means from fixed initial centres, as ``KMeans(init=init, n_init=1)`` (same tolerance rule).

    Used for the bootstrap refits: sklearn's per-fit set-up costs more than the fit on 1,000 rows.
    An empty cluster keeps its previous centre.
    """
    centers = np.array(init, dtype=float)
    limit = tol * float(np.mean(np.var(z, axis=0))) if len(z) else 0.0
    for _ in range(max_iter):
        labels = ((z[:, None, :] - centers[None]) ** 2).sum(axis=2).argmin(axis=1)
        onehot = labels[None, :] == np.arange(len(centers))[:, None]
        counts = onehot.sum(axis=1)
        sums = onehot.astype(float) @ z
        new = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], centers)
        shift = float(((new - centers) ** 2).sum())
        centers = new
        if shift <= limit:
            break
    return centers


def fit_centroids(
    z: np.ndarray, protos: np.ndarray, method: str, init: str, random_state: int, fast: bool = False
) -> tuple[np.ndarray, list[str]]:
    """Decision centroids in type order (row t ↔ VALUE_TYPES[t]) and notes (``fast``: numpy Lloyd refit).

    A column without spread in the tier (all missing or constant, so z ≡ 0) carries no information: its
    prototype coordinate is set to 0, so it cannot favour a type by the size of the prototype's entry.
    """
    flat = np.abs(z).max(axis=0) <= 1e-12 if len(z) else np.zeros(protos.shape[1], dtype=bool)
    protos = np.where(flat, 0.0, protos)
    if method == METHOD_PROTOTYPE:
        return protos, []
    notes: list[str] = []
    if fast and init == "prototypes":
        centers = lloyd_from(z, protos)
    else:
        km = (
            KMeans(n_clusters=3, init=protos, n_init=1)
            if init == "prototypes"
            else KMeans(n_clusters=3, n_init=10, random_state=random_state)
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            km.fit(z)
        notes = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
        centers = km.cluster_centers_
    cost = ((centers[:, None, :] - protos[None, :, :]) ** 2).sum(axis=2)
    rows, cols = linear_sum_assignment(cost)
    ordered = np.empty_like(centers)
    ordered[cols] = centers[rows]
    nearest = cost.argmin(axis=1)
    for k, t in zip(rows, cols, strict=True):
        if nearest[k] != t:  # Hungarian forced a cluster onto a type whose prototype it does not resemble
            notes.append(
                f"the cluster typed {VALUE_TYPES[t]} sits nearer the {VALUE_TYPES[nearest[k]]} "
                "prototype: treat it as a tendency"
            )
    return ordered, notes


def _distinct_rows_below_3(z: np.ndarray) -> bool:
    """True when z has fewer than 3 distinct rows (KMeans(k=3) would warn and leave clusters empty); O(n·p)."""
    off0 = (np.abs(z - z[0]) > 1e-9).any(axis=1)
    if not off0.any():
        return True
    off1 = (np.abs(z - z[int(off0.argmax())]) > 1e-9).any(axis=1)
    return not (off0 & off1).any()


def choose_method(z: np.ndarray, min_cluster_n: int) -> tuple[str, list[str]]:
    n = len(z)
    if n < max(min_cluster_n, 3):
        word = "account" if n == 1 else "accounts"
        return METHOD_PROTOTYPE, [f"{n} {word} (< {max(min_cluster_n, 3)}): nearest prototype, no clustering"]
    if _distinct_rows_below_3(z):
        return METHOD_PROTOTYPE, ["fewer than 3 distinct feature profiles: nearest prototype, no clustering"]
    return METHOD_KMEANS, []


def fit_tier_types(
    x: np.ndarray, protos: np.ndarray, method: str, init: str, random_state: int, fast: bool = False
) -> tuple[ValueFeatureScaler, np.ndarray, list[str]]:
    """Fit the per-tier pipeline on raw features x: the scaler, the type-ordered centroids and notes."""
    scaler = ValueFeatureScaler().fit(x)
    centroids, notes = fit_centroids(scaler.transform(x), protos, method, init, random_state, fast)
    return scaler, centroids, notes
