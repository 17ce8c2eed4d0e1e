"""The Data page's first guess of an ERP file's column mapping (kam_core.io.erp_mapping)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kam_core.io.erp_mapping import suggest_mapping
from kam_core.io.transactions import resolve_columns

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "sample_erp.csv"


def test_the_shipped_chinese_sample_maps_every_field_it_has():
    with SAMPLE.open(encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh))
    got = suggest_mapping(header)
    assert got == {
        "invoice": "单据号",
        "date": "开票日期",
        "account_id": "客户编码",
        "account_name": "客户名称",
        "sku": "物料编码",
        "product_name": "物料名称",
        "quantity": "数量",
        "unit_price": "含税单价",
        "unit_cost": "成本单价",
        "channel": "渠道",
        "region": "区域",
    }
    resolve_columns(got, header, SAMPLE.name)  # the guess is a valid mapping: no error


@pytest.mark.parametrize(
    ("header", "field", "column"),
    [
        (["Invoice No.", "Posting Date", "Customer Code", "Item Code", "Qty", "Unit Price"], "invoice", "Invoice No."),
        (["Invoice No.", "Posting Date", "Customer Code", "Item Code", "Qty", "Unit Price"], "quantity", "Qty"),
        (["INVOICE", "DATE"], "invoice", "INVOICE"),
        (["单价", "含税单价"], "unit_price", "含税单价"),  # the more specific name wins
    ],
    ids=["english-invoice", "english-qty", "case-insensitive", "specific-first"],
)
def test_common_export_headers_are_recognised(header, field, column):
    assert suggest_mapping(header)[field] == column


def test_a_column_is_used_for_one_field_only_and_unknown_columns_are_left_alone():
    got = suggest_mapping(["客户", "备注", "Remarks"])
    assert got == {"account_name": "客户"}
    assert len(set(got.values())) == len(got)
