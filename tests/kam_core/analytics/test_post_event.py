"""Post-event review: DiD on a literal fixture (by hand and by independent pandas), SKU scope, cost and ROI,
and the planted demo campaign recovered within the interval."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert

from kam_core.analytics.post_event import build_changes, compute_did, roi_of, sim_programs
from kam_core.db.schema import (
    account,
    order_header,
    order_line,
    product,
    promotion,
    promotion_account,
    promotion_sku,
    redemption,
)
from kam_core.errors import UserError
from kam_core.queries.post_event_run import review_promotion
from tests.kam_core.io.io_helpers import seed_reference

PRE, EVENT = dt.date(2026, 5, 31), dt.date(2026, 7, 31)  # the pre-period of July is 31 May to 30 June
# (account, participant, SKU1 pre, SKU1 event, SKU2 pre, SKU2 event): participants +30, controls +10 on SKU1;
# SKU2 is outside the promotion's scope and moves the other way, so counting it would change the answer
ROWS = [
    ("C1", True, 10, 40, 100, 0),
    ("C2", True, 20, 50, 0, 0),
    ("C3", False, 10, 20, 0, 80),
    ("C4", False, 30, 40, 0, 0),
]
LIST, INVOICE, COGS = 50.0, 48.0, 30.0


def _account(aid: str) -> dict:
    return {
        "account_id": aid,
        "name": aid,
        "tier_code": "RETAIL",
        "region_id": "R01A",
        "status": "active",
        "contract_type": "noncontractual",
        "exclusive_agreement": False,
        "data_sharing": False,
        "jbp_in_place": False,
        "created_source": "test",
        "version": 1,
    }


def _seed(engine) -> None:
    seed_reference(engine)
    heads, lines = [], []
    for aid, _, *cases in ROWS:
        for (day, sku), qty in zip(
            [(PRE, "SKU1"), (EVENT, "SKU1"), (PRE, "SKU2"), (EVENT, "SKU2")], cases, strict=True
        ):
            if not qty:
                continue
            oid = f"{aid}-{day:%m}-{sku}"
            heads.append({"order_id": oid, "account_id": aid, "order_date": day})
            lines.append(
                {
                    "order_id": oid,
                    "line_no": 1,
                    "sku_id": sku,
                    "qty_cases": float(qty),
                    "list_price": LIST,
                    "invoice_price": INVOICE,
                    "off_invoice_disc": LIST - INVOICE,
                    "cogs_per_case": COGS,
                    "promo_id": "CP1" if day == EVENT and sku == "SKU1" and aid in ("C1", "C2") else None,
                }
            )
    with engine.begin() as conn:
        prods = [
            {"sku_id": s, "name": s, "brand": "", "segment": "mainstream", "pack": "bottle"} for s in ("SKU1", "SKU2")
        ]
        conn.execute(insert(product), prods)
        conn.execute(insert(account), [_account(r[0]) for r in ROWS])
        conn.execute(
            insert(promotion),
            {
                "promo_id": "CP1",
                "name": "July coupon",
                "mechanic": "coupon",
                "start_date": dt.date(2026, 7, 1),
                "end_date": dt.date(2026, 7, 31),
                "tier_code": "RETAIL",
                "coupon_face_value": 2.0,
                "expected_redemption": 0.5,
                "fixed_cost": 100.0,
            },
        )
        conn.execute(insert(promotion_sku), {"promo_id": "CP1", "sku_id": "SKU1"})
        conn.execute(insert(promotion_account), [{"promo_id": "CP1", "account_id": a} for a, t, *_ in ROWS if t])
        conn.execute(insert(order_header), heads)
        conn.execute(insert(order_line), lines)
        conn.execute(
            insert(redemption),
            {
                "promo_id": "CP1",
                "account_id": "C1",
                "redeem_date": dt.date(2026, 7, 31),
                "units_redeemed": 30,
                "cost": 60.0,
            },
        )


def test_participants_up_30_and_controls_up_10_give_a_did_of_20_cases_per_account(db_engine):
    _seed(db_engine)
    review = review_promotion(db_engine, "CP1", n_boot=200, predict=False)
    cases = review.headline()["cases"]
    assert (cases.per_account, cases.treated_change, cases.control_change) == (20.0, 30.0, 10.0)
    assert (cases.n_treated, cases.n_control) == (2, 2)
    assert cases.total()[0] == 40.0
    assert cases.ci_low <= 20.0 <= cases.ci_high


def test_the_did_equals_an_independent_pandas_computation_on_the_scoped_sku_only(db_engine):
    _seed(db_engine)
    review = review_promotion(db_engine, "CP1", n_boot=0, predict=False)
    df = pd.DataFrame(ROWS, columns=["a", "t", "pre", "post", "pre2", "post2"])
    d = df["post"] - df["pre"]
    expected = d[df["t"]].mean() - d[~df["t"]].mean()
    wrong = df["post"] + df["post2"] - df["pre"] - df["pre2"]  # what counting SKU2 would give
    assert review.headline()["cases"].per_account == expected
    assert expected != wrong[df["t"]].mean() - wrong[~df["t"]].mean()
    gp = review.headline()["gross_profit"]
    assert gp.per_account == pytest.approx(expected * (LIST - COGS))  # margin before spend: list price − COGS


def test_cost_counts_redemptions_and_the_lump_sum_and_roi_is_incremental_gross_profit_over_cost(db_engine):
    _seed(db_engine)
    review = review_promotion(db_engine, "CP1", n_boot=0, predict=False)
    # tagged lines carry the 2.00 off-invoice discount: 30 + 40 participants' July cases of SKU1 (C1 40, C2 50)
    assert review.cost["discount"] == pytest.approx((40 + 50) * (LIST - INVOICE))
    assert (review.cost["redemptions"], review.cost["lump_sum"], review.cost["fees"]) == (60.0, 100.0, 0.0)
    total = 60.0 + 100.0 + 90 * 2.0
    assert review.cost["total"] == pytest.approx(total)
    assert review.roi[0] == pytest.approx(40 * (LIST - COGS) / total)


def test_a_manager_outside_the_region_sees_no_participants(db_engine):
    from kam_core.scope import Scope

    _seed(db_engine)
    with pytest.raises(UserError, match="no participating accounts"):
        review_promotion(db_engine, "CP1", scope=Scope("manager", "R02"), predict=False)


def test_strata_are_weighted_by_participants_and_strata_without_controls_are_left_out():
    ch = pd.DataFrame(
        {
            "stratum": ["a", "a", "a", "b", "b", "b", "b", "c"],
            "treated": [True, False, False, True, True, True, False, True],
            "d_cases": [5.0, 1.0, 3.0, 10.0, 12.0, 14.0, 2.0, 99.0],
        }
    )
    est = compute_did(ch, ["cases"], n_boot=0)["cases"]
    assert est.per_account == pytest.approx(0.25 * (5 - 2) + 0.75 * (12 - 2))
    assert (est.n_treated, est.n_control) == (4, 3)


def test_build_changes_keeps_only_accounts_that_bought_before():
    pool = pd.DataFrame({"account_id": ["x", "y", "z"], "tier_code": "RETAIL", "region_code": "R01"})
    before = pd.DataFrame({"account_id": ["x", "y"], "cases": [3.0, 0.0]})
    after = pd.DataFrame({"account_id": ["x", "y", "z"], "cases": [5.0, 9.0, 7.0]})
    out = build_changes(before, after, pool, ["x"])
    assert out["account_id"].tolist() == ["x"] and out["d_cases"].tolist() == [2.0]


def test_roi_is_none_without_cost_and_coupon_maps_to_a_cash_prize_per_case():
    est = compute_did(
        pd.DataFrame({"stratum": "s", "treated": [True, False], "d_gross_profit": [10.0, 0.0]}), ["gross_profit"], 0
    )["gross_profit"]
    assert roi_of(est, 0.0) is None and roi_of(est, 5.0)[0] == 2.0
    progs = sim_programs({"mechanic": "coupon", "coupon_face_value": 2.0, "expected_redemption": 0.6})
    assert progs == [{"type": "bottle_cap", "prize_value_per_case": 2.0, "redemption_rate": 0.6}]


def test_the_planted_demo_campaign_is_recovered_within_its_interval(demo_factory):
    engine = demo_factory(800, 24, 5)
    truth = pd.read_sql("SELECT * FROM demo_truth_promotion", engine).iloc[0]  # tests only; analytics never read it
    review = review_promotion(engine, truth["promo_id"], n_boot=1000, predict=True)
    est, low, high = review.headline()["cases"].total()
    assert low <= truth["incremental_cases"] <= high
    assert low > 0  # at this size the effect is distinguishable from no effect
    assert review.prediction is not None and review.prediction["incremental_cases"] > 0
    assert np.isfinite(review.roi[0])


def test_the_cli_prints_the_review_as_json_and_refuses_an_unknown_promotion(sqlite_engine, capsys):
    import json

    from kam_core.cli import main

    _seed(sqlite_engine)
    url = str(sqlite_engine.url)
    assert main(["post-event", "CP1", "--db", url, "--boot", "100", "--no-predict"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["estimates"]["pre"]["cases"]["per_account"] == 20.0
    assert out["estimates"]["pre"]["cases"]["total"] == 40.0
    assert out["promotion"]["skus"] == ["SKU1"] and out["cost"]["redemptions"] == 60.0
    assert main(["post-event", "NOPE", "--db", url]) == 1
    assert "Unknown promotion 'NOPE'" in capsys.readouterr().err


def test_a_promotion_known_only_from_tagged_lines_is_listed_and_its_buyers_are_participants(db_engine):
    from sqlalchemy import delete

    from kam_core.queries.post_event import list_past_promotions

    _seed(db_engine)
    with db_engine.begin() as conn:
        conn.execute(delete(promotion_account))  # participation now only from the ERP's promo_id tags
        listed = list_past_promotions(conn)
    assert listed[["promo_id", "participants"]].values.tolist() == [["CP1", 2]]
    assert review_promotion(db_engine, "CP1", n_boot=0, predict=False).headline()["cases"].per_account == 20.0
