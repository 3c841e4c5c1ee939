"""DQT's order of GUIDs as SQL over a TRS column that holds a DQT id (ADR 0097).

Dataverse orders ``uniqueidentifier`` values as SQL Server does (the last byte group first, the first three groups
little-endian), so a DQT key range (``contactid ge A and contactid lt B``) is not the rows that PostgreSQL's or
SQLite's text/uuid order puts between A and B. :func:`dqt_order` rewrites a GUID column into 32 hex digits whose
text order is DQT's (the same permutation as ``dataverse_client.guid_order.order_key``, which this package may not
import), and each DQT id column has an index on that expression, so the reconcile reads a TRS range with an index
scan.
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


def order_key(guid: str) -> str:
    """The text :func:`dqt_order` gives for ``guid`` (canonical lower-case GUID text)."""
    g = guid.lower()
    return "".join(g[start - 1 : start - 1 + length] for start, length in _PIECES)
