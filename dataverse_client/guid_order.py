"""The order Dataverse (SQL Server underneath) puts ``uniqueidentifier`` values in.

SQL Server compares two GUIDs byte group by byte group from the *last* group: bytes 10-15 (the fifth group as
written), then 8-9 (the fourth), then 6-7, 4-5 and 0-3. The first three groups are stored little-endian, so their
written bytes compare from right to left. ``$orderby=contactid`` and ``$filter=contactid ge …`` follow that order,
not the text order of PostgreSQL, SQLite and Python, so every key range or position over a Dataverse primary key or
lookup has to be worked out in it (ADR 0097). :func:`order_key` turns a GUID into 32 hex digits whose text order
is SQL Server's order; :func:`from_order_key` goes back.
"""

from __future__ import annotations

#: How many distinct order keys there are (every GUID has one).
KEY_SPACE = 1 << 128


def order_key(guid: str) -> str:
    """32 lower-case hex digits that sort, as text, as SQL Server sorts ``guid`` (canonical 8-4-4-4-12 text)."""
    g = guid.lower()
    return g[24:36] + g[19:23] + g[16:18] + g[14:16] + g[11:13] + g[9:11] + g[6:8] + g[4:6] + g[2:4] + g[0:2]


def from_order_key(key: str) -> str:
    """The GUID (canonical lower-case text) whose :func:`order_key` is ``key``."""
    k = key.lower()
    first = k[30:32] + k[28:30] + k[26:28] + k[24:26]
    return f"{first}-{k[22:24]}{k[20:22]}-{k[18:20]}{k[16:18]}-{k[12:16]}-{k[0:12]}"


def order_position(guid: str) -> int:
    """``guid``'s place in SQL Server's order, as an integer in ``[0, KEY_SPACE)``."""
    return int(order_key(guid), 16)


def at_order_position(position: int) -> str:
    """The GUID at ``position`` (``0 <= position < KEY_SPACE``) of SQL Server's order."""
    return from_order_key(f"{position:032x}")
