"""How much observed evidence a value type rests on, and the confidence that follows from it.

A feature is *evidence* for an account when it is observed for that account (not imputed with the tier
median) and it varies within the account's channel tier (a feature that is missing or identical for every
account of the tier has z = 0 for all and cannot pull toward any type). In an orders-only file most
features are imputed or constant (no visits, surveys, contacts, co-investment...), so the softmax membership
alone said 0.97 for types that were arbitrary thirds. See docs/methods_value_type_evidence.md.
"""

from __future__ import annotations

import numpy as np

MIN_EVIDENCE = 0.5  # below this share of evidence features the account gets no type (insufficient evidence)
TYPED, INSUFFICIENT = "typed", "insufficient_evidence"


def informative_features(missing: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Per feature (column): True when it is observed for some account and varies in the tier.

    A single account cannot vary against anyone; its features count as informative when observed (its
    confidence is already 1/3, the uniform membership).
    """
    if len(z) <= 1:
        return np.ones(z.shape[1], dtype=bool)
    return ~missing.all(axis=0) & (np.abs(z).max(axis=0) > 1e-12)


def compute_evidence_share(missing: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Share of the features that are evidence for each account (0-1).

    Parameters
    ----------
    missing : (n, p) bool array, True where the feature was imputed.
    z : (n, p) standardised features of the tier (imputed values included).

    Examples
    --------
    >>> m = np.array([[False, True, False], [False, False, False]])
    >>> z = np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]])  # third feature constant, second only one value
    >>> compute_evidence_share(m, z).tolist()
    [0.3333333333333333, 0.3333333333333333]
    """
    if missing.size == 0:
        return np.zeros(len(missing))
    return (~missing & informative_features(missing, z)[None, :]).mean(axis=1)


def adjust_confidence(p_max: np.ndarray, evidence: np.ndarray, k: int = 3) -> np.ndarray:
    """Confidence = 1/k + (p_max − 1/k) × evidence share.

    With every feature observed and informative this is the softmax membership ``p_max`` unchanged; with no
    evidence it is 1/k, the membership of an account about which nothing is known. In between the distance
    to the uniform membership shrinks in proportion to the share of features that carry evidence.

    Examples
    --------
    >>> adjust_confidence(np.array([0.9, 0.9, 0.9]), np.array([1.0, 0.5, 0.0])).round(4).tolist()
    [0.9, 0.6167, 0.3333]
    """
    base, p, e = 1.0 / k, np.asarray(p_max, dtype=float), np.asarray(evidence, dtype=float)
    return np.where(e >= 1.0, p, base + (p - base) * e)  # full evidence: p_max exactly (no rounding of 1/k)


def type_status(evidence: np.ndarray, minimum: float = MIN_EVIDENCE) -> np.ndarray:
    """``typed`` or ``insufficient_evidence`` (evidence share below ``minimum``) per account."""
    return np.where(np.asarray(evidence, dtype=float) + 1e-12 >= minimum, TYPED, INSUFFICIENT).astype(object)


def evidence_health(scorecard) -> list[dict]:
    """A data-health item when some scored accounts got no value type for lack of evidence."""
    if "value_type_status" not in scorecard or scorecard.empty:
        return []
    n = int(scorecard["value_type_status"].eq(INSUFFICIENT).sum())
    return [{"code": "insufficient_evidence", "n": n, "accounts": len(scorecard), "min": MIN_EVIDENCE}] if n else []
