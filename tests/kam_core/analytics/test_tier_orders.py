"""Tier orders come from kam_core.vocab wherever the analytics use them (the names modules re-export are
vocab's own objects, not copies), and a migration matrix of every tier column is laid out in that order."""

import pytest
from kam_tiny_db import seed_tiny

from kam_core import filters, vocab
from kam_core.analytics import diversion, features, loyalty, prototypes, tiers
from kam_core.sim import spec


@pytest.mark.parametrize(
    "alias, original",
    [
        (tiers.PYRAMID, vocab.PYRAMID_TIERS),
        (tiers.SIZE_TIERS, vocab.SIZE_TIERS),
        (filters.CHANNELS, vocab.CHANNELS),
        (filters.VALUE_TYPES, vocab.VALUE_TYPES),
        (spec.CHANNELS, vocab.CHANNELS),
        (prototypes.FEATURES, vocab.VALUE_TYPE_FEATURES),
        (features.FEATURES, vocab.VALUE_TYPE_FEATURES),
        (loyalty.COMPONENTS, vocab.LOYALTY_COMPONENTS),
        (diversion.SIGNALS, vocab.DIVERSION_SIGNALS),
    ],
    ids=[
        "pyramid",
        "size",
        "filters-channels",
        "filters-types",
        "sim-channels",
        "proto-features",
        "features",
        "loyalty",
        "signals",
    ],
)
def test_re_exported_names_are_the_vocabulary_itself(alias, original):
    assert alias is original


@pytest.mark.parametrize(
    "column, order",
    [("pyramid_tier", vocab.PYRAMID_TIERS), ("size_tier", vocab.SIZE_TIERS), ("abc_class", vocab.ABC_CLASSES)],
    ids=["pyramid", "size", "abc"],
)
def test_a_migration_matrix_of_each_tier_column_follows_the_vocabulary_order(tmp_path, column, order):
    from kam_core.db import ensure_schema, get_engine
    from kam_core.queries.scorecard import compute_scorecard, compute_tier_migration_between

    engine = get_engine(f"sqlite:///{tmp_path / 'kam.db'}")
    ensure_schema(engine)
    seed_tiny(engine)
    m = compute_tier_migration_between(engine, "2026-03-31", "2026-06-10", column=column)
    after = compute_scorecard(engine, as_of="2026-06-10")[column].value_counts()
    present = [c for c in m.columns if c in order]
    assert present == [c for c in order if c in present]
    assert int(m[present].sum().sum()) <= int(after.sum()) and int(m.to_numpy().sum()) >= 1
