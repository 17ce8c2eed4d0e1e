"""Pure plotly figure builders (no streamlit): DataFrame in, ``go.Figure`` out.

One builder per chart, used by the pages and the review pack alike. Titles and labels are arguments so each
caller passes translated text; colours come from :mod:`kam_core.vocab` so a tier looks the same everywhere.
The optional ``layout`` argument is applied last (the review pack's fixed height, margins and template).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Layout = Mapping[str, Any] | None
