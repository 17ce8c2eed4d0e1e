"""The Data page's per-import data health shows each import's record in words, newest first."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kam_core.db import ensure_schema, get_engine
from kam_core.i18n.markup import shown_text
from kam_core.io.transactions import import_transactions, parse_mapping

REPEAT = Path(__file__).resolve().parents[1] / "realshaped" / "erp_repeat_lines.csv"
REPEAT_MAP = parse_mapping(
    "invoice=InvoiceNo,date=InvoiceDate,account_id=CustomerID,sku=StockCode,"
    "product_name=Description,quantity=Quantity,unit_price=UnitPrice"
)


@pytest.fixture
def imported(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'kam.db'}"
    engine = get_engine(url)
    ensure_schema(engine)
    import_transactions(engine, REPEAT, REPEAT_MAP)
    monkeypatch.setenv("KAM_DATABASE_URL", url)
    return url


def _script():
    from kam_ui.import_health import show_import_health

    show_import_health()


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ["4 lines repeat an earlier line exactly", "“Small retail”", "14 lines imported."]),
        ("zh", ["4 行与前面某行完全相同", "“小终端”", "写入 14 行。"]),
    ],
)
def test_each_import_is_listed_with_its_findings_in_the_viewers_language(imported, monkeypatch, lang, expected):
    monkeypatch.setenv("KAM_DEFAULT_LANG", lang)
    at = AppTest.from_function(_script, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.expander) == 1 and "erp_repeat_lines.csv" in shown_text(at.expander[0].label)
    text = "\n".join(m.value for m in at.markdown).replace("\\", "")
    for phrase in expected:
        assert phrase in text
    assert "possible_duplicates" not in text and "RETAIL" not in text
