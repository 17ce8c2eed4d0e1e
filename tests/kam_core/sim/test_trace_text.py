"""The calculation trace reads as arithmetic: each program's line shows its inputs, the operator and the amount.

A literal tiny scenario (three accounts, eleven programs); the expected amounts are plain arithmetic written
here, and every shown ``qty × rate = amount`` is re-multiplied from the shown numbers.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from kam_core.sim import load_scenario, simulate_book
from kam_core.sim.model import make_book
from kam_core.sim.trace_text import step_text

PERIOD = {"start": "2026-06-01", "end": "2026-08-31"}
TIERS = [{"from": 1000, "rate_per_case": 1.0}, {"from": 1400, "rate_per_case": 3.0}]
PROGRAMS = [
    {"type": "per_case", "name": "箱奖", "amount_per_case": 2.0},
    {"type": "retro_tiered", "name": "阶梯", "tiers": TIERS},
    {"type": "incremental_tiered", "name": "分段", "tiers": TIERS},
    {"type": "threshold", "name": "坎级", "threshold": 1000, "rate_per_case": 0.5},
    {"type": "growth", "name": "增长", "min_growth": 0.1, "rate_per_case": 1.0},
    {"type": "bottle_cap", "name": "瓶盖", "prize_value_per_case": 6.0, "redemption_rate": 0.5},
    {"type": "bottle_cap", "name": "瓶盖现金", "win_rate": 0.01, "prize_cost": 5.0, "redemption_rate": 0.5},
    {"type": "empty_exchange", "name": "空箱", "empties_per_free_case": 4, "return_rate": 1.0},
    {"type": "cash_discount", "name": "现折", "discount_pct": 2.0, "prompt_share": 0.5},
    {"type": "contest", "name": "竞赛", "prizes": [5000, 1000]},
    {"type": "display_fee", "name": "陈列", "amount_per_account": 100.0, "amount_per_outlet": 10.0},
]
CASES, PRICE, OUTLETS = (1200.0, 800.0, 1500.0), 60.0, (3.0, 1.0, 5.0)
# the same numbers by hand, account by account
EXPECTED = {
    "箱奖": [1200 * 2, 800 * 2, 1500 * 2],
    "阶梯": [1200 * 1, 0, 1500 * 3],
    "分段": [(1200 - 1000) * 1, 0, (1400 - 1000) * 1 + (1500 - 1400) * 3],
    "坎级": [1200 * 0.5, 0, 1500 * 0.5],
    "增长": [1200 * 1.0, 0, 0],  # +20 % ≥ 10 % ; 800 vs 800 = 0 % ; no last year, no target
    "瓶盖": [1200 * 0.5 * 6, 800 * 0.5 * 6, 1500 * 0.5 * 6],
    "瓶盖现金": [1200 * 12 * 0.01 * 0.5 * 5, 800 * 12 * 0.01 * 0.5 * 5, 1500 * 12 * 0.01 * 0.5 * 5],
    "空箱": [1200 * 1 / (4 - 1) * 60, 800 * 1 / (4 - 1) * 60, 1500 * 1 / (4 - 1) * 60],
    "现折": [1200 * 60 * 0.5 * 0.02, 800 * 60 * 0.5 * 0.02, 1500 * 60 * 0.5 * 0.02],
    "竞赛": [1000, 0, 5000],
    "陈列": [100 + 3 * 10, 100 + 1 * 10, 100 + 5 * 10],
}


@pytest.fixture(scope="module")
def trace() -> list[dict]:
    book = make_book(
        ["A0", "A1", "A2"],
        "DIST",
        PRICE,
        40.0,
        list(CASES),
        baseline_ly=[1000.0, 800.0, np.nan],
        outlets=list(OUTLETS),
        months=("2026-06", "2026-07", "2026-08"),
    )
    return simulate_book(book, load_scenario({"period": PERIOD, "programs": PROGRAMS}))["trace"]


def _row(trace, program: str, account: str) -> dict:
    (row,) = [r for r in trace if r["program"] == program and r["account_id"] == account]
    return row


def test_the_model_pays_what_plain_arithmetic_says(trace):
    for program, amounts in EXPECTED.items():
        got = [_row(trace, program, a)["entitlement"] for a in ("A0", "A1", "A2")]
        assert got == pytest.approx(amounts), program
        steps = [_row(trace, program, a)["step"]["amount"] for a in ("A0", "A1", "A2")]
        assert steps == pytest.approx(amounts), program  # the trace's own arithmetic is the model's amount


LINES = {
    ("箱奖", "A0", "zh"): "箱奖：1,200箱 × ¥2.00/箱 = ¥2,400",
    ("箱奖", "A0", "en"): "箱奖: 1,200 cases × ¥2.00/case = ¥2,400",
    ("阶梯", "A2", "en"): "阶梯: 1,500 cases reaches tier 2 (from 1,400 cases), its rate on every unit: "
    "1,500 cases × ¥3.00/case = ¥4,500",
    ("阶梯", "A1", "zh"): "阶梯：800箱 未达第一档（起点 1,000箱）→ ¥0",
    ("分段", "A2", "en"): "分段: 1,500 cases reaches tier 2 (from 1,400 cases), each tier's rate on its own band: "
    "400 cases × ¥1.00/case + 100 cases × ¥3.00/case = ¥700",
    ("坎级", "A0", "zh"): "坎级：1,200箱 ≥ 坎级 1,000箱（超出 200箱）：1,200箱 × ¥0.50/箱 = ¥600",
    ("坎级", "A1", "en"): "坎级: 800 cases < threshold 1,000 cases (short by 200 cases) → ¥0",
    ("增长", "A0", "en"): "增长: 1,200 cases against a base of 1,000 cases: growth +20.0% (needs ≥ +10%), "
    "paid on all units: 1,200 cases × ¥1.00/case = ¥1,200",
    ("增长", "A2", "zh"): "增长：1,500箱：去年无销量且无目标 → 不符合条件，¥0",
    ("瓶盖", "A0", "zh"): "瓶盖：1,200箱 × 兑奖率 50% × 每箱奖品 ¥6.00 = ¥3,600",
    ("瓶盖现金", "A0", "en"): "瓶盖现金: 1,200 cases × 12 bottles per case × win rate 1% × redemption 50% × "
    "¥5.00 per prize = ¥360",
    ("空箱", "A0", "en"): "空箱: 1,200 cases × return rate 100% ÷ (4 − 1.00) empties per free case = "
    "400.0 cases free × ¥60.00/case = ¥24,000",
    ("现折", "A0", "zh"): "现折：净销售额 ¥72,000 × 按时付款 50% × 折扣 2% = ¥720",
    ("竞赛", "A0", "en"): "竞赛: ranked 2 by cases (2 prizes) → prize ¥1,000",
    ("竞赛", "A1", "zh"): "竞赛：按箱数排名第 3，未进入前 2 名 → ¥0",
    ("陈列", "A2", "en"): "陈列: ¥100.00 per account + 5 outlets × ¥10.00 per outlet = ¥150",
}


@pytest.mark.parametrize(("program", "account", "lang"), list(LINES))
def test_each_program_reads_as_its_arithmetic(trace, program, account, lang):
    row = _row(trace, program, account)
    assert step_text(row["program"], row["step"], lang) == LINES[(program, account, lang)]


def _number(text: str) -> float:
    return float(text.replace(",", "").replace("¥", ""))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_shown_product_equals_the_shown_amount(trace, lang):
    """``qty × rate (+ qty × rate) = amount`` re-multiplied from the figures as shown (rounded to whole ¥)."""
    band = re.compile(r"([\d,.]+) ?(?:箱|cases?) × ¥([\d.]+)/(?:箱|case)")
    checked = 0
    for row in trace:
        if row["type"] not in ("per_case", "retro_tiered", "incremental_tiered", "threshold", "growth"):
            continue
        text = step_text(row["program"], row["step"], lang)
        parts = band.findall(text.split("：", 1)[-1].split(": ", 1)[-1])
        if not parts:
            continue
        shown = _number(text.rsplit("= ", 1)[1])
        assert math.isclose(sum(_number(q) * _number(r) for q, r in parts), shown, abs_tol=0.5), text
        assert shown == round(row["entitlement"]), text
        checked += 1
    assert checked == 10  # 3 per-case, 2 retro, 2 incremental, 2 threshold, 1 growth (the others pay ¥0)


def test_a_cap_and_an_interim_payment_are_in_the_line():
    book = make_book(["A0"], "DIST", PRICE, 40.0, [1000.0], months=("2026-06", "2026-07", "2026-08"))
    progs = [
        {
            "type": "per_case",
            "name": "箱奖",
            "amount_per_case": 2.0,
            "cap_amount": 1500.0,
            "interim_paid": {"A0": 400.0},
        }
    ]
    (row,) = simulate_book(book, load_scenario({"period": PERIOD, "programs": progs}))["trace"]
    assert step_text("箱奖", row["step"], "en") == (
        "箱奖: 1,000 cases × ¥2.00/case = ¥2,000; capped at ¥1,500; interim paid ¥400 netted → final ¥1,100"
    )
    assert step_text("箱奖", row["step"], "zh").endswith("；封顶 ¥1,500；已预付 ¥400，结算时扣除 → 尾款 ¥1,100")


def test_a_monthly_settlement_shows_each_month_on_its_share():
    book = make_book(["A0"], "DIST", PRICE, 40.0, [600.0], months=("2026-06", "2026-07", "2026-08"))
    progs = [{"type": "threshold", "name": "月坎", "threshold": 150, "fixed_amount": 100.0, "period": "month"}]
    (row,) = simulate_book(book, load_scenario({"period": PERIOD, "programs": progs}))["trace"]
    assert row["entitlement"] == 3 * 100.0  # 600 / 3 = 200 cases ≥ 150 in each month
    month = "200 cases ≥ threshold 150 cases (over by 50 cases): fixed amount ¥100"
    assert step_text("月坎", row["step"], "en") == (
        f"月坎: settled monthly, ¥300 over the period; 2026-06: {month}; 2026-07: {month}; 2026-08: {month}"
    )
