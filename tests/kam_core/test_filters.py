"""The URL filter codec: round trip, hostile input never raises and never widens, post-filtering."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
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
from tests.hostile.tally import LINKS

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


HOSTILE_SAMPLES = [
    # SQL text and script tags
    "'; DROP TABLE account; --",
    "R01' OR '1'='1",
    "R01 OR 1=1",
    "1; SELECT * FROM app_user",
    "R01%' --",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "../../etc/passwd",
    # numbers that are not numbers, bad and extreme dates
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "1e308",
    "-0",
    "99999999999999999999",
    "2024-02-30",
    "2024-13-01",
    "2026-13-45",
    "99999-01-01",
    "0000-00-00",
    "1989-12-31",
    "2201-01-01",
    "31/12/2026",
    # non-ASCII, control characters, huge, empty; scope-like values
    "华东区",
    "R01\u200b",
    "Ｒ０１",
    "🍺",
    "\x00",
    "%00",
    "R01\nR02",
    "R01/../R02",
    " ",
    "",
    "x" * 100_000,
    "华" * 100_000,
    "R01," * 20_000,
    "director:*",
    "manager:*",
    "rep:REP001",
]
hostile_text = st.one_of(st.text(max_size=300), st.sampled_from(HOSTILE_SAMPLES))
hostile_value = st.one_of(
    hostile_text,
    st.lists(hostile_text, max_size=5),
    st.floats(),
    st.integers(),
    st.none(),
    st.lists(st.one_of(st.floats(), st.none(), hostile_text), max_size=3),
)
hostile_keys = st.one_of(
    st.sampled_from(LIST_PARAMS + ("start", "end", "lang", "scope", "as", "role", "viewer")), st.text(max_size=30)
)
hostile_params = st.dictionaries(hostile_keys, hostile_value, max_size=8)


def decode_counted(params, known=None):
    """Filters.from_query, counted for the closing note ("hostile links: N tried ...")."""
    LINKS["tried"] += 1
    try:
        return Filters.from_query(params, known)
    except Exception:
        LINKS["crashes"] += 1
        raise


@settings(max_examples=300)
@given(hostile_params)
def test_hostile_query_never_raises_and_only_keeps_values_it_was_given(params):
    filters, notices = decode_counted(params)
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
@given(hostile_params)
def test_hostile_query_keeps_only_known_codes_when_the_known_values_are_given(params):
    known = KnownValues(region=frozenset({"R01", "R01A02"}), rep=frozenset({"REP001"}))
    filters, _ = decode_counted(params, known)
    if not (set(filters.region) <= known.region and set(filters.rep) <= known.rep):
        LINKS["widened"] += 1
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
    assert got == {
        ("region", "R99", "unknown_value"),
        ("channel", "BEER", "unknown_value"),
        ("start", "2024-02-30", "bad_date"),
        ("scope", "director:*", "unknown_param"),
        ("lang", "fr", "bad_value"),
    }


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


@pytest.mark.parametrize(
    "kwargs",
    [
        {"start": dt.date(2025, 2, 1), "end": dt.date(2025, 1, 1)},
        {"channel": ("BEER",)},
        {"tier": ("diamond",)},
        {"region": "R01"},
        {"lang": "fr"},
        {"start": "2025-01-01"},
    ],
    ids=["start-after-end", "unknown-channel", "unknown-tier", "string-not-tuple", "bad-lang", "string-date"],
)
def test_constructing_invalid_filters_raises_a_clear_value_error(kwargs):
    with pytest.raises(ValueError, match="Filters"):
        Filters(**kwargs)


@pytest.fixture
def scorecard():
    return pd.DataFrame(
        {
            "account_id": ["A1", "A2", "A3", "A4"],
            "region": ["S1", "S2", "S3", None],
            "channel": ["DIST", "KA", "KA", "RETAIL"],
            "rep": ["REP1", "REP2", "REP1", "REP2"],
            "value_type": ["strategic", None, "intrinsic", "intrinsic"],
            "pyramid_tier": ["platinum", "gold", "lead", "iron"],
        }
    )


PATHS = {
    "R01": "R01",
    "R01A": "R01/R01A",
    "S1": "R01/R01A/S1",
    "S2": "R01/R01B/S2",
    "S3": "R02/R02A/S3",
    "R01B": "R01/R01B",
    "R010": "R010",
}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(), ["A1", "A2", "A3", "A4"]),
        (Filters(region=("R01",)), ["A1", "A2"]),
        (Filters(region=("R01A",)), ["A1"]),
        (Filters(region=("S3", "R01B")), ["A2", "A3"]),
        (Filters(region=("R010",)), []),
        (Filters(channel=("KA",), rep=("REP1",)), ["A3"]),
        (Filters(type=("intrinsic",), tier=("iron",)), ["A4"]),
    ],
    ids=[
        "no-filter",
        "top-region",
        "area",
        "street-and-area",
        "prefix-is-not-a-parent",
        "channel-and-rep",
        "type-tier",
    ],
)
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
    frame = pd.DataFrame(
        {
            "region": ["S1", "S3"],
            "channel": ["KA", "DIST"],
            "rep": ["R", "Q"],
            "value_type": ["intrinsic", None],
            "pyramid_tier": ["gold", "lead"],
        }
    )
    out = apply_filters(frame, filters, PATHS)
    assert set(out.index) <= set(frame.index)


def test_apply_filters_uses_the_accounts_own_region_path_when_the_scorecard_has_it(scorecard):
    frame = scorecard.assign(
        region=["R01", "R01", "R02", None], region_path=["R01/R01A/S1", "R01/R01B/S2", "R02/R02A/S3", None]
    )
    assert apply_filters(frame, Filters(region=("R01A",)), PATHS)["account_id"].tolist() == ["A1"]


# --- a hostile link never reaches outside the viewer's scope (docs/DESIGN.md §6) -------------------------

SCOPES = ("rep:REP002", "manager:R01", "manager:R02")


@pytest.fixture(scope="module")
def tiny_scoped(tmp_path_factory):
    """The tiny brewer (A001/A002: REP001 in R01; A003: REP002 in R02), each scope's accounts and bundle."""
    from sqlalchemy import select

    from kam_core.db import ensure_schema, get_engine
    from kam_core.db.schema import account, region, sales_rep
    from kam_core.queries.scorecard import compute_scorecard_bundle
    from kam_core.scope import Scope
    from tests.kam_tiny_db import seed_tiny

    engine = get_engine(f"sqlite:///{tmp_path_factory.mktemp('links') / 'tiny.db'}")
    ensure_schema(engine)
    seed_tiny(engine)
    with engine.connect() as conn:  # every code in the database: the link may name any of them
        known = KnownValues(
            region=frozenset(conn.execute(select(region.c.region_id)).scalars()),
            rep=frozenset(conn.execute(select(sales_rep.c.rep_id)).scalars()),
        )
        allowed = {
            s: set(conn.execute(select(account.c.account_id).where(Scope.parse(s).account_clause())).scalars())
            for s in SCOPES
        }
    bundles = {s: compute_scorecard_bundle(engine, scope=Scope.parse(s)) for s in SCOPES}
    yield engine, known, allowed, bundles
    engine.dispose()


def test_the_tiny_scopes_are_what_the_widening_tests_assume(tiny_scoped):
    _, known, allowed, bundles = tiny_scoped
    assert allowed == {"rep:REP002": {"A003"}, "manager:R01": {"A001", "A002"}, "manager:R02": {"A003"}}
    assert {s: set(b.scorecard["account_id"]) for s, b in bundles.items()} == allowed
    assert {"R01", "R02"} <= known.region and {"REP001", "REP002"} <= known.rep


def _links_outside(scope: str):
    """Links naming the other scope's region and rep, scope-like parameters, plus anything hostile."""
    return st.fixed_dictionaries(
        {
            "region": st.lists(st.sampled_from(["R01", "R02", "R01' OR '1'='1", "*", ""]), max_size=3),
            "rep": st.lists(st.sampled_from(["REP001", "REP002", "%", "' OR 1=1 --"]), max_size=3),
        },
        optional={
            "as": st.just("director:*"),
            "scope": st.just("director:*"),
            "role": st.just("director"),
            "start": hostile_text,
            "end": hostile_text,
            "channel": hostile_value,
            "tier": hostile_value,
        },
    )


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(scope=st.sampled_from(SCOPES), data=st.data())
def test_a_hostile_link_never_widens_the_viewers_scope(tiny_scoped, scope, data):
    from kam_core.report.pack import compute_pack_view
    from kam_core.scope import Scope

    engine, known, allowed, bundles = tiny_scoped
    params = data.draw(st.one_of(_links_outside(scope), hostile_params))
    filters, _ = decode_counted(params, known)
    view = compute_pack_view(engine, filters, Scope.parse(scope), bundle=bundles[scope])
    seen = set(view.scorecard["account_id"]) if len(view.scorecard) else set()
    if not seen <= allowed[scope]:
        LINKS["widened"] += 1
    assert seen <= allowed[scope], f"{scope} reached {seen - allowed[scope]} through {params!r:.300}"


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(scope=st.sampled_from(SCOPES), start=hostile_text, end=hostile_text, region=st.sampled_from(["R01", "R02"]))
def test_a_hostile_period_in_a_link_recomputes_inside_the_scope(tiny_scoped, scope, start, end, region):
    from kam_core.report.pack import compute_pack_view
    from kam_core.scope import Scope

    engine, known, allowed, _ = tiny_scoped
    params = {"start": [start, "1990-01-01"], "end": end, "region": region, "as": "director:*"}
    filters, _ = decode_counted(params, known)
    view = compute_pack_view(engine, filters, Scope.parse(scope))  # no cached bundle: the period is recomputed
    seen = set(view.scorecard["account_id"]) if len(view.scorecard) else set()
    if not seen <= allowed[scope]:
        LINKS["widened"] += 1
    assert seen <= allowed[scope]
