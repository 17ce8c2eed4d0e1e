"""The scorecard's inputs: which sources feed each input, and the data-health notes about missing ones.

:func:`kam_core.queries.scorecard_inputs.gather_inputs` reads them from the database into :class:`Inputs`
and reports which inputs the database holds at all, so an ERP-only database (orders only) degrades
gracefully and the dashboard can say what is missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from kam_core.analytics import case_units
from kam_core.i18n import t

# input name → the tables that feed it. What each input is called and what is lost without it are in the
# catalogue (analytics.input.<name>, analytics.input_lost.<name>, zh and en).
INPUTS = {
    "visits": ("visit",),
    "service_events": ("service_event",),
    "contacts": ("account_contact",),
    "surveys": ("survey_response",),
    "competitors": ("account_competitor",),
    "category_volume": ("account_category_volume",),
    "co_investment": ("co_investment",),
    "receivables": ("ar_invoice",),
    "rebates": ("rebate_settlement",),
    "promotions": ("redemption", "promotion_account"),
    "ka_fees": ("ka_fee",),
    "code_scans": ("code_scan",),
    "territories": ("account_territory",),
    "price_checks": ("market_price_check",),
    "rebate_tiers": ("rebate_enrollment",),
    "sellout": ("sellout",),
    "inventory": ("inventory_snapshot",),
    "capability_history": ("account_capability",),
    "credit_terms": ("credit_terms",),
}


@dataclass(frozen=True)
class Inputs:
    """Everything fetched for one window: per-account frame, monthly rows and data availability."""

    frame: pd.DataFrame
    monthly: pd.DataFrame
    available: dict[str, bool]

    @property
    def missing(self) -> list[str]:
        return [name for name, ok in self.available.items() if not ok]


def health_items(missing: Iterable[str], no_accounts: bool = False) -> list[dict]:
    """The data-health notes as structured items: ``{"code": "no_accounts"}`` first when the database has no
    account with orders, then ``{"code": "missing_input", "input": name}`` per missing input."""
    items = [{"code": "no_accounts"}] if no_accounts else []
    return items + [{"code": "missing_input", "input": name} for name in missing]


def describe_health(items: object, lang: str = "zh") -> list[str]:
    """Data-health items as sentences in ``lang`` (zh or en): which inputs are missing and what is lost.

    Examples
    --------
    >>> describe_health([{"code": "missing_input", "input": "surveys"}], "en")
    ['No surveys data: satisfaction (NPS) in the loyalty score not available.']
    """
    if not isinstance(items, list | tuple):
        return []
    out = []
    for item in items:
        code = item.get("code") if isinstance(item, dict) else None
        if code == "no_accounts":
            out.append(t("analytics.health.no_accounts", lang))
        elif code in case_units.HEALTH_CODES:
            out.append(case_units.describe_volume_item(item, lang))
        elif code in _COUNTED:
            out.append(_counted(item, lang))
        elif code == "missing_input":
            name = str(item.get("input"))
            known = name in INPUTS
            out.append(
                t(
                    "analytics.health.missing_input",
                    lang,
                    input=t(f"analytics.input.{name}", lang) if known else name.replace("_", " "),
                    lost=t(f"analytics.input_lost.{name}", lang) if known else "–",
                )
            )
        elif code == "clv_fallback":
            from kam_core.analytics.clv import describe_clv_item

            out.append(describe_clv_item(item, lang))
    return out


_COUNTED = {
    "cost_unknown": "honest.health.cost_unknown",
    "one_tier_from_erp": "honest.health.one_tier_from_erp",
    "insufficient_evidence": "honest.health.insufficient_evidence",
}


def _counted(item: dict, lang: str) -> str:
    """A health item with counts (cost data, one tier, value-type evidence) as a sentence."""
    fmt = {k: v for k, v in item.items() if k != "code"}
    if "min" in fmt or "min_coverage" in fmt:
        fmt["min"] = f"{float(fmt.pop('min_coverage', fmt.get('min'))):.0%}"
    key = _COUNTED[item["code"]]
    if item["code"] == "cost_unknown" and not (item.get("none") and item.get("partial")):  # say only what applies
        key += "_partial_only" if not item.get("none") else "_none_only"
    return t(key, lang, **fmt)
