"""Helpers for the sync's integration tests: write DQT records through the Web API, read TRS back."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, select

from bridge.feeds import FEEDS, Feed, resolve_feeds
from bridge.sync import FeedResult, SyncService
from dataverse_client import DataverseClient
from mappings import ReferenceLookup
from mappings.reference import dqt as ref
from mappings.reference.trs import ALERT_TYPE_BY_SANCTION_CODE
from trs_store import failed_records, journal
from trs_store.failed_records import FailedRecord
from trs_store.journal import JournalEntry
from trs_store.models import metadata

#: Reference rows the tests write with: an establishment with a TRS provider, a specialism, two codes.
ESTABLISHMENT = next(r for r in ref.MQ_ESTABLISHMENTS if r.value == "959")  # Leeds
SPECIALISM = next(r for r in ref.MQ_SPECIALISMS if r.value == "Hearing")
ALERT_CODE = next(r for r in ref.SANCTION_CODES if r.active and r.value in ALERT_TYPE_BY_SANCTION_CODE)
SKIPPED_CODE = next(r for r in ref.SANCTION_CODES if r.value not in ALERT_TYPE_BY_SANCTION_CODE)

#: Columns the store stamps itself (not part of what a mapping produces).
STORE_STAMPS = ("dqt_first_sync", "dqt_last_sync", "dqt_induction_last_sync", "dqt_professional_status_last_sync")

_TRN_COUNTER = iter(range(9_000_000, 9_999_999, 7))


def new_trn() -> str:
    """A TRN no generated data set uses (generated TRNs come from a permutation; these start with 9)."""
    return f"{next(_TRN_COUNTER):07d}"


# -- DQT through the Web API ------------------------------------------------------------------------------


def create_contact(client: DataverseClient, **fields: Any) -> str:
    contact_id = str(uuid.uuid4())
    body = {
        "firstname": "Testfirst",
        "lastname": "Testlast",
        "dfeta_trn": new_trn(),
        "birthdate": "1980-05-17",
        **fields,
    }
    client.create("contacts", body, id=contact_id)
    return contact_id


def create_mq(client: DataverseClient, person_id: str, **fields: Any) -> str:
    mq_id = str(uuid.uuid4())
    body = {
        "dfeta_name": "Mandatory Qualification",
        "dfeta_type": ref.MANDATORY_QUALIFICATION_TYPE,
        "dfeta_PersonId@odata.bind": f"/contacts({person_id})",
        "dfeta_MQ_MQEstablishmentId@odata.bind": f"/dfeta_mqestablishments({ESTABLISHMENT.id})",
        "dfeta_MQ_SpecialismId@odata.bind": f"/dfeta_specialisms({SPECIALISM.id})",
        "dfeta_mq_status": 389040000,  # in progress
        "dfeta_mqstartdate": "2020-09-01T00:00:00Z",
        **fields,
    }
    client.create("dfeta_qualifications", body, id=mq_id)
    return mq_id


def create_sanction(client: DataverseClient, person_id: str, code_id: str = ALERT_CODE.id, **fields: Any) -> str:
    sanction_id = str(uuid.uuid4())
    body = {
        "dfeta_PersonId@odata.bind": f"/contacts({person_id})",
        "dfeta_SanctionCodeId@odata.bind": f"/dfeta_sanctioncodes({code_id})",
        "dfeta_startdate": "2021-01-04T00:00:00Z",
        "dfeta_sanctiondetails": "Case reference 000001.",
        "dfeta_spent": False,
        **fields,
    }
    client.create("dfeta_sanctions", body, id=sanction_id)
    return sanction_id


def dqt_record(client: DataverseClient, feed: Feed, record_id: str) -> dict[str, Any]:
    """The record as the sync would read it (the feed's ``$select``)."""
    return dict(client.get(feed.entity_set, record_id, select=list(feed.select)))


# -- the sync ----------------------------------------------------------------------------------------------


def sync(engine: Engine, client: DataverseClient, *feed_names: str, page_size: int = 1000) -> dict[str, FeedResult]:
    """Run the named feeds (all when none) once; results by feed name."""
    feeds = resolve_feeds(list(feed_names)) if feed_names else list(FEEDS)
    return {r.feed: r for r in SyncService(engine, client, page_size=page_size).sync(feeds)}


# -- TRS -----------------------------------------------------------------------------------------------------


def rows(engine: Engine, table: str) -> dict[str, dict[str, Any]]:
    """Every row of ``table`` by primary key, with the engine-neutral values the column types return."""
    target = metadata.tables[table]
    key = target.primary_key.columns.keys()[0]
    with engine.connect() as connection:
        return {str(r[key]): dict(r) for r in connection.execute(select(target)).mappings()}


def row(engine: Engine, table: str, key: str) -> dict[str, Any] | None:
    target = metadata.tables[table]
    key_column = target.primary_key.columns.values()[0]
    with engine.connect() as connection:
        found = connection.execute(select(target).where(key_column == key)).mappings().one_or_none()
    return None if found is None else dict(found)


def events(engine: Engine) -> list[dict[str, Any]]:
    target = metadata.tables["events"]
    with engine.connect() as connection:
        return [dict(r) for r in connection.execute(select(target)).mappings()]


def event_keys(engine: Engine) -> list[str]:
    return sorted(str(e["key"]) for e in events(engine))


def open_failures(engine: Engine, entity_set: str | None = None) -> dict[str | None, FailedRecord]:
    """Open failed records by DQT id (asserting there is at most one open per id, as the index promises)."""
    with engine.connect() as connection:
        found = failed_records.list_failed(connection, entity_set=entity_set)
    by_id = {f.dqt_id: f for f in found}
    assert len(by_id) == len(found), "two open failed records for one DQT id"
    return by_id


def journal_entries(engine: Engine) -> dict[str, JournalEntry]:
    with engine.connect() as connection:
        return {e.entity_set: e for e in journal.all_entries(connection)}


def without(row_: dict[str, Any], columns: Iterable[str] = STORE_STAMPS) -> dict[str, Any]:
    return {k: v for k, v in row_.items() if k not in set(columns)}


# -- data files -----------------------------------------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> None:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))


def reference_lookup() -> ReferenceLookup:
    """The lookup the simulator's seeded reference rows give (what ``load_reference`` should read)."""

    def records(rows_: Iterable[ref.ReferenceRow], primary_id: str) -> list[dict[str, Any]]:
        return [
            {primary_id: r.id, "dfeta_name": r.name, "dfeta_value": r.value, "statecode": 0 if r.active else 1}
            for r in rows_
        ]

    return ReferenceLookup.from_records(
        establishments=records(ref.MQ_ESTABLISHMENTS, "dfeta_mqestablishmentid"),
        specialisms=records(ref.MQ_SPECIALISMS, "dfeta_specialismid"),
        sanction_codes=records(ref.SANCTION_CODES, "dfeta_sanctioncodeid"),
    )


def utc(text_: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text_.replace("Z", "+00:00"))
