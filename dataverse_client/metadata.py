"""Names Dataverse needs that a caller usually does not have to hand: a table's primary key and
logical name, resolved once per entity set from ``EntityDefinitions`` and cached for the client's life.

Creating a record with a client-chosen id means putting the id under the primary-key column
(``contactid``); ``CreateMultiple`` targets need ``@odata.type`` with the logical name. Both come from
``EntityDefinitions?$select=LogicalName,EntitySetName,PrimaryIdAttribute&$filter=EntitySetName eq '<set>'``.
Metadata does not change under a running sync, so the cache never expires.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import odata
from .errors import NotFound

__all__ = ["EntityInfo", "EntityInfoCache"]


@dataclass(frozen=True, slots=True)
class EntityInfo:
    """A table's logical name (``contact``), entity set (``contacts``) and primary key (``contactid``)."""

    logical_name: str
    entity_set: str
    primary_id: str

    @classmethod
    def from_definition(cls, definition: dict[str, Any]) -> EntityInfo:
        return cls(
            logical_name=odata.name(str(definition["LogicalName"])),
            entity_set=odata.name(str(definition["EntitySetName"])),
            primary_id=odata.name(str(definition["PrimaryIdAttribute"])),
        )


def definitions_params(entity_set: str) -> list[tuple[str, str]]:
    """Query options of the ``EntityDefinitions`` request that resolves one entity set."""
    return [
        ("$select", "LogicalName,EntitySetName,PrimaryIdAttribute"),
        ("$filter", str(odata.F.eq("EntitySetName", odata.name(entity_set)))),
    ]


class EntityInfoCache:
    """Entity-set → :class:`EntityInfo`, filled on first use by ``fetch`` (a GET returning the
    decoded ``EntityDefinitions`` response)."""

    def __init__(self, fetch: Callable[[str], dict[str, Any]]) -> None:
        self._fetch = fetch
        self._lock = threading.Lock()
        self._cache: dict[str, EntityInfo] = {}

    def get(self, entity_set: str) -> EntityInfo:
        with self._lock:
            cached = self._cache.get(entity_set)
        if cached is not None:
            return cached
        body = self._fetch(entity_set)
        rows = body.get("value") or []
        if not rows:
            raise NotFound(f"no table has entity set {entity_set!r}", entity_set=entity_set)
        info = EntityInfo.from_definition(rows[0])
        with self._lock:
            self._cache[entity_set] = info
        return info

    def remember(self, info: EntityInfo) -> None:
        """Seed the cache (saves a metadata call when the caller already knows the names)."""
        with self._lock:
            self._cache[info.entity_set] = info
