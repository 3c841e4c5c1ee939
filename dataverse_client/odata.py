"""Build OData query text from Python values so that no caller input can change a query's meaning.

A ``$filter`` is code, and TRNs, names and emails come from people. Every value therefore goes through
:func:`literal` (strings quoted with ``'`` doubled; GUIDs, dates and numbers validated and emitted bare)
and every column name through :func:`name` (``^[A-Za-z_][A-Za-z0-9_]*$``). A :class:`Filter` can only be
made by the builders here (``F.eq``, ``and_`` ...), and the client accepts nothing else as a filter, so
there is no string path for a caller to splice a clause into.

This module is pure: no I/O, no clock.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Final

__all__ = [
    "F",
    "Filter",
    "and_",
    "date_value",
    "entity_id_from_url",
    "guid",
    "key",
    "literal",
    "name",
    "not_",
    "or_",
    "orderby",
    "select",
]

_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ORDER_ITEM: Final = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?: (asc|desc))?")


def name(value: str) -> str:
    """Return ``value`` if it is a safe OData identifier (column or entity set), else raise."""
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise ValueError(f"not a valid OData name: {value!r}")
    return value


def guid(value: str | uuid.UUID) -> uuid.UUID:
    """Parse a GUID given as text (raises ``ValueError`` if it is not one)."""
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str):
        raise ValueError(f"not a GUID: {value!r}")
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValueError(f"not a GUID: {value!r}") from None


def date_value(value: str | date) -> date:
    """Parse a ``YYYY-MM-DD`` date (for ``Edm.Date`` columns); raises ``ValueError`` otherwise."""
    if isinstance(value, datetime):
        raise ValueError("a datetime is not a date; pass value.date() or use it as an instant")
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError(f"not a YYYY-MM-DD date: {value!r}")
    return date.fromisoformat(value)


def literal(value: object) -> str:  # noqa: PLR0911 - one branch per OData type reads best
    """Render a Python value as an OData literal.

    ``str`` → ``'text'`` with ``'`` doubled; ``uuid.UUID`` → bare GUID; ``bool`` → ``true``/``false``;
    ``int``/finite ``float``/``Decimal`` → number; tz-aware ``datetime`` → UTC ``...Z``; ``date`` →
    ``YYYY-MM-DD``; ``None`` → ``null``. Anything else (naive datetimes, NaN, bytes, lists ...) raises
    ``ValueError``: guessing a representation is how filters go wrong. Strings that hold GUIDs or dates
    stay strings; convert them with :func:`guid` / :func:`date_value` first.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value!r}")
        return repr(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite number: {value!r}")
        return format(value, "f")
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return _instant(value)
    if isinstance(value, date):
        return value.isoformat()
    raise ValueError(f"no OData literal for {type(value).__name__}")


def _instant(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: give it a timezone (Dataverse instants are UTC)")
    utc = value.astimezone(UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}".rstrip("0")
    return text + "Z"


class Filter:
    """A validated ``$filter`` expression. Build one with :class:`F` and combine with ``&``, ``|``,
    ``~`` (or :func:`and_`, :func:`or_`, :func:`not_`); there is deliberately no way to wrap a raw
    string."""

    __slots__ = ("_text",)
    _token: Final = object()

    def __init__(self, text: str, token: object) -> None:
        if token is not Filter._token:
            raise TypeError("build filters with dataverse_client.odata.F, not Filter(...)")
        self._text = text

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"Filter({self._text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Filter) and other._text == self._text

    def __hash__(self) -> int:
        return hash(self._text)

    def __and__(self, other: Filter) -> Filter:
        return and_(self, other)

    def __or__(self, other: Filter) -> Filter:
        return or_(self, other)

    def __invert__(self) -> Filter:
        return not_(self)


def _make(text: str) -> Filter:
    return Filter(text, Filter._token)


def _compare(op: str, column: str, value: object) -> Filter:
    return _make(f"{name(column)} {op} {literal(value)}")


def _text_function(function: str, column: str, value: str) -> Filter:
    if not isinstance(value, str):
        raise ValueError(f"{function} needs a string, got {type(value).__name__}")
    return _make(f"{function}({name(column)},{literal(value)})")


def _require_filters(filters: Iterable[Filter]) -> list[Filter]:
    items = list(filters)
    if not items:
        raise ValueError("need at least one filter")
    for item in items:
        if not isinstance(item, Filter):
            raise TypeError(f"expected Filter, got {type(item).__name__}")
    return items


def and_(*filters: Filter) -> Filter:
    """All of ``filters`` (each parenthesised)."""
    items = _require_filters(filters)
    return items[0] if len(items) == 1 else _make(" and ".join(f"({f})" for f in items))


def or_(*filters: Filter) -> Filter:
    """Any of ``filters`` (each parenthesised)."""
    items = _require_filters(filters)
    return items[0] if len(items) == 1 else _make(" or ".join(f"({f})" for f in items))


def not_(filter_: Filter) -> Filter:
    """The negation of ``filter_``."""
    (item,) = _require_filters([filter_])
    return _make(f"not ({item})")


class F:
    """Filter builders: ``F.eq("dfeta_trn", trn) & F.lookup("dfeta_personid", person_id)``."""

    @staticmethod
    def eq(column: str, value: object) -> Filter:
        return _compare("eq", column, value)

    @staticmethod
    def ne(column: str, value: object) -> Filter:
        return _compare("ne", column, value)

    @staticmethod
    def gt(column: str, value: object) -> Filter:
        return _compare("gt", column, value)

    @staticmethod
    def ge(column: str, value: object) -> Filter:
        return _compare("ge", column, value)

    @staticmethod
    def lt(column: str, value: object) -> Filter:
        return _compare("lt", column, value)

    @staticmethod
    def le(column: str, value: object) -> Filter:
        return _compare("le", column, value)

    @staticmethod
    def contains(column: str, value: str) -> Filter:
        return _text_function("contains", column, value)

    @staticmethod
    def startswith(column: str, value: str) -> Filter:
        return _text_function("startswith", column, value)

    @staticmethod
    def endswith(column: str, value: str) -> Filter:
        return _text_function("endswith", column, value)

    @staticmethod
    def in_(column: str, values: Iterable[object]) -> Filter:
        """``column`` equals one of ``values``, written as ``eq ... or eq ...`` (which every Dataverse
        version and the simulator understand). An empty list is refused rather than matching nothing."""
        items = list(values)
        if not items:
            raise ValueError("in_ needs at least one value")
        return or_(*(_compare("eq", column, v) for v in items))

    @staticmethod
    def lookup(attribute: str, target_id: str | uuid.UUID | None) -> Filter:
        """A lookup column equals a record id: ``F.lookup("dfeta_personid", id)`` filters on
        ``_dfeta_personid_value``. ``None`` tests for an empty lookup."""
        column = f"_{name(attribute)}_value"
        return _compare("eq", column, None if target_id is None else guid(target_id))

    @staticmethod
    def is_null(column: str) -> Filter:
        return _compare("eq", column, None)

    @staticmethod
    def is_not_null(column: str) -> Filter:
        return _compare("ne", column, None)


def select(columns: Iterable[str]) -> str:
    """Validate and join ``$select`` columns."""
    items = [name(c) for c in columns]
    if not items:
        raise ValueError("select needs at least one column")
    return ",".join(items)


def orderby(items: Iterable[str]) -> str:
    """Validate and join ``$orderby`` items, each ``"column"`` or ``"column asc|desc"``."""
    parts = []
    for item in items:
        if not isinstance(item, str) or not _ORDER_ITEM.fullmatch(item):
            raise ValueError(f"not a valid $orderby item: {item!r}")
        parts.append(item)
    if not parts:
        raise ValueError("orderby needs at least one column")
    return ",".join(parts)


def key(value: str | uuid.UUID | Mapping[str, object]) -> str:
    """The key segment that addresses one record: ``(<guid>)`` for an id (validated), or
    ``(k1='v',k2=2)`` for an alternate key given as a mapping."""
    if isinstance(value, Mapping):
        if not value:
            raise ValueError("an alternate key needs at least one column")
        return "(" + ",".join(f"{name(k)}={literal(v)}" for k, v in value.items()) + ")"
    return f"({guid(value)})"


_GUID_TEXT: Final = "-".join(f"[0-9A-Fa-f]{{{n}}}" for n in (8, 4, 4, 4, 12))
_ENTITY_URL_ID: Final = re.compile(rf"\(({_GUID_TEXT})\)\s*$")


def entity_id_from_url(url: str | None) -> str | None:
    """The record id at the end of an ``OData-EntityId`` URL (``.../contacts(<guid>)``), lower-case;
    ``None`` when the URL does not end in a GUID key (e.g. an alternate-key URL)."""
    if not url:
        return None
    match = _ENTITY_URL_ID.search(url)
    return match.group(1).lower() if match else None
