"""The demo generator: determinism, planted truth that shows in the tables, realism, integrity, engines, CLI."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pandas as pd
import pytest
from demo_features import (
    FEATURES,
    compute_features,
    diversion_signals,
    nearest_prototype,
    read,
    standardise,
)
from sqlalchemy import func, select

from kam_core.db import ensure_schema, get_engine
from kam_core.db.schema import account, metadata
from kam_core.demo import generate
from kam_core.errors import UserError


def _table_hashes(engine) -> dict[str, str]:
    out = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            # when the pre-aggregate was built and when each table last changed: times, not data
            if table.name in ("aggregate_state", "table_version"):
                continue
            rows = sorted(map(repr, conn.execute(select(table)).all()))
            out[table.name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return out


def _fresh(tmp_path, name: str, accounts: int = 60, months: int = 6, seed: int = 5):
    engine = get_engine(f"sqlite:///{tmp_path / name}")
    ensure_schema(engine)
    generate(engine, accounts=accounts, months=months, seed=seed)
    return engine


@pytest.fixture(scope="module")
def planted(demo_engine):
    """Features, diversion signals and truth of the shared 400-account demo."""
    f, as_of = compute_features(demo_engine)
    truth = read(demo_engine, "demo_truth").set_index("account_id")
    sig = diversion_signals(demo_engine, as_of)
    return f.join(truth), sig.join(truth), truth


def test_same_seed_gives_identical_tables_and_another_seed_does_not(tmp_path):
    a = _table_hashes(_fresh(tmp_path, "a.db", seed=5))
    b = _table_hashes(_fresh(tmp_path, "b.db", seed=5))
    c = _table_hashes(_fresh(tmp_path, "c.db", seed=6))
    assert a == b
    changed = [t for t in ("account", "order_line", "visit", "demo_truth", "code_scan") if a[t] != c[t]]
    assert len(changed) == 5


def test_each_type_leads_the_features_its_prototype_says(planted):
    f, _, _ = planted
    typed = f[f["value_type"].notna()]
    med = typed.groupby("value_type")[FEATURES].median()
    mean = typed.groupby("value_type")[FEATURES].mean()
    for feat in ("promo_share", "competitor_brands", "price_sensitivity"):
        assert med[feat].idxmax() == "intrinsic", feat
    for feat in ("advice_events", "service_min_per_10k", "premium_mix"):
        assert med[feat].idxmax() == "extrinsic", feat
    for feat in ("tenure_years", "contact_levels", "co_invest_ratio"):
        assert med[feat].idxmax() == "strategic", feat
    for feat in ("exclusivity", "data_sharing"):
        assert mean[feat].idxmax() == "strategic", feat


def test_nearest_prototype_recovers_the_planted_types(planted):
    f, _, _ = planted
    typed = f[f["value_type"].notna()]
    pred = nearest_prototype(standardise(typed))
    assert (pred == typed["value_type"]).mean() >= 0.9


def test_typed_accounts_are_the_key_accounts_in_the_planted_mix_and_size_does_not_reveal_type(planted):
    f, _, truth = planted
    share = truth["value_type"].notna().mean()
    assert 0.2 <= share <= 1 / 3
    typed = f[f["value_type"].notna()]
    mix = typed["value_type"].value_counts(normalize=True)
    assert mix["intrinsic"] > mix["extrinsic"] > mix["strategic"] > 0.1
    # size within tier is not a type signal: median sales rank per type stays near the middle
    rank = typed.groupby("tier")["net_sales"].rank(pct=True)
    assert rank.groupby(typed["value_type"]).median().between(0.3, 0.7).all()
    # typed = the biggest accounts of each tier
    for _tier, g in f.groupby("tier"):
        if len(g) >= 20:
            assert (
                g.loc[g["value_type"].notna(), "net_sales"].min() >= g.loc[g["value_type"].isna(), "net_sales"].median()
            )


def test_butterflies_are_big_and_disloyal_while_other_big_accounts_are_loyal(planted):
    f, _, truth = planted
    n = len(truth)
    assert truth["high_volume_low_loyalty"].sum() >= max(5, 0.02 * n)
    f = f.assign(vol_pct=f.groupby("tier")["cases"].rank(pct=True))
    hv = f[f["high_volume_low_loyalty"]]
    assert (hv["vol_pct"] >= 0.8).all()
    assert (hv["sow"] < 0.45).all() and (hv["competitor_brands"] >= 3).all()
    assert (hv["gap_cv"] > 1).mean() >= 0.9 and (hv["nps_mean"] <= 6).all()
    assert (~hv["exclusive_agreement"]).all() and (hv["tenure_years"] >= 1).all() and (hv["n_orders"] >= 6).all()
    loyal = f[(f["vol_pct"] >= 0.8) & ~f["high_volume_low_loyalty"]]
    assert loyal["sow"].median() >= 0.65 and loyal["gap_cv"].median() < 0.6 and loyal["nps_mean"].median() >= 8


def test_diverters_show_three_signals_and_honest_accounts_at_most_one(planted):
    _, sig, truth = planted
    n = len(truth)
    assert truth["diverter"].sum() >= max(5, 0.02 * n)
    hits = pd.DataFrame(
        {
            "S1": (sig["s1"] > 0.05) & (sig["n_scans"] >= 20),
            "S2": sig["s2"] > 1.5,
            "S4": sig["s4"] > 0.35,
            "S5": sig["s5"] >= 1,
            "S7": sig["s7"] > 0.10,
        }
    ).fillna(False)
    k = hits.sum(axis=1)
    div = sig["diverter"].fillna(False).astype(bool)
    assert (k[div] >= 3).mean() >= 0.9
    assert (k[~div] <= 1).all()
    assert 0 < (k[~div] == 1).mean() < 0.1  # a few honest accounts show one signal by chance
    assert sig.loc[div, "tier"].isin(["DIST", "WHS2"]).mean() >= 0.7


def test_summer_sells_more_than_winter_and_pareto_holds_per_tier(demo_engine):
    oh = read(demo_engine, "order_header")
    ol = read(demo_engine, "order_line").merge(oh, on="order_id")
    month = pd.to_datetime(ol["order_date"]).dt.month
    by_month = ol.groupby(month)["qty_cases"].sum()
    summer, winter = by_month[[6, 7, 8]].mean(), by_month[[11, 12, 1, 2]].mean()
    assert summer / winter > 1.4
    acc = read(demo_engine, "account").set_index("account_id")
    sales = (ol["qty_cases"] * ol["invoice_price"]).groupby(ol["account_id"]).sum()
    for tier, s in sales.groupby(acc.loc[sales.index, "tier_code"]):
        s = s.sort_values(ascending=False)
        assert s.head(max(1, len(s) // 5)).sum() / s.sum() > 0.6, tier


def test_references_hold_and_supply_chain_is_wired(demo_engine):
    acc = read(demo_engine, "account").set_index("account_id")
    oh = read(demo_engine, "order_header")
    assert oh["account_id"].isin(acc.index).all()
    region = read(demo_engine, "region").set_index("region_id")
    parent_tier = acc["parent_account_id"].map(acc["tier_code"])
    assert (parent_tier[acc["tier_code"] == "WHS2"] == "DIST").all()
    shops = acc[acc["tier_code"].isin(["RETAIL", "ONPREM"])]
    assert parent_tier[shops.index].isin(["DIST", "WHS2"]).all()
    same_region = (
        region.loc[shops["region_id"], "path"].str[:3].to_numpy()
        == region.loc[acc.loc[shops["parent_account_id"], "region_id"], "path"].str[:3].to_numpy()
    )
    assert same_region.all()
    assert (region.loc[acc["region_id"], "level"] == "street").all()
    assert set(acc["status"]) == {"prospect", "negotiating", "signed", "active", "lost"}
    no_orders = set(acc.index[acc["status"].isin(["prospect", "negotiating"])])
    assert not no_orders & set(oh["account_id"])
    counts = acc["tier_code"].value_counts(normalize=True)
    assert 0.45 < counts["RETAIL"] < 0.65 and counts["DIST"] >= 0.03
    lines = read(demo_engine, "order_line")
    assert (lines["qty_cases"] < 0).any() and (lines["cogs_per_case"] < lines["list_price"]).all()


def test_cost_of_goods_is_frozen_at_sale_and_rises_over_time(demo_engine):
    lines = read(demo_engine, "order_line").merge(read(demo_engine, "order_header"), on="order_id")
    sku = lines[lines["sku_id"] == "JC-QS500B"].sort_values("order_date")
    assert sku["cogs_per_case"].iloc[0] < sku["cogs_per_case"].iloc[-1]
    rs = read(demo_engine, "rebate_settlement")
    assert rs["interim"].astype(bool).any() and (~rs["interim"].astype(bool)).any()


def test_generator_runs_on_postgresql_and_sqlite(db_engine):
    summary = generate(db_engine, accounts=60, months=6, seed=2)
    with db_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(account)).scalar() == 60
    assert summary.order_lines > 1000 and summary.diverters >= 5 and summary.high_volume_low_loyalty >= 5
    assert "60 accounts" in str(summary)
    generate(db_engine, accounts=40, months=4, seed=3, replace=True)  # deletes children before parents
    with db_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(account)).scalar() == 40


def test_generator_runs_on_duckdb(tmp_path):
    engine = get_engine(f"duckdb:///{tmp_path / 'kam.duckdb'}")
    summary = generate(engine, accounts=40, months=4, seed=2)
    truth = read(engine, "demo_truth")
    assert len(truth) == 40 and summary.order_lines == len(read(engine, "order_line"))
    engine.dispose()


def test_existing_data_is_refused_unless_replace_and_replace_regenerates(tmp_path):
    engine = _fresh(tmp_path, "r.db", accounts=40, months=4)
    with pytest.raises(UserError, match="already holds 40 accounts; pass --replace"):
        generate(engine, accounts=50, months=4, seed=1)
    calls = []
    generate(engine, accounts=50, months=4, seed=1, replace=True, progress=lambda f, m: calls.append(f))
    assert len(read(engine, "account")) == 50 and len(read(engine, "demo_truth")) == 50
    assert calls == sorted(calls) and calls[-1] == 1.0 and len(calls) >= 5


@pytest.mark.parametrize(
    "kwargs",
    [dict(accounts=5), dict(months=0), dict(end="31/10/2026")],
    ids=["too-few-accounts", "no-months", "bad-end-date"],
)
def test_bad_arguments_are_user_errors(tmp_path, kwargs):
    engine = get_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(UserError):
        generate(engine, **{"accounts": 40, "months": 4, **kwargs})


def test_cli_demo_exits_zero(tmp_path):
    db = tmp_path / "cli.db"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "kam_core",
            "demo",
            "--accounts",
            "50",
            "--months",
            "6",
            "--seed",
            "3",
            "--db",
            f"sqlite:///{db}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "50 accounts" in run.stdout
    assert len(read(get_engine(f"sqlite:///{db}"), "account")) == 50
