"""Volume response to incentives (docs/METHODS.md §5.3): elasticity, threshold chasing, cannibalisation.

``response = "none"`` keeps every account at its baseline (or ``volumes`` override).
``response = "elastic"`` applies, in this order:

1. **Elasticity.** ``Q = B · (P_net / P)^ε`` where ``P_net = P − v`` and ``v`` is the value per
   case of the incentives the account expects (per-case money, prizes, free goods, and the
   effective rate of tiered rebates at its baseline volume). ε depends on the channel and is
   scaled by the account's Rackham value type: intrinsic (price-driven) accounts respond more.
   Defaults: the brand-level elasticity −2.62 (Bijmolt et al. 2005) times the 65 % long-run
   pass-through (Pauwels 2007) ≈ −1.7 for KA; less for distributors, whose deal response is
   mostly timing, which step 2 models separately; on-premise menus are sticky.
2. **Threshold chasing.** An account that ends up within ``chase_window`` (15 %) below the next
   cliff of a retroactive, threshold or growth rebate buys up to it with probability
   ``chase_prob`` (0.7). The extra cases are *pull-forward*: borrowed from the next period,
   which dips by the same amount. The plain run uses the most likely outcome (chase, since
   0.7 > 0.5); the Monte Carlo draws it per account.
3. **Cannibalisation.** A share (25 %) of the elastic lift comes from our own other SKUs or
   other accounts in the same chain; it is not incremental to us.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

# brand-level promotional response at the account's purchase price (see module docstring)
DEFAULT_ELASTICITY = {"DIST": -1.0, "WHS2": -1.2, "KA": -1.7, "RETAIL": -1.5, "ONPREM": -0.8}
VALUE_TYPE_MULTIPLIER = {"intrinsic": 1.5, "extrinsic": 0.75, "strategic": 0.5}

# assumption key → (lowest, highest) accepted value; "elasticity" is a mapping channel → ε ≤ 0
ASSUMPTION_KEYS = {
    "elasticity": (-20.0, 0.0),
    "intrinsic_multiplier": (0.0, 10.0),
    "extrinsic_multiplier": (0.0, 10.0),
    "strategic_multiplier": (0.0, 10.0),
    "elasticity_cv": (0.0, 2.0),
    "baseline_cv": (0.0, 2.0),
    "chase_window": (0.0, 1.0),
    "chase_prob": (0.0, 1.0),
    "cannibalisation": (0.0, 1.0),
    "max_lift": (0.0, 10.0),
    "redemption_n_eff": (1.0, 1e6),
    "win_rate_n_eff": (1.0, 1e9),
}


@dataclass(frozen=True)
class ResponseParams:
    """Assumptions of the response and uncertainty model; every one can be overridden per scenario.

    ``elasticity_cv`` is the relative standard deviation of ε (a parameter, so one draw per
    Monte Carlo iteration); ``baseline_cv`` the default relative noise of an account's baseline
    when its own history cannot estimate one; ``max_lift`` caps the elastic lift (+100 %).
    Redemption rates are Beta with ``redemption_n_eff`` = 50 (docs/METHODS.md §8); win rates are
    printed on the caps, so their realised share is far tighter (``win_rate_n_eff``).
    """

    elasticity: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_ELASTICITY))
    intrinsic_multiplier: float = VALUE_TYPE_MULTIPLIER["intrinsic"]
    extrinsic_multiplier: float = VALUE_TYPE_MULTIPLIER["extrinsic"]
    strategic_multiplier: float = VALUE_TYPE_MULTIPLIER["strategic"]
    elasticity_cv: float = 0.3
    baseline_cv: float = 0.15
    chase_window: float = 0.15
    chase_prob: float = 0.7
    cannibalisation: float = 0.25
    max_lift: float = 1.0
    redemption_n_eff: float = 50.0
    win_rate_n_eff: float = 5000.0

    @classmethod
    def from_assumptions(cls, assumptions: Mapping | None) -> ResponseParams:
        a = dict(assumptions or {})
        elasticity = {**DEFAULT_ELASTICITY, **{k: float(v) for k, v in a.pop("elasticity", {}).items()}}
        return cls(elasticity=elasticity, **{k: float(v) for k, v in a.items()})

    def account_elasticity(self, channels, value_types) -> np.ndarray:
        """Central ε per account: the channel's, times the value-type multiplier (1 when untyped)."""
        base = np.array([self.elasticity.get(str(c), -1.0) for c in channels], dtype=float)
        mult = {
            "intrinsic": self.intrinsic_multiplier,
            "extrinsic": self.extrinsic_multiplier,
            "strategic": self.strategic_multiplier,
        }
        return base * np.array([mult.get(v, 1.0) for v in value_types], dtype=float)


def elastic_volume(baseline, price, incentive_per_case, elasticity, max_lift: float = 1.0):
    """``Q = B · (P_net/P)^ε``, with the net price kept ≥ 20 % of list and the lift capped.

    Never lowers volume: an incentive is ≥ 0, so the price ratio is ≤ 1 and ε ≤ 0.
    """
    baseline = np.asarray(baseline)
    price = np.asarray(price, dtype=baseline.dtype)
    safe = np.where(price > 0, price, 1.0)
    ratio = np.clip((price - incentive_per_case) / safe, 0.2, 1.0)
    lift = np.minimum(ratio**elasticity, 1.0 + max_lift)
    return baseline * lift.astype(baseline.dtype, copy=False)


def chase_threshold(volume, next_cliff, window: float, chase):
    """Buy up to the next cliff when within ``window`` below it and ``chase`` (bool) says so.

    Returns ``(volume_after, pull_forward)``; pull-forward is what the next period loses.
    """
    volume = np.asarray(volume)
    gap = next_cliff - volume
    near = np.isfinite(next_cliff) & (gap > 0) & (gap <= window * next_cliff) & np.asarray(chase, dtype=bool)
    pulled = np.where(near, gap, 0.0).astype(volume.dtype, copy=False)
    return volume + pulled, pulled


def net_incremental(scenario_cases, baseline, pull_forward, cannibalisation: float):
    """Cases that are new to us: the elastic lift less its cannibalised share, less pull-forward.

    Pull-forward cases are bought now and missed next period, so they add nothing over the two.
    """
    lift = scenario_cases - pull_forward - baseline
    return lift * (1.0 - cannibalisation)
