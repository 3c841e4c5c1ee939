"""Professional status in the generated data: ITT rows and QTS registrations that are deterministic, in
realistic proportions, point only at seeded reference rows, agree with the contact's QTS/EYTS/QTLS columns,
and include the awkward cases the route migration reports; and the reference rows themselves."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import orjson
import pytest

from dqt_simulator import schema
from dqt_simulator.generate import HARDCODED_QTS_EY_CONTACTS, generate
from mappings.reference import dqt as ref
from mappings.reference import dqt_status as sref

ITT = "dfeta_initialteachertrainings"
QTS = "dfeta_qtsregistrations"
PERSONS = 20_000
Records = list[dict[str, Any]]


def _read(path: Path) -> Records:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("gen-status")
    return out, generate(out_dir=out, persons=PERSONS, seed=7)


@pytest.fixture(scope="module")
def data(generated: tuple[Path, dict[str, int]]) -> dict[str, Records]:
    out, _ = generated
    return {name: _read(out / f"{name}.jsonl") for name in ("contacts", ITT, QTS, "dfeta_inductions")}


def _by_person(records: Records) -> dict[str, Records]:
    grouped: dict[str, Records] = defaultdict(list)
    for record in records:
        grouped[record["_dfeta_personid_value"]].append(record)
    return grouped


def _seeded_ids(entity_set: str) -> set[str]:
    return {row.id for row in schema.REFERENCE_DATA[entity_set]}


_TS_VALUE = {row.id: row.value for row in sref.TEACHER_STATUSES}
_EY_VALUE = {row.id: row.value for row in sref.EARLY_YEARS_STATUSES}
_QUAL_VALUE = {row.id: row.value for row in sref.ITT_QUALIFICATIONS}


# --- determinism and counts ----------------------------------------------------------------------------------


def test_same_seed_gives_identical_itt_and_qts_files(tmp_path: Path) -> None:
    # Given two runs with the same persons and seed
    generate(out_dir=tmp_path / "a", persons=2000, seed=11)
    generate(out_dir=tmp_path / "b", persons=2000, seed=11)
    # Then the professional-status files (and the contacts that carry their dates) are byte-identical
    for name in (ITT, QTS, "contacts"):
        digests = {hashlib.sha256((tmp_path / run / f"{name}.jsonl").read_bytes()).hexdigest() for run in "ab"}
        assert len(digests) == 1, name


def test_another_seed_gives_other_itt_and_qts(tmp_path: Path) -> None:
    generate(out_dir=tmp_path / "a", persons=500, seed=11)
    generate(out_dir=tmp_path / "b", persons=500, seed=12)
    for name in (ITT, QTS):
        assert (tmp_path / "a" / f"{name}.jsonl").read_bytes() != (tmp_path / "b" / f"{name}.jsonl").read_bytes()


def test_counts_are_reported_for_the_new_files(
    generated: tuple[Path, dict[str, int]], data: dict[str, Records]
) -> None:
    _, counts = generated
    assert counts[ITT] == len(data[ITT])
    assert counts[QTS] == len(data[QTS])
    assert 0.6 < counts[ITT] / PERSONS < 0.95
    assert 0.6 < counts[QTS] / PERSONS < 0.9


# --- proportions ---------------------------------------------------------------------------------------------


def test_realistic_combinations_in_real_proportions(data: dict[str, Records]) -> None:
    itts, registrations = _by_person(data[ITT]), _by_person(data[QTS])
    contacts = data["contacts"]

    def share(count: int) -> float:
        return count / PERSONS

    # Then most people have ITT and a QTS registration, and about three in five hold QTS
    assert 0.65 < share(len(itts)) < 0.85
    assert 0.62 < share(len(registrations)) < 0.82
    assert 0.5 < share(sum(1 for c in contacts if c["dfeta_qtsdate"])) < 0.7
    # and the minority combinations all occur
    assert 0.04 < share(sum(1 for p in registrations if p not in itts)) < 0.1  # QTS without ITT
    assert 0.06 < share(sum(1 for p in itts if p not in registrations)) < 0.14  # ITT without QTS
    assert 0.02 < share(sum(1 for rows in itts.values() if len(rows) > 1)) < 0.06  # several ITT rows
    assert 0.01 < share(sum(1 for rows in registrations.values() if len(rows) > 1)) < 0.04
    ey = Counter(_EY_VALUE.get(r["_dfeta_earlyyearsstatusid_value"]) for r in data[QTS])
    assert 0.02 < ey["221"] / PERSONS < 0.045  # EYTS
    assert 0.005 < ey["222"] / PERSONS < 0.02  # EYPS
    assert ey["220"] > 0  # early-years trainees
    assert 0.015 < share(sum(1 for c in contacts if c["dfeta_eytsdate"])) < 0.045
    assert 0.007 < share(sum(1 for c in contacts if c["dfeta_qtlsdate"])) < 0.02
    assert any(c["dfeta_qtlsdatehasbeenset"] and not c["dfeta_qtlsdate"] for c in contacts)  # expired QTLS
    statuses = Counter(_TS_VALUE.get(r["_dfeta_teacherstatusid_value"]) for r in data[QTS])
    assert statuses.most_common(1)[0][0] == "71"
    assert statuses["211"] / PERSONS > 0.05  # trainees
    results = Counter(r["dfeta_result"] for r in data[ITT])
    assert results.most_common(1)[0][0] == sref.RESULT_PASS
    assert results[sref.RESULT_IN_TRAINING] / PERSONS > 0.05


# --- referential integrity -------------------------------------------------------------------------------------

_LOOKUPS = [
    (ITT, "_dfeta_establishmentid_value", "accounts"),
    (ITT, "_dfeta_subject1id_value", "dfeta_ittsubjects"),
    (ITT, "_dfeta_subject2id_value", "dfeta_ittsubjects"),
    (ITT, "_dfeta_subject3id_value", "dfeta_ittsubjects"),
    (ITT, "_dfeta_ittqualificationid_value", "dfeta_ittqualifications"),
    (ITT, "_dfeta_countryid_value", "dfeta_countries"),
    (QTS, "_dfeta_teacherstatusid_value", "dfeta_teacherstatuses"),
    (QTS, "_dfeta_earlyyearsstatusid_value", "dfeta_earlyyearsstatuses"),
]


@pytest.mark.parametrize(("entity_set", "column", "target"), _LOOKUPS)
def test_lookups_point_at_seeded_reference_rows(
    data: dict[str, Records], entity_set: str, column: str, target: str
) -> None:
    used = {r[column] for r in data[entity_set]}
    assert used - {None} <= _seeded_ids(target)
    assert len(used - {None}) > 1
    if column != "_dfeta_earlyyearsstatusid_value":
        assert None in used or column.startswith("_dfeta_teacher")  # dirt: some lookups are empty


def test_rows_belong_to_generated_persons_and_links_stay_within_a_person(data: dict[str, Records]) -> None:
    person_ids = {c["contactid"] for c in data["contacts"]}
    registrations = {r["dfeta_qtsregistrationid"]: r for r in data[QTS]}
    assert all(r["_dfeta_personid_value"] in person_ids for r in data[ITT] + data[QTS])
    linked = [r for r in data[ITT] if r["_dfeta_qtsregistration_value"]]
    assert 0.2 < len(linked) / len(data[ITT]) < 0.6
    for itt in linked:
        assert (
            registrations[itt["_dfeta_qtsregistration_value"]]["_dfeta_personid_value"] == itt["_dfeta_personid_value"]
        )
    ids = [r["dfeta_initialteachertrainingid"] for r in data[ITT]] + list(registrations)
    assert len(set(ids)) == len(ids)


def test_option_values_are_dqts_apart_from_marked_dirt(data: dict[str, Records]) -> None:
    programmes = Counter(r["dfeta_programmetype"] for r in data[ITT])
    assert set(programmes) - {None} - set(sref.ITT_PROGRAMME_TYPE) == {389040099}  # one unknown option value
    assert len(set(programmes) & set(sref.ITT_PROGRAMME_TYPE)) >= 25
    assert programmes[None] > 0
    ages = {r[c] for r in data[ITT] for c in ("dfeta_agerangefrom", "dfeta_agerangeto")}
    assert ages - {None} <= set(sref.AGE_RANGE)
    assert {r["dfeta_result"] for r in data[ITT]} - {None} <= set(ref.ITT_RESULT)
    assert {r["dfeta_ittqualificationaim"] for r in data[ITT]} - {None} <= set(sref.ITT_QUALIFICATION_AIM)
    attributes = {
        ITT: set(schema.INITIAL_TEACHER_TRAINING.by_read_name()),
        QTS: set(schema.QTS_REGISTRATION.by_read_name()),
    }
    for entity_set, names in attributes.items():
        extra = {key for record in data[entity_set][:50] for key in record} - names
        assert extra == {"@odata.etag"}, extra


# --- consistency -----------------------------------------------------------------------------------------------


def test_contact_dates_agree_with_the_active_registrations(data: dict[str, Records]) -> None:
    registrations = _by_person(data[QTS])
    for contact in data["contacts"]:
        active = [r for r in registrations.get(contact["contactid"], []) if r["statecode"] == 0]
        qts = [r["dfeta_qtsdate"] for r in active if r["dfeta_qtsdate"]]
        assert contact["dfeta_qtsdate"] == (min(qts) if qts else None)
        eyts = sorted((r["createdon"], r["dfeta_eytsdate"]) for r in active if r["dfeta_eytsdate"])
        assert contact["dfeta_eytsdate"] == (eyts[-1][1] if eyts else None)
        if contact["dfeta_qtlsdate"]:
            assert contact["dfeta_qtlsdatehasbeenset"] is True


def test_qtls_holders_are_exempt_from_induction(data: dict[str, Records]) -> None:
    qtls = {c["contactid"]: c for c in data["contacts"] if c["dfeta_qtlsdate"]}
    assert qtls
    for contact in qtls.values():
        assert contact["dfeta_inductionstatus"] in (None, 389040000)
    for induction in data["dfeta_inductions"]:
        if induction["_dfeta_personid_value"] in qtls:
            assert induction["dfeta_inductionexemptionreason"] == 389040018


def test_dates_are_in_order(data: dict[str, Records]) -> None:
    registrations = {r["dfeta_qtsregistrationid"]: r for r in data[QTS]}
    for itt in data[ITT]:
        start, end = itt["dfeta_programmestartdate"], itt["dfeta_programmeenddate"]
        assert start is not None
        assert end is None or end > start
        linked = registrations.get(itt["_dfeta_qtsregistration_value"])
        non_ey = itt["dfeta_programmetype"] not in sref.EARLY_YEARS_PROGRAMME_TYPES
        if linked and linked["dfeta_qtsdate"] and end and itt["dfeta_result"] == sref.RESULT_PASS and non_ey:
            assert linked["dfeta_qtsdate"] >= end
    assert max(r["dfeta_qtsdate"] for r in data[QTS] if r["dfeta_qtsdate"]) < "2025-08-01"


# --- the awkward cases -------------------------------------------------------------------------------------------


def test_awkward_cases_the_route_migration_reports_are_present(data: dict[str, Records]) -> None:
    itts, registrations = _by_person(data[ITT]), _by_person(data[QTS])
    qual = lambda r: _QUAL_VALUE.get(r["_dfeta_ittqualificationid_value"])  # noqa: E731
    status = lambda r: _TS_VALUE.get(r["_dfeta_teacherstatusid_value"])  # noqa: E731
    welsh_rule = [
        r
        for r in data[ITT]
        if r["_dfeta_establishmentid_value"] in sref.WELSH_PROVIDER_IDS
        and r["dfeta_result"] == sref.RESULT_PASS
        and r["dfeta_programmetype"] in (None, 389040001)
        and qual(r)
        and any(status(q) == "71" for q in registrations[r["_dfeta_personid_value"]])
    ]
    assert welsh_rule
    assert any(
        len([r for r in rows if r["_dfeta_establishmentid_value"] in sref.WELSH_PROVIDER_IDS]) > 1
        for rows in itts.values()
    )
    assert any(status(r) == "213" for r in data[QTS])
    assert any(status(r) == "103" for r in data[QTS])  # the OTT status migrated to the wrong route
    assert any(status(r) == "214" and r["dfeta_dateofrecognition"] and not r["dfeta_qtsdate"] for r in data[QTS])
    assert any(status(r) == "214" and not r["dfeta_dateofrecognition"] for r in data[QTS])  # invalid PQTS
    assert any(status(r) not in (None, "214") and r["dfeta_dateofrecognition"] for r in data[QTS])
    assert any(not r["_dfeta_teacherstatusid_value"] and not r["_dfeta_earlyyearsstatusid_value"] for r in data[QTS])
    results = Counter(r["dfeta_result"] for r in data[ITT])
    for result in (
        sref.RESULT_INFO,
        sref.RESULT_APPROVED,
        sref.RESULT_APPLICATION_RECEIVED,
        sref.RESULT_APPLICATION_UNSUCCESSFUL,
        sref.RESULT_NO_RESULT_SUBMITTED,
        sref.RESULT_UNDER_ASSESSMENT,
        None,
    ):
        assert results[result] > 0, result
    assert any(qual(r) == "998" and r["dfeta_result"] is None for r in data[ITT])
    assert any(qual(r) == "027" and r["dfeta_programmetype"] is None for r in data[ITT])  # cannot derive a route
    assert any(qual(r) == "114" for r in data[ITT])  # EYTS Only
    assert any(r["_dfeta_establishmentid_value"] == sref.UNFLAGGED_ESTABLISHMENT.id for r in data[ITT])
    # a QTS holder with a passed ITT but no QTS date anywhere, and one with two unlinked passed ITT rows
    assert any(
        any(r["dfeta_result"] == sref.RESULT_PASS for r in rows)
        and not any(q["dfeta_qtsdate"] or q["dfeta_eytsdate"] for q in registrations.get(person, []))
        and not any(_EY_VALUE.get(q["_dfeta_earlyyearsstatusid_value"]) == "222" for q in registrations.get(person, []))
        for person, rows in itts.items()
    )
    assert any(
        sum(1 for r in rows if r["dfeta_result"] == sref.RESULT_PASS and not r["_dfeta_qtsregistration_value"]) > 1
        for rows in itts.values()
    )
    # 221 without ITT, 222 without an EYTS date, inactive rows
    assert any(
        _EY_VALUE.get(r["_dfeta_earlyyearsstatusid_value"]) == "221" and r["_dfeta_personid_value"] not in itts
        for r in data[QTS]
    )
    assert any(
        _EY_VALUE.get(r["_dfeta_earlyyearsstatusid_value"]) == "222" and not r["dfeta_eytsdate"] for r in data[QTS]
    )
    assert any(r["statecode"] == 1 for r in data[ITT])
    assert any(r["statecode"] == 1 for r in data[QTS])


def test_the_four_hardcoded_contacts_are_generated_with_their_itt_ids(data: dict[str, Records]) -> None:
    itts = _by_person(data[ITT])
    registrations = _by_person(data[QTS])
    for contact_id, qts_itt, ey_itt in HARDCODED_QTS_EY_CONTACTS.values():
        ids = {r["dfeta_initialteachertrainingid"] for r in itts[contact_id]}
        assert {qts_itt, ey_itt} <= ids
        assert len(ids) == 3
        (registration,) = registrations[contact_id]
        assert _TS_VALUE[registration["_dfeta_teacherstatusid_value"]] == "71"
        assert _EY_VALUE[registration["_dfeta_earlyyearsstatusid_value"]] == "221"


# --- the reference rows ------------------------------------------------------------------------------------------


def test_teacher_statuses_are_the_84_real_rows() -> None:
    rows = sref.TEACHER_STATUSES
    assert len(rows) == 84
    assert len({r.value for r in rows}) == 84
    by_value = {r.value: r for r in rows}
    assert by_value["71"].name == "Qualified teacher (trained)"
    assert by_value["71"].active
    assert by_value["999"].name == "QTS Awarded in error"
    assert not by_value["999"].active
    assert {v for v in ("220", "221", "222") if not by_value[v].active} == {"220", "221", "222"}
    assert sum(r.active for r in rows) == 19
    assert by_value["71"].qts_date_required is True
    assert by_value["212"].qts_date_required is False
    assert by_value["10"].qts_date_required is None  # unknown, not invented
    assert all(len(r.name) <= 240 for r in rows)


def test_reference_rows_have_unique_ids_and_fit_their_tables() -> None:
    for entity_set, rows in schema.REFERENCE_DATA.items():
        entity = schema.BY_ENTITY_SET[entity_set]
        ids = [row.id for row in rows]
        assert len(set(ids)) == len(ids), entity_set
        for row in rows:
            columns = row.columns() if hasattr(row, "columns") else {"dfeta_name": row.name, "dfeta_value": row.value}
            assert set(columns) <= set(entity.attributes), (entity_set, set(columns) - set(entity.attributes))
    assert [r.active for r in sref.EARLY_YEARS_STATUSES] == [True, True, True]
    assert len(sref.WELSH_PROVIDERS) == 18
    assert all(p.training_provider for p in sref.WELSH_PROVIDERS)
    assert "4d056786-c8ae-e311-b8ed-005056822391" in sref.WELSH_PROVIDER_IDS
    c600 = [r for r in sref.ITT_SUBJECTS if r.value == "C600"]
    assert len(c600) == 2
    assert len({r.id for r in c600}) == 2
    assert not sref.by_value(sref.ITT_QUALIFICATIONS, "997").active
    assert sref.ROWS_BY_ID[sref.by_value(sref.COUNTRIES, "XK").id].name == "United Kingdom"


def test_names_no_source_gives_are_marked_not_invented() -> None:
    unknown = {value for entity, value in sref.UNKNOWN_NAMES if entity == sref.ITT_QUALIFICATION}
    assert unknown == {
        "019", "032", "051", "052", "054", "055", "100", "101", "103", "104",
        "105", "106", "107", "111", "112", "115", "116", "401",
    }  # fmt: skip
    for row in (*sref.ITT_QUALIFICATIONS, *sref.COUNTRIES):
        assert row.name.startswith("[name not in source]") == ((row.logical_name, row.value) in sref.UNKNOWN_NAMES)
    assert {value for entity, value in sref.UNKNOWN_NAMES if entity == sref.COUNTRY} == set(sref.DQT_ONLY_COUNTRY_CODES)


def test_age_options() -> None:
    assert sref.age_option(0) == 389040029
    assert sref.age_option(5) == 389040004
    assert sref.age_option(99) == 389040019
    assert sref.AGE_RANGE[389040004] == "_05"
    assert len(sref.AGE_RANGE) == 30
    with pytest.raises(ValueError, match="age 20"):
        sref.age_option(20)
