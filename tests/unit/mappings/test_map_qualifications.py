"""dfeta_qualifications → qualifications (MQ subtype), data dictionary §2.2, §3.2–§3.5."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mappings import Ignored, MappingError, ReferenceLookup, map_qualification
from mappings.reference import dqt as ref
from mappings.reference import trs
from mappings.types import MqRow
from tests.unit.mappings import factories as f

LOOKUP = f.lookup()

MQ_COLUMNS = {
    "qualification_id", "dqt_qualification_id", "qualification_type", "person_id", "created_on", "updated_on",
    "deleted_on", "mq_provider_id", "mq_specialism", "mq_status", "start_date", "end_date",
    "dqt_mq_establishment_id", "dqt_specialism_id", "dqt_state", "dqt_created_on", "dqt_modified_on", "dqt_version",
}  # fmt: skip

#: §3.4, written out independently of trs.ESTABLISHMENT_PROVIDERS.
EXPECTED_PROVIDER = {
    **dict.fromkeys(["955", "210", "180", "160", "120", "20", "30"], "e28ea41d-408d-4c89-90cc-8b9b04ac68f5"),
    "959": "89f9a1aa-3d68-4985-a4ce-403b6044c18c",
    **dict.fromkeys(["961", "150"], "aa5c300e-3b7c-456c-8183-3520b3d55dca"),
    "957": "fbf22e04-b274-4c80-aba8-79fb6a7a32ce",
    "964": "26204149-349c-4ad6-9466-bb9b83723eae",
    "963": "0c30f666-647c-4ea8-8883-0fc6010b56be",
    "956": "d0e6d54c-5e90-438a-945d-f97388c2b352",
    "962": "aec32252-ef25-452e-a358-34a04e03369c",
    **dict.fromkeys(["965", "90"], "d9ee7054-7fde-4cfd-9a5e-4b99511d1b3d"),
    **dict.fromkeys(["958", "140"], "707d58ca-1953-413b-9a46-41e9b0be885e"),
    **dict.fromkeys(["960", "50"], "3fc648a7-18e4-49e7-8a4b-1612616b72d5"),
    "951": "374dceb8-8224-45b8-b7dc-a6b0282b1065",
    "954": "d4fc958b-21de-47ec-9f03-36ae237a1b11",
}
UNMAPPED_ESTABLISHMENTS = [
    "10", "100", "110", "130", "170", "190", "200", "220", "230", "240", "40", "60", "70", "80", "950", "952", "953",
]  # fmt: skip


def _mq(**overrides: Any) -> MqRow:
    out = map_qualification(f.qualification(**overrides), LOOKUP)
    assert not isinstance(out, Ignored)
    return out


def _fails(field: str, **overrides: Any) -> MappingError:
    with pytest.raises(MappingError) as caught:
        map_qualification(f.qualification(**overrides), LOOKUP)
    assert caught.value.field == field
    assert caught.value.entity == "dfeta_qualifications"
    return caught.value


def test_a_valid_mq() -> None:
    record = f.qualification()
    row = _mq(**record)
    assert set(row) == MQ_COLUMNS
    assert row["qualification_id"] == row["dqt_qualification_id"] == record["dfeta_qualificationid"]
    assert row["qualification_type"] == 0
    assert row["person_id"] == f.PERSON_ID
    assert row["mq_provider_id"] == trs.BIRMINGHAM.id
    assert row["mq_specialism"] == trs.MqSpecialism.HEARING
    assert row["mq_status"] == trs.MqStatus.PASSED
    assert row["start_date"] == dt.date(2010, 9, 1)  # 2010-08-31T23:00Z is UK midnight (BST)
    assert row["end_date"] == dt.date(2012, 7, 15)
    assert row["dqt_mq_establishment_id"] == f.establishment_id("955")
    assert row["dqt_specialism_id"] == f.specialism_id("Hearing")
    assert row["deleted_on"] is None
    assert (row["dqt_state"], row["dqt_version"]) == (0, 1_000_001)
    assert row["created_on"] == row["dqt_created_on"] == dt.datetime(2019, 3, 4, 10, 11, 12, tzinfo=dt.UTC)
    assert row["updated_on"] == row["dqt_modified_on"]


@pytest.mark.parametrize("qualification_type", [*sorted(set(ref.QUALIFICATION_TYPE) - {389040002}), None])
def test_other_qualification_types_are_ignored_not_failed(qualification_type: int | None) -> None:
    out = map_qualification(f.qualification(dfeta_type=qualification_type, createdon="garbage"), LOOKUP)
    assert isinstance(out, Ignored)
    assert "not a mandatory qualification" in out.reason


@pytest.mark.parametrize("qualification_type", [389040099, "389040002", True, 389040002.0])
def test_unknown_or_mistyped_qualification_type_fails(qualification_type: object) -> None:
    _fails("dfeta_type", dfeta_type=qualification_type)


# -- status --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dqt", "trs_value"),
    [(389040000, 0), (389040004, 1), (389040001, 2), (389040002, 3), (389040003, 4), (389040005, 5)],
)
def test_mq_status_table(dqt: int, trs_value: int) -> None:
    assert _mq(dfeta_mq_status=dqt)["mq_status"] == trs_value


def test_no_status_but_an_end_date_means_passed() -> None:
    assert _mq(dfeta_mq_status=None, dfeta_mq_date="2012-07-14T23:00:00Z")["mq_status"] == trs.MqStatus.PASSED


def test_no_status_and_no_end_date_stays_null() -> None:
    row = _mq(dfeta_mq_status=None, dfeta_mq_date=None)
    assert row["mq_status"] is None
    assert row["end_date"] is None


@pytest.mark.parametrize("status", [389040099, 0, 1, "389040004", False])
def test_unknown_mq_status_fails(status: object) -> None:
    _fails("dfeta_mq_status", dfeta_mq_status=status)


# -- establishments and providers ------------------------------------------------------------------------------


def test_the_establishment_table_covers_all_forty_dqt_values() -> None:
    assert len(ref.MQ_ESTABLISHMENTS) == 40
    assert set(EXPECTED_PROVIDER) | set(UNMAPPED_ESTABLISHMENTS) == {r.value for r in ref.MQ_ESTABLISHMENTS}
    assert len(EXPECTED_PROVIDER) == 23
    assert len(UNMAPPED_ESTABLISHMENTS) == 17


@pytest.mark.parametrize("row", ref.MQ_ESTABLISHMENTS, ids=lambda r: r.value)
def test_every_establishment_maps_to_its_provider_or_to_none(row: ref.ReferenceRow) -> None:
    mq = _mq(_dfeta_mq_mqestablishmentid_value=row.id, _dfeta_mq_specialismid_value=None)
    assert mq["mq_provider_id"] == EXPECTED_PROVIDER.get(row.value)
    assert mq["dqt_mq_establishment_id"] == row.id  # kept even when no provider maps


def test_thirteen_of_fourteen_providers_are_reachable_from_dqt() -> None:
    reachable = set(EXPECTED_PROVIDER.values())
    assert len(reachable) == 13
    assert {p.id for p in trs.PROVIDERS} - reachable == {trs.MARY_HARE.id}


def test_no_establishment() -> None:
    row = _mq(_dfeta_mq_mqestablishmentid_value=None)
    assert row["mq_provider_id"] is None
    assert row["dqt_mq_establishment_id"] is None
    assert row["mq_specialism"] == trs.MqSpecialism.HEARING  # plain value mapping without an establishment


def test_unknown_establishment_guid_fails() -> None:
    error = _fails("_dfeta_mq_mqestablishmentid_value", _dfeta_mq_mqestablishmentid_value=f.new_id())
    assert error.rule == "unknown dfeta_mqestablishment"


def test_an_inactive_establishment_still_maps() -> None:
    bristol = next(r for r in ref.MQ_ESTABLISHMENTS if r.value == "951")
    assert not bristol.active
    assert _mq(_dfeta_mq_mqestablishmentid_value=bristol.id)["mq_provider_id"] == trs.BRISTOL_POLY.id


# -- specialisms ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Auditory", 0), ("Deaf education", 1), ("Hearing", 2), ("Multi-Sensory", 3), ("N/A", 4), ("Visual", 5)],
)
def test_specialism_by_value_without_a_remap(value: str, expected: int) -> None:
    # establishment 10 has no remap pairs at all
    row = _mq(
        _dfeta_mq_mqestablishmentid_value=f.establishment_id("10"), _dfeta_mq_specialismid_value=f.specialism_id(value)
    )
    assert row["mq_specialism"] == expected


#: The intended remap (§3.5), every pair keyed on dfeta_value; written out independently of trs.SPECIALISM_REMAP.
INTENDED_REMAP = [
    ("963", "Hearing", 2), ("957", "Hearing", 2), ("957", "Visual", 5), ("150", "Hearing", 2),
    ("961", "Deaf education", 2), ("961", "Hearing", 2), ("961", "Visual", 5),
    ("210", "Multi-Sensory", 3), ("180", "Multi-Sensory", 3), ("180", "Visual", 3),
    ("160", "Hearing", 2), ("120", "Hearing", 2), ("20", "Visual", 5), ("30", "Visual", 5),
    ("955", "Deaf education", 2), ("955", "Hearing", 2), ("955", "Multi-Sensory", 3), ("955", "Visual", 5),
    ("956", "Hearing", 2), ("956", "Visual", 5), ("964", "Visual", 5), ("964", "N/A", 4),
    ("959", "Hearing", 2), ("959", "Deaf education", 2), ("959", "N/A", 4), ("962", "Hearing", 2),
    ("90", "Visual", 5), ("965", "Visual", 5), ("140", "Hearing", 2),
    ("958", "Deaf education", 2), ("958", "Hearing", 2), ("960", "Hearing", 2), ("960", "Multi-Sensory", 3),
    ("960", "Visual", 5), ("50", "Visual", 5), ("50", "Hearing", 2), ("951", "Hearing", 2), ("954", "Hearing", 2),
    ("954", "Visual", 5),
    # the source's explicit "no mapping" pairs fall back to the value mapping
    ("955", "N/A", 4), ("958", "N/A", 4),
]  # fmt: skip


@pytest.mark.parametrize(("establishment", "specialism", "expected"), INTENDED_REMAP)
def test_specialism_remap_by_establishment(establishment: str, specialism: str, expected: int) -> None:
    row = _mq(
        _dfeta_mq_mqestablishmentid_value=f.establishment_id(establishment),
        _dfeta_mq_specialismid_value=f.specialism_id(specialism),
    )
    assert row["mq_specialism"] == expected


def test_the_remap_table_is_exactly_the_intended_one() -> None:
    intended = {(e, s): v for e, s, v in INTENDED_REMAP if (e, s) not in {("955", "N/A"), ("958", "N/A")}}
    assert dict(trs.SPECIALISM_REMAP) == intended
    values = {r.value for r in ref.MQ_SPECIALISMS}
    assert {s for _, s in trs.SPECIALISM_REMAP} <= values  # no name-keyed pair can hide again
    assert {e for e, _ in trs.SPECIALISM_REMAP} <= {r.value for r in ref.MQ_ESTABLISHMENTS}


def test_the_9_1_bug_is_not_copied() -> None:
    # §9.1: (180, Visual) mapped to Visual in TRS because the pair was keyed on "Visual Impairment"
    row = _mq(
        _dfeta_mq_mqestablishmentid_value=f.establishment_id("180"),
        _dfeta_mq_specialismid_value=f.specialism_id("Visual"),
    )
    assert row["mq_specialism"] == trs.MqSpecialism.MULTI_SENSORY


def test_no_specialism() -> None:
    row = _mq(_dfeta_mq_specialismid_value=None)
    assert row["mq_specialism"] is None
    assert row["dqt_specialism_id"] is None


def test_unknown_specialism_guid_fails() -> None:
    error = _fails("_dfeta_mq_specialismid_value", _dfeta_mq_specialismid_value=f.new_id())
    assert error.rule == "unknown dfeta_specialism"


def test_a_specialism_value_trs_does_not_know_fails() -> None:
    odd = f.new_id()
    lookup = ReferenceLookup(LOOKUP.establishments, {**LOOKUP.specialisms, odd: "Deaf"}, LOOKUP.sanction_codes)
    with pytest.raises(MappingError) as caught:
        map_qualification(
            f.qualification(
                _dfeta_mq_mqestablishmentid_value=f.establishment_id("10"), _dfeta_mq_specialismid_value=odd
            ),
            lookup,
        )
    assert caught.value.rule == "has a dfeta_value with no TRS specialism"
    assert "'Deaf'" in str(caught.value)


# -- dates, state, required fields ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "expected"),
    [("2019-08-31T23:00:00Z", dt.date(2019, 9, 1)), ("2019-12-01T00:00:00Z", dt.date(2019, 12, 1)), (None, None)],
)
def test_start_date_is_a_uk_date(instant: str | None, expected: dt.date | None) -> None:
    assert _mq(dfeta_mqstartdate=instant)["start_date"] == expected


def test_bad_dates_fail() -> None:
    _fails("dfeta_mqstartdate", dfeta_mqstartdate="2023-02-30T00:00:00Z")
    _fails("dfeta_mq_date", dfeta_mq_date="1700-01-01T00:00:00Z")


def test_a_deactivated_mq_is_soft_deleted_at_its_modifiedon() -> None:
    row = _mq(statecode=1, modifiedon="2022-01-02T03:04:05Z")
    assert row["deleted_on"] == dt.datetime(2022, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert row["dqt_state"] == 1


@pytest.mark.parametrize(
    "field", ["dfeta_qualificationid", "_dfeta_personid_value", "versionnumber", "createdon", "modifiedon", "statecode"]
)
def test_required_fields(field: str) -> None:
    _fails(field, **{field: None})


def test_lookups_must_be_guids() -> None:
    _fails("_dfeta_personid_value", _dfeta_personid_value="contact-1")
    _fails("_dfeta_mq_specialismid_value", _dfeta_mq_specialismid_value=17)
