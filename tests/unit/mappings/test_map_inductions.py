"""Contact induction status + dfeta_inductions → persons induction columns, data dictionary §2.4 and §3.8."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mappings import MappingError, map_induction
from mappings.reference import dqt as ref
from mappings.reference import trs
from tests.unit.mappings import factories as f

UPDATE_COLUMNS = {
    "person_id", "induction_status", "induction_status_without_exemption", "induction_start_date",
    "induction_completed_date", "induction_exemption_reason_ids", "induction_exempt_without_reason",
    "induction_modified_on", "dqt_induction_id", "dqt_induction_modified_on", "dqt_induction_version",
}  # fmt: skip

#: §3.8, DQT value → TRS InductionStatus int.
STATUS_TABLE = [
    (389040007, 1),  # RequiredtoComplete
    (389040000, 2),  # Exempt
    (389040005, 2),  # PassedinWales
    (389040006, 3),  # InProgress
    (389040003, 3),  # NotYetCompleted
    (389040002, 3),  # InductionExtended
    (389040004, 4),  # Pass
    (389040001, 5),  # Fail
    (389040008, 6),  # FailedinWales
]

#: §3.8, DQT exemption reason → TRS induction_exemption_reasons id (full ids from the TRS seed migration).
REASON_TABLE = [
    (389040008, "a5faff9f-29ce-4a6b-a7b8-0c1f57f15920"),
    (389040009, "204f86eb-0383-40eb-b793-6fccb76ecee2"),
    (389040017, "a112e691-1694-46a7-8f33-5ec5b845c181"),
    (389040010, "4c97e211-10d2-4c63-8da9-b0fcebe7f2f9"),
    (389040011, "5a80cee8-98a8-426b-8422-b0e81cb49b36"),
    (389040012, "15014084-2d8d-4f51-9198-b0e1881f8896"),
    (389040013, "e7118bab-c2b1-4fe8-ad3f-4095d73f5b85"),
    (389040014, "0997ab13-7412-4560-8191-e51ed4d58d2a"),
    (389040016, "42bb7bbc-a92c-4886-b319-3c1a5eac319a"),
    (389040002, "fea2db23-93e0-49af-96fd-83c815c17c0b"),
    (389040003, "e5c3847d-8fb6-4b31-8726-812392da8c5c"),
    (389040004, "243b21a8-0be4-4af5-8874-85944357e7f8"),
    (389040005, "3471ab35-e6e4-4fa9-a72b-b8bd113df591"),
    (389040006, "7d17d904-c1c6-451b-9e09-031314bd35f7"),
    (389040007, "39550fa9-3147-489d-b808-4feea7f7f979"),
    (389040001, "a751494a-7e7a-4836-96cb-00b9ed6e1b5f"),
    (389040018, "35caa6a3-49f2-4a63-bd5a-2ba5fa9dc5db"),
]


def _pair(status: int | None, **induction: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    return f.contact(dfeta_inductionstatus=status), [f.induction(dfeta_inductionstatus=status, **induction)]


def test_a_passed_induction() -> None:
    contact, inductions = _pair(389040004, versionnumber=1_000_050, modifiedon="2022-02-02T02:02:02Z")
    update = map_induction(contact, inductions)
    assert set(update) == UPDATE_COLUMNS
    assert update == {
        "person_id": f.PERSON_ID,
        "induction_status": 4,
        "induction_status_without_exemption": 4,
        "induction_start_date": dt.date(2013, 9, 1),
        "induction_completed_date": dt.date(2014, 7, 20),
        "induction_exemption_reason_ids": [],
        "induction_exempt_without_reason": False,
        "induction_modified_on": dt.datetime(2022, 2, 2, 2, 2, 2, tzinfo=dt.UTC),
        "dqt_induction_id": inductions[0]["dfeta_inductionid"],
        "dqt_induction_modified_on": dt.datetime(2022, 2, 2, 2, 2, 2, tzinfo=dt.UTC),
        "dqt_induction_version": 1_000_050,
    }


@pytest.mark.parametrize(("dqt", "expected"), STATUS_TABLE)
def test_status_table(dqt: int, expected: int) -> None:
    contact, inductions = _pair(dqt, dfeta_inductionexemptionreason=389040008 if expected == 2 else None)
    assert map_induction(contact, inductions)["induction_status"] == expected


def test_the_status_table_covers_every_dqt_value() -> None:
    assert {dqt for dqt, _ in STATUS_TABLE} == set(ref.INDUCTION_STATUS) == set(trs.INDUCTION_STATUSES)
    assert {(k, int(v)) for k, v in trs.INDUCTION_STATUSES.items()} == set(STATUS_TABLE)


def test_no_status_and_no_induction() -> None:
    update = map_induction(f.contact(dfeta_inductionstatus=None), [])
    assert update["induction_status"] == 0
    assert update["induction_status_without_exemption"] == 0
    assert update["dqt_induction_id"] is None
    assert update["induction_modified_on"] is None
    assert update["dqt_induction_version"] == 1_000_001  # the contact's
    assert update["induction_exempt_without_reason"] is False


def test_a_status_on_the_contact_without_an_induction_record() -> None:
    update = map_induction(f.contact(dfeta_inductionstatus=389040007), [])
    assert update["induction_status"] == trs.InductionStatus.REQUIRED_TO_COMPLETE
    assert update["induction_start_date"] is None


# -- mismatches ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("contact_status", "induction_status"),
    [(389040004, 389040006), (None, 389040004), (389040004, None), (389040000, 389040005)],
)
def test_contact_and_induction_status_must_agree(contact_status: int | None, induction_status: int | None) -> None:
    contact = f.contact(dfeta_inductionstatus=contact_status)
    induction = f.induction(dfeta_inductionstatus=induction_status)
    with pytest.raises(MappingError) as caught:
        map_induction(contact, [induction])
    assert caught.value.entity == "dfeta_inductions"
    assert caught.value.record_id == induction["dfeta_inductionid"]
    assert caught.value.field == "dfeta_inductionstatus"
    assert caught.value.rule == "differs from the contact's dfeta_inductionstatus"


@pytest.mark.parametrize("status", [389040004, 389040005, None])
def test_a_qtls_holder_must_be_exempt(status: int | None) -> None:
    contact = f.contact(dfeta_qtlsdate="2016-05-01T00:00:00Z", dfeta_inductionstatus=status)
    with pytest.raises(MappingError) as caught:
        map_induction(contact, [])
    assert caught.value.entity == "contacts"
    assert caught.value.field == "dfeta_inductionstatus"


def test_a_qtls_holder_who_is_exempt_maps() -> None:
    contact = f.contact(dfeta_qtlsdate="2016-05-01T00:00:00Z", dfeta_inductionstatus=389040000)
    induction = f.induction(dfeta_inductionstatus=389040000, dfeta_inductionexemptionreason=389040018)
    update = map_induction(contact, [induction])
    assert update["induction_exemption_reason_ids"] == ["35caa6a3-49f2-4a63-bd5a-2ba5fa9dc5db"]


def test_multiple_inductions_take_the_latest_modifiedon() -> None:
    contact = f.contact(dfeta_inductionstatus=389040004, versionnumber=10)
    old = f.induction(dfeta_inductionstatus=389040006, modifiedon="2020-01-01T00:00:00Z", versionnumber=500)
    new = f.induction(dfeta_inductionstatus=389040004, modifiedon="2021-01-01T00:00:00Z", versionnumber=400)
    update = map_induction(contact, [old, new])
    assert update["dqt_induction_id"] == new["dfeta_inductionid"]  # the stale, mismatching one is not checked
    assert update["dqt_induction_version"] == 400


def test_ties_on_modifiedon_break_on_versionnumber_then_id() -> None:
    contact = f.contact(dfeta_inductionstatus=389040004)
    a = f.induction(versionnumber=7, dfeta_inductionid="00000000-0000-4000-8000-0000000000aa")
    b = f.induction(versionnumber=9, dfeta_inductionid="00000000-0000-4000-8000-0000000000bb")
    c = f.induction(versionnumber=9, dfeta_inductionid="00000000-0000-4000-8000-0000000000cc")
    for order in ([a, b, c], [c, b, a], [b, a, c]):
        assert map_induction(contact, order)["dqt_induction_id"] == c["dfeta_inductionid"]


def test_inactive_inductions_are_ignored() -> None:
    contact = f.contact(dfeta_inductionstatus=389040004)
    inactive = f.induction(statecode=1, dfeta_inductionstatus=389040006, modifiedon="2030-01-01T00:00:00Z")
    active = f.induction(dfeta_inductionstatus=389040004)
    assert map_induction(contact, [inactive, active])["dqt_induction_id"] == active["dfeta_inductionid"]
    assert map_induction(contact, [inactive])["dqt_induction_id"] is None


def test_an_induction_of_another_contact_fails() -> None:
    with pytest.raises(MappingError) as caught:
        map_induction(f.contact(), [f.induction(_dfeta_personid_value=f.new_id())])
    assert caught.value.field == "_dfeta_personid_value"


# -- exemption reasons ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("reason", "reason_id"), REASON_TABLE)
def test_exemption_reason_table(reason: int, reason_id: str) -> None:
    contact, inductions = _pair(389040000, dfeta_inductionexemptionreason=reason)
    update = map_induction(contact, inductions)
    assert update["induction_exemption_reason_ids"] == [reason_id]
    assert update["induction_exempt_without_reason"] is False


def test_every_mapped_reason_is_a_seeded_reason_and_the_table_is_complete() -> None:
    seeded = {r.id for r in trs.INDUCTION_EXEMPTION_REASONS}
    assert len(seeded) == 17
    assert dict(trs.INDUCTION_EXEMPTION_REASON_IDS) == dict(REASON_TABLE)
    assert set(trs.INDUCTION_EXEMPTION_REASON_IDS.values()) == seeded
    assert set(ref.INDUCTION_EXEMPTION_REASON) - set(trs.INDUCTION_EXEMPTION_REASON_IDS) == {389040000, 389040015}


@pytest.mark.parametrize("reason", [389040000, 389040015])
def test_unmapped_exemption_reasons_fail(reason: int) -> None:
    contact, inductions = _pair(389040000, dfeta_inductionexemptionreason=reason)
    with pytest.raises(MappingError) as caught:
        map_induction(contact, inductions)
    assert caught.value.field == "dfeta_inductionexemptionreason"
    assert caught.value.rule == "has no TRS induction exemption reason"


@pytest.mark.parametrize("reason", [389040099, "389040008", True])
def test_unknown_exemption_reason_values_fail(reason: object) -> None:
    contact, inductions = _pair(389040000, dfeta_inductionexemptionreason=reason)
    with pytest.raises(MappingError):
        map_induction(contact, inductions)


def test_exempt_without_a_reason() -> None:
    contact, inductions = _pair(389040000, dfeta_inductionexemptionreason=None)
    update = map_induction(contact, inductions)
    assert update["induction_exempt_without_reason"] is True
    assert update["induction_exemption_reason_ids"] == []


# -- status without exemption and the version key ------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "qts", "expected"),
    [
        (389040000, "2012-08-31T23:00:00Z", 1),  # Exempt with QTS: RequiredToComplete
        (389040000, None, 0),  # Exempt without QTS: None
        (389040005, "2012-08-31T23:00:00Z", 1),  # PassedinWales is Exempt in TRS
        (389040004, None, 4),  # anything else: the same status
        (389040007, None, 1),
    ],
)
def test_status_without_exemption(status: int, qts: str | None, expected: int) -> None:
    contact = f.contact(dfeta_inductionstatus=status, dfeta_qtsdate=qts)
    update = map_induction(contact, [f.induction(dfeta_inductionstatus=status, dfeta_inductionexemptionreason=None)])
    assert update["induction_status_without_exemption"] == expected


def test_induction_version_is_the_newer_of_contact_and_induction() -> None:
    contact = f.contact(dfeta_inductionstatus=389040004, versionnumber=2_000_000)
    assert map_induction(contact, [f.induction(versionnumber=1_500_000)])["dqt_induction_version"] == 2_000_000
    contact = f.contact(dfeta_inductionstatus=389040004, versionnumber=1_000_000)
    assert map_induction(contact, [f.induction(versionnumber=1_500_000)])["dqt_induction_version"] == 1_500_000


def test_dates_are_uk_dates() -> None:
    contact, inductions = _pair(
        389040004, dfeta_startdate="2024-03-31T00:00:00Z", dfeta_completiondate="2024-10-26T23:00:00Z"
    )
    update = map_induction(contact, inductions)
    assert update["induction_start_date"] == dt.date(2024, 3, 31)
    assert update["induction_completed_date"] == dt.date(2024, 10, 27)


@pytest.mark.parametrize("records", [None, {"a": 1}, "records", [None], [[]]])
def test_induction_records_must_be_a_list_of_objects(records: Any) -> None:
    with pytest.raises(MappingError):
        map_induction(f.contact(), records)


@pytest.mark.parametrize(
    "field", ["dfeta_inductionid", "_dfeta_personid_value", "versionnumber", "createdon", "modifiedon", "statecode"]
)
def test_required_induction_fields(field: str) -> None:
    with pytest.raises(MappingError) as caught:
        map_induction(f.contact(dfeta_inductionstatus=389040004), [f.induction(**{field: None})])
    assert caught.value.field == field
