"""Professional status over the wire: the simulator seeds the real reference rows (teacher and early-years
statuses, ITT subjects and qualifications, countries, ITT-provider accounts), lists the new tables in
EntityDefinitions, and serves generated ITT rows and QTS registrations for query, $expand and change
tracking."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from sim_helpers import Api

from dqt_simulator.generate import generate
from mappings.reference import dqt_status as sref
from tests.support.simulator import SimulatorHandle, start_simulator

pytestmark = pytest.mark.integration

ITT = "dfeta_initialteachertrainings"
QTS = "dfeta_qtsregistrations"
TRACK = "odata.track-changes"
WELSH = "4d056786-c8ae-e311-b8ed-005056822391"  # University Of Wales Institute, Cardiff (the odd id)

#: entity set -> (logical name, primary name, seeded rows)
SEEDED: dict[str, tuple[str, str, tuple[Any, ...]]] = {
    "dfeta_teacherstatuses": ("dfeta_teacherstatus", "dfeta_name", sref.TEACHER_STATUSES),
    "dfeta_earlyyearsstatuses": ("dfeta_earlyyearsstatus", "dfeta_name", sref.EARLY_YEARS_STATUSES),
    "dfeta_ittsubjects": ("dfeta_ittsubject", "dfeta_name", sref.ITT_SUBJECTS),
    "dfeta_ittqualifications": ("dfeta_ittqualification", "dfeta_name", sref.ITT_QUALIFICATIONS),
    "dfeta_countries": ("dfeta_country", "dfeta_name", sref.COUNTRIES),
    "accounts": ("account", "name", sref.ITT_PROVIDERS),
}


#: ``dfeta_value`` of every seeded coded row by id.
VALUE = {
    row.id: row.value
    for rows in (
        sref.TEACHER_STATUSES,
        sref.EARLY_YEARS_STATUSES,
        sref.ITT_SUBJECTS,
        sref.ITT_QUALIFICATIONS,
        sref.COUNTRIES,
    )
    for row in rows
}


def _all(api: Api, entity_set: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
    return [
        row for page in api.pages(entity_set, prefer="odata.maxpagesize=5000", params=params) for row in page["value"]
    ]


def _read(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


@pytest.fixture(scope="module")
def generated_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("status-data")
    generate(out, persons=1000, seed=5)
    return out


@pytest.fixture(scope="module")
def status_sim(generated_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorHandle]:
    """A simulator serving 1,000 generated persons (read-only tests)."""
    handle = start_simulator(tmp_path_factory.mktemp("status-sim"), data_dir=generated_dir)
    yield handle
    handle.stop()


@pytest.fixture
def loaded(status_sim: SimulatorHandle) -> Api:
    return Api(status_sim)


# --- reference rows --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("entity_set", list(SEEDED))
def test_reference_rows_are_seeded_with_their_real_values(api: Api, entity_set: str) -> None:
    # Given a simulator started without data, When a reference set is read
    _, primary_name, rows = SEEDED[entity_set]
    served = {r[f"{SEEDED[entity_set][0]}id"]: r for r in _all(api, entity_set)}
    # Then every seeded row is there under its stable id, with its name and its active flag
    assert set(served) == {row.id for row in rows}
    for row in rows:
        record = served[row.id]
        assert record[primary_name] == row.name
        assert (record["statecode"], record["statuscode"]) == ((0, 1) if row.active else (1, 2))
        for column, value in row.columns().items():
            assert record[column] == value, (row.id, column)


def test_teacher_statuses_and_providers_answer_queries(api: Api) -> None:
    trained = api.get(
        "dfeta_teacherstatuses",
        params={"$filter": "dfeta_value eq '71'", "$select": "dfeta_name,dfeta_qtsdaterequired,statecode"},
    ).json()["value"]
    assert [(r["dfeta_name"], r["dfeta_qtsdaterequired"], r["statecode"]) for r in trained] == [
        ("Qualified teacher (trained)", True, 0)
    ]
    inactive = api.get("dfeta_teacherstatuses/$count", params={"$filter": "statecode eq 1"})
    assert inactive.text == "65"
    providers = _all(api, "accounts", {"$filter": "dfeta_trainingprovider eq true", "$select": "name,dfeta_ukprn"})
    assert len(providers) == len(sref.ITT_PROVIDERS) - 1
    welsh = api.get(f"accounts({WELSH})", params={"$select": "name,dfeta_ukprn,dfeta_trainingprovider"}).json()
    assert (welsh["name"], welsh["dfeta_ukprn"], welsh["dfeta_trainingprovider"]) == (
        "University Of Wales Institute, Cardiff",
        None,
        True,
    )
    c600 = api.get("dfeta_ittsubjects", params={"$filter": "dfeta_value eq 'C600'", "$select": "dfeta_name"})
    assert sorted(r["dfeta_name"] for r in c600.json()["value"]) == ["Physical Education", "Sport & exercise science"]


def test_entity_definitions_list_the_new_tables(api: Api) -> None:
    for entity_set, (logical_name, primary_name, _) in SEEDED.items():
        definition = api.get(f"EntityDefinitions(LogicalName='{logical_name}')").json()
        assert definition["EntitySetName"] == entity_set
        assert definition["PrimaryIdAttribute"] == f"{logical_name}id"
        assert definition["PrimaryNameAttribute"] == primary_name
        assert definition["ChangeTrackingEnabled"] is True
    assert api.get("EntityDefinitions(LogicalName='account')").json()["ObjectTypeCode"] == 1
    picklists = api.get(
        "EntityDefinitions(LogicalName='dfeta_initialteachertraining')/Attributes/"
        "Microsoft.Dynamics.CRM.PicklistAttributeMetadata",
        params={"$select": "LogicalName", "$expand": "OptionSet($select=Options)"},
    ).json()["value"]
    options = {p["LogicalName"]: {o["Value"] for o in p["OptionSet"]["Options"]} for p in picklists}
    assert options["dfeta_programmetype"] == set(sref.ITT_PROGRAMME_TYPE)
    assert len(options["dfeta_agerangefrom"]) == len(options["dfeta_agerangeto"]) == 30
    assert len(options["dfeta_result"]) == 12
    service = {item["name"] for item in api.get("").json()["value"]}
    assert set(SEEDED) | {ITT, QTS} <= service


# --- generated ITT and QTS rows -----------------------------------------------------------------------------------


def test_generated_rows_are_served_with_resolvable_lookups(loaded: Api, generated_dir: Path) -> None:
    # Given a simulator loaded with generated data
    itts, registrations = _read(generated_dir / f"{ITT}.jsonl"), _read(generated_dir / f"{QTS}.jsonl")
    # Then both sets are served in full
    assert len(_all(loaded, ITT, {"$select": "dfeta_result"})) == len(itts)
    assert len(_all(loaded, QTS, {"$select": "dfeta_qtsdate"})) == len(registrations)
    # and an ITT row's lookups expand to the seeded provider, subject, qualification and country
    itt = next(
        r
        for r in itts
        if r["_dfeta_establishmentid_value"]
        and r["_dfeta_subject1id_value"]
        and r["_dfeta_ittqualificationid_value"]
        and r["_dfeta_countryid_value"]
    )
    expand = (
        "dfeta_EstablishmentId($select=name,dfeta_ukprn),dfeta_Subject1Id($select=dfeta_value),"
        "dfeta_ITTQualificationId($select=dfeta_value),dfeta_CountryId($select=dfeta_value)"
    )
    body = loaded.get(f"{ITT}({itt['dfeta_initialteachertrainingid']})", params={"$expand": expand}).json()
    assert body["dfeta_EstablishmentId"]["name"] == sref.ROWS_BY_ID[itt["_dfeta_establishmentid_value"]].name
    assert body["dfeta_Subject1Id"]["dfeta_value"] == VALUE[itt["_dfeta_subject1id_value"]]
    assert body["dfeta_ITTQualificationId"]["dfeta_value"] == VALUE[itt["_dfeta_ittqualificationid_value"]]
    assert body["dfeta_CountryId"]["dfeta_value"] == VALUE[itt["_dfeta_countryid_value"]]
    # and a registration's statuses expand too, and are found by person
    registration = next(r for r in registrations if r["_dfeta_teacherstatusid_value"])
    person = registration["_dfeta_personid_value"]
    rows = loaded.get(
        QTS,
        params={
            "$filter": f"_dfeta_personid_value eq {person}",
            "$expand": "dfeta_TeacherStatusId($select=dfeta_value,dfeta_name)",
        },
    ).json()["value"]
    assert registration["dfeta_qtsregistrationid"] in {r["dfeta_qtsregistrationid"] for r in rows}
    served = next(r for r in rows if r["dfeta_qtsregistrationid"] == registration["dfeta_qtsregistrationid"])
    assert served["dfeta_TeacherStatusId"]["dfeta_value"] == VALUE[registration["_dfeta_teacherstatusid_value"]]


def test_lookup_annotations_name_the_seeded_rows(loaded: Api, generated_dir: Path) -> None:
    itt = next(r for r in _read(generated_dir / f"{ITT}.jsonl") if r["_dfeta_establishmentid_value"])
    body = loaded.get(
        f"{ITT}({itt['dfeta_initialteachertrainingid']})",
        params={"$select": "_dfeta_establishmentid_value,dfeta_programmetype"},
        headers={"Prefer": 'odata.include-annotations="*"'},
    ).json()
    formatted = "@OData.Community.Display.V1.FormattedValue"
    assert body[f"_dfeta_establishmentid_value{formatted}"] == sref.ROWS_BY_ID[itt["_dfeta_establishmentid_value"]].name
    assert body["_dfeta_establishmentid_value@Microsoft.Dynamics.CRM.lookuplogicalname"] == "account"


def test_change_tracking_over_itt_and_qts(fresh_api: Callable[..., Api], generated_dir: Path) -> None:
    # Given a private simulator with the generated data and an initial tracked read of each new set
    api = fresh_api(data_dir=generated_dir)
    registrations = _read(generated_dir / f"{QTS}.jsonl")
    initial_qts = api.pages(QTS, prefer=TRACK, params={"$select": "dfeta_qtsdate"})
    assert sum(len(p["value"]) for p in initial_qts) == len(registrations)
    initial_itt = api.pages(ITT, prefer=TRACK, params={"$select": "dfeta_result"})
    tracked_statuses = api.pages("dfeta_teacherstatuses", prefer=TRACK, params={"$select": "dfeta_value"})
    assert sum(len(p["value"]) for p in tracked_statuses) == 84
    assert "@odata.deltaLink" in tracked_statuses[-1]

    # When a registration changes, another is deleted and a new ITT row is created against seeded rows
    changed, deleted = registrations[0]["dfeta_qtsregistrationid"], registrations[1]["dfeta_qtsregistrationid"]
    patch = api.patch(f"{QTS}({changed})", json={"dfeta_qtsdate": "2021-09-01T00:00:00Z"}, headers={"If-Match": "*"})
    assert patch.status_code == 204
    assert api.delete(f"{QTS}({deleted})").status_code == 204
    new_itt = str(uuid.uuid4())
    created = api.post(
        ITT,
        json={
            "dfeta_initialteachertrainingid": new_itt,
            "dfeta_PersonId@odata.bind": f"/contacts({registrations[0]['_dfeta_personid_value']})",
            "dfeta_EstablishmentId@odata.bind": f"/accounts({WELSH})",
            "dfeta_Subject1Id@odata.bind": f"/dfeta_ittsubjects({sref.by_value(sref.ITT_SUBJECTS, '100511').id})",
            "dfeta_ITTQualificationId@odata.bind": (
                f"/dfeta_ittqualifications({sref.by_value(sref.ITT_QUALIFICATIONS, '020').id})"
            ),
            "dfeta_CountryId@odata.bind": f"/dfeta_countries({sref.by_value(sref.COUNTRIES, 'XI').id})",
            "dfeta_qtsregistration@odata.bind": f"/dfeta_qtsregistrations({changed})",
            "dfeta_programmetype": 389040001,
            "dfeta_result": 389040000,
            "dfeta_agerangefrom": sref.age_option(5),
            "dfeta_agerangeto": sref.age_option(11),
        },
    )
    assert created.status_code == 204, created.text

    # Then each set's delta holds exactly its own changes
    qts_delta = api.get(initial_qts[-1]["@odata.deltaLink"]).json()["value"]
    assert [r["dfeta_qtsregistrationid"] for r in qts_delta if "reason" not in r] == [changed]
    assert qts_delta[0]["dfeta_qtsdate"] == "2021-09-01T00:00:00Z"
    assert [r["id"] for r in qts_delta if r.get("reason") == "deleted"] == [deleted]
    itt_delta = api.get(initial_itt[-1]["@odata.deltaLink"]).json()["value"]
    assert [r["dfeta_initialteachertrainingid"] for r in itt_delta] == [new_itt]
    status_delta = api.get(tracked_statuses[-1]["@odata.deltaLink"]).json()["value"]
    assert status_delta == []


def test_writes_check_the_new_option_sets_and_lookup_targets(api: Api) -> None:
    person = api.post("contacts", json={"firstname": "Status", "lastname": "Writer"}).headers["OData-EntityId"]
    person_id = person.rsplit("(", 1)[1].rstrip(")")
    unknown_option = api.post(
        ITT, json={"dfeta_PersonId@odata.bind": f"/contacts({person_id})", "dfeta_programmetype": 389040099}
    )
    assert unknown_option.status_code == 400
    missing_account = api.post(
        ITT,
        json={
            "dfeta_PersonId@odata.bind": f"/contacts({person_id})",
            "dfeta_EstablishmentId@odata.bind": f"/accounts({uuid.uuid4()})",
        },
    )
    assert missing_account.status_code == 404
    registration = api.post(
        QTS,
        json={
            "dfeta_PersonId@odata.bind": f"/contacts({person_id})",
            "dfeta_TeacherStatusId@odata.bind": (
                f"/dfeta_teacherstatuses({sref.by_value(sref.TEACHER_STATUSES, '211').id})"
            ),
            "dfeta_EarlyYearsStatusId@odata.bind": (
                f"/dfeta_earlyyearsstatuses({sref.by_value(sref.EARLY_YEARS_STATUSES, '220').id})"
            ),
        },
        headers={"Prefer": "return=representation"},
    )
    assert registration.status_code == 201, registration.text
    body = registration.json()
    assert body["_dfeta_teacherstatusid_value"] == sref.by_value(sref.TEACHER_STATUSES, "211").id
    assert body["_dfeta_earlyyearsstatusid_value"] == sref.by_value(sref.EARLY_YEARS_STATUSES, "220").id
