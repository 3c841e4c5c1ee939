"""Query-string decoding and the Prefer header."""

from __future__ import annotations

import pytest

from dqt_simulator.odata.prefer import annotation_matches, parse_prefer
from dqt_simulator.odata.query import QueryError, parse_orderby, parse_query, split_query


def test_percent_encoded_names_and_plus_for_space() -> None:
    params = split_query("%24select=a,b&%24filter=lastname+eq+%27O%27%27Neil%27&$top=5")
    assert params == {"$select": "a,b", "$filter": "lastname eq 'O''Neil'", "$top": "5"}


def test_verbatim_and_re_encoded_skiptokens_decode_the_same() -> None:
    verbatim = split_query("$skiptoken=%3Ccookie%20pagenumber=%222%22%20pagingcookie=%22%253ccookie%22%20/%3E")
    airbyte = split_query("%24skiptoken=%3Ccookie+pagenumber%3D%222%22+pagingcookie%3D%22%253ccookie%22+%2F%3E")
    assert verbatim == airbyte == {"$skiptoken": '<cookie pagenumber="2" pagingcookie="%3ccookie" />'}


def test_parse_query_options() -> None:
    options = parse_query(
        "$select=firstname,lastname&$filter=statecode eq 0&$orderby=lastname desc,firstname&$top=10&$count=true"
    )
    assert options.select == ["firstname", "lastname"]
    assert options.filter is not None
    assert options.orderby == [("lastname", True), ("firstname", False)]
    assert options.top == 10
    assert options.count is True


@pytest.mark.parametrize(
    "query",
    [
        "$skip=10",
        "$top=x",
        "$top=-1",
        "$count=maybe",
        "$select=a,,b",
        "$filter=a eq",
        "$orderby=a sideways",
        "$search=x",
        "fetchXml=<fetch/>",
        "$apply=groupby((a))",
    ],
)
def test_refused_or_malformed_options(query: str) -> None:
    with pytest.raises(QueryError):
        parse_query(query)


def test_custom_parameters_are_ignored() -> None:
    assert parse_query("api-version=9.2&$top=1").top == 1


def test_orderby_keys() -> None:
    assert parse_orderby("a, b desc ,c asc") == [("a", False), ("b", True), ("c", False)]


def test_prefer_comma_joined_and_repeated_headers() -> None:
    one = parse_prefer(["odata.track-changes,odata.maxpagesize=100"])
    many = parse_prefer(["odata.track-changes", "odata.maxpagesize=100"])
    for prefs in (one, many):
        assert prefs.track_changes
        assert prefs.page_size == 100


def test_prefer_quoted_annotations_keep_their_commas() -> None:
    prefs = parse_prefer(
        [
            'odata.include-annotations="OData.Community.Display.V1.FormattedValue,'
            'Microsoft.Dynamics.CRM.*", return=representation'
        ]
    )
    assert prefs.include_annotations == ("OData.Community.Display.V1.FormattedValue", "Microsoft.Dynamics.CRM.*")
    assert prefs.return_representation
    assert prefs.wants_annotation("Microsoft.Dynamics.CRM.lookuplogicalname")
    assert prefs.wants_annotation("OData.Community.Display.V1.FormattedValue")
    assert not prefs.wants_annotation("Other.Thing")


def test_page_size_default_and_cap() -> None:
    assert parse_prefer([]).page_size == 5000
    assert parse_prefer(["odata.maxpagesize=20000"]).page_size == 5000
    assert parse_prefer(["odata.maxpagesize=abc"]).page_size == 5000
    assert parse_prefer(["odata.continue-on-error"]).continue_on_error


def test_annotation_patterns() -> None:
    assert annotation_matches(["*"], "A.b")
    assert annotation_matches(["A.*"], "A.b")
    assert not annotation_matches(["A.*"], "B.b")
    assert not annotation_matches(["*", "-A.b"], "A.b")
    assert annotation_matches(["A.b"], "A.b")
    assert not annotation_matches([], "A.b")
