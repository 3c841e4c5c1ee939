"""Persons, mandatory qualifications and alerts: one DQT record maps to one TRS row keyed by the record's id,
through the sync's own ``row_mapper`` and write-back guard (ADR 0080)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, func, select, update

from bridge.apply import apply_page, fetch_by_ids, row_mapper
from bridge.backfill import read_ahead
from bridge.edits import mark_origin
from bridge.feeds import Feed
from bridge.professional_status import ROUTE_FAILURE
from bridge.reconcile.base import (
    FIX_CHUNK,
    Entity,
    ReadContext,
    Sides,
    columns_of,
    guid,
    key_bounds,
    odata_range,
    sample_records,
    utc_now,
)
from bridge.reconcile.digest import Side, digest, digest_values
from bridge.writeback import guard_incoming
from dataverse_client import ChangePage
from dataverse_client.odata import Filter
from mappings import Ignored, MappingError, Skipped
from trs_store.dialect import key_in
from trs_store.models import metadata
from trs_store.upsert import KEY_CHUNK, chunks

_failed = metadata.tables["failed_records"]

# -- persons, mandatory qualifications, alerts: one DQT record -> one TRS row -------------------------------


class RowEntity(Entity):
    """A feed whose DQT records each map to one TRS row keyed by the record's id."""

    def __init__(
        self,
        feed: Feed,
        row_type: Any,
        dqt_id_column: str,
        *,
        trs_where: Sequence[ColumnElement[bool]] = (),
        dqt_filter: Filter | None = None,
    ) -> None:
        self.name = feed.name
        self.feed = feed
        self.feeds = (feed,)
        self.range_entity_set = feed.entity_set
        self.range_key = feed.primary_id
        self.failure_sets = (feed.entity_set,)
        self.columns = columns_of(row_type)
        self.table = metadata.tables[feed.table]
        self.key_column = self.table.c[dqt_id_column]
        self.trs_where = (self.key_column.is_not(None), *trs_where)
        self.dqt_filter = dqt_filter
        self.references = ("reference",)

    def range_filter(self) -> Filter | None:
        return self.dqt_filter

    def count_trs(self, connection: Connection) -> int:
        statement = select(func.count()).select_from(self.table).where(*self.trs_where)
        return int(connection.execute(statement).scalar_one())

    def _select(self) -> Select[Any]:
        return select(*(self.table.c[c] for c in self.columns)).where(*self.trs_where)

    def _read_trs(self, connection: Connection, side: Side, statement: Select[Any]) -> None:
        key = self.columns.index(self.key_column.name)
        for row in connection.execute(statement):
            side.add(str(row[key]), digest_values(row, self.columns))

    def _lookup(self, connection: Connection, side: Side, keys: Sequence[str]) -> None:
        for chunk in chunks(list(keys), KEY_CHUNK):
            self._read_trs(connection, side, self._select().where(key_in(connection, self.key_column, chunk)))

    def read_range(self, ctx: ReadContext, low: str | None, high: str | None) -> Sides:
        sides = Sides()
        with ctx.engine.connect() as connection:
            self._read_trs(connection, sides.actual, self._select().where(*key_bounds(self.key_column, low, high)))
            pages = ctx.client.query(
                self.feed.entity_set,
                select=list(self.feed.select),
                filter=odata_range(self.feed.primary_id, low, high, self.dqt_filter),
                orderby=[self.feed.primary_id],
                page_size=ctx.page_size,
            )
            for _, page in read_ahead(iter(pages), utc_now):  # the next page downloads meanwhile
                self._expect(ctx, connection, page.records, sides)
        return sides

    def read_sample(self, ctx: ReadContext, size: int, rng: random.Random) -> Sides:
        records = sample_records(
            ctx.client,
            self.feed.entity_set,
            self.feed.primary_id,
            self.feed.select,
            size=size,
            rng=rng,
            extra=self.dqt_filter,
        )
        sides = Sides()
        with ctx.engine.connect() as connection:
            self._expect(ctx, connection, records, sides)
        return sides

    def _expect(
        self, ctx: ReadContext, connection: Connection, records: Sequence[Mapping[str, Any]], sides: Sides
    ) -> None:
        """Map a page of DQT records as the sync's apply does; look up by id the TRS rows the range read missed."""
        mapper = row_mapper(self.feed, ctx.reference)
        rows: list[dict[str, Any]] = []
        raw: dict[str, Mapping[str, Any]] = {}
        keys: list[str] = []
        for record in records:
            key = guid(record.get(self.feed.primary_id))
            if key is None:
                continue  # no id to compare by (the sync records it as a failure without one)
            keys.append(key)
            sides.dqt_groups.add(key)
            try:
                result = mapper(record)
            except MappingError:
                sides.unverifiable[key] = key
                continue
            if isinstance(result, Ignored | Skipped):
                continue  # the sync stores no row (and removes one it finds): expected absent
            rows.append(dict(result))
            raw[key] = record
        rows, _ = guard_incoming(connection, self.table.name, rows, raw)  # undelivered TRS edits keep their values
        for row in rows:
            sides.expected.add(str(row[self.key_column.name]), digest(row, self.columns))
        unknown = [k for k in keys if k not in sides.actual.digests]
        if unknown:
            self._lookup(connection, sides.actual, unknown)
            sides.looked_up.update(unknown)

    def fix(self, ctx: ReadContext, dqt_ids: Sequence[str], persons: Mapping[str, str]) -> int:
        ids = list(dict.fromkeys(dqt_ids))
        for chunk in chunks(ids, FIX_CHUNK):
            records = fetch_by_ids(ctx.client, self.feed.entity_set, self.feed.primary_id, chunk, self.feed.select)
            found = {guid(r.get(self.feed.primary_id)) for r in records}
            gone = [i for i in chunk if i not in found]
            with ctx.engine.begin() as connection:
                mark_origin(connection, "sync")
                connection.execute(
                    update(self.table).where(key_in(connection, self.key_column, list(chunk))).values(dqt_version=None)
                )
                apply_page(ctx.page_context(connection), self.feed, ChangePage(records=records, deleted_ids=gone))
        return len(ids)


class PersonRows(RowEntity):
    """Persons: contacts' failures recorded by the professional-status rebuild belong to that entity."""

    def failure_condition(self) -> ColumnElement[bool]:
        return and_(_failed.c.entity_set == "contacts", _failed.c.error_kind != ROUTE_FAILURE)
