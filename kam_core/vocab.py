"""The codes the whole dashboard speaks in, defined once: channel tiers, value types, pyramid and size tiers,
ABC classes, loyalty components, diversion signals, value-type features, and the colours charts draw them in.

Every other module imports these; none spells the tuples again (``tests/kam_core/test_vocab.py`` checks the
source). Codes are data, never shown: pages and the review pack show their catalogue labels
(``kam_core.i18n.label(kind, code, lang)``). Orders are meaningful: best tier first, the channel tiers from
the top of the distribution chain down.
"""

from __future__ import annotations

# docs/DESIGN.md §4: the scorecard's code columns take exactly these values
CHANNELS: tuple[str, ...] = ("DIST", "WHS2", "KA", "RETAIL", "ONPREM")
VALUE_TYPES: tuple[str, ...] = ("intrinsic", "extrinsic", "strategic")
PYRAMID_TIERS: tuple[str, ...] = ("platinum", "gold", "iron", "lead")
SIZE_TIERS: tuple[str, ...] = ("vip", "major", "ordinary", "small")
ABC_CLASSES: tuple[str, ...] = ("A", "B", "C")
# the channel_tier rows a new database starts from (demo brewer and ERP import): code → name_zh, name_en, level
STANDARD_CHANNEL_TIERS: dict[str, tuple[str, str, int]] = {
    "DIST": ("一批商", "Distributor", 1),
    "WHS2": ("二批商", "Sub-wholesaler", 2),
    "KA": ("KA卖场", "Key account retail", 2),
    "RETAIL": ("小终端", "Small retail", 3),
    "ONPREM": ("餐饮", "On-premise", 3),
}
UNTYPED = "untyped"  # the label kind value_type's word for an account without a type

# docs/METHODS.md §1.2: the value-type features, in the prototypes' column order
VALUE_TYPE_FEATURES: tuple[str, ...] = (
    "promo_share",
    "price_sensitivity",
    "competitor_brands",
    "service_min_per_10k",
    "advice_events",
    "premium_mix",
    "tenure_years",
    "co_invest_ratio",
    "contact_levels",
    "exclusivity",
    "data_sharing",
)
# docs/METHODS.md §4.1-4.2: loyalty components; the first three are shares (written as percentages)
# the sixth, the capability index of the profile card, is docs/methods_key_accounts.md §5
LOYALTY_COMPONENTS: tuple[str, ...] = (
    "sow",
    "exclusivity",
    "regularity",
    "tenure_years",
    "satisfaction",
    "capability_score",
)
SHARE_COMPONENTS: tuple[str, ...] = LOYALTY_COMPONENTS[:3]
# docs/METHODS.md §4.3: the diversion (串货) signals
DIVERSION_SIGNALS: tuple[str, ...] = ("S1", "S2", "S3", "S4", "S5", "S6", "S7")
# Reinartz & Kumar quadrants: high/high, high volume/low loyalty, low volume/high loyalty, low/low
QUADRANTS: tuple[str, ...] = ("true_friends", "butterflies", "barnacles", "strangers")

# One colour per code, the same in every chart (pages and review pack; issue #15)
PYRAMID_COLORS: dict[str, str] = {"platinum": "#7f8c9a", "gold": "#d4a017", "iron": "#5d6d7e", "lead": "#c0392b"}
SIZE_COLORS: dict[str, str] = {"vip": "#1f5fa8", "major": "#5b8fd1", "ordinary": "#9dbde6", "small": "#d5dde8"}
VALUE_TYPE_COLORS: dict[str, str] = {"intrinsic": "#c0392b", "extrinsic": "#2e86c1", "strategic": "#1e8449"}
UNTYPED_COLOR = "#95a5a6"
ABC_COLORS: dict[str, str] = {"A": "#1F5FA8", "B": "#7fa7d6", "C": "#d5dde8"}
FLAGGED_COLOR, OTHERS_COLOR = "#c0392b", "#95a5a6"  # a flagged account (HVLL, diversion) against the rest

# the enumerations above, by the name of the column or label kind that holds them
ENUMERATIONS: dict[str, tuple[str, ...]] = {
    "channel": CHANNELS,
    "value_type": VALUE_TYPES,
    "pyramid_tier": PYRAMID_TIERS,
    "size_tier": SIZE_TIERS,
    "abc_class": ABC_CLASSES,
    "feature": VALUE_TYPE_FEATURES,
    "loyalty_component": LOYALTY_COMPONENTS,
    "diversion_signal": DIVERSION_SIGNALS,
    "quadrant": QUADRANTS,
}
