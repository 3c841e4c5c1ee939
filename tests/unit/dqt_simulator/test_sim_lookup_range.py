"""Lookup-range seeks: a ``$filter`` bounding a GUID lookup column (the backfill's read of a range of persons'
records, ADR 0085) is answered from a sorted index of that column and pages exactly as the brute-force path."""

from __future__ import annotations

import random
import uuid

import pytest

from dqt_simulator.guid_order import order_key
from dqt_simulator.odata.parser import parse_filter
from dqt_simulator.odata.query import parse_query
from dqt_simulator.paging import PageCookie
from dqt_simulator.querying import KeyRange, SortCache, compile_query, find_page, lookup_range
from dqt_simulator.schema import ENTITIES
from dqt_simulator.store import Table

CONTACT = next(e for e in ENTITIES if e.entity_set == "contacts")
PARENTS = sorted((str(uuid.UUID(int=random.Random(n).getrandbits(128), version=4)) for n in range(40)), key=order_key)
COLUMN = "_dfeta_mergedwith_value"


def _table(size: int) -> Table:
    rng = random.Random(11)
    table = Table(CONTACT, tracked=True)
    for n in range(size):
        row = table.blank_row()
        row["contactid"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        row["versionnumber"] = n + 1
        row["statecode"] = n % 2
        row[COLUMN] = PARENTS[n % len(PARENTS)].upper() if n % 3 == 0 else PARENTS[n % len(PARENTS)] if n % 7 else None
        table.rows[row["contactid"]] = row
        table.ids.add(row["contactid"])
    return table


def _pages(table: Table, filter_text: str, limit: int, cache: SortCache) -> list[str]:
    query = compile_query(table, parse_query(f"$filter={filter_text}"))
    found: list[str] = []
    cookie: PageCookie | None = None
    while True:
        rows, more = find_page(query, cookie, limit, cache)
        found += [r["contactid"] for r in rows]
        if not more:
            return found
        cookie = PageCookie(2, False, {}, query.cookie_values(rows[-1]))


def _brute_force(table: Table, filter_text: str) -> list[str]:
    query = compile_query(table, parse_query(f"$filter={filter_text}"))
    assert query.predicate is not None
    return sorted((r["contactid"] for r in table.rows.values() if query.predicate(r)), key=order_key)


def test_bounds_on_a_lookup_column_come_from_the_top_level_and_chain() -> None:
    table = _table(1)
    text = f"{COLUMN} gt {PARENTS[3]} and {COLUMN} le {PARENTS[20]} and statecode eq 0"

    assert lookup_range(parse_filter(text), table) == (COLUMN, KeyRange(PARENTS[3], False, PARENTS[20], True))
    assert lookup_range(parse_filter(f"{COLUMN} gt {PARENTS[3]} or statecode eq 0"), table) is None
    assert lookup_range(parse_filter(f"contactid gt {PARENTS[3]}"), table) is None


@pytest.mark.parametrize(
    "filter_text",
    [
        f"{COLUMN} gt {PARENTS[3]} and {COLUMN} le {PARENTS[20]}",
        f"{COLUMN} ge {PARENTS[3]} and {COLUMN} lt {PARENTS[20]} and statecode eq 1",
        f"{COLUMN} gt {PARENTS[30]}",
        f"{COLUMN} le {PARENTS[0]}",
        f"{COLUMN} ge {PARENTS[39]} and {COLUMN} le {PARENTS[0]}",
    ],
)
def test_lookup_range_pages_equal_brute_force(filter_text: str) -> None:
    table = _table(600)
    cache = SortCache()

    assert _pages(table, filter_text, 17, cache) == _brute_force(table, filter_text)
    assert _pages(table, filter_text, 5000, cache) == _brute_force(table, filter_text)


def test_a_sorted_lookup_index_is_rebuilt_when_the_table_changes() -> None:
    table = _table(50)
    cache = SortCache()
    text = f"{COLUMN} ge {PARENTS[0]}"
    before = _pages(table, text, 100, cache)

    row = table.blank_row()
    row["contactid"] = str(uuid.uuid4())
    row[COLUMN] = PARENTS[5]
    table.rows[row["contactid"]] = row
    table.ids.add(row["contactid"])
    table.generation += 1

    assert sorted([*before, row["contactid"]], key=order_key) == _pages(table, text, 100, cache)
