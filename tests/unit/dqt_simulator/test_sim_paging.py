"""Paging cookies: Dataverse's $skiptoken format, round trips through both client re-encodings."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import pytest

from dqt_simulator.odata.query import split_query
from dqt_simulator.paging import (
    PageCookie,
    SkipTokenError,
    build_link_with_tokens,
    decode_skiptoken,
    encode_skiptoken,
    text_to_value,
    value_to_text,
)

PK = "49b0be2e-d01c-ed11-b83e-000d3a572421"


def _cookie() -> PageCookie:
    return PageCookie(
        3,
        False,
        {"emitted": "10"},
        [("lastname", 'O\'Neil & "Sons" <x> 100%+1'), ("middlename", None), ("contactid", value_to_text(PK, "guid"))],
    )


def test_looks_like_dataverse() -> None:
    token = encode_skiptoken(PageCookie(2, False, {}, [("contactid", value_to_text(PK, "guid"))]))
    assert token.startswith(
        '<cookie pagenumber="2" pagingcookie="%3ccookie%20page%3d%221%22%3e%3ccontactid%20last%3d%22%7b49B0BE2E'
    )
    assert token.endswith('" istracking="False" />')
    inner = unquote(token.split('pagingcookie="')[1].split('"')[0])
    assert inner == (
        '<cookie page="1"><contactid last="{49B0BE2E-D01C-ED11-B83E-000D3A572421}" '
        'first="{49B0BE2E-D01C-ED11-B83E-000D3A572421}" /></cookie>'
    )


def test_round_trip_with_awkward_values() -> None:
    cookie = _cookie()
    decoded = decode_skiptoken(encode_skiptoken(cookie))
    assert decoded == cookie
    assert text_to_value(decoded.values[-1][1], "guid") == PK


def test_round_trip_through_a_next_link_verbatim_and_airbyte_style() -> None:
    link = build_link_with_tokens(
        "https://h/api/data/v9.2/contacts",
        [("$select", "a,b"), ("$filter", "x eq 'y z'")],
        [("$skiptoken", encode_skiptoken(_cookie()))],
    )
    verbatim = split_query(urlsplit(link).query)
    assert decode_skiptoken(verbatim["$skiptoken"]) == _cookie()
    assert verbatim["$filter"] == "x eq 'y z'"
    reencoded = urlencode(parse_qsl(urlsplit(link).query))  # what requests does with params=dict
    assert "%24skiptoken=" in reencoded
    assert "+" in reencoded
    again = split_query(reencoded)
    assert again == verbatim


def test_tracking_flag() -> None:
    token = encode_skiptoken(PageCookie(2, True, {"snapshot": "42"}, [("contactid", "{X}")]))
    assert 'istracking="True"' in token
    decoded = decode_skiptoken(token)
    assert decoded.istracking
    assert decoded.attrs == {"snapshot": "42"}


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "<cookie />",
        '<cookie pagenumber="x" pagingcookie="" />',
        '<cookie pagenumber="2" pagingcookie="%3cnot-a-cookie" />',
        f'<cookie pagenumber="2" pagingcookie="{quote("<cookie><a /></cookie>")}" />',
    ],
)
def test_garbled_tokens(token: str) -> None:
    with pytest.raises(SkipTokenError):
        decode_skiptoken(token)


@pytest.mark.parametrize(
    ("value", "vtype"),
    [
        (5, "int"),
        (True, "bool"),
        (False, "bool"),
        ("x y", "string"),
        (PK, "guid"),
        (1.5, "float"),
        ("2024-01-01", "date"),
        (None, "int"),
    ],
)
def test_typed_values(value: object, vtype: str) -> None:
    assert text_to_value(value_to_text(value, vtype), vtype) == value
