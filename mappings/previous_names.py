"""A person's ``dfeta_previousnames`` → their ``previous_names`` rows (data dictionary §2.5, ADR 0017).

Each DQT row holds the *old* value of one name part (FirstName, MiddleName, LastName; Title is ignored),
written by a CRM plugin when that part changed. The algorithm, per person:

1. start from the contact's current (raw, NFC) first, middle and last names;
2. walk the active rows newest first, by ``dfeta_changedon``, else ``createdon`` (then ``createdon``,
   ``versionnumber`` and id, so ties are deterministic); each row puts its old value back into its part,
   which rebuilds the full name the person had before that change;
3. collapse adjacent identical names, the current name included: a rebuilt name equal to the one before it
   joins that name's row (or, if that is the current name, is not a previous name at all).

Each resulting row takes its id and timestamps from the run's first row in walk order (its "starting"
row): ``previous_name_id = uuid5(PREVIOUS_NAME_NAMESPACE, <that dfeta_previousnameid>)``,
``created_on = updated_on = <its change time>``; ``dqt_previous_name_ids`` lists every row of the run.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from mappings import text
from mappings.errors import MappingError
from mappings.fields import STATE_ACTIVE, RecordReader
from mappings.reference.dqt import PREVIOUS_NAME_TYPE
from mappings.types import PreviousNameRow, Record

#: Namespace of ``previous_name_id``s (never change it: ids in TRS depend on it).
PREVIOUS_NAME_NAMESPACE: Final = uuid.UUID("0d5b2f4e-8d1c-4a1e-9c55-6a3f0b7e2d90")

CONTACTS = "contacts"
ENTITY = "dfeta_previousnames"

#: ``dfeta_previousname.dfeta_type`` → index of the part in (first, middle, last); Title has none.
_PART: Final = {389040000: 0, 389040001: 1, 389040002: 2}

Name = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class _Change:
    id: str
    part: int
    value: str
    changed_on: dt.datetime
    created_on: dt.datetime
    modified_on: dt.datetime
    version: int


def map_previous_names(contact_record: Record, previous_name_records: Sequence[Record]) -> list[PreviousNameRow]:
    """Rebuild one person's previous names from their contact and all their ``dfeta_previousnames`` records."""
    contact = RecordReader(CONTACTS, contact_record, "contactid")
    current: Name = (
        contact.text("firstname", text.person_name),
        contact.text("middlename", text.person_name),
        contact.text("lastname", text.person_name),
    )
    changes = _changes(contact.id, previous_name_records)
    changes.sort(key=lambda c: (c.changed_on, c.created_on, c.version, c.id), reverse=True)

    runs: list[tuple[Name, list[_Change]]] = []
    name = current
    for change in changes:
        rebuilt = _replace(name, change.part, change.value)
        if rebuilt == name:
            if runs:  # the same name as the previous row's: one more id for that row
                runs[-1][1].append(change)
            continue  # the same as the current name: not a previous name
        runs.append((rebuilt, [change]))
        name = rebuilt
    # A previous name depends on the contact's current name too (the walk starts from it), so its version
    # key includes the contact's: a rename in DQT without a new dfeta_previousname row still rewrites it.
    contact_version = contact.version()
    return [_row(contact.id, run_name, run, contact_version) for run_name, run in runs]


def _changes(person_id: str, records: Sequence[Record]) -> list[_Change]:
    if not isinstance(records, Sequence) or isinstance(records, str | bytes):
        raise MappingError(ENTITY, None, "<records>", records, "must be a list of records")
    changes = []
    for record in records:
        r = RecordReader(ENTITY, record, "dfeta_previousnameid")
        bookkeeping = r.bookkeeping()
        if r.required_uuid("_dfeta_personid_value") != person_id:
            r.fail("_dfeta_personid_value", r.raw("_dfeta_personid_value"), "belongs to another contact")
        name_type = r.option("dfeta_type", PREVIOUS_NAME_TYPE)
        if name_type is None:
            r.fail("dfeta_type", None, "is required")
        value = r.text("dfeta_name", text.person_name)
        changed_on = r.instant("dfeta_changedon")
        part = _PART.get(name_type)
        if bookkeeping["dqt_state"] != STATE_ACTIVE or part is None:
            continue  # inactive rows and Title rows play no part
        changes.append(
            _Change(
                id=r.id,
                part=part,
                value=value,
                changed_on=changed_on or bookkeeping["dqt_created_on"],
                created_on=bookkeeping["dqt_created_on"],
                modified_on=bookkeeping["dqt_modified_on"],
                version=bookkeeping["dqt_version"],
            )
        )
    return changes


def _replace(name: Name, part: int, value: str) -> Name:
    parts = list(name)
    parts[part] = value
    return parts[0], parts[1], parts[2]


def _row(person_id: str, name: Name, run: list[_Change], contact_version: int) -> PreviousNameRow:
    start = run[0]
    return {
        "previous_name_id": str(uuid.uuid5(PREVIOUS_NAME_NAMESPACE, start.id)),
        "person_id": person_id,
        "first_name": name[0],
        "middle_name": name[1],
        "last_name": name[2],
        "created_on": start.changed_on,
        "updated_on": start.changed_on,
        "deleted_on": None,
        "dqt_audit_id": None,
        "dqt_previous_name_ids": [c.id for c in run],
        "dqt_state": STATE_ACTIVE,
        "dqt_created_on": start.created_on,
        "dqt_modified_on": max(c.modified_on for c in run),
        "dqt_version": max(contact_version, *(c.version for c in run)),
    }
