"""The scorecard end to end on a small synthetic brewer and on an ERP-only database."""

from __future__ import annotations

import datetime as dt
import pathlib

import pandas as pd
import pytest
from analytics_synth import build_synth
from sqlalchemy import func, select, text

from kam_core.analytics.scorecard import DESIGN_COLUMNS, scorecard_columns
from kam_core.db import ensure_schema, get_engine
from kam_core.db import schema as s
from kam_core.db.bulk import bulk_insert
from kam_core.queries.scorecard import compute_scorecard, compute_scorecard_bundle
from kam_core.queries.snapshots import store_snapshot

ROOT = pathlib.Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    engine = get_engine(f"sqlite:///{tmp_path_factory.mktemp('synth') / 'synth.db'}")
    ensure_schema(engine)
    truth = build_synth(engine, n=48, months=14, seed=3)
    yield engine, truth
    engine.dispose()


@pytest.fixture(scope="module")
def bundle(synth):
    return compute_scorecard_bundle(synth[0], as_of="2026-06-30")


def test_scorecard_has_the_design_columns_and_allowed_values(bundle):
    df = scorecard_columns(bundle.scorecard)
    assert list(df.columns[: len(DESIGN_COLUMNS)]) == DESIGN_COLUMNS
    assert df["account_id"].is_unique and len(df) == 48
    assert set(df["pyramid_tier"]) <= {"platinum", "gold", "iron", "lead"}
    assert set(df["size_tier"]) <= {"vip", "major", "ordinary", "small"}
    assert set(df["abc_class"]) <= {"A", "B", "C"}
    assert df["high_volume_low_loyalty"].dtype == bool and df["diversion_flag"].dtype == bool
    assert df["loyalty_score"].between(0, 100).all()
    assert (df["loyalty_basis"] == "based on 5/6 components").all()  # no capability assessments in this database


def test_region_levels_are_the_segments_of_each_accounts_region_path(bundle):
    df = bundle.scorecard
    assert df["region_path"].nunique() > 1
    for path, region, area, community, street in df[
        ["region_path", "region", "area", "community", "street"]
    ].itertuples(index=False):
        parts = (path.split("/") if isinstance(path, str) else []) + [None] * 4
        got = [None if v != v else v for v in (region, area, community, street)]  # NaN: no such level
        assert got == [p or None for p in parts[:4]], path
    assert df["region"].dtype == object


def test_planted_high_volume_low_loyalty_accounts_are_flagged_with_reasons(synth, bundle):
    df = bundle.scorecard.set_index("account_id")
    flagged = set(df.index[df["high_volume_low_loyalty"]])
    assert synth[1]["hvll"] <= flagged
    assert len(flagged - synth[1]["hvll"]) <= 1
    for acc in synth[1]["hvll"]:
        reasons = df.loc[acc, "hvll_reasons"]
        assert len(reasons) == 3 and any("share of wallet" in r or "exclusivity" in r for r in reasons)


def test_planted_diverters_are_flagged_with_evidence_and_rank_first(synth, bundle):
    df = bundle.scorecard.set_index("account_id")
    assert set(df.index[df["diversion_flag"]]) == synth[1]["diverters"]
    top = df.sort_values("diversion_score", ascending=False).index[:2]
    assert set(top) == synth[1]["diverters"]
    ev = df.loc[sorted(synth[1]["diverters"])[0], "diversion_evidence"]
    assert any(e.startswith("S7") for e in ev) and any(e.startswith("S5") for e in ev)


def test_net_profit_is_gross_profit_less_rebates_promotions_and_cost_to_serve(bundle):
    df = bundle.scorecard
    expected = df["gross_profit"] - df["rebates"] - df["promo_spend"] - df["cost_to_serve"]
    assert (df["net_profit"] - expected).abs().max() < 1e-6
    assert ((df["pyramid_tier"] == "lead") == (df["net_profit"] <= 0)).all()


def test_scorecard_is_deterministic(synth, bundle):
    again = compute_scorecard(synth[0], as_of="2026-06-30")
    cols = [c for c in DESIGN_COLUMNS if c not in ("value_type", "value_type_confidence")]
    pd.testing.assert_frame_equal(again[cols], bundle.scorecard[cols])


def test_whale_summary_and_health_notes_come_with_the_bundle(bundle):
    assert bundle.whale.n_accounts == 48 and bundle.whale.top20_share > 0
    assert "rebates" in bundle.missing_inputs and "visits" not in bundle.missing_inputs
    assert any("rebates" in note for note in bundle.data_health)


def test_snapshots_store_labels_and_metrics_and_replace_on_rerun(synth, bundle):
    engine = synth[0]
    assert store_snapshot(engine, bundle.scorecard) == 48
    assert store_snapshot(engine, bundle.scorecard) == 48
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(s.classification_snapshot)).scalar()
        row = conn.execute(select(s.classification_snapshot).limit(1)).mappings().first()
        m = conn.execute(select(func.count()).select_from(s.account_metrics_snapshot)).scalar()
    assert n == 48 and m == 48
    assert row["params_hash"] and row["method"].startswith("scorecard") and str(row["as_of"]) == "2026-06-30"


def test_analytics_sources_never_mention_demo_truth():
    for folder in ("kam_core/analytics", "kam_core/figures"):
        for path in (ROOT / folder).rglob("*.py"):
            assert "demo_truth" not in path.read_text(encoding="utf-8"), path


def test_scorecard_runs_when_demo_truth_is_dropped(synth):
    engine = synth[0]
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS demo_truth"))
    assert len(compute_scorecard(engine, as_of="2026-06-30")) == 48


def _erp_only(engine) -> None:
    f = pd.DataFrame
    heads, lines = [], []
    for i in range(30):
        acc = f"C{i:02d}"
        for k in range(8):
            oid = f"{acc}-{k}"
            heads.append(
                {
                    "order_id": oid,
                    "account_id": acc,
                    "order_date": dt.date(2025, 7, 3) + dt.timedelta(days=40 * k + i),
                    "source": "erp",
                    "settlement_mode": "cash",
                    "payment_terms_days": 0,
                    "delivery_cost": 0.0,
                    "is_return": False,
                }
            )
            lines.append(
                {
                    "order_id": oid,
                    "line_no": 1,
                    "sku_id": "X1",
                    "qty_cases": float(5 + i * (k + 1)),
                    "list_price": 50.0,
                    "invoice_price": 50.0 - i,
                    "cogs_per_case": 30.0,
                    "off_invoice_disc": 0.0,
                    "free_qty_cases": 0.0,
                }
            )
    with engine.begin() as conn:
        bulk_insert(
            conn,
            s.channel_tier,
            f([{"tier_code": "RETAIL", "name_zh": "小终端", "name_en": "Retail", "level_in_chain": 4}]),
        )
        bulk_insert(
            conn,
            s.account,
            f(
                [
                    {
                        "account_id": f"C{i:02d}",
                        "name": f"客户{i}",
                        "tier_code": "RETAIL",
                        "status": "active",
                        "contract_type": "noncontractual",
                        "exclusive_agreement": False,
                        "data_sharing": False,
                        "jbp_in_place": False,
                        "created_source": "erp",
                        "version": 1,
                    }
                    for i in range(30)
                ]
            ),
        )
        bulk_insert(
            conn,
            s.product,
            f(
                [
                    {
                        "sku_id": "X1",
                        "name": "啤酒",
                        "brand": "",
                        "segment": "mainstream",
                        "pack": "bottle",
                        "units_per_case": 12,
                        "liters_per_case": 6.0,
                        "returnable": False,
                        "deposit_per_case": 0.0,
                        "is_service": False,
                    }
                ]
            ),
        )
        bulk_insert(conn, s.order_header, f(heads))
        bulk_insert(conn, s.order_line, f(lines))


def test_erp_only_database_still_gives_pyramid_abc_whale_and_rfm_loyalty(db_engine):
    _erp_only(db_engine)
    b = compute_scorecard_bundle(db_engine)
    df = b.scorecard
    assert len(df) == 30
    assert df["pyramid_tier"].notna().all() and df["abc_class"].notna().all()
    assert (df["abc_class"] == "A").any() and b.whale.n_accounts == 30
    assert df["loyalty_score"].notna().all()
    assert (df["loyalty_basis"] == "based on 2/6 components + recency and frequency").all()
    assert df["pr_recency"].notna().all()
    assert {"visits", "surveys", "category_volume", "receivables"} <= set(b.missing_inputs)
    assert not df["diversion_flag"].any() and df["credit_grade"].isna().all()


def test_tier_migration_between_two_as_of_dates_counts_every_account_once(synth):
    from kam_core.queries.scorecard import compute_tier_migration_between

    m = compute_tier_migration_between(synth[0], "2026-03-31", "2026-06-30")
    assert int(m.to_numpy().sum()) == 48
    assert list(m.index) == [t for t in ("platinum", "gold", "iron", "lead", "new") if t in m.index]


def test_a_managers_bundle_holds_no_other_regions_accounts(synth):
    from kam_core.scope import Scope

    b = compute_scorecard_bundle(synth[0], as_of="2026-06-30", scope=Scope("manager", "R02"))
    assert len(b.scorecard) == 24 and set(b.scorecard["region"]) == {"R02"}
    mine = set(b.scorecard["account_id"])
    assert set(b.whale_curve["account_id"]) == mine and set(b.features["account_id"]) == mine
    if b.value_types is not None:
        assert set(b.value_types.labels["account_id"]) <= mine and set(b.value_types.z.index) <= mine
