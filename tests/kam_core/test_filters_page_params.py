from kam_core.filters import Filters


def test_page_level_parameters_are_not_reported_as_unknown_filters():
    filters, notices = Filters.from_query({"account": ["AC00001"], "scenario": ["3"], "bogus": ["x"], "lang": ["en"]})
    assert [n.param for n in notices] == ["bogus"]
    assert filters == Filters(lang="en")
