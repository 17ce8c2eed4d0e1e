"""Every field of the ERP mapping (kam_core.io.erp_lines.FIELDS) has a label in both languages: the Data page's
mapping form shows the label, never the field's code (it showed "promo_id" before)."""

from __future__ import annotations

import pytest

from kam_core.i18n import load_catalog
from kam_core.io.erp_lines import FIELDS


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_erp_field_has_a_label(lang):
    catalog = load_catalog()
    missing = [f for f in FIELDS if f"erp_field.{f}" not in catalog]
    assert missing == []
    assert all(catalog[f"erp_field.{f}"][lang] and catalog[f"erp_field.{f}"][lang] != f for f in FIELDS)
