"""Explanations of a nearest-centroid value type (docs/METHODS.md §1.2 steps 4-6).

For an account with standardised features z, assigned type T and runner-up R (centroids c_T, c_R):
``margin = ||z − c_R||² − ||z − c_T||² = Σ_j Δ_j`` with ``Δ_j = (z_j − c_Rj)² − (z_j − c_Tj)²``.
The Δ_j add up to the margin exactly, so the top positive Δ_j are a faithful reason for the label.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

import numpy as np
import pandas as pd
from scipy.special import softmax
from scipy.stats import rankdata
from sklearn.decomposition import PCA
from sklearn.tree import DecisionTreeClassifier, export_text

from kam_core.analytics.bulk import split_flat
from kam_core.analytics.prototypes import FEATURES, VALUE_TYPES
from kam_core.i18n.reasons import describe_value_type_reasons, value_type_reason_texts

N_REASONS = 3
SURROGATE_MAX_FIT = 10_000


class Membership(TypedDict):
    """What :func:`compute_membership` returns: arrays per account, and the temperature τ."""

    d2: np.ndarray
    assigned: np.ndarray
    runner_up: np.ndarray
    margin: np.ndarray
    proba: np.ndarray
    tau: float


def compute_membership(z: np.ndarray, centroids: np.ndarray) -> Membership:
    """Nearest centroid, runner-up, margin and soft membership ``softmax(−d²/τ)``.

    τ is the median squared distance of the accounts to their own centroid (1 when that is 0, e.g. one
    account sitting on its centroid), so confidence does not depend on the number of features.

    Returns
    -------
    dict with d2 (n, k), assigned (n,), runner_up (n,), margin (n,), proba (n, k) and tau (float).
    """
    d2 = ((z[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    order = np.argsort(d2, axis=1, kind="stable")
    assigned, runner_up = order[:, 0], order[:, 1]
    rows = np.arange(len(z))
    margin = d2[rows, runner_up] - d2[rows, assigned]
    tau = float(np.median(d2[rows, assigned])) if len(z) else 1.0
    if not np.isfinite(tau) or tau <= 1e-12:
        tau = 1.0
    proba = softmax(-d2 / tau, axis=1) if len(z) else np.zeros((0, len(centroids)))
    return Membership(d2=d2, assigned=assigned, runner_up=runner_up, margin=margin, proba=proba, tau=tau)


def decompose_margin(z: np.ndarray, centroids: np.ndarray, assigned: np.ndarray, runner_up: np.ndarray) -> np.ndarray:
    """Per-feature contributions Δ (n, p); each row sums to the account's margin."""
    return (z - centroids[runner_up]) ** 2 - (z - centroids[assigned]) ** 2


def compute_percentiles(values: np.ndarray) -> np.ndarray:
    """Mid-rank percentile (0-100) of each value within its column: ties and a single account give 50."""
    if len(values) == 0:
        return np.zeros_like(values, dtype=float)
    return (rankdata(values, axis=0, method="average") - 0.5) / len(values) * 100.0


def format_reason(item: dict, tier_code: str, lang: str = "en") -> str:
    """One reason item as a short sentence: in English with codes, as the scorecard and the CLI write it
    (docs/METHODS.md §1.2), in another language with catalogue labels (:mod:`kam_core.i18n.reasons` writes both).

    Examples
    --------
    >>> format_reason({"feature": "promo_share", "percentile": 91.0, "z": 1.4, "delta": 2.1,
    ...                "toward": "intrinsic", "imputed": False}, "KA")
    'promo_share at the 91st percentile of KA accounts (z=+1.4) → intrinsic'
    """
    return describe_value_type_reasons([item], lang, tier_code, codes=lang == "en")[0]


def build_reasons(
    delta: np.ndarray, z: np.ndarray, pct: np.ndarray, missing: np.ndarray, assigned: np.ndarray, tier_code: str
) -> tuple[list[list[str]], list[list[dict]]]:
    """Top ``N_REASONS`` positive Δ_j per account, as English sentences and as items for other languages.

    Each sentence equals :func:`format_reason` of its item. Runs for every account (100,000 in the benchmark),
    so the values are prepared with numpy, only for the items kept, and the sentences written over the flat
    arrays by :func:`kam_core.i18n.reasons.value_type_reason_texts`.
    """
    k = min(N_REASONS, delta.shape[1])
    top = np.argsort(-delta, axis=1, kind="stable")[:, :k]
    d_top = np.take_along_axis(delta, top, axis=1)
    keep = d_top > 0  # positives sort first: each account keeps a prefix of its top k
    take = lambda a: np.take_along_axis(a, top, axis=1)[keep]  # noqa: E731
    counts = keep.sum(axis=1)
    # + 0.0 turns −0.0 into 0.0 (np.unique would merge them and "−0.0" reads oddly)
    miss, z2, p1 = take(missing).astype(bool), np.round(take(z), 2) + 0.0, np.round(take(pct), 1)
    feats = np.asarray(FEATURES, dtype=object)[top[keep]].tolist()
    kinds = np.asarray(VALUE_TYPES, dtype=object)[np.repeat(assigned, counts)].tolist()
    miss_l = miss.tolist()
    text = value_type_reason_texts(feats, p1, z2, kinds, miss, tier_code, "en", codes=True)  # the CLI's words
    items = [
        {"feature": f, "percentile": None if m else pp, "z": zz, "delta": d, "toward": t, "imputed": m}
        for f, pp, zz, d, t, m in zip(
            feats, p1.tolist(), z2.tolist(), np.round(d_top[keep], 3).tolist(), kinds, miss_l, strict=True
        )
    ]
    return split_flat(text, counts), split_flat(items, counts)


def fit_surrogate_tree(
    z: np.ndarray, assigned: np.ndarray, random_state: int = 0, max_fit: int = SURROGATE_MAX_FIT
) -> tuple[str, float]:
    """A depth-3 decision tree on z → types: its rules as text and its fidelity (accuracy vs the types).

    ``assigned`` holds type indices (into VALUE_TYPES). A tier larger than ``max_fit`` fits the tree on a
    seeded sample (a depth-3 tree needs no more), and fidelity is always measured on every account.
    """
    if len(z) == 0:
        return "", float("nan")
    present = np.flatnonzero(np.bincount(assigned, minlength=len(VALUE_TYPES)))
    if len(present) == 1:  # export_text would print a class index, not its name
        return f"|--- class: {VALUE_TYPES[present[0]]}\n", 1.0
    fit = (
        np.sort(np.random.default_rng(random_state).choice(len(z), size=max_fit, replace=False))
        if len(z) > max_fit
        else slice(None)
    )
    tree = DecisionTreeClassifier(max_depth=3, random_state=random_state).fit(z[fit], assigned[fit])
    text = export_text(
        tree, feature_names=list(FEATURES), class_names=[VALUE_TYPES[c] for c in tree.classes_], decimals=2
    )
    return text, float((tree.predict(z) == assigned).mean())


def compute_centroid_profile(
    tier_code: str, z: np.ndarray, assigned: np.ndarray, centroids: np.ndarray, prototypes: np.ndarray
) -> list[dict]:
    """Long rows tier × type × feature: the typing centroid, the mean z of the type's accounts, the prototype."""
    rows = []
    for t, kind in enumerate(VALUE_TYPES):
        members = z[assigned == t]
        means = members.mean(axis=0) if len(members) else np.full(z.shape[1], np.nan)
        for j, f in enumerate(FEATURES):
            rows.append(
                {
                    "tier_code": tier_code,
                    "value_type": kind,
                    "feature": f,
                    "centroid_z": float(centroids[t, j]),
                    "mean_z": float(means[j]),
                    "prototype_z": float(prototypes[t, j]),
                    "n": int(len(members)),
                }
            )
    return rows


@dataclass(frozen=True, eq=False)
class TypeMap:
    """Accounts, prototypes and typing centroids projected on the first two principal components of z."""

    points: pd.DataFrame  # account_id, tier_code, value_type, value_type_confidence, low_confidence, pc1, pc2
    prototypes: pd.DataFrame  # value_type, pc1, pc2
    centroids: pd.DataFrame  # tier_code, value_type, pc1, pc2 (the centroids used for typing)
    explained: tuple[float, float]  # share of z-variance on each axis


def compute_type_map(
    z: pd.DataFrame,
    labels: pd.DataFrame,
    prototypes: np.ndarray,
    centroids: pd.DataFrame | None = None,
    tier_code: str | None = None,
    max_points: int = 5000,
    random_state: int = 0,
) -> TypeMap:
    """PCA (2-D) of the standardised features for a type map, with the prototypes in the same plane.

    Parameters
    ----------
    z, labels, centroids : the ``z``, ``labels`` and ``centroids`` of a ``ValueTypeResult``.
    prototypes : (3, p) array of the prototypes used.
    tier_code : only this channel tier (None: all tiers; each is standardised within itself).
    max_points : accounts plotted at most (a reproducible sample; the PCA uses every account).
    """
    lab = labels if tier_code is None else labels[labels["tier_code"] == tier_code]
    zz = z.reindex(lab["account_id"]).to_numpy(dtype=float)
    keep = ["account_id", "tier_code", "value_type", "value_type_confidence", "low_confidence"]
    empty = pd.DataFrame(columns=[*keep, "pc1", "pc2"])
    if len(zz) < 2 or zz.var(axis=0).sum() <= 1e-12:  # no spread: nothing to project
        return TypeMap(
            empty,
            pd.DataFrame(columns=["value_type", "pc1", "pc2"]),
            pd.DataFrame(columns=["tier_code", "value_type", "pc1", "pc2"]),
            (float("nan"),) * 2,
        )
    pca = PCA(n_components=2, svd_solver="full").fit(zz)
    points = lab[keep].reset_index(drop=True).assign(**dict(zip(("pc1", "pc2"), pca.transform(zz).T, strict=True)))
    if len(points) > max_points:
        rng = np.random.default_rng(random_state)
        points = points.iloc[np.sort(rng.choice(len(points), size=max_points, replace=False))].reset_index(drop=True)
    proto_xy = pca.transform(prototypes)
    protos = pd.DataFrame({"value_type": list(VALUE_TYPES), "pc1": proto_xy[:, 0], "pc2": proto_xy[:, 1]})
    cent = pd.DataFrame(columns=["tier_code", "value_type", "pc1", "pc2"])
    if centroids is not None and len(centroids):
        part = centroids if tier_code is None else centroids[centroids["tier_code"] == tier_code]
        wide = part.pivot_table(index=["tier_code", "value_type"], columns="feature", values="centroid_z")
        if len(wide):
            xy = pca.transform(wide[list(FEATURES)].to_numpy())
            cent = wide.index.to_frame(index=False).assign(pc1=xy[:, 0], pc2=xy[:, 1])
    ratio = pca.explained_variance_ratio_
    return TypeMap(points, protos, cent, (float(ratio[0]), float(ratio[1])))
