"""Reading a contact's ``dfeta_initialteachertrainings`` and ``dfeta_qtsregistrations`` into typed rows.

Every record is checked for its id, bookkeeping columns and owner (``_dfeta_personid_value`` must be the
contact: a row of another contact is a :class:`~mappings.errors.MappingError`). Only active rows
(``statecode`` 0) are read further, because TRS fetched only those: an inactive row's other columns play no
part, so they cannot fail the contact. Reference GUIDs are resolved through :class:`StatusReference`;
a teacher status, early-years status or ITT qualification GUID that is not in the reference rows fails the
contact (TRS's lookups threw), an unknown subject or country GUID is left out (TRS ignored those), and a
provider is checked only when a route needs it (:mod:`mappings.routes.mapper`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from mappings import text
from mappings.errors import InvalidValue, MappingError
from mappings.fields import STATE_ACTIVE, RecordReader
from mappings.reference.routes import AGE_RANGES_BY_VALUE, PROGRAMME_TYPES_BY_VALUE, IttResult
from mappings.routes.reference import Coded, ProviderAccount, StatusReference

CONTACTS = "contacts"
ITT = "dfeta_initialteachertrainings"
QTS = "dfeta_qtsregistrations"

#: TRS ``source_application_reference`` is ``varchar(200)``.
_SLUG_MAX = 200
_RESULTS = frozenset(r.value for r in IttResult)


@dataclass(frozen=True, slots=True)
class Versioned:
    """The columns every DQT row contributes to a route's bookkeeping."""

    id: str
    active: bool
    created_on: dt.datetime
    modified_on: dt.datetime
    version: int


@dataclass(frozen=True, slots=True)
class Itt:
    """An active ``dfeta_initialteachertraining`` row, with its reference lookups resolved."""

    row: Versioned
    programme_type: int | None
    result: IttResult | None
    start_date: dt.date | None
    end_date: dt.date | None
    establishment_id: str | None
    #: The establishment's account, if it is a known training provider (checked when a route needs it).
    provider: ProviderAccount | None
    subjects: tuple[Coded, ...]
    age_range_from: int | None
    age_range_to: int | None
    qualification: str | None
    country: str | None
    qts_registration_id: str | None
    slug_id: str | None

    @property
    def id(self) -> str:
        return self.row.id

    @property
    def is_early_years(self) -> bool | None:
        """The programme type's EY-ness; None without a programme type."""
        if self.programme_type is None:
            return None
        return PROGRAMME_TYPES_BY_VALUE[self.programme_type].is_early_years


@dataclass(frozen=True, slots=True)
class Qts:
    """An active ``dfeta_qtsregistration`` row, with its statuses resolved."""

    row: Versioned
    teacher_status: Coded | None
    early_years_status: Coded | None
    qts_date: dt.date | None
    eyts_date: dt.date | None
    recognition_date: dt.date | None

    @property
    def id(self) -> str:
        return self.row.id


def record_list(entity: str, records: object) -> Sequence[object]:
    if not isinstance(records, Sequence) or isinstance(records, str | bytes):
        raise MappingError(entity, None, "<records>", records, "must be a list of records")
    return records


def _versioned(reader: RecordReader, person_id: str) -> Versioned:
    bookkeeping = reader.bookkeeping()
    if reader.required_uuid("_dfeta_personid_value") != person_id:
        reader.fail("_dfeta_personid_value", reader.raw("_dfeta_personid_value"), "belongs to another contact")
    return Versioned(
        reader.id,
        bookkeeping["dqt_state"] == STATE_ACTIVE,
        bookkeeping["dqt_created_on"],
        bookkeeping["dqt_modified_on"],
        bookkeeping["dqt_version"],
    )


def read_itt(record: object, person_id: str, reference: StatusReference) -> tuple[Versioned, Itt | None]:
    """The row's bookkeeping, and the parsed row if it is active."""
    reader = RecordReader(ITT, record, "dfeta_initialteachertrainingid")
    row = _versioned(reader, person_id)
    if not row.active:
        return row, None

    establishment_id = reader.uuid("_dfeta_establishmentid_value")
    provider = None if establishment_id is None else reference.providers.get(establishment_id)
    qualification_id = reader.uuid("_dfeta_ittqualificationid_value")
    qualification = None
    if qualification_id is not None:
        coded = reference.itt_qualifications.get(qualification_id)
        if coded is None:
            reader.fail("_dfeta_ittqualificationid_value", qualification_id, "is not a known dfeta_ittqualification")
        qualification = coded.value
    subjects = []
    for n in (1, 2, 3):
        subject_id = reader.uuid(f"_dfeta_subject{n}id_value")
        subject = None if subject_id is None else reference.itt_subjects.get(subject_id)
        if subject is not None:
            subjects.append(subject)
    country_id = reader.uuid("_dfeta_countryid_value")
    country = None if country_id is None else reference.countries.get(country_id)
    result = reader.option("dfeta_result", _RESULTS)

    return row, Itt(
        row=row,
        programme_type=reader.option("dfeta_programmetype", PROGRAMME_TYPES_BY_VALUE),
        result=None if result is None else IttResult(result),
        start_date=reader.uk_date("dfeta_programmestartdate"),
        end_date=reader.uk_date("dfeta_programmeenddate"),
        establishment_id=establishment_id,
        provider=provider,
        subjects=tuple(subjects),
        age_range_from=reader.option("dfeta_agerangefrom", AGE_RANGES_BY_VALUE),
        age_range_to=reader.option("dfeta_agerangeto", AGE_RANGES_BY_VALUE),
        qualification=qualification,
        country=None if country is None else country.value,
        qts_registration_id=reader.uuid("_dfeta_qtsregistration_value"),
        slug_id=reader.text("dfeta_slugid", _slug),
    )


def read_qts(record: object, person_id: str, reference: StatusReference) -> tuple[Versioned, Qts | None]:
    """The row's bookkeeping, and the parsed row if it is active."""
    reader = RecordReader(QTS, record, "dfeta_qtsregistrationid")
    row = _versioned(reader, person_id)
    if not row.active:
        return row, None

    teacher_status_id = reader.uuid("_dfeta_teacherstatusid_value")
    teacher_status = None
    if teacher_status_id is not None:
        teacher_status = reference.teacher_statuses.get(teacher_status_id)
        if teacher_status is None:
            reader.fail("_dfeta_teacherstatusid_value", teacher_status_id, "is not a known dfeta_teacherstatus")
    ey_status_id = reader.uuid("_dfeta_earlyyearsstatusid_value")
    ey_status = None
    if ey_status_id is not None:
        ey_status = reference.early_years_statuses.get(ey_status_id)
        if ey_status is None:
            reader.fail("_dfeta_earlyyearsstatusid_value", ey_status_id, "is not a known dfeta_earlyyearsstatus")
    return row, Qts(
        row=row,
        teacher_status=teacher_status,
        early_years_status=ey_status,
        qts_date=reader.uk_date("dfeta_qtsdate"),
        eyts_date=reader.uk_date("dfeta_eytsdate"),
        recognition_date=reader.uk_date("dfeta_dateofrecognition"),
    )


def _slug(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > _SLUG_MAX:
        raise InvalidValue(f"must be at most {_SLUG_MAX} characters")
    return text.check_short_text(value)
