"""The operator's use cases behind ``trs-bridge failed list|show|discard`` and ``trs-bridge resync``.

Every command validates everything it is given before it changes anything: an unknown id, a closed record,
a malformed TRN or an empty reason raise :class:`~bridge.errors.CommandRejected` (exit 2) with nothing
changed. ``failed show`` masks personal data in the raw payload unless the operator asks to ``reveal`` it.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import structlog
from sqlalchemy import Engine

from bridge.apply import PageContext, apply_page
from bridge.errors import CommandRejected
from bridge.feeds import PERSON, Feed, resolve_feeds
from bridge.sync import load_reference
from dataverse_client import ChangePage, DataverseClient, F
from trs_store import failed_records
from trs_store.failed_records import STATUSES, FailedRecord
from trs_store.sync_runs import RunCounts

log = structlog.get_logger("bridge.operator")

_TRN = re.compile(r"[0-9]{7}")
_SINCE = re.compile(r"(\d+)\s*([smhdw])")
_UNITS: Final = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

#: Payload keys whose values are personal data (matched case-insensitively, at any depth).
PERSONAL_KEYS: Final = frozenset(
    {
        "firstname",
        "middlename",
        "lastname",
        "fullname",
        "nickname",
        "dfeta_statedfirstname",
        "dfeta_statedmiddlename",
        "dfeta_statedlastname",
        "birthdate",
        "dfeta_ninumber",
        "mobilephone",
        "telephone1",
        "telephone2",
        "address1_line1",
        "address1_line2",
        "address1_line3",
        "address1_postalcode",
        "first_name",
        "middle_name",
        "last_name",
        "date_of_birth",
        "national_insurance_number",
        "email_address",
    }
)
#: Entity sets whose ``dfeta_name`` is a person's name (elsewhere it is a label, like "Mandatory Qualification").
_NAME_IS_PERSONAL: Final = frozenset({"dfeta_previousnames"})


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# ---------------------------------------------------------------------------------------------------------
# masking
# ---------------------------------------------------------------------------------------------------------


def _is_personal(key: str, entity_set: str | None, inside_previous_names: bool) -> bool:
    lowered = key.lower()
    if lowered in PERSONAL_KEYS or "email" in lowered:
        return True
    return lowered == "dfeta_name" and (inside_previous_names or entity_set in _NAME_IS_PERSONAL)


def _masked(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        return f"<masked: {len(value)} chars>"
    return "<masked>"


def mask_payload(payload: Any, entity_set: str | None = None, *, _in_names: bool = False) -> Any:
    """``payload`` with personal data (names, birthdate, e-mails, NI numbers, phones, addresses) replaced by
    ``<masked: N chars>``, at any depth. Ids, TRNs, versions, dates of records and codes stay readable."""
    if isinstance(payload, Mapping):
        return {
            key: (
                _masked(value)
                if _is_personal(str(key), entity_set, _in_names)
                else mask_payload(value, entity_set, _in_names=_in_names or str(key) == "previous_names")
            )
            for key, value in payload.items()
        }
    if isinstance(payload, list | tuple):
        return [mask_payload(item, entity_set, _in_names=_in_names) for item in payload]
    return payload


# ---------------------------------------------------------------------------------------------------------
# failed list / show / discard
# ---------------------------------------------------------------------------------------------------------


def parse_since(text: str, now: dt.datetime | None = None) -> dt.datetime:
    """``--since``: an age (``30m``, ``24h``, ``7d``, ``2w``) or an ISO date / date-time (UTC if no zone)."""
    now = now or utc_now()
    value = text.strip()
    match = _SINCE.fullmatch(value)
    if match:
        return now - dt.timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CommandRejected(
            f"--since must be an age like 30m, 24h, 7d or an ISO date/date-time, got {value!r}"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def entity_set_of(entity: str | None) -> str | None:
    """The entity set named by a feed name or entity set (``None`` passes through)."""
    if entity is None:
        return None
    (feed,) = resolve_feeds([entity])
    return feed.entity_set


def list_failures(
    engine: Engine,
    *,
    entity: str | None = None,
    kind: str | None = None,
    since: str | None = None,
    status: str | None = "open",
    limit: int | None = None,
) -> list[FailedRecord]:
    """Failed records matching every filter (``status`` ``all`` or ``None`` = any), most recently seen first."""
    if status == "all":
        status = None
    if status is not None and status not in STATUSES:
        raise CommandRejected(f"--status must be one of {', '.join(STATUSES)} or all, got {status!r}")
    entity_set = entity_set_of(entity)
    cutoff = parse_since(since) if since else None
    with engine.connect() as connection:
        return failed_records.list_failed(
            connection,
            entity_set=entity_set,
            error_kind=kind,
            since=cutoff,
            status=status,
            limit=limit,
        )


def get_failure(engine: Engine, failed_record_id: int) -> FailedRecord:
    with engine.connect() as connection:
        record = failed_records.get(connection, failed_record_id)
    if record is None:
        raise CommandRejected(f"no failed record {failed_record_id}")
    return record


def failure_as_dict(record: FailedRecord, *, reveal: bool = False) -> dict[str, Any]:
    """A failed record for display or JSON; the raw payload masked unless ``reveal``."""
    return {
        "id": record.failed_record_id,
        "entity_set": record.entity_set,
        "dqt_id": record.dqt_id,
        "error_kind": record.error_kind,
        "field": record.field,
        "message": record.message,
        "mapping_version": record.mapping_version,
        "attempts": record.attempts,
        "first_seen": record.first_seen.isoformat(),
        "last_seen": record.last_seen.isoformat(),
        "status": record.status,
        "resolution": record.resolution,
        "raw_payload": record.raw_payload if reveal else mask_payload(record.raw_payload, record.entity_set),
        "masked": not reveal,
    }


def discard_failure(engine: Engine, failed_record_id: int, reason: str) -> FailedRecord:
    """Close an open failed record as ``discarded`` with the operator's reason."""
    reason = reason.strip()
    if not reason:
        raise CommandRejected("--reason must say why the record is discarded")
    with engine.begin() as connection:
        record = failed_records.get(connection, failed_record_id)
        if record is None:
            raise CommandRejected(f"no failed record {failed_record_id}")
        if record.status != "open":
            raise CommandRejected(f"failed record {failed_record_id} is already {record.status}; nothing changed")
        failed_records.discard(connection, failed_record_id, reason, now=utc_now())
        closed = failed_records.get(connection, failed_record_id)
    assert closed is not None
    log.info("failed_record_discarded", failed_record_id=failed_record_id, entity_set=record.entity_set)
    return closed


# ---------------------------------------------------------------------------------------------------------
# resync
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResyncResult:
    feed: str
    entity_set: str
    found: int  # DQT records read
    deleted: tuple[str, ...]  # ids DQT no longer has (applied as deletes)
    counts: RunCounts


def validate_trn(trn: str) -> str:
    value = trn.strip()
    if not _TRN.fullmatch(value):
        raise CommandRejected(f"a TRN is 7 digits, got {value!r}")
    return value


def validate_guid(value: str) -> str:
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        raise CommandRejected(f"--id must be a GUID, got {value!r}") from None


def _contacts_with_trn(client: DataverseClient, trn: str) -> list[dict[str, Any]]:
    return [
        record
        for page in client.query("contacts", select=list(PERSON.select), filter=F.eq("dfeta_trn", trn))
        for record in page.records
    ]


def _children_of(client: DataverseClient, feed: Feed, person_ids: Sequence[str]) -> list[dict[str, Any]]:
    if not person_ids:
        return []
    person_filter = F.in_("_dfeta_personid_value", [uuid.UUID(p) for p in person_ids])
    return [
        record
        for page in client.query(feed.entity_set, select=list(feed.select), filter=person_filter)
        for record in page.records
    ]


def resync(
    engine: Engine,
    client: DataverseClient,
    entity: str,
    *,
    record_id: str | None = None,
    trn: str | None = None,
) -> ResyncResult:
    """Fetch the current DQT record(s) and apply them as the sync would (newer wins, failures recorded). By
    ``record_id``: that record of the feed (gone from DQT: applied as a delete). By ``trn``: the contact with
    that TRN (person feed) or all its records of the feed (the other feeds)."""
    (feed,) = resolve_feeds([entity])
    if (record_id is None) == (trn is None):
        raise CommandRejected("give exactly one of --id and --trn")
    deleted: list[str] = []
    if record_id is not None:
        key = validate_guid(record_id)
        record = client.find(feed.entity_set, key, select=list(feed.select))
        records = [record] if record is not None else []
        if record is None:
            deleted.append(key)
    else:
        number = validate_trn(trn or "")
        contacts = _contacts_with_trn(client, number)
        if not contacts:
            raise CommandRejected(f"DQT has no contact with TRN {number}; nothing changed")
        if feed.entity_set == "contacts":
            records = contacts
        else:
            records = _children_of(client, feed, [str(c["contactid"]).lower() for c in contacts])
    counts = RunCounts()
    if records or deleted:
        with engine.begin() as connection:
            context = PageContext(connection, client, load_reference(client), utc_now())
            counts = apply_page(context, feed, ChangePage(records=records, deleted_ids=deleted))
    log.info(
        "resynced",
        feed=feed.name,
        found=len(records),
        gone_from_dqt=len(deleted),
        **{name: getattr(counts, name) for name in RunCounts.__dataclass_fields__},
    )
    return ResyncResult(feed.name, feed.entity_set, len(records), tuple(deleted), counts)
