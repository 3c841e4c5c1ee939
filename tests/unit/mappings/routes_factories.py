"""Records and reference data for the professional-status (routes) tests.

Reference rows are the simulator's (``mappings.reference.dqt_status``, stable ids); ITT and QTS records are
shaped like the simulator's. Builders take friendly keyword arguments (codes and names rather than GUIDs and
option values) and ``extra`` for raw overrides.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mappings.reference import dqt_status as ds
from mappings.reference.routes import IttResult, programme_type
from mappings.routes import StatusReference
from tests.unit.mappings import factories as f

PERSON_ID = f.PERSON_ID
#: Instants of UK midnight and the UK dates they stand for.
SUMMER = "2012-08-31T23:00:00Z"  # 2012-09-01 in the UK (BST)
SUMMER_DATE = dt.date(2012, 9, 1)
WINTER = "2013-01-14T00:00:00Z"  # 2013-01-14 (GMT)
WINTER_DATE = dt.date(2013, 1, 14)


def _records(rows: tuple[Any, ...], primary_key: str) -> list[dict[str, Any]]:
    return [{primary_key: row.id, **row.columns(), "statecode": 0 if row.active else 1} for row in rows]


def reference(**overrides: Any) -> StatusReference:
    arguments: dict[str, Any] = {
        "teacher_statuses": _records(ds.TEACHER_STATUSES, "dfeta_teacherstatusid"),
        "early_years_statuses": _records(ds.EARLY_YEARS_STATUSES, "dfeta_earlyyearsstatusid"),
        "itt_qualifications": _records(ds.ITT_QUALIFICATIONS, "dfeta_ittqualificationid"),
        "itt_subjects": _records(ds.ITT_SUBJECTS, "dfeta_ittsubjectid"),
        "countries": _records(ds.COUNTRIES, "dfeta_countryid"),
        "accounts": _records(ds.ITT_PROVIDERS, "accountid"),
    }
    arguments.update(overrides)
    return StatusReference.from_records(**arguments)


def teacher_status_id(value: str) -> str:
    return ds.by_value(ds.TEACHER_STATUSES, value).id


def ey_status_id(value: str) -> str:
    return ds.by_value(ds.EARLY_YEARS_STATUSES, value).id


def qualification_id(value: str) -> str:
    return ds.by_value(ds.ITT_QUALIFICATIONS, value).id


def subject_id(value: str, name: str | None = None) -> str:
    return next(r.id for r in ds.ITT_SUBJECTS if r.value == value and (name is None or r.name == name))


def country_id(code: str) -> str:
    return ds.by_value(ds.COUNTRIES, code).id


def provider_id(name: str) -> str:
    return next(p.id for p in ds.ITT_PROVIDERS if p.name == name)


def _common(primary_key: str, created: str = f.CREATED, version: int = 1_000_001) -> dict[str, Any]:
    return {
        primary_key: f.new_id(),
        "statecode": 0,
        "statuscode": 1,
        "createdon": created,
        "modifiedon": f.MODIFIED,
        "versionnumber": version,
        "_dfeta_personid_value": PERSON_ID,
    }


def contact(**overrides: Any) -> dict[str, Any]:
    return f.contact(**{"dfeta_qtsdate": None, "dfeta_qtlsdate": None, "dfeta_qtlsdatehasbeenset": False, **overrides})


def itt(
    result: IttResult | None = IttResult.PASS,
    programme: str | None = "HEI",
    qualification: str | None = "020",
    *,
    provider: str | None = None,
    start: str | None = None,
    end: str | None = None,
    ages: tuple[int | None, int | None] = (None, None),
    subjects: tuple[str, ...] = (),
    country: str | None = None,
    qts: dict[str, Any] | None = None,
    slug: str | None = None,
    created: str = f.CREATED,
    version: int = 1_000_001,
    **extra: Any,
) -> dict[str, Any]:
    record = _common("dfeta_initialteachertrainingid", created, version)
    record.update(
        dfeta_name="ITT",
        dfeta_programmetype=None if programme is None else programme_type(programme),
        dfeta_result=None if result is None else int(result),
        dfeta_programmestartdate=start,
        dfeta_programmeenddate=end,
        _dfeta_establishmentid_value=None if provider is None else provider_id(provider),
        _dfeta_subject1id_value=subject_id(subjects[0]) if len(subjects) > 0 else None,
        _dfeta_subject2id_value=subject_id(subjects[1]) if len(subjects) > 1 else None,
        _dfeta_subject3id_value=subject_id(subjects[2]) if len(subjects) > 2 else None,
        dfeta_agerangefrom=ages[0],
        dfeta_agerangeto=ages[1],
        _dfeta_ittqualificationid_value=None if qualification is None else qualification_id(qualification),
        _dfeta_countryid_value=None if country is None else country_id(country),
        _dfeta_qtsregistration_value=None if qts is None else qts["dfeta_qtsregistrationid"],
        dfeta_slugid=slug,
        dfeta_traineeid=None,
        dfeta_cohortyear=None,
    )
    record.update(extra)
    return record


def qts(
    teacher: str | None = "71",
    ey: str | None = None,
    *,
    qts_date: str | None = None,
    eyts_date: str | None = None,
    recognition: str | None = None,
    created: str = f.CREATED,
    version: int = 1_000_001,
    **extra: Any,
) -> dict[str, Any]:
    record = _common("dfeta_qtsregistrationid", created, version)
    record.update(
        dfeta_name="QTS",
        _dfeta_teacherstatusid_value=None if teacher is None else teacher_status_id(teacher),
        _dfeta_earlyyearsstatusid_value=None if ey is None else ey_status_id(ey),
        dfeta_qtsdate=qts_date,
        dfeta_eytsdate=eyts_date,
        dfeta_dateofrecognition=recognition,
        _dfeta_inductionid_value=None,
    )
    record.update(extra)
    return record
