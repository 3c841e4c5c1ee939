"""Row builders for trs_store tests: the shapes ``mappings/`` produces (docs/trs-schema.md), with unique ids
and TRNs per call so tests never collide. Names and e-mails are obviously fake but realistic enough that the
no-personal-data checks in messages mean something."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

T0 = dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(hours=1)

#: Real seeded reference ids (migration 0002).
BIRMINGHAM = "e28ea41d-408d-4c89-90cc-8b9b04ac68f5"
ALERT_TYPE_T1 = "ed0cd700-3fb2-4db0-9403-ba57126090ed"
EXEMPT_REASON = "a5faff9f-29ce-4a6b-a7b8-0c1f57f15920"

_trns = itertools.count(int(uuid.uuid4().int % 3_000_000) + 1_000_000)


def new_id() -> str:
    return str(uuid.uuid4())


def next_trn() -> str:
    return f"{next(_trns):07d}"


def person_row(**overrides: Any) -> dict[str, Any]:
    person_id = overrides.pop("person_id", None) or new_id()
    row: dict[str, Any] = {
        "person_id": person_id,
        "dqt_contact_id": person_id,
        "trn": next_trn(),
        "first_name": "Rosalind",
        "middle_name": "Elsie",
        "last_name": "Franklinshire",
        "dqt_first_name": "Rosalind",
        "dqt_middle_name": "Elsie",
        "dqt_last_name": "Franklinshire",
        "date_of_birth": dt.date(1980, 7, 25),
        "email_address": "rosalind.franklinshire@example.org",
        "national_insurance_number": "QQ123456C",
        "gender": 2,
        "status": 0,
        "merged_with_person_id": None,
        "created_on": T0,
        "updated_on": T0,
        "deleted_on": None,
        "created_by_tps": False,
        "source_application_user_id": None,
        "source_trn_request_id": None,
        "allow_details_updates_from_source_application": False,
        "dqt_allow_teacher_identity_sign_in_with_prohibitions": False,
        "dqt_state": 0,
        "dqt_created_on": T0,
        "dqt_modified_on": T0,
        "dqt_version": 1000,
    }
    row.update(overrides)
    return row


def mq_row(person_id: str, **overrides: Any) -> dict[str, Any]:
    qualification_id = overrides.pop("qualification_id", None) or new_id()
    row: dict[str, Any] = {
        "qualification_id": qualification_id,
        "dqt_qualification_id": qualification_id,
        "qualification_type": 0,
        "person_id": person_id,
        "created_on": T0,
        "updated_on": T0,
        "deleted_on": None,
        "mq_provider_id": BIRMINGHAM,
        "mq_specialism": 5,
        "mq_status": 1,
        "start_date": dt.date(2019, 9, 1),
        "end_date": dt.date(2021, 7, 1),
        "dqt_mq_establishment_id": new_id(),
        "dqt_specialism_id": new_id(),
        "dqt_state": 0,
        "dqt_created_on": T0,
        "dqt_modified_on": T0,
        "dqt_version": 2000,
    }
    row.update(overrides)
    return row


def alert_row(person_id: str, **overrides: Any) -> dict[str, Any]:
    alert_id = overrides.pop("alert_id", None) or new_id()
    row: dict[str, Any] = {
        "alert_id": alert_id,
        "dqt_sanction_id": alert_id,
        "alert_type_id": ALERT_TYPE_T1,
        "person_id": person_id,
        "details": "Details of the case",
        "external_link": None,
        "start_date": dt.date(2022, 1, 1),
        "end_date": None,
        "created_on": T0,
        "updated_on": T0,
        "deleted_on": None,
        "dqt_spent": False,
        "dqt_state": 0,
        "dqt_created_on": T0,
        "dqt_modified_on": T0,
        "dqt_version": 3000,
    }
    row.update(overrides)
    return row


def previous_name_row(person_id: str, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "previous_name_id": new_id(),
        "person_id": person_id,
        "first_name": "Rosalind",
        "middle_name": "",
        "last_name": "Maidenham",
        "created_on": T0,
        "updated_on": T0,
        "deleted_on": None,
        "dqt_audit_id": None,
        "dqt_previous_name_ids": [new_id()],
        "dqt_state": 0,
        "dqt_created_on": T0,
        "dqt_modified_on": T0,
        "dqt_version": 4000,
    }
    row.update(overrides)
    return row


def induction_row(person_id: str, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "person_id": person_id,
        "induction_status": 2,
        "induction_status_without_exemption": 1,
        "induction_start_date": None,
        "induction_completed_date": None,
        "induction_exemption_reason_ids": [EXEMPT_REASON],
        "induction_exempt_without_reason": False,
        "induction_modified_on": T0,
        "dqt_induction_id": new_id(),
        "dqt_induction_modified_on": T0,
        "dqt_induction_version": 5000,
    }
    row.update(overrides)
    return row


def event_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "event_id": new_id(),
        "event_name": "PersonDqtImportedEvent",
        "created": T0,
        "payload": {"PersonId": new_id(), "DqtState": 0},
        "key": f"{new_id()}-Imported-1000",
        "person_id": None,
    }
    row.update(overrides)
    return row
