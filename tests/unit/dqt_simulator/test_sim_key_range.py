"""Key-range seeks: a ``$filter`` bounding the primary key, with ``$orderby`` the primary key or none, pages by
bisection over the key index and returns exactly what the brute-force (sort everything) path returns."""

from __future__ import annotations

import random
import uuid

import pytest

from dqt_simulator.guid_order import order_key
from dqt_simulator.odata.parser import parse_filter
from dqt_simulator.odata.query import parse_query
from dqt_simulator.paging import PageCookie
from dqt_simulator.querying import KeyRange, KeyValues, SortCache, compile_query, find_page, key_range, key_values
from dqt_simulator.schema import ENTITIES
from dqt_simulator.store import Table
from tests.support.guid_order import SQL_SERVER_ORDER

CONTACT = next(e for e in ENTITIES if e.entity_set == "contacts")
PARENTS = [str(uuid.UUID(int=n, version=4)) for n in range(1, 8)]
LOW = "00000000-0000-0000-0000-400000000000"  # a quarter and a half of the way through GUID order
HIGH = "00000000-0000-0000-0000-800000000000"


def _table(size: int, seed: int = 7) -> Table:
    rng = random.Random(seed)
    table = Table(CONTACT, tracked=True)
    for n in range(size):
        row = table.blank_row()
        row["contactid"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        row["lastname"] = f"Name{n % 13}"
        row["versionnumber"] = n + 1
        row["_dfeta_mergedwith_value"] = PARENTS[n % len(PARENTS)] if n % 5 else None
        table.rows[row["contactid"]] = row
        table.ids.add(row["contactid"])
    return table


def _all_pages(table: Table, query_text: str, limit: int) -> list[list[str]]:
    query = compile_query(table, parse_query(query_text))
    cache = SortCache()
    pages: list[list[str]] = []
    cookie: PageCookie | None = None
    while True:
        rows, more = find_page(query, cookie, limit, cache)
        pages.append([r["contactid"] for r in rows])
        if not more:
            return pages
        cookie = PageCookie(len(pages) + 1, False, {}, query.cookie_values(rows[-1]))


def _brute_force(table: Table, filter_text: str) -> list[str]:
    query = compile_query(table, parse_query(f"$filter={filter_text}"))
    assert query.predicate is not None
    return sorted((r["contactid"] for r in table.rows.values() if query.predicate(r)), key=order_key)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"contactid ge {LOW} and contactid lt {HIGH}", KeyRange(LOW, True, HIGH, False)),
        (f"contactid gt {LOW}", KeyRange(LOW, False, None, True)),
        (f"{HIGH} gt contactid and statecode eq 0", KeyRange(None, True, HIGH, False)),
        (f"contactid eq '{LOW.upper()}'", KeyRange(LOW, True, LOW, True)),
        (f"(contactid ge {LOW} and statecode eq 0) and contactid le {HIGH}", KeyRange(LOW, True, HIGH, True)),
        (f"contactid ge {LOW} and contactid gt {HIGH}", KeyRange(HIGH, False, None, True)),
    ],
)
def test_bounds_come_from_the_top_level_and_chain(text: str, expected: KeyRange) -> None:
    assert key_range(parse_filter(text), "contactid") == expected


@pytest.mark.parametrize(
    "text",
    [
        f"contactid ge {LOW} or contactid lt {HIGH}",
        f"not (contactid ge {LOW})",
        f"contactid ne {LOW}",
        "contactid eq null",
        f"parentcustomerid ge {LOW}",
        "statecode eq 0",
    ],
)
def test_no_bounds_from_or_not_ne_null_or_other_columns(text: str) -> None:
    assert key_range(parse_filter(text), "contactid") is None


@pytest.mark.parametrize("orderby", ["", "&$orderby=contactid", "&$orderby=contactid asc"])
@pytest.mark.parametrize(
    "filter_text",
    [
        f"contactid ge {LOW} and contactid lt {HIGH}",
        f"contactid gt {LOW} and contactid le {HIGH} and lastname eq 'name3'",
        f"contactid lt {LOW}",
        f"contactid ge {HIGH}",
        f"contactid ge {HIGH} and contactid lt {LOW}",  # empty range
    ],
)
def test_key_range_pages_equal_brute_force(filter_text: str, orderby: str) -> None:
    table = _table(500)
    pages = _all_pages(table, f"$filter={filter_text}{orderby}", limit=37)
    assert [i for page in pages for i in page] == _brute_force(table, filter_text)
    assert all(len(page) == 37 for page in pages[:-1])


def test_descending_key_order_still_sorts() -> None:
    table = _table(200)
    pages = _all_pages(table, f"$filter=contactid ge {LOW}&$orderby=contactid desc", limit=50)
    assert [i for page in pages for i in page] == sorted(
        _brute_force(table, f"contactid ge {LOW}"), key=order_key, reverse=True
    )


def test_key_range_page_does_not_use_the_sort_cache() -> None:
    table = _table(100)
    query = compile_query(table, parse_query(f"$filter=contactid ge {LOW}&$orderby=contactid"))
    cache = SortCache()
    find_page(query, None, 10, cache)
    assert not cache._entries


def _ors(column: str, values: list[str]) -> str:
    return " or ".join(f"({column} eq {v})" for v in values)


def test_values_come_from_an_or_of_equalities_on_one_guid_column() -> None:
    table = _table(10)
    ids = sorted(table.rows)[:3]
    assert key_values(parse_filter(_ors("contactid", ids)), table) == KeyValues("contactid", frozenset(ids))
    text = f"statecode eq 0 and ({_ors('_dfeta_mergedwith_value', PARENTS[:2])})"
    assert key_values(parse_filter(text), table) == KeyValues("_dfeta_mergedwith_value", frozenset(PARENTS[:2]))
    both = f"({_ors('_dfeta_mergedwith_value', PARENTS[:2])}) and ({_ors('contactid', ids[:1])})"
    assert key_values(parse_filter(both), table) == KeyValues("contactid", frozenset(ids[:1]))  # the key preferred


@pytest.mark.parametrize(
    "text",
    [
        f"(contactid eq {LOW}) or (_dfeta_mergedwith_value eq {LOW})",  # two columns
        f"(contactid eq {LOW}) or (contactid eq null)",  # null rows are no index entry
        f"contactid ne {LOW}",
        "lastname eq 'name3'",  # not a GUID column
        f"not (contactid eq {LOW})",
    ],
)
def test_no_values_when_an_index_cannot_answer(text: str) -> None:
    assert key_values(parse_filter(text), _table(3)) is None


@pytest.mark.parametrize("orderby", ["", "&$orderby=contactid"])
def test_value_lookups_page_like_brute_force(orderby: str) -> None:
    table = _table(400)
    some = [*sorted(table.rows)[::9], LOW]  # LOW is not a key: it finds nothing
    cases = [
        _ors("contactid", some),
        f"({_ors('_dfeta_mergedwith_value', PARENTS[:3])}) and lastname ne 'name4'",
        f"({_ors('_dfeta_mergedwith_value', PARENTS[2:4])}) and contactid ge {LOW}",
    ]
    for filter_text in cases:
        pages = _all_pages(table, f"$filter={filter_text}{orderby}", limit=11)
        assert [i for page in pages for i in page] == _brute_force(table, filter_text), filter_text


def test_a_lookup_index_is_rebuilt_when_the_table_changes() -> None:
    table = _table(50)
    cache = SortCache()
    query = compile_query(table, parse_query(f"$filter={_ors('_dfeta_mergedwith_value', PARENTS[:1])}"))
    before, _ = find_page(query, None, 100, cache)
    row = table.rows[sorted(table.rows)[0]]
    moved = {**row, "_dfeta_mergedwith_value": PARENTS[0] if row["_dfeta_mergedwith_value"] != PARENTS[0] else None}
    table.rows[row["contactid"]] = moved
    table.generation += 1
    after, _ = find_page(query, None, 100, cache)
    assert {r["contactid"] for r in after} ^ {r["contactid"] for r in before} == {row["contactid"]}


def _table_of(ids: list[str]) -> Table:
    table = Table(CONTACT, tracked=True)
    for n, record_id in enumerate(ids):
        row = table.blank_row()
        row["contactid"] = record_id
        row["lastname"] = f"Name{n}"
        row["versionnumber"] = n + 1
        table.rows[record_id] = row
        table.ids.add(record_id)
    return table


@pytest.mark.parametrize("orderby", ["", "&$orderby=contactid", "&$orderby=contactid desc"])
def test_guids_come_in_sql_servers_order_not_text_order(orderby: str) -> None:
    table = _table_of(list(reversed(SQL_SERVER_ORDER)))
    pages = [i for page in _all_pages(table, f"$filter=contactid ne null{orderby}", limit=5) for i in page]
    assert pages == (SQL_SERVER_ORDER[::-1] if orderby.endswith("desc") else SQL_SERVER_ORDER)


def test_guid_comparisons_follow_sql_servers_order() -> None:
    # The first group's first written byte is the least significant of all; the last group's first byte the most.
    table = _table_of(SQL_SERVER_ORDER)
    middle = SQL_SERVER_ORDER[6]
    pages = _all_pages(table, f"$filter=contactid ge {middle}", limit=4)
    assert [i for page in pages for i in page] == SQL_SERVER_ORDER[6:]
    pages = _all_pages(table, f"$filter=contactid lt {middle} and lastname ne 'x'", limit=4)
    assert [i for page in pages for i in page] == SQL_SERVER_ORDER[:6]


def test_the_quarter_to_half_range_holds_about_a_quarter_of_random_guids() -> None:
    # LOW and HIGH differ where SQL Server's order starts (the last group): a range between them is not empty
    found = _brute_force(_table(500), f"contactid ge {LOW} and contactid lt {HIGH}")
    assert 90 <= len(found) <= 160
