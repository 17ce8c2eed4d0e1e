"""A first guess of the column mapping of an ERP export, for the Data page's import form.

ERP and POS systems name the same columns many ways (单据号, 发票号码, Invoice No.). The guess only fills
the form: the user sees every field and its column and changes what is wrong before anything is read
in full. Matching ignores case, spaces, underscores and brackets; each column is used once; a field with
no likely column stays unmapped (required fields then must be chosen by hand).
"""

from __future__ import annotations

import re

from kam_core.io.erp_lines import FIELDS

# Per field, names seen in Chinese and English exports, most specific first.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "invoice": (
        "invoice",
        "单据号",
        "单据编号",
        "发票号",
        "发票号码",
        "订单号",
        "单号",
        "invoice no",
        "invoice number",
        "document no",
    ),
    "date": ("date", "开票日期", "单据日期", "日期", "发货日期", "invoice date", "posting date"),
    "account_id": ("account_id", "客户编码", "客户代码", "客户编号", "customer id", "customer code", "customer no"),
    "account_name": ("account_name", "客户名称", "客户", "customer name", "customer"),
    "sku": ("sku", "物料编码", "产品编码", "商品编码", "存货编码", "物料", "item code", "product code", "material"),
    "product_name": (
        "product_name",
        "物料名称",
        "产品名称",
        "商品名称",
        "存货名称",
        "item name",
        "product name",
        "description",
    ),
    "quantity": ("quantity", "数量", "销售数量", "qty", "quantity sold"),
    "unit_price": ("unit_price", "含税单价", "单价", "销售单价", "price", "unit price"),
    "unit_cost": ("unit_cost", "成本单价", "单位成本", "成本", "cost", "unit cost"),
    "channel": ("channel", "渠道", "客户类型", "渠道类型", "customer type"),
    "region": ("region", "区域", "片区", "销售区域", "sales region", "area"),
    "case_factor": ("case_factor", "换算率", "箱换算", "每单位箱数", "cases per unit"),
}


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-()（）.:：]+", "", str(text)).lower()


def suggest_mapping(header: list[str]) -> dict[str, str]:
    """Field → column of ``header`` that most likely holds it (fields without a likely column are left out).

    Examples
    --------
    >>> suggest_mapping(["单据号", "开票日期", "客户编码", "物料编码", "数量", "含税单价", "备注"])
    {'invoice': '单据号', 'date': '开票日期', 'account_id': '客户编码', 'sku': '物料编码', 'quantity': '数量', 'unit_price': '含税单价'}
    """
    by_norm: dict[str, str] = {}
    for column in header:
        by_norm.setdefault(_norm(column), column)
    used: set[str] = set()
    out: dict[str, str] = {}
    for field in FIELDS:
        for name in SYNONYMS.get(field, (field,)):
            found = by_norm.get(_norm(name))
            if found is not None and found not in used:
                out[field] = found
                used.add(found)
                break
    return out
