"""A contact's ``dfeta_inductionstatus`` + its active ``dfeta_inductions`` → the persons induction columns
(data dictionary §2.4, ``MapInductionInfoFromDqtInduction`` in ``Helper@fc8d409c9``).

- The status comes from the contact (§3.8). With an active induction record, the record's status must
  equal the contact's (a CRM plugin keeps them in step), else the person fails.
- A contact with a QTLS date must have DQT status Exempt, else the person fails.
- Several active induction records: the latest ``modifiedon`` wins (then ``versionnumber``, then id, so the
  choice is deterministic). Inactive records are ignored, as TRS fetched only active ones.
- The exemption reason must map to a TRS reason (two DQT reasons do not): else the person fails.
- ``induction_status_without_exemption`` is the status, except that Exempt becomes RequiredToComplete when
  the contact has a QTS date and None otherwise (``7cfd63ad6``).

The newer-wins key ``dqt_induction_version`` is the larger of the contact's and the chosen record's
``versionnumber``: Dataverse's version numbers are organisation-wide and increase with every write, so
the larger one is the newest input this update reflects (ADR 0019).
"""

from __future__ import annotations

from collections.abc import Sequence

from mappings.errors import MappingError
from mappings.fields import STATE_ACTIVE, RecordReader
from mappings.reference.dqt import INDUCTION_EXEMPTION_REASON, INDUCTION_STATUS
from mappings.reference.trs import (
    DQT_INDUCTION_STATUS_EXEMPT,
    INDUCTION_EXEMPTION_REASON_IDS,
    INDUCTION_STATUSES,
    InductionStatus,
)
from mappings.types import Bookkeeping, InductionUpdate, Record

CONTACTS = "contacts"
ENTITY = "dfeta_inductions"

_STATUS = "dfeta_inductionstatus"
_REASON = "dfeta_inductionexemptionreason"


def map_induction(contact_record: Record, induction_records: Sequence[Record]) -> InductionUpdate:
    """Map a contact and all of its ``dfeta_inductions`` records (any state) to its induction columns."""
    contact = RecordReader(CONTACTS, contact_record, "contactid")
    contact_version = contact.version()
    contact_status = contact.option(_STATUS, INDUCTION_STATUS)
    has_qtls = contact.unshifted_date("dfeta_qtlsdate") is not None
    has_qts = contact.uk_date("dfeta_qtsdate") is not None

    if not isinstance(induction_records, Sequence) or isinstance(induction_records, str | bytes):
        raise MappingError(ENTITY, None, "<records>", induction_records, "must be a list of records")
    active: list[tuple[RecordReader, Bookkeeping]] = []
    for record in induction_records:
        reader = RecordReader(ENTITY, record, "dfeta_inductionid")
        bookkeeping = reader.bookkeeping()
        if reader.required_uuid("_dfeta_personid_value") != contact.id:
            reader.fail("_dfeta_personid_value", reader.raw("_dfeta_personid_value"), "belongs to another contact")
        if bookkeeping["dqt_state"] == STATE_ACTIVE:
            active.append((reader, bookkeeping))

    chosen = max(
        active, key=lambda pair: (pair[1]["dqt_modified_on"], pair[1]["dqt_version"], pair[0].id), default=None
    )

    reason_ids: list[str] = []
    start_date = completed_date = modified_on = None
    induction_id = None
    version = contact_version
    if chosen is not None:
        induction, bookkeeping = chosen
        induction_status = induction.option(_STATUS, INDUCTION_STATUS)
        if induction_status != contact_status:
            induction.fail(_STATUS, induction_status, "differs from the contact's dfeta_inductionstatus")
        reason = induction.option(_REASON, INDUCTION_EXEMPTION_REASON)
        if reason is not None:
            reason_id = INDUCTION_EXEMPTION_REASON_IDS.get(reason)
            if reason_id is None:
                induction.fail(_REASON, reason, "has no TRS induction exemption reason")
            reason_ids = [reason_id]
        start_date = induction.uk_date("dfeta_startdate")
        completed_date = induction.uk_date("dfeta_completiondate")
        modified_on = bookkeeping["dqt_modified_on"]
        induction_id = induction.id
        version = max(version, bookkeeping["dqt_version"])

    if has_qtls and contact_status != DQT_INDUCTION_STATUS_EXEMPT:
        contact.fail(_STATUS, contact_status, "must be Exempt (389040000) for a contact with a QTLS date")

    status = INDUCTION_STATUSES[contact_status] if contact_status is not None else InductionStatus.NONE
    without_exemption = status
    if status is InductionStatus.EXEMPT:
        without_exemption = InductionStatus.REQUIRED_TO_COMPLETE if has_qts else InductionStatus.NONE

    return {
        "person_id": contact.id,
        "induction_status": int(status),
        "induction_status_without_exemption": int(without_exemption),
        "induction_start_date": start_date,
        "induction_completed_date": completed_date,
        "induction_exemption_reason_ids": reason_ids,
        "induction_exempt_without_reason": status is InductionStatus.EXEMPT and not reason_ids,
        "induction_modified_on": modified_on,
        "dqt_induction_id": induction_id,
        "dqt_induction_modified_on": modified_on,
        "dqt_induction_version": version,
    }
