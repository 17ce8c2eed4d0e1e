import pandas as pd
import pytest

from kam_core.report.scenario_charts import figure_profit_bands, figure_spend_and_profit, summarise_results


def result(name: str, profit: float, rebate: float, promo: float, bands: tuple | None = None) -> dict:
    totals = {
        "incremental_profit": profit,
        "rebate_cost": rebate,
        "promotion_cost": promo,
        "trade_spend": rebate + promo,
    }
    if bands:
        totals.update(dict(zip(("p10", "p50", "p90"), bands, strict=True)))
    return {"scenario": {"name": name}, "totals": totals}


RESULTS = [result("A", 1000.0, 300.0, 100.0, (500.0, 950.0, 1400.0)), result("B", -200.0, 800.0, 0.0)]


def test_the_summary_has_one_row_per_result_in_order():
    s = summarise_results(RESULTS)
    assert list(s["scenario"]) == ["A", "B"]
    assert s.loc[0, "trade_spend"] == 400.0 and pd.isna(s.loc[1, "p50"])


def test_a_result_without_totals_is_refused():
    with pytest.raises(ValueError, match="Result 1 has no totals"):
        summarise_results([RESULTS[0], {"scenario": {}}])


def test_the_band_spans_p10_to_p90_around_p50_only_where_draws_ran():
    fig = figure_profit_bands(summarise_results(RESULTS, ["#1", "#2"]), "en")
    bars, band = fig.data
    assert list(bars.x) == ["#1", "#2"] and list(bars.y) == [1000.0, -200.0]
    assert list(band.x) == ["#1"] and list(band.y) == [950.0]
    assert list(band.error_y.array) == [450.0] and list(band.error_y.arrayminus) == [450.0]


def test_promotion_cost_stacks_on_rebate_cost():
    fig = figure_spend_and_profit(summarise_results(RESULTS), "zh")
    rebate, promo, profit = fig.data
    assert list(promo.base) == [300.0, 800.0] and list(profit.y) == [1000.0, -200.0]
    assert fig.layout.title.text == "费用与增量利润"
