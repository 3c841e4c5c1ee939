"""Record and range digests: what lets a key range of thousands of rows be compared as one number.

A record's digest is one 64-bit hash per compared column (so a mismatch names its columns without keeping any
value) and one hash over those. A range's digest is the count of its records and the sum, modulo 2**64, of a
hash of each (key, record hash): a sum does not depend on the order rows arrive in (DQT's order and TRS's
need not agree) and, unlike XOR, does not cancel two equal terms.

The hashes are Python's own (SipHash over bytes and strings), salted per process: far cheaper than a
cryptographic digest per column, and enough because both sides of a comparison are hashed in the same
process and no digest is ever stored or sent anywhere (ADR 0081). Small non-negative integers are their own
hash; other integers are hashed through their bytes, since ``hash(-1) == hash(-2)``.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Protocol

_MASK: Final = (1 << 64) - 1
_NONE: Final = hash(b"\x00reconcile:null")

Kind = Literal["missing", "extra", "differing"]


class Row(Protocol):
    """A mapped row (a ``dict``) or a row read from TRS (SQLAlchemy's ``RowMapping``)."""

    def get(self, key: str, /) -> Any: ...


#: Types hashed by their own ``__hash__`` (equal values hash equal: aware timestamps by instant).
_OWN_HASH: Final = frozenset({str, dt.date, dt.datetime})
#: Non-negative integers below this are their own hash (exact, and cheaper than hashing their bytes).
_SMALL: Final = 1 << 62


def column_hash(value: Any) -> int:
    """The hash of one normalised column value: lists compare element by element in order, integers (and
    booleans) by value, everything else (text, GUIDs, dates, aware timestamps) by its own equality."""
    kind = type(value)
    if kind in _OWN_HASH:
        return hash(value)
    if kind is int and 0 <= value < _SMALL:
        return int(value)
    if value is None:
        return _NONE
    if isinstance(value, int):
        return hash(value.to_bytes(16, "little", signed=True))
    if isinstance(value, list | tuple):
        return hash(b"\x01list" + array("q", [column_hash(v) for v in value]).tobytes())  # hash(b"") == hash("")
    return hash(value)


def column_hashes(values: Iterable[Any]) -> array[int]:
    """:func:`column_hash` of each value, with the common cases inline (this runs for every column of every
    record on both sides, so it is most of a reconcile's own time)."""
    return array(
        "q",
        [
            hash(v) if (kind := type(v)) in _OWN_HASH else v if kind is int and 0 <= v < _SMALL else column_hash(v)
            for v in values
        ],
    )


@dataclass(frozen=True, slots=True)
class RecordDigest:
    """One record as a comparison needs it: its columns' hashes (in ``columns`` order) and a hash of them."""

    columns: tuple[str, ...]
    hashes: array[int]
    value: int

    def fields_differing_from(self, other: RecordDigest) -> tuple[str, ...]:
        """The columns whose hashes differ (every column of either when the shapes differ)."""
        if self.columns != other.columns:
            return tuple(dict.fromkeys([*self.columns, *other.columns]))
        return tuple(c for c, a, b in zip(self.columns, self.hashes, other.hashes, strict=True) if a != b)


def digest(row: Row, columns: tuple[str, ...]) -> RecordDigest:
    """The digest of ``row`` over ``columns`` (a missing column counts as NULL)."""
    return digest_values(map(row.get, columns), columns)


def digest_values(values: Iterable[Any], columns: tuple[str, ...]) -> RecordDigest:
    """The digest of ``values``, one per column of ``columns`` in that order (a row read as a tuple)."""
    hashes = column_hashes(values)
    return RecordDigest(columns, hashes, hash(hashes.tobytes()))


@dataclass(slots=True)
class RangeDigest:
    """The order-independent digest of a set of (key, record) pairs."""

    count: int = 0
    total: int = 0

    def add(self, key: str, record: RecordDigest) -> None:
        self.count += 1
        self.total = (self.total + hash((key, record.value))) & _MASK


@dataclass(slots=True)
class Side:
    """One side of a comparison: record digests by key, with each key's group (the person a per-person row
    belongs to) and DQT id where they are not the key itself, and the range digest of everything added.

    ``attached`` keys are columns of a row that belongs to another feed (a person's induction columns): they
    only exist while their group does, so they are never reported as extra on their own."""

    digests: dict[str, RecordDigest] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    dqt_ids: dict[str, str] = field(default_factory=dict)
    attached: set[str] = field(default_factory=set)
    range_digest: RangeDigest = field(default_factory=RangeDigest)

    def add(
        self,
        key: str,
        record: RecordDigest,
        *,
        group: str | None = None,
        dqt_id: str | None = None,
        attached: bool = False,
    ) -> None:
        if key in self.digests:
            return  # a row read twice (a range read and a lookup) counts once
        self.digests[key] = record
        self.range_digest.add(key, record)
        if group is not None and group != key:
            self.groups[key] = group
        if dqt_id is not None and dqt_id != key:
            self.dqt_ids[key] = dqt_id
        if attached:
            self.attached.add(key)

    def group(self, key: str) -> str:
        return self.groups.get(key, key)

    def dqt_id(self, key: str) -> str:
        return self.dqt_ids.get(key, key)

    def keys_of(self, groups: Iterable[str]) -> list[str]:
        wanted = set(groups)
        return [k for k in self.digests if self.group(k) in wanted]

    def discard(self, key: str) -> None:
        self.digests.pop(key, None)
        self.groups.pop(key, None)
        self.dqt_ids.pop(key, None)
        self.attached.discard(key)


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A key whose record is only on one side, or on both with different contents (naming the columns)."""

    key: str
    kind: Kind
    fields: tuple[str, ...] = ()


def compare(expected: Mapping[str, RecordDigest], actual: Mapping[str, RecordDigest]) -> list[Mismatch]:
    """Record-by-record comparison of two digest maps, in key order: ``missing`` (expected only), ``extra``
    (actual only), ``differing`` (both, naming the columns whose hashes differ)."""
    found: list[Mismatch] = []
    for key in sorted(expected.keys() | actual.keys()):
        want, have = expected.get(key), actual.get(key)
        if have is None:
            found.append(Mismatch(key, "missing"))
        elif want is None:
            found.append(Mismatch(key, "extra"))
        elif want.value != have.value:
            found.append(Mismatch(key, "differing", want.fields_differing_from(have)))
    return found
