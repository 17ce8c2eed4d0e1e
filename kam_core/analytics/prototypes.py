"""Rackham value-type definitions (docs/METHODS.md §1.2): the features, the versioned prototypes and their words.

The prototypes are a business assumption (a 3 × 11 matrix in within-tier z-units). They are data, versioned,
and shown in the dashboard's "typing rules" view, in English and Chinese.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kam_core.vocab import VALUE_TYPE_FEATURES as FEATURES
from kam_core.vocab import VALUE_TYPES

# counts and money ratios are right-skewed: log1p before standardising (METHODS §1.2)
LOG_FEATURES: tuple[str, ...] = (
    "competitor_brands",
    "service_min_per_10k",
    "advice_events",
    "contact_levels",
    "tenure_years",
)
# 0/1 flags are not winsorized: clipping at p1/p99 would erase a flag that only a few accounts have
FLAG_FEATURES: tuple[str, ...] = ("data_sharing",)


_DEFAULT_MATRIX = (
    # promo, price, compet, service, advice, premium, tenure, co_inv, contact, excl, data
    (+1.0, +1.0, +0.7, -1.0, -0.8, -0.8, -0.5, -0.8, -0.7, -0.7, -0.5),  # intrinsic
    (-0.3, -0.3, 0.0, +1.2, +1.2, +1.0, 0.0, 0.0, +0.2, 0.0, 0.0),  # extrinsic
    (-0.6, -0.6, -1.0, +0.3, +0.3, +0.3, +1.2, +1.3, +1.2, +1.1, +1.0),  # strategic
)
_RULES_EN = (
    "Buys on price: a high share of cases on promotion or at the floor price, volume that reacts to price, "
    "many competing brands, little use of our service time. Serve it cheaply and transactionally.",
    "Values advice and how the product is used: many service minutes per ¥10k, training and consulting events, "
    "a premium-rich mix. Sell consultatively.",
    "Partners with us: long tenure, co-investment, contacts at several levels, a high share of its beer volume, "
    "shared data or a joint business plan, few competing brands. Sell as an enterprise partnership.",
)
_RULES_ZH = (
    "看重价格：促销或底价进货占比高，进货量随价格波动，经营多个竞品品牌，很少占用我方服务时间。宜低成本、交易型服务。",
    "看重使用价值与专业建议：每万元销售的服务分钟多，培训/咨询活动多，高端产品占比高。宜顾问式销售。",
    "与我方战略合作：合作年限长，共同投入，多层级联系，我方份额高，共享数据或有联合业务计划，竞品少。宜企业级合作销售。",
)


@dataclass(frozen=True)
class Prototypes:
    """A versioned 3 × p prototype matrix in within-tier z-units, with plain-words rules per type.

    Parameters
    ----------
    version : str
        Stored with every label so a type can be traced to the definition that produced it.
    matrix : tuple of tuples
        One row per type in ``types`` order, one column per feature in ``features`` order.
    rules_en, rules_zh : tuple of str
        One sentence per type for the "typing rules" view.
    """

    version: str
    matrix: tuple[tuple[float, ...], ...]
    rules_en: tuple[str, ...]
    rules_zh: tuple[str, ...]
    features: tuple[str, ...] = FEATURES
    types: tuple[str, ...] = VALUE_TYPES

    def __post_init__(self) -> None:
        arr = np.asarray(self.matrix, dtype=float)
        if arr.shape != (len(self.types), len(self.features)):
            raise ValueError(
                f"Prototypes {self.version}: matrix has shape {arr.shape}, "
                f"expected {(len(self.types), len(self.features))} (types × features)"
            )
        if not np.isfinite(arr).all():
            raise ValueError(f"Prototypes {self.version}: matrix has missing or infinite entries")
        if tuple(self.types) != VALUE_TYPES or tuple(self.features) != FEATURES:
            raise ValueError(f"Prototypes {self.version}: types must be {VALUE_TYPES} and features {FEATURES}")
        if len(self.rules_en) != len(self.types) or len(self.rules_zh) != len(self.types):
            raise ValueError(f"Prototypes {self.version}: need one English and one Chinese rule per type")

    def as_array(self) -> np.ndarray:
        """The matrix as a (3, p) float array (a fresh copy)."""
        return np.array(self.matrix, dtype=float)

    def as_frame(self) -> pd.DataFrame:
        """The matrix as a DataFrame: index = value type, columns = features."""
        return pd.DataFrame(self.as_array(), index=pd.Index(self.types, name="value_type"), columns=list(self.features))

    def rules(self, lang: str = "en") -> dict[str, str]:
        """Plain-words rule per type in ``lang`` ('en' or 'zh')."""
        if lang not in ("en", "zh"):
            raise ValueError(f"Unknown language {lang!r}; use 'en' or 'zh'")
        return dict(zip(self.types, self.rules_en if lang == "en" else self.rules_zh, strict=True))

    def to_dict(self) -> dict:
        return {
            "version": self.version,
            "features": list(self.features),
            "types": list(self.types),
            "matrix": [list(map(float, row)) for row in self.matrix],
        }

    @property
    def digest(self) -> str:
        """12 hex digits identifying the version and the numbers (rules' wording excluded)."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:12]


DEFAULT_PROTOTYPES = Prototypes(version="2026.1", matrix=_DEFAULT_MATRIX, rules_en=_RULES_EN, rules_zh=_RULES_ZH)


def simulate_value_features(
    n_accounts: int,
    tiers: tuple[str, ...] = ("KA",),
    noise: float = 0.6,
    mix: tuple[float, float, float] = (0.45, 0.35, 0.20),
    seed: int = 0,
    prototypes: Prototypes = DEFAULT_PROTOTYPES,
) -> tuple[pd.DataFrame, pd.Series]:
    """Synthetic features with a known type: prototype z-score + Gaussian noise, mapped to raw units.

    Used by tests and the benchmark (METHODS §1.2 check). Log features become log-normal counts/ratios, the
    data-sharing flag is 1 when its latent score is above 0.5, each tier gets its own scale (so within-tier
    standardisation matters).

    Returns
    -------
    (features, truth) : DataFrame with account_id, tier_code and FEATURES; Series of value types by account_id.
    """
    rng = np.random.default_rng(seed)
    types = rng.choice(len(VALUE_TYPES), size=n_accounts, p=np.asarray(mix) / np.sum(mix))
    z = prototypes.as_array()[types] + rng.normal(0.0, noise, size=(n_accounts, len(FEATURES)))
    tier_idx = rng.integers(0, len(tiers), size=n_accounts)
    scale = 1.0 + tier_idx[:, None] * 0.5  # tiers differ in level and spread
    raw = pd.DataFrame(index=range(n_accounts))
    for j, f in enumerate(FEATURES):
        zj = z[:, j] * 0.5 * scale[:, 0] + tier_idx
        if f in LOG_FEATURES:
            raw[f] = np.expm1(np.maximum(zj + 2.0, 0.0))
        elif f in FLAG_FEATURES:
            raw[f] = (z[:, j] > 0.5).astype(float)
        else:
            raw[f] = 0.3 + 0.1 * zj
    ids = [f"A{i:06d}" for i in range(n_accounts)]
    raw.insert(0, "tier_code", np.asarray(tiers, dtype=object)[tier_idx])
    raw.insert(0, "account_id", ids)
    truth = pd.Series(
        np.asarray(VALUE_TYPES, dtype=object)[types], index=pd.Index(ids, name="account_id"), name="value_type"
    )
    return raw, truth
