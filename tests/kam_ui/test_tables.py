"""kam_ui.tables on a literal frame: headers, codes, figures, dates and gaps as the browser receives them."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from kam_core.i18n import format_money, format_pct, t


def _script() -> None:
    import datetime as dt

    import pandas as pd
    import streamlit as st

    from kam_ui.tables import show_matrix, show_table

    st.session_state["lang"] = st.query_params.get("lang", "zh")
    frame = pd.DataFrame(
        {
            "account_id": ["A1", "A2", "A3"],
            "name": ["甲酒业", "乙超市", "丙餐厅"],
            "name_en": ["Jia Drinks", None, "Bing Bistro"],
            "channel": ["DIST", "KA", None],
            "net_sales": [188022.92, 1234.5, 0.4],
            "churn_prob": [0.12345, 0.5, 1.0],
            "volume_cases": [12.0, 3.0, 7.0],
            "cost_to_serve": [10.25, None, 3.0],
            "last_order_date": [dt.date(2026, 3, 1), None, dt.date(2026, 1, 5)],
            "score": [0.98765, 1.5, 2.0],
        }
    )
    show_table(frame.drop(columns=["account_id"]), {"score": "Score"})
    matrix = pd.DataFrame([[3, 1], [0, 2]], index=["gold", "new"], columns=["gold", "gone"])
    names = {"gold": "金", "new": "新", "gone": "流失"}
    show_matrix(matrix, "before ↓ / after →", names, names)


@pytest.fixture(params=["zh", "en"])
def shown(request):
    at = AppTest.from_function(_script, default_timeout=60)
    at.query_params["lang"] = request.param
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return request.param, at.dataframe


def test_headers_are_labels_and_codes_are_names(shown):
    lang, tables = shown
    config = json.loads(tables[0].proto.columns)
    labels = {col: conf["label"] for col, conf in config.items() if "label" in conf}
    assert labels["net_sales"] == t("col.net_sales", lang)
    assert labels["channel"] == t("col.channel", lang)
    assert labels["score"] == "Score"
    assert "name_en" not in tables[0].value.columns  # one name column, in the viewer's language
    values = tables[0].value
    assert values["channel"].tolist() == [t("channel.DIST", lang), t("channel.KA", lang), t("common.none", lang)]
    expected_names = ["Jia Drinks", "乙超市", "Bing Bistro"] if lang == "en" else ["甲酒业", "乙超市", "丙餐厅"]
    assert values["name"].tolist() == expected_names  # no English name: the Chinese one, not a blank


def test_figures_are_rounded_by_kind_and_gaps_are_a_word(shown):
    lang, tables = shown
    values, config = tables[0].value, json.loads(tables[0].proto.columns)
    assert values["net_sales"].tolist() == [188023.0, 1234.0, 0.0]  # whole yuan (banker's rounding of .5)
    assert config["net_sales"]["type_config"]["format"] == "yen"
    assert values["churn_prob"].tolist() == [0.12345, 0.5, 1.0]  # a share keeps its value, the format shows %
    assert config["churn_prob"]["type_config"]["format"] == "percent"
    assert values["volume_cases"].tolist() == [12, 3, 7] and str(values["volume_cases"].dtype) == "int64"
    assert values["score"].tolist() == [0.99, 1.5, 2.0]
    none = t("common.none", lang)
    # a money column with a gap becomes text written by the babel helper, the gap a word
    assert values["cost_to_serve"].tolist() == [
        format_money(10.25, lang, compact=False),
        none,
        format_money(3.0, lang, compact=False),
    ]
    assert values["last_order_date"].tolist() == ["2026-03-01", none, "2026-01-05"]
    assert format_pct(0.12345, lang) == "12.3%"  # what the percent format writes in the browser


def test_a_matrix_shows_its_row_and_column_names(shown):
    _, tables = shown
    values, config = tables[1].value, json.loads(tables[1].proto.columns)
    assert config["_rows"]["label"] == "before ↓ / after →"
    assert values["_rows"].tolist() == ["金", "新"]
    assert list(values.columns[1:]) == ["金", "流失"]
    assert values["金"].tolist() == [3, 0] and values["流失"].tolist() == [1, 2]
    assert config["_index"]["hidden"] is True
