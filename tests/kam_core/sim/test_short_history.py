"""Short history: a baseline without the month a year earlier is spread by seasonality, never zeros silently.

The ERP exports are in tests/realshaped/: ``mixed`` has two distributors with all of 2024 (A1, A2) beside a
distributor (N1) and two small shops (R1, R2) whose history starts in November or December 2024; ``all_new``
has only the three new accounts. The scenario is 2025 with a quarterly retroactive rebate.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kam_core.io.transactions import import_transactions, parse_mapping
from kam_core.sim import load_scenario, run_scenario
from kam_core.sim.baseline import describe_notices

FILES = Path(__file__).resolve().parents[2] / "realshaped"
MAP = parse_mapping(
    "invoice=单据号,date=日期,account_id=客户编码,account_name=客户名称,channel=渠道,"
    "sku=物料编码,product_name=物料名称,quantity=数量,unit_price=单价,unit_cost=成本"
)
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]
TIERS = [{"from": 100, "rate_per_case": 1.0}, {"from": 200, "rate_per_case": 2.0}]
SCENARIO = {
    "name": "2025 quarterly rebate",
    "period": {"start": "2025-01-01", "end": "2025-12-31"},
    "response": "none",
    "draws": 0,
    "programs": [{"type": "retro_tiered", "basis": "cases", "period": "quarter", "tiers": TIERS}],
}


def _monthly(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path, encoding="utf-8-sig", dtype={"客户编码": str})
    raw["ym"] = raw["日期"].str[:7]
    return raw.pivot_table(index="客户编码", columns="ym", values="数量", aggfunc="sum").fillna(0.0)


def _expected(path: Path) -> pd.DataFrame:
    """Independent pandas: the documented fallback (docs/methods_sim_baseline.md) for the short accounts and
    last year's months for the full ones (no trend: nothing a year before their last three months; the
    fallback takes no CNY re-split, its seasonal index is last year's months as they were)."""
    x = _monthly(path).reindex(columns=[f"2024-{m:02d}" for m in range(1, 13)], fill_value=0.0)
    full = [a for a in x.index if x.loc[a].gt(0).all()]
    season = x.loc[full].sum() / x.loc[full].sum().mean() if full else pd.Series(1.0, index=x.columns)
    out = {}
    for a in x.index:
        if a in full:  # Chinese New Year moved from February (2024) to January (2025): Jan and Feb swap
            out[a] = x.loc[a].to_numpy()[[1, 0, *range(2, 12)]]
            continue
        first = x.columns[x.loc[a].gt(0).argmax()]
        trail = [m for m in ("2024-10", "2024-11", "2024-12") if m >= first]
        rate = x.loc[a, trail].mean()
        out[a] = rate * season.to_numpy() / season[trail].mean()
    return pd.DataFrame(out, index=MONTHS).T


def _quarterly_rebate(months: pd.Series) -> float:
    quarters = months.to_numpy().reshape(4, 3).sum(axis=1)
    rate = np.select([quarters >= 200, quarters >= 100], [2.0, 1.0], 0.0)
    return float((rate * quarters).sum())


@pytest.mark.parametrize("name", ["erp_short_history_mixed.csv", "erp_short_history_all_new.csv"])
def test_history_starting_in_november_is_spread_over_the_year_by_seasonality(sqlite_engine, name):
    import_transactions(sqlite_engine, FILES / name, MAP)
    from kam_core.sim.book import build_book

    scenario = load_scenario(SCENARIO)
    book, ctx = build_book(sqlite_engine, scenario)
    expected = _expected(FILES / name)
    got = ctx.baseline.loc[expected.index, MONTHS]
    assert got.to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-12)
    for a in ("N1", "R1", "R2"):  # every month gets volume: not two months, not zeros
        assert (got.loc[a] > 0).all(), got.loc[a]
    result = run_scenario(sqlite_engine, scenario)
    rebate = {r["account_id"]: r["rebate"] for r in result["accounts"]}
    for a in expected.index:  # quarterly tiers are reached on the spread volume
        assert rebate[a] == pytest.approx(_quarterly_rebate(expected.loc[a]), rel=1e-9)
    notices = {n["code"]: n["accounts"] for n in result["notices"]}
    flat = name.endswith("all_new.csv")
    assert notices == ({"fallback": 3, "flat": 3} if flat else {"fallback": 3})
    assert set(describe_notices(result["notices"], "en")) <= set(result["warnings"])  # CLI/JSON readers see it
    zh = describe_notices(result["notices"], "zh")
    assert zh[0].startswith("3 个客户没有上一年同月的历史")


def test_the_fallback_of_the_mixed_file_takes_the_full_accounts_seasons(sqlite_engine):
    import_transactions(sqlite_engine, FILES / "erp_short_history_mixed.csv", MAP)
    from kam_core.sim.book import build_book

    _, ctx = build_book(sqlite_engine, load_scenario(SCENARIO))
    base = ctx.baseline
    assert base.loc["N1", "2025-07"] > base.loc["N1", "2025-02"] * 2  # the July peak of A1 + A2 (270 vs 120)
    # 75 a month over Nov–Dec, whose A1 + A2 cases (135, 175) are below their 2024 mean month (2,110 / 12)
    assert base.loc["N1", "baseline"] == pytest.approx(75 * 2110 / ((135 + 175) / 2), rel=1e-12)
    assert base.loc[["A1", "A2"], "method"].tolist() == ["last_year", "last_year"]
    assert base.loc[["N1", "R1", "R2"], "method"].tolist() == ["run_rate"] * 3
