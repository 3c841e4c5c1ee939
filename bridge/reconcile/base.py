"""What every reconciled entity shares: the read context (DQT, TRS, reference rows), both sides of one key
range (:class:`Sides`), the OData and SQL bounds of a range, sampling by random key seeks (ADR 0084), and the
:class:`Entity` interface that ``rows`` and ``persons`` implement."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import ColumnElement, Connection, Engine, func, select

from bridge.apply import PageContext
from bridge.backfill import shard_filter
from bridge.feeds import Feed
from bridge.professional_status import load_status_reference
from bridge.reconcile.digest import Side
from bridge.sync import load_reference
from dataverse_client import DataverseClient, guid_order
from dataverse_client.odata import Filter
from dataverse_client.odata import and_ as odata_and
from mappings import ReferenceLookup, StatusReference
from trs_store.dqt_order import dqt_range
from trs_store.models import metadata

PERSON_LOOKUP: Final = "_dfeta_personid_value"
#: Differences are fixed in chunks of this many records (or persons), one transaction each.
FIX_CHUNK: Final = 500

_failed = metadata.tables["failed_records"]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def columns_of(row_type: Any) -> tuple[str, ...]:
    """The TRS columns a mapping's row type carries (a ``TypedDict``'s keys, inherited ones included)."""
    return tuple(row_type.__annotations__)


def guid(value: object) -> str | None:
    """``value`` as a lower-case GUID, or ``None`` when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------------------
# what one range (or sample) of one entity reads
# ---------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Sides:
    """Both sides of one key range, and what the comparison needs to know about the groups (DQT records, or
    persons for the per-person entities) behind them."""

    expected: Side = field(default_factory=Side)
    actual: Side = field(default_factory=Side)
    dqt_groups: set[str] = field(default_factory=set)  # groups DQT has in this range
    looked_up: set[str] = field(default_factory=set)  # groups whose TRS rows were read by id, not by range
    unverifiable: dict[str, str] = field(default_factory=dict)  # group -> DQT id: in DQT, but does not map
    related: dict[str, tuple[str, ...]] = field(default_factory=dict)  # group -> its DQT child ids
    held: set[str] = field(default_factory=set)  # groups a TRS edit on its way to DQT owns (left out)


@dataclass(slots=True)
class ReadContext:
    """DQT, TRS and the reference rows the mappings need (read from DQT on first use)."""

    client: DataverseClient
    engine: Engine
    page_size: int = 5000
    reference_rows: ReferenceLookup | None = None
    status_rows: StatusReference | None = None

    @property
    def reference(self) -> ReferenceLookup:
        if self.reference_rows is None:
            self.reference_rows = load_reference(self.client)
        return self.reference_rows

    @property
    def status_reference(self) -> StatusReference:
        if self.status_rows is None:
            self.status_rows = load_status_reference(self.client)
        return self.status_rows

    def page_context(self, connection: Connection) -> PageContext:
        """The sync's page context, for a fix applied through the sync's own code."""
        return PageContext(connection, self.client, self.reference, utc_now(), status_reference=self.status_rows)


def key_bounds(column: Any, low: str | None, high: str | None) -> list[ColumnElement[bool]]:
    """TRS's side of the DQT key range ``[low, high)``: ``column`` (a DQT id) compared in DQT's GUID order, which
    is SQL Server's, not PostgreSQL's or SQLite's (ADR 0097), through the column's ``…_dqt_order`` index."""
    return dqt_range(
        column,
        None if low is None else guid_order.order_key(low),
        None if high is None else guid_order.order_key(high),
    )


def odata_range(column: str, low: str | None, high: str | None, extra: Filter | None = None) -> Filter | None:
    parts = [f for f in (shard_filter(column, low, high, None), extra) if f is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else odata_and(*parts)


def sample_records(
    client: DataverseClient,
    entity_set: str,
    primary_id: str,
    select_columns: Sequence[str],
    *,
    size: int,
    rng: random.Random,
    extra: Filter | None = None,
) -> list[dict[str, Any]]:
    """Up to ``size`` distinct records of ``entity_set``, the same ones for the same ``rng`` seed.

    When the entity set has no more than ``size`` records (one read of up to ``size + 1``, at most 5,001), that is
    all of them. Otherwise each draw is the first record at or after a random GUID (one ``$top=1`` seek, wrapping
    to the first record past the last), so a sample costs about ``size`` requests however large the entity set;
    a record after a wide key gap is a little likelier, and GUIDs are uniform."""
    probe = _top(client, entity_set, primary_id, select_columns, extra, top=min(size, 5000) + 1)
    if len(probe) <= size:
        return probe
    found: dict[str, dict[str, Any]] = {}
    for _ in range(size * 3):
        if len(found) >= size:
            break
        point = uuid.UUID(int=rng.getrandbits(128))
        drawn = odata_range(primary_id, str(point), None, extra)
        records = _top(client, entity_set, primary_id, select_columns, drawn, top=1) or probe[:1]
        for record in records:
            key = guid(record.get(primary_id))
            if key is not None:
                found.setdefault(key, record)
    return list(found.values())


def _top(
    client: DataverseClient,
    entity_set: str,
    primary_id: str,
    select_columns: Sequence[str],
    filter_: Filter | None,
    *,
    top: int,
) -> list[dict[str, Any]]:
    pages = client.query(entity_set, select=list(select_columns), filter=filter_, orderby=[primary_id], top=top)
    return [record for page in pages for record in page.records]


# ---------------------------------------------------------------------------------------------------------
# entities
# ---------------------------------------------------------------------------------------------------------


class Entity(ABC):
    """One reconciled entity: how to read both sides of a key range or a sample, count and find its failed
    records, and resync what differs."""

    name: str
    #: The feeds whose data it checks (their names and entity sets select it on the command line).
    feeds: tuple[Feed, ...]
    #: The DQT entity set and primary key whose key space is split into ranges.
    range_entity_set: str
    range_key: str
    #: The entity sets its failed records are recorded under.
    failure_sets: tuple[str, ...]
    #: Whether its differences are per person (a ``person_id`` is reported with each).
    per_person: bool = False
    #: The reference rows its mapping needs (``ReadContext`` properties), read before pages are read ahead.
    references: tuple[str, ...] = ()

    @abstractmethod
    def count_trs(self, connection: Connection) -> int:
        """Roughly how many TRS records it has (sizes the key ranges)."""

    @abstractmethod
    def read_range(self, ctx: ReadContext, low: str | None, high: str | None) -> Sides:
        """Both sides of the key range ``[low, high)`` (``None``: unbounded), each read once."""

    @abstractmethod
    def read_sample(self, ctx: ReadContext, size: int, rng: random.Random) -> Sides:
        """Both sides of ``size`` random DQT records (persons, for the per-person entities)."""

    @abstractmethod
    def fix(self, ctx: ReadContext, dqt_ids: Sequence[str], persons: Mapping[str, str]) -> int:
        """Re-apply DQT's current state of the records ``dqt_ids`` through the sync's own code, even where TRS
        already holds their version (the guard is released first), so TRS matches DQT again. Returns how many."""

    def range_filter(self) -> Filter | None:
        """A ``$filter`` that narrows the ranged entity set to the records this entity is about."""
        return None

    def failure_condition(self) -> ColumnElement[bool]:
        """The ``failed_records`` rows that are this entity's."""
        return _failed.c.entity_set.in_(self.failure_sets)

    def open_failed(self, connection: Connection) -> int:
        statement = (
            select(func.count()).select_from(_failed).where(_failed.c.status == "open", self.failure_condition())
        )
        return int(connection.execute(statement).scalar_one())
