"""The Simulator's trace and comparison as a director reads them, in English and Chinese (issue #15.2).

A saved scenario with volume overrides (1,200 and 800 cases) opened from its link: the trace of each program
reads "cases × rate = amount" with the amounts computed here by hand; the comparison of two saved runs has the
scenario names as columns, metric labels as rows, money in ¥ and the difference with sign and %.
"""

from pathlib import Path

import pytest
from kam_tiny_db import seed_tiny
from streamlit.testing.v1 import AppTest

from kam_core.db import ensure_schema, get_engine
from kam_core.i18n.markup import shown_text
from kam_core.sim.scenario import load_scenario, run_scenario, save_scenario

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "simulator.py")
VOLUMES = {"A001": 1200.0, "A002": 800.0}
PROGRAMS = [
    {"type": "per_case", "name": "Case bonus", "amount_per_case": 2.0},
    {"type": "threshold", "name": "坎级奖", "threshold": 1000, "rate_per_case": 0.5},
]


@pytest.fixture
def engine(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'kam.db'}"
    eng = get_engine(url)
    ensure_schema(eng)
    seed_tiny(eng, history=True)
    monkeypatch.setenv("KAM_DATABASE_URL", url)
    return eng


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _scenario(name: str, programs: list[dict], draws: int = 0):
    return load_scenario(
        {
            "name": name,
            "period": {"start": "2026-07-01", "end": "2026-09-30"},
            "case_price": 30.0,
            "draws": draws,
            "accounts": {"ids": list(VOLUMES)},
            "volumes": VOLUMES,
            "programs": programs,
        }
    )


def _trace_lines(at: AppTest) -> list[str]:
    shown = [shown_text(m.value) for m in at.markdown]
    return [line for text in shown if text.startswith("- ") for line in text.split("\n")]


EXPECTED = {
    "en": {
        "A001": [
            f"- Case bonus: 1,200 cases × ¥2.00/case = ¥{1200 * 2:,}",
            f"- 坎级奖: 1,200 cases ≥ threshold 1,000 cases (over by {1200 - 1000} cases): "
            f"1,200 cases × ¥0.50/case = ¥{1200 * 0.5:,.0f}",
        ],
        "A002": [
            "- Case bonus: 800 cases × ¥2.00/case = ¥1,600",
            "- 坎级奖: 800 cases < threshold 1,000 cases (short by 200 cases) → ¥0",
        ],
    },
    "zh": {
        "A001": [
            f"- Case bonus：1,200箱 × ¥2.00/箱 = ¥{1200 * 2:,}",
            f"- 坎级奖：1,200箱 ≥ 坎级 1,000箱（超出 {1200 - 1000}箱）：1,200箱 × ¥0.50/箱 = ¥{1200 * 0.5:,.0f}",
        ],
        "A002": ["- Case bonus：800箱 × ¥2.00/箱 = ¥1,600", "- 坎级奖：800箱 < 坎级 1,000箱（还差 200箱）→ ¥0"],
    },
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_trace_reads_cases_times_rate_equals_amount(engine, monkeypatch, lang):
    monkeypatch.setenv("KAM_DEFAULT_LANG", lang)
    run_id = save_scenario(engine, _scenario("trace check", PROGRAMS), None, "tester")  # the page runs it
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["scenario"] = str(run_id)
    ok(at.run())
    for account in ("A001", "A002"):
        ok(at.selectbox(key="sim_trace_account").set_value(account).run())
        lines = _trace_lines(at)
        assert lines == EXPECTED[lang][account]
        (table,) = [d.value for d in at.dataframe if {"应得金额", "Earned"} & set(d.value.columns)]
        assert "account_id" not in table.columns and "step" not in table.columns
        assert all(not str(c).islower() or " " in str(c) for c in table.columns)  # labels, not field names


HEADERS = {
    "en": ("Measure", "Rebate cost", "Incremental profit, P10–P90 band", "¥4/case vs ¥2/case"),
    "zh": ("指标", "返利成本", "增量利润 P10–P90 区间", "¥4/case 比 ¥2/case"),
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_comparison_has_names_labels_money_and_signed_differences(engine, monkeypatch, lang):
    monkeypatch.setenv("KAM_DEFAULT_LANG", lang)
    ids = []
    for amount in (2.0, 4.0):
        s = _scenario(f"¥{amount:g}/case", [{"type": "per_case", "amount_per_case": amount}], draws=50)
        ids.append(save_scenario(engine, s, run_scenario(engine, s), "tester"))
    at = AppTest.from_file(PAGE, default_timeout=120)
    ok(at.run())
    at.multiselect(key="sim_compare").set_value(ids)
    ok(at.run())
    table = at.dataframe[-1].value
    index_name, rebate, band, delta = HEADERS[lang]
    assert table.index.name == index_name
    assert list(table.columns) == ["¥2/case", "¥4/case", delta]  # scenario names, not run ids
    assert rebate in table.index and band in table.index
    assert not [m for m in table.index if "_" in m]  # no field names
    cases = sum(VOLUMES.values())
    assert table.loc[rebate, "¥2/case"] == f"¥{2 * cases:,.0f}" and table.loc[rebate, "¥4/case"] == f"¥{4 * cases:,.0f}"
    assert table.loc[rebate, delta] == f"+¥{2 * cases:,.0f} (+100.0%)"
    assert " – " in table.loc[band, "¥2/case"]
