"""Rackham value types (docs/METHODS.md §1.2): theory-anchored clustering, prototype labelling, exact reasons.

Per channel tier: winsorize p1/p99 → log1p on counts → impute the tier median (missing flags kept) →
standardise → KMeans(k=3) seeded from the prototypes → Hungarian match of centroids to prototypes → nearest
centroid type, soft membership and the exact distance-margin decomposition as reasons. Confidence is the
membership shrunk toward 1/3 by the share of features that are evidence (observed and varying in the tier):
``1/3 + (p_max − 1/3) × evidence_share``; below half the features the account is not typed (``value_type``
None, ``status`` insufficient_evidence). See :mod:`kam_core.analytics.evidence` and
docs/methods_value_type_evidence.md. Tiers with fewer than
``min_cluster_n`` accounts skip KMeans and use the prototypes as centroids (same explanation formula).

:func:`label_value_types` types exactly the rows it is given, standardising within each tier *among those rows*.
The caller chooses the population: the scorecard passes the key accounts (A class by net sales per tier), so
"91st percentile of KA accounts" means among the KA key accounts.
"""

from __future__ import annotations

import hashlib
import json
import warnings
import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import davies_bouldin_score, silhouette_score

from kam_core.analytics.bulk import collector_paused
from kam_core.analytics.evidence import INSUFFICIENT, adjust_confidence, compute_evidence_share, type_status
from kam_core.analytics.explain import (
    build_reasons,
    compute_centroid_profile,
    compute_membership,
    compute_percentiles,
    decompose_margin,
    fit_surrogate_tree,
)
from kam_core.analytics.prototypes import DEFAULT_PROTOTYPES, FEATURES, VALUE_TYPES, Prototypes
from kam_core.analytics.value_model import (
    METHOD_KMEANS,
    METHOD_PROTOTYPE,
    ValueFeatureScaler,
    adjusted_rand_index,
    choose_method,
    fit_centroids,
    fit_tier_types,
)

__all__ = [
    "FEATURES",
    "VALUE_TYPES",
    "DEFAULT_PROTOTYPES",
    "LABEL_COLUMNS",
    "METHOD_KMEANS",
    "METHOD_PROTOTYPE",
    "Prototypes",
    "ValueFeatureScaler",
    "ValueTypeResult",
    "label_value_types",
    "label_with_hysteresis",
    "summarise_type_changes",
]

LOW_CONFIDENCE = 0.6
LABEL_COLUMNS = [
    "account_id",
    "tier_code",
    "value_type",
    "value_type_confidence",
    "low_confidence",
    "runner_up",
    "margin",
    "reasons",
    "reason_items",
    "imputed_share",
    "method",
    *(f"p_{t}" for t in VALUE_TYPES),
    "evidence_share",
    "status",
]


@dataclass(frozen=True, eq=False)
class ValueTypeResult:
    """Value types and their evidence.

    Attributes
    ----------
    labels : DataFrame
        One row per account (sorted by account_id): ``LABEL_COLUMNS``.
    per_tier : DataFrame
        One row per channel tier: n, method, silhouette, davies_bouldin, weak_separation, bootstrap_ari,
        n_<type> sizes, notes (tuple of str), surrogate_tree (export_text), surrogate_fidelity, tau.
    centroids : DataFrame
        Long profile tier_code × value_type × feature: centroid_z (used for typing), mean_z (of the accounts of
        that type, NaN when none), prototype_z, n.
    z : DataFrame
        Standardised features per account (index account_id), for the type map.
    prototypes_version, params_hash : str
    """

    labels: pd.DataFrame
    per_tier: pd.DataFrame
    centroids: pd.DataFrame
    z: pd.DataFrame
    prototypes_version: str
    params_hash: str


def _validate(features: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("account_id", "tier_code", *FEATURES) if c not in features.columns]
    if missing:
        raise ValueError(
            f"Required column {missing[0]} missing from the value-type features (missing: {', '.join(missing)})"
        )
    frame = features[["account_id", "tier_code", *FEATURES]].copy()
    dup = frame["account_id"][frame["account_id"].duplicated()]
    if len(dup):
        raise ValueError(f"account_id must be unique in the value-type features; repeated: {list(dup[:5])}")
    for f in FEATURES:
        if isinstance(frame[f].dtype, np.dtype) and frame[f].dtype.kind in "fiub":
            frame[f] = frame[f].astype(float)  # already numeric: the object round trip below gives the same floats
            continue
        try:
            frame[f] = pd.to_numeric(frame[f].astype(object).where(frame[f].notna(), np.nan)).astype(float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"Feature column {f} must be numeric (or empty): {exc}") from None
    return frame.sort_values("account_id", kind="stable").reset_index(drop=True)


def _tier_seed(random_state: int, tier: str) -> np.random.SeedSequence:
    return np.random.SeedSequence([int(random_state) & 0xFFFFFFFF, zlib.crc32(tier.encode())])


def _label_tier(tier: str, frame: pd.DataFrame, protos: np.ndarray, opts: dict) -> tuple[pd.DataFrame, dict]:
    x = frame[list(FEATURES)].to_numpy(dtype=float)
    missing = ~np.isfinite(x)
    scaler = ValueFeatureScaler().fit(x)
    z = scaler.transform(x)
    method, notes = choose_method(z, opts["min_cluster_n"])
    centroids, fit_notes = fit_centroids(z, protos, method, opts["init"], opts["random_state"])
    m = compute_membership(z, centroids)
    delta = decompose_margin(z, centroids, m["assigned"], m["runner_up"])
    reasons, items = build_reasons(delta, z, compute_percentiles(z), missing, m["assigned"], tier)
    types = np.asarray(VALUE_TYPES, dtype=object)
    proba = m["proba"]
    evidence = compute_evidence_share(missing, z)
    confidence = adjust_confidence(proba.max(axis=1), evidence, len(VALUE_TYPES)) if len(z) else np.zeros(0)
    status = type_status(evidence)
    weak = status == INSUFFICIENT  # too little observed evidence: no type, no reasons pointing at one
    out = pd.DataFrame(
        {
            "account_id": frame["account_id"].to_numpy(),
            "tier_code": frame["tier_code"].to_numpy(),
            "value_type": np.where(weak, None, types[m["assigned"]]),
            "value_type_confidence": confidence,
            "low_confidence": weak | (confidence < LOW_CONFIDENCE),
            "runner_up": types[m["runner_up"]],
            "margin": m["margin"],
            "reasons": [[] if w else r for w, r in zip(weak, reasons, strict=True)],
            "reason_items": [[] if w else r for w, r in zip(weak, items, strict=True)],
            "imputed_share": missing.mean(axis=1) if len(z) else [],
            "method": method,
            **{f"p_{t}": proba[:, i] for i, t in enumerate(VALUE_TYPES)},
            "evidence_share": evidence,
            "status": status,
        }
    )
    for j, f in enumerate(FEATURES):
        if len(z) > 1 and missing[:, j].all():
            notes.append(f"{f} missing for every {tier} account: ignored")
        elif len(z) > 1 and np.abs(z[:, j]).max() <= 1e-12:
            notes.append(f"{f} is the same for every {tier} account: ignored")
    diag = _describe_tier(tier, x, z, m["assigned"], method, opts, protos)
    absent = [
        f"no accounts of type {t}" for i, t in enumerate(VALUE_TYPES) if len(z) and not (m["assigned"] == i).any()
    ]
    if bool(np.any(weak)):
        absent.append(f"{int(np.sum(weak))} of {len(z)} {tier} accounts with insufficient evidence: not typed")
    diag.update(tau=m["tau"], notes=tuple(notes + fit_notes + absent), n_insufficient_evidence=int(np.sum(weak)))
    return out, {
        "per_tier": diag,
        "z": z,
        "centroids": compute_centroid_profile(tier, z, m["assigned"], centroids, protos),
    }


def _quality(z: np.ndarray, assigned: np.ndarray, rng: np.random.Generator, sample: int) -> tuple[float, float]:
    """Silhouette (on a sample: it is quadratic in n) and Davies-Bouldin; NaN when undefined."""
    if not 2 <= len(np.unique(assigned)) < len(z):  # both scores need 2 ≤ clusters ≤ n − 1
        return float("nan"), float("nan")
    idx = np.sort(rng.choice(len(z), size=sample, replace=False)) if len(z) > sample else np.arange(len(z))
    sil = (
        float(silhouette_score(z[idx], assigned[idx]))
        if 2 <= len(np.unique(assigned[idx])) < len(idx)
        else float("nan")
    )
    return sil, float(davies_bouldin_score(z, assigned))


def _bootstrap_ari(
    x: np.ndarray, reference: np.ndarray, method: str, opts: dict, rng: np.random.Generator, protos: np.ndarray
) -> float:
    """Mean ARI between the reference types and types from the whole tier pipeline refitted on resamples.

    Each refit sees a resample (with replacement) of at most ``bootstrap_size`` accounts and is scored on one
    fixed subsample of the tier, so 50 refits stay cheap on a tier of 100,000 accounts.
    """
    n, size, b = len(x), min(len(x), opts["bootstrap_size"]), opts["n_bootstrap"]
    if b == 0 or n < 3:
        return float("nan")
    scored = np.sort(rng.choice(n, size=size, replace=False)) if n > size else np.arange(n)
    aris = []
    for _ in range(b):
        idx = rng.choice(n, size=size, replace=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # a resample of few distinct rows is fine
            scaler, centroids, _ = fit_tier_types(x[idx], protos, method, opts["init"], opts["random_state"], fast=True)
        d2 = ((scaler.transform(x[scored])[:, None, :] - centroids[None]) ** 2).sum(axis=2)
        aris.append(adjusted_rand_index(reference[scored], d2.argmin(axis=1)))
    return float(np.mean(aris))


def _describe_tier(
    tier: str, x: np.ndarray, z: np.ndarray, assigned: np.ndarray, method: str, opts: dict, protos: np.ndarray
) -> dict:
    rng = np.random.default_rng(_tier_seed(opts["random_state"], tier))
    sil, dbi = _quality(z, assigned, rng, opts["bootstrap_size"])
    tree, fidelity = fit_surrogate_tree(z, assigned, opts["random_state"])
    return {
        "tier_code": tier,
        "n": len(z),
        "method": method,
        "silhouette": sil,
        "davies_bouldin": dbi,
        "weak_separation": bool(sil < 0.15) if np.isfinite(sil) else True,
        "bootstrap_ari": _bootstrap_ari(x, assigned, method, opts, rng, protos),
        **{f"n_{t}": int((assigned == i).sum()) for i, t in enumerate(VALUE_TYPES)},
        "surrogate_tree": tree,
        "surrogate_fidelity": fidelity,
    }


def _params_hash(prototypes: Prototypes, opts: dict) -> str:
    text = json.dumps({"prototypes": prototypes.digest, **opts}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _empty_labels() -> pd.DataFrame:
    cols = {c: pd.Series(dtype=object) for c in LABEL_COLUMNS}
    for c in ("value_type_confidence", "margin", "imputed_share", *(f"p_{t}" for t in VALUE_TYPES), "evidence_share"):
        cols[c] = pd.Series(dtype=float)
    cols["low_confidence"] = pd.Series(dtype=bool)
    return pd.DataFrame(cols)


def label_value_types(
    features: pd.DataFrame,
    prototypes: Prototypes | None = None,
    random_state: int = 0,
    n_bootstrap: int = 50,
    min_cluster_n: int = 30,
    *,
    init: str = "prototypes",
    bootstrap_size: int = 1000,
) -> ValueTypeResult:
    """Label every given account intrinsic / extrinsic / strategic, with confidence and reasons.

    Parameters
    ----------
    features : DataFrame
        ``account_id`` (unique), ``tier_code`` and the ``FEATURES`` columns (NaN/None/inf = missing, imputed).
        Exactly these rows are typed; pass only the accounts to type (e.g. the key accounts).
    prototypes : Prototypes, optional
        The versioned prototype matrix; ``DEFAULT_PROTOTYPES`` when None.
    random_state : int
        Seeds the bootstrap, the silhouette sample, the surrogate tree and ``init='random'``.
    n_bootstrap : int
        Refits of the per-tier pipeline on resamples for the stability ARI (0 skips it).
    min_cluster_n : int
        Tiers with fewer accounts use the nearest prototype instead of KMeans.
    init : {'prototypes', 'random'}
        KMeans seeded from the prototypes (n_init=1, default: as accurate and more stable under bootstrap) or
        k-means++ with n_init=10.
    bootstrap_size : int
        Each bootstrap refit uses a resample of at most this many accounts and is scored (ARI) on a fixed
        subsample of that size, so the cost does not grow with the tier.

    Returns
    -------
    ValueTypeResult

    Raises
    ------
    ValueError
        A required column is missing, account_id repeats, a feature is not numeric, or a bad option.

    Examples
    --------
    >>> from kam_core.analytics.prototypes import simulate_value_features
    >>> features, truth = simulate_value_features(300, seed=1)
    >>> result = label_value_types(features, n_bootstrap=0)
    >>> bool((result.labels.set_index("account_id")["value_type"] == truth).mean() > 0.95)
    True
    """
    if init not in ("prototypes", "random"):
        raise ValueError(f"init must be 'prototypes' or 'random', not {init!r}")
    if n_bootstrap < 0 or bootstrap_size < 2 or min_cluster_n < 0:
        raise ValueError("n_bootstrap and min_cluster_n must be ≥ 0 and bootstrap_size ≥ 2")
    prototypes = prototypes or DEFAULT_PROTOTYPES
    frame = _validate(features)
    opts = {
        "random_state": int(random_state),
        "n_bootstrap": int(n_bootstrap),
        "min_cluster_n": int(min_cluster_n),
        "init": init,
        "bootstrap_size": int(bootstrap_size),
    }
    protos = prototypes.as_array()
    keys = frame["tier_code"].astype(object).where(frame["tier_code"].notna(), "(none)").astype(str)
    parts, tiers, profiles, zs = [], [], [], []
    with collector_paused():  # two reason lists per account
        for tier, idx in sorted(frame.groupby(keys, sort=False).indices.items()):
            sub = frame.iloc[idx]
            out, diag = _label_tier(tier, sub, protos, opts)
            parts.append(out)
            tiers.append(diag["per_tier"])
            profiles.extend(diag["centroids"])
            zs.append(pd.DataFrame(diag["z"], index=sub["account_id"].to_numpy(), columns=list(FEATURES)))
    labels = (
        pd.concat(parts, ignore_index=True).sort_values("account_id", kind="stable").reset_index(drop=True)
        if parts
        else _empty_labels()
    )
    z = pd.concat(zs).sort_index() if zs else pd.DataFrame(columns=list(FEATURES), dtype=float)
    z.index.name = "account_id"
    return ValueTypeResult(
        labels=labels[LABEL_COLUMNS],
        per_tier=_per_tier_frame(tiers),
        centroids=pd.DataFrame(profiles) if profiles else _empty_profile(),
        z=z,
        prototypes_version=prototypes.version,
        params_hash=_params_hash(prototypes, opts),
    )


def _per_tier_frame(rows: list[dict]) -> pd.DataFrame:
    cols = [
        "tier_code",
        "n",
        "method",
        "silhouette",
        "davies_bouldin",
        "weak_separation",
        "bootstrap_ari",
        *(f"n_{t}" for t in VALUE_TYPES),
        "n_insufficient_evidence",
        "notes",
        "surrogate_tree",
        "surrogate_fidelity",
        "tau",
    ]
    return pd.DataFrame(rows, columns=cols)


def _empty_profile() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "tier_code": pd.Series(dtype=object),
            "value_type": pd.Series(dtype=object),
            "feature": pd.Series(dtype=object),
            "centroid_z": pd.Series(dtype=float),
            "mean_z": pd.Series(dtype=float),
            "prototype_z": pd.Series(dtype=float),
            "n": pd.Series(dtype=int),
        }
    )


def label_with_hysteresis(history: pd.DataFrame, hold: int = 2) -> pd.DataFrame:
    """Hold a value-type change until it persists for ``hold`` consecutive snapshots (METHODS §1.2 step 7).

    Parameters
    ----------
    history : DataFrame
        account_id, as_of and value_type (the raw label of each monthly snapshot; NaN = not typed).
    hold : int
        Consecutive snapshots a new label needs before it replaces the held one (default 2 months).

    Returns
    -------
    DataFrame
        account_id, as_of, value_type_raw, value_type (held) and changed (the held type differs from the
        account's previous snapshot), sorted by account_id and as_of. An account's first snapshot is taken as is;
        a missing raw label never replaces a held type.
    """
    missing = [c for c in ("account_id", "as_of", "value_type") if c not in history.columns]
    if missing:
        raise ValueError(f"Required column {missing[0]} missing from the value-type history")
    if hold < 1:
        raise ValueError(f"hold must be at least 1 snapshot, not {hold}")
    h = history[["account_id", "as_of", "value_type"]].sort_values(["account_id", "as_of"], kind="stable")
    h = h.rename(columns={"value_type": "value_type_raw"}).reset_index(drop=True)
    acct, raw = h["account_id"], h["value_type_raw"].astype(object)
    first = acct.ne(acct.shift())
    run = (first | raw.ne(raw.shift())).cumsum()
    run_len = h.groupby(run).cumcount() + 1
    h["value_type"] = raw.where(first | (run_len >= hold)).groupby(acct).ffill()
    h["changed"] = ~first & h["value_type"].ne(h.groupby(acct)["value_type"].shift())
    return h


def summarise_type_changes(previous: pd.DataFrame, current: pd.DataFrame) -> dict:
    """Share of accounts whose type changed since the last snapshot, with the transition counts.

    Both frames need account_id and value_type; only accounts typed in both are compared.
    """
    both = (
        previous[["account_id", "value_type"]]
        .merge(current[["account_id", "value_type"]], on="account_id", suffixes=("_before", "_now"))
        .dropna()
    )
    table = pd.crosstab(
        pd.Categorical(both["value_type_before"], VALUE_TYPES),
        pd.Categorical(both["value_type_now"], VALUE_TYPES),
        dropna=False,
    )
    table.index.name, table.columns.name = "before", "now"
    changed = both["value_type_before"].ne(both["value_type_now"])
    return {
        "n_compared": len(both),
        "share_changed": float(changed.mean()) if len(both) else float("nan"),
        "transitions": table,
    }
