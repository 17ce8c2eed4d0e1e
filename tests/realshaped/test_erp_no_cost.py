"""An ERP file whose lines partly lack a unit cost: profit figures are withheld or marked, never a 100% margin."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kam_core.analytics.inputs import describe_health
from kam_core.cli import main
from kam_core.io.transactions import import_transactions
from kam_core.queries.scorecard import compute_scorecard_bundle

FILE = Path(__file__).with_name("erp_no_cost_lines.csv")


@pytest.fixture
def bundle(db_engine):
    import_transactions(db_engine, FILE, {})
    return compute_scorecard_bundle(db_engine)


def _expected() -> pd.DataFrame:
    """Independent pandas reading of the file: a line's cost is its unit_cost, else the first unit_cost of its
    SKU, else unknown; freight is a service line (not sales)."""
    lines = pd.read_csv(FILE)
    lines = lines[lines["sku"] != "FRT"].copy()
    first = lines.dropna(subset=["unit_cost"]).groupby("sku")["unit_cost"].first()
    lines["cost"] = lines["unit_cost"].fillna(lines["sku"].map(first))
    lines["sales"] = lines["quantity"] * lines["unit_price"]
    lines["uncosted"] = lines["sales"].where(lines["cost"].isna(), 0.0)
    lines["cogs"] = (lines["quantity"] * lines["cost"]).fillna(0.0)
    g = lines.groupby("account_id")[["sales", "uncosted", "cogs"]].sum()
    g["coverage"] = 1 - g["uncosted"] / g["sales"]
    return g


def test_net_sales_and_cost_coverage_match_an_independent_pandas_reading(bundle):
    sc = bundle.scorecard.set_index("account_id").sort_index()
    exp = _expected()
    np.testing.assert_allclose(sc["net_sales"], exp["sales"])
    np.testing.assert_allclose(sc["cost_coverage"], exp["coverage"])
    assert sc["net_sales"].to_dict() == {"C01": 1480.0, "C02": 1500.0, "C03": 1260.0, "C04": 210.0}
    assert sc["cost_basis"].to_dict() == {"C01": "known", "C02": "partial", "C03": "none", "C04": "none"}
    assert sc.loc["C02", "cost_coverage"] == pytest.approx(0.8) and sc.loc["C04", "cost_coverage"] == pytest.approx(
        60 / 210
    )


def test_accounts_without_enough_cost_data_get_no_profit_figures_tier_or_clv(bundle):
    sc = bundle.scorecard.set_index("account_id")
    for col in ("gross_profit", "net_profit", "clv"):
        assert sc.loc[["C03", "C04"], col].isna().all(), col
    for col in ("pyramid_tier", "abc_class_profit"):
        assert sc.loc[["C03", "C04"], col].isna().all(), col
    assert sc.loc["C01", "gross_profit"] == pytest.approx(1480 - 970)
    assert sc.loc["C02", "gross_profit"] == pytest.approx(1500 - 20 * 40)  # the uncosted 300 counts at cost 0
    assert sc.loc[["C01", "C02"], "pyramid_tier"].notna().all()


def test_the_pyramid_and_whale_curve_rank_only_the_costed_accounts(bundle):
    sc = bundle.scorecard.set_index("account_id")
    # two costed RETAIL accounts: C02 (700) ranks 1 of 2 (p = 0.5, gold), C01 (510) 2 of 2 (iron)
    assert sc.loc["C02", "pyramid_tier"] == "gold" and sc.loc["C01", "pyramid_tier"] == "iron"
    assert bundle.whale.n_accounts == 2 and bundle.whale.total_profit == pytest.approx(510 + 700)


def test_a_data_health_item_says_how_many_accounts_lack_cost_data_in_both_languages(bundle):
    item = next(i for i in bundle.health if i["code"] == "cost_unknown")
    assert (item["none"], item["partial"], item["accounts"]) == (2, 1, 4)
    en = describe_health([item], "en")[0]
    zh = describe_health([item], "zh")[0]
    assert en.startswith("2 of 4 accounts have too little cost data (under 50%") and "1 more" in en
    assert "2 个客户" in zh and "成本数据不足" in zh


def test_one_tier_of_erp_created_accounts_is_said_in_the_data_health(bundle):
    item = next(i for i in bundle.health if i["code"] == "one_tier_from_erp")
    assert item == {"code": "one_tier_from_erp", "tier": "RETAIL", "accounts": 4}
    assert "one channel tier (RETAIL)" in describe_health([item], "en")[0]


def test_the_cli_accounts_command_prints_the_cost_basis_empty_profit_cells_and_a_note(sqlite_engine, capsys):
    # SQLite only: the PostgreSQL fixture's schema lives in connect_args, which a --db URL cannot carry
    import_transactions(sqlite_engine, FILE, {})
    db = sqlite_engine.url.render_as_string(hide_password=False)
    assert main(["accounts", "--db", db, "--format", "csv"]) == 0
    out = capsys.readouterr()
    df = pd.read_csv(io.StringIO(out.out), dtype=str, keep_default_na=False).set_index("account_id")
    assert df["cost_basis"].to_dict() == {"C01": "known", "C02": "partial", "C03": "none", "C04": "none"}
    assert df.loc["C03", ["gross_profit", "net_profit", "clv", "pyramid_tier"]].tolist() == ["", "", "", ""]
    assert df.loc["C01", "gross_profit"] == "510.0"
    assert "note: 2 of 4 accounts have too little cost data" in out.err


def test_the_scorecard_export_carries_the_cost_basis_column(db_engine, tmp_path):
    from kam_core.io.exports import export

    import_transactions(db_engine, FILE, {})
    export(db_engine, "scorecard", "csv", tmp_path / "sc.csv")
    df = pd.read_csv(tmp_path / "sc.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert df.set_index("account_id")["cost_basis"].to_dict()["C04"] == "none"
    assert df.set_index("account_id").loc["C04", "gross_profit"] == ""
