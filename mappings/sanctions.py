"""``dfeta_sanctions`` → ``alerts`` (data dictionary §2.3).

The sanction code's ``dfeta_value`` selects the alert type (§3.6). The 21 DQT codes with no TRS alert type
are :class:`~mappings.types.Skipped` with a stable reason naming the code, so the bridge can count them;
TRS skipped them silently. A sanction with no code at all fails (``alert_type_id`` is NOT NULL and TRS
threw too, unless told to ignore bad data). A deactivated sanction gets ``deleted_on`` = its
``modifiedon``, not the wall clock (TRS switched to the clock in ``ad11dbf0d``; ADR 0016 explains why we
do not).
"""

from __future__ import annotations

from mappings import text
from mappings.errors import show
from mappings.fields import RecordReader
from mappings.lookup import ReferenceLookup
from mappings.reference.trs import ALERT_TYPE_BY_SANCTION_CODE
from mappings.types import AlertRow, Record, Skipped

ENTITY = "dfeta_sanctions"

_CODE = "_dfeta_sanctioncodeid_value"


def map_sanction(record: Record, reference: ReferenceLookup) -> AlertRow | Skipped:
    """Map one ``dfeta_sanctions`` record to an alert row, or :class:`Skipped` if its code has no alert type."""
    r = RecordReader(ENTITY, record, "dfeta_sanctionid")
    bookkeeping = r.bookkeeping()
    person_id = r.required_uuid("_dfeta_personid_value")

    code_id = r.uuid(_CODE)
    if code_id is None:
        r.fail(_CODE, None, "is required (a sanction without a code has no alert type)")
    code = reference.sanction_codes.get(code_id)
    if code is None:
        r.fail(_CODE, code_id, "unknown dfeta_sanctioncode")
    alert_type = ALERT_TYPE_BY_SANCTION_CODE.get(code)
    if alert_type is None:
        return Skipped(f"sanction code {show(code)} has no TRS alert type")

    return {
        "alert_id": r.id,
        "dqt_sanction_id": r.id,
        "alert_type_id": alert_type.id,
        "person_id": person_id,
        "details": r.text("dfeta_sanctiondetails", _free_text),
        "external_link": r.text("dfeta_detailslink", _short_text),
        "start_date": r.uk_date("dfeta_startdate"),
        "end_date": r.uk_date("dfeta_enddate"),
        "created_on": bookkeeping["dqt_created_on"],
        "updated_on": bookkeeping["dqt_modified_on"],
        "deleted_on": r.deleted_on(bookkeeping),
        "dqt_spent": r.boolean("dfeta_spent"),
        **bookkeeping,
    }


def _free_text(value: str | None) -> str | None:
    return None if value is None else text.check_free_text(value)


def _short_text(value: str | None) -> str | None:
    return None if value is None else text.check_short_text(value)
