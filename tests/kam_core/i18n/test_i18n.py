"""The string catalogue: complete in both languages, consistent placeholders, no hard-coded UI text."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from kam_core.i18n import format_cases, format_date, format_money, format_pct, label, load_catalog, t
from kam_core.i18n.catalog_loader import read_catalog_files

ROOT = Path(__file__).resolve().parents[3]
UI_FILES = sorted(
    p for p in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "kam_ui").rglob("*.py")] if p.exists()
)
TEXT_KEYWORDS = {"label", "help", "placeholder", "body", "title", "text", "caption", "value_label"}
_LETTERS = re.compile(r"[A-Za-z\u4e00-\u9fff]{2,}")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_has_chinese_and_english_text():
    for key, texts in load_catalog().items():
        assert texts["zh"].strip() and texts["en"].strip(), key


def test_placeholders_match_between_languages():
    for key, texts in load_catalog().items():
        assert _fields(texts["zh"]) == _fields(texts["en"]), key


def test_a_key_defined_in_two_files_is_refused(tmp_path):
    (tmp_path / "a.toml").write_text('[x]\ny = { zh = "一", en = "one" }\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('[x]\ny = { zh = "二", en = "two" }\n', encoding="utf-8")
    with pytest.raises(ValueError, match="Duplicate i18n key 'x.y' in b.toml"):
        read_catalog_files(tmp_path)


def test_an_entry_missing_a_language_is_refused(tmp_path):
    (tmp_path / "a.toml").write_text('[x]\ny = { zh = "一" }\n', encoding="utf-8")
    with pytest.raises(ValueError, match="has no en text"):
        load_catalog(tmp_path)


def test_t_fills_placeholders_and_rejects_unknown_keys_and_languages():
    assert t("filters.matching", "en", n=3, total=10) == "Accounts matching the filters: 3 of 10"
    with pytest.raises(KeyError):
        t("no.such.key", "en")
    with pytest.raises(ValueError, match="fr"):
        t("nav.overview", "fr")


@pytest.mark.parametrize(
    ("kind", "code", "zh"),
    [
        ("channel", "DIST", "一批商"),
        ("channel", "WHS2", "二批商"),
        ("channel", "KA", "KA卖场"),
        ("channel", "RETAIL", "小终端"),
        ("channel", "ONPREM", "餐饮"),
        ("settlement", "cash", "现款现货"),
        ("settlement", "credit", "赊销"),
        ("settlement", "consignment", "代销实结"),
        ("settlement", "turnover_deduction", "流水倒扣"),
        ("program", "threshold", "坎级返利"),
        ("program", "bottle_cap", "瓶盖兑奖"),
    ],
)
def test_business_codes_carry_the_names_the_trade_uses(kind, code, zh):
    assert label(kind, code, "zh") == zh


def test_unknown_codes_show_as_themselves_and_missing_as_a_dash():
    assert label("channel", "NEWCH", "en") == "NEWCH"
    assert label("channel", None, "en") == "—"


def test_money_and_numbers_follow_the_language():
    assert format_money(12_345_678, "zh") == "¥1234.6万"  # CLDR's compact Chinese has no separator
    assert format_money(3.2e9, "zh") == "¥32亿"
    assert format_money(-12_345_678, "en") == "-¥12.3M"
    assert format_money(999, "en") == "¥999"
    assert format_money(float("nan"), "zh") == "–"
    assert format_pct(0.2251, "en") == "22.5%"
    assert format_cases(25_000, "zh") == "2.5万箱"
    assert format_date(__import__("datetime").date(2026, 3, 1), "zh") == "2026年3月1日"


def _literal_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    return None


def _is_st_call(func: ast.AST) -> bool:
    while isinstance(func, ast.Attribute):
        func = func.value
    return isinstance(func, ast.Name) and func.id in {"st", "sidebar", "col", "c1", "c2", "c3", "tab", "left", "right"}


def _offenders(source: str) -> list[str]:
    tree = ast.parse(source)
    offenders = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _is_st_call(node.func)):
            continue
        candidates = node.args[:1] + [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
        for arg in candidates:
            text = _literal_text(arg)
            if text and _LETTERS.search(text) and not text.startswith(":material/"):
                offenders.append(f"line {node.lineno}: {text[:40]!r}")
    return offenders


def test_the_hard_coded_text_check_catches_literals_and_f_strings_but_not_keys_or_icons():
    source = (
        'st.header("Customer pyramid")\nst.sidebar.caption(f"Period {x}")\nst.button(label="保存")\n'
        'st.header(tr("pyramid.title"))\nst.multiselect(tr("k"), opts, key="region", bind="query-params")\n'
        'st.button(tr("x"), icon=":material/link:")\n'
    )
    assert [o.split(":")[0] for o in _offenders(source)] == ["line 1", "line 2", "line 3"]


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_ui_files_pass_no_hard_coded_text_to_streamlit(path):
    offenders = _offenders(path.read_text(encoding="utf-8"))
    assert not offenders, f"{path.name} hard-codes user-facing text: {offenders}"


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_literal_key_passed_to_t_exists(path):
    catalog = load_catalog()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    missing = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in {
            "t",
            "tr",
            "tr_text",
        }:
            key = _literal_text(node.args[0]) if node.args else None
            if key and isinstance(node.args[0], ast.Constant) and key not in catalog:
                missing.append(key)
    assert not missing, f"{path.name} uses keys missing from the catalogue: {missing}"


def test_every_code_the_analytics_explain_with_has_text_in_both_languages():
    from kam_core.analytics.diversion import SIGNALS
    from kam_core.analytics.inputs import INPUTS
    from kam_core.analytics.loyalty import COMPONENTS

    catalog = load_catalog()
    keys = (
        [f"analytics.loyalty.component.{c}" for c in COMPONENTS]
        + [f"analytics.diversion.{s}" for s in SIGNALS]
        + [f"analytics.input.{n}" for n in INPUTS]
        + [f"analytics.input_lost.{n}" for n in INPUTS]
        + [
            "analytics.loyalty.reason",
            "analytics.loyalty.years",
            "analytics.health.no_accounts",
            "analytics.health.missing_input",
        ]
    )
    assert set(SIGNALS) == {"S1", "S2", "S3", "S4", "S5", "S6", "S7"}  # every docs/METHODS.md §4.3 signal is covered
    assert {"sellout", "inventory", "capability_history"} <= set(INPUTS)
    missing = [k for k in keys if k not in catalog]
    assert not missing, f"keys missing from the catalogue: {missing}"
    assert all(catalog[k]["zh"] != catalog[k]["en"] for k in keys if k != "analytics.loyalty.years")


def test_data_health_notes_read_in_chinese_and_match_the_scorecard_english():
    import pandas as pd

    from kam_core.analytics.inputs import INPUTS, Inputs, describe_health, health_items
    from kam_core.analytics.scorecard import _health

    inp = Inputs(frame=pd.DataFrame(), monthly=pd.DataFrame(), available={name: False for name in INPUTS})
    items = health_items(inp.missing, no_accounts=True)
    assert _health(inp) == items  # the scorecard carries the items; its English notes are written from them
    en = describe_health(items, "en")
    assert en[0] == "No accounts with orders in the database."  # the CLI's English, as before the catalogue
    assert "No surveys data: satisfaction (NPS) in the loyalty score not available." in en
    zh = describe_health(items, "zh")
    assert zh[0] == "数据库中没有有订单的客户。"
    assert "没有满意度调查数据：无法计算忠诚度评分中的满意度（NPS）。" in zh
    assert not any(re.search(r"[A-Za-z]{4,}", note) for note in zh), zh
    assert describe_health([{"code": "missing_input", "input": "new_feed"}], "en") == [
        "No new feed data: – not available."
    ]  # an input the catalogue does not know yet still reads


def test_account_names_follow_the_language_with_the_chinese_name_as_fallback():
    import pandas as pd

    from kam_core.i18n import local_names

    frame = pd.DataFrame({"name": ["杭州一批", "余杭二批", "北京卖场"], "name_en": ["Hangzhou Dist", None, " "]})
    assert local_names(frame, "en").tolist() == ["Hangzhou Dist", "余杭二批", "北京卖场"]
    assert local_names(frame, "zh").tolist() == ["杭州一批", "余杭二批", "北京卖场"]
    assert local_names(frame[["name"]], "en").tolist() == ["杭州一批", "余杭二批", "北京卖场"]
