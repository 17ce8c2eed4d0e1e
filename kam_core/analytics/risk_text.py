"""Risk texts in the reader's language: the HVLL reasons and the diversion evidence of a scorecard frame.

The scorecard's text columns are English (CLI, exports); the pages and the review pack rebuild them from
the structured ``hvll_reason_items`` / ``diversion_evidence_items``.
"""

from __future__ import annotations

import pandas as pd

from kam_core.analytics.diversion import describe_evidence
from kam_core.analytics.loyalty import describe_loyalty_reasons

_TEXTS = (
    ("hvll_reasons", "hvll_reason_items", describe_loyalty_reasons),
    ("diversion_evidence", "diversion_evidence_items", describe_evidence),
)


def localise_risk_text(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A copy whose ``hvll_reasons`` and ``diversion_evidence`` are written in ``lang`` from their items; a
    frame without an item column keeps that text as it is."""
    out = frame.copy()
    for text, items, describe in _TEXTS:
        if items in out:
            out[text] = out[items].map(lambda v, d=describe: d(v, lang))
    return out
