"""One catalogue for every user-facing string, Chinese and English side by side.

The catalogue lives in ``catalog/*.toml`` (one file per area: common, overview, …). Each entry is a
table with ``zh`` and ``en`` strings, e.g. ``[overview.title] zh = "总览" en = "Overview"``; the
key is the dotted table path. Files are merged by :func:`load_catalog`, which refuses a key defined
twice, so two areas can never silently overwrite each other's wording. Texts that hold a count have
one entry per plural category (``KEY.one`` / ``KEY.other``) and are looked up with :func:`tn`
(:mod:`kam_core.i18n.plural`).
"""

from __future__ import annotations

from kam_core.i18n.catalog_loader import CATALOG_DIR, LANGS, load_catalog
from kam_core.i18n.formatting import (
    format_cases,
    format_count,
    format_date,
    format_money,
    format_number,
    format_pct,
    plural_form,
)
from kam_core.i18n.plural import tn
from kam_core.i18n.translate import label, local_names, t

__all__ = [
    "CATALOG_DIR",
    "LANGS",
    "format_cases",
    "format_count",
    "format_date",
    "format_money",
    "format_number",
    "format_pct",
    "label",
    "load_catalog",
    "local_names",
    "plural_form",
    "t",
    "tn",
]
