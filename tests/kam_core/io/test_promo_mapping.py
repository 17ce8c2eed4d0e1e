"""``import-transactions --map promo_id=COL``: tagged lines, unknown ids and SKUs outside a promotion's scope."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select

from kam_core.db.schema import order_line, product, promotion, promotion_sku
from kam_core.io.results import ImportValidationError
from kam_core.io.transactions import import_transactions, parse_mapping
from tests.kam_core.io.io_helpers import row_counts, seed_reference, write_csv

MAP = parse_mapping(
    "invoice=单据号,date=日期,account_id=客户编码,sku=物料编码,quantity=数量,unit_price=单价,promo_id=活动"
)
HEAD = "单据号,日期,客户编码,物料编码,数量,单价,活动\n"
GOOD = HEAD + ("INV1,2026-07-01,C1,SKU1,10,48,P1\nINV1,2026-07-01,C1,SKU2,5,60,\nINV2,2026-07-02,C2,SKU1,3,48,P2\n")


def _promotions(engine) -> None:
    seed_reference(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(product),
            [
                {"sku_id": s, "name": s, "brand": "", "segment": "mainstream", "pack": "bottle", "units_per_case": 12}
                for s in ("SKU1", "SKU2")
            ],
        )
        conn.execute(
            insert(promotion),
            [
                {
                    "promo_id": p,
                    "name": p,
                    "mechanic": m,
                    "start_date": dt.date(2026, 7, 1),
                    "end_date": dt.date(2026, 7, 31),
                }
                for p, m in (("P1", "tpr"), ("P2", "coupon"))
            ],
        )
        conn.execute(insert(promotion_sku), [{"promo_id": "P2", "sku_id": "SKU1"}])


def _tags(engine) -> dict[tuple[str, str], str | None]:
    with engine.connect() as conn:
        rows = conn.execute(select(order_line.c.order_id, order_line.c.sku_id, order_line.c.promo_id)).all()
    return {(o, s): p for o, s, p in rows}


def test_mapped_promo_ids_are_stored_on_their_lines_and_empty_cells_stay_untagged(db_engine, tmp_path):
    _promotions(db_engine)
    result = import_transactions(db_engine, write_csv(tmp_path / "erp.csv", GOOD), MAP)
    assert result.inserted == 3
    assert _tags(db_engine) == {("ERP-INV1", "SKU1"): "P1", ("ERP-INV1", "SKU2"): None, ("ERP-INV2", "SKU1"): "P2"}


def test_an_unknown_promo_id_refuses_the_whole_file_naming_row_column_and_value(db_engine, tmp_path):
    _promotions(db_engine)
    before = row_counts(db_engine)
    with pytest.raises(ImportValidationError) as err:
        import_transactions(
            db_engine, write_csv(tmp_path / "erp.csv", GOOD + "INV3,2026-07-03,C1,SKU1,1,48,NOPE\n"), MAP
        )
    assert [(p.row, p.column, p.value) for p in err.value.problems] == [(5, "活动", "NOPE")]
    assert "promotion" in err.value.problems[0].expected
    assert row_counts(db_engine) == before  # transactional: nothing written


def test_a_sku_outside_the_promotions_scope_is_refused(db_engine, tmp_path):
    _promotions(db_engine)
    with pytest.raises(ImportValidationError) as err:
        import_transactions(db_engine, write_csv(tmp_path / "erp.csv", GOOD + "INV3,2026-07-03,C1,SKU2,1,60,P2\n"), MAP)
    assert [(p.row, p.column, p.value) for p in err.value.problems] == [(5, "活动", "P2")]
    assert "scope" in err.value.problems[0].expected


def test_with_rejects_the_unknown_promotion_line_goes_to_the_rejects_file(db_engine, tmp_path):
    _promotions(db_engine)
    rejects = tmp_path / "rejects.csv"
    text = GOOD + "INV3,2026-07-03,C1,SKU1,1,48,NOPE\n"
    result = import_transactions(db_engine, write_csv(tmp_path / "erp.csv", text), MAP, rejects=rejects)
    assert (result.inserted, result.rejected) == (3, {"unknown promotion": 1})
    body = rejects.read_text(encoding="utf-8-sig").splitlines()
    assert body[1].startswith("5,unknown promotion") and body[1].endswith("NOPE")


def test_the_data_health_record_names_the_promotion_refusals(db_engine, tmp_path):
    from kam_core.i18n import tn

    _promotions(db_engine)
    text = GOOD + "INV3,2026-07-03,C1,SKU1,1,48,NOPE\nINV4,2026-07-03,C1,SKU2,1,60,P2\n"
    result = import_transactions(db_engine, write_csv(tmp_path / "erp.csv", text), MAP, rejects=tmp_path / "r.csv")
    assert result.details["lines_refused"] == {"unknown_promotion": 1, "promotion_sku_scope": 1}
    assert tn("import_health.refused.unknown_promotion", 1, "en") == "1 line refused: unknown promotion id."
    assert tn("import_health.refused.unknown_promotion", 2, "en") == "2 lines refused: unknown promotion id."
