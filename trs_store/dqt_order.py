"""DQT's order of GUIDs as SQL over a TRS column that holds a DQT id (ADR 0097).

Dataverse orders ``uniqueidentifier`` values as SQL Server does (the last byte group first, the first three groups
little-endian), so a DQT key range (``contactid ge A and contactid lt B``) is not the rows that PostgreSQL's or
SQLite's text/uuid order puts between A and B. :func:`dqt_order` rewrites a GUID column into 32 hex digits whose
text order is DQT's (the same permutation as ``dataverse_client.guid_order.order_key``, which this package may not
import). Each DQT id column has an index on just the first 12 of those digits (:func:`dqt_order_lead`: the last group
as written, one ``substr``), which costs a write far less than the whole key would; :func:`dqt_range` bounds the lead
(through the index) and the whole key (on the rows the index found), so the reconcile reads a TRS range with an
index scan.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import String, cast, func
from sqlalchemy.sql.elements import ColumnElement

#: (start, length) of the canonical text ``aabbccdd-eeff-gghh-iijj-kkllmmnnoopp`` in DQT's order of significance:
#: the fifth group, the fourth, then the third, second and first groups byte by byte from their right.
_PIECES = ((25, 12), (20, 4), (17, 2), (15, 2), (12, 2), (10, 2), (7, 2), (5, 2), (3, 2), (1, 2))


def dqt_order(column: Any) -> ColumnElement[str]:
    """``column`` (a GUID) as 32 hex digits in DQT's order; compare it with ``guid_order.order_key`` values."""
    text = cast(column, String)
    pieces = [func.substr(text, start, length, type_=String) for start, length in _PIECES]
    return functools.reduce(lambda left, right: left.concat(right), pieces)


def dqt_order_lead(column: Any) -> ColumnElement[str]:
    """The first 12 digits of :func:`dqt_order` (the GUID's last group): what the ``…_dqt_order`` indexes hold."""
    return func.substr(cast(column, String), 25, 12, type_=String)


def dqt_range(column: Any, low_key: str | None, high_key: str | None) -> list[ColumnElement[bool]]:
    """``low_key <= dqt_order(column) < high_key`` (order keys; ``None``: unbounded), with the lead bounded too so
    the ``…_dqt_order`` index finds the candidates."""
    lead, order = dqt_order_lead(column), dqt_order(column)
    found: list[ColumnElement[bool]] = []
    if low_key is not None:
        found += [lead >= low_key[:12], order >= low_key]
    if high_key is not None:
        found += [lead <= high_key[:12], order < high_key]
    return found
