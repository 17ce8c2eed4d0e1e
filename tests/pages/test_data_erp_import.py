"""ERP invoice import on the Data page (#15.6): mapping guessed and shown by name, progress, what it did,
the rejects file to download; nothing written when the user asks for all-or-nothing and a line is bad."""

from __future__ import annotations

from pathlib import Path

import pytest
from kam_tiny_db import tiny_sqlite_url
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from kam_core.db import get_engine
from kam_core.db.schema import order_line
from kam_core.i18n import label, t
from kam_core.i18n.markup import shown_text

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "data.py")
HEADER = "单据号,开票日期,客户编码,客户名称,物料编码,数量,含税单价,备注\n"
GOOD = "XS1,2026/6/1,A001,甲,SKU-N1,10,30.00,\nXS1,2026/6/1,A001,甲,SKU-N2,5,40.00,\n"
BAD = "XS2,2026/6/2,,无名,SKU-N1,3,30.00,没有客户编码\n"


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    url = tiny_sqlite_url(tmp_path / "kam.db")
    monkeypatch.setenv("KAM_DATABASE_URL", url)
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    return get_engine(url)


def _lines(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(order_line)).scalar_one()


def _upload(text: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["lang"] = "en"
    at.run()
    assert at.radio(key="import_kind").value == "erp"  # a director starts on the ERP import
    at.file_uploader(key="import_file").set_value(("erp.csv", text.encode("utf-8"), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _submit(at: AppTest) -> AppTest:
    run = t("erp_import.run", "en")
    next(b for b in at.button if shown_text(b.label) == run).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_mapping_is_guessed_from_chinese_headers_and_shown_by_field_name(tiny):
    at = _upload(HEADER + GOOD)
    invoice = at.selectbox(key="erp_map_invoice")
    assert invoice.label == t("erp_import.field_required", "en", field=label("erp_field", "invoice", "en"))
    assert invoice.value == "单据号"
    assert at.selectbox(key="erp_map_unit_price").value == "含税单价"
    assert at.selectbox(key="erp_map_unit_cost").value == ""  # not in this file
    assert at.selectbox(key="erp_map_unit_cost").format_func("") == t("erp_import.not_mapped", "en")


def test_a_file_with_a_bad_line_imports_the_good_ones_and_offers_the_refused_one(tiny):
    before = _lines(tiny)
    at = _submit(_upload(HEADER + GOOD + BAD))
    assert t("erp_import.done", "en") in [shown_text(s.value) for s in at.success]
    assert _lines(tiny) == before + 2  # an independent count: the two good lines, not the bad one
    said = " ".join(shown_text(m.value) for m in at.markdown)
    assert "3 lines read" in said and "2 lines imported" in said
    download = [b for b in at.get("download_button") if "erp_rejects_download" in str(b.proto.id)]
    assert len(download) == 1
    assert shown_text(download[0].proto.label) == t("erp_import.rejects_download", "en", n=1)


def test_all_or_nothing_refuses_the_file_names_row_and_column_and_writes_nothing(tiny):
    before = _lines(tiny)
    at = _upload(HEADER + GOOD + BAD)
    next(c for c in at.checkbox if shown_text(c.label) == t("erp_import.keep_valid", "en")).uncheck()
    at = _submit(at)
    assert any(t("data.rejected", "en", n=1) in shown_text(e.value) for e in at.error), [e.value for e in at.error]
    row, column = t("erp_import.problem_row", "en"), t("erp_import.problem_column", "en")
    report = next(d.value for d in at.dataframe if row in d.value.columns)
    assert report[row].tolist() == [4] and report[column].tolist() == ["客户编码"]  # header = row 1
    assert _lines(tiny) == before


def test_a_required_field_left_unmapped_is_named_in_words_and_nothing_runs(tiny):
    before = _lines(tiny)
    at = _upload(HEADER + GOOD)
    at.selectbox(key="erp_map_quantity").set_value("")
    at = _submit(at)
    assert t("erp_import.missing", "en", fields=label("erp_field", "quantity", "en")) in [
        shown_text(e.value) for e in at.error
    ]
    assert _lines(tiny) == before
