"""Pages of query and change-tracking results, and the rules for following ``@odata.nextLink``.

Dataverse pages with an absolute ``@odata.nextLink`` holding an opaque paging cookie, and ends a
change-tracking read with ``@odata.deltaLink``. The client follows links *verbatim*, but only after
:class:`LinkGuard` has checked them: a link must stay on the configured Dataverse origin (we send a
bearer token to it) and must never repeat (a repeating cookie would page forever).

Deleted rows in a delta arrive as ``{"@odata.context": ".../$deletedEntity", "id": ..., "reason":
"deleted"}``; :func:`parse_change_page` separates them from upserted rows.

Pure: these functions take decoded bodies and return values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .errors import PagingError

__all__ = ["ChangePage", "LinkGuard", "Page", "Record", "parse_change_page", "parse_page"]

Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a query: its rows and the link to the next page (``None`` on the last)."""

    records: list[Record]
    next_link: str | None = None

    @property
    def is_last(self) -> bool:
        return self.next_link is None


@dataclass(frozen=True, slots=True)
class ChangePage:
    """One page of a change-tracking read.

    ``records`` are rows created or updated since the token (every row, on the initial read);
    ``deleted_ids`` are ids reported deleted. ``next_link`` is the position *after* this page, for
    resuming a read that stopped (``None`` on the last page); ``delta_link`` is set only on the last
    page and is what to store once every page has been applied.
    """

    records: list[Record]
    deleted_ids: list[str] = field(default_factory=list)
    next_link: str | None = None
    delta_link: str | None = None

    @property
    def is_last(self) -> bool:
        return self.next_link is None


def parse_page(body: dict[str, Any]) -> Page:
    """A query page from a decoded response body."""
    value = body.get("value")
    if not isinstance(value, list):
        raise PagingError("response has no 'value' list")
    return Page(records=list(value), next_link=_link(body, "@odata.nextLink"))


def parse_change_page(body: dict[str, Any]) -> ChangePage:
    """A change-tracking page from a decoded response body."""
    value = body.get("value")
    if not isinstance(value, list):
        raise PagingError("response has no 'value' list")
    records: list[Record] = []
    deleted: list[str] = []
    for row in value:
        if _is_deleted(row):
            deleted.append(str(row["id"]))
        else:
            records.append(row)
    next_link = _link(body, "@odata.nextLink")
    delta_link = _link(body, "@odata.deltaLink")
    if next_link is not None and delta_link is not None:
        raise PagingError("a page carried both a nextLink and a deltaLink")
    return ChangePage(records=records, deleted_ids=deleted, next_link=next_link, delta_link=delta_link)


def _is_deleted(row: Any) -> bool:
    if not isinstance(row, dict) or row.get("reason") != "deleted" or "id" not in row:
        return False
    context = row.get("@odata.context")
    return context is None or str(context).endswith("$deletedEntity")


def _link(body: dict[str, Any], key: str) -> str | None:
    link = body.get(key)
    if link is None:
        return None
    if not isinstance(link, str) or not link:
        raise PagingError(f"{key} is not a URL")
    return link


class LinkGuard:
    """Checks the links one read follows: same origin as ``api_url``, and never the same link twice."""

    def __init__(self, api_url: str) -> None:
        self._origin = _origin(api_url)
        self._path = urlsplit(api_url).path
        self._seen: set[str] = set()

    def check_origin(self, link: str) -> str:
        """Return ``link`` if it points at the configured Web API, else raise :class:`PagingError`."""
        if _origin(link) != self._origin or not urlsplit(link).path.startswith(self._path):
            raise PagingError("a paging link points away from the configured Dataverse; not following it")
        return link

    def check(self, link: str) -> str:
        """Return ``link`` if it is safe to follow (same origin, not seen before), else raise
        :class:`PagingError`."""
        self.check_origin(link)
        if link in self._seen:
            raise PagingError("Dataverse returned the same paging link twice (paging loop)")
        self._seen.add(link)
        return link


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else None)
    return (scheme, (parts.hostname or "").lower(), port)
