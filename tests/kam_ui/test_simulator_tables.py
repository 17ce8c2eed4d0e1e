"""The simulator's table helper on literal frames: labels, formats, missing values, the comparison's differences."""

import numpy as np
import pandas as pd
import pytest

from kam_ui.simulator_tables import comparison, labelled


def test_only_labelled_columns_are_shown_rounded_to_what_the_reader_sees(monkeypatch):
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    df = pd.DataFrame(
        {
            "account_id": ["A1", "A2"],
            "name": ["杭州一批", "余杭二批"],
            "channel": ["DIST", "KA"],
            "rebate": [1234.5678, 10.4],
            "price_per_case": [30.123, 29.999],
            "baseline_cases": [1199.6, 800.2],
            "roi": [0.123456, -0.5],
            "floor_price": [25.0, np.nan],
            "below_floor": [False, True],
        }
    )
    shown, config = labelled(df)
    assert list(shown.columns) == [
        "Name",
        "Channel",
        "Rebate (to the account)",
        "Price per case",
        "Baseline cases",
        "ROI",
        "Floor price",
        "Below floor",
    ]
    assert list(shown["Channel"]) == ["Distributors", "KA hypermarkets"]
    assert list(shown["Rebate (to the account)"]) == [round(1234.5678), round(10.4)]
    assert list(shown["Price per case"]) == [30.12, 30.0]
    assert list(shown["Baseline cases"]) == [1200, 800] and shown["Baseline cases"].dtype == "int64"
    assert list(shown["ROI"]) == [0.1235, -0.5]
    assert list(shown["Floor price"]) == ["¥25.00", "—"]  # a missing value is a word, not nan
    assert list(shown["Below floor"]) == ["no", "yes"]
    assert set(config) == set(shown.columns)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_comparison_shows_signed_differences_with_percent_and_the_band(monkeypatch, lang):
    monkeypatch.setenv("KAM_DEFAULT_LANG", lang)
    table = pd.DataFrame(
        {"Base": [1000.0, 0.25, 100.0, 300.0, np.nan], "Push": [1500.0, 0.20, 80.0, 123_456.0, np.nan]},
        index=pd.Index(["rebate_cost", "roi", "p10", "p90", "p_roi_negative"], name="metric"),
    )
    table["Δ Push vs Base"] = table["Push"] - table["Base"]
    out = comparison(table, lang)
    delta = {"en": "Push vs Base", "zh": "Push 比 Base"}[lang]
    assert list(out.columns) == ["Base", "Push", delta]
    rebate = {"en": "Rebate cost", "zh": "返利成本"}[lang]
    band = {"en": "Incremental profit, P10–P90 band", "zh": "增量利润 P10–P90 区间"}[lang]
    assert list(out.index) == [rebate, {"en": "ROI", "zh": "投资回报率"}[lang], *out.index[2:4], band]
    assert len(out) == 5  # the metric no run has (p_roi_negative) is left out
    assert out.loc[rebate].tolist() == ["¥1,000", "¥1,500", f"+¥{1500 - 1000:,} (+{(1500 - 1000) / 1000:.1%})"]
    roi = out.iloc[1]
    assert roi.iloc[:2].tolist() == ["25.0%", "20.0%"]
    assert roi.iloc[2] == {"en": "−5 pp", "zh": "−5 个百分点"}[lang]  # points, not −20 %
    assert out.iloc[2, 2] == f"−¥20 ({-20 / 100:.1%})".replace("-", "−")
    big = {"en": "¥123.5K", "zh": "¥12.3万"}[lang]  # totals from ¥10,000 compact, as the KPI tiles
    assert out.loc[band].tolist() == ["¥100 – ¥300", f"¥80 – {big}", ""]
