"""``contacts`` → ``persons`` (data dictionary §2.1), without the induction columns (see inductions.py).

Rules beyond the dictionary's table, each with an ADR:

- stated names win when either stated first or stated last name is non-blank (a whitespace-only stated
  name does not replace real names) and then all three stated names are used (ADR 0014);
- the NI number must be 9 characters (or a temporary number) after normalising; a 9-character value
  that breaks TRS's format rules is kept and reported by :func:`person_warnings` (ADR 0011);
- a TRN that is not exactly 7 digits fails the record instead of being dropped;
- ``created_by_tps`` follows the shipped code: true when ``dfeta_capitatrnchangedon`` is null, and NULL
  (unknown) when the attribute was not read at all (ADR 0013);
- a deactivated contact is soft-deleted: ``status`` 1 and ``deleted_on`` = its ``modifiedon`` (ADR 0016).
"""

from __future__ import annotations

from mappings import text
from mappings.fields import STATE_ACTIVE, RecordReader
from mappings.reference.trs import GENDERS, PersonStatus
from mappings.types import DataWarning, PersonRow, Record

ENTITY = "contacts"
_NAMES = ("firstname", "middlename", "lastname")
_STATED_NAMES = ("dfeta_statedfirstname", "dfeta_statedmiddlename", "dfeta_statedlastname")


def map_contact(record: Record) -> PersonRow:
    """Map one ``contacts`` record to its ``persons`` row, or raise :class:`~mappings.errors.MappingError`."""
    r = RecordReader(ENTITY, record, "contactid")
    bookkeeping = r.bookkeeping()

    first = r.text("firstname", text.raw_name)
    middle = r.text("middlename", text.raw_name)
    last = r.text("lastname", text.raw_name)
    stated_first = r.text("dfeta_statedfirstname", text.raw_name)
    r.text("dfeta_statedmiddlename", text.raw_name)  # checked even when unused
    stated_last = r.text("dfeta_statedlastname", text.raw_name)
    uses_stated = not (text.is_blank(stated_first) and text.is_blank(stated_last))
    shown_first, shown_middle, shown_last = (
        r.text(field, text.person_name) for field in (_STATED_NAMES if uses_stated else _NAMES)
    )

    gender_code = r.option("gendercode", GENDERS)
    gender = GENDERS[gender_code] if gender_code is not None else None

    merged_with = r.uuid("_dfeta_mergedwith_value")
    if merged_with == r.id:
        r.fail("_dfeta_mergedwith_value", merged_with, "must not point at the contact itself")

    application_user_id, trn_request_id = r.text("dfeta_trnrequestid", text.trn_request)
    capita_trn_changed_on = r.instant("dfeta_capitatrnchangedon")
    created_by_tps = capita_trn_changed_on is None if r.has("dfeta_capitatrnchangedon") else None

    return {
        "person_id": r.id,
        "dqt_contact_id": r.id,
        "trn": r.text("dfeta_trn", text.trn),
        "first_name": shown_first,
        "middle_name": shown_middle,
        "last_name": shown_last,
        "dqt_first_name": first,
        "dqt_middle_name": middle,
        "dqt_last_name": last,
        "date_of_birth": r.unshifted_date("birthdate"),
        "email_address": r.text("emailaddress1", text.email),
        "national_insurance_number": r.text("dfeta_ninumber", text.national_insurance_number),
        "gender": None if gender is None else int(gender),
        "status": int(PersonStatus.ACTIVE if bookkeeping["dqt_state"] == STATE_ACTIVE else PersonStatus.DEACTIVATED),
        "merged_with_person_id": merged_with,
        "created_on": bookkeeping["dqt_created_on"],
        "updated_on": bookkeeping["dqt_modified_on"],
        "deleted_on": r.deleted_on(bookkeeping),
        "created_by_tps": created_by_tps,
        "source_application_user_id": application_user_id,
        "source_trn_request_id": trn_request_id,
        "allow_details_updates_from_source_application": r.boolean("dfeta_allowpiiupdatesfromregister") is True,
        "dqt_allow_teacher_identity_sign_in_with_prohibitions": (
            r.boolean("dfeta_allowidsigninwithprohibitions") is True
        ),
        **bookkeeping,
    }


def person_warnings(row: PersonRow) -> tuple[DataWarning, ...]:
    """Rules a mapped person breaks without failing: today, an NI number outside TRS's format rules.

    The bridge may count or log these (they carry no values).
    """
    nino = row["national_insurance_number"]
    if nino is not None and not text.nino_format_ok(nino):
        rule = "does not match TRS's NI number format (kept as DQT holds it)"
        return (DataWarning(ENTITY, row["person_id"], "dfeta_ninumber", rule),)
    return ()
