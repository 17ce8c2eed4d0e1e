"""The cost-data notice says only what applies: withheld accounts, partly costed ones, or both."""

import pytest

from kam_core.analytics.inputs import describe_health


@pytest.mark.parametrize(
    ("none", "partial", "says_withheld", "says_partial"),
    [(0, 2, False, True), (3, 0, True, False), (1, 2, True, True)],
    ids=["partial_only", "withheld_only", "both"],
)
def test_the_cost_notice_names_only_the_kinds_of_missing_cost_that_occur(none, partial, says_withheld, says_partial):
    item = {"code": "cost_unknown", "none": none, "partial": partial, "accounts": 6, "min_coverage": 0.5}
    (text,) = describe_health([item], "en")
    assert ("too little cost data" in text) is says_withheld
    assert ("for only part of their sales" in text) is says_partial
    assert not text.startswith("0 ")
