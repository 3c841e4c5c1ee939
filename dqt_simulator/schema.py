"""DQT's tables as the simulator serves them: logical names, entity sets, primary keys, attributes.

This is the contract between the simulator's store, its metadata endpoint (``EntityDefinitions``), its
validation of writes, and the data generator. Names are DQT's real ones (``GeneratedCode.cs@fc8d409c9``
as summarised in the data dictionary): a reader who knows DQT must recognise every one of them.

Attribute types use Dataverse's ``AttributeType`` names. Date columns carry their
``DateTimeBehavior``: ``DateOnly`` columns are returned as ``YYYY-MM-DD`` (``Edm.Date``); ``UserLocal``
columns as a UTC instant. DQT stores its date-only business fields (MQ start, sanction start, ...) as
``UserLocal`` instants of UK-local midnight, which is why the bridge converts them back with
Europe/London rules.

A lookup is read as ``_<attr>_value`` and written through its navigation property with
``<Navigation>@odata.bind``; custom lookups use the schema-name casing (``dfeta_PersonId``), exactly as
Dataverse requires.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

from mappings.reference import dqt as ref
from mappings.reference import dqt_status as status_ref


@dataclass(frozen=True, slots=True)
class Attribute:
    """One column. ``kind`` is Dataverse's ``AttributeType``; extra facets depend on it."""

    logical_name: str
    #: Uniqueidentifier | String | Memo | Integer | BigInt | Picklist | State | Status | Boolean | DateTime | Lookup
    kind: str
    max_length: int | None = None  # String / Memo
    options: Mapping[int, str] | None = None  # Picklist / State / Status: value -> label
    behavior: str | None = None  # DateTime: UserLocal | DateOnly | TimeZoneIndependent
    targets: tuple[str, ...] = ()  # Lookup: target logical names
    navigation: str | None = None  # Lookup: single-valued navigation property (schema-name casing)
    read_only: bool = False  # set by the platform (createdon, versionnumber, ...)

    @property
    def read_name(self) -> str:
        """The property name in a Web API record (``_x_value`` for lookups)."""
        return f"_{self.logical_name}_value" if self.kind == "Lookup" else self.logical_name


@dataclass(frozen=True, slots=True)
class EntityDef:
    """One table: its names, primary key and primary name column, and its attributes by logical name."""

    logical_name: str
    entity_set: str
    primary_id: str
    primary_name: str | None
    attributes: Mapping[str, Attribute] = field(default_factory=dict)
    change_tracking: bool = True
    object_type_code: int = 10000

    @property
    def schema_name(self) -> str:
        return self.logical_name

    def by_read_name(self) -> dict[str, Attribute]:
        return {a.read_name: a for a in self.attributes.values()}

    def navigation_properties(self) -> dict[str, Attribute]:
        return {a.navigation: a for a in self.attributes.values() if a.navigation}


def _s(name: str, max_length: int = 100) -> Attribute:
    return Attribute(name, "String", max_length=max_length)


def _memo(name: str, max_length: int = 1_048_576) -> Attribute:
    return Attribute(name, "Memo", max_length=max_length)


def _pick(name: str, options: Mapping[int, str]) -> Attribute:
    return Attribute(name, "Picklist", options=dict(options))


def _bool(name: str) -> Attribute:
    return Attribute(name, "Boolean")


def _date(name: str, behavior: str = "UserLocal") -> Attribute:
    return Attribute(name, "DateTime", behavior=behavior)


def _lookup(name: str, target: str, navigation: str) -> Attribute:
    return Attribute(name, "Lookup", targets=(target,), navigation=navigation)


def _entity(
    logical_name: str,
    entity_set: str,
    primary_name: str | None,
    attributes: Iterable[Attribute],
    *,
    statuscode: Mapping[int, str] = ref.STATUSCODE,
    object_type_code: int,
) -> EntityDef:
    primary_id = f"{logical_name}id"
    common = [
        Attribute(primary_id, "Uniqueidentifier"),
        Attribute("statecode", "State", options=dict(ref.STATECODE)),
        Attribute("statuscode", "Status", options=dict(statuscode)),
        Attribute("createdon", "DateTime", behavior="UserLocal", read_only=True),
        Attribute("modifiedon", "DateTime", behavior="UserLocal", read_only=True),
        Attribute("createdby", "Lookup", targets=("systemuser",), navigation="createdby", read_only=True),
        Attribute("modifiedby", "Lookup", targets=("systemuser",), navigation="modifiedby", read_only=True),
        Attribute("versionnumber", "BigInt", read_only=True),
    ]
    if primary_name:
        common.append(_s(primary_name, 200))
    attrs = {a.logical_name: a for a in [*common, *attributes]}
    return EntityDef(logical_name, entity_set, primary_id, primary_name, attrs, object_type_code=object_type_code)


CONTACT: Final = _entity(
    "contact",
    "contacts",
    "fullname",
    [
        _s("dfeta_trn", 7),
        _s("firstname", 100),
        _s("middlename", 100),
        _s("lastname", 100),
        _s("dfeta_statedfirstname", 100),
        _s("dfeta_statedmiddlename", 100),
        _s("dfeta_statedlastname", 100),
        _date("birthdate", "DateOnly"),
        _s("emailaddress1", 100),
        _s("dfeta_ninumber", 9),
        _s("mobilephone", 50),
        _pick("gendercode", ref.GENDERCODE),
        _pick("dfeta_inductionstatus", ref.INDUCTION_STATUS),
        _lookup("dfeta_mergedwith", "contact", "dfeta_MergedWith"),
        _date("dfeta_capitatrnchangedon"),
        _s("dfeta_trnrequestid", 100),
        _bool("dfeta_allowpiiupdatesfromregister"),
        _bool("dfeta_allowidsigninwithprohibitions"),
        _date("dfeta_qtsdate"),
        _date("dfeta_eytsdate"),
        _date("dfeta_qtlsdate"),
        _bool("dfeta_qtlsdatehasbeenset"),
        _date("dfeta_dateofdeath"),
        _memo("dfeta_trsevent"),
    ],
    statuscode=ref.CONTACT_STATUSCODE,
    object_type_code=2,
)

QUALIFICATION: Final = _entity(
    "dfeta_qualification",
    "dfeta_qualifications",
    "dfeta_name",
    [
        _pick("dfeta_type", ref.QUALIFICATION_TYPE),
        _lookup("dfeta_personid", "contact", "dfeta_PersonId"),
        _lookup("dfeta_mq_specialismid", "dfeta_specialism", "dfeta_MQ_SpecialismId"),
        _lookup("dfeta_mq_mqestablishmentid", "dfeta_mqestablishment", "dfeta_MQ_MQEstablishmentId"),
        _pick("dfeta_mq_status", ref.MQ_STATUS),
        _date("dfeta_mqstartdate"),
        _date("dfeta_mq_date"),
        _memo("dfeta_trsevent"),
    ],
    object_type_code=10100,
)

SANCTION: Final = _entity(
    "dfeta_sanction",
    "dfeta_sanctions",
    "dfeta_name",
    [
        _lookup("dfeta_personid", "contact", "dfeta_PersonId"),
        _lookup("dfeta_sanctioncodeid", "dfeta_sanctioncode", "dfeta_SanctionCodeId"),
        _date("dfeta_startdate"),
        _date("dfeta_enddate"),
        _memo("dfeta_sanctiondetails", 10_000),
        _s("dfeta_detailslink", 1000),
        _bool("dfeta_spent"),
        _memo("dfeta_trsevent"),
    ],
    object_type_code=10101,
)

INDUCTION: Final = _entity(
    "dfeta_induction",
    "dfeta_inductions",
    "dfeta_name",
    [
        _lookup("dfeta_personid", "contact", "dfeta_PersonId"),
        _date("dfeta_startdate"),
        _date("dfeta_completiondate"),
        _pick("dfeta_inductionstatus", ref.INDUCTION_STATUS),
        _pick("dfeta_inductionexemptionreason", ref.INDUCTION_EXEMPTION_REASON),
    ],
    object_type_code=10102,
)

PREVIOUS_NAME: Final = _entity(
    "dfeta_previousname",
    "dfeta_previousnames",
    None,
    [
        _lookup("dfeta_personid", "contact", "dfeta_PersonId"),
        _pick("dfeta_type", ref.PREVIOUS_NAME_TYPE),
        _s("dfeta_name", 100),
        _date("dfeta_changedon"),
        _memo("dfeta_trsevent"),
    ],
    object_type_code=10103,
)

INITIAL_TEACHER_TRAINING: Final = _entity(
    "dfeta_initialteachertraining",
    "dfeta_initialteachertrainings",
    "dfeta_name",
    [
        _lookup("dfeta_personid", "contact", "dfeta_PersonId"),
        _pick("dfeta_programmetype", status_ref.ITT_PROGRAMME_TYPE),
        _pick("dfeta_result", ref.ITT_RESULT),
        _date("dfeta_programmestartdate"),
        _date("dfeta_programmeenddate"),
        _lookup("dfeta_establishmentid", "account", "dfeta_EstablishmentId"),
        _lookup("dfeta_subject1id", "dfeta_ittsubject", "dfeta_Subject1Id"),
        _lookup("dfeta_subject2id", "dfeta_ittsubject", "dfeta_Subject2Id"),
        _lookup("dfeta_subject3id", "dfeta_ittsubject", "dfeta_Subject3Id"),
        _pick("dfeta_agerangefrom", status_ref.AGE_RANGE),
        _pick("dfeta_agerangeto", status_ref.AGE_RANGE),
        _lookup("dfeta_ittqualificationid", "dfeta_ittqualification", "dfeta_ITTQualificationId"),
        _lookup("dfeta_countryid", "dfeta_country", "dfeta_CountryId"),
        _lookup("dfeta_qtsregistration", "dfeta_qtsregistration", "dfeta_qtsregistration"),
        _s("dfeta_slugid", 100),
        _s("dfeta_traineeid", 100),
        _s("dfeta_cohortyear", 10),
        _pick("dfeta_ittqualificationaim", status_ref.ITT_QUALIFICATION_AIM),
    ],
    object_type_code=10104,
)

QTS_REGISTRATION: Final = _entity(
    "dfeta_qtsregistration",
    "dfeta_qtsregistrations",
    "dfeta_name",
    [
        _lookup("dfeta_personid", "contact", "dfeta_PersonId"),
        _lookup("dfeta_teacherstatusid", "dfeta_teacherstatus", "dfeta_TeacherStatusId"),
        _lookup("dfeta_earlyyearsstatusid", "dfeta_earlyyearsstatus", "dfeta_EarlyYearsStatusId"),
        _date("dfeta_qtsdate"),
        _date("dfeta_eytsdate"),
        _date("dfeta_dateofrecognition"),
        _lookup("dfeta_inductionid", "dfeta_induction", "dfeta_InductionId"),
    ],
    object_type_code=10105,
)


def _reference_entity(logical_name: str, entity_set: str, object_type_code: int) -> EntityDef:
    return _entity(logical_name, entity_set, "dfeta_name", [_s("dfeta_value", 100)], object_type_code=object_type_code)


MQ_ESTABLISHMENT: Final = _reference_entity("dfeta_mqestablishment", "dfeta_mqestablishments", 10110)
SPECIALISM: Final = _reference_entity("dfeta_specialism", "dfeta_specialisms", 10111)
SANCTION_CODE: Final = _reference_entity("dfeta_sanctioncode", "dfeta_sanctioncodes", 10112)
TEACHER_STATUS: Final = _entity(
    "dfeta_teacherstatus",
    "dfeta_teacherstatuses",
    "dfeta_name",
    [_s("dfeta_value", 100), _bool("dfeta_qtsdaterequired")],
    object_type_code=10113,
)
EARLY_YEARS_STATUS: Final = _reference_entity("dfeta_earlyyearsstatus", "dfeta_earlyyearsstatuses", 10114)
ITT_SUBJECT: Final = _reference_entity("dfeta_ittsubject", "dfeta_ittsubjects", 10115)
ITT_QUALIFICATION: Final = _reference_entity("dfeta_ittqualification", "dfeta_ittqualifications", 10116)
COUNTRY: Final = _reference_entity("dfeta_country", "dfeta_countries", 10117)
#: ITT providers and other establishments (only ``dfeta_trainingprovider = true`` ones are ITT providers).
ACCOUNT: Final = _entity(
    "account",
    "accounts",
    "name",
    [_s("dfeta_ukprn"), _bool("dfeta_trainingprovider")],
    object_type_code=1,
)

TRS_EVENT: Final = _entity(
    "dfeta_trsevent",
    "dfeta_trsevents",
    "dfeta_eventname",
    [_memo("dfeta_payload")],
    object_type_code=10120,
)

#: Every table the simulator serves, in dependency order (reference data first).
ENTITIES: Final[tuple[EntityDef, ...]] = (
    MQ_ESTABLISHMENT,
    SPECIALISM,
    SANCTION_CODE,
    TEACHER_STATUS,
    EARLY_YEARS_STATUS,
    ITT_SUBJECT,
    ITT_QUALIFICATION,
    COUNTRY,
    ACCOUNT,
    CONTACT,
    QUALIFICATION,
    SANCTION,
    INDUCTION,
    PREVIOUS_NAME,
    INITIAL_TEACHER_TRAINING,
    QTS_REGISTRATION,
    TRS_EVENT,
)

BY_LOGICAL_NAME: Final = {e.logical_name: e for e in ENTITIES}
BY_ENTITY_SET: Final = {e.entity_set: e for e in ENTITIES}


class SeedRow(Protocol):
    """A seeded reference row: ``id``, ``active`` and either ``name``/``value`` or its own ``columns()``."""

    @property
    def id(self) -> str: ...

    @property
    def active(self) -> bool: ...


#: Reference rows seeded into every simulator (entity set -> rows), with the real values.
REFERENCE_DATA: Final[dict[str, Sequence[SeedRow]]] = {
    "dfeta_mqestablishments": ref.MQ_ESTABLISHMENTS,
    "dfeta_specialisms": ref.MQ_SPECIALISMS,
    "dfeta_sanctioncodes": ref.SANCTION_CODES,
    "dfeta_teacherstatuses": status_ref.TEACHER_STATUSES,
    "dfeta_earlyyearsstatuses": status_ref.EARLY_YEARS_STATUSES,
    "dfeta_ittsubjects": status_ref.ITT_SUBJECTS,
    "dfeta_ittqualifications": status_ref.ITT_QUALIFICATIONS,
    "dfeta_countries": status_ref.COUNTRIES,
    "accounts": status_ref.ITT_PROVIDERS,
}
