"""Write ITT rows and QTS registrations through the Web API; read routes, person status and the index back."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from bridge.feeds import CONTACT_SELECT, INDUCTION_SELECT, INITIAL_TEACHER_TRAINING_SELECT, QTS_REGISTRATION_SELECT
from dataverse_client import DataverseClient, F
from mappings import StatusReference, map_induction, map_professional_status, move_induction_exemptions
from mappings.reference import dqt_status as sref
from mappings.reference.routes import COUNTRY_SUBSTITUTIONS
from trs_store.models import metadata

PERSON_STATUS_COLUMNS = (
    "qts_date",
    "eyts_date",
    "pqts_date",
    "has_eyps",
    "qtls_status",
    "dqt_professional_status_version",
)

HEI = 389040001
SALARIED = "SchoolDirecttrainingprogramme_Salaried"
SCHOOL_DIRECT_SALARIED = next(v for v, name in sref.ITT_PROGRAMME_TYPE.items() if name == SALARIED)
PASS, IN_TRAINING, WITHDRAWN, INFO = sref.RESULT_PASS, sref.RESULT_IN_TRAINING, sref.RESULT_WITHDRAWN, sref.RESULT_INFO
PROVIDER = sref.ENGLISH_PROVIDERS[3]  # University of Leeds
QUALIFIED_TRAINED = sref.by_value(sref.TEACHER_STATUSES, "71")
TRAINEE = sref.by_value(sref.TEACHER_STATUSES, "211")
DEGREE = sref.by_value(sref.ITT_QUALIFICATIONS, "400")
SUBJECT = sref.ITT_SUBJECTS[0]
COUNTRY = sref.by_value(sref.COUNTRIES, "XK")


def status_reference() -> StatusReference:
    """What ``load_status_reference`` should read from the simulator's seeded rows (built independently)."""

    def coded(rows: Iterable[sref.CodedRow], primary_id: str) -> list[dict[str, Any]]:
        return [{primary_id: r.id, **r.columns(), "statecode": 0 if r.active else 1} for r in rows]

    # The countries TRS's varchar(10) can hold, after TRS's substitutions (XP, EU, ZZ and "EEA Countries" have none).
    codes = {COUNTRY_SUBSTITUTIONS.get(r.value, r.value) for r in sref.COUNTRIES}
    trs_countries = {code for code in codes if code is not None and len(code) <= 10}
    return StatusReference.from_records(
        trs_countries=trs_countries,
        teacher_statuses=coded(sref.TEACHER_STATUSES, "dfeta_teacherstatusid"),
        early_years_statuses=coded(sref.EARLY_YEARS_STATUSES, "dfeta_earlyyearsstatusid"),
        itt_qualifications=coded(sref.ITT_QUALIFICATIONS, "dfeta_ittqualificationid"),
        itt_subjects=coded(sref.ITT_SUBJECTS, "dfeta_ittsubjectid"),
        countries=coded(sref.COUNTRIES, "dfeta_countryid"),
        accounts=[{"accountid": a.id, **a.columns(), "statecode": 0} for a in sref.ITT_PROVIDERS],
    )


def create_qts(client: DataverseClient, person_id: str, *, status: sref.CodedRow | None = QUALIFIED_TRAINED,
               qts_date: str | None = "2020-07-01T23:00:00Z", **fields: Any) -> str:  # fmt: skip
    qts_id = str(uuid.uuid4())
    body: dict[str, Any] = {"dfeta_PersonId@odata.bind": f"/contacts({person_id})", "dfeta_qtsdate": qts_date, **fields}
    if status is not None:
        body["dfeta_TeacherStatusId@odata.bind"] = f"/dfeta_teacherstatuses({status.id})"
    client.create("dfeta_qtsregistrations", body, id=qts_id)
    return qts_id


def create_itt(client: DataverseClient, person_id: str, *, result: int | None = PASS, programme: int | None = HEI,
               qts_id: str | None = None, **fields: Any) -> str:  # fmt: skip
    itt_id = str(uuid.uuid4())
    body: dict[str, Any] = {
        "dfeta_PersonId@odata.bind": f"/contacts({person_id})",
        "dfeta_result": result,
        "dfeta_programmetype": programme,
        "dfeta_programmestartdate": "2019-08-31T23:00:00Z",
        "dfeta_programmeenddate": "2020-06-30T23:00:00Z",
        "dfeta_EstablishmentId@odata.bind": f"/accounts({PROVIDER.id})",
        "dfeta_Subject1Id@odata.bind": f"/dfeta_ittsubjects({SUBJECT.id})",
        "dfeta_ITTQualificationId@odata.bind": f"/dfeta_ittqualifications({DEGREE.id})",
        "dfeta_CountryId@odata.bind": f"/dfeta_countries({COUNTRY.id})",
        "dfeta_agerangefrom": sref.age_option(11),
        "dfeta_agerangeto": sref.age_option(16),
        **fields,
    }
    if qts_id is not None:
        body["dfeta_qtsregistration@odata.bind"] = f"/dfeta_qtsregistrations({qts_id})"
    client.create("dfeta_initialteachertrainings", body, id=itt_id)
    return itt_id


def routes(engine: Engine, person_id: str | None = None) -> dict[str, dict[str, Any]]:
    """Route rows (``qualification_type`` 1) by id, of one person or of everyone."""
    table = metadata.tables["qualifications"]
    statement = select(table).where(table.c.qualification_type == 1)
    if person_id is not None:
        statement = statement.where(table.c.person_id == person_id)
    with engine.connect() as connection:
        return {str(r["qualification_id"]): dict(r) for r in connection.execute(statement).mappings()}


def person_status(engine: Engine, person_id: str) -> dict[str, Any]:
    table = metadata.tables["persons"]
    with engine.connect() as connection:
        row = connection.execute(select(table).where(table.c.person_id == person_id)).mappings().one()
    return {c: row[c] for c in PERSON_STATUS_COLUMNS}


def sources(engine: Engine) -> dict[str, tuple[str, str]]:
    """``{dqt_id: (entity_set, person_id)}`` of the professional status index."""
    table = metadata.tables["professional_status_sources"]
    with engine.connect() as connection:
        return {str(r.dqt_id): (r.entity_set, str(r.person_id)) for r in connection.execute(select(table))}


@dataclass(frozen=True)
class Expected:
    """What TRS should hold for a person, from the mapping run directly over what DQT holds now."""

    routes: dict[str, dict[str, Any]]
    person: dict[str, Any]  # PERSON_STATUS_COLUMNS
    dqt_reason_ids: list[str] | None  # None: the induction feed never derives the person (no induction row)
    reason_ids: list[str] | None  # the reasons no route took


def expected(client: DataverseClient, person_id: str) -> Expected:
    """``map_professional_status`` over the contact and all its rows, with the induction exemption reasons DQT holds
    (``map_induction``) moved onto the routes (reference §3.10)."""
    contact = client.get("contacts", person_id, select=list(CONTACT_SELECT))

    def children(entity_set: str, columns: tuple[str, ...]) -> list[dict[str, Any]]:
        pages = client.query(entity_set, select=list(columns), filter=F.eq("_dfeta_personid_value", person_id))
        return [record for page in pages for record in page.records]

    itts = children("dfeta_initialteachertrainings", INITIAL_TEACHER_TRAINING_SELECT)
    qtss = children("dfeta_qtsregistrations", QTS_REGISTRATION_SELECT)
    result = map_professional_status(contact, itts, qtss, status_reference())
    assert result.person is not None, result.failures
    inductions = children("dfeta_inductions", INDUCTION_SELECT)
    dqt_reasons = map_induction(contact, inductions)["induction_exemption_reason_ids"] if inductions else None
    moved = move_induction_exemptions(dqt_reasons or [], result.routes)
    return Expected(
        {r["qualification_id"]: dict(r) for r in moved.routes},
        {c: result.person[c] for c in PERSON_STATUS_COLUMNS},
        dqt_reasons,
        None if dqt_reasons is None else moved.reason_ids,
    )


def assert_as_mapped(engine: Engine, client: DataverseClient, person_id: str) -> dict[str, dict[str, Any]]:
    """TRS holds exactly what :func:`expected` says for the person; returns its stored routes."""
    wanted = expected(client, person_id)
    stored = routes(engine, person_id)
    assert set(stored) == set(wanted.routes)
    for route_id, route in wanted.routes.items():
        assert {k: stored[route_id][k] for k in route} == route
    assert person_status(engine, person_id) == wanted.person
    assert exemption_reasons(engine, person_id) == (wanted.dqt_reason_ids, wanted.reason_ids)
    return stored


def exemption_reasons(engine: Engine, person_id: str) -> tuple[list[str] | None, list[str] | None]:
    """``(dqt_induction_exemption_reason_ids, induction_exemption_reason_ids)`` of a person."""
    table = metadata.tables["persons"]
    columns = (table.c.dqt_induction_exemption_reason_ids, table.c.induction_exemption_reason_ids)
    with engine.connect() as connection:
        dqt, left = connection.execute(select(*columns).where(table.c.person_id == person_id)).one()
    return dqt, left
