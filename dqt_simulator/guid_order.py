"""SQL Server's order of ``uniqueidentifier`` values, which Dataverse's ``$orderby`` and ``gt``/``ge``/``lt``/``le``
on GUID columns follow: byte groups from the last (bytes 10-15, then 8-9, 6-7, 4-5, 0-3), the first three groups
little-endian as stored, so their written bytes compare right to left (ADR 0097). The simulator keeps GUIDs as
canonical lower-case text and orders them by :func:`order_key`; the client has the same function
(``dataverse_client.guid_order``), not imported here because the simulator stands for DQT, not for our code.
"""

from __future__ import annotations


def order_key(guid: str) -> str:
    """32 hex digits whose text order is SQL Server's order of ``guid`` (canonical 8-4-4-4-12 text, any case)."""
    g = guid.lower()
    return g[24:36] + g[19:23] + g[16:18] + g[14:16] + g[11:13] + g[9:11] + g[6:8] + g[4:6] + g[2:4] + g[0:2]
