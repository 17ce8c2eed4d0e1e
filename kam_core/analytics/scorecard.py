"""The account scorecard: one row per account with value, type, tiers, loyalty, risk, CLV and credit.

Computed here from the gathered inputs (pure); :func:`kam_core.queries.scorecard.compute_scorecard_bundle` reads
them from the database and runs it. Scope and percentiles: every figure is computed over *all* scored accounts of the window, so an
account's tier or percentile never depends on who is looking; the viewer's scope then restricts the
rows (in SQL, via ``Scope.account_clause``). A manager sees only their rows, ranked among everyone.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kam_core.analytics import features as feat
from kam_core.analytics import tiers
from kam_core.analytics.capability import compute_capability_index
from kam_core.analytics.clv import compute_clv
from kam_core.analytics.cost_basis import NONE, compute_cost_basis, cost_health, one_tier_health, withhold_profit
from kam_core.analytics.credit import compute_credit
from kam_core.analytics.diversion import flag_diversion
from kam_core.analytics.evidence import evidence_health
from kam_core.analytics.inputs import describe_health, health_items
from kam_core.analytics.loyalty import compute_loyalty, estimate_churn_heuristic, flag_hvll
from kam_core.analytics.params import Params
from kam_core.analytics.window import Window

DESIGN_COLUMNS = [
    "account_id",
    "name",
    "channel",
    "region",
    "rep",
    "net_sales",
    "gross_profit",
    "cost_to_serve",
    "net_profit",
    "value_type",
    "value_type_confidence",
    "pyramid_tier",
    "size_tier",
    "abc_class",
    "loyalty_score",
    "high_volume_low_loyalty",
    "diversion_score",
    "diversion_flag",
    "clv",
]
_DROP = [
    "region_id",
    "pos_cases",
    "promo_cases",
    "premium_cases",
    "n_gaps",
    "gap_sum",
    "gap_sq",
    "status",
    "uncosted_sales",
    "uncosted_lines",
    "created_source",
]


@dataclass(frozen=True)
class ScorecardBundle:
    """The scorecard plus what the dashboard shows around it."""

    scorecard: pd.DataFrame
    window: Window
    params_hash: str
    features: pd.DataFrame
    value_types: object | None  # ValueTypeResult from segmentation (diagnostics), None when unavailable
    whale_curve: pd.DataFrame
    whale: tiers.WhaleSummary
    health: list[dict] = field(default_factory=list)  # data-health items (describe_health writes them)
    missing_inputs: list[str] = field(default_factory=list)

    @property
    def data_health(self) -> list[str]:
        """The data-health notes in English (CLI, logs); pages write :attr:`health` in their language."""
        return describe_health(self.health, "en")


def _money(df: pd.DataFrame, w: Window, p: Params) -> pd.DataFrame:
    """Gross profit, cost to serve (time-driven + direct + financing), rebates, promotion spend, NCP, and the
    cost coverage behind them (:mod:`kam_core.analytics.cost_basis`)."""
    out = pd.DataFrame(index=df.index)
    z = lambda c: df[c].fillna(0) if c in df else 0.0  # noqa: E731
    out["gross_profit"] = df["net_sales"] - df["cogs"]
    out["financing_cost"] = z("avg_ar") * p.financing_rate * w.days / 365
    out["contact_cost"] = z("visit_cost")
    out["cost_to_serve"] = (
        z("visit_cost")
        + z("service_direct_cost")
        + z("service_minute_cost")
        + z("delivery_cost")
        + z("ka_fees")
        + out["financing_cost"]
    )
    out["rebates"] = z("rebates_settled")
    out["promo_spend"] = z("redemption_cost") + z("promo_fixed_fees") + z("free_goods_cost")
    out["net_profit"] = out["gross_profit"] - out["rebates"] - out["promo_spend"] - out["cost_to_serve"]
    zero = pd.Series(0.0, index=df.index)
    basis = compute_cost_basis(df["net_sales"], df.get("uncosted_sales", zero), df.get("uncosted_lines", zero))
    out["cost_coverage"], out["cost_basis"] = basis["cost_coverage"], basis["cost_basis"]
    out["dso"] = (df["avg_ar"] / df["net_sales"].where(df["net_sales"] > 0) * w.days) if "avg_ar" in df else np.nan
    return out


def _derived(df: pd.DataFrame, monthly: pd.DataFrame, w: Window) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    # each distinct path split once (100,000 accounts share a few thousand paths)
    codes, paths = pd.factorize(df["region_path"].astype(object).fillna("").astype(str))
    parts = pd.Series(paths, dtype=object).str.split("/")
    for i, level in enumerate(("region", "area", "community", "street")):
        out[level] = pd.Series(
            parts.str[i].replace("", np.nan).to_numpy(dtype=object)[codes], index=df.index, dtype=object
        )
    out["sow"] = feat.compute_sow(df)
    out["exclusivity"] = feat.compute_exclusivity(df)
    out = out.join(feat.compute_regularity(df))
    out["tenure_years"] = feat.compute_tenure(df, w.end)
    ly = df["ly_net_sales"]
    out["growth"] = df["net_sales"] / ly.where(ly > 0) - 1
    sales_m = sales_by_month(monthly, df.index, w.months())
    mean = sales_m.mean(axis=1)
    out["sales_cv"] = sales_m.std(axis=1) / mean.where(mean > 0)
    last = pd.to_datetime(df["last_order_ever"], errors="coerce")
    out["recency_days"] = (pd.Timestamp(w.end) - last).dt.days.astype(float)
    out["orders_per_year"] = df["n_orders"].fillna(0) / w.years
    out["satisfaction"] = df["nps_score"].fillna(df["csat"] * 2) if "nps_score" in df else np.nan
    return out


def _positions(keys: pd.Series, index: pd.Index) -> np.ndarray:
    """Position of each key in ``index`` (−1 if absent), looked up once per distinct key."""
    codes, distinct = pd.factorize(keys)  # a missing key has code −1
    found = np.append(index.get_indexer(distinct), -1)
    return found[codes]


def sales_by_month(monthly: pd.DataFrame, index: pd.Index, months: list[str]) -> pd.DataFrame:
    """Net sales per account (rows ``index``) and month (columns ``months``), 0 where there is no row.

    The same frame as ``pivot_table(..., aggfunc="sum").reindex(index, months).fillna(0)``; with one row per
    (account, month), as the SQL layer returns them, it is filled by position (the pivot's group-by sorted
    100,000 accounts' strings); repeated pairs or non-float sales take the pivot.

    Parameters
    ----------
    monthly
        account_id, month and net_sales rows (other accounts and months are left out).
    index, months
        The accounts and months of the result.
    """
    values = monthly["net_sales"].to_numpy()
    rows, cols = _positions(monthly["account_id"], index), _positions(monthly["month"], pd.Index(months))
    ok = (rows >= 0) & (cols >= 0)
    cells = rows[ok] * len(months) + cols[ok]
    repeated = len(cells) and np.bincount(cells, minlength=len(index) * len(months)).max() > 1
    if values.dtype.kind != "f" or not index.is_unique or repeated:
        pivot = monthly.pivot_table(index="account_id", columns="month", values="net_sales", aggfunc="sum")
        return pivot.reindex(index=index, columns=months).fillna(0)
    # a sum of one value: NaN counts as 0 and −0.0 becomes 0.0, as the pivot's sum gives them
    kept = np.where(np.isnan(values[ok]), 0, values[ok]) + values.dtype.type(0)
    out = np.zeros(len(index) * len(months), dtype=values.dtype)
    out[cells] = kept
    # copy=False keeps the pivot's memory layout (a month's values apart): a row's std sums in the same order
    return pd.DataFrame(
        out.reshape(len(index), len(months)), index=index, columns=pd.Index(months, name="month"), copy=False
    )


def _value_types(features: pd.DataFrame, index: pd.Index):
    try:
        from kam_core.analytics.segmentation import label_value_types
    except ImportError:
        return None, pd.DataFrame(index=index, columns=["value_type", "value_type_confidence"])
    result = label_value_types(features)
    labels = result.labels.set_index("account_id").reindex(index)
    labels = labels.drop(columns=["tier_code"], errors="ignore")
    labels = labels.rename(
        columns={c: c if c.startswith(("value_type", "p_")) else f"value_type_{c}" for c in labels.columns}
    )
    return result, labels


def _label_tiers(df: pd.DataFrame, p: Params) -> pd.DataFrame:
    """Pyramid, size tier, ABC on three bases with the frequency rule, key accounts (80/80 union), potential key.

    docs/methods_key_accounts.md: key accounts come from the cumulative-share classes alone (80% of sales OR
    80% of profit); the frequency rule then sets the shown ABC classes of rarely-ordering accounts to C.
    """
    out = pd.DataFrame(index=df.index)
    basis = "clv" if p.pyramid_basis == "clv" else "net_profit"
    costed = df[df["cost_basis"].ne(NONE)] if "cost_basis" in df else df  # profit ranks among costed accounts
    out["pyramid_tier"] = tiers.label_pyramid(costed, basis, "channel", p.pyramid_platinum, p.pyramid_gold)
    out["size_tier"] = tiers.label_size_tier(df, "net_sales", "channel", p.size_cuts)
    share_sales = tiers.label_abc(df, "sales", "channel", p.abc_cuts)
    share_profit = tiers.label_abc(costed, "profit", "channel", p.abc_cuts).reindex(df.index)
    key_sales, key_profit = share_sales, share_profit
    if p.key_account_share != p.abc_cuts[0]:  # a key-account share of its own (default: the ABC A cut, 80%)
        key_cuts = (p.key_account_share, max(p.key_account_share, p.abc_cuts[1]))
        key_sales = tiers.label_abc(df, "sales", "channel", key_cuts)
        key_profit = tiers.label_abc(costed, "profit", "channel", key_cuts).reindex(df.index)
    out = out.join(tiers.flag_key_accounts(key_sales, key_profit))
    low = pd.Series(False, index=df.index)
    if "order_days_window" in df:
        cut = tiers.compute_order_days_cut(df, p.abc_min_days_pct, min_group=p.abc_min_group)
        out["abc_days_cut"] = cut
        low = tiers.flag_low_frequency(df, p.abc_min_days_pct, min_group=p.abc_min_group, cut=cut)
    out["abc_low_frequency"] = low
    out["abc_class"] = tiers.apply_frequency_rule(share_sales, low)
    out["abc_class_cases"] = tiers.apply_frequency_rule(tiers.label_abc(df, "cases", "channel", p.abc_cuts), low)
    out["abc_class_profit"] = tiers.apply_frequency_rule(share_profit, low)
    out["potential_key"] = tiers.flag_potential_key(
        df.assign(abc_class=out["abc_class"], key_account=out["key_account"]),
        p.potential_growth_pct,
        capability_min=p.potential_capability_min,
    )
    return out


def _join_new(df: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """Join only the columns ``df`` does not have yet (the first computation of a figure wins)."""
    return df.join(other[[c for c in other.columns if c not in df.columns]])


def _assemble(inp, w: Window, p: Params):
    df = inp.frame.copy()  # one block per dtype: later assigns on a frame of ~100 column blocks warn and slow down
    derived = _derived(df, inp.monthly, w)
    df = _join_new(_join_new(df, _money(df, w, p)), derived)
    df["window_years"], df["window_months"] = w.years, w.days / 30.4375
    df["has_ar"] = df.get("invoiced", pd.Series(np.nan, index=df.index)).notna() & inp.available["receivables"]
    # tenure and exclusivity as _derived computed them from the same columns
    features = feat.compute_value_features(
        df, inp.monthly, w, tenure=derived["tenure_years"], exclusivity=derived["exclusivity"]
    )
    result, labels = _value_types(features, df.index)
    df = df.join(labels[[c for c in labels.columns if c not in df]])
    df = _join_new(df, compute_capability_index(df, p.capability_weights))  # feeds loyalty and potential key
    df = df.reset_index()
    df = df.join(compute_loyalty(df, p))
    df = df.join(estimate_churn_heuristic(df, w.end, p))
    df = df.join(compute_clv(df, w.end, p))
    bgnbd = df["clv_model"].isin(("bgnbd_gg", "bgnbd")) & df["p_alive"].notna()
    df.loc[bgnbd, "churn_prob"] = (1 - df.loc[bgnbd, "p_alive"]).round(3)
    df.loc[bgnbd, "churn_model"] = "bgnbd"
    df = df.join(flag_hvll(df, p)).join(_label_tiers(df, p))
    df = _join_new(df, flag_diversion(df, p))
    df = df.join(compute_credit(df, p))
    return withhold_profit(df), features, result


def _restrict_result(result: Any, allowed: set[str]) -> Any:
    """Per-account parts of the value-type result limited to the viewer's accounts (tier statistics stay)."""
    if result is None or not dataclasses.is_dataclass(result) or isinstance(result, type):
        return result
    changes: dict[str, pd.DataFrame] = {}
    labels, z = getattr(result, "labels", None), getattr(result, "z", None)
    if isinstance(labels, pd.DataFrame) and "account_id" in labels:
        changes["labels"] = labels[labels["account_id"].isin(allowed)].reset_index(drop=True)
    if isinstance(z, pd.DataFrame):
        changes["z"] = z[z.index.isin(allowed)]
    return dataclasses.replace(result, **changes)


def _health(inp, df: pd.DataFrame | None = None) -> list[dict]:
    items = health_items(inp.missing, no_accounts=inp.frame.empty)
    return items if df is None else items + cost_health(df) + one_tier_health(inp.frame) + evidence_health(df)


def scorecard_columns(df: pd.DataFrame) -> pd.DataFrame:
    """The docs/DESIGN.md §4 columns in order, then every extra column (alphabetical)."""
    missing = [c for c in DESIGN_COLUMNS if c not in df]
    if missing:
        raise ValueError(f"Required scorecard column(s) {missing} missing")
    extras = sorted(c for c in df.columns if c not in DESIGN_COLUMNS)
    return df[DESIGN_COLUMNS + extras]
