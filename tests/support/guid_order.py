"""Vectors of Dataverse's (SQL Server's) GUID order, shared by the client's and the simulator's tests (ADR 0097)."""

from __future__ import annotations

#: One byte set in each GUID, listed in SQL Server's ascending order (Microsoft's "How are GUIDs compared in SQL
#: Server 2005?", SqlGuid.CompareTo): last group first, then the fourth, then the third, second and first groups
#: with their written bytes compared right to left.
SQL_SERVER_ORDER = [
    "01000000-0000-0000-0000-000000000000",
    "10000000-0000-0000-0000-000000000000",
    "00010000-0000-0000-0000-000000000000",
    "00000001-0000-0000-0000-000000000000",
    "00000000-0100-0000-0000-000000000000",
    "00000000-0001-0000-0000-000000000000",
    "00000000-0000-0100-0000-000000000000",
    "00000000-0000-0001-0000-000000000000",
    "00000000-0000-0000-0001-000000000000",
    "00000000-0000-0000-0100-000000000000",
    "00000000-0000-0000-0000-000000000001",
    "00000000-0000-0000-0000-010000000000",
]
