"""The reference itself, checked against figures worked out by hand for the tier-boundary file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.realshaped.make_files import ZH_MAP
from tests.realshaped.reference import TODAY, compute_reference

FILE = Path(__file__).resolve().parent / "erp_tier_boundaries.csv"


@pytest.fixture(scope="module")
def ref():
    return compute_reference(FILE, ZH_MAP)


def test_abc_puts_the_crossing_account_in_a_and_an_exact_80_or_95_percent_before_it_in_the_next_class(ref):
    got = ref.accounts["abc_class"].to_dict()
    assert got == {
        "R1": "A",
        "R10": "A",
        "R9": "B",
        "R2": "B",
        "R3": "C",
        "R5": "C",
        "R6": "C",
        "R7": "C",
        "R8": "C",
        "R11": "C",
    }


def test_size_tiers_and_pyramid_break_ties_by_account_id_as_text_and_include_the_cut_off_rank(ref):
    acc = ref.accounts
    assert acc["size_tier"].to_dict() == {
        "R1": "major",
        "R10": "major",
        "R9": "ordinary",
        "R2": "ordinary",
        "R3": "ordinary",
        "R5": "small",
        "R6": "small",
        "R7": "small",
        "R8": "small",
        "R11": "small",
    }
    assert acc["pyramid_tier"].to_dict() == {
        "R1": "platinum",
        "R10": "platinum",
        "R9": "gold",
        "R2": "gold",
        "R3": "gold",
        "R5": "lead",
        "R6": "lead",
        "R7": "lead",
        "R8": "lead",
        "R11": "lead",
    }


def test_freight_is_no_sales_and_a_credit_note_only_shop_has_negative_profit(ref):
    acc = ref.accounts
    assert acc.loc["R7", ["net_sales", "volume_cases", "n_orders"]].tolist() == [0.0, 0.0, 1]
    assert acc.loc["R6", ["net_sales", "cogs", "net_profit"]].tolist() == [-100.0, -60.0, -40.0]


def test_whale_kpis_follow_the_hand_computed_profits(ref):
    assert ref.whale["n_accounts"] == 10 and ref.whale["total_profit"] == pytest.approx(4160.0)
    assert ref.whale["top20_profit"] == pytest.approx(3400.0)
    assert ref.whale["top20_share"] == pytest.approx(3400 / 4160)
    assert ref.whale["peak_share"] == pytest.approx(4200 / 4160)
    assert (ref.whale["share_negative"], ref.whale["tail_loss"]) == (pytest.approx(0.1), pytest.approx(-40.0))


def test_repeat_lines_count_in_the_target_rules_and_are_refused_in_todays(tmp_path):
    head = FILE.read_bytes().decode("utf-8-sig").splitlines()[:2]
    path = tmp_path / "repeat.csv"
    path.write_text("\n".join([head[0], head[1], head[1]]) + "\n", encoding="utf-8")
    assert compute_reference(path, ZH_MAP).accounts.at["R1", "net_sales"] == 14000.0
    today = compute_reference(path, ZH_MAP, rules=TODAY)
    assert (today.accounts.at["R1", "net_sales"], today.refused) == (7000.0, {"repeat line": 1})
