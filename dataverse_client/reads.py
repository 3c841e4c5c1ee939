"""Reads: queries, single records and change tracking, each yielding pages lazily.

Every read validates its input before any I/O and builds its URL from validated parts only (see
:mod:`.odata`). Pages are fetched one HTTP call at a time as the caller iterates, so a caller can
commit and checkpoint page by page; nextLinks are followed verbatim after :class:`~.paging.LinkGuard`
has checked them. A missing record raises :class:`~.errors.NotFound` from :meth:`ReadMethods.get` and
is ``None`` from :meth:`ReadMethods.find`: the caller says which it expects.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from . import odata
from .core import ClientCore, Key
from .errors import ChangeTrackingNotEnabled, NotFound
from .paging import ChangePage, LinkGuard, Page, Record, parse_change_page, parse_page
from .transport import Prefer, decode_json

__all__ = ["ReadMethods"]


class ReadMethods(ClientCore):
    """``query``, ``get``, ``find``, ``changes`` and ``whoami``."""

    def query(
        self,
        entity_set: str,
        *,
        select: Sequence[str] | None = None,
        filter: odata.Filter | None = None,
        orderby: Sequence[str] | None = None,
        top: int | None = None,
        page_size: int | None = None,
        include_annotations: bool = False,
    ) -> Iterator[Page]:
        """Yield the pages of a query lazily, following ``@odata.nextLink`` verbatim.

        ``filter`` must be built with :mod:`.odata` (``F.eq`` ...). ``page_size`` (≤ 5000, default from
        settings) is sent as ``odata.maxpagesize``; with ``top`` no page size is sent (Dataverse ignores
        ``$top`` alongside it) and at most ``top`` rows are yielded.
        """
        params: list[tuple[str, str]] = []
        if select is not None:
            params.append(("$select", odata.select(select)))
        if filter is not None:
            if not isinstance(filter, odata.Filter):
                raise TypeError("filter must be built with dataverse_client.odata (F.eq, and_, ...)")
            params.append(("$filter", str(filter)))
        if orderby is not None:
            params.append(("$orderby", odata.orderby(orderby)))
        if top is not None:
            if not isinstance(top, int) or top < 1:
                raise ValueError("top must be a positive integer")
            params.append(("$top", str(top)))
        size = None if top is not None else self._page_size(page_size)
        prefer = Prefer(max_page_size=size, include_annotations="*" if include_annotations else None)
        url = self._url(odata.name(entity_set), params)
        return self._pages(url, entity_set, prefer, top)

    def _pages(self, url: str, entity_set: str, prefer: Prefer, top: int | None) -> Iterator[Page]:
        guard = LinkGuard(self.settings.api_url)
        guard.check(url)
        remaining = top
        while True:
            response = self._request("GET", url, entity_set=entity_set, idempotent=True, prefer=prefer)
            page = parse_page(decode_json(response))
            if remaining is not None:
                records = page.records[:remaining]
                remaining -= len(records)
                if remaining <= 0:
                    yield Page(records=records, next_link=None)
                    return
            if page.next_link is None:
                yield page
                return
            url = guard.check(page.next_link)
            yield page

    def get(
        self, entity_set: str, key: Key, *, select: Sequence[str] | None = None, include_annotations: bool = False
    ) -> Record:
        """One record by id (or alternate key mapping). Raises :class:`~.errors.NotFound` if absent."""
        params = [("$select", odata.select(select))] if select is not None else []
        url = self._url(odata.name(entity_set) + odata.key(key), params)
        prefer = Prefer(include_annotations="*") if include_annotations else None
        return decode_json(self._request("GET", url, entity_set=entity_set, idempotent=True, prefer=prefer))

    def find(
        self, entity_set: str, key: Key, *, select: Sequence[str] | None = None, include_annotations: bool = False
    ) -> Record | None:
        """Like :meth:`get` but returns ``None`` when the record does not exist."""
        try:
            return self.get(entity_set, key, select=select, include_annotations=include_annotations)
        except NotFound:
            return None

    def changes(
        self,
        entity_set: str,
        *,
        select: Sequence[str] | None = None,
        delta_link: str | None = None,
        resume_from: str | None = None,
        page_size: int | None = None,
    ) -> Iterator[ChangePage]:
        """Yield change-tracking pages lazily.

        With neither link, does the initial read (every current row, ``delta_link`` on the last page).
        With ``delta_link`` (stored from a finished read), yields what changed since: upserted rows
        first, then deleted ids. With ``resume_from`` (a stored ``next_link``), continues a read that
        stopped mid-way. ``select`` applies to the initial read only; links carry their own. Raises
        :class:`~.errors.ExpiredDeltaToken` when the token is past retention: start again with no link.
        ``$filter``/``$orderby``/``$top`` are not offered: Dataverse refuses them with change tracking.
        """
        if delta_link is not None and resume_from is not None:
            raise ValueError("pass delta_link or resume_from, not both")
        guard = LinkGuard(self.settings.api_url)
        if resume_from is not None or delta_link is not None:
            url = guard.check(resume_from or delta_link or "")
        else:
            params = [("$select", odata.select(select))] if select is not None else []
            url = guard.check(self._url(odata.name(entity_set), params))
        prefer = Prefer(track_changes=True, max_page_size=self._page_size(page_size))
        return self._change_pages(url, entity_set, prefer, guard)

    def _change_pages(self, url: str, entity_set: str, prefer: Prefer, guard: LinkGuard) -> Iterator[ChangePage]:
        while True:
            response = self._request("GET", url, entity_set=entity_set, idempotent=True, prefer=prefer)
            applied = response.headers.get("Preference-Applied")
            if applied is not None and "odata.track-changes" not in applied:
                raise ChangeTrackingNotEnabled("Dataverse did not apply odata.track-changes", entity_set=entity_set)
            page = parse_change_page(decode_json(response))
            if page.next_link is None:
                if page.delta_link is None:
                    raise ChangeTrackingNotEnabled(
                        "the change-tracking read ended without a deltaLink", entity_set=entity_set
                    )
                guard.check_origin(page.delta_link)  # may equal the link we came from: nothing changed
                yield page
                return
            url = guard.check(page.next_link)
            yield page

    def whoami(self) -> Record:
        """``WhoAmI``: the calling user's ids; a cheap authenticated round trip for health checks."""
        return decode_json(self._request("GET", self._url("WhoAmI"), entity_set="WhoAmI", idempotent=True))
