"""The six capabilities of the profile card (资料卡) as one capability index per account (docs/methods_key_accounts.md §5).

The index feeds the potential-key flag (:func:`kam_core.analytics.tiers.flag_potential_key`) and is the sixth
component of the loyalty score (:mod:`kam_core.analytics.loyalty`). Accounts without an assessment get no
index (NaN): they are neutral, neither helped nor hurt.
"""

from __future__ import annotations

import pandas as pd

# the profile card's six capabilities, in the order of Params.capability_weights
CAPABILITIES = ("sub_distributors", "terminals", "portfolio_complementarity", "loyalty_rating", "capital_rmb", "staff")


def compute_capability_index(df: pd.DataFrame, weights: tuple[float, ...], group: str = "channel") -> pd.DataFrame:
    """Capability index 0-100 = weighted mean of within-group percentile ranks of the observed capabilities.

    C_i = 100 × Σ_k w_k pr_k(i) ÷ Σ_k w_k·[k observed for i]; pr_k is the percentile rank (0-1], ties
    averaged) of capability k among the accounts of the group that have it. An account with none of the six
    has no index (NaN) and ``capabilities_observed`` 0.

    Parameters
    ----------
    df
        Needs ``group`` and the ``cap_<name>`` columns of :func:`kam_core.queries.capability.fetch_capabilities`
        (missing columns count as not observed).
    weights
        One weight per capability, in the order of :data:`CAPABILITIES`.

    Examples
    --------
    >>> df = pd.DataFrame({"channel": ["DIST"] * 2, "cap_terminals": [10.0, 30.0], "cap_staff": [5.0, None]})
    >>> out = compute_capability_index(df, (0, 1, 0, 0, 0, 1))
    >>> out["capability_score"].tolist(), out["capabilities_observed"].tolist()
    ([75.0, 100.0], [2, 1])
    """
    if len(weights) != len(CAPABILITIES):
        raise ValueError(f"capability weights need {len(CAPABILITIES)} values, got {len(weights)}")
    num = pd.Series(0.0, index=df.index)
    den = pd.Series(0.0, index=df.index)
    seen = pd.Series(0, index=df.index)
    for name, w in zip(CAPABILITIES, weights, strict=True):
        col = f"cap_{name}"
        if col not in df:
            continue
        pr = pd.to_numeric(df[col], errors="coerce").groupby(df[group]).rank(pct=True, method="average")
        num += pr.fillna(0) * w
        den += pr.notna() * float(w)
        seen += pr.notna().astype(int)
    return pd.DataFrame(
        {"capability_score": (100 * num / den.where(den > 0)).round(1), "capabilities_observed": seen},
        index=df.index,
    )
