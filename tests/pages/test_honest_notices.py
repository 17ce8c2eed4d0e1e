"""Pages say missing cost data and the defaulted channel tier in words, on an ERP file without costs."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("streamlit.testing.v1")
from streamlit.testing.v1 import AppTest  # noqa: E402

FILE = Path(__file__).resolve().parents[1] / "realshaped" / "erp_no_cost_lines.csv"


@pytest.fixture(scope="module")
def no_cost_db(tmp_path_factory) -> str:
    from kam_core.db import ensure_schema, get_engine
    from kam_core.io.transactions import import_transactions

    path = tmp_path_factory.mktemp("nocost") / "kam.db"
    engine = get_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    import_transactions(engine, FILE, {})
    engine.dispose()
    return f"sqlite:///{path}"


def _overview_in_english(db_url: str, launcher: str, monkeypatch) -> AppTest:
    """The app on ``db_url``, in English, after its first run (the Overview)."""
    monkeypatch.setenv("KAM_DATABASE_URL", db_url)
    monkeypatch.setenv("KAM_DEFAULT_LANG", "en")
    at = AppTest.from_file(launcher, default_timeout=180)
    at.query_params["lang"] = "en"
    return at.run()


@pytest.mark.parametrize("page", ["pyramid", "segments"])
def test_analysis_pages_warn_about_missing_cost_data_and_the_single_tier(no_cost_db, launcher, monkeypatch, page):
    at = _overview_in_english(no_cost_db, launcher, monkeypatch)
    at.switch_page(f"p/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    warnings = [w.value for w in at.warning]
    assert any(w.startswith("2 of 4 accounts have too little cost data") for w in warnings), warnings
    assert any("one channel tier (RETAIL)" in w for w in warnings), warnings
    assert any("insufficient evidence for a value type" in w for w in warnings), warnings


def test_the_overview_profit_kpis_say_how_many_accounts_have_no_cost_data(no_cost_db, launcher, monkeypatch):
    at = _overview_in_english(no_cost_db, launcher, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    gross = next(m for m in at.metric if m.label == "Gross profit")
    assert gross.proto.help == "Without 2 accounts that have no cost data"  # Babel plural (issue #16)


def test_the_key_account_table_says_no_cost_data_beside_the_empty_profit(no_cost_db, launcher, monkeypatch):
    at = _overview_in_english(no_cost_db, launcher, monkeypatch)
    at.switch_page("p/segments.py").run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(df.value for df in at.dataframe if "cost_basis" in df.value.columns)
    # key accounts by net sales: C02 (partial, 80% costed), C01 (known), C03 (none)
    assert table["cost_basis"].tolist() == ["partial cost data (80%)", "", "no cost data"]
    # the missing profit is a word, not "None" (#15.2): the column with a gap is written as text
    assert table["net_profit"].tolist() == ["¥700", "¥510", "—"]
    assert set(table["value_type"]) == {"insufficient evidence"}
