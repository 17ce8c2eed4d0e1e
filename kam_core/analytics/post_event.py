"""Promotions after the event: difference-in-differences uplift, bootstrap interval, cost and ROI.

Pure maths on one row per account (the SQL is in :mod:`kam_core.queries.post_event`); the method, its
choices and a worked example are in docs/methods_post_event.md.

For an outcome ``y`` (cases, or gross profit before promotion spend) of the promotion's SKUs, account ``a``
and two windows (``before``, ``after``), ``d[a] = y_after[a] − y_before[a]``. Within each stratum ``s``
(channel tier × top-level region) the effect is ``mean(d | participants) − mean(d | controls)``; the
estimate is their average weighted by participants, ``DiD = Σ_s (n_T,s / n_T) · DiD_s``: the average
effect per participating account. Incremental totals are ``n_T · DiD``.

The interval is a percentile bootstrap over accounts: participants and controls are resampled with
replacement within their stratum (the same resample for every outcome, so ratios such as ROI get a
consistent interval).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

DEFAULT_BOOT = 1000
DEFAULT_SEED = 7
DEFAULT_LEVEL = 0.95


@dataclass(frozen=True)
class DidEstimate:
    """Per-participant effect on one outcome, with its bootstrap interval."""

    per_account: float
    ci_low: float
    ci_high: float
    treated_change: float  # weighted mean change of participants
    control_change: float  # weighted mean change of their controls
    n_treated: int
    n_control: int
    draws: np.ndarray = field(repr=False, compare=False, default_factory=lambda: np.zeros(0))

    def total(self) -> tuple[float, float, float]:
        """(estimate, low, high) summed over the participants: ``n_T ×`` the per-account figures."""
        n = self.n_treated
        return self.per_account * n, self.ci_low * n, self.ci_high * n


def build_changes(
    before: pd.DataFrame, after: pd.DataFrame, pool: pd.DataFrame, treated: set[str] | list[str]
) -> pd.DataFrame:
    """One row per account of ``pool``: stratum, treated flag, and ``d_<outcome>`` = after − before.

    ``before`` / ``after`` have ``account_id`` and outcome columns (``cases``, ``gross_profit``, ...);
    ``pool`` has ``account_id``, ``tier_code``, ``region_code``. Only accounts that bought the outcome's
    SKUs in the ``before`` window take part, participants and controls alike: a condition fixed before the
    promotion, so it selects the same kind of account in both arms (new accounts that open during the
    event would otherwise sit almost only among the controls). The promotion is not credited with buyers it
    recruited (docs/methods_post_event.md §2).
    """
    outcomes = [c for c in before.columns if c != "account_id"]
    b = before.set_index("account_id").reindex(pool["account_id"]).fillna(0.0)
    a = after.set_index("account_id").reindex(pool["account_id"]).fillna(0.0)
    out = pd.DataFrame(
        {
            "account_id": pool["account_id"].to_numpy(),
            "stratum": (pool["tier_code"].astype(str) + "|" + pool["region_code"].astype(str)).to_numpy(),
            "treated": pool["account_id"].isin(set(treated)).to_numpy(),
        }
    )
    for c in outcomes:
        out[f"d_{c}"] = (a[c] - b[c]).to_numpy()
    active = (b["cases"] > 0).to_numpy() if "cases" in outcomes else np.ones(len(out), bool)
    return out[active].reset_index(drop=True)


def compute_did(
    changes: pd.DataFrame,
    outcomes: list[str],
    n_boot: int = DEFAULT_BOOT,
    seed: int = DEFAULT_SEED,
    level: float = DEFAULT_LEVEL,
) -> dict[str, DidEstimate]:
    """Stratified difference-in-differences of each ``d_<outcome>`` column, with a bootstrap interval.

    Parameters
    ----------
    changes
        From :func:`build_changes`: ``stratum``, ``treated`` and ``d_<outcome>`` columns.
    outcomes
        Outcome names (``"cases"`` reads ``d_cases``).
    n_boot, seed, level
        Bootstrap resamples (0 = no interval: NaN bounds), generator seed, interval level.

    Returns
    -------
    dict
        Outcome -> :class:`DidEstimate`. Strata without participants or without controls are left out.

    Raises
    ------
    ValueError
        A required column is missing, or no stratum has both participants and controls.

    Examples
    --------
    >>> ch = pd.DataFrame({"stratum": ["s"] * 4, "treated": [True, True, False, False],
    ...                    "d_cases": [30.0, 30.0, 10.0, 10.0]})
    >>> compute_did(ch, ["cases"], n_boot=0)["cases"].per_account
    20.0
    """
    for col in ["stratum", "treated", *[f"d_{o}" for o in outcomes]]:
        if col not in changes.columns:
            raise ValueError(f"Required column {col} missing")
    groups = [
        (g["treated"].to_numpy(bool), g[[f"d_{o}" for o in outcomes]].to_numpy(float))
        for _, g in changes.groupby("stratum", sort=True)
    ]
    groups = [(t, d) for t, d in groups if t.any() and (~t).any()]
    if not groups:
        raise ValueError("No stratum (channel × region) has both participants and non-participating controls")
    n_t = np.array([t.sum() for t, _ in groups], float)
    w = n_t / n_t.sum()
    mt = np.array([d[t].mean(axis=0) for t, d in groups])
    mc = np.array([d[~t].mean(axis=0) for t, d in groups])
    est, tc, cc = w @ (mt - mc), w @ mt, w @ mc
    draws = _bootstrap(groups, w, len(outcomes), n_boot, seed)
    alpha = (1 - level) / 2
    out = {}
    for k, o in enumerate(outcomes):
        lo, hi = np.quantile(draws[:, k], [alpha, 1 - alpha]) if n_boot else (np.nan, np.nan)
        out[o] = DidEstimate(
            float(est[k]),
            float(lo),
            float(hi),
            float(tc[k]),
            float(cc[k]),
            int(n_t.sum()),
            int(sum((~t).sum() for t, _ in groups)),
            draws[:, k],
        )
    return out


def _bootstrap(groups: list, w: np.ndarray, k: int, n_boot: int, seed: int) -> np.ndarray:
    """``n_boot`` × ``k`` resampled estimates: accounts drawn with replacement within stratum and arm."""
    draws = np.zeros((n_boot, k))
    if not n_boot:
        return draws
    rng = np.random.default_rng(seed)
    for ws, (t, d) in zip(w, groups, strict=True):
        for arm, sign in ((d[t], 1.0), (d[~t], -1.0)):
            idx = rng.integers(0, len(arm), size=(n_boot, len(arm)))
            draws += sign * ws * arm[idx].mean(axis=1)
    return draws


def roi_of(gp: DidEstimate, cost: float, level: float = DEFAULT_LEVEL) -> tuple[float, float, float] | None:
    """ROI = incremental gross profit ÷ cost, with the interval of the gross-profit bootstrap (cost is
    what was paid, not estimated); None without cost."""
    if not cost or cost <= 0:
        return None
    n = gp.n_treated
    if len(gp.draws):
        alpha = (1 - level) / 2
        lo, hi = np.quantile(gp.draws * n / cost, [alpha, 1 - alpha])
    else:
        lo = hi = np.nan
    return gp.per_account * n / cost, float(lo), float(hi)


def sim_programs(promo: dict, fee_per_account: float = 0.0) -> list[dict]:
    """The promotion's mechanics as simulator programs (DESIGN.md §4), for the predicted-vs-observed view.

    tpr / per_case -> per_case at ``discount_per_case``; coupon -> a cash prize per case of the coupon's face
    value at the expected redemption; bottle_cap -> win rate, prize cost, redemption; empty_exchange -> N
    and return rate; display / feature -> display fee per account; free_goods -> per_case paid as free goods.
    """
    mech, out = promo["mechanic"], []
    red = promo.get("expected_redemption")
    red = 1.0 if red is None or red != red else float(min(max(red, 0.0), 1.0))
    if mech in ("tpr", "per_case") and promo.get("discount_per_case"):
        out.append({"type": "per_case", "amount_per_case": float(promo["discount_per_case"])})
    elif mech == "free_goods" and promo.get("discount_per_case"):
        out.append({"type": "per_case", "amount_per_case": float(promo["discount_per_case"]), "payout": "free_goods"})
    elif mech == "coupon" and promo.get("coupon_face_value"):
        out.append(
            {"type": "bottle_cap", "prize_value_per_case": float(promo["coupon_face_value"]), "redemption_rate": red}
        )
    elif mech == "bottle_cap" and promo.get("win_prob") and promo.get("prize_cost") is not None:
        out.append(
            {
                "type": "bottle_cap",
                "win_rate": float(promo["win_prob"]),
                "prize_cost": float(promo["prize_cost"]),
                "redemption_rate": red,
            }
        )
    elif mech == "empty_exchange" and promo.get("exchange_ratio_n"):
        out.append(
            {"type": "empty_exchange", "empties_per_free_case": float(promo["exchange_ratio_n"]), "return_rate": red}
        )
    if mech in ("display", "feature") or fee_per_account > 0:
        out.append({"type": "display_fee", "amount_per_account": float(fee_per_account)})
    return out
