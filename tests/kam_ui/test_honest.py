"""Withheld figures are said in words in page tables; accounts without cost data never read as "gone"."""

from __future__ import annotations

import pandas as pd

from kam_ui.honest import costed, costed_tiers, mark_missing
from kam_ui.lang import tr


def test_withheld_tiers_and_untyped_accounts_are_written_in_words():
    src = pd.DataFrame(
        {
            "cost_basis": ["known", "none"],
            "pyramid_tier": ["gold", None],
            "value_type": ["intrinsic", None],
            "value_type_status": ["typed", "insufficient_evidence"],
        }
    )
    shown = mark_missing(src, src[["pyramid_tier", "value_type"]].copy())
    assert shown["pyramid_tier"].tolist() == ["gold", tr("honest.cost_basis.none")]
    assert shown["value_type"].tolist() == ["intrinsic", tr("honest.value_type_status.insufficient_evidence")]


def test_the_migration_leaves_out_accounts_without_cost_data_in_either_period():
    before = pd.DataFrame(
        {
            "account_id": ["a", "b", "c"],
            "pyramid_tier": ["gold", None, "iron"],
            "cost_basis": ["known", "none", "known"],
        }
    )
    now = pd.DataFrame(
        {
            "account_id": ["a", "b", "c", "d"],
            "pyramid_tier": ["iron", "lead", None, "gold"],
            "cost_basis": ["known", "known", "none", "known"],
        }
    )
    b, n = costed_tiers(before, now)
    assert b.to_dict() == {"a": "gold"} and n.to_dict() == {"a": "iron", "d": "gold"}
    assert costed(now)["account_id"].tolist() == ["a", "b", "d"]
