"""Valid Web API records, shaped like the simulator's, to start each mapping test from.

Every builder returns a fresh dict; keyword arguments override fields (``None`` included). Reference ids
are the stable ones of ``mappings.reference.dqt`` (ADR 0002), resolved by :func:`lookup`.
"""

from __future__ import annotations

import uuid
from typing import Any

from mappings import ReferenceLookup
from mappings.reference import dqt as ref

PERSON_ID = "5b0f3c5e-2f4a-4e59-9d4c-1f1a2b3c4d5e"
CREATED = "2019-03-04T10:11:12Z"
MODIFIED = "2021-06-07T08:09:10Z"

_counter = iter(range(1, 10**9))


def new_id() -> str:
    return str(uuid.UUID(int=0x1000_0000_0000_4000_8000_0000_0000_0000 + next(_counter)))


def _common(primary_key: str, **overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        primary_key: new_id(),
        "statecode": 0,
        "statuscode": 1,
        "createdon": CREATED,
        "modifiedon": MODIFIED,
        "versionnumber": 1_000_001,
        "@odata.etag": 'W/"1000001"',
        "_createdby_value": "8a8b6d2e-3c41-4f6a-9e0f-5b7c1d2e3f40",
        "_modifiedby_value": "8a8b6d2e-3c41-4f6a-9e0f-5b7c1d2e3f40",
    }
    record.update(overrides)
    return record


def contact(**overrides: Any) -> dict[str, Any]:
    record = _common(
        "contactid",
        contactid=PERSON_ID,
        dfeta_trn="1234567",
        firstname="Jane",
        middlename="Anne",
        lastname="Smith",
        fullname="Jane Anne Smith",
        dfeta_statedfirstname=None,
        dfeta_statedmiddlename=None,
        dfeta_statedlastname=None,
        birthdate="1990-05-01",
        emailaddress1="jane.smith@example.org",
        dfeta_ninumber="AB123456C",
        mobilephone=None,
        gendercode=2,
        dfeta_inductionstatus=None,
        _dfeta_mergedwith_value=None,
        dfeta_capitatrnchangedon="2015-01-01T00:00:00Z",
        dfeta_trnrequestid=None,
        dfeta_allowpiiupdatesfromregister=False,
        dfeta_allowidsigninwithprohibitions=False,
        dfeta_qtsdate="2012-08-31T23:00:00Z",
        dfeta_eytsdate=None,
        dfeta_qtlsdate=None,
        dfeta_qtlsdatehasbeenset=False,
        dfeta_dateofdeath=None,
        dfeta_trsevent=None,
    )
    record.update(overrides)
    return record


def establishment_id(value: str) -> str:
    return next(r.id for r in ref.MQ_ESTABLISHMENTS if r.value == value)


def specialism_id(value: str) -> str:
    return next(r.id for r in ref.MQ_SPECIALISMS if r.value == value)


def sanction_code_id(value: str) -> str:
    return next(r.id for r in ref.SANCTION_CODES if r.value == value)


def qualification(**overrides: Any) -> dict[str, Any]:
    record = _common(
        "dfeta_qualificationid",
        dfeta_name="Mandatory Qualification",
        dfeta_type=ref.MANDATORY_QUALIFICATION_TYPE,
        _dfeta_personid_value=PERSON_ID,
        _dfeta_mq_mqestablishmentid_value=establishment_id("955"),
        _dfeta_mq_specialismid_value=specialism_id("Hearing"),
        dfeta_mq_status=389040004,
        dfeta_mqstartdate="2010-08-31T23:00:00Z",
        dfeta_mq_date="2012-07-14T23:00:00Z",
        dfeta_trsevent=None,
    )
    record.update(overrides)
    return record


def sanction(**overrides: Any) -> dict[str, Any]:
    record = _common(
        "dfeta_sanctionid",
        dfeta_name="T1",
        _dfeta_personid_value=PERSON_ID,
        _dfeta_sanctioncodeid_value=sanction_code_id("T1"),
        dfeta_startdate="2020-03-31T23:00:00Z",
        dfeta_enddate=None,
        dfeta_sanctiondetails="Case reference 012345. Details held on file.",
        dfeta_detailslink="https://example.org/cases/12345",
        dfeta_spent=False,
        dfeta_trsevent=None,
    )
    record.update(overrides)
    return record


def induction(**overrides: Any) -> dict[str, Any]:
    record = _common(
        "dfeta_inductionid",
        dfeta_name="1234567",
        _dfeta_personid_value=PERSON_ID,
        dfeta_startdate="2013-08-31T23:00:00Z",
        dfeta_completiondate="2014-07-19T23:00:00Z",
        dfeta_inductionstatus=389040004,
        dfeta_inductionexemptionreason=None,
    )
    record.update(overrides)
    return record


def previous_name(name_type: int, name: str | None, changed: str | None, **overrides: Any) -> dict[str, Any]:
    record = _common(
        "dfeta_previousnameid",
        _dfeta_personid_value=PERSON_ID,
        dfeta_type=name_type,
        dfeta_name=name,
        dfeta_changedon=changed,
        dfeta_trsevent=None,
    )
    record.update(overrides)
    return record


def reference_records(rows: tuple[ref.ReferenceRow, ...], primary_key: str) -> list[dict[str, Any]]:
    """Reference rows as the simulator serves them (inactive rows included)."""
    return [
        {primary_key: row.id, "dfeta_name": row.name, "dfeta_value": row.value, "statecode": 0 if row.active else 1}
        for row in rows
    ]


def lookup() -> ReferenceLookup:
    return ReferenceLookup.from_records(
        establishments=reference_records(ref.MQ_ESTABLISHMENTS, "dfeta_mqestablishmentid"),
        specialisms=reference_records(ref.MQ_SPECIALISMS, "dfeta_specialismid"),
        sanction_codes=reference_records(ref.SANCTION_CODES, "dfeta_sanctioncodeid"),
    )
