"""Default analysis parameters (docs/METHODS.md §8) as one frozen, hashable value.

Every stored label carries ``params_hash`` so that a number can be traced back to the settings that made it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True)
class Params:
    """Settings of the scorecard; change with :meth:`with_` (the value is immutable)."""

    window_months: int = 12
    # pyramid (§2.1): share of *all* accounts of the channel tier, by NCP rank among the profitable ones
    pyramid_platinum: float = 0.20
    pyramid_gold: float = 0.50
    pyramid_basis: str = "ncp"  # or "clv"
    # size tiers (§2.2): cumulative shares of accounts by net sales
    size_cuts: tuple[float, float, float] = (0.05, 0.20, 0.50)
    abc_cuts: tuple[float, float] = (0.80, 0.95)
    # ABC frequency rule (docs/methods_key_accounts.md §3): order days below this quantile of the channel → C
    abc_min_days_pct: float = 0.20
    abc_min_group: int = 5  # channels with fewer accounts are not judged on frequency
    key_account_share: float = 0.80
    potential_growth_pct: float = 0.80
    # capability index (docs/methods_key_accounts.md §5), in the order sub-distributors, terminals,
    # portfolio complementarity, loyalty rating, capital, staff
    capability_weights: tuple[float, float, float, float, float, float] = (0.15, 0.20, 0.15, 0.25, 0.15, 0.10)
    potential_capability_min: float = 75.0  # capability index at or above which a growing B account is potential key
    # money (§3)
    financing_rate: float = 0.045
    discount_rate: float = 0.10
    clv_horizon_years: int = 5
    clv_months_bgnbd: int = 12
    min_accounts_bgnbd: int = 300
    rep_cost_per_min: float = 1.0  # RMB/min when a rep has no hourly cost (60 RMB/h)
    service_cost_per_min: float = 1.0
    # loyalty (§4.1) in the order SOW, exclusivity, regularity, tenure, satisfaction, capability index
    # (the sixth: docs/methods_key_accounts.md §5; missing components drop out and the weights renormalise)
    loyalty_weights: tuple[float, float, float, float, float, float] = (0.35, 0.20, 0.15, 0.15, 0.15, 0.10)
    min_survey_responses: int = 1
    hv_pct: float = 0.80
    ll_pct: float = 0.40
    ll_sow: float = 0.60
    ll_regularity: float = 0.50
    hvll_min_tenure: float = 0.5
    hvll_min_orders: int = 4
    churn_days: int = 90
    # diversion (§4.3)
    s1_share: float = 0.05
    s1_min_scans: int = 50  # docs/METHODS.md §4.3: scan data is biased to provinces that scan more
    s2_ratio: float = 1.5
    s2_min_tenure_years: float = 0.5  # METHODS §4.3: S2 is noisy for new distributors (first stock-up)
    s3_ratio: float = 1.2  # sell-in ÷ reported sell-out in a month, net of the month-end stock build
    s3_months: int = 2  # months of the window over s3_ratio
    s4_share: float = 0.35
    s5_checks: int = 1
    s6_growth_pct: float = 0.90  # volume growth vs last year at or above this percentile of the channel ...
    s6_flat: float = 0.05  # ... while outlets served change by at most ±5%
    s6_min_ly_cases: float = 100.0  # S6 is noisy for new distributors: growth needs this much last-year volume
    s6_min_tenure_years: float = 2.0  # ... and this tenure (last year's window wholly traded)
    s7_share: float = 0.10
    diversion_weights: tuple[tuple[str, float], ...] = (
        ("S1", 3),
        ("S2", 1),
        ("S3", 2),
        ("S4", 2),
        ("S5", 3),
        ("S6", 1),
        ("S7", 3),
    )
    diversion_min_signals: int = 2
    # credit (§6.1)
    vat_rate: float = 0.0
    grade_multipliers: tuple[tuple[str, float], ...] = (("A", 1.0), ("B", 0.8), ("C", 0.5), ("D", 0.25), ("E", 0.0))
    # allocation
    allocation_weights: tuple[float, float, float] = (0.4, 0.3, 0.3)  # loyalty, sales, profit
    visit_cadence_days: tuple[tuple[str, int], ...] = (("platinum", 7), ("gold", 14), ("iron", 30), ("lead", 60))

    def with_(self, **changes) -> Params:
        """A copy with some settings changed."""
        return replace(self, **changes)

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def params_hash(self) -> str:
        """A stable 12-hex-digit hash of every setting (same settings → same hash, across runs)."""
        text = json.dumps(self.to_dict(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


DEFAULT_PARAMS = Params()
