"""Finding the rows of one page: validation of query options against a table, predicates, ordering
and seeking. No HTTP here; ``reads`` turns the result into a response.

Without ``$orderby`` (or with ``$orderby=<primary key>`` ascending, the same order) rows come in
primary-key order and a page is found by bisecting the sorted key index past the cookie's last key, then
scanning forward only as far as needed (``limit + 1`` matches, to know whether another page exists). A
``$filter`` whose top-level ``and`` bounds the primary key (``contactid ge X and contactid lt Y``: the
key-range shards of a backfill) narrows that scan to the range by bisection too, so a shard's page costs
the same whatever the table size, as an index seek would on SQL Server. A conjunct listing values of one GUID
column (``contactid eq A or contactid eq B …``, ``_dfeta_personid_value eq A or …``: the bridge's fetch of a
page's persons and their children) is answered from the key index or a per-generation index of that lookup
column, instead of evaluating the predicate on every row; so is a conjunct bounding a GUID lookup column
(``_dfeta_personid_value gt A and _dfeta_personid_value le B``: the backfill's read of a range of persons'
records), from a per-generation sorted index of that column. With another ``$orderby`` the
matching rows are sorted once per table generation and query (cached), and a page is found by bisecting
the sorted keys past the cookie's ``(orderby values..., primary key)``.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dqt_simulator.errors import ApiError, bad_query, unknown_property
from dqt_simulator.guid_order import order_key
from dqt_simulator.odata.evaluate import (
    FilterError,
    UnknownPropertyError,
    coerce_literal,
    compile_filter,
    normalizer,
)
from dqt_simulator.odata.parser import BoolOp, Compare, Literal, Node, Property
from dqt_simulator.odata.query import QueryOptions
from dqt_simulator.paging import PageCookie, SkipTokenError, text_to_value, value_to_text
from dqt_simulator.store import Row, Table

Predicate = Callable[[Row], bool]
MAX_COUNT = 5000


@dataclass(frozen=True, slots=True)
class KeyRange:
    """Bounds on the primary key implied by a filter (``None``: unbounded on that side)."""

    low: str | None = None
    low_inclusive: bool = True
    high: str | None = None
    high_inclusive: bool = True

    def narrow(self, op: str, value: str) -> KeyRange:
        """This range intersected with ``key <op> value``."""
        low, low_inc, high, high_inc = self.low, self.low_inclusive, self.high, self.high_inclusive
        mine = order_key(value)
        if op in ("gt", "ge", "eq"):
            inclusive = op != "gt"
            if low is None or mine > order_key(low) or (value == low and not inclusive):
                low, low_inc = value, inclusive
        if op in ("lt", "le", "eq"):
            inclusive = op != "lt"
            if high is None or mine < order_key(high) or (value == high and not inclusive):
                high, high_inc = value, inclusive
        return KeyRange(low, low_inc, high, high_inc)

    def slice_of(self, ids: Any) -> tuple[int, int]:
        """``(start, stop)`` positions of the range in a ``SortedKeyList`` of keys in GUID order."""
        start, stop = 0, len(ids)
        if self.low is not None:
            start = ids.bisect_left(self.low) if self.low_inclusive else ids.bisect_right(self.low)
        if self.high is not None:
            stop = ids.bisect_right(self.high) if self.high_inclusive else ids.bisect_left(self.high)
        return start, max(start, stop)


_FLIPPED = {"eq": "eq", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}


def key_range(node: Node | None, primary_id: str) -> KeyRange | None:
    """The primary-key bounds that every row matching ``node`` satisfies: comparisons of the key with a GUID
    found in the top-level ``and`` chain (``or``/``not`` subtrees bound nothing). ``None`` when unbounded.
    The bounds only narrow the scan; the whole predicate is still evaluated on every row in the range."""
    found: KeyRange | None = None
    pending = [node] if node is not None else []
    while pending:
        current = pending.pop()
        if isinstance(current, BoolOp):
            if current.op == "and":
                pending += [current.left, current.right]
            continue
        if not isinstance(current, Compare) or current.op not in _FLIPPED:
            continue
        left, right, op = current.left, current.right, current.op
        if isinstance(left, Literal) and isinstance(right, Property):
            left, right, op = right, left, _FLIPPED[op]
        if not (isinstance(left, Property) and left.name == primary_id and isinstance(right, Literal)):
            continue
        try:
            value = coerce_literal(right, "guid", op)
        except FilterError:
            continue  # the predicate reports the type error
        if isinstance(value, str):  # null compares unknown: nothing matches, the predicate says so
            found = (found or KeyRange()).narrow(op, value)
    return found


@dataclass(frozen=True, slots=True)
class KeyValues:
    """A conjunct ``column eq v1 or column eq v2 …`` on one GUID column: every matching row has one of ``values``."""

    column: str
    values: frozenset[str]


def _equal_values(node: Node, table: Table) -> KeyValues | None:
    """``node`` as a set of values of one GUID column, if it is an ``or`` of ``eq`` comparisons on that column."""
    if isinstance(node, BoolOp):
        left = _equal_values(node.left, table) if node.op == "or" else None
        right = _equal_values(node.right, table) if left is not None else None
        if left is None or right is None or left.column != right.column:
            return None
        return KeyValues(left.column, left.values | right.values)
    value = _guid_equality(node, table)
    return None if value is None else KeyValues(value[0], frozenset({value[1]}))


def _guid_equality(node: Node, table: Table) -> tuple[str, str] | None:
    """``(column, value)`` when ``node`` is ``<GUID column> eq <GUID>`` (either way round)."""
    if not isinstance(node, Compare) or node.op != "eq":
        return None
    prop, literal = node.left, node.right
    if isinstance(prop, Literal) and isinstance(literal, Property):
        prop, literal = literal, prop
    if not (isinstance(prop, Property) and isinstance(literal, Literal)) or table.vtypes.get(prop.name) != "guid":
        return None
    try:
        value = coerce_literal(literal, "guid")
    except FilterError:
        return None
    # "eq null" matches the rows without a value: no index answers that
    return (prop.name, value) if isinstance(value, str) else None


def key_values(node: Node | None, table: Table) -> KeyValues | None:
    """A conjunct of the top-level ``and`` chain that lists the values of one GUID column (the primary key
    preferred), so the matching rows can be found by lookup; ``None`` when there is none."""
    found: list[KeyValues] = []
    pending = [node] if node is not None else []
    while pending:
        current = pending.pop()
        if isinstance(current, BoolOp) and current.op == "and":
            pending += [current.left, current.right]
            continue
        values = _equal_values(current, table)
        if values is not None:
            found.append(values)
    if not found:
        return None
    return min(found, key=lambda kv: (kv.column != table.primary_id, len(kv.values)))


def lookup_range(node: Node | None, table: Table) -> tuple[str, KeyRange] | None:
    """Bounds on one GUID lookup column (not the primary key) from the top-level ``and`` chain, so the rows in
    that range can be found in the column's sorted index; the first such column found."""
    pending = [node] if node is not None else []
    while pending:
        current = pending.pop()
        if isinstance(current, BoolOp):
            if current.op == "and":
                pending += [current.left, current.right]
            continue
        if not isinstance(current, Compare) or current.op not in ("gt", "ge", "lt", "le"):
            continue
        prop = current.left if isinstance(current.left, Property) else current.right
        if isinstance(prop, Property) and prop.name != table.primary_id and table.vtypes.get(prop.name) == "guid":
            bounds = key_range(node, prop.name)
            if bounds is not None:
                return prop.name, bounds
    return None


@dataclass(slots=True)
class CompiledQuery:
    table: Table
    predicate: Predicate | None
    orderby: list[tuple[str, bool]]
    filter_text: str | None
    key_bounds: KeyRange | None = None
    key_values: KeyValues | None = None
    lookup_bounds: tuple[str, KeyRange] | None = None

    @property
    def in_key_order(self) -> bool:
        """Whether rows come in primary-key order (no ``$orderby``, or the primary key ascending)."""
        return not self.orderby or self.orderby == [(self.table.primary_id, False)]

    def component(self, name: str, value: Any) -> tuple[Any, ...]:
        """Sort component of one value: nulls first (ascending), strings case-insensitively."""
        if value is None:
            return (0,)
        return (1, normalizer(self.table.vtypes[name])(value))

    def cookie_values(self, row: Row) -> list[tuple[str, str | None]]:
        values = [(name, value_to_text(row[name], self.table.vtypes[name])) for name, _ in self.orderby]
        pk = self.table.primary_id
        values.append((pk, value_to_text(row[pk], "guid")))
        return values

    def seek_target(self, cookie: PageCookie) -> tuple[list[tuple[Any, ...]], str]:
        """The cookie's position: sort components of its orderby values, and its primary key."""
        expected = [name for name, _ in self.orderby] + [self.table.primary_id]
        if [name for name, _ in cookie.values] != expected:
            raise SkipTokenError("The $skiptoken does not belong to this query.")
        typed = [text_to_value(text, self.table.vtypes[name]) for name, text in cookie.values]
        record_id = typed[-1]
        if not isinstance(record_id, str):
            raise SkipTokenError("The $skiptoken has no primary key.")
        components = [self.component(name, value) for (name, _), value in zip(self.orderby, typed[:-1], strict=True)]
        return components, record_id

    def is_after(self, row: Row, components: list[tuple[Any, ...]], record_id: str) -> bool:
        """Whether ``row`` sorts strictly after the position ``(components, record_id)``."""
        for (name, descending), target in zip(self.orderby, components, strict=True):
            mine = self.component(name, row[name])
            if mine != target:
                return (mine < target) if descending else (mine > target)
        return order_key(row[self.table.primary_id]) > order_key(record_id)

    def sort(self, rows: list[Row]) -> None:
        """Stable multi-pass sort: primary key, then each ``$orderby`` key from last to first."""
        primary_id = self.table.primary_id
        rows.sort(key=lambda row: order_key(row[primary_id]))
        for name, descending in reversed(self.orderby):
            rows.sort(key=_sort_key(name, normalizer(self.table.vtypes[name])), reverse=descending)


def _sort_key(name: str, norm: Callable[[Any], Any]) -> Callable[[Row], tuple[Any, ...]]:
    def key(row: Row) -> tuple[Any, ...]:
        value = row[name]
        return (0,) if value is None else (1, norm(value))

    return key


def resolver(table: Table) -> Callable[[str], str]:
    def resolve(name: str) -> str:
        vtype = table.vtypes.get(name)
        if vtype is None:
            raise UnknownPropertyError(name)
        return vtype

    return resolve


def validate_select(table: Table, select: list[str] | None) -> None:
    for name in select or ():
        if name not in table.vtypes:
            raise unknown_property(table.logical_name, name)


def compile_query(table: Table, options: QueryOptions) -> CompiledQuery:
    validate_select(table, options.select)
    for name, _ in options.orderby:
        if name not in table.vtypes:
            raise unknown_property(table.logical_name, name)
    predicate: Predicate | None = None
    if options.filter is not None:
        try:
            predicate = compile_filter(options.filter, resolver(table))
        except UnknownPropertyError as exc:
            raise unknown_property(table.logical_name, exc.name) from exc
        except FilterError as exc:
            raise bad_query(str(exc)) from exc
    bounds = key_range(options.filter, table.primary_id) if predicate is not None else None
    values = key_values(options.filter, table) if predicate is not None else None
    lookup = lookup_range(options.filter, table) if predicate is not None else None
    return CompiledQuery(table, predicate, options.orderby, options.filter_text, bounds, values, lookup)


class SortCache:
    """Sorted matches per (table generation, filter, orderby); reused by every page of one query."""

    def __init__(self, size: int = 4) -> None:
        self._entries: OrderedDict[tuple[Any, ...], list[Row]] = OrderedDict()
        self._indexes: OrderedDict[tuple[Any, ...], dict[str, list[str]]] = OrderedDict()
        self._sorted_indexes: OrderedDict[tuple[Any, ...], list[tuple[str, str]]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def sorted_rows(self, query: CompiledQuery) -> list[Row]:
        table = query.table
        key = (table.entity_set, table.generation, query.filter_text, tuple(query.orderby))
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
                return hit
        if query.predicate is not None:
            predicate = query.predicate
            rows = [row for row in table.rows.values() if predicate(row)]
        else:
            rows = list(table.rows.values())
        query.sort(rows)
        with self._lock:
            self._entries[key] = rows
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return rows

    def column_index(self, table: Table, column: str) -> dict[str, list[str]]:
        """``{value: ids}`` of a GUID column, built once per table generation (a lookup column's index)."""
        key = (table.entity_set, table.generation, "index", column)
        with self._lock:
            hit = self._indexes.get(key)
            if hit is not None:
                self._indexes.move_to_end(key)
                return hit
        index: dict[str, list[str]] = {}
        for record_id, row in table.rows.items():
            value = row.get(column)
            if isinstance(value, str):
                index.setdefault(value.lower(), []).append(record_id)
        with self._lock:
            self._indexes[key] = index
            while len(self._indexes) > self._size:
                self._indexes.popitem(last=False)
        return index

    def sorted_index(self, table: Table, column: str) -> list[tuple[str, str]]:
        """``(order key of the value, id)`` of a GUID column's non-null values, sorted (GUID order), built once per
        table generation."""
        key = (table.entity_set, table.generation, "sorted", column)
        with self._lock:
            hit = self._sorted_indexes.get(key)
            if hit is not None:
                self._sorted_indexes.move_to_end(key)
                return hit
        index = sorted(
            (order_key(value), record_id)
            for record_id, row in table.rows.items()
            if isinstance(value := row.get(column), str)
        )
        with self._lock:
            self._sorted_indexes[key] = index
            while len(self._sorted_indexes) > self._size:
                self._sorted_indexes.popitem(last=False)
        return index

    def range_candidate_ids(self, table: Table, column: str, bounds: KeyRange) -> list[str]:
        """The ids of the rows whose ``column`` lies in ``bounds``, in primary-key order."""
        index = self.sorted_index(table, column)
        start, stop = 0, len(index)
        if bounds.low is not None:
            start = bisect.bisect_left(index, (order_key(bounds.low), "" if bounds.low_inclusive else "\uffff"))
        if bounds.high is not None:
            stop = bisect.bisect_left(index, (order_key(bounds.high), "\uffff" if bounds.high_inclusive else ""))
        return sorted((record_id for _, record_id in index[start : max(start, stop)]), key=order_key)

    def candidate_ids(self, table: Table, values: KeyValues) -> list[str]:
        """The ids of the rows that can match ``values``, in primary-key order."""
        if values.column == table.primary_id:
            return sorted((v for v in values.values if v in table.rows), key=order_key)
        index = self.column_index(table, values.column)
        return sorted({record_id for value in values.values for record_id in index.get(value, ())}, key=order_key)


def _first_after(query: CompiledQuery, rows: list[Row], cookie: PageCookie) -> int:
    components, record_id = query.seek_target(cookie)
    low, high = 0, len(rows)
    while low < high:
        middle = (low + high) // 2
        if query.is_after(rows[middle], components, record_id):
            high = middle
        else:
            low = middle + 1
    return low


def find_page(
    query: CompiledQuery, cookie: PageCookie | None, limit: int, sort_cache: SortCache
) -> tuple[list[Row], bool]:
    """Up to ``limit`` rows after the cookie's position, and whether more rows follow (caller holds
    the store lock)."""
    table = query.table
    if limit <= 0:
        return [], False
    if not query.in_key_order:
        rows = sort_cache.sorted_rows(query)
        start = _first_after(query, rows, cookie) if cookie else 0
        page = rows[start : start + limit + 1]
        return page[:limit], len(page) > limit
    if query.key_values is not None:
        return _page_of_candidates(query, cookie, limit, sort_cache.candidate_ids(table, query.key_values))
    if query.lookup_bounds is not None and query.key_bounds is None:
        column, bounds = query.lookup_bounds
        return _page_of_candidates(query, cookie, limit, sort_cache.range_candidate_ids(table, column, bounds))
    start, stop = query.key_bounds.slice_of(table.ids) if query.key_bounds else (0, len(table.ids))
    if cookie is not None:
        _, last_id = query.seek_target(cookie)
        start = max(start, table.ids.bisect_right(last_id))
    by_id = table.rows
    if query.predicate is None:
        ids = list(table.ids.islice(start, min(stop, start + limit + 1)))
        page = [by_id[i] for i in ids]
    else:
        predicate = query.predicate
        page = []
        for record_id in table.ids.islice(start, max(start, stop)):
            row = by_id[record_id]
            if predicate(row):
                page.append(row)
                if len(page) > limit:
                    break
    return page[:limit], len(page) > limit


def _page_of_candidates(
    query: CompiledQuery, cookie: PageCookie | None, limit: int, candidates: list[str]
) -> tuple[list[Row], bool]:
    """A page from the ids an index gave (sorted): past the cookie, then the whole predicate on each row."""
    start = 0
    if cookie is not None:
        _, last_id = query.seek_target(cookie)
        start = bisect.bisect_right(candidates, order_key(last_id), key=order_key)
    predicate, by_id = query.predicate, query.table.rows
    page: list[Row] = []
    for record_id in candidates[start:]:
        row = by_id[record_id]
        if predicate is None or predicate(row):
            page.append(row)
            if len(page) > limit:
                break
    return page[:limit], len(page) > limit


def count_matches(query: CompiledQuery) -> int:
    """``$count``: matching rows, capped at 5000 as Dataverse caps it (caller holds the lock)."""
    table = query.table
    if query.predicate is None:
        return min(len(table.rows), MAX_COUNT + 1)
    predicate = query.predicate
    found = 0
    for row in table.rows.values():
        if predicate(row):
            found += 1
            if found > MAX_COUNT:
                break
    return found


def skiptoken_error(exc: SkipTokenError) -> ApiError:
    return bad_query(f"Invalid $skiptoken: {exc}")
