"""The URL filter codec: round trip, hostile input never raises and never widens, post-filtering."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kam_core.filters import (
    CHANNELS,
    LANGS,
    LIST_PARAMS,
    PYRAMID_TIERS,
    VALUE_TYPES,
    Filters,
    KnownValues,
    apply_filters,
)

codes = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,12}", fullmatch=True)
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2200, 12, 31))


@st.composite
def filters_values(draw) -> Filters:
    start, end = sorted(draw(st.lists(dates, min_size=2, max_size=2)))
    return Filters(
        start=draw(st.none() | st.just(start)),
        end=draw(st.none() | st.just(end)),
        region=tuple(draw(st.lists(codes, max_size=4))),
        channel=tuple(draw(st.lists(st.sampled_from(CHANNELS), max_size=3))),
        rep=tuple(draw(st.lists(codes, max_size=4))),
        type=tuple(draw(st.lists(st.sampled_from(VALUE_TYPES), max_size=3))),
        tier=tuple(draw(st.lists(st.sampled_from(PYRAMID_TIERS), max_size=3))),
        lang=draw(st.sampled_from(LANGS)),
    )


@given(filters_values())
def test_to_query_then_from_query_gives_back_the_same_filters_without_notices(filters):
    decoded, notices = Filters.from_query(filters.to_query())
    assert decoded == filters
    assert notices == []


@given(filters_values())
def test_single_values_as_plain_strings_decode_like_one_element_lists(filters):
    query = {k: (v[0] if len(v) == 1 else v) for k, v in filters.to_query().items()}
    assert Filters.from_query(query)[0] == filters


hostile_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["'; DROP TABLE account; --", "<script>alert(1)</script>", "R01' OR '1'='1", "../../etc/passwd",
                     "NaN", "inf", "-inf", "2024-02-30", "2024-13-01", "99999-01-01", "0000-00-00", "华东区",
                     "x" * 100_000, "\x00", "%00", "R01\nR02", " ", ""]),
)
hostile_value = st.one_of(hostile_text, st.lists(hostile_text, max_size=5), st.floats(), st.integers(), st.none(),
                          st.lists(st.one_of(st.floats(), st.none(), hostile_text), max_size=3))
hostile_keys = st.one_of(st.sampled_from(LIST_PARAMS + ("start", "end", "lang", "scope", "as", "role")), st.text(max_size=30))


@settings(max_examples=300)
@given(st.dictionaries(hostile_keys, hostile_value, max_size=8))
def test_hostile_query_never_raises_and_only_keeps_values_it_was_given(params):
    filters, notices = Filters.from_query(params)
    assert isinstance(filters, Filters)
    given_texts = set()
    for value in params.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                given_texts.add(item.strip())
    for name in LIST_PARAMS:
        assert set(getattr(filters, name)) <= given_texts  # never invents a selection
    for n in notices:
        assert len(n.value) <= 40 and len(n.param) <= 40  # a notice never echoes a huge string


@settings(max_examples=200)
@given(st.dictionaries(hostile_keys, hostile_value, max_size=8))
def test_hostile_query_keeps_only_known_codes_when_the_known_values_are_given(params):
    known = KnownValues(region=frozenset({"R01", "R01A02"}), rep=frozenset({"REP001"}))
    filters, _ = Filters.from_query(params, known)
    assert set(filters.region) <= known.region
    assert set(filters.rep) <= known.rep
    assert set(filters.channel) <= set(CHANNELS)


def test_each_dropped_value_gets_a_notice_naming_parameter_and_value():
    filters, notices = Filters.from_query(
        {"region": ["R01", "R99"], "channel": "BEER", "start": "2024-02-30", "scope": "director:*", "lang": "fr"},
        KnownValues(region=frozenset({"R01"}), rep=frozenset()),
    )
    assert filters == Filters(region=("R01",))
    got = {(n.param, n.value, n.reason) for n in notices}
    assert got == {("region", "R99", "unknown_value"), ("channel", "BEER", "unknown_value"),
                   ("start", "2024-02-30", "bad_date"), ("scope", "director:*", "unknown_param"),
                   ("lang", "fr", "bad_value")}


def test_start_after_end_drops_both_dates_with_a_notice():
    filters, notices = Filters.from_query({"start": "2025-06-01", "end": "2025-01-01"})
    assert filters.start is None and filters.end is None
    assert [n.reason for n in notices] == ["start_after_end"]


def test_empty_parameter_clears_the_selection_without_a_notice():
    assert Filters.from_query({"region": ""}) == (Filters(), [])


def test_filters_are_normalised_and_hashable_cache_keys():
    a = Filters(channel=("KA", "DIST", "KA"))
    b = Filters(channel=["DIST", "KA"])
    assert a == b and hash(a) == hash(b) and a.channel == ("DIST", "KA")


@pytest.mark.parametrize("kwargs", [
    {"start": dt.date(2025, 2, 1), "end": dt.date(2025, 1, 1)},
    {"channel": ("BEER",)},
    {"tier": ("diamond",)},
    {"region": "R01"},
    {"lang": "fr"},
    {"start": "2025-01-01"},
], ids=["start-after-end", "unknown-channel", "unknown-tier", "string-not-tuple", "bad-lang", "string-date"])
def test_constructing_invalid_filters_raises_a_clear_value_error(kwargs):
    with pytest.raises(ValueError, match="Filters"):
        Filters(**kwargs)


@pytest.fixture
def scorecard():
    return pd.DataFrame({
        "account_id": ["A1", "A2", "A3", "A4"],
        "region": ["S1", "S2", "S3", None],
        "channel": ["DIST", "KA", "KA", "RETAIL"],
        "rep": ["REP1", "REP2", "REP1", "REP2"],
        "value_type": ["strategic", None, "intrinsic", "intrinsic"],
        "pyramid_tier": ["platinum", "gold", "lead", "iron"],
    })


PATHS = {"R01": "R01", "R01A": "R01/R01A", "S1": "R01/R01A/S1", "S2": "R01/R01B/S2", "S3": "R02/R02A/S3",
         "R01B": "R01/R01B", "R010": "R010"}


@pytest.mark.parametrize(("filters", "expected"), [
    (Filters(), ["A1", "A2", "A3", "A4"]),
    (Filters(region=("R01",)), ["A1", "A2"]),
    (Filters(region=("R01A",)), ["A1"]),
    (Filters(region=("S3", "R01B")), ["A2", "A3"]),
    (Filters(region=("R010",)), []),
    (Filters(channel=("KA",), rep=("REP1",)), ["A3"]),
    (Filters(type=("intrinsic",), tier=("iron",)), ["A4"]),
], ids=["no-filter", "top-region", "area", "street-and-area", "prefix-is-not-a-parent", "channel-and-rep", "type-tier"])
def test_apply_filters_keeps_accounts_at_or_below_the_chosen_regions(scorecard, filters, expected):
    before = scorecard.copy()
    out = apply_filters(scorecard, filters, PATHS)
    assert out["account_id"].tolist() == expected
    pd.testing.assert_frame_equal(scorecard, before)


def test_apply_filters_names_a_missing_column(scorecard):
    with pytest.raises(ValueError, match="pyramid_tier"):
        apply_filters(scorecard.drop(columns="pyramid_tier"), Filters(), PATHS)


@given(filters_values())
def test_apply_filters_never_returns_rows_outside_the_input(filters):
    frame = pd.DataFrame({"region": ["S1", "S3"], "channel": ["KA", "DIST"], "rep": ["R", "Q"],
                          "value_type": ["intrinsic", None], "pyramid_tier": ["gold", "lead"]})
    out = apply_filters(frame, filters, PATHS)
    assert set(out.index) <= set(frame.index)


def test_apply_filters_uses_the_accounts_own_region_path_when_the_scorecard_has_it(scorecard):
    frame = scorecard.assign(region=["R01", "R01", "R02", None],
                             region_path=["R01/R01A/S1", "R01/R01B/S2", "R02/R02A/S3", None])
    assert apply_filters(frame, Filters(region=("R01A",)), PATHS)["account_id"].tolist() == ["A1"]
