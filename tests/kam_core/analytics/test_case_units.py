"""Case-equivalents: a product sold in litres cannot dominate volume; products without a pack size are named.

The files are in tests/realshaped/: a distributor export with beer in cases and one diesel line in litres
(6,000 L), once without pack sizes and once with a ``标箱系数`` (case factor) column.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select, update

from kam_core.analytics import case_units
from kam_core.analytics.inputs import describe_health
from kam_core.db import case_factor, order_days
from kam_core.db.schema import product
from kam_core.io.transactions import import_transactions, parse_mapping
from kam_core.queries import volume_health
from kam_core.queries.scorecard import compute_scorecard_bundle

FILES = Path(__file__).resolve().parents[2] / "realshaped"
NO_PACK = FILES / "erp_fuel_units_no_pack_size.csv"
WITH_FACTOR = FILES / "erp_fuel_units_with_case_factor.csv"
MAP = (
    "invoice=单据号,date=日期,account_id=客户编码,account_name=客户名称,channel=渠道,sku=物料编码,"
    "product_name=物料名称,quantity=数量,unit_price=单价"
)


def _import(engine, path: Path, factor: bool = False) -> None:
    import_transactions(engine, path, parse_mapping(MAP + (",case_factor=标箱系数" if factor else "")))


def _expected(path: Path, factor: pd.Series | None = None) -> pd.Series:
    """Independent pandas: Σ quantity × case factor per customer (the file's factor, else the given one)."""
    raw = pd.read_csv(path, encoding="utf-8-sig", dtype={"客户编码": str, "物料编码": str})
    f = raw["标箱系数"] if factor is None else raw["物料编码"].map(factor).fillna(1.0)
    return (raw["数量"] * f).groupby(raw["客户编码"]).sum().rename("volume_cases")


def _scorecard(engine):
    bundle = compute_scorecard_bundle(engine, as_of="2025-06-30")
    return bundle, bundle.scorecard.set_index("account_id")


def test_without_pack_sizes_raw_quantity_counts_and_the_data_health_says_so(sqlite_engine):
    _import(sqlite_engine, NO_PACK)
    bundle, card = _scorecard(sqlite_engine)
    raw = _expected(NO_PACK, pd.Series(dtype=float))  # factor 1 everywhere
    assert card["volume_cases"].to_dict() == pytest.approx(raw.to_dict())
    assert card["volume_cases"].idxmax() == "C04"  # the diesel depot tops "volume" on raw quantity
    items = {i["code"]: i for i in bundle.health if i["code"] in case_units.HEALTH_CODES}
    total = pd.read_csv(NO_PACK, encoding="utf-8-sig")["数量"].abs().sum()
    assert items["no_pack_size"]["products"] == 3
    assert items["no_pack_size"]["share"] == pytest.approx(1.0)
    assert items["odd_unit"]["sku"] == "YF-0CY" and items["odd_unit"]["share"] == pytest.approx(6000 / total)
    en, zh = describe_health(bundle.health, "en"), describe_health(bundle.health, "zh")
    assert "3 products (100.0% of quantity) have no pack size: raw quantity used as cases." in en
    assert any("YF-0CY" in note and "litres" in note for note in en)
    assert "3 个产品（占数量的 100.0%）没有包装规格：按原始数量计为箱数。" in zh


def test_a_case_factor_in_the_export_ranks_volume_by_case_equivalent(db_engine):
    _import(db_engine, WITH_FACTOR, factor=True)
    bundle, card = _scorecard(db_engine)
    expected = _expected(WITH_FACTOR)
    assert card["volume_cases"].to_dict() == pytest.approx(expected.to_dict(), rel=1e-9)
    assert card["volume_cases"].idxmax() == "C01"  # 1,800 cases of beer; the depot is 360 + 1,000
    order = card["volume_cases"].sort_values(ascending=False).index.tolist()
    assert order == expected.sort_values(ascending=False).index.tolist() == ["C01", "C04", "C02", "C03", "C05"]
    pct = expected.rank(pct=True)  # HVLL's volume side: percentile within the (one) channel
    assert card["volume_pct"].to_dict() == pytest.approx(pct.round(3).to_dict())
    assert not [i for i in bundle.health if i["code"] in case_units.HEALTH_CODES]  # every pack size is known
    with db_engine.connect() as conn:
        diesel = conn.execute(
            select(product.c.pack, product.c.liters_per_case).where(product.c.sku_id == "YF-0CY")
        ).one()
    assert diesel.pack == "other" and diesel.liters_per_case == pytest.approx(1.0)  # one litre per unit


def test_a_pack_size_set_in_the_product_master_later_converts_the_litres(sqlite_engine):
    _import(sqlite_engine, NO_PACK)
    with sqlite_engine.begin() as conn:  # what a product-table import or an edit would write
        conn.execute(update(product).where(product.c.sku_id == "YF-0CY").values(**case_factor.master_for_factor(1 / 6)))
        conn.execute(update(product).where(product.c.sku_id != "YF-0CY").values(**case_factor.master_for_factor(1.0)))
        order_days.refresh(conn)
    bundle, card = _scorecard(sqlite_engine)
    expected = _expected(NO_PACK, pd.Series({"YF-0CY": 1 / 6}))
    assert card["volume_cases"].to_dict() == pytest.approx(expected.to_dict(), rel=1e-12)
    assert not [i for i in bundle.health if i["code"] in case_units.HEALTH_CODES]


def test_case_factor_reads_the_master_columns_as_documented():
    pack = pd.Series(["bottle", "keg", "other", "other", "can"])
    liters = pd.Series([6.0, 20.0, 1.0, 0.0, 7.92])
    assert case_factor.case_factor(pack, liters).tolist() == [1.0, 1.0, 1 / 6, 1.0, 1.0]
    assert case_factor.master_for_factor(None)["liters_per_case"] == 0.0  # unknown: raw quantity, with a note
    assert case_factor.master_for_factor(0.5) == {"pack": "other", "units_per_case": 1, "liters_per_case": 3.0}


def test_a_bad_case_factor_in_the_export_is_refused_with_row_and_column(sqlite_engine, tmp_path):
    bad = tmp_path / "erp_bad_factor.csv"
    lines = WITH_FACTOR.read_text(encoding="utf-8-sig").splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",zero"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from kam_core.io.results import ImportValidationError

    with pytest.raises(ImportValidationError) as err:
        _import(sqlite_engine, bad, factor=True)
    assert "标箱系数" in str(err.value) and "'zero'" in str(err.value) and "case factor above 0" in str(err.value)


def test_a_product_with_oversized_lines_is_named_even_without_a_unit_in_its_name(sqlite_engine, monkeypatch):
    _import(sqlite_engine, NO_PACK)
    with sqlite_engine.begin() as conn:
        conn.execute(update(product).where(product.c.sku_id == "YF-0CY").values(name="YF-0CY 物流补给"))
        items = volume_health.fetch_volume_health(conn)
    raw = pd.read_csv(NO_PACK, encoding="utf-8-sig")
    per_line = raw["数量"].groupby(raw["物料编码"]).mean()  # 6,000 against the beer's ~100 a line
    odd = [i for i in items if i["code"] == "odd_unit"]
    assert [(i["sku"], i["reason"]) for i in odd] == [("YF-0CY", "size")]
    assert odd[0]["ratio"] == pytest.approx(round(per_line["YF-0CY"] / per_line.median(), 1))
    assert "times the usual quantity per line" in describe_health(items, "en")[-1]
    with sqlite_engine.begin() as conn:  # every pack size known, no unit-like name: no line query at all
        conn.execute(update(product).values(**case_factor.master_for_factor(1.0)))
        monkeypatch.setattr(volume_health, "_line_sizes", lambda conn: pytest.fail("the lines were read"))
        assert volume_health.fetch_volume_health(conn) == []
