"""Reasons are written in one place (kam_core.i18n.reasons) from the analytics' structured items, in the
reader's language with labels; the scorecard's English columns are the same writer's output."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kam_core.i18n import label, t
from kam_core.i18n.reasons import (
    _value_type_sentence,
    describe_evidence,
    describe_loyalty_reasons,
    describe_value_type_reasons,
    localise_reasons,
    value_type_reason_texts,
)
from kam_core.vocab import VALUE_TYPE_FEATURES, VALUE_TYPES

ROOT = Path(__file__).resolve().parents[3]
PROMO = {"feature": "promo_share", "percentile": 91.2, "z": 1.38, "delta": 2.0, "toward": "intrinsic", "imputed": False}
TENURE = {
    "feature": "tenure_years",
    "percentile": None,
    "z": -0.004,
    "delta": 0.5,
    "toward": "strategic",
    "imputed": True,
}


@pytest.mark.parametrize(
    "lang, codes, expected",
    [
        (
            "en",
            True,
            [
                "promo_share at the 91st percentile of KA accounts (z=+1.4) → intrinsic",
                "tenure_years missing, set to the KA median (z=+0.0) → strategic",
            ],
        ),
        (
            "en",
            False,
            [
                "Promotion share of cases at the 91st percentile of KA hypermarkets accounts (z=+1.4) → Intrinsic (price)",
                "Tenure missing, set to the KA hypermarkets median (z=+0.0) → Strategic (partnership)",
            ],
        ),
        (
            "zh",
            False,
            [
                "促销进货占比位于KA卖场渠道内第91百分位（z=+1.4）→ 内在价值型（看价格）",
                "合作年限缺失，按KA卖场渠道中位数填补（z=+0.0）→ 战略价值型（要合作）",
            ],
        ),
    ],
    ids=["cli-english-codes", "english-labels", "chinese-labels"],
)
def test_value_type_items_read_as_sentences_with_codes_or_labels(lang, codes, expected):
    assert describe_value_type_reasons([PROMO, TENURE], lang, "KA", codes=codes) == expected


def test_a_reason_without_its_channel_tier_says_same_channel():
    assert describe_value_type_reasons([PROMO, TENURE], "zh") == [
        "促销进货占比位于本渠道内第91百分位（z=+1.4）→ 内在价值型（看价格）",
        "合作年限缺失，按本渠道中位数填补（z=+0.0）→ 战略价值型（要合作）",
    ]
    assert describe_value_type_reasons([PROMO, TENURE], "en", codes=True) == [
        "promo_share at the 91st percentile of same-channel accounts (z=+1.4) → intrinsic",
        "tenure_years missing, set to the same-channel median (z=+0.0) → strategic",
    ]


@pytest.mark.parametrize("lang, codes", [("en", True), ("en", False), ("zh", False)], ids=["codes", "en", "zh"])
def test_the_flat_writer_equals_the_one_item_writer_on_every_item(lang, codes):
    rng = np.random.default_rng(1)
    n = 2000
    items = [
        {
            "feature": VALUE_TYPE_FEATURES[rng.integers(len(VALUE_TYPE_FEATURES))],
            "percentile": float(np.round(rng.uniform(0, 100), 1)),
            "z": float(np.round(rng.normal() * 1.5, 2)) if i % 97 else -0.0,
            "toward": VALUE_TYPES[rng.integers(3)],
            "imputed": bool(rng.random() < 0.1),
        }
        for i in range(n)
    ]
    channels = [None if c == "-" else c for c in rng.choice(["DIST", "KA", "NEWTIER", "-"], n).tolist()]
    flat = value_type_reason_texts(
        [i["feature"] for i in items],
        [i["percentile"] for i in items],
        [i["z"] for i in items],
        [i["toward"] for i in items],
        [i["imputed"] for i in items],
        channels,
        lang,
        codes,
    )
    assert flat == [_value_type_sentence(i, lang, ch, codes) for i, ch in zip(items, channels, strict=True)]


def test_a_frame_gets_every_reason_column_in_the_reader_language_from_its_items():
    frame = pd.DataFrame(
        {
            "channel": ["KA", "DIST"],
            "value_type_reasons": [["promo_share at the 91st percentile of KA accounts (z=+1.4) → intrinsic"], []],
            "value_type_reason_items": [[PROMO], []],
            "hvll_reasons": [[], ["share of wallet 30% (percentile 10 in Distributors)"]],
            "hvll_reason_items": [[], [{"component": "sow", "value": 0.3, "percentile": 10.0, "channel": "DIST"}]],
            "diversion_evidence": [["S7 50% of orders shipped outside the authorised territory"], []],
            "diversion_evidence_items": [[{"signal": "S7", "share": 0.5}], []],
        }
    )
    zh = localise_reasons(frame, "zh")
    assert zh["value_type_reasons"].tolist() == [
        ["促销进货占比位于KA卖场渠道内第91百分位（z=+1.4）→ 内在价值型（看价格）"],
        [],
    ]
    assert zh["hvll_reasons"].tolist() == [[], ["钱包份额 30%（一批商渠道内第 10 百分位）"]]
    assert zh["diversion_evidence"].tolist() == [["S7 50% 的订单发往授权区域以外"], []]
    en = localise_reasons(frame, "en")
    assert en["hvll_reasons"].tolist() == frame["hvll_reasons"].tolist()  # English labels as the scorecard writes
    assert en["value_type_reasons"].iloc[0][0].startswith(label("feature", "promo_share", "en"))
    assert frame["value_type_reasons"].iloc[0][0].startswith("promo_share")  # the input is left alone


def test_the_loyalty_and_diversion_templates_come_from_the_catalogue():
    item = {"component": "tenure_years", "value": 2.5, "percentile": 20.0, "channel": "DIST"}
    expected = t("analytics.loyalty.reason", "en").format(
        component=t("analytics.loyalty.component.tenure_years", "en"),
        value=t("analytics.loyalty.years", "en").format(value="2.5"),
        pct="20",
        channel=label("channel", "DIST", "en"),
    )
    assert describe_loyalty_reasons([item], "en") == [expected] == ["tenure 2.5 years (percentile 20 in Distributors)"]
    assert describe_evidence([{"signal": "S5", "checks": 2}, {"signal": "S9"}, "junk"], "en") == [
        "S5 2 market price check(s) below floor traced to this account"
    ]


WRITERS = {"format_reason", "describe_loyalty_reasons", "describe_evidence", "localise_risk_text", "_renderer"}


def test_no_module_outside_the_reasons_module_defines_a_reason_writer():
    """The writers moved to kam_core/i18n/reasons.py; other modules only import them."""
    defined = []
    for path in ROOT.joinpath("kam_core").rglob("*.py"):
        if path.name == "reasons.py" or path.name == "explain.py":  # explain.format_reason delegates to it
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name in WRITERS:
                defined.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert defined == []
