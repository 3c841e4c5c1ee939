"""A page of hostile records: each bad one becomes a failed record naming its field, every good one commits.

The records are loaded from JSON Lines (the simulator's loader takes them as they are; its Web API would
refuse most of them), so they reach the bridge exactly as a dirty DQT would serve them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dataverse_client import DataverseClient
from mappings.reference import dqt as ref
from tests.integration.bridge.conftest import Store
from tests.integration.bridge.helpers import (
    ALERT_CODE,
    ESTABLISHMENT,
    SPECIALISM,
    open_failures,
    rows,
    sync,
    write_jsonl,
)
from tests.support.simulator import SimulatorHandle

pytestmark = pytest.mark.integration

STAMPS = {"statecode": 0, "statuscode": 1, "createdon": "2020-01-02T03:04:05Z", "modifiedon": "2021-01-02T03:04:05Z"}
#: A name that must never reach a failed record's message (it is personal data).
SECRET_NAME = "Zebedee"
PASSED = 389040004  # DQT induction status "Pass"


def _id() -> str:
    return str(uuid.uuid4())


def _contact(trn: str | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "contactid": _id(),
        **STAMPS,
        "dfeta_trn": trn,
        "firstname": "Valid",
        "lastname": "Person",
        "birthdate": "1985-03-04",
        **fields,
    }


def _mq(person_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "dfeta_qualificationid": _id(),
        **STAMPS,
        "dfeta_type": ref.MANDATORY_QUALIFICATION_TYPE,
        "_dfeta_personid_value": person_id,
        "_dfeta_mq_mqestablishmentid_value": ESTABLISHMENT.id,
        "_dfeta_mq_specialismid_value": SPECIALISM.id,
        "dfeta_mq_status": 389040004,
        "dfeta_mqstartdate": "2019-09-01T00:00:00Z",
        "dfeta_mq_date": "2020-07-01T00:00:00Z",
        **fields,
    }


def _sanction(person_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "dfeta_sanctionid": _id(),
        **STAMPS,
        "_dfeta_personid_value": person_id,
        "_dfeta_sanctioncodeid_value": ALERT_CODE.id,
        "dfeta_startdate": "2020-02-03T00:00:00Z",
        "dfeta_sanctiondetails": "Case reference 123.\nDetails held on file.",
        "dfeta_spent": False,
        **fields,
    }


def test_hostile_records_fail_alone_and_their_neighbours_commit(
    store: Store,
    tmp_path: Path,
    fresh_simulator: Callable[..., SimulatorHandle],
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> None:
    # Given valid contacts, two contacts sharing a TRN, and contacts each broken in one field
    valid = [
        _contact("1111111"),
        _contact("2222222", dfeta_statedfirstname="Stated", dfeta_statedlastname="Name", middlename="Zoë\u0301"),
        _contact(None, emailaddress1="  spaced@example.org  ", dfeta_ninumber="ab 12 34 56 c"),
    ]
    duplicates = [_contact("3333333"), _contact("3333333")]
    bad_contacts = {  # field -> record broken in that field
        "firstname": _contact("4000001", firstname=42),  # wrong JSON type
        "gendercode": _contact("4000002", gendercode=12345),  # unknown option value
        "birthdate": _contact("4000003", birthdate="1990-02-30"),  # impossible date
        "modifiedon": _contact("4000004", modifiedon="2021-13-01T00:00:00Z"),  # impossible instant
        "lastname": _contact("4000005", lastname=SECRET_NAME * 20),  # over-long (140 > 100)
        "middlename": _contact("4000006", middlename=f"{SECRET_NAME}\u0007"),  # control character
        "emailaddress1": _contact("4000007", emailaddress1=f"{'e' * 95}@example.org"),  # over-long
        "dfeta_trn": _contact("12345678"),  # 8 digits
        "dfeta_ninumber": _contact("4000009", dfeta_ninumber="AB12"),  # too short to be one
        "statecode": _contact("4000010", statecode="0"),  # a string where an option value belongs
        "dfeta_allowpiiupdatesfromregister": _contact("4000011", dfeta_allowpiiupdatesfromregister="yes"),
        "_dfeta_mergedwith_value": _contact("4000012", _dfeta_mergedwith_value="not-a-guid"),
        "dfeta_trnrequestid": _contact("4000013", dfeta_trnrequestid="no separator"),
    }
    # And MQs and sanctions of valid people, some broken, one belonging to a broken contact
    good_mq, good_sanction = _mq(valid[0]["contactid"]), _sanction(valid[1]["contactid"])
    person_failed_mq = _mq(bad_contacts["firstname"]["contactid"])
    bad_mqs = {
        "dfeta_mq_status": _mq(valid[0]["contactid"], dfeta_mq_status=123),
        "dfeta_mqstartdate": _mq(valid[0]["contactid"], dfeta_mqstartdate="2021-02-29T00:00:00Z"),
        "_dfeta_mq_mqestablishmentid_value": _mq(valid[0]["contactid"], _dfeta_mq_mqestablishmentid_value=_id()),
        "dfeta_type": _mq(valid[0]["contactid"], dfeta_type="389040002"),
        "_dfeta_personid_value": _mq("00000000-0000-0000-0000-000000000000"),
    }
    bad_sanctions = {
        "dfeta_sanctiondetails": _sanction(valid[1]["contactid"], dfeta_sanctiondetails="bell \u0001 inside"),
        "dfeta_spent": _sanction(valid[1]["contactid"], dfeta_spent="true"),
        "_dfeta_sanctioncodeid_value": _sanction(valid[1]["contactid"], _dfeta_sanctioncodeid_value=None),
        "dfeta_startdate": _sanction(valid[1]["contactid"], dfeta_startdate=20200203),
    }
    data = tmp_path / "dqt"
    data.mkdir()
    write_jsonl(data / "contacts.jsonl", [*valid, *duplicates, *bad_contacts.values()])
    write_jsonl(data / "dfeta_qualifications.jsonl", [good_mq, person_failed_mq, *bad_mqs.values()])
    write_jsonl(data / "dfeta_sanctions.jsonl", [good_sanction, *bad_sanctions.values()])
    client = client_for(fresh_simulator(data_dir=data))

    # When the person, MQ and alert feeds sync (each one page)
    results = sync(store.engine, client, "person", "mandatory_qualification", "alert")

    # Then each page committed once and the run succeeded
    assert all(r.counts.pages == 1 and r.outcome == "succeeded" for r in results.values())
    # And every valid record, and one of the two sharing a TRN, is in TRS
    persons = rows(store.engine, "persons")
    stored_duplicates = [d["contactid"] for d in duplicates if d["contactid"] in persons]
    assert set(persons) == {c["contactid"] for c in valid} | set(stored_duplicates)
    assert len(stored_duplicates) == 1
    assert persons[valid[2]["contactid"]]["email_address"] == "spaced@example.org"
    assert persons[valid[2]["contactid"]]["national_insurance_number"] == "AB123456C"
    assert set(rows(store.engine, "qualifications")) == {good_mq["dfeta_qualificationid"]}
    assert set(rows(store.engine, "alerts")) == {good_sanction["dfeta_sanctionid"]}

    # And every invalid record is a failed record whose field and message name the broken field
    failures = open_failures(store.engine)
    for entity_set, bad, key in (
        ("contacts", bad_contacts, "contactid"),
        ("dfeta_qualifications", bad_mqs, "dfeta_qualificationid"),
        ("dfeta_sanctions", bad_sanctions, "dfeta_sanctionid"),
    ):
        for field, record in bad.items():
            failure = failures.get(record[key])
            assert failure is not None, f"{entity_set} broken in {field} has no failed record"
            assert (failure.entity_set, failure.error_kind, failure.field) == (entity_set, "mapping", field)
            assert field in failure.message
            assert SECRET_NAME not in failure.message
            assert failure.raw_payload[key] == record[key]  # the record as received, for replay
    # And the second holder of a TRN is a duplicate_key failure, the child of a failed person a missing parent
    (lost_duplicate,) = [d["contactid"] for d in duplicates if d["contactid"] not in persons]
    assert failures[lost_duplicate].error_kind == "duplicate_key"
    assert failures[person_failed_mq["dfeta_qualificationid"]].error_kind == "missing_parent"
    expected_failures = len(bad_contacts) + len(bad_mqs) + len(bad_sanctions) + 2
    assert len(failures) == expected_failures
    assert sum(r.counts.failed for r in results.values()) >= expected_failures


def test_hostile_induction_and_previous_name_records_fail_per_person(
    store: Store,
    tmp_path: Path,
    fresh_simulator: Callable[..., SimulatorHandle],
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> None:
    # Given two passed contacts with an induction and a previous name each: one pair valid, one pair broken
    good, bad = _contact("5000001", dfeta_inductionstatus=PASSED), _contact("5000002", dfeta_inductionstatus=PASSED)
    no_guid = _contact("5000003") | {"contactid": "not-a-guid"}

    def induction(person: dict[str, Any], **fields: Any) -> dict[str, Any]:
        return {
            "dfeta_inductionid": _id(),
            **STAMPS,
            "_dfeta_personid_value": person["contactid"],
            "dfeta_inductionstatus": PASSED,
            "dfeta_startdate": "2019-09-01T00:00:00Z",
            "dfeta_completiondate": "2020-07-01T00:00:00Z",
            **fields,
        }

    def previous_name(person: dict[str, Any], **fields: Any) -> dict[str, Any]:
        return {
            "dfeta_previousnameid": _id(),
            **STAMPS,
            "_dfeta_personid_value": person["contactid"],
            "dfeta_type": 389040002,  # last name
            "dfeta_name": "Formerly",
            "dfeta_changedon": "2015-01-01T00:00:00Z",
            **fields,
        }

    good_induction, bad_induction = induction(good), induction(bad, dfeta_completiondate="2020-02-30T00:00:00Z")
    good_name, bad_name = previous_name(good), previous_name(bad, dfeta_type=7)
    data = tmp_path / "dqt"
    data.mkdir()
    write_jsonl(data / "contacts.jsonl", [good, bad, no_guid])
    write_jsonl(data / "dfeta_inductions.jsonl", [good_induction, bad_induction])
    write_jsonl(data / "dfeta_previousnames.jsonl", [good_name, bad_name])
    client = client_for(fresh_simulator(data_dir=data))

    # When every feed syncs
    results = sync(store.engine, client)

    # Then the contact without a GUID is a failed record without an id, naming contactid
    failures = open_failures(store.engine)
    assert failures[None].field == "contactid"
    assert failures[None].raw_payload["contactid"] == "not-a-guid"
    # And the broken induction and previous name are failed records naming their fields
    assert (failures[bad_induction["dfeta_inductionid"]].field, failures[bad_name["dfeta_previousnameid"]].field) == (
        "dfeta_completiondate",
        "dfeta_type",
    )
    assert len(failures) == 3
    # And the valid person got its induction columns and previous name; the other person is untouched by both
    persons = rows(store.engine, "persons")
    assert persons[good["contactid"]]["dqt_induction_id"] == good_induction["dfeta_inductionid"]
    assert persons[good["contactid"]]["induction_status"] == 4  # Passed
    assert persons[bad["contactid"]]["dqt_induction_id"] is None
    names = rows(store.engine, "previous_names")
    assert [(n["person_id"], n["last_name"]) for n in names.values()] == [(good["contactid"], "Formerly")]
    assert all(r.outcome == "succeeded" for r in results.values())
